//! The sockets connected to this instance, and delivery to them.
//!
//! Each frame is serialized once per event and shared by every socket it goes to. Each socket has
//! a bounded queue: what does not fit (a burst, such as a bulk publish to one user, or a client
//! falling behind) is dropped, and the socket, once it has sent what is queued, catches up from
//! storage and tells the client to re-read the rest (`resync`). A client that does not read at
//! all is dropped when a write to it times out. Delivery never waits on a socket.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::{mpsc, Notify};

use app::model::{GlobalNotificationId, NotificationId, Role, SessionId, UserId};
use app::protocol::{Disconnect, ServerFrame};
use app::ssr::events::Event;

use super::metrics::Metrics;

/// Identifies a frame that may be sent twice (once replayed, once live), so a socket can skip the
/// second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrameKey {
    Notification(NotificationId),
    Global(GlobalNotificationId),
}

/// One serialized frame on its way to sockets, shared by all of them. A pointer: every socket
/// has a queue, and an idle queue's memory grows with the size of what it holds (tokio's
/// channel allocates its slots in blocks of 32).
#[derive(Clone, Debug)]
pub struct Outbound(Arc<Serialized>);

#[derive(Debug)]
struct Serialized {
    frame: Utf8Bytes,
    key: Option<FrameKey>,
}

impl Outbound {
    pub fn new(frame: &ServerFrame, key: Option<FrameKey>) -> Self {
        let text = serde_json::to_string(frame).expect("frames always serialize");
        Self(Arc::new(Serialized {
            frame: text.into(),
            key,
        }))
    }

    /// The frame's text, as it goes on the wire.
    pub fn frame(&self) -> Utf8Bytes {
        self.0.frame.clone()
    }

    /// What identifies the frame if it may be sent twice.
    pub fn key(&self) -> Option<FrameKey> {
        self.0.key
    }
}

/// A one-shot close request that bypasses the (possibly full) queue.
#[derive(Debug, Default)]
pub struct Closer {
    reason: Mutex<Option<Disconnect>>,
    notify: Notify,
}

impl Closer {
    /// Asks the socket to close; the first reason wins. True if this call was the first.
    pub fn close(&self, why: Disconnect) -> bool {
        let mut slot = self.reason.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_some() {
            return false;
        }
        *slot = Some(why);
        self.notify.notify_one();
        true
    }

    /// Resolves once a close was asked for.
    pub async fn closed(&self) -> Disconnect {
        loop {
            if let Some(reason) = *self.reason.lock().unwrap_or_else(PoisonError::into_inner) {
                return reason;
            }
            self.notify.notified().await;
        }
    }
}

/// The hub's side of one socket.
#[derive(Debug)]
pub struct ClientHandle {
    pub id: u64,
    pub user_id: UserId,
    /// The user's role when the socket opened: which global notifications it receives.
    pub role: Role,
    pub session_id: SessionId,
    queue: mpsc::Sender<Outbound>,
    pub closer: Closer,
    /// Asks the socket to catch up from storage: events may have been lost on their way here,
    /// or dropped because its queue was full.
    pub catch_up: Notify,
    /// Frames were dropped because the queue was full since the socket last caught up.
    pub overflowed: AtomicBool,
}

impl ClientHandle {
    fn offer(&self, outbound: Outbound, metrics: &Metrics) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.queue.try_send(outbound) {
            // Counted once per overflow, not once per frame that did not fit.
            if !self.overflowed.swap(true, Ordering::AcqRel) {
                metrics.queue_overflows.inc();
            }
            self.catch_up.notify_one();
        }
    }
}

pub struct Hub {
    by_user: Mutex<HashMap<UserId, Vec<Arc<ClientHandle>>>>,
    next_id: AtomicU64,
    queue_capacity: usize,
    metrics: Arc<Metrics>,
}

impl Hub {
    pub fn new(queue_capacity: usize, metrics: Arc<Metrics>) -> Self {
        Self {
            by_user: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            queue_capacity: queue_capacity.max(1),
            metrics,
        }
    }

