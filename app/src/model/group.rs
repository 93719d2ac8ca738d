//! Grouping: a user's notifications with the same [`GroupKey`] that arrive close together show
//! as one entry ("New application: Rust Engineer", 20 of them) in the bell's popover, the
//! notifications page and the toasts. Every notification stays stored and readable on its own;
//! grouping only decides how they are shown.

use time::Duration;

use super::{GroupKey, Notification, NotificationId};

/// How far apart in time the members of a group may be: a notification joins a group when it
/// is at most this much older than the group's newest.
pub const GROUP_WINDOW: Duration = Duration::hours(1);

/// One entry on screen: a notification alone, or several with one key. Never empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotificationGroup {
    /// Newest first.
    members: Vec<Notification>,
}

impl NotificationGroup {
    fn new(first: Notification) -> Self {
        Self {
            members: vec![first],
        }
    }

    pub fn newest(&self) -> &Notification {
        &self.members[0]
    }

    /// How many notifications it holds (1 for one alone).
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Always false: a group holds at least one notification.
    pub fn is_empty(&self) -> bool {
        false
    }

    pub fn key(&self) -> Option<&GroupKey> {
        self.newest().group_key.as_ref()
    }

    /// How many of its notifications are unread.
    pub fn unread(&self) -> usize {
        self.members.iter().filter(|n| !n.is_read).count()
    }

    pub fn ids(&self) -> impl Iterator<Item = NotificationId> + '_ {
        self.members.iter().map(|n| n.id)
    }

    pub fn members(&self) -> &[Notification] {
        &self.members
    }

    /// Whether `n` belongs with this group: the same key, and close enough in time.
    fn takes(&self, n: &Notification) -> bool {
        n.group_key.is_some()
            && n.group_key == self.newest().group_key
            && self.newest().created_at - n.created_at <= GROUP_WINDOW
    }
}

/// Groups `notifications`, which are newest first (as every list is), into entries newest first.
/// A notification without a key is an entry of its own. Each joins the newest group of its key
/// if that group's newest is at most [`GROUP_WINDOW`] newer, and starts a group otherwise.
pub fn group(notifications: impl IntoIterator<Item = Notification>) -> Vec<NotificationGroup> {
    let mut groups: Vec<NotificationGroup> = Vec::new();
    // The group each key collects into now, by index in `groups`.
    let mut open: std::collections::HashMap<GroupKey, usize> = Default::default();
    for n in notifications {
        let joined = n.group_key.as_ref().and_then(|key| open.get(key).copied());
        match joined {
            Some(index) if groups[index].takes(&n) => groups[index].members.push(n),
            _ => {
                if let Some(key) = &n.group_key {
                    open.insert(key.clone(), groups.len());
                }
                groups.push(NotificationGroup::new(n));
            }
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;
    use time::OffsetDateTime;

    use super::*;
    use crate::model::{MessageText, NotificationType, Title, UserId};

    fn notification(id: i64, key: Option<&str>, at: OffsetDateTime) -> Notification {
        Notification {
            id: NotificationId::new(id),
            user_id: UserId::new(1),
            title: Title::parse("title", &format!("n{id}")).unwrap(),
            message: MessageText::default(),
            notification_type: NotificationType::Application,
            link: None,
            group_key: key.map(|k| GroupKey::parse("group_key", k).unwrap()),
            is_read: id % 2 == 0,
            read_at: None,
            archived_at: None,
            created_at: at,
        }
    }

    fn ids(groups: &[NotificationGroup]) -> Vec<Vec<i64>> {
        groups
            .iter()
            .map(|g| g.ids().map(NotificationId::get).collect())
            .collect()
    }

    #[test]
    fn a_burst_about_one_job_is_one_entry_and_the_rest_stay_apart() {
        let t = datetime!(2026-11-26 12:00 UTC);
        let newest_first = vec![
            notification(5, Some("job:1"), t),
            notification(4, None, t),
            notification(3, Some("job:2"), t),
            notification(2, Some("job:1"), t - Duration::minutes(10)),
            notification(1, Some("job:1"), t - Duration::minutes(20)),
        ];
        let groups = group(newest_first);
        assert_eq!(ids(&groups), [vec![5, 2, 1], vec![4], vec![3]]);
        assert_eq!(groups[0].len(), 3);
        assert_eq!(groups[0].unread(), 2);
        assert_eq!(groups[0].key().unwrap().as_str(), "job:1");
    }

    #[test]
    fn notifications_more_than_an_hour_older_than_the_newest_start_a_new_group() {
        let t = datetime!(2026-11-26 12:00 UTC);
        let groups = group(vec![
            notification(3, Some("job:1"), t),
            notification(2, Some("job:1"), t - Duration::minutes(60)),
            notification(1, Some("job:1"), t - Duration::minutes(61)),
        ]);
        assert_eq!(ids(&groups), [vec![3, 2], vec![1]]);
    }
}
