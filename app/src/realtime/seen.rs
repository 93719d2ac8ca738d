//! The notifications a tab has already shown, so that none shows twice: when a new leader tab
//! resumes the browser's socket from its own last id, or catches up a tab that just opened, the
//! server or the leader may send again what some tab already has.
//!
//! Ids at or below the floor count as seen: the page was rendered with them (the floor starts at
//! the `latest_notification_id` the server rendered), exactly as a socket resumed with
//! `?after=<floor>` would never send them.

use std::collections::BTreeSet;

use crate::model::NotificationId;

/// How many ids above the floor are remembered; past that the floor rises to the oldest.
const KEPT: usize = 1000;

#[derive(Debug, Default)]
pub struct Seen {
    floor: Option<NotificationId>,
    above: BTreeSet<NotificationId>,
}

impl Seen {
    /// A tab whose page was rendered with every notification up to `floor`.
    pub fn new(floor: Option<NotificationId>) -> Self {
        Self {
            floor,
            above: BTreeSet::new(),
        }
    }

    /// Records `id`; answers whether this is the first time the tab sees it.
    pub fn first_time(&mut self, id: NotificationId) -> bool {
        if Some(id) <= self.floor || !self.above.insert(id) {
            return false;
        }
        if self.above.len() > KEPT {
            self.floor = self.above.pop_first();
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(raw: i64) -> NotificationId {
        NotificationId::new(raw)
    }

    #[test]
    fn a_notification_replayed_after_a_hand_over_is_not_shown_again() {
        let mut seen = Seen::new(Some(id(10)));
        assert!(seen.first_time(id(11)));
        assert!(seen.first_time(id(12)));
        assert!(!seen.first_time(id(11)));
        assert!(!seen.first_time(id(12)));
    }

    #[test]
    fn what_the_page_was_rendered_with_is_never_shown_as_new() {
        let mut seen = Seen::new(Some(id(10)));
        assert!(!seen.first_time(id(10)));
        assert!(!seen.first_time(id(3)));
        let mut fresh = Seen::new(None);
        assert!(fresh.first_time(id(1)));
    }

    #[test]
    fn late_ids_arriving_out_of_order_are_still_shown_once() {
        let mut seen = Seen::new(None);
        assert!(seen.first_time(id(5)));
        assert!(seen.first_time(id(4)));
        assert!(!seen.first_time(id(4)));
    }

    #[test]
    fn memory_stays_bounded_and_old_ids_stay_seen() {
        let mut seen = Seen::new(None);
        for raw in 1..=(KEPT as i64 + 50) {
            assert!(seen.first_time(id(raw)));
        }
        assert!(seen.above.len() <= KEPT);
        assert!(!seen.first_time(id(1)));
        assert!(!seen.first_time(id(KEPT as i64 + 50)));
    }
}
