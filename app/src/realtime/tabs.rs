//! The tabs of one browser signed in as one user, and what they say to each other.
//!
//! One of them, the leader (elected by [`super::leader`]), holds the WebSocket; the others,
//! the followers, hold none. They talk over a `BroadcastChannel` named for the user (so another
//! account in the same browser never mixes in), in [`TabMessage`]s sent as JSON text: the leader
//! passes on every frame the server sends, exactly as it came, and every tab, the leader
//! included, applies it the same way (`socket::Connection::receive`); followers hand the leader
//! the frames they want sent.
//!
//! A browser without `BroadcastChannel` or Web Locks gets no [`Tabs`]: each tab then holds a
//! socket of its own, as before.

use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;

use gloo_events::EventListener;
use js_sys::{Function, Reflect};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

use super::browser::{page_is_hidden, window};
use super::followers::{TabId, TabState};
use super::leader::{self, Candidacy};
use super::Status;
use crate::model::{GlobalNotificationId, NotificationId, UserId};

/// What one tab tells the others. Each says who may send it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TabMessage {
    /// Leader → all: this tab now holds the socket. Every other tab answers with `join`.
    Elected,
    /// Leader → all: the text of a frame the server sent, as it came.
    Frame { text: String },
    /// Leader → all: the socket's state (each tab's `ws-status` shows it).
    Status { status: Status },
    /// Leader → the tab `to`: the frames it missed between its render and its `join`, then
    /// the current unread count.
    Replay { to: TabId, frames: Vec<String> },
    /// Any tab → all: the session is over (signed out, or expired): every tab goes to sign in.
    SessionOver,
    /// Follower → leader: a tab opened (or a new leader was elected): where its page's state
    /// stands, so the leader can catch it up.
    Join {
        tab: TabId,
        after: Option<NotificationId>,
        after_global: Option<GlobalNotificationId>,
        state: TabState,
    },
    /// Follower → leader: the tab's conversation on screen, or its visibility, changed.
    State { tab: TabId, state: TabState },
    /// Follower → leader: send this text on the socket.
    Send { text: String },
    /// Follower → leader: the tab left the group by hand (the test page). The leader also hears
    /// it, from itself, when a tab closes (see [`Tabs::watch`]).
    Leave { tab: TabId },
}

/// This tab's membership in its browser's group of tabs.
pub struct Tabs {
    /// This tab's name in the group.
    pub id: TabId,
    lock: String,
    channel: web_sys::BroadcastChannel,
    on_message: Rc<dyn Fn(TabMessage)>,
    on_elected: Rc<dyn Fn()>,
    candidacy: Option<Candidacy>,
    /// A lock held for as long as this tab lives (see [`Tabs::watch`]).
    alive: Option<Candidacy>,
    /// The leader's watches on the other tabs.
    watches: HashMap<TabId, Candidacy>,
    /// The channel's `message` listener; dropped with the membership, which removes it.
    _listener: EventListener,
}

/// The lock a tab holds for as long as it lives.
fn alive_lock(tab: &str) -> String {
    format!("herald-tab-{tab}")
}

fn broadcast_supported() -> bool {
    Reflect::has(&window(), &JsValue::from_str("BroadcastChannel")).unwrap_or(false)
}

/// A name for this tab: a UUID where the browser makes them, else time and chance.
fn new_tab_id() -> TabId {
    let uuid = Reflect::get(&window(), &JsValue::from_str("crypto"))
        .and_then(|crypto| {
            let make = Reflect::get(&crypto, &JsValue::from_str("randomUUID"))?;
            make.dyn_into::<Function>()?.call0(&crypto)
        })
        .ok()
        .and_then(|uuid| uuid.as_string());
    uuid.unwrap_or_else(|| {
        format!(
            "{}-{}",
            js_sys::Date::now(),
            (js_sys::Math::random() * 1e12) as u64
        )
    })
}

fn to_text(message: &TabMessage) -> JsValue {
    JsValue::from_str(&serde_json::to_string(message).expect("tab messages always serialize"))
}

