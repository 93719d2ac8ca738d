//! Conversation focus on PostgreSQL.

use async_trait::async_trait;
use time::OffsetDateTime;
use tracing::instrument;

use super::PostgresStore;
use crate::model::UserId;
use crate::ssr::store::rate_limits::unix_millis;
use crate::ssr::store::{FocusStore, StoreResult};

#[async_trait]
impl FocusStore for PostgresStore {
    #[instrument(level = "debug", skip(self, socket))]
    async fn set_focus(
        &self,
        socket: &str,
        user_id: UserId,
        peer_id: UserId,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO conversation_focus (socket_key, user_id, peer_id, expires_at_ms) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (socket_key) DO UPDATE SET \
             user_id = excluded.user_id, peer_id = excluded.peer_id, \
             expires_at_ms = excluded.expires_at_ms",
        )
        .bind(socket)
        .bind(user_id)
        .bind(peer_id)
        .bind(unix_millis(expires_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    #[instrument(level = "debug", skip_all)]
    async fn clear_focus(&self, socket: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM conversation_focus WHERE socket_key = $1")
            .bind(socket)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    #[instrument(level = "debug", skip(self))]
    async fn is_viewing_conversation(
        &self,
        user_id: UserId,
        peer_id: UserId,
        now: OffsetDateTime,
    ) -> StoreResult<bool> {
        let viewing = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM conversation_focus \
             WHERE user_id = $1 AND peer_id = $2 AND expires_at_ms > $3)",
        )
        .bind(user_id)
        .bind(peer_id)
        .bind(unix_millis(now))
        .fetch_one(&self.pool)
        .await?;
        Ok(viewing)
    }

    #[instrument(level = "debug", skip(self))]
    async fn prune_focus(&self, now: OffsetDateTime) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM conversation_focus WHERE expires_at_ms <= $1")
            .bind(unix_millis(now))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
