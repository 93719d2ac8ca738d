//! The browser's side of the real-time protocol: one connection per browser (its leader tab holds
//! it for the others, see `tabs`), or per page where the browser cannot share one, and the state
//! it feeds: connection status, unread count, banners, toasts, the notifications
//! received, and an activity log.
//!
//! The state lives in signals that the server renders too (so the first HTML is complete); the
//! connection itself exists only in the browser (`hydrate`).

#[cfg(feature = "hydrate")]
pub mod alert;
pub mod backoff;
#[cfg(feature = "hydrate")]
pub mod browser;
#[cfg(feature = "hydrate")]
pub mod desktop;
pub mod followers;
#[cfg(feature = "hydrate")]
pub mod leader;
pub mod seen;
#[cfg(feature = "hydrate")]
pub mod socket;
#[cfg(feature = "hydrate")]
pub mod sound;
#[cfg(feature = "hydrate")]
pub mod tabs;

use leptos::prelude::*;

use crate::model::{
    DirectMessage, GlobalNotification, GlobalNotificationId, GroupKey, Link, MessageText,
    Notification, NotificationId, Preferences, Title,
};

/// What `ws-status` says: `connecting`, `connected` or `disconnected`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr, serde::Serialize, serde::Deserialize,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Connecting,
    Connected,
    Disconnected,
}

/// Whether the browser may show desktop notifications.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DesktopPermission {
    /// Not known yet (the server, or before hydration).
    Unknown,
    Unsupported,
    Default,
    Granted,
    /// Granted by the browser, turned off by the user on this device.
    Off,
    Denied,
}

/// A toast on screen. `tone` is the CSS class that colours it. A toast of a group shows its
/// newest notification and how many have arrived while it was up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toast {
    pub key: u64,
    pub title: Title,
    pub body: MessageText,
    pub tone: String,
    pub link: Option<Link>,
    pub notification_id: Option<NotificationId>,
    pub group_key: Option<GroupKey>,
    /// How many notifications it stands for (1 unless grouped).
    pub count: usize,
}

/// What a line of the activity log is; its name is the line's CSS class (`log-sent`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum LogKind {
    Info,
    Sent,
    Received,
    Error,
}

/// One line of the activity log of `/realtime-test/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    pub key: u64,
    pub at: String,
    pub kind: LogKind,
    pub text: String,
}

/// The page's real-time state.
#[derive(Clone, Copy)]
pub struct Realtime {
    pub status: RwSignal<Status>,
    pub unread: RwSignal<i64>,
    pub banners: RwSignal<Vec<GlobalNotification>>,
    pub toasts: RwSignal<Vec<Toast>>,
    /// Notifications received over the socket, newest first.
    pub received: RwSignal<Vec<Notification>>,
    /// The newest notifications of the inbox (not archived), newest first: what the bell's
    /// popover lists. The server renders it with the page; the socket keeps it current.
    pub recent: RwSignal<Vec<Notification>>,
    /// Notifications that changed other than by being read (archived, brought back), oldest
    /// first: lists on screen apply them in order.
    pub changed: RwSignal<Vec<Notification>>,
    /// The user's alert preferences, as the server last said.
    pub preferences: RwSignal<Preferences>,
    pub log: RwSignal<Vec<LogEntry>>,
    pub desktop: RwSignal<DesktopPermission>,
    /// Direct messages sent or received over the socket since the page loaded.
    pub messages: RwSignal<Vec<DirectMessage>>,
}

const MAX_RECEIVED: usize = 100;
/// How many notifications the popover keeps.
pub const MAX_RECENT: usize = 50;
const MAX_LOG: usize = 300;
const MAX_QUEUED_TOASTS: usize = 50;

impl Realtime {
    fn new() -> Self {
        Self {
            status: RwSignal::new(Status::Connecting),
            unread: RwSignal::new(0),
            banners: RwSignal::new(Vec::new()),
            toasts: RwSignal::new(Vec::new()),
            received: RwSignal::new(Vec::new()),
            recent: RwSignal::new(Vec::new()),
            changed: RwSignal::new(Vec::new()),
            preferences: RwSignal::new(Preferences::default()),
            log: RwSignal::new(Vec::new()),
            desktop: RwSignal::new(DesktopPermission::Unknown),
            messages: RwSignal::new(Vec::new()),
        }
    }

