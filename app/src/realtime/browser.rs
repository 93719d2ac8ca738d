//! Small helpers over the browser's APIs.

use wasm_bindgen::JsCast;

pub fn window() -> web_sys::Window {
    web_sys::window().expect("a browser window")
}

pub fn document() -> web_sys::Document {
    window().document().expect("a document")
}

pub fn page_is_hidden() -> bool {
    document().visibility_state() == web_sys::VisibilityState::Hidden
}

/// Goes to a notification's link (a path on this site or an http(s) URL: nothing else parses as
/// a [`Link`]).
pub fn follow(link: &crate::model::Link) {
    let _ = window().location().assign(link.as_str());
}

/// Calls the JSON API; answers the status and the body's text. The session cookie goes along:
/// fetch's default credentials are `same-origin`.
pub async fn fetch(
    method: &str,
    path: &str,
    body: Option<String>,
) -> Result<(u16, String), String> {
    use gloo_net::http::{Method, RequestBuilder};
    let method = Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
    let request = RequestBuilder::new(path).method(method);
    let request = match body {
        Some(body) => request
            .header("content-type", "application/json")
            .body(body),
        None => request.build(),
    }
    .map_err(|e| e.to_string())?;
    let response = request.send().await.map_err(|e| e.to_string())?;
    let text = response.text().await.map_err(|e| e.to_string())?;
    Ok((response.status(), text))
}

/// Calls `action` each time the element scrolls into view (infinite scroll), for as long as the
/// component that calls this lives.
pub fn when_visible<E>(node: leptos::prelude::NodeRef<E>, action: impl Fn() + 'static)
where
    E: leptos::tachys::html::element::ElementType,
    E::Output: JsCast + Clone + 'static,
{
    use leptos::prelude::*;
    use wasm_bindgen::closure::Closure;
    let action = std::rc::Rc::new(action);
    Effect::new(move |_| {
        let Some(element) = node.get() else { return };
        let Ok(element) = element.dyn_into::<web_sys::Element>() else {
            return;
        };
        let action = action.clone();
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            let visible = entries.iter().any(|entry| {
                entry
                    .dyn_into::<web_sys::IntersectionObserverEntry>()
                    .is_ok_and(|e| e.is_intersecting())
            });
            if visible {
                action();
            }
        });
        let Ok(observer) = web_sys::IntersectionObserver::new(callback.as_ref().unchecked_ref())
        else {
            return;
        };
        observer.observe(&element);
        // Runs when the element changes (this effect runs again) or the component goes away:
        // the observer stops, then its callback is dropped.
        let watching = send_wrapper::SendWrapper::new((observer, callback));
        on_cleanup(move || {
            let (observer, callback) = watching.take();
            observer.disconnect();
            drop(callback);
        });
    });
}
