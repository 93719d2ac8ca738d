//! Toasts: new notifications slide in at the bottom right and leave after 5 s, unless hovered.

use std::time::Duration;

use leptos::prelude::*;

use crate::realtime::{Realtime, Toast};

const SHOWN_FOR: Duration = Duration::from_secs(5);

#[component]
pub fn Toasts() -> impl IntoView {
    let realtime = expect_context::<Realtime>();
    view! {
        <div class="toasts" aria-live="polite" aria-atomic="false">
            <For
                each=move || realtime.toasts.get()
                key=|toast| toast.key
                children=move |toast| view! { <ToastCard toast/> }
            />
        </div>
    }
}

#[component]
fn ToastCard(toast: Toast) -> impl IntoView {
    let realtime = expect_context::<Realtime>();
    let key = toast.key;
    let timer: StoredValue<Option<TimeoutHandle>, LocalStorage> = StoredValue::new_local(None);
    let arm = move || {
        let handle = set_timeout_with_handle(move || realtime.dismiss_toast(key), SHOWN_FOR).ok();
        timer.set_value(handle);
    };
    let disarm = move || {
        if let Some(handle) = timer.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    };
    Effect::new(move |_| arm());
    on_cleanup(disarm);

    // Only a path on this site or an http(s) URL is ever followed.
    let link = toast
        .link
        .as_deref()
        .and_then(|link| crate::model::Link::parse("link", link).ok());
    let notification_id = toast.notification_id;
    let navigate = leptos_router::hooks::use_navigate();
    let open = move |_| {
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
            Some(link) => crate::realtime::browser::follow(link.as_str()),
            _ => {}
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = notification_id;
    };
    view! {
        <button
            type="button"
            class=format!("toast {}", toast.tone)
            data-testid="toast"
            on:click=open
            on:mouseenter=move |_| disarm()
            on:mouseleave=move |_| arm()
        >
            <strong>{toast.title.clone()}</strong>
            {(!toast.body.is_empty()).then(|| view! { <p>{toast.body.clone()}</p> })}
        </button>
    }
}
