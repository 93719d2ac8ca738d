//! A user's alert preferences: read, and saved then pushed to every device of theirs, so a
//! change on one tab takes effect on the others at once.

use crate::model::{Preferences, UserId};

use super::events::Event;
use super::services::Services;
use super::store::StoreResult;

pub async fn of(services: &Services, user_id: UserId) -> StoreResult<Preferences> {
    services.store.preferences(user_id).await
}

/// Stores the user's preferences, then tells every socket of theirs.
pub async fn save(
    services: &Services,
    user_id: UserId,
    preferences: Preferences,
) -> StoreResult<()> {
    services
        .store
        .set_preferences(user_id, &preferences)
        .await?;
    services
        .events
        .publish(Event::Preferences {
            user_id,
            preferences,
        })
        .await;
    Ok(())
}
