//! How long to wait before reconnecting: exponential backoff with full jitter.

use std::time::Duration;

/// The first retry waits at most this long.
pub const BASE: Duration = Duration::from_millis(500);
/// No wait is ever longer than this.
pub const CAP: Duration = Duration::from_secs(30);
/// No wait is ever shorter than this, so a server that refuses at once never causes a tight loop.
pub const FLOOR: Duration = Duration::from_millis(250);

/// The wait before retry number `attempt` (0 for the first), given `random` in `[0, 1)`:
/// a uniformly random share of `min(CAP, BASE × 2^attempt)`, at least `FLOOR`.
pub fn delay(attempt: u32, random: f64) -> Duration {
    let ceiling = BASE
        .saturating_mul(2u32.saturating_pow(attempt.min(16)))
        .min(CAP);
    ceiling.mul_f64(random.clamp(0.0, 1.0)).max(FLOOR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_retries_are_quick() {
        assert!(delay(0, 0.99) <= BASE);
        assert!(delay(1, 0.99) <= BASE * 2);
    }

    #[test]
    fn waits_grow_but_never_pass_the_cap() {
        assert!(delay(3, 0.99) > delay(1, 0.99));
        assert_eq!(delay(40, 1.0), CAP);
        assert!(delay(u32::MAX, 0.5) <= CAP);
    }

    #[test]
    fn even_an_unlucky_draw_never_retries_in_a_tight_loop() {
        assert_eq!(delay(0, 0.0), FLOOR);
        assert_eq!(delay(5, 0.0), FLOOR);
    }

    #[test]
    fn jitter_spreads_clients_across_the_window() {
        assert!(delay(4, 0.1) < delay(4, 0.9));
    }
}
