//! Alert preferences on PostgreSQL.

use async_trait::async_trait;
use tracing::instrument;

use super::{parse_column, PostgresStore};
use crate::model::{Channels, Preferences, UserId};
use crate::ssr::store::{PreferenceStore, StoreResult};

#[async_trait]
impl PreferenceStore for PostgresStore {
    #[instrument(level = "debug", skip(self))]
    async fn preferences(&self, user_id: UserId) -> StoreResult<Preferences> {
        let rows: Vec<(String, bool, bool, bool)> = sqlx::query_as(
            "SELECT notification_type, toast, desktop, sound FROM notification_preferences \
             WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        let mut preferences = Preferences::default();
        for (notification_type, toast, desktop, sound) in rows {
            let channels = Channels {
                toast,
                desktop,
                sound,
            };
            preferences.set(
                parse_column("notification_type", notification_type)?,
                channels,
            );
        }
        Ok(preferences)
    }

    #[instrument(level = "debug", skip(self))]
    async fn set_preferences(&self, user_id: UserId, preferences: &Preferences) -> StoreResult<()> {
        let (types, channels): (Vec<&str>, Vec<Channels>) = preferences
            .all()
            .map(|(t, channels)| (<&str>::from(t), channels))
            .unzip();
        sqlx::query(
            "INSERT INTO notification_preferences \
             (user_id, notification_type, toast, desktop, sound) \
             SELECT $1, * FROM UNNEST($2::TEXT[], $3::BOOLEAN[], $4::BOOLEAN[], $5::BOOLEAN[]) \
             ON CONFLICT (user_id, notification_type) DO UPDATE SET \
             toast = excluded.toast, desktop = excluded.desktop, sound = excluded.sound",
        )
        .bind(user_id)
        .bind(types)
        .bind(channels.iter().map(|c| c.toast).collect::<Vec<_>>())
        .bind(channels.iter().map(|c| c.desktop).collect::<Vec<_>>())
        .bind(channels.iter().map(|c| c.sound).collect::<Vec<_>>())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
