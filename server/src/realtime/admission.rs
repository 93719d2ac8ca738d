//! How many sockets may be open: per user and on this instance; and how often a user may open one.
//!
//! A socket holds memory and a file descriptor for as long as it lives, so the number of them is
//! bounded twice: per user (one person, or a stolen cookie, cannot take the instance's share) and
//! per instance. A slot is taken before the upgrade and given back when the socket ends, so
//! upgrades under way count too.
//!
//! Each handshake costs a session check and a replay from storage, so one user's handshakes are
//! rate-limited too: a token bucket per user, full at `handshakes` (every socket of a browser
//! and a phone can reconnect at once after a restart), refilled at `handshakes` per `window`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use app::model::UserId;

/// Why a socket was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The user has `max_per_user` sockets open already.
    UserFull,
    /// This instance holds `max_total` sockets already.
    InstanceFull,
    /// The user has made too many handshakes lately; one more is allowed after this long.
    TooFrequent(Duration),
}

#[derive(Debug)]
pub struct Admission {
    open: Mutex<Counts>,
    max_per_user: usize,
    max_total: usize,
    handshakes: Mutex<Handshakes>,
}

/// Each user's handshake bucket: tokens left, as of when.
#[derive(Debug)]
struct Handshakes {
    burst: f64,
    per_second: f64,
    buckets: HashMap<UserId, (f64, Instant)>,
    /// When the map is this large, the full buckets (users quiet for a whole window) are
    /// forgotten, so it holds only the users who connected lately.
    prune_at: usize,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    by_user: HashMap<UserId, usize>,
}

/// One open socket's slot; dropping it gives the slot back.
#[derive(Debug)]
pub struct Slot {
    admission: Arc<Admission>,
    user_id: UserId,
}

impl Admission {
    pub fn new(
        max_per_user: usize,
        max_total: usize,
        handshakes: u32,
        window: Duration,
    ) -> Arc<Self> {
        let burst = f64::from(handshakes.max(1));
        Arc::new(Self {
            open: Mutex::default(),
            max_per_user: max_per_user.max(1),
            max_total: max_total.max(1),
            handshakes: Mutex::new(Handshakes {
                burst,
                per_second: burst / window.as_secs_f64().max(0.001),
                buckets: HashMap::new(),
                prune_at: PRUNE_AT,
            }),
        })
    }

    /// Counts a handshake of `user_id`'s, then takes a slot for their socket, if the user has
    /// not made too many handshakes lately and a slot is free.
    pub fn admit(self: &Arc<Self>, user_id: UserId) -> Result<Slot, Refusal> {
        self.count_handshake(user_id, Instant::now())?;
        let mut open = self.lock();
        if open.total >= self.max_total {
            return Err(Refusal::InstanceFull);
        }
        let mine = open.by_user.entry(user_id).or_default();
        if *mine >= self.max_per_user {
            return Err(Refusal::UserFull);
        }
        *mine += 1;
        open.total += 1;
        Ok(Slot {
            admission: self.clone(),
            user_id,
        })
    }

    fn count_handshake(&self, user_id: UserId, now: Instant) -> Result<(), Refusal> {
        let mut handshakes = self
            .handshakes
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let Handshakes {
            burst,
            per_second,
            buckets,
            prune_at,
        } = &mut *handshakes;
        let refill = |(tokens, at): (f64, Instant)| {
            (tokens + now.duration_since(at).as_secs_f64() * *per_second).min(*burst)
        };
        if buckets.len() >= *prune_at {
            buckets.retain(|_, bucket| refill(*bucket) < *burst);
            *prune_at = (buckets.len() * 2).max(PRUNE_AT);
        }
        let tokens = buckets.get(&user_id).copied().map_or(*burst, refill);
        if tokens < 1.0 {
            let wait = Duration::from_secs_f64((1.0 - tokens) / *per_second);
            buckets.insert(user_id, (tokens, now));
            return Err(Refusal::TooFrequent(wait));
        }
        buckets.insert(user_id, (tokens - 1.0, now));
        Ok(())
    }

    fn release(&self, user_id: UserId) {
        let mut open = self.lock();
        open.total = open.total.saturating_sub(1);
        if let Some(mine) = open.by_user.get_mut(&user_id) {
            *mine -= 1;
            if *mine == 0 {
                open.by_user.remove(&user_id);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Counts> {
        // Every update leaves the counts consistent, so a poisoned lock is still good to use.
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// How many users' handshake buckets are kept before the full ones are forgotten.
const PRUNE_AT: usize = 1024;

impl Drop for Slot {
    fn drop(&mut self) {
        self.admission.release(self.user_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_gets_at_most_their_share_and_a_closed_socket_frees_its_slot() {
        let admission = Admission::new(2, 100, 100, Duration::from_secs(10));
        let first = admission.admit(UserId::new(1)).unwrap();
        let _second = admission.admit(UserId::new(1)).unwrap();
        assert_eq!(
            admission.admit(UserId::new(1)).unwrap_err(),
            Refusal::UserFull
        );
        assert!(
            admission.admit(UserId::new(2)).is_ok(),
            "another user is not affected"
        );
        drop(first);
        assert!(admission.admit(UserId::new(1)).is_ok());
    }

    #[test]
    fn the_instance_refuses_sockets_beyond_its_total() {
        let admission = Admission::new(10, 3, 100, Duration::from_secs(10));
        let _held: Vec<_> = (1..=3)
            .map(|user| admission.admit(UserId::new(user)).unwrap())
            .collect();
        assert_eq!(
            admission.admit(UserId::new(4)).unwrap_err(),
            Refusal::InstanceFull
        );
    }

    #[test]
    fn a_user_may_make_a_burst_of_handshakes_then_one_per_share_of_the_window() {
        let admission = Admission::new(100, 100, 4, Duration::from_secs(10));
        let start = Instant::now();
        let ada = UserId::new(1);
        for _ in 0..4 {
            admission.count_handshake(ada, start).unwrap();
        }
        let Err(Refusal::TooFrequent(wait)) = admission.count_handshake(ada, start) else {
            panic!("a fifth handshake at once was allowed");
        };
        assert_eq!(wait, Duration::from_millis(2500));
        assert!(admission.count_handshake(UserId::new(2), start).is_ok());
        let later = start + Duration::from_millis(2500);
        assert!(admission.count_handshake(ada, later).is_ok());
        assert!(admission.count_handshake(ada, later).is_err());
    }

    #[test]
    fn quiet_users_are_forgotten_so_the_table_stays_small() {
        let admission = Admission::new(100, 100, 2, Duration::from_secs(1));
        let start = Instant::now();
        for user in 0..PRUNE_AT as i64 {
            admission.count_handshake(UserId::new(user), start).unwrap();
        }
        let later = start + Duration::from_secs(2);
        admission.count_handshake(UserId::new(-1), later).unwrap();
        assert_eq!(admission.handshakes.lock().unwrap().buckets.len(), 1);
    }
}
