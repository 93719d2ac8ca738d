use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::SessionId;

/// One browser a person is signed in on, as their list of sessions shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: SessionId,
    /// The browser's description of itself (its `User-Agent`), at most [`Session::BROWSER_MAX`]
    /// characters; empty when it sent none.
    pub browser: String,
    pub signed_in_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

impl Session {
    pub const BROWSER_MAX: usize = 200;

    /// A `User-Agent` header as stored: cut to [`Session::BROWSER_MAX`] characters, control
    /// characters dropped.
    pub fn browser_from_user_agent(user_agent: &str) -> String {
        user_agent
            .chars()
            .filter(|c| !c.is_control())
            .take(Self::BROWSER_MAX)
            .collect()
    }
}

/// The sessions of the person asking, and which of them is the one they are asking from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MySessions {
    pub current_id: SessionId,
    pub sessions: Vec<Session>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_agent_is_stored_short_and_without_control_characters() {
        let long = format!("Mozilla/5.0\n\u{0}{}", "x".repeat(500));
        let browser = Session::browser_from_user_agent(&long);
        assert_eq!(browser.chars().count(), Session::BROWSER_MAX);
        assert!(browser.starts_with("Mozilla/5.0x"));
    }
}
