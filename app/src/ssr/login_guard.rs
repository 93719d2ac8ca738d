//! Slows down password guessing: after too many failed sign-ins to one account within a window,
//! further attempts for it are refused (429) until the window passes. Keyed by user name, so a
//! guesser cannot dodge it by changing address; bounded in memory whatever names are tried.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct LoginGuard {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
    max_failures: usize,
    window: Duration,
}

/// How many accounts' failures are remembered at most.
const MAX_TRACKED: usize = 50_000;

impl LoginGuard {
    pub fn new(max_failures: usize, window: Duration) -> Self {
        Self {
            failures: Mutex::new(HashMap::new()),
            max_failures: max_failures.max(1),
            window,
        }
    }

    /// `Err(wait)` while `username` is locked out.
    pub fn check(&self, username: &str, now: Instant) -> Result<(), Duration> {
        let mut failures = self.failures.lock().expect("login guard lock");
        let Some(times) = failures.get_mut(&key(username)) else {
            return Ok(());
        };
        times.retain(|t| now.duration_since(*t) < self.window);
        if times.len() < self.max_failures {
            return Ok(());
        }
        let oldest = *times.front().expect("at least max_failures entries");
        Err(self.window.saturating_sub(now.duration_since(oldest)))
    }

    pub fn failed(&self, username: &str, now: Instant) {
        let mut failures = self.failures.lock().expect("login guard lock");
        if failures.len() >= MAX_TRACKED {
            failures.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < self.window)
            });
            if failures.len() >= MAX_TRACKED {
                failures.clear();
            }
        }
        failures.entry(key(username)).or_default().push_back(now);
    }

    pub fn succeeded(&self, username: &str) {
        self.failures
            .lock()
            .expect("login guard lock")
            .remove(&key(username));
    }
}

fn key(username: &str) -> String {
    username.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_locks_after_too_many_failures_and_opens_when_the_window_passes() {
        let guard = LoginGuard::new(3, Duration::from_secs(60));
        let start = Instant::now();
        for _ in 0..3 {
            assert!(guard.check("Ada", start).is_ok());
            guard.failed("ada", start);
        }
        let wait = guard
            .check("ADA ", start + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(guard.check("grace", start).is_ok());
        assert!(guard.check("ada", start + Duration::from_secs(61)).is_ok());
    }

    #[test]
    fn a_success_forgets_the_failures() {
        let guard = LoginGuard::new(2, Duration::from_secs(60));
        let now = Instant::now();
        guard.failed("ada", now);
        guard.succeeded("ada");
        guard.failed("ada", now);
        assert!(guard.check("ada", now).is_ok());
    }
}