impl Tabs {
    /// Joins the tabs of `user` in this browser and stands for leader: `on_message` gets what
    /// the other tabs say, `on_alive` runs once this tab may introduce itself (see
    /// [`Tabs::watch`]), `on_elected` when this tab is elected. `None` where the browser lacks
    /// `BroadcastChannel` or Web Locks.
    pub fn join(
        user: UserId,
        on_message: impl Fn(TabMessage) + 'static,
        on_alive: impl FnOnce() + 'static,
        on_elected: impl Fn() + 'static,
    ) -> Option<Self> {
        if !leader::supported() || !broadcast_supported() {
            return None;
        }
        let channel = web_sys::BroadcastChannel::new(&format!("herald-{user}")).ok()?;
        let id = new_tab_id();
        // This tab's before it says anything, so no leader that hears it can take it first.
        let alive = leader::stand(&alive_lock(&id), on_alive);
        let on_message: Rc<dyn Fn(TabMessage)> = Rc::new(on_message);
        let heard = {
            let on_message = on_message.clone();
            EventListener::new(&channel, "message", move |event| {
                let Some(event) = event.dyn_ref::<web_sys::MessageEvent>() else {
                    return;
                };
                let Some(text) = event.data().as_string() else {
                    return;
                };
                if let Ok(message) = serde_json::from_str(&text) {
                    on_message(message);
                }
            })
        };
        let mut tabs = Self {
            id,
            lock: format!("herald-socket-{user}"),
            channel,
            on_message,
            on_elected: Rc::new(on_elected),
            candidacy: None,
            alive,
            watches: HashMap::new(),
            _listener: heard,
        };
        tabs.stand();
        Some(tabs)
    }

    /// Tells the other tabs (never this one).
    pub fn post(&self, message: &TabMessage) {
        let _ = self.channel.post_message(&to_text(message));
    }

    /// Stands for leader, unless already standing.
    pub fn stand(&mut self) {
        if self.candidacy.is_none() {
            let elected = self.on_elected.clone();
            self.candidacy = leader::stand(&self.lock, move || elected());
        }
    }

    /// Stops standing: a leader hands the socket to the next tab in line.
    pub fn resign(&mut self) {
        self.candidacy = None;
        self.watches.clear();
    }

    /// Whether this tab holds the lock of its life yet: until then it must not introduce itself.
    pub fn alive(&self) -> bool {
        self.alive.as_ref().is_some_and(Candidacy::holds)
    }

    /// The leader watches a tab: when it closes, crashes or navigates away (the browser then
    /// releases the lock it held for its life), this tab hears a `leave` for it, as if it had
    /// said so itself. A closing page cannot be relied on to say anything. A tab introduces
    /// itself only once it holds that lock: asking for it first, the leader would get it at
    /// once and take the tab for gone.
    pub fn watch(&mut self, tab: &str) {
        if self.watches.contains_key(tab) {
            return;
        }
        let gone = self.on_message.clone();
        let leave = TabMessage::Leave {
            tab: tab.to_owned(),
        };
        if let Some(watch) = leader::stand(&alive_lock(tab), move || gone(leave)) {
            self.watches.insert(tab.to_owned(), watch);
        }
    }

    /// Stops watching a tab that left (releasing its lock if the watch holds it).
    pub fn unwatch(&mut self, tab: &str) {
        self.watches.remove(tab);
    }

    /// Whether this tab holds the socket's lock now (an `elected` that arrives after this tab
    /// resigned is stale).
    pub fn elected(&self) -> bool {
        self.candidacy.as_ref().is_some_and(Candidacy::holds)
    }
}

impl Drop for Tabs {
    fn drop(&mut self) {
        self.channel.close();
    }
}

/// Who alerts the user (desktop notifications, sounds) for what arrives: the leader, once for
/// the whole browser, knowing whether another tab is visible; a tab on its own socket, for
/// itself; a follower never.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alerts {
    Here { others_visible: bool },
    Elsewhere,
}

thread_local! {
    static ALERTS: Cell<Alerts> = const { Cell::new(Alerts::Here { others_visible: false }) };
}

pub fn set_alerts(alerts: Alerts) {
    ALERTS.with(|a| a.set(alerts));
}

/// Whether this tab alerts the user for the browser: desktop notifications and sounds check it,
/// so each happens once per browser, not once per tab.
pub fn alerts_here() -> bool {
    matches!(ALERTS.with(Cell::get), Alerts::Here { .. })
}

/// Whether the user sees none of this browser's tabs (as far as this tab knows): when a desktop
/// notification is worth showing.
pub fn all_hidden() -> bool {
    match ALERTS.with(Cell::get) {
        Alerts::Here { others_visible } => page_is_hidden() && !others_visible,
        Alerts::Elsewhere => false,
    }
}
