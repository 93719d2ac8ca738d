//! `/realtime-test/`: the socket by hand. Connect and disconnect, send any frame, call each REST
//! endpoint, and watch a colour-coded activity log and the notifications received.

use leptos::prelude::*;

use crate::components::time::format_utc;
use crate::realtime::{LogKind, Realtime};

#[component]
pub fn RealtimeTestPage() -> impl IntoView {
    // A debugging tool: only admins see it in their navigation, but anyone signed in may use it
    // on their own socket.
    super::require(super::Audience::SignedIn);
    let realtime = expect_context::<Realtime>();
    let frame = RwSignal::new(r#"{"action":"ping"}"#.to_owned());
    let mark_id = RwSignal::new(String::new());

    let send_text = move |text: String| {
        #[cfg(feature = "hydrate")]
        crate::realtime::socket::send_text(&text);
        #[cfg(not(feature = "hydrate"))]
        let _ = text;
    };
    let call = move |method: &'static str, path: &'static str, body: Option<&'static str>| {
        realtime.log(LogKind::Sent, format!("{method} {path}"));
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            match crate::realtime::browser::fetch(method, path, body.map(str::to_owned)).await {
                Ok((status, text)) => {
                    let kind = if status < 400 {
                        LogKind::Received
                    } else {
                        LogKind::Error
                    };
                    realtime.log(kind, format!("{status} {method} {path} {text}"));
                }
                Err(err) => realtime.log(LogKind::Error, format!("{method} {path} failed: {err}")),
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = body;
    };

    view! {
        <div class="test-grid">
            <section class="card">
                <h1>"Real-time test"</h1>
                <p>
                    "Socket: "
                    <strong data-testid="test-status">{move || <&str>::from(realtime.status.get())}</strong>
                </p>
                <div class="button-row">
                    <button class="button" data-testid="connect" on:click=move |_| {
                        #[cfg(feature = "hydrate")]
                        crate::realtime::socket::connect_now();
                    }>"Connect"</button>
                    <button class="button" data-testid="disconnect" on:click=move |_| {
                        #[cfg(feature = "hydrate")]
                        crate::realtime::socket::disconnect();
                    }>"Disconnect"</button>
                </div>
                <h2>"Send a frame"</h2>
                <textarea
                    data-testid="frame-input"
                    rows="3"
                    prop:value=move || frame.get()
                    on:input=move |ev| frame.set(event_target_value(&ev))
                ></textarea>
                <div class="button-row">
                    <button class="button primary" data-testid="send-frame" on:click=move |_| send_text(frame.get_untracked())>
                        "Send"
                    </button>
                    <button class="button" on:click=move |_| send_text(r#"{"action":"ping"}"#.into())>"Ping"</button>
                    <button class="button" on:click=move |_| send_text(r#"{"action":"mark_all_read"}"#.into())>
                        "Mark all read"
                    </button>
                    <button class="button" on:click=move |_| send_text("{not json".into())>"Bad frame"</button>
                </div>
                <div class="button-row">
                    <input
                        placeholder="notification id"
                        prop:value=move || mark_id.get()
                        on:input=move |ev| mark_id.set(event_target_value(&ev))
                    />
                    <button class="button" on:click=move |_| {
                        let id = mark_id.get_untracked();
                        send_text(format!(r#"{{"action":"mark_read","notification_id":{}}}"#, id.trim()))
                    }>"Mark read"</button>
                </div>
                <h2>"Call the API"</h2>
                <div class="button-row">
                    <button class="button" on:click=move |_| call("GET", "/api/auth/me/", None)>"GET me"</button>
                    <button class="button" on:click=move |_| call("GET", "/api/notifications/?limit=5", None)>
                        "GET notifications"
                    </button>
                    <button class="button" on:click=move |_| call("GET", "/api/notifications/?unread=true&limit=5", None)>
                        "GET unread"
                    </button>
                    <button class="button" on:click=move |_| call("POST", "/api/notifications/mark-all-read/", None)>
                        "POST mark-all-read"
                    </button>
                    <button class="button" on:click=move |_| call("GET", "/api/global-notifications/", None)>
                        "GET globals"
                    </button>
                    <button class="button" on:click=move |_| call(
                        "POST",
                        "/api/notifications/",
                        Some(r#"{"username":"admin","title":"Test from the realtime page"}"#),
                    )>"POST notification (admins)"</button>
                    <button class="button" on:click=move |_| call("GET", "/healthz", None)>"GET healthz"</button>
                </div>
            </section>
            <section class="card">
                <h2>"Activity"</h2>
                <ol class="activity-log" data-testid="activity-log">
                    <For
                        each=move || realtime.log.get()
                        key=|entry| entry.key
                        children=|entry| {
                            let kind: &'static str = entry.kind.into();
                            view! {
                                <li class=format!("log-{kind}") data-kind=kind>
                                    <time>{entry.at.clone()}</time>
                                    <span>{entry.text.clone()}</span>
                                </li>
                            }
                        }
                    />
                </ol>
                <h2>"Notifications received"</h2>
                <ul class="received" data-testid="received">
                    <For
                        each=move || realtime.received.get()
                        key=|n| n.id
                        children=|n| view! {
                            <li>
                                <strong>{n.title.to_string()}</strong>
                                " · " {n.notification_type.to_string()} " · " {format_utc(n.created_at)}
                            </li>
                        }
                    />
                </ul>
            </section>
        </div>
    }
}
