//! Cross-site request forgery protection, checked by the server for every state-changing request.
//!
//! Browsers say where a request comes from in `Sec-Fetch-Site` and `Origin`, and a page on another
//! site cannot forge either. A POST, PUT, PATCH or DELETE is refused with 403 when the browser
//! says it is cross-site and its origin is neither this server's own (the `Host` it was sent to)
//! nor one of the configured allowed origins. Requests with neither header do not come from a
//! browser (services with bearer tokens, curl) and carry no ambient cookie risk, so they pass.
//! Safe methods (GET, HEAD, OPTIONS) change nothing and always pass; the WebSocket handshake is
//! a GET and checks its `Origin` itself.

use axum::extract::{Request, State};
use axum::http::header::{HOST, ORIGIN};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::AppState;

/// Origins other than the server's own that may send state-changing requests, and the scheme
/// the server's own pages are served with.
#[derive(Clone, Debug, Default)]
pub struct AllowedOrigins {
    origins: Vec<String>,
    served_over_https: bool,
}

impl AllowedOrigins {
    pub fn new(origins: impl IntoIterator<Item = String>) -> Self {
        Self {
            origins: origins
                .into_iter()
                .map(|o| o.trim().trim_end_matches('/').to_ascii_lowercase())
                .filter(|o| !o.is_empty())
                .collect(),
            served_over_https: false,
        }
    }

    /// The server's own origin is `https://<host>` rather than `http://<host>`: a page served
    /// over plain http on the same host is another origin, and may not post with the cookie.
    pub fn served_over_https(mut self, https: bool) -> Self {
        self.served_over_https = https;
        self
    }

    /// Whether a browser request with this `Origin` comes from a trusted page: the server's own
    /// origin (its host equals the request's `Host`) or a configured one.
    pub fn allows(&self, origin: &str, headers: &HeaderMap) -> bool {
        let origin = origin.trim_end_matches('/').to_ascii_lowercase();
        if self.origins.contains(&origin) {
            return true;
        }
        let host = headers.get(HOST).and_then(|h| h.to_str().ok());
        let own_scheme = if self.served_over_https {
            "https://"
        } else {
            "http://"
        };
        let origin_host = origin.strip_prefix(own_scheme);
        matches!((origin_host, host), (Some(o), Some(h)) if o == h.to_ascii_lowercase())
    }

    /// Whether a state-changing request may go on (see the module's documentation).
    pub fn permits(&self, method: &Method, headers: &HeaderMap) -> bool {
        if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
            return true;
        }
        let origin = headers.get(ORIGIN).and_then(|v| v.to_str().ok());
        let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        match (fetch_site, origin) {
            (Some("same-origin" | "none"), _) => true,
            (_, Some(origin)) => self.allows(origin, headers),
            (Some(_), None) => false,
            (None, None) => true,
        }
    }
}

pub async fn protect(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if state.origins.permits(request.method(), request.headers()) {
        next.run(request).await
    } else {
        ApiError::Forbidden("cross-site request refused: its origin is not allowed").into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn a_cross_site_post_from_an_unknown_origin_is_refused() {
        let origins = AllowedOrigins::default();
        let h = headers(&[
            ("host", "herald.example"),
            ("origin", "https://evil.example"),
            ("sec-fetch-site", "cross-site"),
        ]);
        assert!(!origins.permits(&Method::POST, &h));
        assert!(origins.permits(&Method::GET, &h));
    }

    #[test]
    fn a_same_origin_post_passes_with_either_header() {
        let origins = AllowedOrigins::default();
        assert!(origins.permits(
            &Method::POST,
            &headers(&[("sec-fetch-site", "same-origin")])
        ));
        let h = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000"),
        ]);
        assert!(origins.permits(&Method::POST, &h));
    }

    #[test]
    fn a_configured_origin_may_post_cross_site() {
        let origins = AllowedOrigins::new(["https://app.example/".to_owned()]);
        let h = headers(&[
            ("host", "api.example"),
            ("origin", "https://app.example"),
            ("sec-fetch-site", "same-site"),
        ]);
        assert!(origins.permits(&Method::POST, &h));
    }

    #[test]
    fn the_same_host_under_another_scheme_is_another_origin() {
        let h = headers(&[
            ("host", "herald.example"),
            ("origin", "http://herald.example"),
            ("sec-fetch-site", "same-site"),
        ]);
        let https = AllowedOrigins::default().served_over_https(true);
        assert!(!https.permits(&Method::POST, &h));
        let h = headers(&[
            ("host", "herald.example"),
            ("origin", "https://herald.example"),
            ("sec-fetch-site", "same-site"),
        ]);
        assert!(https.permits(&Method::POST, &h));
        assert!(!AllowedOrigins::default().permits(&Method::POST, &h));
    }

    #[test]
    fn a_request_without_browser_headers_passes() {
        assert!(AllowedOrigins::default().permits(&Method::POST, &HeaderMap::new()));
    }
}
