//! Builds the HTTP application from its configuration: storage, the Leptos pages, the JSON API
//! and the layers every request passes through.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::extract::DefaultBodyLimit;
use axum::http::header::CONNECTION;
use axum::http::{HeaderValue, Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use leptos::config::{get_config_from_str, LeptosOptions};
use leptos::prelude::{provide_context, FromServerFnError};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::classify::ServerErrorsFailureClass;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

use app::error::AppError;
use app::ssr::api_tokens::ApiTokens;
use app::ssr::group_commit::NotificationWriter;
use app::ssr::limits::Limits;
use app::ssr::log_throttle::LogThrottle;
use app::ssr::login_guard::LoginGuard;
use app::ssr::reach::SeenRecorder;
use app::ssr::services::SessionSettings;
use app::ssr::store::{self, DynStore};
use app::ssr::Services;
use app::{shell, App};

use crate::config::ServeConfig;
use crate::csrf::AllowedOrigins;
use crate::error::{self, ApiError};
use crate::form_errors::{self, FormErrorKey};
use crate::http_server::{self, ConnectionSettings};
use crate::realtime::broker;
use crate::realtime::Node;
use crate::state::{AppState, SharedState};
use crate::{assets, auth, csrf, routes, security_headers};

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    timeouts: ConnectionSettings,
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
        let broker = broker::connect(
            &config.broker,
            &config.broker_channel,
            &config.database.database_url,
        )
        .await?;
        let node = Node::start(store.clone(), broker, config.realtime.client_settings()).await?;
        let services = Services {
            store: store.clone(),
            notifications: NotificationWriter::start(store.clone(), node.clone()),
            events: node.clone(),
            reach: SeenRecorder::start(store.clone()),
            api_tokens: Arc::new(ApiTokens::new(store.clone())),
            presence: node.clone(),
            sessions: Arc::new(SessionSettings {
                cookie_secure: config.cookie_secure,
                ttl: Duration::from_secs(config.session_ttl_seconds),
            }),
            login_guard: Arc::new(LoginGuard::new(
                store.clone(),
                config.max_failed_logins,
                Duration::from_secs(config.failed_login_window_seconds),
            )),
            limits: Arc::new(Limits::new(
                store.clone(),
                config.max_sign_ups_per_hour,
                config.max_messages_per_minute,
            )),
        };
        let state = AppState::new(SharedState {
            services,
            leptos_options: leptos_options(config, local_addr)?,
            origins: Arc::new(
                AllowedOrigins::new(config.allowed_origins.iter().cloned())
                    .served_over_https(config.cookie_secure),
            ),
            node: node.clone(),
            metrics_token: config.metrics_token.as_deref().map(Arc::from),
            form_error_key: FormErrorKey::random(),
        });
        let router = router(
            state.clone(),
            config.max_body_bytes,
            Duration::from_millis(config.http_request_timeout_ms),
        );
        let timeouts = ConnectionSettings {
            header_timeout: Duration::from_millis(config.http_header_timeout_ms),
            shutdown_grace: Duration::from_secs(10),
            trusted_proxies: config.trusted_proxies.clone().into(),
        };
        Ok(Self {
            listener,
            router,
            state,
            timeouts,
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
        http_server::serve(self.listener, self.router, self.timeouts, shutdown).await;
        Ok(())
    }
}

/// Leptos's runtime settings, compiled in from Leptos.toml (LEPTOS_* variables override them),
/// then what only this run knows: the bound address, `--site-root`, and whether the build hashed
/// its file names.
fn leptos_options(config: &ServeConfig, addr: SocketAddr) -> anyhow::Result<LeptosOptions> {
    let mut options = get_config_from_str(include_str!("../../Leptos.toml"))
        .context("reading Leptos's settings (Leptos.toml and LEPTOS_* variables)")?;
    if let Some(site_root) = &config.site_root {
        options.site_root = Arc::from(site_root.to_string_lossy().as_ref());
    }
    options.site_addr = addr;
    options.hash_files = assets::names_are_hashed();
    options.hash_file = Arc::from(assets::HASH_FILE);
    Ok(options)
}

fn router(state: AppState, max_body_bytes: usize, request_timeout: Duration) -> Router {
    let routes = generate_route_list(App);
    let services = state.services.clone();
    let page_context = move || {
        provide_context(services.clone());
        security_headers::set_page_headers();
    };
    let leptos_options = state.leptos_options.clone();
    let site_root = PathBuf::from(leptos_options.site_root.as_ref());
    let pkg_dir = leptos_options.site_pkg_dir.clone();
    let hashed = leptos_options.hash_files;
    Router::new()
        .merge(routes::router())
        // Pages live at paths with a trailing slash; the bare form leads there. Not tower-http's
        // NormalizePath: it rewrites every request's path in place instead of redirecting (the
        // address bar would keep the bare path), and /login, /jobs/3 and the API have no slash.
        .route("/notifications", get(|| async { Redirect::permanent("/notifications/") }))
        .route("/realtime-test", get(|| async { Redirect::permanent("/realtime-test/") }))
        .route("/messages", get(|| async { Redirect::permanent("/messages/") }))
        .route("/applications", get(|| async { Redirect::permanent("/applications/") }))
        .route("/sessions", get(|| async { Redirect::permanent("/sessions/") }))
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
            page_context.clone(),
            move || shell(leptos_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            page_context,
            shell,
        ))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(RequestBodyLimitLayer::new(max_body_bytes))
        .merge(routes::large_body_router())
        // A body slower than this (or a handler stuck this long) is answered 408.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .layer(middleware::from_fn(json_errors_from_layers))
        .layer(middleware::from_fn(server_fn_error_status))
        // A form's error reaches a page only with this server's seal.
        .layer(middleware::from_fn_with_state(state.clone(), form_errors::seal))
        .layer(middleware::from_fn_with_state(state.clone(), form_errors::drop_unsealed))
        .layer(middleware::from_fn(crate::server_fns::check_call))
        .layer(middleware::from_fn_with_state(state.clone(), auth::resolve_session))
        .layer(middleware::from_fn_with_state(state.clone(), csrf::protect))
        // Pages and JSON are compressed as they are sent; the site's files were compressed
        // when built. Not before the layers above: a file needs no session, CSRF check or
        // timeout.
        .layer(CompressionLayer::new())
        .merge(assets::router(&site_root, &pkg_dir, hashed))
        .layer(CatchPanicLayer::new())
        .layer(middleware::from_fn(security_headers::add_common_headers))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
                })
                .on_failure(log_failure),
        )
        .with_state(state)
}

