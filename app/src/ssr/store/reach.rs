//! Storage of an announcement's reach: who has seen each global notification. With the
//! dismissals the core store keeps (`global_dismissals`), it answers the admin panel's "seen"
//! and "dismissed" counts.
//!
//! A view is one row per (user, global), written insert-or-ignore: seeing an announcement again,
//! on another page or device, changes nothing, so the count of a global's rows is how many
//! people it reached. The writes come in batches from the server's [`crate::ssr::reach`]
//! recorder, never one per page view.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::StoreResult;
use crate::model::{GlobalNotificationId, Reach, UserId};

#[async_trait]
pub trait ReachStore: Send + Sync {
    /// Remembers that each user of `seen` saw the global paired with them, at `now`, in one
    /// statement. A pair already remembered keeps its first time; a pair whose user or global
    /// no longer exists is skipped. Answers how many pairs were new.
    async fn record_seen(
        &self,
        seen: &[(UserId, GlobalNotificationId)],
        now: OffsetDateTime,
    ) -> StoreResult<u64>;

    /// The reach of each global of `ids`, in the order given: how many users saw it and how many
    /// dismissed it. An id of no global reached no one.
    async fn reach(&self, ids: &[GlobalNotificationId]) -> StoreResult<Vec<Reach>>;
}

/// Per-global counts, as a query answers them, in the order of `ids`: a global the query found
/// no row for reached no one. Counts are never negative.
pub(super) fn reach_in_order(
    ids: &[GlobalNotificationId],
    rows: Vec<(GlobalNotificationId, i64, i64)>,
) -> Vec<Reach> {
    let rows: std::collections::HashMap<GlobalNotificationId, Reach> = rows
        .into_iter()
        .map(|(id, seen, dismissed)| {
            let reach = Reach {
                seen: seen.try_into().unwrap_or_default(),
                dismissed: dismissed.try_into().unwrap_or_default(),
            };
            (id, reach)
        })
        .collect();
    ids.iter()
        .map(|id| rows.get(id).copied().unwrap_or_default())
        .collect()
}
