//! The JSON API's one error type. Every error answers `{"error":{"code","message"}}` with the
//! fitting status; internal causes are logged, never sent.

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use app::model::FieldError;
use app::ssr::accounts::AccountError;
use app::ssr::log_throttle::LogThrottle;
use app::ssr::store::StoreError;

/// The body of every API error.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable, machine-readable name: `unauthorized`, `bad_credentials`, `forbidden`,
    /// `not_found`, `bad_request`, `conflict`, `payload_too_large`, `unsupported_media_type`,
    /// `invalid`, `rate_limited`, `unavailable`, `request_timeout`, `method_not_allowed`,
    /// `internal` or `error`.
    pub code: &'static str,
    /// What went wrong, for people; it names the field at fault.
    pub message: String,
}

/// What the OpenAPI document lists for every request with a JSON body.
// The variants describe answers; nothing constructs them.
#[allow(dead_code)]
#[derive(utoipa::IntoResponses)]
pub enum BodyErrors {
    /// The body is not JSON, or a field has the wrong type
    #[response(status = 400)]
    NotJson(ErrorBody),
    /// The body is not `application/json`
    #[response(status = 415)]
    NotJsonContent(ErrorBody),
    /// A field is missing or not valid
    #[response(status = 422)]
    Invalid(ErrorBody),
}

/// What the OpenAPI document lists for every request that publishes.
#[allow(dead_code)]
#[derive(utoipa::IntoResponses)]
pub enum PublishErrors {
    /// Neither an admin session nor an API token
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// Signed in, but not an administrator
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// Publishing too fast; see `Retry-After`
    #[response(status = 429)]
    RateLimited(ErrorBody),
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("sign in first")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    Invalid(String),
    #[error("wrong username or password")]
    BadCredentials,
    /// Too many requests of one kind: try again after `retry_after` (sent as `Retry-After`).
    #[error("{message}")]
    RateLimited {
        message: String,
        retry_after: std::time::Duration,
    },
    /// Herald cannot answer now (its database is busy or away); try again after `retry_after`.
    #[error("{message}")]
    Unavailable {
        message: &'static str,
        retry_after: std::time::Duration,
    },
    #[error("the request took too long to arrive")]
    RequestTimeout,
    /// A plain-text refusal from a layer or extractor (405, a path that does not parse, ...),
    /// answered in the API's format.
    #[error("{}", if text.is_empty() { status.canonical_reason().unwrap_or("error") } else { text.as_str() })]
    Status { status: StatusCode, text: String },
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized | ApiError::BadCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::Status { status, .. } => *status,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable, machine-readable name for the error.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthorized => "unauthorized",
            ApiError::BadCredentials => "bad_credentials",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound => "not_found",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Conflict(_) => "conflict",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::Invalid(_) => "invalid",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Unavailable { .. } => "unavailable",
            ApiError::RequestTimeout => "request_timeout",
            ApiError::Status { status, .. } => match *status {
                StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
                StatusCode::NOT_FOUND => "not_found",
                StatusCode::BAD_REQUEST => "bad_request",
                s if s.is_server_error() => "internal",
                _ => "error",
            },
            ApiError::Internal(_) => "internal",
        }
    }

    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        ApiError::Internal(err.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(cause) = &self {
            tracing::error!(error = ?cause, "request failed");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: self.to_string(),
            },
        };
        let mut response = (self.status(), Json(body)).into_response();
        if let ApiError::RateLimited { retry_after, .. }
        | ApiError::Unavailable { retry_after, .. } = &self
        {
            // Whole seconds, rounded up: "0" would invite an immediate retry.
            let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(seconds.max(1)),
            );
        }
        if matches!(self, ApiError::RequestTimeout) {
            // The rest of the body may still be on its way: the connection cannot be reused.
            response.headers_mut().insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
        }
        response
    }
}

