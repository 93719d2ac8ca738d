//! Trusted devices on PostgreSQL.

use async_trait::async_trait;
use time::OffsetDateTime;
use tracing::instrument;

use super::PostgresStore;
use crate::model::UserId;
use crate::ssr::store::rate_limits::unix_millis;
use crate::ssr::store::{StoreResult, TrustedDeviceStore};

#[async_trait]
impl TrustedDeviceStore for PostgresStore {
    #[instrument(level = "debug", skip(self, device_hash))]
    async fn trust_device(
        &self,
        user_id: UserId,
        device_hash: &str,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO trusted_devices (user_id, device_hash, last_used_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, device_hash) DO UPDATE SET last_used_ms = excluded.last_used_ms",
        )
        .bind(user_id)
        .bind(device_hash)
        .bind(unix_millis(at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    #[instrument(level = "debug", skip(self, device_hash))]
    async fn is_trusted_device(
        &self,
        user_id: UserId,
        device_hash: &str,
        since: OffsetDateTime,
    ) -> StoreResult<bool> {
        let found: Option<i32> = sqlx::query_scalar(
            "SELECT 1 FROM trusted_devices \
             WHERE user_id = $1 AND device_hash = $2 AND last_used_ms > $3",
        )
        .bind(user_id)
        .bind(device_hash)
        .bind(unix_millis(since))
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }

    #[instrument(level = "debug", skip(self))]
    async fn prune_trusted_devices(&self, before: OffsetDateTime) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM trusted_devices WHERE last_used_ms < $1")
            .bind(unix_millis(before))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
