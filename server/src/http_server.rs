//! The connection loop: accepts TCP connections and serves HTTP on them with timeouts.
//!
//! `axum::serve` gives hyper no timer, so a client that connects and sends nothing, or sends its
//! headers one byte at a time, holds a connection (and a file descriptor) for ever. Here every
//! connection must finish its request headers within `header_timeout`, counted from when the
//! server starts waiting for them: on a new connection and between keep-alive requests alike. The
//! rest of a request (its body, and the handler) is bounded by the router's request timeout.

use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How long connections may take, and how long shutdown waits for requests under way.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionTimeouts {
    /// From waiting for a request to having all its headers.
    pub header_timeout: Duration,
    /// How long a graceful shutdown lets requests under way finish.
    pub shutdown_grace: Duration,
}

/// Serves `router` on `listener` until `shutdown` resolves, then stops accepting, lets requests
/// under way finish (up to the grace period) and returns.
///
/// Each request carries `ConnectInfo<SocketAddr>`, the peer's address, for per-client limits.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    timeouts: ConnectionTimeouts,
    shutdown: impl Future<Output = ()>,
) {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(timeouts.header_timeout)
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(timeouts.header_timeout)
        .keep_alive_timeout(timeouts.header_timeout);
    let connections = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // wait a moment rather than spin, and go on.
                    tracing::warn!(%err, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = router
            .clone()
            .map_request(move |request: Request<Incoming>| {
                let mut request = request.map(Body::new);
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        let builder = builder.clone();
        let watcher = connections.watcher();
        tokio::spawn(async move {
            // hyper's header timeout starts with the first byte of a request: a connection
            // that sends nothing at all is this loop's to close.
            let mut first = [0u8; 1];
            match tokio::time::timeout(timeouts.header_timeout, stream.peek(&mut first)).await {
                Ok(Ok(n)) if n > 0 => {}
                _ => return,
            }
            let connection = builder.serve_connection_with_upgrades(
                TokioIo::new(stream),
                TowerToHyperService::new(service),
            );
            if let Err(err) = watcher.watch(connection.into_owned()).await {
                tracing::debug!(%err, %peer, "connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(timeouts.shutdown_grace, connections.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests were still under way when shutdown's grace period ended");
    }
}

/// The client's address, as a handler argument: the TCP peer (behind a reverse proxy, the
/// proxy's), or `None` for a request that did not come through [`serve`].
pub struct ClientAddress(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip()),
        ))
    }
}
