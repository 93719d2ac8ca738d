//! Whether the page in the browser has finished hydrating.
//!
//! With pages split into chunks of their own (`pages::lazy`), the frame of a page (top bar,
//! banners, toasts) hydrates at once and a split page only when its chunk has arrived. Nothing
//! may change what a page shows in between: a list that grew would no longer match the HTML the
//! server rendered, and hydration would fail. So the socket, whose frames change those lists,
//! starts only once the whole page is live.

use leptos::prelude::*;

thread_local! {
    static FINISHED: ArcRwSignal<bool> = ArcRwSignal::new(false);
}

/// Whether the whole page has hydrated. Tracked: an effect that reads it runs again when it has.
pub fn finished() -> bool {
    FINISHED.with(|finished| finished.get())
}

/// Called by the browser's entry point once the whole page has hydrated. Marks the document
/// `<html data-hydrated>`, which the stylesheet and the browser tests rely on.
#[cfg(feature = "hydrate")]
pub fn finish() {
    FINISHED.with(|finished| finished.set(true));
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("data-hydrated", "");
    }
}
