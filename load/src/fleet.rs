//! Many open sockets, each read by its own task, which notes when every load-test frame
//! arrives. Opening is bounded in concurrency; closing sends a close frame per socket.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use futures::stream::{self, StreamExt};
use futures::SinkExt;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

use crate::latency::now_micros;
use crate::target::{stamp_of, Target};
use crate::users::LoadUser;

/// How many sockets are opened at once while ramping up.
const OPENING_AT_ONCE: usize = 64;
const HELLO_WITHIN: Duration = Duration::from_secs(30);
/// Each socket's read buffer. tungstenite's default, 128 KiB, is zero-filled as it is first
/// used: a profile of a broadcast to 10,000 sockets found this tool spending more time in
/// `memset` than the server spent delivering. Herald's frames are a few hundred bytes.
const READ_BUFFER_BYTES: usize = 4 * 1024;

/// What the readers saw, shared by all of them.
#[derive(Default)]
pub struct Receipts {
    pub notifications: AtomicU64,
    pub globals: AtomicU64,
    pub closed_by_server: AtomicU64,
    latencies_us: Mutex<Vec<u64>>,
}

impl Receipts {
    /// The latencies noted so far, leaving none behind.
    pub fn take_latencies(&self) -> Vec<u64> {
        std::mem::take(&mut *self.latencies_us.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn note(&self, frame: &Value) {
        let counter = match frame["type"].as_str() {
            Some("notification") => &self.notifications,
            Some("global_notification") => &self.globals,
            _ => return,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        if let Some(sent) = frame["notification"]["message"].as_str().and_then(stamp_of) {
            let latency = now_micros().saturating_sub(sent);
            self.latencies_us
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(latency);
        }
    }
}

/// One open socket: its user's id (from the server's hello) and the way to close it.
struct OpenSocket {
    user_id: i64,
    close: oneshot::Sender<()>,
    reader: JoinHandle<()>,
}

pub struct Fleet {
    sockets: Vec<OpenSocket>,
    pub receipts: Arc<Receipts>,
    pub failures: Vec<String>,
    pub opening: Duration,
}

impl Fleet {
    /// Opens one socket per entry of `users` (a user may appear more than once) and waits for
    /// each one's hello. No cursor is sent, so nothing published before is replayed. Sockets
    /// that fail are counted, not retried.
    pub async fn open(target: &Target, users: &[LoadUser]) -> Fleet {
        let receipts = Arc::new(Receipts::default());
        let urls = target.socket_urls();
        let started = Instant::now();
        let results: Vec<anyhow::Result<OpenSocket>> = stream::iter(users.iter().cloned())
            .enumerate()
            .map(|(n, user)| open_one(urls[n % urls.len()].clone(), user, receipts.clone()))
            .buffer_unordered(OPENING_AT_ONCE)
            .collect()
            .await;
        let opening = started.elapsed();
        let mut sockets = Vec::new();
        let mut failures = Vec::new();
        for result in results {
            match result {
                Ok(socket) => sockets.push(socket),
                Err(err) => failures.push(format!("{err:#}")),
            }
        }
        Fleet {
            sockets,
            receipts,
            failures,
            opening,
        }
    }

    pub fn len(&self) -> usize {
        self.sockets.len()
    }

    /// The user id behind each open socket, in the order they were opened.
    pub fn user_ids(&self) -> Vec<i64> {
        self.sockets.iter().map(|s| s.user_id).collect()
    }

    /// Closes every socket with a close frame and waits for its reader to finish.
    pub async fn close(self) {
        let mut readers = Vec::with_capacity(self.sockets.len());
        for socket in self.sockets {
            let _ = socket.close.send(());
            readers.push(socket.reader);
        }
        for reader in readers {
            let _ = tokio::time::timeout(Duration::from_secs(5), reader).await;
        }
    }
}

async fn open_one(
    url: String,
    user: LoadUser,
    receipts: Arc<Receipts>,
) -> anyhow::Result<OpenSocket> {
    let mut request = url.into_client_request()?;
    request.headers_mut().insert(
        "cookie",
        HeaderValue::from_str(&format!("herald_session={}", user.session_token))?,
    );
    let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER_BYTES);
    let (mut stream, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), true)
        .await
        .with_context(|| format!("opening a socket as {}", user.username))?;
    let hello = tokio::time::timeout(HELLO_WITHIN, async {
        while let Some(message) = stream.next().await {
            if let Message::Text(text) = message? {
                let frame: Value = serde_json::from_str(&text)?;
                if frame["type"] == "hello" {
                    return anyhow::Ok(frame);
                }
                receipts.note(&frame);
            }
        }
        anyhow::bail!("closed before hello")
    })
    .await??;
    let user_id = hello["user_id"].as_i64().unwrap_or_default();
    let (close, mut closing) = oneshot::channel();
    let reader = tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = &mut closing => {
                    let _ = stream.send(Message::Close(None)).await;
                    // Read until the server answers the close, so it is a clean one.
                    let _ = tokio::time::timeout(Duration::from_secs(2), async {
                        while let Some(Ok(_)) = stream.next().await {}
                    })
                    .await;
                    return;
                }
                message = stream.next() => match message {
                    Some(Ok(Message::Text(text))) => {
                        if let Ok(frame) = serde_json::from_str::<Value>(&text) {
                            receipts.note(&frame);
                        }
                    }
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => {
                        receipts.closed_by_server.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                    Some(Ok(_)) => {}
                },
            }
        }
    });
    Ok(OpenSocket {
        user_id,
        close,
        reader,
    })
}
