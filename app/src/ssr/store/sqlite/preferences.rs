//! Alert preferences on SQLite.

use async_trait::async_trait;
use tracing::instrument;

use super::{parse_column, SqliteStore};
use crate::model::{Channels, Preferences, UserId};
use crate::ssr::store::{PreferenceStore, StoreResult};

#[async_trait]
impl PreferenceStore for SqliteStore {
    #[instrument(level = "debug", skip(self))]
    async fn preferences(&self, user_id: UserId) -> StoreResult<Preferences> {
        let rows = sqlx::query(
            "SELECT notification_type, toast, desktop, sound FROM notification_preferences \
             WHERE user_id = ?",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        let mut preferences = Preferences::default();
        for row in &rows {
            use sqlx::Row;
            let channels = Channels {
                toast: row.try_get("toast")?,
                desktop: row.try_get("desktop")?,
                sound: row.try_get("sound")?,
            };
            preferences.set(parse_column(row, "notification_type")?, channels);
        }
        Ok(preferences)
    }

    #[instrument(level = "debug", skip(self))]
    async fn set_preferences(&self, user_id: UserId, preferences: &Preferences) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        for (notification_type, channels) in preferences.all() {
            sqlx::query(
                "INSERT INTO notification_preferences \
                 (user_id, notification_type, toast, desktop, sound) VALUES (?, ?, ?, ?, ?) \
                 ON CONFLICT (user_id, notification_type) DO UPDATE SET \
                 toast = excluded.toast, desktop = excluded.desktop, sound = excluded.sound",
            )
            .bind(user_id)
            .bind(<&str>::from(notification_type))
            .bind(channels.toast)
            .bind(channels.desktop)
            .bind(channels.sound)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
