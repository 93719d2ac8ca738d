//! The page's one WebSocket: connects after hydration, reconnects with backoff and jitter,
//! comes back at once when the browser goes online or the tab becomes visible, and resumes from
//! the last ids seen so nothing is missed and nothing shows twice.
//!
//! One task owns everything the connection needs: the socket (gloo-net's, a `Stream` of frames
//! and a `Sink` for ours), the backoff timer, and the `online` and `visibilitychange` listeners.
//! The page reaches it through a channel of [`Command`]s. When the task ends (signed out, or the
//! layout that started it goes away) it drops them all, and each cleans up after itself: the
//! socket closes, the timer is cleared, the listeners are removed.

use std::cell::{Cell, RefCell};

use futures::channel::mpsc::{self, UnboundedReceiver, UnboundedSender};
use futures::future::{select, Either};
use futures::{SinkExt, StreamExt};
use gloo_events::EventListener;
use gloo_net::websocket::futures::WebSocket;
use gloo_net::websocket::{Message, State, WebSocketError};
use leptos::prelude::*;

use super::browser::{document, page_is_hidden, window};
use super::{alert, backoff, desktop, LogKind, Realtime, Status};
use crate::model::{GlobalNotificationId, NotificationId, UserId};
use crate::protocol::{resume_query, should_reconnect, ClientFrame, ServerFrame};

thread_local! {
    /// The running connection: whose it is, and the way to its task.
    static CONNECTION: RefCell<Option<Handle>> = const { RefCell::new(None) };
    /// The peer of the conversation on screen. Kept apart from the connection: a page may say
    /// so before the connection starts (it starts once the whole page has hydrated).
    static FOCUS: Cell<Option<UserId>> = const { Cell::new(None) };
}

struct Handle {
    user_id: UserId,
    commands: UnboundedSender<Command>,
}

/// What the page asks of the connection's task.
enum Command {
    /// Send this text if connected.
    Send(String),
    /// [`FOCUS`] changed: tell the server.
    Focus,
    /// Connect now, cancelling any wait (the test page's button).
    ConnectNow,
    /// Disconnect and stay so until [`Command::ConnectNow`] (the test page's button).
    Disconnect,
    /// The browser came back online or the tab became visible.
    WakeUp,
    /// Close for good (signed out).
    Stop,
}

/// Starts the connection for the signed-in user, resuming after the given ids. Does nothing if
/// it already runs for `user_id`.
pub fn start(
    realtime: Realtime,
    user_id: UserId,
    after: Option<NotificationId>,
    after_global: Option<GlobalNotificationId>,
) {
    let running = CONNECTION.with(|c| c.borrow().as_ref().map(|h| h.user_id));
    if running == Some(user_id) {
        return;
    }
    stop();
    let (commands, inbox) = mpsc::unbounded();
    let connection = Connection {
        realtime,
        attempt: 0,
        after,
        after_global,
        connected_before: false,
    };
    leptos::task::spawn_local(connection.run(inbox, commands.clone()));
    CONNECTION.with(|c| *c.borrow_mut() = Some(Handle { user_id, commands }));
}

/// Closes the connection for good (signed out, or its page is gone).
pub fn stop() {
    if let Some(handle) = CONNECTION.with(|c| c.borrow_mut().take()) {
        let _ = handle.commands.unbounded_send(Command::Stop);
    }
}

/// Connects now (the test page's button), cancelling any wait.
pub fn connect_now() {
    command(Command::ConnectNow);
}

/// Disconnects and stays disconnected until [`connect_now`] (the test page's button).
pub fn disconnect() {
    command(Command::Disconnect);
}

/// Tells the server which conversation is on screen (`None` when it leaves), now and after every
/// reconnect, so its messages raise no notifications meanwhile.
pub fn focus(peer: Option<UserId>) {
    FOCUS.with(|focus| focus.set(peer));
    command(Command::Focus);
}

/// Sends a frame if connected (the activity log says whether it went out).
pub fn send(frame: &ClientFrame) {
    send_text(&serde_json::to_string(frame).expect("frames always serialize"));
}

/// Sends any text (the test page sends malformed frames on purpose).
pub fn send_text(text: &str) {
    command(Command::Send(text.to_owned()));
}

fn command(command: Command) {
    CONNECTION.with(|c| {
        if let Some(handle) = c.borrow().as_ref() {
            let _ = handle.commands.unbounded_send(command);
        }
    });
}

/// Forwards `online`, and `visibilitychange`, to the task as [`Command::WakeUp`] for as long as
/// the listeners are kept.
fn listen_for_wake_ups(commands: UnboundedSender<Command>) -> [EventListener; 2] {
    let wake_up = move |_: &web_sys::Event| {
        let _ = commands.unbounded_send(Command::WakeUp);
    };
    [
        EventListener::new(&window(), "online", wake_up.clone()),
        EventListener::new(&document(), "visibilitychange", wake_up),
    ]
}

