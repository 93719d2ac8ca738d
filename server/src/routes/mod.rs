//! The JSON API, one module per resource, each with its own `router()`.

mod auth;
mod global_notifications;
mod health;
mod metrics;
mod notifications;
mod openapi;
mod ws;

use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::any;
use axum::Router;
use tower_http::limit::RequestBodyLimitLayer;

use crate::error::{self, ApiError};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(auth::router())
        .merge(notifications::router())
        .merge(global_notifications::router())
        .merge(health::router())
        .merge(metrics::router())
        .merge(ws::router())
        .merge(openapi::router())
        // Unknown API paths answer in the API's format rather than with the 404 page.
        .route("/api/{*rest}", any(|| async { ApiError::NotFound }))
        .layer(middleware::from_fn(error::api_errors_as_json))
}

/// The routes whose bodies may be larger than the server's `--max-body-bytes`: merge them after
/// that limit's layers. Each sets its own limit.
pub fn large_body_router() -> Router<AppState> {
    let limit = notifications::BULK_MAX_BODY_BYTES;
    notifications::bulk_router()
        .layer(DefaultBodyLimit::max(limit))
        .layer(RequestBodyLimitLayer::new(limit))
        .layer(middleware::from_fn(error::api_errors_as_json))
}