/// A 503 is an expected refusal that comes in bursts (a locked database, too many password
/// checks at once, the socket cap): at WARN, a line a second at most, counting the rest; its
/// cause, if any, is logged where it was met. Any other server error is logged at ERROR, each.
fn log_failure(class: ServerErrorsFailureClass, latency: Duration, _span: &Span) {
    static UNAVAILABLE: LogThrottle = LogThrottle::per_second();
    let latency_ms = latency.as_millis();
    match class {
        ServerErrorsFailureClass::StatusCode(StatusCode::SERVICE_UNAVAILABLE) => {
            if let Some(suppressed) = UNAVAILABLE.allow() {
                tracing::warn!(latency_ms, suppressed, "answered 503 (unavailable for now)");
            }
        }
        other => tracing::error!(classification = %other, latency_ms, "response failed"),
    }
}

/// The body limit and the request timeout answer in plain text; the API promises JSON errors
/// everywhere.
async fn json_errors_from_layers(request: axum::extract::Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let status = response.status();
    if matches!(
        status,
        StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNSUPPORTED_MEDIA_TYPE
    ) {
        // Refused before its body was read: the rest of it may still be on the way, so the
        // connection cannot carry another request. Say so, or the client's next pooled request
        // meets a connection the server is closing.
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    if error::is_json(&response) {
        return response;
    }
    let mut json = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge.into_response(),
        StatusCode::REQUEST_TIMEOUT => ApiError::RequestTimeout.into_response(),
        _ => return response,
    };
    if let Some(value) = response.headers().get(CONNECTION) {
        json.headers_mut().insert(CONNECTION, value.clone());
    }
    json
}

/// Leptos 0.8 answers every failed server function 500, whatever the error: this gives it the
/// status its [`AppError`] names (422 for a bad field, 409 for a duplicate, ...), so a refusal
/// is neither a server error in the logs nor in the browser. A form posted without JavaScript
/// is answered with a redirect back to its page, which is left alone.
async fn server_fn_error_status(request: axum::extract::Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // An error is a short JSON object; anything longer is not one of ours.
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, AppError::Internal.ser()).into_response();
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(err.status()).unwrap_or(parts.status);
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}
