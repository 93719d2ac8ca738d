//! Any `Cookie` header: finding the session token never panics, and a token found is a whole,
//! non-empty cookie value.
#![no_main]

use app::ssr::session::token_from_headers;
use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(value) = HeaderValue::from_bytes(bytes) else {
        return;
    };
    let mut headers = HeaderMap::new();
    headers.insert(COOKIE, value);
    if let Some(token) = token_from_headers(&headers) {
        assert!(!token.is_empty());
        assert!(!token.contains(';'), "{token:?}");
    }
});
