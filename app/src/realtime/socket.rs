//! The browser's one WebSocket: connects after hydration, reconnects with backoff and jitter,
//! comes back at once when the browser goes online or the tab becomes visible, and resumes from
//! the last ids seen so nothing is missed and nothing shows twice.
//!
//! One task per page owns everything the connection needs: the socket (gloo-net's, a `Stream` of
//! frames and a `Sink` for ours), the backoff timer, the `online` and `visibilitychange`
//! listeners, and the page's membership of its browser's tabs ([`Tabs`]). The page reaches it
//! through a channel of [`Command`]s. When the task ends (signed out, or the layout that started
//! it goes away) it drops them all, and each cleans up after itself: the socket closes, the timer
//! is cleared, the listeners are removed, the lock goes to the next tab.
//!
//! One socket per browser: the task of the tab elected leader holds the socket and passes every
//! frame on to the other tabs; a follower's task holds none, applies the frames the leader passes
//! on through the same [`Connection::receive`], mirrors the leader's status, and hands its own
//! frames to the leader. When the leader tab closes, the next tab is elected and resumes the
//! socket from the last ids it saw; every tab drops notifications it has already shown
//! ([`Seen`]). Where the browser cannot share a socket, each tab holds its own, as before.

use std::cell::{Cell, RefCell};

use futures::channel::mpsc::{self, UnboundedReceiver, UnboundedSender};
use futures::future::{select, Either};
use futures::{SinkExt, StreamExt};
use gloo_events::EventListener;
use gloo_net::websocket::futures::WebSocket;
use gloo_net::websocket::{Message, State, WebSocketError};
use leptos::prelude::*;

use super::browser::{document, page_is_hidden, window};
use super::followers::{Followers, TabState};
use super::seen::Seen;
use super::tabs::{self, Alerts, TabMessage, Tabs};
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
    /// Close for good (the page is gone, or another account signed in).
    Stop,
    /// This tab's session is over: tell the other tabs (they go to sign in), then stop.
    SignedOut,
    /// This tab may now introduce itself to the leader (see `Tabs::watch`).
    Alive,
    /// This tab was elected to hold the browser's socket.
    Elected,
    /// Another tab of the browser said this.
    Tab(TabMessage),
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
    let tabs = {
        let heard = commands.clone();
        let alive = commands.clone();
        let elected = commands.clone();
        Tabs::join(
            user_id,
            move |message| {
                let _ = heard.unbounded_send(Command::Tab(message));
            },
            move || {
                let _ = alive.unbounded_send(Command::Alive);
            },
            move || {
                let _ = elected.unbounded_send(Command::Elected);
            },
        )
    };
    let connection = Connection {
        realtime,
        user: user_id,
        attempt: 0,
        after,
        after_global,
        connected_before: false,
        leads: tabs.is_none(),
        tabs,
        followers: Followers::new(after),
        seen: Seen::new(after),
    };
    leptos::task::spawn_local(connection.run(inbox, commands.clone()));
    CONNECTION.with(|c| *c.borrow_mut() = Some(Handle { user_id, commands }));
}

/// Closes the connection for good (its page is gone).
pub fn stop() {
    if let Some(handle) = CONNECTION.with(|c| c.borrow_mut().take()) {
        let _ = handle.commands.unbounded_send(Command::Stop);
    }
}

/// Closes the connection for good because this tab found its session over (signed out): the
/// browser's other tabs of the same user, which share the session's cookie, go to sign in.
pub fn signed_out() {
    if let Some(handle) = CONNECTION.with(|c| c.borrow_mut().take()) {
        let _ = handle.commands.unbounded_send(Command::SignedOut);
    }
}

/// Connects now (the test page's button), cancelling any wait. A tab that had left its
/// browser's shared socket joins it again (and holds it, if no other tab does).
pub fn connect_now() {
    command(Command::ConnectNow);
}

/// Disconnects and stays disconnected until [`connect_now`] (the test page's button). A tab
/// sharing its browser's socket leaves the group: if it held the socket, the next tab takes it
/// over; the other tabs stay connected.
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
    /// Whose page this is.
    user: UserId,
    /// Failed tries since the last `hello`: how long the next wait may be.
    attempt: u32,
    /// The highest notification id seen: where the next connection resumes.
    after: Option<NotificationId>,
    after_global: Option<GlobalNotificationId>,
    connected_before: bool,
    /// This tab's membership of its browser's tabs; `None` where the browser cannot share a
    /// socket (each tab holds its own).
    tabs: Option<Tabs>,
    /// Whether this tab holds the socket (always, without [`Tabs`]).
    leads: bool,
    /// What this tab, while it leads, knows of the others.
    followers: Followers,
    /// The notifications this tab has shown.
    seen: Seen,
}

