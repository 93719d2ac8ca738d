//! Counting events per key in a sliding window, in the database: the building block of the
//! sign-in lockout and the per-client limits. Every instance sharing the database counts the same
//! events, so a limit holds for the whole deployment, not per process.
//!
//! A limit whose storage cannot answer answers the [`StoreError`](super::store::StoreError): the
//! request is refused as any request that needs the database then is (503 with `Retry-After`),
//! never let through uncounted. Checking and recording are two statements, so attempts running
//! at the same moment may each pass a check before any of them is recorded: a limit can be
//! exceeded by the number of attempts in flight at once, as it could within one process.

use std::time::Duration;

use time::OffsetDateTime;

use super::store::{DynStore, StoreResult, MAX_LIMIT_KEY_CHARS, MAX_LIMIT_WINDOW};

/// At most `limit` events per key within `window`. Its keys are stored as `<name>:<key>`, so
/// limits sharing the store never count each other's events.
pub struct RateLimit {
    store: DynStore,
    name: &'static str,
    limit: u32,
    window: Duration,
}

impl RateLimit {
    /// `name` tells this limit's events from every other's: short, and unique among the limits.
    /// `limit` is at least 1; `window` at most [`MAX_LIMIT_WINDOW`], beyond which maintenance
    /// would delete events still inside it.
    pub fn new(store: DynStore, name: &'static str, limit: usize, window: Duration) -> Self {
        assert!(
            window <= MAX_LIMIT_WINDOW,
            "the window of limit {name} is longer than events are kept"
        );
        Self {
            store,
            name,
            limit: u32::try_from(limit).unwrap_or(u32::MAX).max(1),
            window,
        }
    }

    /// `Ok(Err(wait))` while `key` has had `limit` events within the window at `now`: how long
    /// until the oldest of the newest `limit` leaves it.
    pub async fn check(&self, key: &str, now: OffsetDateTime) -> StoreResult<Result<(), Duration>> {
        let since = now - self.window;
        let recent = self
            .store
            .recent_limit_events(&self.key(key), since, self.limit)
            .await?;
        Ok(match recent.last() {
            Some(oldest) if recent.len() >= self.limit as usize => {
                let left_at = *oldest + self.window;
                Err(Duration::try_from(left_at - now).unwrap_or_default())
            }
            _ => Ok(()),
        })
    }

    /// Counts an event for `key` at `now`.
    pub async fn record(&self, key: &str, now: OffsetDateTime) -> StoreResult<()> {
        self.store.record_limit_event(&self.key(key), now).await
    }

    /// [`check`](Self::check), and if it passes, [`record`](Self::record): for limits where
    /// every attempt counts.
    pub async fn hit(&self, key: &str, now: OffsetDateTime) -> StoreResult<Result<(), Duration>> {
        if let Err(wait) = self.check(key, now).await? {
            return Ok(Err(wait));
        }
        self.record(key, now).await?;
        Ok(Ok(()))
    }

    /// Forgets every event of `key`.
    pub async fn forget(&self, key: &str) -> StoreResult<()> {
        self.store.forget_limit_events(&self.key(key)).await
    }

    fn key(&self, key: &str) -> String {
        let key = format!("{}:{key}", self.name);
        debug_assert!(
            key.chars().count() <= MAX_LIMIT_KEY_CHARS,
            "rate-limit key {key:?} is too long"
        );
        key
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ssr::store;

    /// A store of its own, in memory, for one test.
    pub(crate) async fn memory_store() -> DynStore {
        store::connect("sqlite::memory:")
            .await
            .expect("an in-memory store")
    }

    /// A time with whole milliseconds, as the store keeps them.
    pub(crate) fn start() -> OffsetDateTime {
        let now = OffsetDateTime::now_utc();
        now.replace_nanosecond(now.millisecond() as u32 * 1_000_000)
            .unwrap()
    }

    #[tokio::test]
    async fn a_key_is_refused_after_its_limit_until_the_oldest_event_leaves_the_window() {
        let limit = RateLimit::new(memory_store().await, "test", 3, Duration::from_secs(60));
        let start = start();
        for _ in 0..3 {
            assert!(limit.hit("ada", start).await.unwrap().is_ok());
        }
        let wait = limit
            .check("ada", start + Duration::from_secs(10))
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(limit.check("grace", start).await.unwrap().is_ok());
        let later = start + Duration::from_secs(61);
        assert!(limit.check("ada", later).await.unwrap().is_ok());
    }

    #[tokio::test]
    async fn a_refused_hit_is_not_counted() {
        let limit = RateLimit::new(memory_store().await, "test", 2, Duration::from_secs(60));
        let start = start();
        limit.hit("ada", start).await.unwrap().unwrap();
        limit
            .hit("ada", start + Duration::from_secs(30))
            .await
            .unwrap()
            .unwrap();
        for _ in 0..5 {
            let refused = limit.hit("ada", start + Duration::from_secs(40)).await;
            assert!(refused.unwrap().is_err());
        }
        // Only the first event has left the window: had the refusals counted, it would still be
        // full.
        let after_first = start + Duration::from_secs(61);
        assert!(limit.check("ada", after_first).await.unwrap().is_ok());
    }

    #[tokio::test]
    async fn limits_with_different_names_count_apart_on_one_store() {
        let store = memory_store().await;
        let sign_ups = RateLimit::new(store.clone(), "a", 1, Duration::from_secs(60));
        let messages = RateLimit::new(store, "b", 1, Duration::from_secs(60));
        let now = start();
        sign_ups.hit("1", now).await.unwrap().unwrap();
        assert!(sign_ups.check("1", now).await.unwrap().is_err());
        assert!(messages.check("1", now).await.unwrap().is_ok());
    }

    #[tokio::test]
    async fn forgetting_a_key_opens_it_again() {
        let limit = RateLimit::new(memory_store().await, "test", 1, Duration::from_secs(60));
        let now = start();
        limit.hit("ada", now).await.unwrap().unwrap();
        limit.forget("ada").await.unwrap();
        assert!(limit.check("ada", now).await.unwrap().is_ok());
    }
}
