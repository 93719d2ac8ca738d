//! Announcement reach on SQLite.

use async_trait::async_trait;
use time::OffsetDateTime;
use tracing::instrument;

use super::SqliteStore;
use crate::model::{GlobalNotificationId, Reach, UserId};
use crate::ssr::store::reach::reach_in_order;
use crate::ssr::store::{ReachStore, StoreResult};

#[async_trait]
impl ReachStore for SqliteStore {
    /// The pairs go in as one JSON array of `[user, global]` (as `users_among` passes its ids),
    /// so a batch of any size is one statement with two parameters.
    #[instrument(level = "debug", skip_all, fields(pairs = seen.len()))]
    async fn record_seen(
        &self,
        seen: &[(UserId, GlobalNotificationId)],
        now: OffsetDateTime,
    ) -> StoreResult<u64> {
        if seen.is_empty() {
            return Ok(0);
        }
        let done = sqlx::query(
            "INSERT INTO global_views (user_id, global_id, seen_at) \
             SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), ? \
             FROM json_each(?) AS pair \
             WHERE EXISTS (SELECT 1 FROM users WHERE id = json_extract(pair.value, '$[0]')) \
             AND EXISTS (SELECT 1 FROM global_notifications \
                         WHERE id = json_extract(pair.value, '$[1]')) \
             ON CONFLICT (user_id, global_id) DO NOTHING",
        )
        .bind(now)
        .bind(serde_json::to_string(seen).expect("numbers serialize"))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    #[instrument(level = "debug", skip_all, fields(globals = ids.len()))]
    async fn reach(&self, ids: &[GlobalNotificationId]) -> StoreResult<Vec<Reach>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<(GlobalNotificationId, i64, i64)> = sqlx::query_as(
            "SELECT g.id, \
             (SELECT COUNT(*) FROM global_views v WHERE v.global_id = g.id), \
             (SELECT COUNT(*) FROM global_dismissals d WHERE d.global_id = g.id) \
             FROM global_notifications g WHERE g.id IN (SELECT value FROM json_each(?))",
        )
        .bind(serde_json::to_string(ids).expect("numbers serialize"))
        .fetch_all(&self.pool)
        .await?;
        Ok(reach_in_order(ids, rows))
    }
}