    pub fn log(&self, kind: LogKind, text: impl Into<String>) {
        let entry = LogEntry {
            key: next_key(),
            at: now_hms(),
            kind,
            text: text.into(),
        };
        self.log.update(|log| {
            log.push(entry);
            if log.len() > MAX_LOG {
                log.remove(0);
            }
        });
    }

    /// Keeps a notification that just arrived; answers false if it was here already (a replay
    /// after a reconnect), so it raises no second toast.
    pub fn remember(&self, notification: Notification) -> bool {
        let is_new = self
            .received
            .with_untracked(|received| received.iter().all(|n| n.id != notification.id));
        if !is_new {
            return false;
        }
        self.recent.update(|recent| {
            if recent.iter().all(|n| n.id != notification.id) {
                recent.insert(0, notification.clone());
                recent.sort_by_key(|n| std::cmp::Reverse(n.id));
                recent.truncate(MAX_RECENT);
            }
        });
        self.received.update(|received| {
            received.insert(0, notification);
            received.truncate(MAX_RECEIVED);
        });
        true
    }

    /// A notification changed (archived, or brought back): the popover follows, and so do the
    /// lists that watch [`Realtime::changed`].
    pub fn apply_change(&self, notification: Notification) {
        self.recent.update(|recent| {
            recent.retain(|n| n.id != notification.id);
            if notification.archived_at.is_none() {
                recent.push(notification.clone());
                recent.sort_by_key(|n| std::cmp::Reverse(n.id));
                recent.truncate(MAX_RECENT);
            }
        });
        self.changed.update(|changed| {
            changed.push(notification);
            if changed.len() > MAX_RECEIVED {
                changed.remove(0);
            }
        });
    }

    /// Shows the notifications `ids` as read in the popover (once the server has said so).
    pub fn show_read(&self, ids: &[NotificationId]) {
        self.recent.update(|recent| {
            for n in recent.iter_mut().filter(|n| ids.contains(&n.id)) {
                n.is_read = true;
            }
        });
    }

    /// Queues a toast, or, when a toast of the same group is still queued or on screen, makes
    /// that one show the newest and count one more: a burst of 20 applications to one job is
    /// one toast counting up. The queue is bounded: past [`MAX_QUEUED_TOASTS`], the oldest
    /// waiting one is dropped (it is in the inbox all the same).
    pub fn toast(&self, toast: Toast) {
        self.toasts.update(|toasts| {
            let same_group = toast.group_key.as_ref().and_then(|key| {
                toasts
                    .iter_mut()
                    .find(|t| t.group_key.as_ref() == Some(key))
            });
            if let Some(grouped) = same_group {
                *grouped = Toast {
                    key: grouped.key,
                    count: grouped.count + toast.count,
                    ..toast
                };
                return;
            }
            toasts.push(toast);
            if toasts.len() > MAX_QUEUED_TOASTS {
                let oldest_waiting = crate::components::toasts::SHOWN_AT_ONCE.min(toasts.len() - 1);
                toasts.remove(oldest_waiting);
            }
        });
    }

    pub fn dismiss_toast(&self, key: u64) {
        self.toasts.update(|toasts| toasts.retain(|t| t.key != key));
    }

    pub fn remove_banner(&self, id: GlobalNotificationId) {
        self.banners
            .update(|banners| banners.retain(|b| b.id != id));
    }
}

pub fn provide_realtime() -> Realtime {
    let realtime = Realtime::new();
    provide_context(realtime);
    realtime
}

/// A key unique within this page, for list items.
pub fn next_key() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

fn now_hms() -> String {
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new_0();
        format!(
            "{:02}:{:02}:{:02}",
            date.get_hours(),
            date.get_minutes(),
            date.get_seconds()
        )
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}
