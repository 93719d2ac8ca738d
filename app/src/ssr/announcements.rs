//! Global notifications: stored, then every instance is told to re-read the live ones.

use time::OffsetDateTime;

use crate::model::{GlobalNotification, GlobalNotificationId, UserId};

use super::events::Event;
use super::services::Services;
use super::store::{GlobalNotificationPatch, NewGlobalNotification, StoreResult};

pub async fn create(
    services: &Services,
    new: &NewGlobalNotification,
) -> StoreResult<GlobalNotification> {
    let global = services.store.create_global(new).await?;
    services.events.publish(Event::GlobalsChanged).await;
    Ok(global)
}

pub async fn update(
    services: &Services,
    id: GlobalNotificationId,
    patch: &GlobalNotificationPatch,
) -> StoreResult<Option<GlobalNotification>> {
    let updated = services.store.update_global(id, patch).await?;
    if updated.is_some() {
        services.events.publish(Event::GlobalsChanged).await;
    }
    Ok(updated)
}

/// The global notifications live now, oldest first.
pub async fn live(services: &Services) -> StoreResult<Vec<GlobalNotification>> {
    services.store.live_globals(OffsetDateTime::now_utc()).await
}

/// The banners `user_id` should see now: the live globals they have not dismissed.
pub async fn banners_for(
    services: &Services,
    user_id: UserId,
) -> StoreResult<Vec<GlobalNotification>> {
    let dismissed = services.store.dismissed_globals(user_id).await?;
    let mut live = live(services).await?;
    live.retain(|g| !dismissed.contains(&g.id));
    Ok(live)
}
