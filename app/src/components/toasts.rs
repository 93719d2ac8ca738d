//! Toasts: new notifications slide in at the bottom right and leave after 5 s.
//!
//! At most [`SHOWN_AT_ONCE`] are on screen; the rest wait their turn behind a "+N more" link to
//! the inbox, so a burst never covers the page. A toast stays while it is hovered or focused,
//! × or Escape dismisses it, and its text is clamped to a few lines. A toast of a group shows
//! its newest notification and counts up as more arrive, and its 5 s start again with each.

use std::time::Duration;

use leptos::prelude::*;

use crate::realtime::{Realtime, Toast};

const SHOWN_FOR: Duration = Duration::from_secs(5);
/// How many toasts are on screen at once.
pub const SHOWN_AT_ONCE: usize = 3;

#[component]
pub fn Toasts() -> impl IntoView {
    let realtime = expect_context::<Realtime>();
    let shown = move || {
        realtime.toasts.with(|toasts| {
            toasts
                .iter()
                .take(SHOWN_AT_ONCE)
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let waiting = move || realtime.toasts.with(Vec::len).saturating_sub(SHOWN_AT_ONCE);
    // Escape dismisses the oldest toast on screen, wherever the focus is.
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::keydown, move |event| {
            // While the bell's popover is open, Escape is its own.
            let popover_open = document()
                .query_selector("#inbox-popover:not([hidden])")
                .ok()
                .flatten()
                .is_some();
            if event.key() == "Escape" && !popover_open {
                if let Some(oldest) = realtime.toasts.with_untracked(|t| t.first().map(|t| t.key)) {
                    realtime.dismiss_toast(oldest);
                }
            }
        });
        on_cleanup(move || handle.remove());
    }
    view! {
        <div class="toasts" aria-live="polite" aria-atomic="false">
            <For each=shown key=|toast| toast.key children=move |toast| view! { <ToastCard toast/> }/>
            <Show when=move || { waiting() > 0 }>
                <a class="toast-more" href="/notifications/" data-testid="toast-more">
                    {move || format!("+{} more", waiting())}
                </a>
            </Show>
        </div>
    }
}

#[component]
fn ToastCard(toast: Toast) -> impl IntoView {
    let realtime = expect_context::<Realtime>();
    let key = toast.key;
    let timer: StoredValue<Option<TimeoutHandle>, LocalStorage> = StoredValue::new_local(None);
    let disarm = move || {
        if let Some(handle) = timer.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    };
    let arm = move || {
        disarm();
        let handle = set_timeout_with_handle(move || realtime.dismiss_toast(key), SHOWN_FOR).ok();
        timer.set_value(handle);
    };
    // What it shows now: a toast of a group is replaced in the queue by its newest.
    let first = StoredValue::new(toast);
    let current = move || {
        realtime
            .toasts
            .with(|toasts| toasts.iter().find(|t| t.key == key).cloned())
            .unwrap_or_else(|| first.get_value())
    };
    let count = Memo::new(move |_| current().count);
    // The 5 s start when the toast comes on screen, not when it was queued, and again when it
    // counts one more.
    Effect::new(move |_| {
        count.track();
        arm();
    });
    on_cleanup(disarm);

    let navigate = leptos_router::hooks::use_navigate();
    let open = move |_| {
        let Toast {
            link,
            notification_id,
            ..
        } = current();
        realtime.dismiss_toast(key);
        #[cfg(feature = "hydrate")]
        if let Some(id) = notification_id {
            crate::realtime::socket::send(&crate::protocol::ClientFrame::MarkRead {
                notification_id: id,
            });
        }
        match &link {
            // Within the site the router navigates, so the socket (and the frame just sent) stays.
            Some(link) if link.is_internal() => navigate(link.as_str(), Default::default()),
            #[cfg(feature = "hydrate")]
            Some(link) => crate::realtime::browser::follow(link),
            _ => {}
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = notification_id;
    };
    let tone = current().tone;
    view! {
        <div
            class=format!("toast {tone}")
            data-testid="toast"
            on:mouseenter=move |_| disarm()
            on:mouseleave=move |_| arm()
            on:focusin=move |_| disarm()
            on:focusout=move |_| arm()
        >
            <button type="button" class="toast-open" on:click=open>
                <strong>
                    {move || current().title.to_string()}
                    <Show when=move || { count.get() > 1 }>
                        <span class="group-count" data-testid="toast-count">{move || count.get()}</span>
                    </Show>
                </strong>
                {move || {
                    let body = current().body;
                    (!body.is_empty()).then(|| view! { <p>{body.to_string()}</p> })
                }}
            </button>
            <button
                type="button"
                class="toast-dismiss"
                data-testid="toast-dismiss"
                aria-label="Dismiss"
                on:click=move |_| realtime.dismiss_toast(key)
            >
                "×"
            </button>
        </div>
    }
}
