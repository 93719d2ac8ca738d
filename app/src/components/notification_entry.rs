//! One entry of a notification list: a notification alone, or a group of them ("New
//! application: Rust Engineer", 20). The bell's popover and the notifications page show the same
//! entry; each keeps its own list and is told (through callbacks) when the server has marked or
//! moved what an entry holds.
//!
//! Its buttons are forms posted to the server functions of [`crate::inbox`], so they work
//! without JavaScript; once the page is live, they are sent in the background instead.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::components::time::Time;
use crate::inbox::{MarkGroupRead, MarkNotificationRead, SetArchived};
use crate::model::{NotificationGroup, NotificationId};

#[component]
pub fn NotificationEntry(
    group: NotificationGroup,
    /// The entry's `data-testid`: `notification-item` on the page, `inbox-item` in the popover.
    test_id: &'static str,
    /// Called with the ids the server has just marked read.
    on_read: Callback<Vec<NotificationId>>,
    /// Called with the ids the server has just archived (`true`) or brought back (`false`).
    on_archived: Callback<(Vec<NotificationId>, bool)>,
) -> AnyView {
    let newest = group.newest().clone();
    let count = group.len();
    let unread = group.unread();
    let ids: Vec<NotificationId> = group.ids().collect();
    // A group is marked read by its key: all of it, however many arrive meanwhile.
    let group_key = group.key().filter(|_| count > 1).cloned();
    let archived = newest.archived_at.is_some();
    let kind: &'static str = newest.notification_type.into();
    let id = newest.id;

    // Following the link is reading the notification: it is marked read on the way (the page it
    // leads to marks it too, when it is on this site).
    let opened = move |_| {
        #[cfg(feature = "hydrate")]
        crate::realtime::socket::send(&crate::protocol::ClientFrame::MarkRead {
            notification_id: id,
        });
    };
    // A `Link` was parsed whichever way it came, so it is safe to follow.
    let title = newest.title.to_string();
    let title = match newest.link.as_ref().map(|link| link.to_string()) {
        Some(href) => view! { <a href=href on:click=opened>{title}</a> }.into_any(),
        None => view! { <span>{title}</span> }.into_any(),
    };
    let more = (count > 1).then(|| format!(" And {} more like it.", count - 1));

    let read_ids = ids.clone();
    let read_key = group_key.clone();
    let mark_read = move |ev: SubmitEvent| {
        ev.prevent_default();
        let ids = read_ids.clone();
        let key = read_key.clone();
        leptos::task::spawn_local(async move {
            let done = match key {
                Some(key) => crate::inbox::mark_group_read(key).await.map(drop),
                None => crate::inbox::mark_notification_read(id).await,
            };
            if done.is_ok() {
                on_read.run(ids);
            }
        });
    };
    let archive_ids = ids.clone();
    let archive = move |ev: SubmitEvent| {
        ev.prevent_default();
        let ids = archive_ids.clone();
        leptos::task::spawn_local(async move {
            if crate::inbox::set_archived(ids.clone(), !archived)
                .await
                .is_ok()
            {
                on_archived.run((ids, !archived));
            }
        });
    };

    view! {
        <li
            class="notification-item"
            class:unread={unread > 0}
            data-testid=test_id
            data-id=id.to_string()
            data-type=kind
            data-count=count.to_string()
            data-group=group.key().map(|key| key.to_string())
        >
            <span class=format!("type-dot type-{kind}") aria-hidden="true"></span>
            <div class="notification-body">
                <strong class="notification-title">
                    {title}
                    {(count > 1)
                        .then(|| {
                            view! {
                                <span
                                    class="group-count"
                                    data-testid="group-count"
                                    aria-label=format!("{count} notifications")
                                >
                                    {count}
                                </span>
                            }
                        })}
                </strong>
                <p class="notification-message">{newest.message.to_string()} {more}</p>
                <Time at=newest.created_at/>
            </div>
            <div class="notification-actions">
                {(unread > 0)
                    .then(|| match group_key.clone() {
                        Some(key) => {
                            view! {
                                <form method="post" action=MarkGroupRead::url() class="inline" on:submit=mark_read.clone()>
                                    <input type="hidden" name="group_key" value=key.to_string()/>
                                    <button type="submit" class="button small" data-testid="mark-read">
                                        "Mark read"
                                    </button>
                                </form>
                            }
                                .into_any()
                        }
                        None => {
                            view! {
                                <form method="post" action=MarkNotificationRead::url() class="inline" on:submit=mark_read.clone()>
                                    <input type="hidden" name="id" value=id.to_string()/>
                                    <button type="submit" class="button small" data-testid="mark-read">
                                        "Mark read"
                                    </button>
                                </form>
                            }
                                .into_any()
                        }
                    })}
                <form method="post" action=SetArchived::url() class="inline" on:submit=archive>
                    {ids
                        .iter()
                        .enumerate()
                        .map(|(i, id)| {
                            view! { <input type="hidden" name=format!("ids[{i}]") value=id.to_string()/> }
                        })
                        .collect_view()}
                    <input type="hidden" name="archived" value=(!archived).to_string()/>
                    <button
                        type="submit"
                        class="button small ghost"
                        data-testid=if archived { "unarchive" } else { "archive" }
                    >
                        {if archived { "Unarchive" } else { "Archive" }}
                    </button>
                </form>
            </div>
        </li>
    }
    // Type-erased: the entry's view type, nested in the lists' `For` and the pages' suspense,
    // otherwise overflows the compiler's query depth in the release build of the WASM.
    .into_any()
}
