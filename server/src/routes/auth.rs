//! `/api/auth/`: sign-up, sign-in and sign-out for programs; the pages use server functions with
//! the same rules.

use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use utoipa::ToSchema;

use app::model::{Role, User, UserId};
use app::ssr::device::{self, Device};
use app::ssr::{accounts, session};

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiJson, BodyErrors, ErrorBody};
use crate::http_server::ClientAddress;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/auth/register/", post(register))
        .route("/api/auth/login/", post(login))
        .route("/api/auth/logout/", post(logout))
        .route("/api/auth/me/", get(me))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RegisterBody {
    /// 3–32 characters: ASCII letters, digits, `_`, `.` and `-`.
    #[schema(pattern = "^[A-Za-z0-9_.-]{3,32}$")]
    username: String,
    /// 8 to 256 characters, and not a well-known password.
    #[schema(min_length = 8, max_length = 256)]
    password: String,
    /// `jobseeker` or `employer` (administrators are made on the command line).
    #[schema(pattern = "^(jobseeker|employer)$")]
    role: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct LoginBody {
    username: String,
    password: String,
}

/// Signs up and signs in: the answer sets the session cookie.
#[utoipa::path(
    post, path = "/api/auth/register/", tag = "auth",
    request_body = RegisterBody,
    responses(
        (status = 201, description = "Signed up and signed in", body = User,
            headers(("set-cookie" = String, description = "The session cookie"))),
        (status = 409, description = "The user name is taken", body = ErrorBody),
        (status = 429, description = "Too many sign-ups from this address", body = ErrorBody),
        BodyErrors,
    ),
)]
pub(super) async fn register(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    ApiJson(body): ApiJson<RegisterBody>,
) -> Result<Response, ApiError> {
    let role = Role::parse_self_service("role", &body.role)?;
    let store = &*state.services.store;
    let limits = &state.services.limits;
    let user =
        accounts::sign_up(store, limits, client, &body.username, &body.password, role).await?;
    let cookies = start_session(&state, &headers, user.id).await?;
    Ok((StatusCode::CREATED, cookies, ApiJson(user)).into_response())
}

/// Signs in: the answer sets the session cookie.
#[utoipa::path(
    post, path = "/api/auth/login/", tag = "auth",
    request_body = LoginBody,
    responses(
        (status = 200, description = "Signed in", body = User,
            headers(("set-cookie" = String, description = "The session cookie"))),
        (status = 401, description = "Wrong user name or password", body = ErrorBody),
        (status = 429, description = "Too many failed sign-ins; see `Retry-After`", body = ErrorBody),
        BodyErrors,
    ),
)]
pub(super) async fn login(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Response, ApiError> {
    let store = &*state.services.store;
    let guard = &state.services.login_guard;
    let device = Device::from_headers(&headers);
    let user = accounts::sign_in(
        store,
        guard,
        client,
        device.as_ref(),
        &body.username,
        &body.password,
    )
    .await?;
    let cookies = start_session(&state, &headers, user.id).await?;
    Ok((cookies, ApiJson(user)).into_response())
}

/// Starts a session for `user_id` on the client that sent `headers`, which the account trusts as
/// a device from now on: the two cookies to set, the session's first.
async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    user_id: UserId,
) -> Result<AppendHeaders<[(HeaderName, HeaderValue); 2]>, ApiError> {
    let store = &*state.services.store;
    let settings = &state.services.sessions;
    let user_agent = session::user_agent(headers);
    let session = session::start(store, settings, user_id, user_agent).await?;
    let trusted = Device::from_headers(headers);
    let device = device::remember(store, user_id, trusted, settings.cookie_secure).await?;
    Ok(AppendHeaders([(SET_COOKIE, session), (SET_COOKIE, device)]))
}

/// Signs out: ends the session of the cookie sent, and closes its sockets.
#[utoipa::path(
    post, path = "/api/auth/logout/", tag = "auth",
    responses((status = 204, description = "Signed out; the cookie is cleared")),
)]
pub(super) async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let token = session::token_from_headers(&headers);
    let cookie = session::end(&state.services, token.as_deref()).await?;
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, cookie)]).into_response())
}

/// The signed-in user.
#[utoipa::path(
    get, path = "/api/auth/me/", tag = "auth",
    security(("session" = [])),
    responses(
        (status = 200, description = "The signed-in user", body = User),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ),
)]
pub(super) async fn me(CurrentUser(signed_in): CurrentUser) -> ApiJson<User> {
    ApiJson(signed_in.user)
}
