//! `GET /ws/notifications/`: the upgrade to the real-time protocol (see `docs/protocol.md`).

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{Query, State, WebSocketUpgrade};
use axum::http::header::ORIGIN;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use app::model::FieldError;

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::realtime::admission::Refusal;
use crate::realtime::client::{self, Connection};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/ws/notifications/", get(upgrade))
}

/// Only a signed-in session may upgrade (401), and only from an allowed origin (403): a page on
/// another site must not open a socket with the visitor's cookie.
async fn upgrade(
    State(state): State<AppState>,
    CurrentUser(signed_in): CurrentUser,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    if let Some(origin) = headers.get(ORIGIN) {
        let origin = origin.to_str().unwrap_or_default();
        if !state.origins.allows(origin, &headers) {
            return Err(ApiError::Forbidden("this origin may not open a socket"));
        }
    }
    let connection = Connection {
        user_id: signed_in.user.id,
        role: signed_in.user.role,
        session_id: signed_in.session_id,
        after: cursor(&params, "after")?,
        after_global: cursor(&params, "after_global")?,
    };
    let upgrade = upgrade.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    let slot = state
        .node
        .admission
        .admit(connection.user_id)
        .map_err(|refusal| match refusal {
            Refusal::UserFull => ApiError::RateLimited {
                message: "you have too many live connections open; close a tab".into(),
                retry_after: Duration::from_secs(5),
            },
            Refusal::TooFrequent(retry_after) => ApiError::RateLimited {
                message: "too many connections opened lately; wait a moment".into(),
                retry_after,
            },
            Refusal::InstanceFull => ApiError::Unavailable {
                message: "this server holds as many live connections as it can",
                retry_after: Duration::from_secs(5),
            },
        })?;
    let settings = &state.node.settings;
    let node = state.node.clone();
    let services = state.services.clone();
    Ok(upgrade
        .max_message_size(settings.max_message_bytes)
        .max_frame_size(settings.max_message_bytes)
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(WRITE_BUFFER_BYTES)
        .max_write_buffer_size(settings.max_write_buffer_bytes)
        .on_upgrade(move |socket| async move {
            client::serve(socket, connection, node, services).await;
            drop(slot);
        }))
}

/// What each socket reads into at a time. tungstenite allocates it up front for every socket:
/// its default, 128 KiB, was most of what an idle socket cost, and 4 KiB was still its largest
/// part (docs/benchmarks.md). Clients send frames of a few dozen bytes; a larger message still
/// arrives, the buffer growing to hold it.
const READ_BUFFER_BYTES: usize = 1024;
/// Frames are written out once this much is waiting (or at a flush, after every frame the client
/// is owed), so a burst goes out in few writes.
const WRITE_BUFFER_BYTES: usize = 16 * 1024;

/// The resume point `name` (`after` or `after_global`), if the client named one: an id, or 0 for
/// "before every id".
fn cursor<Id: FromStr>(
    params: &HashMap<String, String>,
    name: &str,
) -> Result<Option<Id>, FieldError> {
    params
        .get(name)
        .map(|raw| {
            raw.parse()
                .map_err(|_| FieldError::new(name, "must be a notification id"))
        })
        .transpose()
}
