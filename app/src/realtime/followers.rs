//! What the leader tab, the one that holds the browser's socket, knows of the tabs it serves
//! (itself included): which conversation each shows and whether the user can see it, and the
//! recent frames that a tab opening late may have missed between its render and its `join`.
//!
//! The server keeps one focus per socket. With one socket for the browser, the leader sends the
//! conversation of the tab that most recently opened one, or changed or came into view while
//! showing one (see [`Followers::focus`]); when that tab leaves the conversation or closes, the
//! next most recent one's. A conversation open in any tab therefore keeps its messages quiet,
//! as with a socket per tab, unless two tabs show two different conversations: then only the
//! one the user looked at last does.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::model::{GlobalNotificationId, NotificationId, UserId};
use crate::protocol::ServerFrame;

/// A tab's name within the browser: random, made when its page starts.
pub type TabId = String;

/// What a tab tells the leader about itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabState {
    /// The conversation on screen, if any (what the page asked with `socket::focus`).
    pub focus: Option<UserId>,
    /// Whether the user can see the tab (`document.visibilityState`).
    pub visible: bool,
}

/// How many recent notification frames the leader keeps for tabs that open late.
const RECENT: usize = 200;

/// The frames a joining tab may have missed.
#[derive(Debug, PartialEq, Eq)]
pub struct Missed {
    /// The texts of the frames, oldest first.
    pub frames: Vec<String>,
    /// False when the tab saw less than what the leader's socket started from: the leader must
    /// resume the socket from the tab's id for it to catch up.
    pub complete: bool,
}

struct Recent {
    notification: Option<NotificationId>,
    global: Option<GlobalNotificationId>,
    text: String,
}

pub struct Followers {
    /// Every tab's state, the least recently changed first.
    tabs: Vec<(TabId, TabState)>,
    recent: VecDeque<Recent>,
    /// Every notification above this id that the socket brought is in `recent`.
    covered_from: Option<NotificationId>,
}

impl Followers {
    /// A new leader whose socket resumes after `after`: it has every notification above it.
    pub fn new(after: Option<NotificationId>) -> Self {
        Self {
            tabs: Vec::new(),
            recent: VecDeque::new(),
            covered_from: after,
        }
    }

    /// Records a tab's state; answers whether the focus to send to the server changed.
    pub fn update(&mut self, tab: &str, state: TabState) -> bool {
        let before = self.focus();
        self.tabs.retain(|(id, _)| id != tab);
        self.tabs.push((tab.to_owned(), state));
        self.focus() != before
    }

    /// Forgets a tab that closed or left; answers whether the focus to send changed.
    pub fn remove(&mut self, tab: &str) -> bool {
        let before = self.focus();
        self.tabs.retain(|(id, _)| id != tab);
        self.focus() != before
    }

    /// The conversation the browser's socket says is on screen: the focus of the most recently
    /// changed tab that shows one.
    pub fn focus(&self) -> Option<UserId> {
        self.tabs.iter().rev().find_map(|(_, state)| state.focus)
    }

    /// Whether the user can see a tab other than `own`.
    pub fn others_visible(&self, own: &str) -> bool {
        self.tabs
            .iter()
            .any(|(id, state)| id != own && state.visible)
    }

    /// Keeps a frame the socket brought, if it is one a late tab must catch up on: notifications
    /// and global notifications (the unread count is sent apart, current).
    pub fn remember(&mut self, text: &str) {
        let (notification, global) = match serde_json::from_str::<ServerFrame>(text) {
            Ok(ServerFrame::Notification { notification }) => (Some(notification.id), None),
            Ok(ServerFrame::GlobalNotification { notification }) => (None, Some(notification.id)),
            _ => return,
        };
        self.recent.push_back(Recent {
            notification,
            global,
            text: text.to_owned(),
        });
        if self.recent.len() > RECENT {
            if let Some(Recent {
                notification: Some(dropped),
                ..
            }) = self.recent.pop_front()
            {
                self.covered_from = self.covered_from.max(Some(dropped));
            }
        }
    }

