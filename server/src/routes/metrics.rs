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
    let mut text = state.node.metrics.render();
    text.push_str(&process_metrics());
    Ok(([(CONTENT_TYPE, "text/plain; version=0.0.4")], text))
}

/// What the whole process holds: memory and file descriptors (read from `/proc`, so on Linux
/// only) and the runtime's live tasks. A load test reads them before and after to see what its
/// sockets cost and whether everything was given back.
fn process_metrics() -> String {
    let mut out = String::new();
    let mut gauge = |name: &str, help: &str, value: Option<u64>| {
        if let Some(value) = value {
            out.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}\n"
            ));
        }
    };
    let resident = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
            let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kib * 1024)
        });
    gauge(
        "process_resident_memory_bytes",
        "Resident memory of the process.",
        resident,
    );
    let fds = std::fs::read_dir("/proc/self/fd")
        .ok()
        .map(|dir| dir.count() as u64);
    gauge("process_open_fds", "Open file descriptors.", fds);
    let tasks = tokio::runtime::Handle::try_current()
        .ok()
        .map(|runtime| runtime.metrics().num_alive_tasks() as u64);
    gauge(
        "herald_runtime_alive_tasks",
        "Tasks alive in the async runtime.",
        tasks,
    );
    out
}
