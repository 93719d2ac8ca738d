//! How many sockets may be open: per user and on this instance.
//!
//! A socket holds memory and a file descriptor for as long as it lives, so the number of them is
//! bounded twice: per user (one person, or a stolen cookie, cannot take the instance's share) and
//! per instance. A slot is taken before the upgrade and given back when the socket ends, so
//! upgrades under way count too.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use app::model::UserId;

/// Why a socket was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The user has `max_per_user` sockets open already.
    UserFull,
    /// This instance holds `max_total` sockets already.
    InstanceFull,
}

#[derive(Debug)]
pub struct Admission {
    open: Mutex<Counts>,
    max_per_user: usize,
    max_total: usize,
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
    pub fn new(max_per_user: usize, max_total: usize) -> Arc<Self> {
        Arc::new(Self {
            open: Mutex::default(),
            max_per_user: max_per_user.max(1),
            max_total: max_total.max(1),
        })
    }

    /// Takes a slot for one of `user_id`'s sockets, if one is free.
    pub fn admit(self: &Arc<Self>, user_id: UserId) -> Result<Slot, Refusal> {
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
        let admission = Admission::new(2, 100);
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
        let admission = Admission::new(10, 3);
        let _held: Vec<_> = (1..=3)
            .map(|user| admission.admit(UserId::new(user)).unwrap())
            .collect();
        assert_eq!(
            admission.admit(UserId::new(4)).unwrap_err(),
            Refusal::InstanceFull
        );
    }
}
