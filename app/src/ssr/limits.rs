//! How often one client or one user may do the things that cost others something: creating
//! accounts and sending messages (each message notifies its recipient). Counted in the database,
//! so the limits hold across every instance that shares it.

use std::time::Duration;

use super::rate_limit::RateLimit;
use super::store::DynStore;

pub struct Limits {
    /// Sign-ups per client address (its `IpAddr` as text).
    pub sign_ups: RateLimit,
    /// Messages per sender (their user id).
    pub messages: RateLimit,
}

impl Limits {
    pub fn new(store: DynStore, sign_ups_per_hour: usize, messages_per_minute: usize) -> Self {
        Self {
            sign_ups: RateLimit::new(
                store.clone(),
                "sign-up:client",
                sign_ups_per_hour,
                Duration::from_secs(3600),
            ),
            messages: RateLimit::new(
                store,
                "message:sender",
                messages_per_minute,
                Duration::from_secs(60),
            ),
        }
    }
}