/// The state that outlives one socket: where to resume and how many tries have failed.
struct Connection {
    realtime: Realtime,
    /// Failed tries since the last `hello`: how long the next wait may be.
    attempt: u32,
    /// The highest notification id seen: where the next connection resumes.
    after: Option<NotificationId>,
    after_global: Option<GlobalNotificationId>,
    connected_before: bool,
}

/// How a socket's life, or a wait, ended: what the task does next.
enum Next {
    /// Open a new socket now.
    Connect,
    /// Wait out the backoff, then connect.
    Retry,
    /// Stay disconnected until asked to connect.
    StayOff,
    /// The session is over: reconnecting cannot help, signing in can.
    SignIn,
    /// End the task.
    Stop,
}

/// What woke the task up while connected.
enum Event {
    Frame(Option<Result<Message, WebSocketError>>),
    Command(Option<Command>),
}

impl Connection {
    async fn run(
        mut self,
        mut inbox: UnboundedReceiver<Command>,
        wake_ups: UnboundedSender<Command>,
    ) {
        // Dropped when this task ends, which removes them.
        let _listeners = listen_for_wake_ups(wake_ups);
        let mut next = Next::Connect;
        loop {
            next = match next {
                Next::Connect => match self.open() {
                    Some(socket) => self.converse(socket, &mut inbox).await,
                    None => Next::Retry,
                },
                Next::Retry => self.wait_to_reconnect(&mut inbox).await,
                Next::StayOff => self.stay_off(&mut inbox).await,
                Next::SignIn => {
                    self.realtime.status.set(Status::Disconnected);
                    let _ = window().location().assign("/login");
                    return;
                }
                Next::Stop => {
                    self.realtime.status.set(Status::Disconnected);
                    return;
                }
            };
        }
    }

    fn open(&self) -> Option<WebSocket> {
        self.realtime.status.set(Status::Connecting);
        let location = window().location();
        let scheme = match location.protocol().as_deref() {
            Ok("https:") => "wss",
            _ => "ws",
        };
        let host = location.host().unwrap_or_default();
        let url = format!(
            "{scheme}://{host}/ws/notifications/?{}",
            resume_query(self.after, self.after_global)
        );
        self.realtime
            .log(LogKind::Info, format!("connecting to {url}"));
        match WebSocket::open(&url) {
            Ok(socket) => Some(socket),
            Err(err) => {
                self.realtime
                    .log(LogKind::Error, format!("cannot open a socket: {err}"));
                None
            }
        }
    }

    /// Runs one socket until it closes or the page asks otherwise.
    async fn converse(
        &mut self,
        mut socket: WebSocket,
        inbox: &mut UnboundedReceiver<Command>,
    ) -> Next {
        loop {
            let event = match select(socket.next(), inbox.next()).await {
                Either::Left((frame, _)) => Event::Frame(frame),
                Either::Right((command, _)) => Event::Command(command),
            };
            match event {
                Event::Frame(Some(Ok(Message::Text(text)))) => {
                    if self.receive(&text) {
                        // A new socket knows nothing of the page: tell it what is on screen.
                        if FOCUS.with(Cell::get).is_some() {
                            self.send_focus(&mut socket).await;
                        }
                    }
                }
                Event::Frame(Some(Ok(Message::Bytes(_)))) => {
                    self.realtime
                        .log(LogKind::Error, "unreadable frame: binary");
                }
                // The `error` event says nothing more: the `close` event follows with the code.
                Event::Frame(Some(Err(WebSocketError::ConnectionError))) => {}
                Event::Frame(Some(Err(WebSocketError::ConnectionClose(close)))) => {
                    return self.closed(close.code, &close.reason);
                }
                Event::Frame(Some(Err(err))) => {
                    self.realtime.log(LogKind::Error, err.to_string());
                }
                // The stream ends only after the close event, handled above.
                Event::Frame(None) => return Next::Retry,
                Event::Command(Some(Command::Send(text))) => self.send(&mut socket, text).await,
                Event::Command(Some(Command::Focus)) => self.send_focus(&mut socket).await,
                // Connected or connecting already.
                Event::Command(Some(Command::WakeUp)) => {}
                Event::Command(Some(Command::ConnectNow)) => {
                    self.attempt = 0;
                    let _ = socket.close(Some(1000), Some("reconnecting"));
                    return Next::Connect;
                }
                Event::Command(Some(Command::Disconnect)) => {
                    let _ = socket.close(Some(1000), Some("disconnected by the user"));
                    return self.disconnected_by_hand();
                }
                Event::Command(Some(Command::Stop) | None) => {
                    let _ = socket.close(Some(1000), Some("signed out"));
                    return Next::Stop;
                }
            }
        }
    }

