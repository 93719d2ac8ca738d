use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::FieldError;

/// How loud a global banner is; ordered from quietest to loudest.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    #[default]
    Info,
    Warning,
    Critical,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Info, Level::Warning, Level::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Critical => "critical",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        raw.parse().map_err(|_| {
            FieldError::new(
                field,
                format!("must be one of info, warning, critical; got {raw:?}"),
            )
        })
    }
}

impl FromStr for Level {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|l| l.as_str() == s).ok_or(())
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A site-wide announcement. It shows as a banner to every signed-in user while it is live:
/// `is_active`, `show_on_site`, and the current time inside `[starts_at, expires_at)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct GlobalNotification {
    pub id: i64,
    pub title: String,
    pub message: String,
    pub level: Level,
    pub show_on_site: bool,
    pub is_active: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub starts_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    pub created_by: Option<i64>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// Where an announcement stands at a moment, as the admin panel shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GlobalState {
    /// On screen for everyone now.
    Live,
    /// Active, but its start is still to come.
    Scheduled,
    /// Active, but its end has passed.
    Expired,
    /// Active, but not shown on the site.
    Hidden,
    /// Turned off by an admin.
    Inactive,
}

impl GlobalState {
    pub fn as_str(self) -> &'static str {
        match self {
            GlobalState::Live => "live",
            GlobalState::Scheduled => "scheduled",
            GlobalState::Expired => "expired",
            GlobalState::Hidden => "hidden",
            GlobalState::Inactive => "inactive",
        }
    }
}

impl GlobalNotification {
    /// Where it stands at `now`.
    pub fn state_at(&self, now: OffsetDateTime) -> GlobalState {
        if !self.is_active {
            GlobalState::Inactive
        } else if self.expires_at.is_some_and(|end| end <= now) {
            GlobalState::Expired
        } else if self.starts_at.is_some_and(|start| now < start) {
            GlobalState::Scheduled
        } else if !self.show_on_site {
            GlobalState::Hidden
        } else {
            GlobalState::Live
        }
    }

    /// Whether the banner should be on screen at `now`.
    pub fn is_live_at(&self, now: OffsetDateTime) -> bool {
        self.is_active
            && self.show_on_site
            && self.starts_at.is_none_or(|start| start <= now)
            && self.expires_at.is_none_or(|end| now < end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_state_says_scheduled_live_expired_or_inactive() {
        let mut g = global();
        g.starts_at = Some(datetime!(2026-01-01 10:00 UTC));
        g.expires_at = Some(datetime!(2026-01-01 12:00 UTC));
        assert_eq!(
            g.state_at(datetime!(2026-01-01 09:00 UTC)),
            GlobalState::Scheduled
        );
        assert_eq!(
            g.state_at(datetime!(2026-01-01 11:00 UTC)),
            GlobalState::Live
        );
        assert_eq!(
            g.state_at(datetime!(2026-01-01 12:00 UTC)),
            GlobalState::Expired
        );
        g.is_active = false;
        assert_eq!(
            g.state_at(datetime!(2026-01-01 11:00 UTC)),
            GlobalState::Inactive
        );
    }

    fn global() -> GlobalNotification {
        GlobalNotification {
            id: 1,
            title: "Maintenance".into(),
            message: String::new(),
            level: Level::Warning,
            show_on_site: true,
            is_active: true,
            starts_at: Some(datetime!(2026-01-01 10:00 UTC)),
            expires_at: Some(datetime!(2026-01-01 12:00 UTC)),
            created_by: None,
            created_at: datetime!(2026-01-01 09:00 UTC),
        }
    }

    #[test]
    fn a_global_is_live_only_between_its_start_and_expiry() {
        let g = global();
        assert!(!g.is_live_at(datetime!(2026-01-01 09:59 UTC)));
        assert!(g.is_live_at(datetime!(2026-01-01 10:00 UTC)));
        assert!(!g.is_live_at(datetime!(2026-01-01 12:00 UTC)));
    }

    #[test]
    fn an_inactive_or_hidden_global_is_never_live() {
        let now = datetime!(2026-01-01 11:00 UTC);
        assert!(!GlobalNotification {
            is_active: false,
            ..global()
        }
        .is_live_at(now));
        assert!(!GlobalNotification {
            show_on_site: false,
            ..global()
        }
        .is_live_at(now));
    }

    #[test]
    fn an_unknown_level_is_refused_with_the_field_named() {
        assert_eq!(Level::parse("level", "loud").unwrap_err().field, "level");
    }
}
