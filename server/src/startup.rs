//! Builds the HTTP application from its configuration: storage, the Leptos pages, the JSON API
//! and the layers every request passes through.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::header::CONTENT_TYPE;
use axum::http::{Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

use app::ssr::login_guard::LoginGuard;
use app::ssr::services::SessionSettings;
use app::ssr::store::{self, DynStore};
use app::ssr::Services;
use app::{shell, App};

use crate::config::ServeConfig;
use crate::csrf::AllowedOrigins;
use crate::error::ApiError;
use crate::realtime::broker::MemoryBroker;
use crate::realtime::Node;
use crate::state::AppState;
use crate::{auth, csrf, routes};

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    /// Opens the database (running migrations) and binds the listener.
    pub async fn build(config: &ServeConfig) -> anyhow::Result<Self> {
        let store = store::connect(&config.database.database_url).await?;
        Self::build_with_store(config, store).await
    }

    pub async fn build_with_store(config: &ServeConfig, store: DynStore) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.bind).await?;
        let local_addr = listener.local_addr()?;
        let broker = Arc::new(MemoryBroker::new(4096));
        let node = Node::start(store.clone(), broker, config.realtime.client_settings());
        let services = Services {
            store: store.clone(),
            events: node.clone(),
            presence: node.clone(),
            sessions: Arc::new(SessionSettings {
                cookie_secure: config.cookie_secure,
                ttl: Duration::from_secs(config.session_ttl_hours * 3600),
            }),
            login_guard: Arc::new(LoginGuard::new(
                config.max_failed_logins,
                Duration::from_secs(15 * 60),
            )),
        };
        let state = AppState {
            services,
            leptos_options: leptos_options(config, local_addr),
            origins: Arc::new(AllowedOrigins::new(config.allowed_origins.iter().cloned())),
            node: node.clone(),
        };
        let router = router(state.clone(), config.max_body_bytes);
        Ok(Self {
            listener,
            router,
            state,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn store(&self) -> DynStore {
        self.state.services.store.clone()
    }

    pub fn services(&self) -> Services {
        self.state.services.clone()
    }

    pub fn node(&self) -> Arc<Node> {
        self.state.node.clone()
    }

    /// Serves until `shutdown` resolves; then closes every socket with "service restart" and
    /// finishes the requests under way.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let node = self.state.node.clone();
        let shutdown = async move {
            shutdown.await;
            node.shutdown().await;
        };
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
    }
}

fn leptos_options(config: &ServeConfig, addr: SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("herald")
        .site_root(config.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build()
}

fn router(state: AppState, max_body_bytes: usize) -> Router {
    let routes = generate_route_list(App);
    let services = state.services.clone();
    let leptos_options = state.leptos_options.clone();
    Router::new()
        .merge(routes::router())
        // Pages live at paths with a trailing slash; the bare form leads there.
        .route("/notifications", get(|| async { Redirect::permanent("/notifications/") }))
        .route("/realtime-test", get(|| async { Redirect::permanent("/realtime-test/") }))
        .route("/messages", get(|| async { Redirect::permanent("/messages/") }))
        .route("/employer", get(|| async { Redirect::permanent("/employer/jobs/") }))
        .route("/employer/", get(|| async { Redirect::permanent("/employer/jobs/") }))
        .route("/employer/jobs", get(|| async { Redirect::permanent("/employer/jobs/") }))
        .route(
            "/employer/applications",
            get(|| async { Redirect::permanent("/employer/applications/") }),
        )
        .route(
            "/admin-panel/notifications",
            get(|| async { Redirect::permanent("/admin-panel/notifications/") }),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(services.clone()),
            move || shell(leptos_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(RequestBodyLimitLayer::new(max_body_bytes))
        .layer(middleware::from_fn(json_payload_too_large))
        .layer(middleware::from_fn_with_state(state.clone(), auth::resolve_session))
        .layer(middleware::from_fn_with_state(state.clone(), csrf::protect))
        .layer(CatchPanicLayer::new())
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
        }))
        .with_state(state)
}

/// The body limit answers 413 in plain text; the API promises JSON errors everywhere.
async fn json_payload_too_large(request: axum::extract::Request, next: Next) -> Response {
    let response = next.run(request).await;
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_json {
        return ApiError::PayloadTooLarge.into_response();
    }
    response
}