/// How a socket's life, or a wait, ended: what the task does next.
enum Next {
    /// Open a new socket now.
    Connect,
    /// Wait out the backoff, then connect.
    Retry,
    /// Stay disconnected until asked to connect.
    StayOff,
    /// Another tab holds the socket: apply what it passes on, until elected.
    Follow,
    /// The session is over: reconnecting cannot help, signing in can.
    SignIn,
    /// End the task.
    Stop,
}

/// What the leader's socket must do for what another tab said.
enum Lead {
    Nothing,
    /// Send this text for a follower.
    Send(String),
    /// The focus to send changed.
    SendFocus,
    /// A tab saw less than this socket started from: open it again from the lower id.
    Resume,
    /// A tab found the session over.
    SignIn,
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
        // A tab sharing the socket introduces itself once it may (`Command::Alive`).
        let mut next = if self.tabs.is_some() {
            Next::Follow
        } else {
            Next::Connect
        };
        loop {
            next = match next {
                Next::Connect => match self.open() {
                    Some(socket) => self.converse(socket, &mut inbox).await,
                    None => Next::Retry,
                },
                Next::Retry => self.wait_to_reconnect(&mut inbox).await,
                Next::StayOff => self.stay_off(&mut inbox).await,
                Next::Follow => self.follow(&mut inbox).await,
                Next::SignIn => {
                    self.post(&TabMessage::SessionOver);
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

    /// Tells the other tabs, if this tab shares a socket with them.
    fn post(&self, message: &TabMessage) {
        if let Some(tabs) = &self.tabs {
            tabs.post(message);
        }
    }

    /// Sets `ws-status`; the leader's is every tab's.
    fn set_status(&self, status: Status) {
        self.realtime.status.set(status);
        if self.leads {
            self.post(&TabMessage::Status { status });
        }
    }

    /// What this tab tells the leader about itself.
    fn own_state(&self) -> TabState {
        TabState {
            focus: FOCUS.with(Cell::get),
            visible: !page_is_hidden(),
        }
    }

    /// Tells the leader, whoever it is, where this tab stands, so it catches the tab up. Not
    /// before this tab may (see `Tabs::watch`): `Command::Alive` says when.
    fn introduce(&self) {
        let Some(tabs) = self.tabs.as_ref().filter(|tabs| tabs.alive()) else {
            return;
        };
        tabs.post(&TabMessage::Join {
            tab: tabs.id.clone(),
            after: self.after,
            after_global: self.after_global,
            state: self.own_state(),
        });
    }

    /// Says who alerts the user (see [`tabs::Alerts`]).
    fn publish_alerts(&self) {
        tabs::set_alerts(match &self.tabs {
            None => Alerts::Here {
                others_visible: false,
            },
            Some(tabs) if self.leads => Alerts::Here {
                others_visible: self.followers.others_visible(&tabs.id),
            },
            Some(_) => Alerts::Elsewhere,
        });
    }

    /// Leaves the group of tabs (by hand, or for good): a leader hands the socket over.
    fn leave(&mut self) {
        let Some(tabs) = &mut self.tabs else { return };
        if !self.leads {
            tabs.post(&TabMessage::Leave {
                tab: tabs.id.clone(),
            });
        }
        tabs.resign();
        self.leads = false;
        self.publish_alerts();
    }

    /// Joins the group of tabs again after [`Self::leave`]; answers what to do next.
    fn rejoin(&mut self) -> Next {
        let Some(tabs) = &mut self.tabs else {
            return Next::Connect;
        };
        tabs.stand();
        self.introduce();
        Next::Follow
    }

    /// This tab was elected: it opens the browser's socket, resuming from the last ids it saw.
    fn take_over(&mut self) -> Next {
        self.leads = true;
        self.followers = Followers::new(self.after);
        if let Some(tabs) = &self.tabs {
            self.followers.update(&tabs.id, self.own_state());
        }
        self.publish_alerts();
        self.realtime
            .log(LogKind::Info, "this tab now holds the browser's socket");
        self.post(&TabMessage::Elected);
        Next::Connect
    }

    /// Another tab holds the socket: apply what it passes on, and hand it this tab's frames.
    async fn follow(&mut self, inbox: &mut UnboundedReceiver<Command>) -> Next {
        self.leads = false;
        self.publish_alerts();
        while let Some(command) = inbox.next().await {
            match command {
                Command::Elected if self.tabs.as_ref().is_some_and(Tabs::elected) => {
                    return self.take_over();
                }
                // Stale: this tab resigned since.
                Command::Elected => {}
                Command::Alive => self.introduce(),
                Command::Tab(message) => {
                    if let Some(next) = self.hear_leader(message) {
                        return next;
                    }
                }
                Command::Send(text) => {
                    self.post(&TabMessage::Send { text: text.clone() });
                    self.realtime
                        .log(LogKind::Sent, format!("{text} (through the leader tab)"));
                }
                Command::Focus | Command::WakeUp => {
                    // Before `Alive`, the introduction to come will carry it.
                    if let Some(tabs) = self.tabs.as_ref().filter(|tabs| tabs.alive()) {
                        tabs.post(&TabMessage::State {
                            tab: tabs.id.clone(),
                            state: self.own_state(),
                        });
                    }
                }
                // Connected, or connecting, through the leader already.
                Command::ConnectNow => {}
                Command::Disconnect => {
                    self.leave();
                    return self.disconnected_by_hand();
                }
                Command::SignedOut => {
                    self.post(&TabMessage::SessionOver);
                    self.leave();
                    return Next::Stop;
                }
                Command::Stop => {
                    self.leave();
                    return Next::Stop;
                }
            }
        }
        Next::Stop
    }

    /// A follower hears the other tabs; answers what to do next, if it changes.
    fn hear_leader(&mut self, message: TabMessage) -> Option<Next> {
        match message {
            TabMessage::Frame { text } => {
                self.receive(&text);
            }
            TabMessage::Replay { to, frames } => {
                if self.tabs.as_ref().is_some_and(|tabs| tabs.id == to) {
                    for text in frames {
                        self.receive(&text);
                    }
                }
            }
            TabMessage::Status { status } => {
                // Live through the leader: the next `hello` is a reconnect, or a hand-over.
                if status == Status::Connected {
                    self.connected_before = true;
                }
                self.realtime.status.set(status);
            }
            TabMessage::Elected => self.introduce(),
            TabMessage::SessionOver => return Some(Next::SignIn),
            TabMessage::Join { .. }
            | TabMessage::State { .. }
            | TabMessage::Send { .. }
            | TabMessage::Leave { .. } => {}
        }
        None
    }

    /// The leader hears the other tabs; answers what the socket must do.
    fn hear_follower(&mut self, message: TabMessage) -> Lead {
        let own = self
            .tabs
            .as_ref()
            .map(|tabs| tabs.id.clone())
            .unwrap_or_default();
        let lead = match message {
            TabMessage::Join {
                tab,
                after,
                after_global,
                state,
            } => {
                let missed = self.followers.missed(after, after_global);
                let mut frames = missed.frames;
                let status = self.realtime.status.get_untracked();
                if status == Status::Connected {
                    let count = ServerFrame::UnreadCount {
                        count: self.realtime.unread.get_untracked(),
                    };
                    frames.push(serde_json::to_string(&count).expect("frames always serialize"));
                }
                self.post(&TabMessage::Replay {
                    to: tab.clone(),
                    frames,
                });
                self.post(&TabMessage::Status { status });
                if let Some(tabs) = &mut self.tabs {
                    tabs.watch(&tab);
                }
                let focus_changed = self.followers.update(&tab, state);
                if !missed.complete {
                    // The tab saw less than this socket started from: resume from its id, and
                    // let every tab drop what it has seen.
                    self.after = self.after.min(after);
                    self.followers.cover_from(after);
                    Lead::Resume
                } else if focus_changed {
                    Lead::SendFocus
                } else {
                    Lead::Nothing
                }
            }
            TabMessage::State { tab, state } if tab != own => {
                if let Some(tabs) = &mut self.tabs {
                    tabs.watch(&tab);
                }
                if self.followers.update(&tab, state) {
                    Lead::SendFocus
                } else {
                    Lead::Nothing
                }
            }
            TabMessage::Leave { tab } => {
                if let Some(tabs) = &mut self.tabs {
                    tabs.unwatch(&tab);
                }
                if self.followers.remove(&tab) {
                    Lead::SendFocus
                } else {
                    Lead::Nothing
                }
            }
            TabMessage::Send { text } => Lead::Send(text),
            TabMessage::SessionOver => Lead::SignIn,
            TabMessage::State { .. }
            | TabMessage::Elected
            | TabMessage::Frame { .. }
            | TabMessage::Status { .. }
            | TabMessage::Replay { .. } => Lead::Nothing,
        };
        self.publish_alerts();
        lead
    }

    /// This tab's own focus or visibility changed; answers whether the focus the shared socket
    /// sends changed (never, for a tab on its own socket: its focus is this tab's).
    fn own_state_changed(&mut self) -> bool {
        let changed = match &self.tabs {
            Some(tabs) => self.followers.update(&tabs.id, self.own_state()),
            None => false,
        };
        self.publish_alerts();
        changed
    }

    /// The conversation the socket says is on screen (see [`Followers::focus`]).
    fn focus(&self) -> Option<UserId> {
        if self.tabs.is_some() {
            self.followers.focus()
        } else {
            FOCUS.with(Cell::get)
        }
    }

    /// Passes a frame the server sent on to the other tabs, and keeps it for late ones.
    fn share(&mut self, text: &str) {
        if self.tabs.is_some() {
            self.followers.remember(text);
            self.post(&TabMessage::Frame {
                text: text.to_owned(),
            });
        }
    }

    fn open(&self) -> Option<WebSocket> {
        self.set_status(Status::Connecting);
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
        // Whether this socket got its `hello`: one closed before it may have been refused.
        let mut greeted = false;
        loop {
            let event = match select(socket.next(), inbox.next()).await {
                Either::Left((frame, _)) => Event::Frame(frame),
                Either::Right((command, _)) => Event::Command(command),
            };
            match event {
                Event::Frame(Some(Ok(Message::Text(text)))) => {
                    self.share(&text);
                    if self.receive(&text) {
                        greeted = true;
                        // A new socket knows nothing of the pages: tell it what is on screen.
                        if self.focus().is_some() {
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
                    let next = self.closed(close.code, &close.reason);
                    // A session that ended while no socket was open closes none with 4001: the
                    // server refuses the next one instead, which the browser reports as a
                    // dropped connection. Asking tells a refusal from an outage.
                    if matches!(next, Next::Retry) && !greeted && session_is_over().await {
                        self.realtime
                            .log(LogKind::Info, "the session is over: sign in again");
                        return Next::SignIn;
                    }
                    return next;
                }
                Event::Frame(Some(Err(err))) => {
                    self.realtime.log(LogKind::Error, err.to_string());
                }
                // The stream ends only after the close event, handled above.
                Event::Frame(None) => return Next::Retry,
                Event::Command(Some(Command::Send(text))) => self.send(&mut socket, text).await,
                Event::Command(Some(Command::Focus)) => {
                    if self.own_state_changed() || self.tabs.is_none() {
                        self.send_focus(&mut socket).await;
                    }
                }
                // Connected or connecting already; but which tab the user looks at decides
                // whose conversation counts.
                Event::Command(Some(Command::WakeUp)) => {
                    if self.own_state_changed() {
                        self.send_focus(&mut socket).await;
                    }
                }
                // This tab holds the socket already; a leader needs no introduction.
                Event::Command(Some(Command::Elected | Command::Alive)) => {}
                Event::Command(Some(Command::Tab(message))) => match self.hear_follower(message) {
                    Lead::Nothing => {}
                    Lead::Send(text) => self.send(&mut socket, text).await,
                    Lead::SendFocus => self.send_focus(&mut socket).await,
                    Lead::Resume => {
                        let _ = socket.close(Some(1000), Some("resuming for a tab"));
                        return Next::Connect;
                    }
                    Lead::SignIn => {
                        let _ = socket.close(Some(1000), Some("signed out"));
                        return Next::SignIn;
                    }
                },
                Event::Command(Some(Command::ConnectNow)) => {
                    self.attempt = 0;
                    let _ = socket.close(Some(1000), Some("reconnecting"));
                    return Next::Connect;
                }
                Event::Command(Some(Command::Disconnect)) => {
                    let _ = socket.close(Some(1000), Some("disconnected by the user"));
                    self.leave();
                    return self.disconnected_by_hand();
                }
                Event::Command(Some(Command::SignedOut)) => {
                    self.post(&TabMessage::SessionOver);
                    let _ = socket.close(Some(1000), Some("signed out"));
                    return Next::Stop;
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
        // Another account signed in on this browser (the cookie is shared): a new leader's
        // socket is now theirs. This page is not: load it again as whoever is signed in.
        if let ServerFrame::Hello { user_id, .. } = &frame {
            if *user_id != self.user {
                self.realtime
                    .log(LogKind::Error, "another account signed in: reloading");
                let _ = window().location().reload();
                return false;
            }
        }
        // A frame passed on again after a hand-over, or to catch a new tab up: shown once only.
        if let ServerFrame::Notification { notification } = &frame {
            if !self.seen.first_time(notification.id) {
                return false;
            }
        }
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
            ServerFrame::Resync => {
                // Frames were left out (a capped replay, or a burst past the socket's queue):
                // re-read over HTTP what the bell, the banners and the alerts show.
                realtime.log(
                    LogKind::Info,
                    "the server says frames were left out: re-reading",
                );
                leptos::task::spawn_local(reload_recent(realtime));
                leptos::task::spawn_local(drop_ended_banners(realtime));
                leptos::task::spawn_local(reload_preferences(realtime));
            }
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
            conversation_with: self.focus(),
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
        self.set_status(Status::Connecting);
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
                Some(Command::Disconnect) => {
                    self.leave();
                    return self.disconnected_by_hand();
                }
                Some(Command::SignedOut) => {
                    self.post(&TabMessage::SessionOver);
                    return Next::Stop;
                }
                Some(Command::Stop) | None => return Next::Stop,
                Some(Command::Send(_)) => self.not_sent(),
                Some(Command::Tab(message)) => match self.hear_follower(message) {
                    Lead::Send(_) => self.not_sent(),
                    Lead::Resume => return Next::Connect,
                    Lead::SignIn => return Next::SignIn,
                    // Every `hello` is answered with the focus.
                    Lead::SendFocus | Lead::Nothing => {}
                },
                Some(Command::WakeUp | Command::Focus) => {
                    self.own_state_changed();
                }
                Some(Command::Elected | Command::Alive) => {}
            }
        }
    }

    /// Disconnected by hand: waits for the page to ask to connect. A tab that shared its
    /// browser's socket has left the group meanwhile, and ignores it.
    async fn stay_off(&mut self, inbox: &mut UnboundedReceiver<Command>) -> Next {
        while let Some(command) = inbox.next().await {
            match command {
                Command::ConnectNow => {
                    self.attempt = 0;
                    return self.rejoin();
                }
                Command::Stop | Command::SignedOut => return Next::Stop,
                Command::Send(_) => self.not_sent(),
                Command::WakeUp
                | Command::Focus
                | Command::Disconnect
                | Command::Elected
                | Command::Alive
                | Command::Tab(_) => {}
            }
        }
        Next::Stop
    }
}

/// Whether the server says this browser is signed out (its session ended or was removed). An
/// outage, or any other answer, is not an answer to that.
async fn session_is_over() -> bool {
    matches!(
        super::browser::fetch("GET", "/api/auth/me/", None).await,
        Ok((401, _))
    )
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

/// Reads the newest notifications and the unread count again (after a `resync` frame): what the
/// bell and its popover show.
async fn reload_recent(realtime: Realtime) {
    #[derive(serde::Deserialize)]
    struct Page {
        results: Vec<crate::model::Notification>,
        unread_count: i64,
    }
    let path = format!("/api/notifications/?limit={}", super::MAX_RECENT);
    match super::browser::fetch("GET", &path, None).await {
        Ok((200, body)) => {
            if let Ok(page) = serde_json::from_str::<Page>(&body) {
                realtime.unread.set(page.unread_count);
                realtime.recent.set(page.results);
            }
        }
        Ok((status, _)) => realtime.log(
            LogKind::Error,
            format!("could not re-read notifications: {status}"),
        ),
        Err(err) => realtime.log(
            LogKind::Error,
            format!("could not re-read notifications: {err}"),
        ),
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
