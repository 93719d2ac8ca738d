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

/// Calls the JSON API with the session cookie; answers the status and the body's text.
pub async fn fetch(
    method: &str,
    path: &str,
    body: Option<String>,
) -> Result<(u16, String), String> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    if let Some(body) = body {
        let headers = web_sys::Headers::new().map_err(|e| format!("{e:?}"))?;
        headers
            .set("content-type", "application/json")
            .map_err(|e| format!("{e:?}"))?;
        init.set_headers(&headers);
        init.set_body(&body.into());
    }
    let request =
        web_sys::Request::new_with_str_and_init(path, &init).map_err(|e| format!("{e:?}"))?;
    let response = wasm_bindgen_futures::JsFuture::from(window().fetch_with_request(&request))
        .await
        .map_err(|e| format!("{e:?}"))?;
    let response: web_sys::Response = response.dyn_into().map_err(|e| format!("{e:?}"))?;
    let text = wasm_bindgen_futures::JsFuture::from(response.text().map_err(|e| format!("{e:?}"))?)
        .await
        .map_err(|e| format!("{e:?}"))?;
    Ok((response.status(), text.as_string().unwrap_or_default()))
}

/// Calls `action` each time the element scrolls into view (infinite scroll).
pub fn when_visible<E>(node: leptos::prelude::NodeRef<E>, action: impl Fn() + 'static)
where
    E: leptos::tachys::html::element::ElementType,
    E::Output: JsCast + Clone + 'static,
{
    use leptos::prelude::*;
    let action = std::rc::Rc::new(action);
    Effect::new(move |_| {
        let Some(element) = node.get() else { return };
        let Ok(element) = element.dyn_into::<web_sys::Element>() else {
            return;
        };
        let action = action.clone();
        let callback = wasm_bindgen::closure::Closure::<dyn FnMut(js_sys::Array)>::new(
            move |entries: js_sys::Array| {
                let visible = entries.iter().any(|entry| {
                    entry
                        .dyn_into::<web_sys::IntersectionObserverEntry>()
                        .is_ok_and(|e| e.is_intersecting())
                });
                if visible {
                    action();
                }
            },
        );
        if let Ok(observer) = web_sys::IntersectionObserver::new(callback.as_ref().unchecked_ref())
        {
            observer.observe(&element);
            // The observer lives as long as the element it watches.
            callback.forget();
        }
    });
}
