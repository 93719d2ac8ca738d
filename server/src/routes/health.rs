//! Liveness (`/healthz`) and readiness (`/readyz`), for load balancers and orchestrators.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use app::ssr::log_throttle::LogThrottle;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

#[derive(Serialize, ToSchema)]
pub(super) struct Health {
    /// `ok`, or `unavailable` when the database does not answer (readiness only).
    status: &'static str,
    /// `unreachable` when the database does not answer (readiness only).
    #[serde(skip_serializing_if = "Option::is_none")]
    database: Option<&'static str>,
}

/// Liveness: this process answers HTTP. It touches nothing else, the database included, so a
/// database outage does not get every instance restarted; restart an instance when this fails.
#[utoipa::path(
    get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process is serving", body = Health)),
)]
pub(super) async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        database: None,
    })
}

/// Readiness: this instance can serve requests, because its database answers. Load balancers
/// send traffic only to instances that are ready.
#[utoipa::path(
    get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "The database does not answer", body = Health),
    ),
)]
pub(super) async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    match state.services.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(Health {
                status: "ok",
                database: None,
            }),
        ),
        Err(err) => {
            // Probes (or anyone: the path is public) may ask many times a second.
            static FAILED: LogThrottle = LogThrottle::per_second();
            if let Some(suppressed) = FAILED.allow() {
                tracing::error!(%err, suppressed, "readiness check failed: the database does not answer");
            }
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable",
                    database: Some("unreachable"),
                }),
            )
        }
    }
}
