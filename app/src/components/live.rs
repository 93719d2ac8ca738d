//! The connection status and the desktop-notification switch in the top bar.

use leptos::prelude::*;

use crate::realtime::{DesktopPermission, Realtime};

#[component]
pub fn ConnectionStatus() -> impl IntoView {
    let realtime = expect_context::<Realtime>();
    let status = move || <&str>::from(realtime.status.get());
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
        DesktopPermission::Off => "Desktop alerts off",
        DesktopPermission::Denied => "Desktop alerts blocked",
        DesktopPermission::Unsupported => "No desktop alerts here",
        DesktopPermission::Default | DesktopPermission::Unknown => "Enable desktop alerts",
    };
    let disabled = move || {
        matches!(
            realtime.desktop.get(),
            DesktopPermission::Denied | DesktopPermission::Unsupported
        )
    };
    let pressed = move || (realtime.desktop.get() == DesktopPermission::Granted).to_string();
    // Asks the first time; afterwards the same button turns them off and on again.
    let click = move |_| {
        #[cfg(feature = "hydrate")]
        match realtime.desktop.get_untracked() {
            DesktopPermission::Granted => realtime
                .desktop
                .set(crate::realtime::desktop::set_off(true)),
            DesktopPermission::Off => realtime
                .desktop
                .set(crate::realtime::desktop::set_off(false)),
            _ => leptos::task::spawn_local(async move {
                let permission = crate::realtime::desktop::request_permission().await;
                realtime.desktop.set(permission);
            }),
        }
    };
    view! {
        <button
            type="button"
            class="button small ghost"
            data-testid="enable-desktop-notifications"
            data-state=move || format!("{:?}", realtime.desktop.get()).to_lowercase()
            aria-pressed=pressed
            disabled=disabled
            on:click=click
        >
            {label}
        </button>
        <Show when=move || realtime.desktop.get() == DesktopPermission::Denied>
            <span class="muted help" data-testid="desktop-blocked-help">
                "Your browser blocks them for this site: allow notifications in the site's settings (the icon beside the address), then reload."
            </span>
        </Show>
    }
}
