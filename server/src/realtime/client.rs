//! One WebSocket connection, from `hello` to close.
//!
//! The order of a connection is what makes delivery lossless: the socket joins the hub *before*
//! the replay query runs, so a notification stored after the query is queued live, and one
//! stored before it is replayed; one that is both is sent once, because replayed ids are
//! remembered and their live copies skipped.
//!
//! When events may have been lost on their way to this instance (the broker's connection broke,
//! another instance could not publish), the socket catches up the same way, from the newest
//! notification it delivered, and stays open.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message};
use futures::{Sink, SinkExt, Stream, StreamExt};
use time::OffsetDateTime;
use tokio::time::{timeout, Instant};

use app::model::{GlobalNotificationId, NotificationId, Role, SessionId, UserId};
use app::protocol::{ClientFrame, Disconnect, ErrorCode, ServerFrame};
use app::ssr::log_throttle::LogThrottle;
use app::ssr::store::StoreError;
use app::ssr::{announcements, inbox, Services};

use super::hub::{ClientHandle, FrameKey, Outbound};
use super::Node;

/// Limits and timings of every socket, from the configuration.
#[derive(Clone, Debug)]
pub struct ClientSettings {
    /// Frames that may wait for a socket before it is closed as slow.
    pub queue_capacity: usize,
    /// The largest frame or message a client may send, in bytes.
    pub max_message_bytes: usize,
    /// Bytes the socket may buffer for a client whose network is slow before it is dropped.
    pub max_write_buffer_bytes: usize,
    /// How often the server pings, and checks that the session is still valid.
    pub ping_interval: Duration,
    /// A client silent this long (no frame, no pong) is dropped.
    pub idle_timeout: Duration,
    /// How long one write may take before the client is dropped as slow.
    pub write_timeout: Duration,
    /// Sustained client frames per second, and the burst allowed above it, before 1008.
    pub frames_per_second: u32,
    pub frame_burst: u32,
    /// Sockets one user may hold open on this instance, and this instance at most.
    pub max_sockets_per_user: usize,
    pub max_sockets: usize,
    /// The most notifications one replay (a handshake's `?after=`, or a catch-up) sends: the
    /// newest ones, then a `resync` frame if more were missed.
    pub max_replay: u32,
    /// Handshakes one user may make on this instance: this many at once, and this many per
    /// `handshake_window` on average after that (429 beyond).
    pub handshakes_per_user: u32,
    pub handshake_window: Duration,
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self {
            queue_capacity: 256,
            max_message_bytes: 16 * 1024,
            max_write_buffer_bytes: 1024 * 1024,
            ping_interval: Duration::from_secs(25),
            idle_timeout: Duration::from_secs(60),
            write_timeout: Duration::from_secs(10),
            frames_per_second: 20,
            frame_burst: 40,
            max_sockets_per_user: 20,
            max_sockets: 50_000,
            max_replay: 500,
            handshakes_per_user: 20,
            handshake_window: Duration::from_secs(10),
        }
    }
}

/// Who is connecting, and from where they resume.
#[derive(Clone, Debug)]
pub struct Connection {
    pub user_id: UserId,
    /// Which global notifications the socket receives (see `GlobalAudience`).
    pub role: Role,
    pub session_id: SessionId,
    /// Replay the user's notifications with an id above this (`after=0`: all of them); `None`
    /// sends only those stored from now on.
    pub after: Option<NotificationId>,
    /// Replay the live global notifications with an id above this; `None` replays none.
    pub after_global: Option<GlobalNotificationId>,
}

/// Serves one socket until it closes.
pub async fn serve<S>(
    socket: S,
    connection: Connection,
    node: std::sync::Arc<Node>,
    services: Services,
) where
    S: Stream<Item = Result<Message, axum::Error>> + Sink<Message, Error = axum::Error> + Unpin,
{
    let (handle, queue) =
        node.hub
            .register(connection.user_id, connection.role, connection.session_id);
    let mut client = Client {
        socket,
        node: &node,
        services: &services,
        connection: &connection,
        replayed: HashMap::new(),
        cursor: None,
        socket_key: node.socket_key(handle.id),
        focus: None,
        focus_stored: false,
    };
    let end = client.run(queue, &handle).await;
    // Every way out of `run` passes here, so a closed socket's page stops counting as on screen
    // at once (if this process dies instead, its focus expires by itself).
    client.forget_focus().await;
    node.hub.unregister(&handle);
    match end {
        Ok(()) => {}
        Err(End::WriteFailed) => {
            tracing::debug!(user_id = %connection.user_id, "socket write failed")
        }
        Err(End::Slow) => {
            // Here, where every socket ends once, so a socket dropped as slow counts once.
            node.metrics.slow_client_closes.inc();
            tracing::debug!(user_id = %connection.user_id, "socket write timed out: dropped as slow")
        }
        Err(End::Store(err)) => {
            tracing::warn!(user_id = %connection.user_id, %err, "socket ended on a storage error")
        }
    }
}