    /// What a tab that has seen the notifications up to `after` and the global ones up to
    /// `after_global` missed of what the socket brought.
    pub fn missed(
        &self,
        after: Option<NotificationId>,
        after_global: Option<GlobalNotificationId>,
    ) -> Missed {
        let frames = self
            .recent
            .iter()
            .filter(|r| {
                r.notification.is_some_and(|id| Some(id) > after)
                    || r.global.is_some_and(|id| Some(id) > after_global)
            })
            .map(|r| r.text.clone())
            .collect();
        Missed {
            frames,
            complete: after >= self.covered_from,
        }
    }

    /// The socket resumes from `after` again: every notification above it will be in `recent`.
    pub fn cover_from(&mut self, after: Option<NotificationId>) {
        self.covered_from = self.covered_from.min(after);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn showing(peer: i64) -> TabState {
        TabState {
            focus: Some(UserId::new(peer)),
            visible: true,
        }
    }

    const ELSEWHERE: TabState = TabState {
        focus: None,
        visible: true,
    };

    fn notification_frame(id: i64) -> String {
        format!(
            r#"{{"type":"notification","notification":{{"id":{id},"user_id":1,"notification_type":"system","title":"t{id}","message":"","link":null,"is_read":false,"read_at":null,"created_at":"2026-01-01T00:00:00Z"}}}}"#
        )
    }

    #[test]
    fn a_conversation_open_in_any_tab_stays_quiet_when_another_tab_moves_on() {
        let mut tabs = Followers::new(None);
        assert!(tabs.update("a", showing(7)));
        assert!(!tabs.update("b", ELSEWHERE));
        assert_eq!(tabs.focus(), Some(UserId::new(7)));
        assert!(tabs.update("a", ELSEWHERE));
        assert_eq!(tabs.focus(), None);
    }

    #[test]
    fn the_conversation_looked_at_last_wins_and_the_other_returns_when_it_closes() {
        let mut tabs = Followers::new(None);
        tabs.update("a", showing(7));
        assert!(tabs.update("b", showing(8)));
        assert_eq!(tabs.focus(), Some(UserId::new(8)));
        assert!(tabs.remove("b"));
        assert_eq!(tabs.focus(), Some(UserId::new(7)));
    }

    #[test]
    fn only_other_tabs_count_as_seen_by_the_user() {
        let mut tabs = Followers::new(None);
        tabs.update("leader", ELSEWHERE);
        tabs.update(
            "b",
            TabState {
                focus: None,
                visible: false,
            },
        );
        assert!(!tabs.others_visible("leader"));
        tabs.update("c", ELSEWHERE);
        assert!(tabs.others_visible("leader"));
    }

    #[test]
    fn a_late_tab_gets_what_came_after_its_render_and_nothing_before() {
        let mut tabs = Followers::new(Some(NotificationId::new(4)));
        for id in 5..=8 {
            tabs.remember(&notification_frame(id));
        }
        tabs.remember(r#"{"type":"unread_count","count":3}"#);
        let missed = tabs.missed(Some(NotificationId::new(6)), None);
        assert_eq!(
            missed.frames,
            vec![notification_frame(7), notification_frame(8)]
        );
        assert!(missed.complete);
    }

    #[test]
    fn a_tab_that_saw_less_than_the_socket_started_from_asks_for_a_resume() {
        let mut tabs = Followers::new(Some(NotificationId::new(4)));
        assert!(!tabs.missed(Some(NotificationId::new(2)), None).complete);
        assert!(!tabs.missed(None, None).complete);
        tabs.cover_from(Some(NotificationId::new(2)));
        assert!(tabs.missed(Some(NotificationId::new(2)), None).complete);
    }

    #[test]
    fn the_kept_frames_are_bounded_and_what_fell_off_is_known() {
        let mut tabs = Followers::new(None);
        for id in 1..=(RECENT as i64 + 10) {
            tabs.remember(&notification_frame(id));
        }
        assert_eq!(tabs.recent.len(), RECENT);
        assert!(!tabs.missed(Some(NotificationId::new(5)), None).complete);
        assert!(tabs.missed(Some(NotificationId::new(10)), None).complete);
    }
}
