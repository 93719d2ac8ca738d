//! Storage of trusted devices: the browsers that have signed in to an account before, each known
//! by the SHA-256 of a random cookie it holds. The sign-in lockout lets them through when
//! strangers have used up the account's budget of failures (see `ssr::login_guard`).

use std::time::Duration;

use async_trait::async_trait;
use time::OffsetDateTime;

use super::StoreResult;
use crate::model::UserId;

/// How long a device stays trusted after it last signed in. Maintenance forgets it then.
pub const TRUST_DEVICES_FOR: Duration = Duration::from_secs(90 * 24 * 3600);

#[async_trait]
pub trait TrustedDeviceStore: Send + Sync {
    /// Remembers that the device whose cookie hashes to `device_hash` signed in as `user_id` at
    /// `at` (a device already known is only brought up to date).
    async fn trust_device(
        &self,
        user_id: UserId,
        device_hash: &str,
        at: OffsetDateTime,
    ) -> StoreResult<()>;

    /// Whether that device signed in as `user_id` after `since`.
    async fn is_trusted_device(
        &self,
        user_id: UserId,
        device_hash: &str,
        since: OffsetDateTime,
    ) -> StoreResult<bool>;

    /// Forgets every device last used before `before`; answers how many.
    async fn prune_trusted_devices(&self, before: OffsetDateTime) -> StoreResult<u64>;
}
