//! The browser entry point: hydrates the server-rendered page into the live Leptos app.

// `hydrate_lazy` computes the layout of a future holding the whole app's view type, deeper
// than the default limit of 128 in the release profile.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Leptos's `hydrate_lazy`, and one step more. Not `hydrate_body`: a page split into a chunk
    // of its own (app::pages::lazy) hydrates once its chunk has arrived, and only then is the
    // page live (app::hydration).
    wasm_bindgen_futures::spawn_local(async {
        let body = leptos::tachys::dom::body();
        leptos::mount::hydrate_from_async(body, app::App)
            .await
            .forget();
        app::hydration::finish();
    });
}
