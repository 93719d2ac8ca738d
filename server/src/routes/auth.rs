//! `/api/auth/`: sign-up, sign-in and sign-out for programs; the pages use server functions with
//! the same rules.

use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use app::model::{Role, User};
use app::ssr::{accounts, session};

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiJson};
use crate::http_server::ClientAddress;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/auth/register/", post(register))
        .route("/api/auth/login/", post(login))
        .route("/api/auth/logout/", post(logout))
        .route("/api/auth/me/", get(me))
}

#[derive(Deserialize)]
struct RegisterBody {
    username: String,
    password: String,
    role: String,
}

#[derive(Deserialize)]
struct LoginBody {
    username: String,
    password: String,
}

async fn register(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    ApiJson(body): ApiJson<RegisterBody>,
) -> Result<Response, ApiError> {
    let role = Role::parse_self_service("role", &body.role)?;
    let store = &*state.services.store;
    let limits = &state.services.limits;
    let user =
        accounts::sign_up(store, limits, client, &body.username, &body.password, role).await?;
    let cookie = session::start(store, &state.services.sessions, user.id).await?;
    Ok((StatusCode::CREATED, [(SET_COOKIE, cookie)], ApiJson(user)).into_response())
}

async fn login(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Response, ApiError> {
    let store = &*state.services.store;
    let guard = &state.services.login_guard;
    let user = accounts::sign_in(store, guard, client, &body.username, &body.password).await?;
    let cookie = session::start(store, &state.services.sessions, user.id).await?;
    Ok(([(SET_COOKIE, cookie)], ApiJson(user)).into_response())
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let token = session::token_from_headers(&headers);
    let cookie = session::end(&state.services, token.as_deref()).await?;
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, cookie)]).into_response())
}

async fn me(CurrentUser(signed_in): CurrentUser) -> ApiJson<User> {
    ApiJson(signed_in.user)
}
