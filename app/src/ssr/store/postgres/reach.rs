//! Announcement reach on PostgreSQL.

use async_trait::async_trait;
use time::OffsetDateTime;
use tracing::instrument;

use super::PostgresStore;
use crate::model::{GlobalNotificationId, Reach, UserId};
use crate::ssr::store::reach::reach_in_order;
use crate::ssr::store::{ReachStore, StoreResult};

#[async_trait]
impl ReachStore for PostgresStore {
    /// The pairs go in as two arrays that UNNEST zips, so a batch of any size is one statement.
    #[instrument(level = "debug", skip_all, fields(pairs = seen.len()))]
    async fn record_seen(
        &self,
        seen: &[(UserId, GlobalNotificationId)],
        now: OffsetDateTime,
    ) -> StoreResult<u64> {
        if seen.is_empty() {
            return Ok(0);
        }
        let (users, globals): (Vec<UserId>, Vec<GlobalNotificationId>) =
            seen.iter().copied().unzip();
        let done = sqlx::query(
            "INSERT INTO global_views (user_id, global_id, seen_at) \
             SELECT pair.user_id, pair.global_id, $3::TIMESTAMPTZ \
             FROM UNNEST($1::BIGINT[], $2::BIGINT[]) AS pair (user_id, global_id) \
             WHERE EXISTS (SELECT 1 FROM users WHERE id = pair.user_id) \
             AND EXISTS (SELECT 1 FROM global_notifications WHERE id = pair.global_id) \
             ON CONFLICT (user_id, global_id) DO NOTHING",
        )
        .bind(&users)
        .bind(&globals)
        .bind(now)
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
             FROM global_notifications g WHERE g.id = ANY($1)",
        )
        .bind(ids)
        .fetch_all(&self.pool)
        .await?;
        Ok(reach_in_order(ids, rows))
    }
}
