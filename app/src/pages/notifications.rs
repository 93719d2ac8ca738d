//! `/notifications/`: every notification of the signed-in user, newest first.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::form_error::error_text;
use crate::components::shell::use_viewer;
use crate::components::time::format_utc;
use crate::model::{Link, Notification, NotificationPage};

#[server]
pub async fn list_notifications(
    unread: bool,
    before: Option<i64>,
) -> Result<NotificationPage, ServerFnError> {
    use crate::ssr::store::NotificationQuery;
    use crate::ssr::{inbox, services, session};

    let user = session::signed_in()
        .ok_or_else(|| ServerFnError::new("please sign in"))?
        .user;
    let query = NotificationQuery {
        user_id: user.id,
        unread_only: unread,
        before,
        limit: inbox::DEFAULT_PAGE_SIZE,
    };
    inbox::page(&*services()?.store, query)
        .await
        .map_err(|err| ServerFnError::new(err.to_string()))
}

#[server]
pub async fn mark_notification_read(id: i64) -> Result<(), ServerFnError> {
    use crate::ssr::{inbox, services, session};

    let user = session::signed_in()
        .ok_or_else(|| ServerFnError::new("please sign in"))?
        .user;
    match inbox::mark_read(&services()?, user.id, id).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(ServerFnError::new("no such notification")),
        Err(err) => Err(ServerFnError::new(err.to_string())),
    }
}

#[server]
pub async fn mark_all_notifications_read() -> Result<u64, ServerFnError> {
    use crate::ssr::{inbox, services, session};

    let user = session::signed_in()
        .ok_or_else(|| ServerFnError::new("please sign in"))?
        .user;
    inbox::mark_all_read(&services()?, user.id)
        .await
        .map(|(updated, _)| updated)
        .map_err(|err| ServerFnError::new(err.to_string()))
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if crate::ssr::session::signed_in().is_none() {
        leptos_axum::redirect("/login?next=/notifications/");
    }
    let ctx = use_viewer();
    let query = use_query_map();
    let unread_only = move || query.read().get("unread").as_deref() == Some("true");
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|b| b.parse::<i64>().ok())
    };

    let mark_read = ServerAction::<MarkNotificationRead>::new();
    let mark_all = ServerAction::<MarkAllNotificationsRead>::new();
    let page = Resource::new(
        move || {
            (
                unread_only(),
                before(),
                mark_read.version().get(),
                mark_all.version().get(),
            )
        },
        |(unread, before, _, _)| list_notifications(unread, before),
    );
    // The badge in the top bar follows every change made here.
    Effect::new(move |_| {
        if mark_read.version().get() + mark_all.version().get() > 0 {
            ctx.refresh();
        }
    });

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
                        Ok(page) => view! { <NotificationList page unread_only=unread_only() mark_read/> }.into_any(),
                        Err(err) => view! {
                            <p class="form-error" role="alert">{error_text(&err)}</p>
                            <p><a href="/login?next=/notifications/">"Sign in"</a></p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn NotificationList(
    page: NotificationPage,
    unread_only: bool,
    mark_read: ServerAction<MarkNotificationRead>,
) -> impl IntoView {
    if page.results.is_empty() {
        let text = if unread_only {
            "Nothing unread. You are all caught up."
        } else {
            "No notifications yet."
        };
        return view! { <p class="empty" data-testid="empty-notifications">{text}</p> }.into_any();
    }
    let older = page.next_before.map(|before| {
        let filter = if unread_only { "unread=true&" } else { "" };
        view! {
            <a class="button" href=format!("/notifications/?{filter}before={before}")>"Older"</a>
        }
    });
    view! {
        <ul class="notification-list">
            {page
                .results
                .into_iter()
                .map(|n| view! { <NotificationItem notification=n mark_read/> })
                .collect_view()}
        </ul>
        <p class="pager">{older}</p>
    }
    .into_any()
}

#[component]
fn NotificationItem(
    notification: Notification,
    mark_read: ServerAction<MarkNotificationRead>,
) -> impl IntoView {
    let kind = notification.notification_type.as_str();
    // Stored links were checked on the way in; checking again here keeps an old bad row harmless.
    let href = notification
        .link
        .as_deref()
        .and_then(|link| Link::parse("link", link).ok())
        .map(|link| link.as_str().to_owned());
    let title = notification.title.clone();
    let title = match href {
        Some(href) => view! { <a href=href>{title}</a> }.into_any(),
        None => view! { <span>{title}</span> }.into_any(),
    };
    let id = notification.id;
    view! {
        <li
            class="notification-item"
            class:unread=!notification.is_read
            data-testid="notification-item"
            data-id=id
            data-type=kind
        >
            <span class=format!("type-dot type-{kind}") aria-hidden="true"></span>
            <div class="notification-body">
                <strong class="notification-title">{title}</strong>
                <p class="notification-message">{notification.message.clone()}</p>
                <time datetime=notification.created_at.to_string()>
                    {format_utc(notification.created_at)}
                </time>
            </div>
            {(!notification.is_read).then(|| view! {
                <ActionForm action=mark_read attr:class="inline">
                    <input type="hidden" name="id" value=id/>
                    <button type="submit" class="button small" data-testid="mark-read">
                        "Mark read"
                    </button>
                </ActionForm>
            })}
        </li>
    }
}
