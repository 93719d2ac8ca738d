//! The page's one WebSocket: connects after hydration, reconnects with backoff and jitter,
//! comes back at once when the browser goes online or the tab becomes visible, and resumes from
//! the last ids seen so nothing is missed and nothing shows twice.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use super::browser::{document, window};
use super::{backoff, desktop, next_key, LogKind, Realtime, Status, Toast};
use crate::model::{GlobalNotificationId, NotificationId, UserId};
use crate::protocol::{resume_query, should_reconnect, ClientFrame, ServerFrame};

thread_local! {
    static MANAGER: RefCell<Option<Rc<Manager>>> = const { RefCell::new(None) };
    /// The peer of the conversation on screen. Kept apart from the connection: a page may say
    /// so before the connection starts (it starts once the whole page has hydrated).
    static FOCUS: Cell<Option<UserId>> = const { Cell::new(None) };
}

/// Starts the connection for the signed-in user, resuming after the given ids. Does nothing if
/// it already runs for `user_id`.
pub fn start(
    realtime: Realtime,
    user_id: UserId,
    after: Option<NotificationId>,
    after_global: Option<GlobalNotificationId>,
) {
    let running = MANAGER.with(|m| m.borrow().as_ref().map(|m| m.user_id));
    if running == Some(user_id) {
        return;
    }
    stop();
    let manager = Rc::new(Manager {
        realtime,
        user_id,
        socket: RefCell::new(None),
        handlers: RefCell::new(None),
        attempt: Cell::new(0),
        retry: RefCell::new(None),
        manual_off: Cell::new(false),
        stopped: Cell::new(false),
        after: Cell::new(after),
        after_global: Cell::new(after_global),
        connected_before: Cell::new(false),
    });
    listen_for_wake_ups();
    MANAGER.with(|m| *m.borrow_mut() = Some(manager.clone()));
    manager.connect();
}

/// Closes the connection for good (signed out).
pub fn stop() {
    if let Some(manager) = MANAGER.with(|m| m.borrow_mut().take()) {
        manager.stopped.set(true);
        manager.close_socket(1000, "signed out");
        manager.realtime.status.set(Status::Disconnected);
    }
}

/// Connects now (the test page's button), cancelling any wait.
pub fn connect_now() {
    with_manager(|m| {
        m.manual_off.set(false);
        m.attempt.set(0);
        m.connect();
    });
}

/// Disconnects and stays disconnected until [`connect_now`] (the test page's button).
pub fn disconnect() {
    with_manager(|m| {
        m.manual_off.set(true);
        m.cancel_retry();
        m.close_socket(1000, "disconnected by the user");
        m.realtime.status.set(Status::Disconnected);
        m.realtime.log(LogKind::Info, "disconnected by hand");
    });
}

/// Tells the server which conversation is on screen (`None` when it leaves), now and after every
/// reconnect, so its messages raise no notifications meanwhile.
pub fn focus(peer: Option<UserId>) {
    FOCUS.with(|focus| focus.set(peer));
    with_manager(|m| {
        m.send_frame(&ClientFrame::Focus {
            conversation_with: peer,
        });
    });
}

/// Sends a frame if connected; answers whether it went out.
pub fn send(frame: &ClientFrame) -> bool {
    send_text(&serde_json::to_string(frame).expect("frames always serialize"))
}

/// Sends any text (the test page sends malformed frames on purpose).
pub fn send_text(text: &str) -> bool {
    let mut sent = false;
    with_manager(|m| {
        if let Some(socket) = m.socket.borrow().as_ref() {
            if socket.ready_state() == WebSocket::OPEN && socket.send_with_str(text).is_ok() {
                sent = true;
                m.realtime.log(LogKind::Sent, text);
            }
        }
        if !sent {
            m.realtime
                .log(LogKind::Error, "not connected: frame not sent");
        }
    });
    sent
}

fn with_manager(f: impl FnOnce(&Rc<Manager>)) {
    if let Some(manager) = MANAGER.with(|m| m.borrow().clone()) {
        f(&manager);
    }
}

