//! Errors of forms posted without JavaScript, carried in the URL only with the server's seal, and
//! only to the browser that posted the form.
//!
//! A form posted without JavaScript that fails is sent back to its page with the error in the
//! query (`?__path=<server function>&__err=<base64 JSON>`, Leptos's convention), and the page
//! shows it, server-rendered and again after hydration. Left alone, anyone could write a link to
//! the real sign-in page that shows their own words as its error ("call 555-0100 to unlock your
//! account"); and since some errors repeat what was sent (a field's bad value), a form posted by
//! an attacker would do as well as a forged link. So:
//! - [`seal`]: only the redirect of a server function that failed (it carries Leptos's
//!   `serverfnerror` header) is sealed. It gets `__seal`, an HMAC-SHA256 (under a key drawn when
//!   the process starts) of a nonce, the path and the error, and the nonce goes to the posting
//!   browser alone, in a short-lived `HttpOnly` cookie;
//! - [`drop_unsealed`]: a page request whose error is not sealed for the nonce of the browser
//!   asking is sent to the same page without it (303), before Leptos or the browser reads it.
//!   A link made from someone else's failed form shows nothing; nor does a `next` after signing
//!   in that carries an error (those parameters are also dropped from `next`, see
//!   `app::auth::safe_next`, for the hydrated page that follows it without asking the server).
//!
//! The key lives in memory: after a restart, or when the redirect lands on another instance of a
//! cluster, the form shows without its error (the post's effect, if any, stands).