impl From<FieldError> for ApiError {
    fn from(err: FieldError) -> Self {
        ApiError::Invalid(err.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(what) => ApiError::Conflict(format!("{what} is already taken")),
            StoreError::Unavailable(err) => {
                static UNAVAILABLE: LogThrottle = LogThrottle::per_second();
                if let Some(suppressed) = UNAVAILABLE.allow() {
                    tracing::warn!(%err, suppressed, "database unavailable");
                }
                ApiError::Unavailable {
                    message: "the database is busy or unavailable; try again shortly",
                    retry_after: std::time::Duration::from_secs(1),
                }
            }
            other => ApiError::internal(other),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(err: AccountError) -> Self {
        match err {
            AccountError::Invalid(field) => field.into(),
            AccountError::UsernameTaken => ApiError::Conflict("username: is already taken".into()),
            AccountError::BadCredentials => ApiError::BadCredentials,
            err @ (AccountError::TooManyAttempts(wait) | AccountError::TooManySignUps(wait)) => {
                ApiError::RateLimited {
                    message: err.to_string(),
                    retry_after: wait,
                }
            }
            AccountError::Busy => ApiError::Unavailable {
                message: "too many sign-ins are being checked right now; try again in a moment",
                retry_after: std::time::Duration::from_secs(1),
            },
            AccountError::Store(err) => err.into(),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(err) => {
                ApiError::Invalid(field_at_fault(&err).unwrap_or_else(|| err.body_text()))
            }
            JsonRejection::JsonSyntaxError(err) => ApiError::BadRequest(err.body_text()),
            JsonRejection::MissingJsonContentType(err) => {
                ApiError::UnsupportedMediaType(err.body_text())
            }
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
            other => ApiError::BadRequest(other.body_text()),
        }
    }
}

/// What is wrong with a JSON body that parsed but does not fit its type, starting with the field
/// at fault, as every 422 does: `titel: unknown field, expected one of ...` (every body refuses
/// fields it does not know: a misspelt optional field would otherwise change nothing and answer
/// 200), `notifications[1].title: invalid type: ...`.
fn field_at_fault(rejection: &axum::extract::rejection::JsonDataError) -> Option<String> {
    let mut source = std::error::Error::source(rejection);
    let err = loop {
        let cause = source?;
        if let Some(err) = cause.downcast_ref::<serde_path_to_error::Error<serde_json::Error>>() {
            break err;
        }
        source = cause.source();
    };
    // serde_json appends where in the text it stopped; the path says it better.
    let inner = err.inner().to_string();
    let inner = inner
        .rsplit_once(" at line ")
        .map_or(inner.as_str(), |(what, _)| what);
    let path = err.path().to_string();
    // serde says `unknown field `titel`, expected one of `title`, ...` (or `, there are no
    // fields`) of a field no field of the type is; the path ends with its name.
    if let Some(rest) = inner.strip_prefix("unknown field `") {
        let end = rest
            .find("`, expected")
            .or_else(|| rest.find("`, there are no fields"));
        if let Some(end) = end {
            let (name, expected) = (&rest[..end], &rest[end + 3..]);
            let field = if path.ends_with(name) {
                path.clone()
            } else {
                name.to_owned()
            };
            return Some(format!("{field}: unknown field, {expected}"));
        }
    }
    if let Some(name) = inner
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        return Some(match path.as_str() {
            "." | "?" => format!("{name}: is required"),
            path => format!("{path}.{name}: is required"),
        });
    }
    Some(match path.as_str() {
        "." | "?" => inner.to_owned(),
        path => format!("{path}: {inner}"),
    })
}

/// `axum::Json`, with its rejections answered in the API's error format.
#[derive(Debug, Clone, Copy, Default, axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

impl<T: serde::Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}

/// Errors that axum's routing and extractors answer in plain text (405, a path id that does not
/// parse) answer in the API's JSON format instead. Layered on the JSON API's routes only: the
/// pages' server functions have an error encoding of their own.
pub async fn api_errors_as_json(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if is_json(&response) || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 4096)
        .await
        .map(|bytes| String::from_utf8_lossy(&bytes).trim().to_owned())
        .unwrap_or_default();
    let error = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        _ => ApiError::Status { status, text },
    };
    let mut json = error.into_response();
    for name in [axum::http::header::ALLOW, axum::http::header::CONNECTION] {
        if let Some(value) = parts.headers.get(&name) {
            json.headers_mut().insert(name, value.clone());
        }
    }
    json
}

/// Whether a response's body is already JSON.
pub fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"))
}
