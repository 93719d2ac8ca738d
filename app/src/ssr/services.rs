use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;

use crate::error::AppError;

use super::api_tokens::ApiTokens;
use super::events::{EventSink, Presence};
use super::group_commit::NotificationWriter;
use super::limits::Limits;
use super::login_guard::LoginGuard;
use super::reach::SeenRecorder;
use super::store::DynStore;

/// What server code needs from the running process. The server builds one at start and hands it
/// to axum handlers as state and to Leptos server functions as context.
#[derive(Clone)]
pub struct Services {
    pub store: DynStore,
    /// Stores new notifications, many to a transaction (see [`NotificationWriter`]).
    pub notifications: NotificationWriter,
    pub events: Arc<dyn EventSink>,
    /// Remembers who saw which announcement, in the background (see [`SeenRecorder`]).
    pub reach: SeenRecorder,
    /// The API tokens requests present, remembered for a while (see [`ApiTokens`]).
    pub api_tokens: Arc<ApiTokens>,
    pub presence: Arc<dyn Presence>,
    pub sessions: Arc<SessionSettings>,
    pub login_guard: Arc<LoginGuard>,
    pub limits: Arc<Limits>,
}

/// How session cookies are issued.
#[derive(Clone, Debug)]
pub struct SessionSettings {
    /// Adds `Secure` to the cookie; turn off only for plain-http development.
    pub cookie_secure: bool,
    pub ttl: Duration,
}

/// The [`Services`] of this request, inside a Leptos server function or component.
pub fn services() -> Result<Services, AppError> {
    use_context::<Services>().ok_or_else(|| AppError::internal("server services are missing"))
}