use axum::extract::{Request, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use hmac::{Hmac, Mac};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;
use rand::RngCore;
use sha2::Sha256;
use url::form_urlencoded;

use app::ssr::session;

use crate::state::AppState;

const PATH: &str = "__path";
const ERROR: &str = "__err";
const SEAL: &str = "__seal";
/// The cookie that ties a sealed error to the browser that posted the form.
const NONCE_COOKIE: &str = "herald_form_error";

/// The process's key for sealing form errors.
pub struct FormErrorKey([u8; 32]);

impl FormErrorKey {
    pub fn random() -> Self {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        Self(key)
    }

    fn mac(&self, nonce: &str, path: &str, error: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key");
        mac.update(nonce.as_bytes());
        mac.update(b"\n");
        mac.update(path.as_bytes());
        mac.update(b"\n");
        mac.update(error.as_bytes());
        mac
    }

    fn seal(&self, nonce: &str, path: &str, error: &str) -> String {
        hex::encode(self.mac(nonce, path, error).finalize().into_bytes())
    }

    fn is_sealed(&self, nonce: &str, path: &str, error: &str, seal: &str) -> bool {
        hex::decode(seal).is_ok_and(|seal| self.mac(nonce, path, error).verify_slice(&seal).is_ok())
    }
}

/// Response side: the redirect of a failed server function, which carries its error, gets its
/// seal, and the posting browser the nonce it is sealed for. Any other redirect is left alone.
pub async fn seal(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if !response.headers().contains_key(SERVER_FN_ERROR_HEADER) {
        return response;
    }
    let Some(location) = response.headers().get(LOCATION) else {
        return response;
    };
    let Ok(location) = location.to_str() else {
        return response;
    };
    let (base, query) = location.split_once('?').unwrap_or((location, ""));
    let (others, error) = split_query(query);
    let Some((path, error)) = error else {
        return response;
    };
    let mut nonce = [0u8; 16];
    rand::rng().fill_bytes(&mut nonce);
    let nonce = format!("{}-{}", unix_seconds(), hex::encode(nonce));
    let seal = state.form_error_key.seal(&nonce, &path, &error);
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(&others);
    query.append_pair(PATH, &path);
    query.append_pair(ERROR, &error);
    query.append_pair(SEAL, &seal);
    let cookie = format!(
        "{NONCE_COOKIE}={nonce}; Path=/; HttpOnly; SameSite=Lax; Max-Age={SEAL_LIFETIME_SECONDS}"
    );
    match (
        HeaderValue::try_from(format!("{base}?{}", query.finish())),
        HeaderValue::try_from(cookie),
    ) {
        (Ok(sealed), Ok(cookie)) => {
            response.headers_mut().insert(LOCATION, sealed);
            response.headers_mut().append(SET_COOKIE, cookie);
        }
        // Not a header value: never send the error unsealed.
        _ => *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR,
    }
    response
}

/// Request side: a page asked for with a form error this server did not seal is sent to the same
/// address without it.
pub async fn drop_unsealed(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if !matches!(request.method(), &Method::GET | &Method::HEAD) {
        return next.run(request).await;
    }
    let query = request.uri().query().unwrap_or("");
    let names_error = form_urlencoded::parse(query.as_bytes())
        .any(|(name, _)| matches!(name.as_ref(), PATH | ERROR | SEAL));
    if !names_error {
        return next.run(request).await;
    }
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    let one = |name: &str| {
        let mut values = pairs.iter().filter(|(n, _)| n == name).map(|(_, v)| v);
        match (values.next(), values.next()) {
            (Some(value), None) => Some(value.as_str()),
            _ => None,
        }
    };
    let nonce = session::cookie_value(request.headers(), NONCE_COOKIE);
    if let (Some(nonce), Some(path), Some(error), Some(seal)) =
        (nonce, one(PATH), one(ERROR), one(SEAL))
    {
        if is_fresh(&nonce, unix_seconds())
            && state.form_error_key.is_sealed(&nonce, path, error, seal)
        {
            return next.run(request).await;
        }
    }
    let (others, _) = split_query(query);
    let mut address = request.uri().path().to_owned();
    if !others.is_empty() {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.extend_pairs(&others);
        address = format!("{address}?{}", query.finish());
    }
    Redirect::to(&address).into_response()
}

/// How long a sealed error can be shown: as long as the cookie that carries its nonce lives. The
/// nonce starts with the time it was made, and is sealed with the error, so a nonce planted in a
/// browser by a sibling origin (another port of the host) is of use for no longer than this.
const SEAL_LIFETIME_SECONDS: u64 = 600;

fn unix_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

/// Whether `nonce` (`<unix seconds>-<random>`) was made within the seal's lifetime before `now`.
fn is_fresh(nonce: &str, now: u64) -> bool {
    nonce
        .split_once('-')
        .and_then(|(made, _)| made.parse::<u64>().ok())
        .is_some_and(|made| made <= now + 60 && now.saturating_sub(made) <= SEAL_LIFETIME_SECONDS)
}

/// A query's own pairs, and the last form error it carries (`__path`, `__err`), if any.
type Pairs = Vec<(String, String)>;
fn split_query(query: &str) -> (Pairs, Option<(String, String)>) {
    let mut others = Vec::new();
    let mut path = None;
    let mut error = None;
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        match name.as_ref() {
            PATH => path = Some(value.into_owned()),
            ERROR => error = Some(value.into_owned()),
            SEAL => {}
            _ => others.push((name.into_owned(), value.into_owned())),
        }
    }
    (others, path.zip(error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seal_holds_only_for_the_browser_error_and_path_it_was_made_for() {
        let key = FormErrorKey::random();
        let seal = key.seal("n1", "/api/login", "eyJlcnIiOjF9");
        assert!(key.is_sealed("n1", "/api/login", "eyJlcnIiOjF9", &seal));
        assert!(!key.is_sealed("n2", "/api/login", "eyJlcnIiOjF9", &seal));
        assert!(!key.is_sealed("n1", "/api/login", "eyJlcnIiOjJ9", &seal));
        assert!(!key.is_sealed("n1", "/api/other", "eyJlcnIiOjF9", &seal));
        assert!(!FormErrorKey::random().is_sealed("n1", "/api/login", "eyJlcnIiOjF9", &seal));
        assert!(!key.is_sealed("n1", "/api/login", "eyJlcnIiOjF9", "not hex"));
    }

    #[test]
    fn a_nonce_is_fresh_only_within_the_seals_lifetime() {
        let now = 1_800_000_000;
        assert!(is_fresh(&format!("{now}-ab"), now));
        assert!(is_fresh(&format!("{}-ab", now - 600), now));
        assert!(!is_fresh(&format!("{}-ab", now - 601), now));
        assert!(!is_fresh(&format!("{}-ab", now + 3600), now));
        assert!(!is_fresh("ab", now));
    }

    #[test]
    fn a_query_keeps_its_own_pairs_and_gives_up_its_last_form_error() {
        let (others, error) =
            split_query("next=%2Fjobs%2F&__path=a&__err=b&__path=c&__err=d&__seal=x");
        assert_eq!(others, vec![("next".to_owned(), "/jobs/".to_owned())]);
        assert_eq!(error, Some(("c".to_owned(), "d".to_owned())));
    }
}
