//! The headers that tell browsers what a response may do: the Content-Security-Policy of pages,
//! and the headers every response carries.

use axum::extract::Request;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use leptos::nonce::use_nonce;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use app::ssr::session;

/// A page's policy: scripts only from this site or inline with this response's nonce (Leptos
/// puts it on its hydration and resource scripts), WebAssembly compiled from this site, no
/// plugins, no `<base>`, forms only to this site, and no framing by anyone.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Sets the page-only headers while a page renders (it runs in the page's Leptos context): the
/// policy with this response's nonce, and, for a signed-in visitor, `no-store`, so that after
/// signing out the browser's Back button cannot show the previous person's pages from its cache.
pub fn set_page_headers() {
    let Some(response) = use_context::<ResponseOptions>() else {
        return;
    };
    if let Some(nonce) = use_nonce() {
        let policy = content_security_policy(&nonce);
        response.insert_header(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&policy).expect("a nonce is URL-safe base64"),
        );
    }
    if session::signed_in().is_some() {
        response.insert_header(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    }
}

/// The headers every response carries, whatever made it.
pub async fn add_common_headers(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let json = crate::error::is_json(&response);
    let headers = response.headers_mut();
    if (api || json) && !headers.contains_key(CACHE_CONTROL) {
        // The API's answers and every JSON body (an inbox, a session, an error) are one
        // person's: no cache on the way, nor the browser's own, keeps a copy.
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    }
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    if !headers.contains_key(CONTENT_SECURITY_POLICY) {
        // Anything that is not a page (JSON, files, errors) runs no script and is framed by no one.
        headers.insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    response
}