/// Why a socket's loop stopped early.
#[derive(Debug)]
enum End {
    /// A write failed: the client is gone.
    WriteFailed,
    /// A write did not finish within the write timeout: the client does not read.
    Slow,
    Store(String),
}

/// One socket's loop, from hello to close, and what it keeps meanwhile (centrifuge's `Client`;
/// the hub holds its [`ClientHandle`]).
struct Client<'a, S> {
    socket: S,
    node: &'a Node,
    services: &'a Services,
    connection: &'a Connection,
    /// Frames sent from storage whose live copy may still arrive, and when they were sent.
    replayed: HashMap<FrameKey, Instant>,
    /// The newest notification id this socket has delivered, if any: where a catch-up resumes.
    cursor: Option<NotificationId>,
    /// This socket's name in the store's conversation focus.
    socket_key: String,
    /// The peer of the conversation this socket's page shows, as the client last said.
    focus: Option<UserId>,
    /// Whether the store may hold a focus of this socket's, to delete when it closes.
    focus_stored: bool,
}

/// A replayed frame's live copy arrives within moments of the replay, if at all (an event lost
/// on the way never arrives); after this long it is forgotten, so the memory stays bounded.
const REPLAYED_KEEP: Duration = Duration::from_secs(60);

impl<S> Client<'_, S>
where
    S: Stream<Item = Result<Message, axum::Error>> + Sink<Message, Error = axum::Error> + Unpin,
{
    /// Rare steps (the replay, a catch-up, a client's frame, closing) are boxed where they are
    /// awaited: a future is as large as its largest step, and this one lives as long as its
    /// socket, idle almost all the time (docs/benchmarks.md, memory per socket).
    async fn run(
        &mut self,
        mut queue: tokio::sync::mpsc::Receiver<Outbound>,
        handle: &ClientHandle,
    ) -> Result<(), End> {
        let closer = &handle.closer;
        let user_id = self.connection.user_id;
        let store = &self.services.store;
        let unread_count = store
            .unread_count(user_id)
            .await
            .map_err(|e| End::Store(e.to_string()))?;
        self.send_frame(&ServerFrame::Hello {
            user_id,
            unread_count,
        })
        .await?;
        Box::pin(self.replay()).await?;

        let settings = &self.node.settings;
        let mut ping = tokio::time::interval_at(
            Instant::now() + settings.ping_interval,
            settings.ping_interval,
        );
        let idle = tokio::time::sleep(settings.idle_timeout);
        tokio::pin!(idle);
        let mut flood = TokenBucket::new(settings.frames_per_second, settings.frame_burst);

        loop {
            tokio::select! {
                reason = closer.closed() => {
                    Box::pin(self.close(reason)).await;
                    return Ok(());
                }
                () = handle.catch_up.notified() => {
                    // What is queued goes first, so frames keep their order; then the socket
                    // catches up from where its last queued notification left it.
                    for _ in 0..settings.queue_capacity {
                        let Ok(outbound) = queue.try_recv() else { break };
                        self.deliver(outbound).await?;
                    }
                    let overflowed = handle.overflowed.swap(false, Ordering::AcqRel);
                    match Box::pin(self.catch_up(overflowed)).await {
                        Ok(()) => {}
                        Err(End::Store(err)) => {
                            // The client resumes from where it is when it reconnects.
                            tracing::warn!(%user_id, %err, "could not catch a socket up");
                            Box::pin(self.close(Disconnect::Resync)).await;
                            return Ok(());
                        }
                        Err(end) => return Err(end),
                    }
                }
                outbound = queue.recv() => {
                    let Some(outbound) = outbound else { return Ok(()) };
                    self.deliver(outbound).await?;
                }
                () = &mut idle => {
                    Box::pin(self.close(Disconnect::Idle))
                    .await;
                    return Ok(());
                }
                message = self.socket.next() => {
                    idle.as_mut().reset(Instant::now() + settings.idle_timeout);
                    match message {
                        Some(Ok(Message::Text(text))) => {
                            if !flood.take() {
                                return Box::pin(self.flooded()).await;
                            }
                            let reply = Box::pin(self.handle(text.as_str())).await;
                            if let Some(reply) = reply {
                                self.send_frame(&reply).await?;
                            }
                        }
                        Some(Ok(Message::Binary(_))) => {
                            if !flood.take() {
                                return Box::pin(self.flooded()).await;
                            }
                            let reply = error_frame(ErrorCode::InvalidFrame, "frames must be JSON text");
                            self.send_frame(&reply).await?;
                        }
                        // Control frames count too: a ping flood costs a pong each.
                        Some(Ok(Message::Ping(_) | Message::Pong(_))) => {
                            if !flood.take() {
                                return Box::pin(self.flooded()).await;
                            }
                        }
                        Some(Ok(Message::Close(_))) => {
                            // tungstenite has queued the answering close frame (1002 if the
                            // client's code was one nobody may send); it goes out on a flush.
                            let flushed = self.socket.flush();
                            let _ = tokio::time::timeout(Duration::from_secs(1), flushed).await;
                            return Ok(());
                        }
                        None => return Ok(()),
                        Some(Err(err)) => {
                            if let Some(reason) = close_for(&err) {
                                Box::pin(self.close(reason)).await;
                            }
                            return Ok(());
                        }
                    }
                }
                _ = ping.tick() => {
                    let live = store
                        .session_is_live(self.connection.session_id, OffsetDateTime::now_utc())
                        .await;
                    // A database that cannot answer now does not end the socket: the session is
                    // checked again at the next ping.
                    if let Err(err) = &live {
                        tracing::warn!(%user_id, %err, "could not check a socket's session");
                    }
                    if matches!(live, Ok(false)) {
                        Box::pin(self.close(Disconnect::SessionExpired))
                        .await;
                        return Ok(());
                    }
                    Box::pin(self.refresh_focus()).await;
                    self.send(Message::Ping(Default::default())).await?;
                }
            }
        }
    }

    /// Sends what the client missed, oldest first, remembering each id so the live copy is
    /// skipped. A client that names no resume point starts from the newest notification now.
    async fn replay(&mut self) -> Result<(), End> {
        let user_id = self.connection.user_id;
        match self.connection.after {
            Some(after) => {
                self.cursor = Some(after);
                self.replay_notifications().await?;
            }
            None => {
                self.cursor = self
                    .services
                    .store
                    .latest_notification_id(user_id)
                    .await
                    .map_err(|e| End::Store(e.to_string()))?;
            }
        }
        if let Some(after_global) = self.connection.after_global {
            // What the page would render now: the live globals for this user's role, less the
            // ones they dismissed (on another device, meanwhile).
            let banners = announcements::banners_for(self.services, user_id, self.connection.role)
                .await
                .map_err(|e| End::Store(e.to_string()))?;
            for global in banners.into_iter().filter(|g| g.id > after_global) {
                let id = global.id;
                self.replayed.insert(FrameKey::Global(id), Instant::now());
                self.send_frame(&ServerFrame::GlobalNotification {
                    notification: global,
                })
                .await?;
                self.services.reach.seen(user_id, [id]);
            }
        }
        Ok(())
    }

    /// Sends one frame from the queue, unless it was replayed already.
    async fn deliver(&mut self, outbound: Outbound) -> Result<(), End> {
        if let Some(FrameKey::Notification(id)) = outbound.key() {
            self.cursor = self.cursor.max(Some(id));
        }
        if outbound
            .key()
            .is_some_and(|key| self.replayed.remove(&key).is_some())
        {
            return Ok(());
        }
        self.send(Message::Text(outbound.frame())).await?;
        // The hub queues a global only for the sockets of its audience: delivered here, it was
        // seen.
        if let Some(FrameKey::Global(id)) = outbound.key() {
            self.services.reach.seen(self.connection.user_id, [id]);
        }
        Ok(())
    }

    /// Sends the user's notifications newer than the cursor, oldest first, then the unread
    /// count as storage has it. Globals are caught up by the instance's watcher. After frames
    /// were dropped from a full queue (`overflowed`), a `resync` follows: what was dropped may
    /// have been other than new notifications (a change, a banner, a message).
    async fn catch_up(&mut self, overflowed: bool) -> Result<(), End> {
        self.node.metrics.catch_ups.inc();
        let resynced = self.replay_notifications().await?;
        let count = self
            .services
            .store
            .unread_count(self.connection.user_id)
            .await
            .map_err(|e| End::Store(e.to_string()))?;
        self.send_frame(&ServerFrame::UnreadCount { count }).await?;
        if overflowed && !resynced {
            self.send_frame(&ServerFrame::Resync).await?;
        }
        Ok(())
    }

    /// Sends the user's notifications newer than the cursor, oldest first: at most the newest
    /// `max_replay` of them, then a `resync` frame if there were more (the client re-reads its
    /// list over HTTP). One query of bounded size, whatever the inbox holds. Answers whether it
    /// sent `resync`.
    async fn replay_notifications(&mut self) -> Result<bool, End> {
        let cap = self.node.settings.max_replay.max(1);
        self.replayed
            .retain(|_, sent| sent.elapsed() < REPLAYED_KEEP);
        let mut newest = self
            .services
            .store
            .newest_notifications_after(self.connection.user_id, self.cursor, cap + 1)
            .await
            .map_err(|e| End::Store(e.to_string()))?;
        let capped = newest.len() > cap as usize;
        if capped {
            // The oldest of the cap + 1 only told that there were more.
            newest.remove(0);
        }
        for notification in newest {
            self.cursor = Some(notification.id);
            self.replayed
                .insert(FrameKey::Notification(notification.id), Instant::now());
            self.send_frame(&ServerFrame::Notification { notification })
                .await?;
            self.node.metrics.replayed_notifications.inc();
        }
        if capped {
            self.node.metrics.capped_replays.inc();
            self.send_frame(&ServerFrame::Resync).await?;
        }
        Ok(capped)
    }

    /// Answers one client frame; `None` when the answer arrives another way (an unread count),
    /// or there is none (a focus).
    async fn handle(&mut self, text: &str) -> Option<ServerFrame> {
        let frame = match serde_json::from_str::<ClientFrame>(text) {
            Ok(frame) => frame,
            Err(err) => return Some(error_frame(ErrorCode::InvalidFrame, &err.to_string())),
        };
        let services = self.services;
        let user_id = self.connection.user_id;
        let outcome = match frame {
            ClientFrame::Ping => return Some(ServerFrame::Pong),
            ClientFrame::Focus { conversation_with } => {
                self.focus = conversation_with;
                self.store_focus().await;
                return None;
            }
            ClientFrame::MarkRead { notification_id } => {
                inbox::mark_read(services, user_id, notification_id)
                    .await
                    .map(|found| found.is_some())
            }
            ClientFrame::MarkAllRead => inbox::mark_all_read(services, user_id).await.map(|_| true),
            ClientFrame::MarkGroupRead { group_key } => {
                inbox::mark_group_read(services, user_id, &group_key)
                    .await
                    .map(|_| true)
            }
            ClientFrame::Archive { notification_id } => {
                inbox::set_archived(services, user_id, notification_id, true)
                    .await
                    .map(|found| found.is_some())
            }
            ClientFrame::Unarchive { notification_id } => {
                inbox::set_archived(services, user_id, notification_id, false)
                    .await
                    .map(|found| found.is_some())
            }
        };
        match outcome {
            Ok(true) => None,
            // Another user's id is answered exactly like a missing one.
            Ok(false) => Some(error_frame(ErrorCode::NotFound, "no such notification")),
            // A busy or locked database: "not now", with a retry hint, as the API's 503 says.
            Err(StoreError::Unavailable(err)) => {
                static UNAVAILABLE: LogThrottle = LogThrottle::per_second();
                if let Some(suppressed) = UNAVAILABLE.allow() {
                    tracing::warn!(%err, suppressed, "socket action refused: database unavailable");
                }
                Some(ServerFrame::Error {
                    code: ErrorCode::Unavailable,
                    message: "the database is busy or unavailable; try again shortly".to_owned(),
                    retry_after_ms: Some(UNAVAILABLE_RETRY_AFTER.as_millis() as u64),
                })
            }
            Err(err) => {
                tracing::error!(%err, "socket action failed");
                Some(error_frame(
                    ErrorCode::Internal,
                    "something went wrong; try again",
                ))
            }
        }
    }

    /// Tells the store what this socket's page shows now, for every instance to see: valid for
    /// two ping intervals, and set again at each ping while it lasts, so the focus of a socket
    /// whose instance died expires by itself. A failure is logged, not answered: the worst it
    /// causes is a notification of a message already on screen (or, for a clear that failed,
    /// none for a conversation left, until the focus expires).
    async fn store_focus(&mut self) {
        let store = &self.services.store;
        let stored = match self.focus {
            Some(peer_id) => {
                let expires_at = OffsetDateTime::now_utc() + 2 * self.node.settings.ping_interval;
                self.focus_stored = true;
                store
                    .set_focus(
                        &self.socket_key,
                        self.connection.user_id,
                        peer_id,
                        expires_at,
                    )
                    .await
            }
            None => {
                let cleared = store.clear_focus(&self.socket_key).await;
                self.focus_stored = cleared.is_err();
                cleared
            }
        };
        if let Err(err) = stored {
            tracing::warn!(user_id = %self.connection.user_id, %err, "could not store a socket's focus");
        }
    }

    /// Keeps a focus from expiring while the socket lives; called at every server ping.
    async fn refresh_focus(&mut self) {
        if self.focus.is_some() {
            self.store_focus().await;
        }
    }

    /// Deletes this socket's focus from the store, if it may have one: the socket is closing.
    async fn forget_focus(&mut self) {
        if self.focus_stored {
            self.focus = None;
            self.store_focus().await;
        }
    }

    async fn flooded(&mut self) -> Result<(), End> {
        self.node.metrics.flood_closes.inc();
        self.close(Disconnect::Flood).await;
        Ok(())
    }

    async fn send_frame(&mut self, frame: &ServerFrame) -> Result<(), End> {
        let text = serde_json::to_string(frame).expect("frames always serialize");
        self.send(Message::Text(text.into())).await
    }

    async fn send(&mut self, message: Message) -> Result<(), End> {
        match timeout(self.node.settings.write_timeout, self.socket.send(message)).await {
            Ok(Ok(())) => {
                self.node.metrics.frames_sent.inc();
                Ok(())
            }
            Ok(Err(_)) => Err(End::WriteFailed),
            Err(_elapsed) => Err(End::Slow),
        }
    }

    /// Sends a close frame, then reads (and drops) what the client still sends until it answers
    /// the close, for at most a second. Closing a TCP connection with unread bytes in it makes
    /// the kernel reset it, and the client would never see the close frame and its code.
    async fn close(&mut self, why: Disconnect) {
        let frame = CloseFrame {
            code: why.code(),
            reason: why.reason().into(),
        };
        let deadline = Instant::now() + Duration::from_secs(1);
        let sent = tokio::time::timeout_at(deadline, self.socket.send(Message::Close(Some(frame))));
        if !matches!(sent.await, Ok(Ok(()))) {
            return;
        }
        let drain = async {
            while let Some(Ok(message)) = self.socket.next().await {
                if matches!(message, Message::Close(_)) {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout_at(deadline, drain).await;
    }
}

/// How long a client waits before sending a frame refused as `unavailable` again: the API's
/// `Retry-After` for the same refusal.
const UNAVAILABLE_RETRY_AFTER: Duration = Duration::from_secs(1);

fn error_frame(code: ErrorCode, message: &str) -> ServerFrame {
    ServerFrame::Error {
        code,
        message: message.to_owned(),
        retry_after_ms: None,
    }
}

/// The close frame a read error calls for (RFC 6455 §7.4.1), when the client broke the
/// protocol rather than the connection: 1009 for a frame or message over the limit, 1007 for
/// text that is not UTF-8, 1002 for any other violation (a reserved bit, an unknown opcode, a
/// fragmented or oversized control frame, a continuation of nothing). A connection that failed
/// (reset, I/O error) gets none: nobody is there to read it.
fn close_for(err: &axum::Error) -> Option<Disconnect> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(current) = source {
        match current.downcast_ref::<tungstenite::Error>() {
            Some(tungstenite::Error::Capacity(_)) => return Some(Disconnect::TooBig),
            Some(tungstenite::Error::Utf8(_)) => return Some(Disconnect::InvalidPayload),
            Some(tungstenite::Error::Protocol(
                tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
            )) => return None,
            Some(tungstenite::Error::Protocol(_)) => return Some(Disconnect::ProtocolError),
            Some(_) => return None,
            None => source = current.source(),
        }
    }
    None
}

/// Allows `per_second` frames a second on average and bursts of `burst`.
struct TokenBucket {
    tokens: f64,
    burst: f64,
    per_second: f64,
    refilled: Instant,
}

impl TokenBucket {
    fn new(per_second: u32, burst: u32) -> Self {
        Self {
            tokens: f64::from(burst),
            burst: f64::from(burst),
            per_second: f64::from(per_second),
            refilled: Instant::now(),
        }
    }

    fn take(&mut self) -> bool {
        let now = Instant::now();
        let earned = now.duration_since(self.refilled).as_secs_f64() * self.per_second;
        self.tokens = (self.tokens + earned).min(self.burst);
        self.refilled = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}
