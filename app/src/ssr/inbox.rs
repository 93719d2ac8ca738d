//! A user's own notifications: sending, listing and marking read. The JSON API, the socket, the
//! pages and the command line all go through here, so they agree on every rule, and every change
//! is stored before it is published.

use crate::model::{GroupKey, Notification, NotificationId, NotificationPage, UserId};

use super::events::Event;
use super::services::Services;
use super::store::{NewNotification, NotificationQuery, Store, StoreResult};

pub const DEFAULT_PAGE_SIZE: u32 = 20;
pub const MAX_PAGE_SIZE: u32 = 100;

/// Stores a notification, then pushes it and the recipient's new unread count.
pub async fn send(services: &Services, new: &NewNotification) -> StoreResult<Notification> {
    let mut sent = send_all(services, vec![new.clone()]).await?;
    Ok(sent.pop().expect("one sent for one given"))
}

/// Stores notifications in one transaction, then pushes each, and each recipient's new unread
/// count once (see [`NotificationWriter`](super::group_commit::NotificationWriter)). Answers them
/// in the order given.
///
/// Runs to the end even if the caller stops waiting (a client that hangs up): a notification
/// that was stored is always pushed.
pub async fn send_all(
    services: &Services,
    new: Vec<NewNotification>,
) -> StoreResult<Vec<Notification>> {
    services.notifications.send(new).await
}

/// One page of `query.user_id`'s notifications, newest first, with the cursor of the next.
pub async fn page(store: &dyn Store, query: NotificationQuery) -> StoreResult<NotificationPage> {
    // One row more than asked tells whether an older page exists.
    let mut results = store
        .list_notifications(NotificationQuery {
            limit: query.limit + 1,
            ..query
        })
        .await?;
    let has_more = results.len() > query.limit as usize;
    results.truncate(query.limit as usize);
    let next_before = if has_more {
        results.last().map(|n| n.id)
    } else {
        None
    };
    let unread_count = store.unread_count(query.user_id).await?;
    Ok(NotificationPage {
        results,
        unread_count,
        next_before,
    })
}

/// Marks one of the user's notifications read; `None` when the id is not theirs. Answers the
/// notification and the new unread count, which every socket of the user also receives.
pub async fn mark_read(
    services: &Services,
    user_id: UserId,
    id: NotificationId,
) -> StoreResult<Option<(Notification, i64)>> {
    let Some(notification) = services.store.mark_read(user_id, id).await? else {
        return Ok(None);
    };
    let count = publish_unread_count(services, user_id).await?;
    Ok(Some((notification, count)))
}

/// Marks all of the user's notifications read; answers how many changed and the unread count
/// after it (not always 0: a notification may arrive in between).
pub async fn mark_all_read(services: &Services, user_id: UserId) -> StoreResult<(u64, i64)> {
    let updated = services.store.mark_all_read(user_id).await?;
    let count = publish_unread_count(services, user_id).await?;
    Ok((updated, count))
}

/// Marks read every unread notification of the user's group `key`; answers how many changed
/// and the unread count after it.
pub async fn mark_group_read(
    services: &Services,
    user_id: UserId,
    key: &GroupKey,
) -> StoreResult<(u64, i64)> {
    let updated = services.store.mark_group_read(user_id, key).await?;
    let count = publish_unread_count(services, user_id).await?;
    Ok((updated, count))
}

/// Archives one of the user's notifications, or brings it back (`archived: false`); `None` when
/// the id is not theirs. Every socket of the user is told, and gets the new unread count
/// (archived notifications do not count).
pub async fn set_archived(
    services: &Services,
    user_id: UserId,
    id: NotificationId,
    archived: bool,
) -> StoreResult<Option<Notification>> {
    let Some(notification) = services.store.set_archived(user_id, id, archived).await? else {
        return Ok(None);
    };
    services
        .events
        .publish(Event::NotificationChanged {
            notification: notification.clone(),
        })
        .await;
    if !notification.is_read {
        publish_unread_count(services, user_id).await?;
    }
    Ok(Some(notification))
}

/// The user opened the page at `path`: what pointed them there has been seen. Marks read their
/// notifications that link to it (the application they opened, the conversation they are
/// reading) and tells their other tabs; answers the new unread count if it changed.
pub async fn seen_page(
    services: &Services,
    user_id: UserId,
    path: &str,
) -> StoreResult<Option<i64>> {
    if services.store.mark_read_by_link(user_id, path).await? == 0 {
        return Ok(None);
    }
    publish_unread_count(services, user_id).await.map(Some)
}

async fn publish_unread_count(services: &Services, user_id: UserId) -> StoreResult<i64> {
    let count = services.store.unread_count(user_id).await?;
    services
        .events
        .publish(Event::UnreadCount { user_id, count })
        .await;
    Ok(count)
}
