//! Counting events per key in a sliding window, in bounded memory: the building block of the
//! sign-in lockout and the per-client limits.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most `limit` events per key within `window`.
///
/// Memory is bounded whatever keys are used: each key keeps at most `limit` instants, and at most
/// `max_keys` keys are kept. When that many are tracked, keys whose events have all left the
/// window go first, then the key whose newest event is oldest; so a flood of new keys can only
/// push out the quietest ones, never clear everyone's count at once.
pub struct SlidingWindow<K> {
    events: Mutex<HashMap<K, VecDeque<Instant>>>,
    limit: usize,
    window: Duration,
    max_keys: usize,
}

impl<K: Eq + Hash + Clone> SlidingWindow<K> {
    pub fn new(limit: usize, window: Duration, max_keys: usize) -> Self {
        Self {
            events: Mutex::new(HashMap::new()),
            limit: limit.max(1),
            window,
            max_keys: max_keys.max(1),
        }
    }

    /// `Err(wait)` while `key` has had `limit` events within the window: how long until the
    /// oldest of them leaves it.
    pub fn check(&self, key: &K, now: Instant) -> Result<(), Duration> {
        let mut events = self.lock();
        let Some(times) = events.get_mut(key) else {
            return Ok(());
        };
        times.retain(|t| now.saturating_duration_since(*t) < self.window);
        match times.front() {
            Some(oldest) if times.len() >= self.limit => Err(self
                .window
                .saturating_sub(now.saturating_duration_since(*oldest))),
            _ => Ok(()),
        }
    }

    /// Counts an event for `key`.
    pub fn record(&self, key: &K, now: Instant) {
        let mut events = self.lock();
        if !events.contains_key(key) && events.len() >= self.max_keys {
            self.make_room(&mut events, now);
        }
        let times = events.entry(key.clone()).or_default();
        times.push_back(now);
        while times.len() > self.limit {
            times.pop_front();
        }
    }

    /// [`check`](Self::check), and if it passes, [`record`](Self::record): for limits where
    /// every attempt counts.
    pub fn hit(&self, key: &K, now: Instant) -> Result<(), Duration> {
        self.check(key, now)?;
        self.record(key, now);
        Ok(())
    }

    pub fn forget(&self, key: &K) {
        self.lock().remove(key);
    }

    /// How many keys are tracked now.
    pub fn tracked(&self) -> usize {
        self.lock().len()
    }

    fn make_room(&self, events: &mut HashMap<K, VecDeque<Instant>>, now: Instant) {
        events.retain(|_, times| {
            times
                .back()
                .is_some_and(|t| now.saturating_duration_since(*t) < self.window)
        });
        if events.len() < self.max_keys {
            return;
        }
        let quietest = events
            .iter()
            .min_by_key(|(_, times)| times.back().copied())
            .map(|(key, _)| key.clone());
        if let Some(key) = quietest {
            events.remove(&key);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, VecDeque<Instant>>> {
        // Every update leaves the map valid, so a panic elsewhere while it was held changes
        // nothing here: keep counting rather than fail every later request.
        self.events
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_refused_after_its_limit_until_the_oldest_event_leaves_the_window() {
        let limit = SlidingWindow::new(3, Duration::from_secs(60), 100);
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limit.hit(&"ada", start).is_ok());
        }
        let wait = limit
            .check(&"ada", start + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(limit.check(&"grace", start).is_ok());
        assert!(limit.check(&"ada", start + Duration::from_secs(61)).is_ok());
    }

    #[test]
    fn a_flood_of_new_keys_stays_within_the_bound_and_keeps_the_busiest_counts() {
        let limit = SlidingWindow::new(2, Duration::from_secs(60), 10);
        let start = Instant::now();
        limit.record(&0, start);
        limit.record(&0, start + Duration::from_secs(30));
        for key in 1..1_000 {
            limit.record(&key, start + Duration::from_secs(1));
            assert!(limit.tracked() <= 10);
        }
        assert!(
            limit.check(&0, start + Duration::from_secs(31)).is_err(),
            "the most recently active key kept its count"
        );
    }
}
