//! The device cookie: a random token a browser keeps once it has signed in, so the sign-in
//! lockout can tell the account's owner, back on a browser they used before, from strangers
//! guessing their password from many addresses (see [`login_guard`](super::login_guard)).
//!
//! It proves nothing by itself: only its SHA-256 is stored, per account, when a sign-in with the
//! right password succeeds ([`remember`]). A token no account trusts is just a stranger's.

use cookie::{Cookie, SameSite};
use http::{HeaderMap, HeaderValue};
use time::OffsetDateTime;

use super::secret;
use super::store::{Store, StoreResult, TRUST_DEVICES_FOR};
use crate::model::UserId;

pub const COOKIE_NAME: &str = "herald_device";

/// The device token a request carries: 64 hexadecimal digits, as [`remember`] issues them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    token: String,
}

impl Device {
    /// The device cookie among the request's cookies, if it has the shape of one.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        super::session::cookie_value(headers, COOKIE_NAME)
            .filter(|token| token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(|token| Device { token })
    }

    /// What the store keeps of it.
    pub fn hash(&self) -> String {
        secret::hash(&self.token)
    }

    /// Whether `user_id` signed in from this device within [`TRUST_DEVICES_FOR`].
    pub async fn is_trusted_by(
        &self,
        store: &dyn Store,
        user_id: UserId,
        now: OffsetDateTime,
    ) -> StoreResult<bool> {
        store
            .is_trusted_device(user_id, &self.hash(), now - TRUST_DEVICES_FOR)
            .await
    }
}

/// `user_id` just signed in with the right password from the browser that holds `device` (or
/// none yet): it is trusted from now on. Answers the `Set-Cookie` value to send, which keeps the
/// browser's token (or hands it a new one) for another [`TRUST_DEVICES_FOR`].
pub async fn remember(
    store: &dyn Store,
    user_id: UserId,
    device: Option<Device>,
    secure: bool,
) -> StoreResult<HeaderValue> {
    let device = device.unwrap_or_else(|| Device {
        token: secret::generate("").0,
    });
    store
        .trust_device(user_id, &device.hash(), OffsetDateTime::now_utc())
        .await?;
    let max_age = time::Duration::try_from(TRUST_DEVICES_FOR).unwrap_or(time::Duration::DAY);
    let cookie = Cookie::build((COOKIE_NAME, device.token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(max_age)
        .secure(secure)
        .build();
    Ok(HeaderValue::from_str(&cookie.to_string()).expect("device cookies are hex and ASCII"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::COOKIE;

    #[test]
    fn only_a_cookie_shaped_like_an_issued_token_is_a_device() {
        let token = "ab".repeat(32);
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_str(&format!("herald_session=x; herald_device={token}")).unwrap(),
        );
        assert_eq!(
            Device::from_headers(&headers),
            Some(Device {
                token: token.clone()
            })
        );
        for bad in ["short", &"zz".repeat(32), &"ab".repeat(33)] {
            headers.insert(
                COOKIE,
                HeaderValue::from_str(&format!("herald_device={bad}")).unwrap(),
            );
            assert_eq!(Device::from_headers(&headers), None, "{bad}");
        }
    }
}
