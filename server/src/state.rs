use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use app::ssr::Services;

use crate::csrf::AllowedOrigins;
use crate::realtime::Node;

/// Everything a request handler may need, built once at start and cloned cheaply per request.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub leptos_options: LeptosOptions,
    pub origins: Arc<AllowedOrigins>,
    pub node: Arc<Node>,
    /// The bearer token `/metrics` asks for; `None` leaves it open.
    pub metrics_token: Option<Arc<str>>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for Services {
    fn from_ref(state: &AppState) -> Self {
        state.services.clone()
    }
}
