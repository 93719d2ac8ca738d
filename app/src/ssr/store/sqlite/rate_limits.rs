//! Rate-limit events on SQLite.

use async_trait::async_trait;
use time::OffsetDateTime;
use tracing::instrument;

use super::SqliteStore;
use crate::ssr::store::rate_limits::{from_unix_millis, unix_millis};
use crate::ssr::store::{RateLimitStore, StoreResult};

#[async_trait]
impl RateLimitStore for SqliteStore {
    #[instrument(level = "debug", skip(self, key))]
    async fn record_limit_event(&self, key: &str, at: OffsetDateTime) -> StoreResult<()> {
        sqlx::query("INSERT INTO rate_limit_events (limit_key, at_ms) VALUES (?, ?)")
            .bind(key)
            .bind(unix_millis(at))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    #[instrument(level = "debug", skip(self, key))]
    async fn recent_limit_events(
        &self,
        key: &str,
        since: OffsetDateTime,
        at_most: u32,
    ) -> StoreResult<Vec<OffsetDateTime>> {
        let times: Vec<i64> = sqlx::query_scalar(
            "SELECT at_ms FROM rate_limit_events WHERE limit_key = ? AND at_ms > ? \
             ORDER BY at_ms DESC LIMIT ?",
        )
        .bind(key)
        .bind(unix_millis(since))
        .bind(at_most)
        .fetch_all(&self.pool)
        .await?;
        Ok(times
            .into_iter()
            .map(from_unix_millis)
            .collect::<Result<_, _>>()?)
    }

    #[instrument(level = "debug", skip_all)]
    async fn forget_limit_events(&self, key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM rate_limit_events WHERE limit_key = ?")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    #[instrument(level = "debug", skip(self))]
    async fn prune_limit_events(&self, before: OffsetDateTime) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM rate_limit_events WHERE at_ms < ?")
            .bind(unix_millis(before))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
