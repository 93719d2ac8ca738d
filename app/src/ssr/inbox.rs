//! A user's own notifications: listing and marking read. The JSON API, the socket and the pages
//! all go through here, so they agree on every rule.

use crate::model::{Notification, NotificationPage};

use super::store::{NotificationQuery, Store, StoreResult};

pub const DEFAULT_PAGE_SIZE: u32 = 20;
pub const MAX_PAGE_SIZE: u32 = 100;

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

/// Marks one of the user's notifications read. `None` when the id is not theirs.
pub async fn mark_read(
    store: &dyn Store,
    user_id: i64,
    id: i64,
) -> StoreResult<Option<Notification>> {
    store.mark_read(user_id, id).await
}

/// Marks all of the user's notifications read; answers how many changed.
pub async fn mark_all_read(store: &dyn Store, user_id: i64) -> StoreResult<u64> {
    store.mark_all_read(user_id).await
}