    /// Handles a text frame; answers whether it was the `hello` that starts a connection.
    fn receive(&mut self, text: &str) -> bool {
        self.realtime.log(LogKind::Received, text);
        let frame = match serde_json::from_str::<ServerFrame>(text) {
            Ok(frame) => frame,
            Err(err) => {
                self.realtime
                    .log(LogKind::Error, format!("unreadable frame: {err}"));
                return false;
            }
        };
        let realtime = self.realtime;
        match frame {
            ServerFrame::Hello { unread_count, .. } => {
                self.attempt = 0;
                realtime.status.set(Status::Connected);
                realtime.log(LogKind::Info, "connected");
                realtime.unread.set(unread_count);
                if std::mem::replace(&mut self.connected_before, true) {
                    // Replay brings what is new, not what ended or changed while away: re-read
                    // the banners and the preferences.
                    leptos::task::spawn_local(drop_ended_banners(realtime));
                    leptos::task::spawn_local(reload_preferences(realtime));
                }
                return true;
            }
            ServerFrame::Notification { notification } => {
                self.after = self.after.max(Some(notification.id));
                if realtime.remember(notification.clone()) {
                    alert::raise(realtime, &notification);
                }
            }
            ServerFrame::NotificationChanged { notification } => {
                realtime.apply_change(notification)
            }
            ServerFrame::Preferences { preferences } => realtime.preferences.set(preferences),
            ServerFrame::GlobalNotification { notification } => {
                self.after_global = self.after_global.max(Some(notification.id));
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
        false
    }

    async fn send(&self, socket: &mut WebSocket, text: String) {
        if matches!(socket.state(), State::Open)
            && socket.send(Message::Text(text.clone())).await.is_ok()
        {
            self.realtime.log(LogKind::Sent, text);
        } else {
            self.not_sent();
        }
    }

    /// Sends the focus if connected; without a connection there is nothing to do, as every
    /// `hello` is answered with it.
    async fn send_focus(&self, socket: &mut WebSocket) {
        if !matches!(socket.state(), State::Open) {
            return;
        }
        let frame = ClientFrame::Focus {
            conversation_with: FOCUS.with(Cell::get),
        };
        let text = serde_json::to_string(&frame).expect("frames always serialize");
        if socket.send(Message::Text(text.clone())).await.is_ok() {
            self.realtime.log(LogKind::Sent, text);
        }
    }

    fn not_sent(&self) {
        self.realtime
            .log(LogKind::Error, "not connected: frame not sent");
    }

    fn closed(&self, code: u16, reason: &str) -> Next {
        self.realtime
            .log(LogKind::Info, format!("closed with {code} {reason}"));
        if should_reconnect(code) {
            Next::Retry
        } else {
            Next::SignIn
        }
    }

    fn disconnected_by_hand(&self) -> Next {
        self.realtime.status.set(Status::Disconnected);
        self.realtime.log(LogKind::Info, "disconnected by hand");
        Next::StayOff
    }

    /// Waits out the backoff, unless the page comes back (online, or visible) or asks otherwise.
    async fn wait_to_reconnect(&mut self, inbox: &mut UnboundedReceiver<Command>) -> Next {
        let wait = backoff::delay(self.attempt, js_sys::Math::random());
        self.attempt = self.attempt.saturating_add(1);
        self.realtime.status.set(Status::Connecting);
        self.realtime.log(
            LogKind::Info,
            format!("reconnecting in {} ms", wait.as_millis()),
        );
        // Cleared when dropped: a wait cut short leaves no timer behind.
        let mut timer = gloo_timers::future::sleep(wait);
        loop {
            let command = match select(&mut timer, inbox.next()).await {
                Either::Left(_) => return Next::Connect,
                Either::Right((command, _)) => command,
            };
            match command {
                Some(Command::WakeUp) if !page_is_hidden() => {
                    self.realtime
                        .log(LogKind::Info, "back online or visible: reconnecting now");
                    self.attempt = 0;
                    return Next::Connect;
                }
                Some(Command::ConnectNow) => {
                    self.attempt = 0;
                    return Next::Connect;
                }
                Some(Command::Disconnect) => return self.disconnected_by_hand(),
                Some(Command::Stop) | None => return Next::Stop,
                Some(Command::Send(_)) => self.not_sent(),
                Some(Command::WakeUp | Command::Focus) => {}
            }
        }
    }

    /// Disconnected by hand: waits for the page to ask to connect.
    async fn stay_off(&mut self, inbox: &mut UnboundedReceiver<Command>) -> Next {
        while let Some(command) = inbox.next().await {
            match command {
                Command::ConnectNow => {
                    self.attempt = 0;
                    return Next::Connect;
                }
                Command::Stop => return Next::Stop,
                Command::Send(_) => self.not_sent(),
                Command::WakeUp | Command::Focus | Command::Disconnect => {}
            }
        }
        Next::Stop
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

/// Reads the preferences again: a change saved while this page was disconnected was pushed to
/// no one here.
async fn reload_preferences(realtime: Realtime) {
    match crate::pages::settings::get_preferences().await {
        Ok(preferences) => realtime.preferences.set(preferences),
        Err(err) => realtime.log(
            LogKind::Error,
            format!("could not re-read preferences: {err}"),
        ),
    }
}
