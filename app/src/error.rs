//! The one error type of Herald's server functions, shared by the server and the browser.
//!
//! A server function answers either a refusal (the input or the asker was turned away: the message
//! says why, for the person who sent it, and the answer is a 4xx) or a failure on Herald's side
//! (the cause is logged on the server and the browser reads a fixed sentence: no database text
//! ever reaches it). The `From` conversions from the domain errors decide which, and log the
//! cause once: refusals at INFO, a database that is away at WARN, real failures at ERROR.
//!
//! The error travels as JSON: in the body of a failed call, and, for a form posted without
//! JavaScript, in the `__err` query of the page the browser is sent back to, where the form's
//! action reads it and shows it. Leptos 0.8's server functions answer every error 500; the server
//! sets the status from [`AppError::status`] (see `server::startup`), except on a no-JavaScript
//! form post, which must stay a redirect back to its page.

use leptos::prelude::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::codec::JsonEncoding;
use serde::{Deserialize, Serialize};

use crate::model::FieldError;

/// What the browser reads when something failed on the server's side.
pub const INTERNAL_MESSAGE: &str = "something went wrong on our side; please try again";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// A field is missing, too long or malformed; the message names it (422).
    #[error("{0}")]
    Invalid(String),
    /// The asker must sign in first, or their name or password was wrong (401).
    #[error("{0}")]
    Unauthorized(String),
    /// Signed in, but not allowed to do this (403).
    #[error("{0}")]
    Forbidden(String),
    /// There is no such thing, or not for this asker (404).
    #[error("{0}")]
    NotFound(String),
    /// It clashes with what is already there: already applied, a name already taken, a job
    /// closed meanwhile (409).
    #[error("{0}")]
    Conflict(String),
    /// Too many of these too fast; the message says how long to wait (429).
    #[error("{0}")]
    TooManyRequests(String),
    /// The call's body is not in the encoding server functions read (a url-encoded form) (415).
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Herald cannot answer now (its database is busy or away); try again shortly (503).
    #[error("{0}")]
    Unavailable(String),
    /// Something failed on Herald's side; the cause is in the server's log, not here (500).
    #[error("{}", INTERNAL_MESSAGE)]
    Internal,
    /// The call itself failed: its body or arguments did not decode (400), its method was not
    /// the function's (405), or, in the browser, the server could not be reached or its answer
    /// not read.
    #[error("{0}")]
    ServerFn(ServerFnErrorErr),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// The HTTP status a failed call answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid(_) => 422,
            AppError::Unauthorized(_) => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::TooManyRequests(_) => 429,
            AppError::UnsupportedMediaType(_) => 415,
            AppError::Unavailable(_) => 503,
            AppError::Internal => 500,
            // On the server, a body that could not be read as text (not UTF-8) is the
            // caller's fault, as arguments that do not decode are.
            AppError::ServerFn(
                ServerFnErrorErr::Args(_)
                | ServerFnErrorErr::MissingArg(_)
                | ServerFnErrorErr::Deserialization(_),
            ) => 400,
            AppError::ServerFn(ServerFnErrorErr::UnsupportedRequestMethod(_)) => 405,
            AppError::ServerFn(_) => 500,
        }
    }

    /// "Please sign in": the asker has no session.
    pub fn sign_in() -> Self {
        AppError::Unauthorized("please sign in".to_owned())
    }

    pub fn not_found(what: &str) -> Self {
        AppError::NotFound(what.to_owned())
    }

    /// A failure on the server's side: `cause` is logged at ERROR, and the browser reads
    /// [`INTERNAL_MESSAGE`].
    #[cfg(feature = "ssr")]
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "server function failed");
        AppError::Internal
    }

    /// A refusal: logged at INFO, and its message shown as it is. "Too many" comes in floods
    /// (a guesser's burst): a line a second at most, counting the rest.
    #[cfg(feature = "ssr")]
    fn refused(self) -> Self {
        use crate::ssr::log_throttle::LogThrottle;
        static TOO_MANY: LogThrottle = LogThrottle::per_second();
        let suppressed = match self {
            AppError::TooManyRequests(_) => TOO_MANY.allow(),
            _ => Some(0),
        };
        if let Some(suppressed) = suppressed {
            tracing::info!(error = %self, status = self.status(), suppressed, "server function refused");
        }
        self
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::ServerFn(value)
    }
}

