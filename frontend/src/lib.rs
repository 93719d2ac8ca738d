//! The browser entry point: hydrates the server-rendered page into the live Leptos app.

// `hydrate_lazy` computes the layout of a future holding the whole app's view type, deeper
// than the default limit of 128 in the release profile.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Not `hydrate_body`: a page split into a chunk of its own (app::pages::lazy) hydrates
    // once its chunk has arrived.
    leptos::mount::hydrate_lazy(app::App);
}
