//! What happened, as told to the real-time side. Every event is published after the change it
//! describes is stored, so a client that misses an event finds its effect in storage.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::model::{DirectMessage, Notification, Preferences, SessionId, UserId};

/// Its name (`kind` in JSON, and in the broker's logs) is its variant's, in snake case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Event {
    /// A notification was stored for `notification.user_id`.
    Notification { notification: Notification },
    /// A stored notification changed other than by being read (it was archived or brought
    /// back): its user's sockets replace their copy.
    NotificationChanged { notification: Notification },
    /// A user saved their alert preferences: every device of theirs applies them at once.
    Preferences {
        user_id: UserId,
        preferences: Preferences,
    },
    /// A user's unread count is now `count`.
    UnreadCount { user_id: UserId, count: i64 },
    /// Global notifications were created or changed: every instance re-reads the live ones.
    GlobalsChanged,
    /// A direct message was stored: both people's sockets show it.
    Message { message: DirectMessage },
    /// A session was signed out: its sockets close.
    SessionEnded {
        user_id: UserId,
        session_id: SessionId,
    },
    /// Events may have been lost (an instance could not publish): every socket on every
    /// instance catches up from storage.
    CatchUp,
}

/// Where events go. Publishing never fails for the caller: the change is already stored, and a
/// lost event is caught up from storage when clients reconnect.
#[async_trait]
pub trait EventSink: Send + Sync + 'static {
    async fn publish(&self, event: Event);

    /// Publishes `events` in order; a sink that can hand them over together does.
    async fn publish_all(&self, events: Vec<Event>) {
        for event in events {
            self.publish(event).await;
        }
    }
}

/// Who is connected to this instance. (What their pages show is shared by every instance, in
/// the store: see [`FocusStore`](super::store::FocusStore).)
pub trait Presence: Send + Sync + 'static {
    /// Sockets open on this instance.
    fn open_sockets(&self) -> usize;
}
