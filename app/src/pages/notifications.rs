//! `/notifications/`: every notification of the signed-in user, newest first.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::form_error::error_text;
use crate::components::time::Time;
use crate::error::AppError;
use crate::model::{Notification, NotificationId, NotificationPage};
use crate::realtime::Realtime;

#[server]
pub async fn list_notifications(
    unread: bool,
    before: Option<NotificationId>,
) -> Result<NotificationPage, AppError> {
    use crate::ssr::store::NotificationQuery;
    use crate::ssr::{inbox, services, session};

    let user = session::require_user()?;
    let query = NotificationQuery {
        user_id: user.id,
        unread_only: unread,
        before,
        limit: inbox::DEFAULT_PAGE_SIZE,
    };
    Ok(inbox::page(&*services()?.store, query).await?)
}

#[server]
pub async fn mark_notification_read(id: NotificationId) -> Result<(), AppError> {
    use crate::ssr::{inbox, services, session};

    let user = session::require_user()?;
    match inbox::mark_read(&services()?, user.id, id).await? {
        Some(_) => Ok(()),
        None => Err(AppError::not_found("no such notification")),
    }
}

#[server]
pub async fn mark_all_notifications_read() -> Result<u64, AppError> {
    use crate::ssr::{inbox, services, session};

    let user = session::require_user()?;
    let (updated, _) = inbox::mark_all_read(&services()?, user.id).await?;
    Ok(updated)
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    super::require(super::Audience::SignedIn);
    let query = use_query_map();
    let unread_only = move || query.read().get("unread").as_deref() == Some("true");
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|b| b.parse::<NotificationId>().ok())
    };
    let page = Resource::new(
        move || (unread_only(), before()),
        |(unread, before)| list_notifications(unread, before),
    );
    let mark_all = ServerAction::<MarkAllNotificationsRead>::new();

    view! {
        <section class="card wide">
            <header class="list-header">
                <h1>"Notifications"</h1>
                <nav class="filters" aria-label="Filter">
                    <a href="/notifications/" class:active=move || !unread_only()>"All"</a>
                    <a href="/notifications/?unread=true" class:active=unread_only>"Unread"</a>
                </nav>
                <ActionForm action=mark_all attr:class="inline">
                    <button type="submit" class="button" data-testid="mark-all-read">
                        "Mark all read"
                    </button>
                </ActionForm>
            </header>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) => {
                            view! {
                                <NotificationList
                                    page
                                    unread_only=unread_only()
                                    live=before().is_none()
                                    mark_all
                                />
                            }
                                .into_any()
                        }
                        Err(err) => {
                            view! {
                                <p class="form-error" role="alert">{error_text(&err)}</p>
                                <p><a href="/login?next=/notifications/">"Sign in"</a></p>
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The list on screen: the server's page, notifications arriving live on top (when showing the
/// newest), and older pages appended as the reader scrolls.
#[component]
fn NotificationList(
    page: NotificationPage,
    unread_only: bool,
    live: bool,
    mark_all: ServerAction<MarkAllNotificationsRead>,
) -> impl IntoView {
    let realtime = expect_context::<Realtime>();
    let items = RwSignal::new(page.results);
    let cursor = RwSignal::new(page.next_before);
    let loading = RwSignal::new(false);
    let mark_read = ServerAction::<MarkNotificationRead>::new();

    // A row turns read once the server says so; the action forgets its input by then, so the
    // id is kept from when it was sent.
    let marking = StoredValue::new(None::<NotificationId>);
    Effect::new(move |_| {
        if let Some(MarkNotificationRead { id }) = mark_read.input().get() {
            marking.set_value(Some(id));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = mark_read.value().get() {
            if let Some(id) = marking.get_value() {
                set_read(items, |n| n.id == id);
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = mark_all.value().get() {
            set_read(items, |_| true);
        }
    });
    if live {
        Effect::new(move |_| {
            let received = realtime.received.get();
            items.update(|items| {
                let top = items.first().map(|n| n.id);
                let mut fresh: Vec<Notification> = received
                    .into_iter()
                    .filter(|n| Some(n.id) > top && (!unread_only || !n.is_read))
                    .collect();
                fresh.sort_by_key(|n| std::cmp::Reverse(n.id));
                if !fresh.is_empty() {
                    items.splice(0..0, fresh);
                }
            });
        });
    }

    let load_more = move || {
        let Some(before) = cursor.get_untracked() else {
            return;
        };
        if loading.get_untracked() {
            return;
        }
        loading.set(true);
        leptos::task::spawn_local(async move {
            if let Ok(page) = list_notifications(unread_only, Some(before)).await {
                items.update(|items| items.extend(page.results));
                cursor.set(page.next_before);
            }
            loading.set(false);
        });
    };
    let more_link = NodeRef::<leptos::html::A>::new();
    #[cfg(feature = "hydrate")]
    crate::realtime::browser::when_visible(more_link, load_more);

    let empty_text = if unread_only {
        "Nothing unread. You are all caught up."
    } else {
        "No notifications yet."
    };
    let filter = if unread_only { "unread=true&" } else { "" };
    view! {
        <Show when=move || items.with(Vec::is_empty)>
            <div class="empty">
                <p data-testid="empty-notifications">{empty_text}</p>
                <p class="muted">
                    "Applications, messages, profile views and alerts arrive here, live. "
                    <a href="/">"Browse the jobs"</a>
                </p>
            </div>
        </Show>
        <ul class="notification-list">
            <For
                each=move || items.get()
                key=|n| (n.id, n.is_read)
                children=move |n| view! { <NotificationItem notification=n mark_read/> }
            />
        </ul>
        <p class="pager">
            <Show when=move || cursor.get().is_some()>
                <a
                    class="button"
                    data-testid="load-more"
                    node_ref=more_link
                    href=move || {
                        let before = cursor.get().map(|id| id.to_string()).unwrap_or_default();
                        format!("/notifications/?{filter}before={before}")
                    }
                    on:click=move |ev| {
                        ev.prevent_default();
                        load_more();
                    }
                >
                    {move || if loading.get() { "Loading…" } else { "Older" }}
                </a>
            </Show>
        </p>
    }
}

fn set_read(items: RwSignal<Vec<Notification>>, which: impl Fn(&Notification) -> bool) {
    items.update(|items| {
        for n in items.iter_mut().filter(|n| which(n)) {
            n.is_read = true;
        }
    });
}

#[component]
fn NotificationItem(
    notification: Notification,
    mark_read: ServerAction<MarkNotificationRead>,
) -> impl IntoView {
    let kind: &'static str = notification.notification_type.into();
    // A `Link` was parsed whichever way it came (from the store, or as JSON), so it is safe to
    // follow.
    let href = notification.link.as_ref().map(|link| link.to_string());
    let title = notification.title.to_string();
    let id = notification.id;
    // Following the link is reading the notification: it is marked read on the way (the page it
    // leads to marks it too, when it is on this site and loads without the socket).
    let opened = move |_| {
        #[cfg(feature = "hydrate")]
        crate::realtime::socket::send(&crate::protocol::ClientFrame::MarkRead {
            notification_id: id,
        });
    };
    let title = match href {
        Some(href) => view! { <a href=href on:click=opened>{title}</a> }.into_any(),
        None => view! { <span>{title}</span> }.into_any(),
    };
    view! {
        <li
            class="notification-item"
            class:unread=!notification.is_read
            data-testid="notification-item"
            data-id=id.to_string()
            data-type=kind
        >
            <span class=format!("type-dot type-{kind}") aria-hidden="true"></span>
            <div class="notification-body">
                <strong class="notification-title">{title}</strong>
                <p class="notification-message">{notification.message.to_string()}</p>
                <Time at=notification.created_at/>
            </div>
            {(!notification.is_read)
                .then(|| {
                    view! {
                        <ActionForm action=mark_read attr:class="inline">
                            <input type="hidden" name="id" value=id.to_string()/>
                            <button type="submit" class="button small" data-testid="mark-read">
                                "Mark read"
                            </button>
                        </ActionForm>
                    }
                })}
        </li>
    }
}
