//! `/messages/` (conversations) and `/messages/<username>` (one conversation, live).

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

use crate::components::form_error::{error_text, FormError};
use crate::components::time::Time;
use crate::error::AppError;
use crate::model::{Conversation, DirectMessage, User};
use crate::realtime::Realtime;

#[server]
pub async fn list_conversations() -> Result<Vec<(Conversation, bool)>, AppError> {
    use crate::ssr::store::NotificationQuery;
    use crate::ssr::{services, session};

    let user = session::require_user()?;
    let services = services()?;
    let conversations = services.store.conversations(user.id).await?;
    // A conversation is unread while its "new message" notification is: reading the conversation
    // marks that read (see `inbox::seen_page`).
    let unread = services
        .store
        .list_notifications(NotificationQuery {
            user_id: user.id,
            unread_only: true,
            archived: false,
            before: None,
            limit: 100,
        })
        .await?;
    Ok(conversations
        .into_iter()
        .map(|c| {
            let link = format!("/messages/{}", c.peer.username);
            let is_unread = unread
                .iter()
                .any(|n| n.link.as_deref() == Some(link.as_str()));
            (c, is_unread)
        })
        .collect())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thread {
    pub me: User,
    pub peer: User,
    pub messages: Vec<DirectMessage>,
}

#[server]
pub async fn get_thread(username: String) -> Result<Thread, AppError> {
    use crate::ssr::{services, session};

    let me = session::require_user()?;
    let services = services()?;
    let peer = services
        .store
        .user_by_username(&username)
        .await?
        .ok_or_else(|| AppError::not_found("no such user"))?;
    let messages = services.store.conversation(me.id, peer.id, 200).await?;
    Ok(Thread { me, peer, messages })
}

#[server]
pub async fn send_message(recipient: String, body: String) -> Result<(), AppError> {
    use crate::ssr::{board, services, session};

    let sender = session::require_user()?;
    board::send_message(&services()?, &sender, &recipient, &body).await?;
    Ok(())
}

#[component]
pub fn MessagesPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        // The "write to" form is a plain GET form, so it works without JavaScript.
        let to = leptos_router::hooks::use_query_map()
            .read_untracked()
            .get("to");
        if crate::ssr::session::signed_in().is_none() {
            leptos_axum::redirect("/login?next=/messages/");
        } else if let Some(to) = to.filter(|t| !t.trim().is_empty()) {
            leptos_axum::redirect(&format!("/messages/{}", super::encode_component(to.trim())));
        }
    }
    let realtime = expect_context::<Realtime>();
    let live = Memo::new(move |_| realtime.messages.with(Vec::len));
    let conversations = Resource::new(move || live.get(), |_| list_conversations());
    view! {
        <section class="card wide">
            <h1>"Messages"</h1>
            <form method="get" action="/messages/" class="search" rel="external">
                <input name="to" placeholder="Write to (username)" aria-label="Write to" required/>
                <button type="submit" class="button">"Open"</button>
            </form>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match conversations.await {
                        Err(err) => view! { <p class="form-error">{error_text(&err)}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! {
                            <div class="empty">
                                <p>"No conversations yet."</p>
                                <p class="muted">"Write to someone by name below, or from a profile or an application."</p>
                            </div>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="job-list">
                                {list.into_iter().map(|(c, unread)| view! {
                                    <li class="job-card" class:unread=unread data-testid="conversation" data-unread=unread.to_string()>
                                        <a href=format!("/messages/{}", c.peer.username)><strong>{c.peer.username.clone()}</strong></a>
                                        {unread.then(|| view! { <span class="pill status-new" data-testid="unread-marker">"new"</span> })}
                                        <span class="muted preview">{c.last.body.clone()}</span>
                                        <span class="muted"><Time at=c.last.created_at/></span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
pub fn ConversationPage() -> impl IntoView {
    super::require(super::Audience::SignedIn);
    let params = use_params_map();
    let username = move || params.read().get("username").unwrap_or_default();
    let thread = Resource::new(username, get_thread);
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match thread.await {
                    Err(err) => view! {
                        <section class="card narrow"><h1>"Messages"</h1><p class="form-error">{error_text(&err)}</p></section>
                    }.into_any(),
                    Ok(thread) => view! { <ThreadView thread/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ThreadView(thread: Thread) -> impl IntoView {
    let realtime = expect_context::<Realtime>();
    let me = thread.me.id;
    let peer = thread.peer.clone();
    let peer_id = peer.id;
    let stored = thread.messages;
    let last_stored = stored.last().map(|m| m.id);
    // The page shows what was stored at render time, then what arrives on the socket.
    let arrived = move || {
        realtime.messages.with(|messages| {
            messages
                .iter()
                .filter(|m| Some(m.id) > last_stored && m.between(me, peer_id))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    // While this conversation is on screen its messages raise no notifications.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        crate::realtime::socket::focus(Some(peer_id));
    });
    on_cleanup(move || {
        #[cfg(feature = "hydrate")]
        crate::realtime::socket::focus(None);
    });
    let send = ServerAction::<SendMessage>::new();
    let body = RwSignal::new(String::new());
    // Enter sends, as in every chat; Shift+Enter starts a new line.
    let send_button = NodeRef::<leptos::html::Button>::new();
    let enter_sends = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            if let Some(button) = send_button.get() {
                button.click();
            }
        }
    };
    Effect::new(move |_| {
        if let Some(Ok(())) = send.value().get() {
            body.set(String::new());
        }
    });
    let bubble = move |m: DirectMessage| {
        let mine = m.sender_id == me;
        view! {
            <li class="bubble" class:mine=mine data-testid="message">
                <p>{m.body.clone()}</p>
                <Time at=m.created_at/>
            </li>
        }
    };
    view! {
        <section class="card wide conversation">
            <h1>
                "Conversation with "
                <a href=format!("/profile/{}", peer.username)>{peer.username.clone()}</a>
            </h1>
            <ol class="bubbles" data-testid="thread">
                {stored.into_iter().map(bubble).collect_view()}
                <For each=arrived key=|m| m.id children=bubble/>
            </ol>
            <ActionForm action=send attr:class="stack" attr:data-testid="message-form">
                <input type="hidden" name="recipient" value=peer.username.clone()/>
                <label>
                    "Message"
                    <textarea
                        name="body"
                        rows="3"
                        required
                        maxlength="2000"
                        prop:value=move || body.get()
                        on:input=move |ev| body.set(event_target_value(&ev))
                        on:keydown=enter_sends
                    ></textarea>
                </label>
                <p class="muted hint">"Enter sends; Shift+Enter starts a new line."</p>
                <FormError result=Signal::derive(move || send.value().get())/>
                <button type="submit" class="button primary" node_ref=send_button>"Send"</button>
            </ActionForm>
        </section>
    }
}
