//! Storage of each user's alert preferences (see [`Preferences`]). A type the user never chose
//! has no row, and reads as the defaults.

use async_trait::async_trait;

use super::StoreResult;
use crate::model::{Preferences, UserId};

#[async_trait]
pub trait PreferenceStore: Send + Sync {
    /// The user's preferences, with the defaults for every type they never chose.
    async fn preferences(&self, user_id: UserId) -> StoreResult<Preferences>;

    /// Stores the user's choice for every type, in one transaction.
    async fn set_preferences(&self, user_id: UserId, preferences: &Preferences) -> StoreResult<()>;
}
