//! `/notifications/`: every notification of the signed-in user, newest first and grouped (see
//! [`crate::model::group`]), with tabs for the unread and the archived ones.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::form_error::error_text;
use crate::components::notification_entry::NotificationEntry;
use crate::error::AppError;
use crate::inbox::MarkAllNotificationsRead;
use crate::model::{group, Notification, NotificationId, NotificationPage};
use crate::realtime::Realtime;

#[server]
pub async fn list_notifications(
    unread: bool,
    archived: bool,
    before: Option<NotificationId>,
) -> Result<NotificationPage, AppError> {
    use crate::ssr::store::NotificationQuery;
    use crate::ssr::{inbox, services, session};

    let user = session::require_user()?;
    let query = NotificationQuery {
        user_id: user.id,
        unread_only: unread,
        archived,
        before,
        limit: inbox::DEFAULT_PAGE_SIZE,
    };
    Ok(inbox::page(&*services()?.store, query).await?)
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    super::require(super::Audience::SignedIn);
    let query = use_query_map();
    let unread_only = move || query.read().get("unread").as_deref() == Some("true");
    let archived = move || query.read().get("archived").as_deref() == Some("true");
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|b| b.parse::<NotificationId>().ok())
    };
    let page = Resource::new(
        move || (unread_only(), archived(), before()),
        |(unread, archived, before)| list_notifications(unread, archived, before),
    );
    let mark_all = ServerAction::<MarkAllNotificationsRead>::new();

    view! {
        <section class="card wide">
            <header class="list-header">
                <h1>"Notifications"</h1>
                <nav class="filters" aria-label="Filter">
                    <a href="/notifications/" class:active=move || !unread_only() && !archived()>
                        "All"
                    </a>
                    <a href="/notifications/?unread=true" class:active=move || unread_only() && !archived()>
                        "Unread"
                    </a>
                    <a
                        href="/notifications/?archived=true"
                        class:active=archived
                        data-testid="archived-tab"
                    >
                        "Archived"
                    </a>
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
                                    archived=archived()
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
    /// The "Archived" tab.
    archived: bool,
    live: bool,
    mark_all: ServerAction<MarkAllNotificationsRead>,
) -> impl IntoView {
    let realtime = expect_context::<Realtime>();
    let items = RwSignal::new(page.results);
    let cursor = RwSignal::new(page.next_before);
    let loading = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(_)) = mark_all.value().get() {
            set_read(items, |_| true);
            realtime
                .recent
                .update(|recent| recent.iter_mut().for_each(|n| n.is_read = true));
        }
    });
    // Archived or brought back elsewhere (another tab, the popover): it leaves this list, or
    // shows its new state.
    Effect::new(move |_| {
        let changed = realtime.changed.get();
        items.update(|items| {
            for change in &changed {
                if change.archived_at.is_some() != archived {
                    items.retain(|n| n.id != change.id);
                }
            }
        });
    });
    let on_read = Callback::new(move |ids: Vec<NotificationId>| {
        set_read(items, |n| ids.contains(&n.id));
        realtime.show_read(&ids);
    });
    let on_archived = Callback::new(move |(ids, _archived): (Vec<NotificationId>, bool)| {
        items.update(|items| items.retain(|n| !ids.contains(&n.id)));
    });
    // New notifications arrive in the inbox, never in the archive.
    if live && !archived {
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
            if let Ok(page) = list_notifications(unread_only, archived, Some(before)).await {
                items.update(|items| items.extend(page.results));
                cursor.set(page.next_before);
            }
            loading.set(false);
        });
    };
    let more_link = NodeRef::<leptos::html::A>::new();
    #[cfg(feature = "hydrate")]
    crate::realtime::browser::when_visible(more_link, load_more);

    let empty_text = if archived {
        "Nothing archived. Archive a notification to keep it out of your inbox."
    } else if unread_only {
        "Nothing unread. You are all caught up."
    } else {
        "No notifications yet."
    };
    let filter = match (unread_only, archived) {
        (_, true) => "archived=true&",
        (true, false) => "unread=true&",
        (false, false) => "",
    };
    let groups = Memo::new(move |_| group(items.get()));
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
                each=move || groups.get()
                key=|g| (g.newest().id, g.len(), g.unread())
                children=move |group| {
                    view! {
                        <NotificationEntry group test_id="notification-item" on_read on_archived/>
                    }
                }
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