/// The browser came back online or the tab became visible: if waiting to reconnect, go now.
fn listen_for_wake_ups() {
    thread_local!(static LISTENING: Cell<bool> = const { Cell::new(false) });
    if LISTENING.with(|l| l.replace(true)) {
        return;
    }
    let wake = Closure::<dyn FnMut()>::new(|| {
        with_manager(|m| {
            if document().visibility_state() == web_sys::VisibilityState::Hidden {
                return;
            }
            if m.is_waiting() {
                m.realtime
                    .log(LogKind::Info, "back online or visible: reconnecting now");
                m.attempt.set(0);
                m.connect();
            }
        })
    });
    let _ = window().add_event_listener_with_callback("online", wake.as_ref().unchecked_ref());
    let _ = document()
        .add_event_listener_with_callback("visibilitychange", wake.as_ref().unchecked_ref());
    // Listens for the page's whole life.
    wake.forget();
}

struct Handlers {
    _open: Closure<dyn FnMut()>,
    _message: Closure<dyn FnMut(MessageEvent)>,
    _close: Closure<dyn FnMut(CloseEvent)>,
}

struct Manager {
    realtime: Realtime,
    user_id: UserId,
    socket: RefCell<Option<WebSocket>>,
    handlers: RefCell<Option<Handlers>>,
    attempt: Cell<u32>,
    retry: RefCell<Option<TimeoutHandle>>,
    manual_off: Cell<bool>,
    stopped: Cell<bool>,
    /// The highest notification id seen: where the next connection resumes.
    after: Cell<Option<NotificationId>>,
    after_global: Cell<Option<GlobalNotificationId>>,
    connected_before: Cell<bool>,
}

impl Manager {
    fn send_frame(&self, frame: &ClientFrame) {
        if let Some(socket) = self.socket.borrow().as_ref() {
            if socket.ready_state() == WebSocket::OPEN {
                let text = serde_json::to_string(frame).expect("frames always serialize");
                if socket.send_with_str(&text).is_ok() {
                    self.realtime.log(LogKind::Sent, text);
                }
            }
        }
    }

