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

    let link = toast.link.clone();
    let notification_id = toast.notification_id;
    let open = move |_| {
        realtime.dismiss_toast(key);
        #[cfg(feature = "hydrate")]
        {
            if let Some(id) = notification_id {
                crate::realtime::socket::send(&crate::protocol::ClientFrame::MarkRead {
                    notification_id: id,
                });
            }
            if let Some(link) = &link {
                crate::realtime::browser::follow(link);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&link, notification_id);
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
