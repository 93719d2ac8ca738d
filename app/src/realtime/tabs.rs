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
    /// Follower → leader: the tab closed, or left the group by hand (the test page).
    Leave { tab: TabId },
}

/// This tab's membership in its browser's group of tabs.
pub struct Tabs {
    /// This tab's name in the group.
    pub id: TabId,
    lock: String,
    channel: web_sys::BroadcastChannel,
    on_elected: Rc<dyn Fn()>,
    candidacy: Option<Candidacy>,
    /// The channel's `message` listener and the window's `pagehide` (which says `leave`);
    /// dropped with the membership, which removes them.
    _listeners: [EventListener; 2],
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
    /// the other tabs say, `on_elected` runs when this tab is elected. `None` where the browser
    /// lacks `BroadcastChannel` or Web Locks.
    pub fn join(
        user: UserId,
        on_message: impl Fn(TabMessage) + 'static,
        on_elected: impl Fn() + 'static,
    ) -> Option<Self> {
        if !leader::supported() || !broadcast_supported() {
            return None;
        }
        let channel = web_sys::BroadcastChannel::new(&format!("herald-{user}")).ok()?;
        let id = new_tab_id();
        let heard = EventListener::new(&channel, "message", move |event| {
            let Some(event) = event.dyn_ref::<web_sys::MessageEvent>() else {
                return;
            };
            let Some(text) = event.data().as_string() else {
                return;
            };
            if let Ok(message) = serde_json::from_str(&text) {
                on_message(message);
            }
        });
        // The page is going: no task will run any more, so say it here.
        let leaving = {
            let channel = channel.clone();
            let leave = to_text(&TabMessage::Leave { tab: id.clone() });
            EventListener::new(&window(), "pagehide", move |_| {
                let _ = channel.post_message(&leave);
            })
        };
        let mut tabs = Self {
            id,
            lock: format!("herald-socket-{user}"),
            channel,
            on_elected: Rc::new(on_elected),
            candidacy: None,
            _listeners: [heard, leaving],
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
