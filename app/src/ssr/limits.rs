//! How often one client or one user may do the things that cost others something: creating
//! accounts and sending messages (each message notifies its recipient).

use std::net::IpAddr;
use std::time::Duration;

use super::rate_limit::SlidingWindow;

/// Keys remembered per limit at most; see [`SlidingWindow`].
const MAX_TRACKED: usize = 50_000;

pub struct Limits {
    /// Sign-ups per client address.
    pub sign_ups: SlidingWindow<IpAddr>,
    /// Messages per sender.
    pub messages: SlidingWindow<i64>,
}

impl Limits {
    pub fn new(sign_ups_per_hour: usize, messages_per_minute: usize) -> Self {
        Self {
            sign_ups: SlidingWindow::new(sign_ups_per_hour, Duration::from_secs(3600), MAX_TRACKED),
            messages: SlidingWindow::new(messages_per_minute, Duration::from_secs(60), MAX_TRACKED),
        }
    }
}
