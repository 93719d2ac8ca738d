//! Log lines for what comes in bursts and is expected to (a 503 while the database is locked, a
//! 429 during a flood of wrong passwords): at most one line a second per kind, which says how
//! many were left out since the last. A flood is visible in the log without being the log.
//!
//! ```ignore
//! static UNAVAILABLE: LogThrottle = LogThrottle::per_second();
//! if let Some(suppressed) = UNAVAILABLE.allow() {
//!     tracing::warn!(%err, suppressed, "database unavailable");
//! }
//! ```

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One kind of line, written at most once per `every`.
pub struct LogThrottle {
    every: Duration,
    state: Mutex<State>,
}

struct State {
    last: Option<Instant>,
    suppressed: u64,
}

impl LogThrottle {
    pub const fn new(every: Duration) -> Self {
        Self {
            every,
            state: Mutex::new(State {
                last: None,
                suppressed: 0,
            }),
        }
    }

    pub const fn per_second() -> Self {
        Self::new(Duration::from_secs(1))
    }

    /// Whether a line may be written now: if so, how many were left out since the last one
    /// (write it in the line); if not, this one is counted as left out.
    pub fn allow(&self) -> Option<u64> {
        self.allow_at(Instant::now())
    }

    fn allow_at(&self, now: Instant) -> Option<u64> {
        // A poisoned lock only means a panic elsewhere while counting: the count is still good.
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match state.last {
            Some(last) if now.saturating_duration_since(last) < self.every => {
                state.suppressed += 1;
                None
            }
            _ => {
                state.last = Some(now);
                Some(std::mem::take(&mut state.suppressed))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_writes_one_line_a_second_and_the_next_counts_what_was_left_out() {
        let throttle = LogThrottle::per_second();
        let start = Instant::now();
        assert_eq!(throttle.allow_at(start), Some(0));
        for n in 1..=1_583u64 {
            let now = start + Duration::from_micros(500 * n);
            assert_eq!(throttle.allow_at(now), None, "line {n} of the burst");
        }
        assert_eq!(
            throttle.allow_at(start + Duration::from_secs(1)),
            Some(1_583)
        );
        assert_eq!(
            throttle.allow_at(start + Duration::from_millis(1_500)),
            None
        );
        assert_eq!(throttle.allow_at(start + Duration::from_secs(3)), Some(1));
    }
}
