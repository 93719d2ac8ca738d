use std::ops::Deref;
use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use app::ssr::Services;

use crate::csrf::AllowedOrigins;
use crate::form_errors::FormErrorKey;
use crate::realtime::Node;

/// Everything a request handler may need, built once at start. Each middleware and extractor
/// clones it, several times a request, so a clone is one pointer: the services and Leptos's
/// options (which own strings) are cloned only where a handler asks for them.
#[derive(Clone)]
pub struct AppState(Arc<SharedState>);

pub struct SharedState {
    pub services: Services,
    pub leptos_options: LeptosOptions,
    pub origins: Arc<AllowedOrigins>,
    pub node: Arc<Node>,
    /// The bearer token `/metrics` asks for; `None` leaves it open.
    pub metrics_token: Option<Arc<str>>,
    /// Seals the errors of forms posted without JavaScript (see `form_errors`).
    pub form_error_key: FormErrorKey,
}

impl AppState {
    pub fn new(shared: SharedState) -> Self {
        Self(Arc::new(shared))
    }
}

impl Deref for AppState {
    type Target = SharedState;

    fn deref(&self) -> &SharedState {
        &self.0
    }
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