impl From<FieldError> for AppError {
    fn from(err: FieldError) -> Self {
        let err = AppError::Invalid(err.to_string());
        #[cfg(feature = "ssr")]
        let err = err.refused();
        err
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::AppError;
    use crate::ssr::accounts::AccountError;
    use crate::ssr::board::BoardError;
    use crate::ssr::log_throttle::LogThrottle;
    use crate::ssr::store::StoreError;

    impl From<StoreError> for AppError {
        fn from(err: StoreError) -> Self {
            match err {
                StoreError::Conflict(what) => {
                    AppError::Conflict(format!("{what} is already taken")).refused()
                }
                StoreError::Unavailable(err) => {
                    static UNAVAILABLE: LogThrottle = LogThrottle::per_second();
                    if let Some(suppressed) = UNAVAILABLE.allow() {
                        tracing::warn!(error = %err, suppressed, "database unavailable");
                    }
                    AppError::Unavailable(
                        "the database is busy or unavailable; try again shortly".to_owned(),
                    )
                }
                other => AppError::internal(other),
            }
        }
    }

    impl From<AccountError> for AppError {
        fn from(err: AccountError) -> Self {
            let refusal = match err {
                AccountError::Invalid(field) => return field.into(),
                AccountError::Store(err) => return err.into(),
                AccountError::Busy => {
                    static BUSY: LogThrottle = LogThrottle::per_second();
                    if let Some(suppressed) = BUSY.allow() {
                        tracing::warn!(suppressed, "too many password checks at once");
                    }
                    return AppError::Unavailable(err.to_string());
                }
                AccountError::UsernameTaken => AppError::Conflict(err.to_string()),
                AccountError::BadCredentials => AppError::Unauthorized(err.to_string()),
                AccountError::TooManyAttempts(_) | AccountError::TooManySignUps(_) => {
                    AppError::TooManyRequests(err.to_string())
                }
            };
            refusal.refused()
        }
    }

    impl From<BoardError> for AppError {
        fn from(err: BoardError) -> Self {
            let refusal = match err {
                BoardError::Invalid(field) => return field.into(),
                BoardError::Store(err) => return err.into(),
                BoardError::NotFound => AppError::NotFound(err.to_string()),
                BoardError::Forbidden(_) => AppError::Forbidden(err.to_string()),
                BoardError::AlreadyApplied | BoardError::JobClosed => {
                    AppError::Conflict(err.to_string())
                }
                BoardError::TooFast(_) => AppError::TooManyRequests(err.to_string()),
            };
            refusal.refused()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_keeps_its_message_and_an_internal_failure_shows_a_fixed_one() {
        let refused = AppError::from(FieldError::new("title", "must not be empty"));
        assert_eq!(refused.status(), 422);
        assert!(refused.to_string().contains("must not be empty"));
        assert_eq!(AppError::Internal.to_string(), INTERNAL_MESSAGE);
        assert_eq!(AppError::Internal.status(), 500);
    }

    #[test]
    fn the_error_survives_its_trip_through_the_wire_format() {
        for err in [
            AppError::Conflict("you have already applied to this job".into()),
            AppError::Internal,
            AppError::ServerFn(ServerFnErrorErr::MissingArg("title".into())),
        ] {
            assert_eq!(AppError::de(err.ser()), err);
        }
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_database_failure_never_shows_its_text() {
        let err = AppError::from(crate::ssr::store::StoreError::Database(
            sqlx::Error::Protocol("secret table layout".into()),
        ));
        assert_eq!(err, AppError::Internal);
        assert!(!err.to_string().contains("secret"));
    }
}
