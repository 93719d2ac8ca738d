//! The connection status and the desktop-notification switch in the top bar.

use leptos::prelude::*;

use crate::realtime::{DesktopPermission, Realtime};

#[component]
pub fn ConnectionStatus() -> impl IntoView {
    let realtime = expect_context::<Realtime>();
    let status = move || realtime.status.get().as_str();
    view! {
        <span class="ws-status" data-testid="ws-status" data-state=status title="Live updates">
            {status}
        </span>
    }
}

#[component]
pub fn DesktopToggle() -> impl IntoView {
    let realtime = expect_context::<Realtime>();
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        realtime.desktop.set(crate::realtime::desktop::permission());
    });
    let label = move || match realtime.desktop.get() {
        DesktopPermission::Granted => "Desktop alerts on",
        DesktopPermission::Denied => "Desktop alerts blocked",
        DesktopPermission::Unsupported => "No desktop alerts here",
        DesktopPermission::Default | DesktopPermission::Unknown => "Enable desktop alerts",
    };
    let disabled = move || {
        !matches!(
            realtime.desktop.get(),
            DesktopPermission::Default | DesktopPermission::Unknown
        )
    };
    let ask = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let permission = crate::realtime::desktop::request_permission().await;
            realtime.desktop.set(permission);
        });
    };
    view! {
        <button
            type="button"
            class="button small ghost"
            data-testid="enable-desktop-notifications"
            disabled=disabled
            on:click=ask
        >
            {label}
        </button>
    }
}
