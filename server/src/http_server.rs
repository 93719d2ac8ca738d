//! The connection loop: accepts TCP connections and serves HTTP on them with timeouts.
//!
//! `axum::serve` gives hyper no timer, so a client that connects and sends nothing, or sends its
//! headers one byte at a time, holds a connection (and a file descriptor) for ever. Here every
//! connection must finish its request headers within `header_timeout`, counted from when the
//! server starts waiting for them: on a new connection and between keep-alive requests alike. The
//! rest of a request (its body, and the handler) is bounded by the router's request timeout.
//!
//! Every connection closes the way nginx's `lingering_close` does (see [`Lingering`]), so a
//! client still sending when the server has answered sees the answer, not a reset.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
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
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

/// How long connections may take, how long shutdown waits for requests under way, and whose word
/// on the client's address is taken.
#[derive(Clone, Debug)]
pub struct ConnectionSettings {
    /// From waiting for a request to having all its headers.
    pub header_timeout: Duration,
    /// How long a graceful shutdown lets requests under way finish.
    pub shutdown_grace: Duration,
    /// Reverse proxies (nginx, a load balancer) whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Arc<[IpAddr]>,
}

/// Serves `router` on `listener` until `shutdown` resolves, then stops accepting, lets requests
/// under way finish (up to the grace period) and returns.
///
/// Each request carries `ConnectInfo<SocketAddr>`, the client's address, for per-client limits:
/// the TCP peer's, or, when the peer is a trusted proxy, the address it put last in
/// `X-Forwarded-For` (the one it saw; entries before it are the client's own word).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    settings: ConnectionSettings,
    shutdown: impl Future<Output = ()>,
) {
    let timeouts = settings.clone();
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
        let trusted = settings.trusted_proxies.clone();
        let service = router
            .clone()
            .map_request(move |request: Request<Incoming>| {
                let mut request = request.map(Body::new);
                let client = client_of(peer, request.headers(), &trusted);
                request.extensions_mut().insert(ConnectInfo(client));
                request
            });
        let builder = builder.clone();
        let header_timeout = timeouts.header_timeout;
        let watcher = connections.watcher();
        tokio::spawn(async move {
            // hyper's header timeout starts with the first byte of a request: a connection
            // that sends nothing at all is this loop's to close.
            let mut first = [0u8; 1];
            match tokio::time::timeout(header_timeout, stream.peek(&mut first)).await {
                Ok(Ok(n)) if n > 0 => {}
                _ => return,
            }
            let connection = builder.serve_connection_with_upgrades(
                TokioIo::new(Lingering(Some(stream))),
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

/// How long a closed connection goes on reading what the client still sends, at most.
const LINGER_MAX: Duration = Duration::from_secs(1);
/// A client silent this long has sent everything: the connection is closed for good.
const LINGER_QUIET: Duration = Duration::from_millis(100);

/// A TCP connection that, once dropped, closes the way nginx's `lingering_close` does: it first
/// reads and drops what the client still sends, until the client closes, has been quiet for
/// [`LINGER_QUIET`], or [`LINGER_MAX`] has passed, and only then closes. Closing a socket with unread
/// bytes in it makes the kernel reset the connection, and a client still sending (a WebSocket
/// message over the size limit, in fragments or in one frame; a body refused as too large)
/// would see the reset, never the answer or the close frame it was sent; through a proxy,
/// the reset reaches the proxy first, which then drops what it had not yet passed on (nginx
/// turned a 1009 close into 1006). The FIN waits too: a proxy that sees its upstream close ends
/// the client's connection, resetting it if the client is still sending. Hyper's upgraded
/// connections (WebSockets) own this stream too, so they close the same way.
struct Lingering(Option<TcpStream>);

impl Lingering {
    fn stream(self: Pin<&mut Self>) -> Pin<&mut TcpStream> {
        Pin::new(
            self.get_mut()
                .0
                .as_mut()
                .expect("the stream is there until the connection is dropped"),
        )
    }
}

impl AsyncRead for Lingering {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.stream().poll_read(cx, buf)
    }
}

impl AsyncWrite for Lingering {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.stream().poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.stream().poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.as_ref().is_some_and(TcpStream::is_write_vectored)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.stream().poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.stream().poll_shutdown(cx)
    }
}

impl Drop for Lingering {
    fn drop(&mut self) {
        let Some(stream) = self.0.take() else { return };
        // Outside a runtime (the process is ending) the connection just closes.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(linger(stream));
        }
    }
}

async fn linger(mut stream: TcpStream) {
    let deadline = tokio::time::Instant::now() + LINGER_MAX;
    let mut unread = vec![0u8; 4096];
    loop {
        let quiet = (tokio::time::Instant::now() + LINGER_QUIET).min(deadline);
        match tokio::time::timeout_at(quiet, stream.read(&mut unread)).await {
            Ok(Ok(n)) if n > 0 => continue,
            // Closed by the client, failed, quiet, or out of time.
            _ => return,
        }
    }
}

/// The client that sent a request through `peer`: `peer` itself, unless it is a trusted proxy
/// that named the client in `X-Forwarded-For`.
fn client_of(peer: SocketAddr, headers: &http::HeaderMap, trusted: &[IpAddr]) -> SocketAddr {
    if !trusted.contains(&peer.ip()) {
        return peer;
    }
    let named = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .next_back()
        .and_then(|last| last.trim().parse::<IpAddr>().ok());
    named.map_or(peer, |ip| SocketAddr::new(ip, 0))
}

/// The client's address, as a handler argument (see [`serve`] for whose), or `None` for a
/// request that did not come through [`serve`].
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

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(forwarded: &[&str]) -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        for value in forwarded {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        headers
    }

    const PROXY: &str = "10.0.0.2:40000";

    #[test]
    fn a_trusted_proxy_names_the_client_it_saw() {
        let trusted = ["10.0.0.2".parse().unwrap()];
        let client = client_of(
            PROXY.parse().unwrap(),
            &headers(&["6.6.6.6, 203.0.113.9"]),
            &trusted,
        );
        assert_eq!(client.ip().to_string(), "203.0.113.9");
    }

    #[test]
    fn anyone_else_cannot_choose_their_address() {
        let client = client_of(PROXY.parse().unwrap(), &headers(&["203.0.113.9"]), &[]);
        assert_eq!(client, PROXY.parse().unwrap());
    }

    #[test]
    fn a_trusted_proxy_without_a_readable_header_is_the_client() {
        let trusted = ["10.0.0.2".parse().unwrap()];
        for forwarded in [&[][..], &["not an address"][..]] {
            let client = client_of(PROXY.parse().unwrap(), &headers(forwarded), &trusted);
            assert_eq!(client, PROXY.parse().unwrap());
        }
    }
}
