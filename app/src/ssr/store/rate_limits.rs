//! Storage of rate-limit events: what the sign-in lockout and the sign-up and message limits
//! count. They live in the database, not in a process, so every instance sharing the database
//! counts the same events: a guesser spreading attempts over instances is stopped as soon as one
//! instance alone would have stopped them.
//!
//! An event is a key and a time, nothing else. Times are stored as unix milliseconds in an integer
//! column, so both backends compare them as numbers, alike.

use std::time::Duration;

use async_trait::async_trait;
use time::OffsetDateTime;

use super::StoreResult;

/// The longest a key may be, in characters. Callers build keys from bounded parts (a limit's
/// name, a parsed user name of at most 32 ASCII characters, an IP address, an id), so a key
/// never comes near this; the schema refuses longer ones.
pub const MAX_LIMIT_KEY_CHARS: usize = 128;

/// The longest window a limit may count over. Maintenance deletes events older than this, so a
/// longer window would undercount.
pub const MAX_LIMIT_WINDOW: Duration = Duration::from_secs(3600);

#[async_trait]
pub trait RateLimitStore: Send + Sync {
    /// Counts one event under `key` at `at`. Several events of one key may share a time.
    async fn record_limit_event(&self, key: &str, at: OffsetDateTime) -> StoreResult<()>;

    /// The times of `key`'s newest events after `since`, at most `at_most` of them, newest first
    /// (to the millisecond; an event at `since` itself has left the window). A limit of `n` events asks for `n`: if `n` come back, the key
    /// is at its limit until the last of them leaves the window.
    async fn recent_limit_events(
        &self,
        key: &str,
        since: OffsetDateTime,
        at_most: u32,
    ) -> StoreResult<Vec<OffsetDateTime>>;

    /// Forgets every event of `key`.
    async fn forget_limit_events(&self, key: &str) -> StoreResult<()>;

    /// Deletes every event, of any key, older than `before`; answers how many. Maintenance calls
    /// it with [`MAX_LIMIT_WINDOW`] ago.
    async fn prune_limit_events(&self, before: OffsetDateTime) -> StoreResult<u64>;
}

/// `at` as whole unix milliseconds, the form both backends store (later ones are rounded down).
pub(super) fn unix_millis(at: OffsetDateTime) -> i64 {
    let millis = at.unix_timestamp_nanos().div_euclid(1_000_000);
    i64::try_from(millis).unwrap_or(if millis < 0 { i64::MIN } else { i64::MAX })
}

/// The time `millis` unix milliseconds name.
pub(super) fn from_unix_millis(millis: i64) -> Result<OffsetDateTime, sqlx::Error> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000).map_err(|err| {
        sqlx::Error::ColumnDecode {
            index: "at_ms".into(),
            source: err.into(),
        }
    })
}