    fn connect(self: &Rc<Self>) {
        if self.stopped.get() || self.manual_off.get() {
            return;
        }
        self.cancel_retry();
        self.close_socket(1000, "reconnecting");
        self.realtime.status.set(Status::Connecting);

        let location = window().location();
        let scheme = match location.protocol().as_deref() {
            Ok("https:") => "wss",
            _ => "ws",
        };
        let host = location.host().unwrap_or_default();
        let url = format!(
            "{scheme}://{host}/ws/notifications/?{}",
            resume_query(self.after.get(), self.after_global.get())
        );
        self.realtime
            .log(LogKind::Info, format!("connecting to {url}"));
        let socket = match WebSocket::new(&url) {
            Ok(socket) => socket,
            Err(err) => {
                self.realtime
                    .log(LogKind::Error, format!("cannot open a socket: {err:?}"));
                self.schedule_reconnect();
                return;
            }
        };

        let weak = Rc::downgrade(self);
        let open = Closure::<dyn FnMut()>::new(on(&weak, |m| {
            m.realtime.status.set(Status::Connected);
            m.realtime.log(LogKind::Info, "connected");
        }));
        let weak_message = weak.clone();
        let message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let (Some(m), Some(text)) = (weak_message.upgrade(), event.data().as_string()) {
                m.receive(&text);
            }
        });
        let weak_close = weak.clone();
        let close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            if let Some(m) = weak_close.upgrade() {
                m.closed(event.code(), &event.reason());
            }
        });
        socket.set_onopen(Some(open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(close.as_ref().unchecked_ref()));
        *self.socket.borrow_mut() = Some(socket);
        *self.handlers.borrow_mut() = Some(Handlers {
            _open: open,
            _message: message,
            _close: close,
        });
    }

    fn receive(&self, text: &str) {
        self.realtime.log(LogKind::Received, text);
        let frame = match serde_json::from_str::<ServerFrame>(text) {
            Ok(frame) => frame,
            Err(err) => {
                self.realtime
                    .log(LogKind::Error, format!("unreadable frame: {err}"));
                return;
            }
        };
        let realtime = self.realtime;
        match frame {
            ServerFrame::Hello { unread_count, .. } => {
                self.attempt.set(0);
                realtime.unread.set(unread_count);
                if self.connected_before.replace(true) {
                    // Replay brings what is new, not what ended while away: re-read the banners.
                    leptos::task::spawn_local(drop_ended_banners(realtime));
                }
                // A new socket knows nothing of the page: tell it what is on screen.
                if let Some(peer) = FOCUS.with(Cell::get) {
                    self.send_frame(&ClientFrame::Focus {
                        conversation_with: Some(peer),
                    });
                }
            }
            ServerFrame::Notification { notification } => {
                self.after.set(self.after.get().max(Some(notification.id)));
                desktop::show(
                    &format!("herald-{}", notification.id),
                    &notification.title,
                    &notification.message,
                    notification.link.clone(),
                );
                realtime.toast(Toast {
                    key: next_key(),
                    title: notification.title.clone(),
                    body: notification.message.clone(),
                    tone: format!("type-{}", notification.notification_type),
                    link: notification.link.clone(),
                    notification_id: Some(notification.id),
                });
                realtime.remember(notification);
            }
            ServerFrame::GlobalNotification { notification } => {
                self.after_global
                    .set(self.after_global.get().max(Some(notification.id)));
                let is_new = realtime
                    .banners
                    .with_untracked(|banners| banners.iter().all(|b| b.id != notification.id));
                // A banner is its own announcement: no toast repeats it on the page.
                if is_new {
                    desktop::show(
                        &format!("herald-global-{}", notification.id),
                        &notification.title,
                        &notification.message,
                        None,
                    );
                    realtime
                        .banners
                        .update(|banners| banners.push(notification));
                }
            }
            ServerFrame::GlobalNotificationRemoved { id } => realtime.remove_banner(id),
            ServerFrame::UnreadCount { count } => realtime.unread.set(count),
            ServerFrame::Message { message } => realtime.messages.update(|messages| {
                if messages.iter().all(|m| m.id != message.id) {
                    messages.push(message);
                }
            }),
            ServerFrame::Error { .. } | ServerFrame::Pong => {}
        }
    }

    fn closed(self: &Rc<Self>, code: u16, reason: &str) {
        self.realtime
            .log(LogKind::Info, format!("closed with {code} {reason}"));
        *self.socket.borrow_mut() = None;
        if self.stopped.get() || self.manual_off.get() {
            self.realtime.status.set(Status::Disconnected);
            return;
        }
        if !should_reconnect(code) {
            // The session is over: reconnecting cannot help, signing in can.
            self.stopped.set(true);
            self.realtime.status.set(Status::Disconnected);
            let _ = window().location().assign("/login");
            return;
        }
        self.schedule_reconnect();
    }

    fn schedule_reconnect(self: &Rc<Self>) {
        let attempt = self.attempt.get();
        self.attempt.set(attempt.saturating_add(1));
        let wait = backoff::delay(attempt, js_sys::Math::random());
        self.realtime.status.set(Status::Connecting);
        self.realtime.log(
            LogKind::Info,
            format!("reconnecting in {} ms", wait.as_millis()),
        );
        let weak = Rc::downgrade(self);
        let handle = set_timeout_with_handle(
            move || {
                if let Some(m) = weak.upgrade() {
                    m.connect();
                }
            },
            wait,
        )
        .ok();
        *self.retry.borrow_mut() = handle;
    }

    fn is_waiting(&self) -> bool {
        self.retry.borrow().is_some() && self.socket.borrow().is_none()
    }

    fn cancel_retry(&self) {
        if let Some(handle) = self.retry.borrow_mut().take() {
            handle.clear();
        }
    }

    fn close_socket(&self, code: u16, reason: &str) {
        if let Some(socket) = self.socket.borrow_mut().take() {
            socket.set_onopen(None);
            socket.set_onmessage(None);
            socket.set_onclose(None);
            let _ = socket.close_with_code_and_reason(code, reason);
        }
        self.handlers.borrow_mut().take();
    }
}

/// Takes down the banners of global notifications that are no longer live.
async fn drop_ended_banners(realtime: Realtime) {
    #[derive(serde::Deserialize)]
    struct Live {
        results: Vec<crate::model::GlobalNotification>,
    }
    match super::browser::fetch("GET", "/api/global-notifications/", None).await {
        Ok((200, body)) => {
            if let Ok(live) = serde_json::from_str::<Live>(&body) {
                realtime.banners.update(|banners| {
                    banners.retain(|b| live.results.iter().any(|g| g.id == b.id))
                });
            }
        }
        Ok((status, _)) => realtime.log(
            LogKind::Error,
            format!("could not re-read banners: {status}"),
        ),
        Err(err) => realtime.log(LogKind::Error, format!("could not re-read banners: {err}")),
    }
}

fn on(weak: &Weak<Manager>, f: impl Fn(&Manager) + 'static) -> impl FnMut() + 'static {
    let weak = weak.clone();
    move || {
        if let Some(m) = weak.upgrade() {
            f(&m);
        }
    }
}
