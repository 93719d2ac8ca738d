use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use app::ssr::secret;

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

/// Prometheus's text format. With a metrics token configured, only a scraper that sends it as a
/// bearer token may read them (they show how busy the instance is).
/// Prometheus metrics of this instance. Public unless `HERALD_METRICS_TOKEN` is set; then the
/// token is required as a bearer token.
#[utoipa::path(
    get, path = "/metrics", tag = "operations",
    security((), ("metrics_token" = [])),
    responses(
        (status = 200, description = "The metrics, in Prometheus' text format", body = String,
            content_type = "text/plain"),
        (status = 401, description = "The metrics token is set and was not sent", body = ErrorBody),
    ),
)]
pub(super) async fn metrics(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    if let Some(expected) = &state.metrics_token {
        let sent = headers
            .get(AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim);
        // Compared by hash, so the comparison takes as long whatever the guess.
        if sent.map(secret::hash) != Some(secret::hash(expected)) {
            return Err(ApiError::Unauthorized);
        }
    }
    Ok((
        [(CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.node.metrics.render(),
    ))
}
