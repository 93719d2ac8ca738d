//! Who is calling: the session resolved from the cookie, and the extractors handlers use.

use axum::extract::{FromRef, FromRequestParts, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;

use app::model::{ApiTokenId, Role, UserId};
use app::ssr::session::{self, SignedIn};
use app::ssr::{secret, Services};

use crate::error::ApiError;
use crate::state::AppState;

/// Resolves the session cookie once per request and leaves the result in the request's
/// extensions, where API handlers, pages and server functions all find it.
pub async fn resolve_session(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    // The site's own files are the same for everyone: no session lookup for them.
    let is_asset = request.uri().path().starts_with("/pkg/");
    let token = (!is_asset)
        .then(|| session::token_from_headers(request.headers()))
        .flatten();
    if let Some(token) = token {
        if let Some(signed_in) = session::resolve(&*state.services.store, &token).await? {
            request.extensions_mut().insert(signed_in);
        }
    }
    Ok(next.run(request).await)
}

/// A handler argument that requires a signed-in browser session (401 otherwise).
pub struct CurrentUser(pub SignedIn);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<SignedIn>()
            .cloned()
            .map(CurrentUser)
            .ok_or(ApiError::Unauthorized)
    }
}

/// Who may publish notifications: a signed-in admin, or a service with a bearer API token.
#[derive(Clone, Debug)]
pub enum Publisher {
    Admin { user_id: UserId },
    Service { token_id: ApiTokenId, name: String },
}

impl Publisher {
    /// The user to record as the author of what this publisher creates.
    pub fn user_id(&self) -> Option<UserId> {
        match self {
            Publisher::Admin { user_id } => Some(*user_id),
            Publisher::Service { .. } => None,
        }
    }
}

impl<S> FromRequestParts<S> for Publisher
where
    S: Send + Sync,
    Services: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(header) = parts.headers.get(AUTHORIZATION) {
            let token = header
                .to_str()
                .ok()
                .and_then(|h| h.strip_prefix("Bearer "))
                .map(str::trim)
                .ok_or(ApiError::Unauthorized)?;
            let services = Services::from_ref(state);
            let found = services.api_tokens.find(&secret::hash(token)).await?;
            return found
                .map(|t| Publisher::Service {
                    token_id: t.id,
                    name: t.name,
                })
                .ok_or(ApiError::Unauthorized);
        }
        match parts.extensions.get::<SignedIn>() {
            Some(signed_in) if signed_in.user.role == Role::Admin => Ok(Publisher::Admin {
                user_id: signed_in.user.id,
            }),
            Some(_) => Err(ApiError::Forbidden(
                "only admins and API tokens may do this",
            )),
            None => Err(ApiError::Unauthorized),
        }
    }
}
