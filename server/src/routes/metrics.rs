use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use app::ssr::secret;
use prometheus_client::encoding::prometheus_text;

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

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
        [(CONTENT_TYPE, prometheus_text::CONTENT_TYPE)],
        state.node.metrics.render(),
    ))
}
