//! What a call to a server function must be before Leptos reads it. Every server function of
//! Herald's takes a url-encoded form by POST (Leptos's default encoding, what its client and a
//! page's form without JavaScript send); a server function given another encoding must be
//! answered here too. Leptos itself answers a call with another method 405 with no body, and
//! reads any body as a form whatever its content type: this answers both in the server
//! functions' own error format (an [`AppError`] as JSON), as their other refusals are.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::Request;
use axum::http::header::{ALLOW, CONNECTION, CONTENT_TYPE};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use leptos::prelude::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

use app::error::AppError;

/// The one content type a server function reads.
pub const FORM: &str = "application/x-www-form-urlencoded";

/// Every server function's path, with the method it answers.
fn server_fns() -> &'static HashMap<&'static str, Method> {
    static PATHS: OnceLock<HashMap<&'static str, Method>> = OnceLock::new();
    PATHS.get_or_init(|| leptos::server_fn::axum::server_fn_paths().collect())
}

/// Refuses a call to a server function with the wrong method (405, with `Allow`) or a body that
/// is not a url-encoded form (415); passes everything else on.
pub async fn check_call(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let Some(method) = server_fns().get(path) else {
        return next.run(request).await;
    };
    if request.method() != method {
        let err = AppError::ServerFn(ServerFnErrorErr::UnsupportedRequestMethod(format!(
            "this server function is called with {method}, not {}",
            request.method()
        )));
        let mut response = refusal(path, err);
        if let Ok(allow) = HeaderValue::from_str(method.as_str()) {
            response.headers_mut().insert(ALLOW, allow);
        }
        return response;
    }
    if *method == Method::POST && !is_form(request.headers().get(CONTENT_TYPE)) {
        let err = AppError::UnsupportedMediaType(format!(
            "a server function takes a form: Content-Type: {FORM}"
        ));
        let mut response = refusal(path, err);
        // Refused before its body was read: the rest of it may still be on its way.
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    next.run(request).await
}

/// Whether a `Content-Type` is a url-encoded form (parameters such as `charset` allowed).
fn is_form(content_type: Option<&HeaderValue>) -> bool {
    content_type
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case(FORM))
}

/// `err` answered as a failed server function answers: its status, its JSON, and Leptos's
/// header that marks a server function's error.
fn refusal(path: &str, err: AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = (
        status,
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        err.ser(),
    )
        .into_response();
    if let Ok(path) = HeaderValue::from_str(path) {
        response.headers_mut().insert(SERVER_FN_ERROR_HEADER, path);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_is_recognised_with_or_without_parameters_and_nothing_else_is() {
        let form = |v: &str| is_form(Some(&HeaderValue::from_str(v).unwrap()));
        assert!(form("application/x-www-form-urlencoded"));
        assert!(form("Application/X-WWW-Form-Urlencoded; charset=UTF-8"));
        assert!(!form("text/plain"));
        assert!(!form("application/json"));
        assert!(!form("multipart/form-data; boundary=x"));
        assert!(!is_form(None));
    }
}
