//! Desktop notifications through the browser's Notification API: asked for from a click, shown
//! only while no tab is visible, once per browser (by the leader tab; and the tag keeps it to one
//! where each tab holds its own socket).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::browser::{follow, window};
use super::tabs;
use super::DesktopPermission;
use crate::model::Link;

fn supported() -> bool {
    js_sys::Reflect::has(&window(), &JsValue::from_str("Notification")).unwrap_or(false)
}

/// Where this device remembers that the user turned desktop alerts off (a browser cannot take a
/// permission back from a page, so the page keeps its own switch).
const OFF_KEY: &str = "herald-desktop-alerts-off";

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// Turns desktop alerts off or back on for this browser; answers the state after it.
pub fn set_off(off: bool) -> DesktopPermission {
    if let Some(storage) = storage() {
        let _ = if off {
            storage.set_item(OFF_KEY, "1")
        } else {
            storage.remove_item(OFF_KEY)
        };
    }
    permission()
}

pub fn permission() -> DesktopPermission {
    if !supported() {
        return DesktopPermission::Unsupported;
    }
    let off = storage().is_some_and(|s| s.get_item(OFF_KEY).ok().flatten().is_some());
    match web_sys::Notification::permission() {
        web_sys::NotificationPermission::Granted if off => DesktopPermission::Off,
        web_sys::NotificationPermission::Granted => DesktopPermission::Granted,
        web_sys::NotificationPermission::Denied => DesktopPermission::Denied,
        _ => DesktopPermission::Default,
    }
}

/// Asks the browser for permission; must run from a user's click.
pub async fn request_permission() -> DesktopPermission {
    if !supported() {
        return DesktopPermission::Unsupported;
    }
    if let Ok(promise) = web_sys::Notification::request_permission() {
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
    permission()
}

/// Shows a system notification if allowed, if this tab alerts for the browser (the leader tab,
/// see `super::tabs`) and if the user sees none of its tabs. Clicking it focuses the tab and
/// opens the link.
pub fn show(tag: &str, title: &str, body: &str, link: Option<Link>) {
    if permission() != DesktopPermission::Granted || !tabs::alerts_here() || !tabs::all_hidden() {
        return;
    }
    let options = web_sys::NotificationOptions::new();
    options.set_body(body);
    options.set_tag(tag);
    let Ok(notification) = web_sys::Notification::new_with_options(title, &options) else {
        return;
    };
    let shown = notification.clone();
    let on_click = Closure::once_into_js(move || {
        let _ = window().focus();
        if let Some(link) = link {
            follow(&link);
        }
        shown.close();
    });
    notification.set_onclick(Some(on_click.unchecked_ref()));
}
