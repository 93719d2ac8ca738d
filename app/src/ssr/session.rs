//! Browser sessions: an opaque random token in an HttpOnly cookie, looked up by its hash.

use cookie::{Cookie, SameSite};
use http::header::{COOKIE, SET_COOKIE, USER_AGENT};
use http::{HeaderMap, HeaderValue};
use leptos::prelude::*;
use time::OffsetDateTime;

use super::events::Event;
use super::secret;
use super::services::{Services, SessionSettings};
use super::store::{EndedSession, Store, StoreResult};
use crate::error::AppError;
use crate::model::{MySessions, Session, SessionId, User, UserId};

pub const COOKIE_NAME: &str = "herald_session";

/// The signed-in user of a request and the session it came with. The server resolves it once per
/// request from the cookie and puts it in the request's extensions.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub user: User,
    pub session_id: SessionId,
}

/// The session token carried by the request's cookies, if any.
pub fn token_from_headers(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, COOKIE_NAME).filter(|value| !value.is_empty())
}

/// The value of the cookie `name` among the request's `Cookie` headers, if it is there (a
/// malformed pair beside it hides nothing).
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
}

/// Resolves a session token to its signed-in user, if the session exists and has not expired.
pub async fn resolve(store: &dyn Store, token: &str) -> StoreResult<Option<SignedIn>> {
    let found = store
        .session(&secret::hash(token), OffsetDateTime::now_utc())
        .await?;
    Ok(found.map(|record| SignedIn {
        user: record.user,
        session_id: record.id,
    }))
}

/// The `User-Agent` a request came with: "" without one, or when it is not text.
pub fn user_agent(headers: &HeaderMap) -> &str {
    headers
        .get(USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
}

/// The `User-Agent` of the current request, inside a server function.
pub fn request_user_agent() -> String {
    use_context::<http::request::Parts>()
        .map(|parts| user_agent(&parts.headers).to_owned())
        .unwrap_or_default()
}

/// Starts a session for `user_id` in the browser that describes itself as `user_agent`; answers
/// the `Set-Cookie` value that carries it.
pub async fn start(
    store: &dyn Store,
    settings: &SessionSettings,
    user_id: UserId,
    user_agent: &str,
) -> StoreResult<HeaderValue> {
    let (token, token_hash) = secret::generate("");
    let expires_at = OffsetDateTime::now_utc() + settings.ttl;
    let browser = Session::browser_from_user_agent(user_agent);
    store
        .create_session(&token_hash, user_id, &browser, expires_at)
        .await?;
    Ok(cookie(
        &token,
        settings.ttl.as_secs(),
        settings.cookie_secure,
    ))
}

/// Ends the session whose token is `token` and closes its sockets; answers the `Set-Cookie`
/// value that clears the cookie.
pub async fn end(services: &Services, token: Option<&str>) -> StoreResult<HeaderValue> {
    let ended = match token {
        Some(token) => services.store.delete_session(&secret::hash(token)).await?,
        None => None,
    };
    if let Some(ended) = ended {
        close_sockets_of(services, ended).await;
    }
    Ok(cookie("", 0, services.sessions.cookie_secure))
}

/// Tells every instance that `ended` is over, so they close its sockets (code 4000).
async fn close_sockets_of(services: &Services, ended: EndedSession) {
    services
        .events
        .publish(Event::SessionEnded {
            user_id: ended.user_id,
            session_id: ended.id,
        })
        .await;
}

/// The sessions of the person signed in as `me`, and which one `me` is.
pub async fn list(store: &dyn Store, me: &SignedIn) -> StoreResult<MySessions> {
    let sessions = store
        .sessions_of_user(me.user.id, OffsetDateTime::now_utc())
        .await?;
    Ok(MySessions {
        current_id: me.session_id,
        sessions,
    })
}

/// Ends `me`'s session `id` (any other person's is left alone) and closes its sockets; answers
/// whether there was such a session.
pub async fn end_one(services: &Services, me: &SignedIn, id: SessionId) -> StoreResult<bool> {
    let Some(ended) = services.store.delete_user_session(me.user.id, id).await? else {
        return Ok(false);
    };
    close_sockets_of(services, ended).await;
    Ok(true)
}

/// Ends every session of `me`'s but the one asking; answers how many were ended.
pub async fn end_others(services: &Services, me: &SignedIn) -> StoreResult<usize> {
    let mine = list(&*services.store, me).await?;
    let mut ended = 0;
    for session in mine.sessions.iter().filter(|s| s.id != me.session_id) {
        if end_one(services, me, session.id).await? {
            ended += 1;
        }
    }
    Ok(ended)
}

fn cookie(token: &str, max_age_secs: u64, secure: bool) -> HeaderValue {
    let max_age = time::Duration::seconds(i64::try_from(max_age_secs).unwrap_or(i64::MAX));
    let cookie = Cookie::build((COOKIE_NAME, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(max_age)
        .secure(secure)
        .build();
    HeaderValue::from_str(&cookie.to_string()).expect("session cookies are hex and ASCII")
}

/// The address of the client that sent the current request, inside a server function: the TCP
/// peer, or the client a trusted reverse proxy named (`HERALD_TRUSTED_PROXIES`).
pub fn client_address() -> Option<std::net::IpAddr> {
    use_context::<http::request::Parts>()?
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip())
}

/// The signed-in user of the current request, inside a Leptos component or server function.
pub fn signed_in() -> Option<SignedIn> {
    use_context::<http::request::Parts>()?
        .extensions
        .get::<SignedIn>()
        .cloned()
}

/// The signed-in user of the current request and their session, or an error to show.
pub fn require_signed_in() -> Result<SignedIn, AppError> {
    signed_in().ok_or_else(AppError::sign_in)
}

/// The signed-in user of the current request, or an error to show.
pub fn require_user() -> Result<User, AppError> {
    require_signed_in().map(|signed_in| signed_in.user)
}

/// The signed-in admin of the current request, or an error to show.
pub fn require_admin() -> Result<User, AppError> {
    match signed_in() {
        Some(signed_in) if signed_in.user.role == crate::model::Role::Admin => Ok(signed_in.user),
        Some(_) => Err(AppError::Forbidden(
            "only administrators may do this".to_owned(),
        )),
        None => Err(AppError::sign_in()),
    }
}

/// Adds a `Set-Cookie` header to the response of the current Leptos request.
pub fn set_cookie(value: HeaderValue) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.append_header(SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_token_is_found_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("a=1; herald_session=abc; b=2"),
        );
        assert_eq!(token_from_headers(&headers).as_deref(), Some("abc"));
        // A malformed pair among them does not hide the session.
        headers.insert(COOKIE, HeaderValue::from_static("junk; herald_session=abc"));
        assert_eq!(token_from_headers(&headers).as_deref(), Some("abc"));
        headers.insert(COOKIE, HeaderValue::from_static("herald_session="));
        assert_eq!(token_from_headers(&headers), None);
    }

    #[test]
    fn the_cookie_is_http_only_and_lax_and_secure_only_when_asked() {
        let plain = cookie("t", 60, false);
        let plain = plain.to_str().unwrap();
        assert_eq!(
            plain,
            "herald_session=t; HttpOnly; SameSite=Lax; Path=/; Max-Age=60"
        );
        assert!(cookie("t", 60, true).to_str().unwrap().contains("; Secure"));
    }
}
