//! A WebSocket client for tests: a real socket to the real server.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::TestApp;

const PATIENCE: Duration = Duration::from_secs(10);

pub struct Socket {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// How a socket ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// The server sent a close frame with this code.
    Closed(u16),
    /// The connection dropped without a close frame.
    Dropped,
}

impl Socket {
    pub async fn connect(
        app: &TestApp,
        cookie: Option<&str>,
        origin: Option<&str>,
        query: &str,
    ) -> Result<Socket, tungstenite::Error> {
        Self::connect_to(app.addr, cookie, origin, query).await
    }

    /// A socket to the server at `addr`, which need not run in this process.
    pub async fn connect_to(
        addr: std::net::SocketAddr,
        cookie: Option<&str>,
        origin: Option<&str>,
        query: &str,
    ) -> Result<Socket, tungstenite::Error> {
        let url = format!("ws://{addr}/ws/notifications/{query}");
        let mut request = url.into_client_request()?;
        if let Some(cookie) = cookie {
            request
                .headers_mut()
                .insert("cookie", cookie.parse().unwrap());
        }
        if let Some(origin) = origin {
            request
                .headers_mut()
                .insert("origin", origin.parse().unwrap());
        }
        let (stream, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(Socket { stream })
    }

    /// The next JSON frame; panics if none comes within a few seconds or the socket closes.
    pub async fn next(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.stream.next())
                .await
                .expect("a frame in time")
                .expect("the socket is open")
                .expect("a readable frame");
            match message {
                Message::Text(text) => return serde_json::from_str(&text).unwrap(),
                Message::Close(frame) => panic!("socket closed: {frame:?}"),
                _ => continue,
            }
        }
    }

    /// The next JSON frame, or how the socket ended if it ends first; panics if neither comes
    /// within a few seconds.
    pub async fn next_or_end(&mut self) -> Result<Value, Ended> {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.stream.next())
                .await
                .expect("a frame in time");
            match message {
                Some(Ok(Message::Text(text))) => return Ok(serde_json::from_str(&text).unwrap()),
                Some(Ok(Message::Close(Some(frame)))) => {
                    return Err(Ended::Closed(u16::from(frame.code)))
                }
                Some(Ok(Message::Close(None))) => {
                    return Err(Ended::Closed(u16::from(CloseCode::Status)))
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Err(Ended::Dropped),
            }
        }
    }

    /// The next frame that is not a `hello`.
    pub async fn next_event(&mut self) -> Value {
        loop {
            let frame = self.next().await;
            if frame["type"] != "hello" {
                return frame;
            }
        }
    }

    /// The next frame, which must be of `kind` (a `hello` before it is skipped): any other frame
    /// fails the test, so a frame that should never have come cannot go unseen.
    pub async fn next_of(&mut self, kind: &str) -> Value {
        self.next_of_skipping(kind, &[]).await
    }

    /// The next frame of `kind`, skipping `hello` and the kinds in `skip` (e.g. the
    /// `unread_count` that follows every notification); any other frame fails the test.
    pub async fn next_of_skipping(&mut self, kind: &str, skip: &[&str]) -> Value {
        loop {
            let frame = self.next().await;
            let got = frame["type"].as_str().unwrap_or_default();
            if got == kind {
                return frame;
            }
            assert!(
                got == "hello" || skip.contains(&got),
                "expected a {kind} frame, got {frame}"
            );
        }
    }

    /// Asserts that no frame (other than pings) arrives for `wait`.
    pub async fn assert_quiet(&mut self, wait: Duration) {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => return,
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
                Ok(other) => panic!("expected silence, got {other:?}"),
            }
        }
    }

    pub async fn send_json(&mut self, value: Value) {
        self.stream
            .send(Message::Text(value.to_string().into()))
            .await
            .unwrap();
    }

    pub async fn send_raw(&mut self, message: Message) -> Result<(), tungstenite::Error> {
        self.stream.send(message).await
    }

    /// Reads until the socket ends, skipping data frames; answers how it ended.
    pub async fn ended(&mut self) -> Ended {
        loop {
            let next = tokio::time::timeout(PATIENCE, self.stream.next())
                .await
                .expect("the socket ends in time");
            match next {
                Some(Ok(Message::Close(Some(frame)))) => {
                    return Ended::Closed(u16::from(frame.code))
                }
                Some(Ok(Message::Close(None))) => {
                    return Ended::Closed(u16::from(CloseCode::Status))
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Ended::Dropped,
            }
        }
    }
}
