use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr, VariantArray};
use time::OffsetDateTime;

use super::{
    parse_name, FieldError, GlobalAudience, GlobalNotificationId, MessageText, Role, Title, UserId,
};

/// How loud a global banner is; ordered from quietest to loudest. Its names (`info`, `warning`,
/// `critical`) are the same in JSON, in the database and on the command line.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    IntoStaticStr,
    VariantArray,
)]
#[cfg_attr(
    feature = "ssr",
    derive(utoipa::ToSchema, clap::ValueEnum),
    value(rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Level {
    #[default]
    Info,
    Warning,
    Critical,
}

impl Level {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        parse_name(field, raw)
    }
}

/// A site-wide announcement. It shows as a banner to every signed-in user of its `audience`
/// while it is live: `is_active`, `show_on_site`, and the current time inside
/// `[starts_at, expires_at)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct GlobalNotification {
    #[cfg_attr(feature = "ssr", schema(value_type = i64))]
    pub id: GlobalNotificationId,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub title: Title,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub message: MessageText,
    pub level: Level,
    /// Who it is for; `everyone` when a client written before audiences leaves it out.
    #[serde(default)]
    pub audience: GlobalAudience,
    pub show_on_site: bool,
    pub is_active: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub starts_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    #[cfg_attr(feature = "ssr", schema(value_type = Option<i64>))]
    pub created_by: Option<UserId>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// Where an announcement stands at a moment, as the admin panel shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
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

    /// Whether someone with `role` is meant to see it (see [`GlobalAudience`]).
    pub fn is_for(&self, role: Role) -> bool {
        self.audience.includes(role)
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
            id: GlobalNotificationId::new(1),
            title: Title::parse("title", "Maintenance").unwrap(),
            message: MessageText::default(),
            level: Level::Warning,
            audience: GlobalAudience::Everyone,
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
    fn levels_have_the_same_names_in_json_the_database_and_text() {
        let names: Vec<&str> = Level::VARIANTS.iter().map(|&l| l.into()).collect();
        // The names the migrations' CHECK (level IN (...)) allows, quietest first.
        assert_eq!(names, ["info", "warning", "critical"]);
        assert!(Level::VARIANTS.is_sorted());
        for &level in Level::VARIANTS {
            let name: &str = level.into();
            assert_eq!(
                serde_json::to_string(&level).unwrap(),
                format!("\"{name}\"")
            );
            assert_eq!(level.to_string(), name);
            assert_eq!(Level::parse("level", name), Ok(level));
        }
    }

    #[test]
    fn a_state_is_named_as_in_json() {
        for state in [
            GlobalState::Live,
            GlobalState::Scheduled,
            GlobalState::Expired,
            GlobalState::Hidden,
            GlobalState::Inactive,
        ] {
            let name: &str = state.into();
            assert_eq!(
                serde_json::to_string(&state).unwrap(),
                format!("\"{name}\"")
            );
        }
    }

    #[test]
    fn a_global_from_a_server_without_audiences_is_for_everyone() {
        let mut json = serde_json::to_value(global()).unwrap();
        json.as_object_mut().unwrap().remove("audience");
        let read: GlobalNotification = serde_json::from_value(json).unwrap();
        assert_eq!(read.audience, GlobalAudience::Everyone);
        assert!(read.is_for(Role::Jobseeker) && read.is_for(Role::Admin));
    }

    #[test]
    fn a_global_for_employers_is_for_employers_only() {
        let g = GlobalNotification {
            audience: GlobalAudience::Employers,
            ..global()
        };
        assert!(g.is_for(Role::Employer));
        assert!(!g.is_for(Role::Jobseeker));
        assert!(!g.is_for(Role::Admin));
    }

    #[test]
    fn an_unknown_level_is_refused_with_the_field_named() {
        assert_eq!(Level::parse("level", "loud").unwrap_err().field, "level");
    }
}