    /// Adds a socket; from now on it receives the user's frames, and the global frames for
    /// `role`, in its queue.
    pub fn register(
        &self,
        user_id: UserId,
        role: Role,
        session_id: SessionId,
    ) -> (Arc<ClientHandle>, mpsc::Receiver<Outbound>) {
        let (queue, receiver) = mpsc::channel(self.queue_capacity);
        let handle = Arc::new(ClientHandle {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            user_id,
            role,
            session_id,
            queue,
            closer: Closer::default(),
            catch_up: Notify::new(),
            overflowed: AtomicBool::new(false),
        });
        self.lock().entry(user_id).or_default().push(handle.clone());
        self.metrics.sockets_open.inc();
        self.metrics.sockets_opened.inc();
        (handle, receiver)
    }

    pub fn unregister(&self, handle: &ClientHandle) {
        let mut by_user = self.lock();
        if let Some(clients) = by_user.get_mut(&handle.user_id) {
            let before = clients.len();
            clients.retain(|c| c.id != handle.id);
            if clients.len() < before {
                self.metrics.sockets_open.dec();
            }
            if clients.is_empty() {
                by_user.remove(&handle.user_id);
            }
        }
    }

    /// How many sockets are open on this instance.
    pub fn len(&self) -> usize {
        self.lock().values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Delivers a user-addressed event to this instance's sockets.
    pub fn deliver(&self, event: &Event) {
        match event {
            Event::Notification { notification } => {
                let frame = ServerFrame::Notification {
                    notification: notification.clone(),
                };
                let key = FrameKey::Notification(notification.id);
                self.send_to_user(notification.user_id, Outbound::new(&frame, Some(key)));
            }
            Event::NotificationChanged { notification } => {
                let frame = ServerFrame::NotificationChanged {
                    notification: notification.clone(),
                };
                self.send_to_user(notification.user_id, Outbound::new(&frame, None));
            }
            Event::Preferences {
                user_id,
                preferences,
            } => {
                let frame = ServerFrame::Preferences {
                    preferences: preferences.clone(),
                };
                self.send_to_user(*user_id, Outbound::new(&frame, None));
            }
            Event::UnreadCount { user_id, count } => {
                let frame = ServerFrame::UnreadCount { count: *count };
                self.send_to_user(*user_id, Outbound::new(&frame, None));
            }
            Event::SessionEnded {
                user_id,
                session_id,
            } => {
                for client in self.clients_of(*user_id) {
                    if client.session_id == *session_id {
                        client.closer.close(Disconnect::SignedOut);
                    }
                }
            }
            Event::Message { message } => {
                let frame = Outbound::new(
                    &ServerFrame::Message {
                        message: message.clone(),
                    },
                    None,
                );
                self.send_to_user(message.sender_id, frame.clone());
                if message.recipient_id != message.sender_id {
                    self.send_to_user(message.recipient_id, frame);
                }
            }
            // Read from storage by each instance: see `Node::dispatch`.
            Event::GlobalsChanged | Event::CatchUp => {}
        }
    }

    pub fn send_to_user(&self, user_id: UserId, outbound: Outbound) {
        for client in self.clients_of(user_id) {
            client.offer(outbound.clone(), &self.metrics);
        }
    }

    pub fn broadcast(&self, outbound: Outbound) {
        self.broadcast_to(outbound, |_| true);
    }

    /// Delivers to every socket whose user's role passes `audience`: a global notification goes
    /// only to the sockets of the people it is for, decided here, per socket, on every instance.
    pub fn broadcast_to(&self, outbound: Outbound, audience: impl Fn(Role) -> bool) {
        for client in self.all_clients() {
            if audience(client.role) {
                client.offer(outbound.clone(), &self.metrics);
            }
        }
    }

    /// Asks every socket to catch up from storage.
    pub fn catch_up_all(&self) {
        for client in self.all_clients() {
            client.catch_up.notify_one();
        }
    }

    pub fn close_all(&self, why: Disconnect) {
        for client in self.all_clients() {
            client.closer.close(why);
        }
    }

    fn clients_of(&self, user_id: UserId) -> Vec<Arc<ClientHandle>> {
        self.lock().get(&user_id).cloned().unwrap_or_default()
    }

    fn all_clients(&self) -> Vec<Arc<ClientHandle>> {
        self.lock().values().flatten().cloned().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<UserId, Vec<Arc<ClientHandle>>>> {
        // Every update leaves the map consistent: a panic elsewhere must not take every socket
        // of the instance down with it.
        self.by_user.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::{MessageText, Notification, NotificationType, Title};
    use time::OffsetDateTime;

    fn notification(id: i64, user_id: i64) -> Notification {
        Notification {
            id: NotificationId::new(id),
            user_id: UserId::new(user_id),
            title: Title::parse("title", "t").unwrap(),
            message: MessageText::default(),
            notification_type: NotificationType::System,
            link: None,
            group_key: None,
            is_read: false,
            read_at: None,
            archived_at: None,
            created_at: OffsetDateTime::now_utc(),
        }
    }

    #[tokio::test]
    async fn a_notification_reaches_every_socket_of_its_user_and_no_one_else() {
        let hub = Hub::new(8, Arc::default());
        let (_a1, mut q1) = hub.register(UserId::new(1), Role::Jobseeker, SessionId::new(10));
        let (_a2, mut q2) = hub.register(UserId::new(1), Role::Jobseeker, SessionId::new(11));
        let (_b, mut q3) = hub.register(UserId::new(2), Role::Employer, SessionId::new(20));
        hub.deliver(&Event::Notification {
            notification: notification(5, 1),
        });
        assert_eq!(
            q1.recv().await.unwrap().key(),
            Some(FrameKey::Notification(NotificationId::new(5)))
        );
        assert_eq!(
            q2.recv().await.unwrap().key(),
            Some(FrameKey::Notification(NotificationId::new(5)))
        );
        assert!(q3.try_recv().is_err());
    }

    #[tokio::test]
    async fn a_full_queue_drops_what_does_not_fit_and_asks_its_socket_to_catch_up() {
        let metrics = Arc::new(Metrics::default());
        let hub = Hub::new(2, metrics.clone());
        let (behind, _never_read) =
            hub.register(UserId::new(1), Role::Jobseeker, SessionId::new(10));
        let (fast, mut fast_queue) =
            hub.register(UserId::new(1), Role::Jobseeker, SessionId::new(11));
        for id in 0..4 {
            hub.deliver(&Event::Notification {
                notification: notification(id, 1),
            });
            fast_queue.recv().await.unwrap();
        }
        // Notified once: the permit waits for the socket's loop.
        behind.catch_up.notified().await;
        assert!(behind.overflowed.load(Ordering::Acquire));
        assert_eq!(metrics.queue_overflows.get(), 1, "once per overflow");
        assert!(behind.closer.reason.lock().unwrap().is_none(), "not closed");
        assert!(!fast.overflowed.load(Ordering::Acquire));
    }

    #[tokio::test]
    async fn signing_out_closes_only_that_sessions_sockets() {
        let hub = Hub::new(8, Arc::default());
        let (phone, _q1) = hub.register(UserId::new(1), Role::Jobseeker, SessionId::new(10));
        let (laptop, _q2) = hub.register(UserId::new(1), Role::Jobseeker, SessionId::new(11));
        hub.deliver(&Event::SessionEnded {
            user_id: UserId::new(1),
            session_id: SessionId::new(10),
        });
        assert_eq!(phone.closer.closed().await, Disconnect::SignedOut);
        assert!(laptop.closer.reason.lock().unwrap().is_none());
    }

    #[tokio::test]
    async fn a_frame_for_one_role_reaches_only_the_sockets_of_that_role() {
        let hub = Hub::new(8, Arc::default());
        let (_seeker, mut seeker) =
            hub.register(UserId::new(1), Role::Jobseeker, SessionId::new(10));
        let (_boss, mut boss) = hub.register(UserId::new(2), Role::Employer, SessionId::new(20));
        let (_root, mut root) = hub.register(UserId::new(3), Role::Admin, SessionId::new(30));
        let frame = ServerFrame::GlobalNotificationRemoved {
            id: GlobalNotificationId::new(7),
        };
        hub.broadcast_to(Outbound::new(&frame, None), |role| role == Role::Employer);
        assert!(boss.recv().await.is_some());
        assert!(seeker.try_recv().is_err());
        assert!(root.try_recv().is_err());
    }

    #[test]
    fn unregistering_forgets_the_socket() {
        let hub = Hub::new(8, Arc::default());
        let (a, _q) = hub.register(UserId::new(1), Role::Jobseeker, SessionId::new(10));
        assert_eq!(hub.len(), 1);
        hub.unregister(&a);
        assert!(hub.is_empty());
    }
}
