use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr, VariantArray};
use time::OffsetDateTime;

use super::{parse_name, FieldError, GroupKey, Link, MessageText, NotificationId, Title, UserId};

/// What raised a notification; the client picks an icon and colour from it. Its names
/// (`message`, `application`, `profile_view`, `system`) are the same in JSON, in the database and
/// on the command line.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
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
pub enum NotificationType {
    Message,
    Application,
    ProfileView,
    System,
}

impl NotificationType {
    /// What people call it, on the preferences page.
    pub fn label(self) -> &'static str {
        match self {
            Self::Message => "Messages",
            Self::Application => "Applications",
            Self::ProfileView => "Profile views",
            Self::System => "System alerts",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        parse_name(field, raw)
    }
}

/// One notification addressed to one user. `id` grows with every new row, so it doubles as the
/// resume cursor of the real-time protocol and the `before` cursor of the list API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Notification {
    #[cfg_attr(feature = "ssr", schema(value_type = i64))]
    pub id: NotificationId,
    #[cfg_attr(feature = "ssr", schema(value_type = i64))]
    pub user_id: UserId,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub title: Title,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub message: MessageText,
    pub notification_type: NotificationType,
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    pub link: Option<Link>,
    /// Notifications of this user with the same key, close in time, show as one entry (see
    /// [`crate::model::group`]).
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    #[serde(default)]
    pub group_key: Option<GroupKey>,
    pub is_read: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub read_at: Option<OffsetDateTime>,
    /// When the user archived it: archived notifications leave the inbox and the unread count,
    /// and are listed apart until unarchived.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub archived_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// One page of a user's notifications, newest first. `next_before` is the cursor of the next
/// (older) page, or `None` when this page is the last.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NotificationPage {
    pub results: Vec<Notification>,
    pub unread_count: i64,
    #[cfg_attr(feature = "ssr", schema(value_type = Option<i64>))]
    pub next_before: Option<NotificationId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_reads_back_from_its_own_name() {
        let names: Vec<&str> = NotificationType::VARIANTS
            .iter()
            .map(|&t| t.into())
            .collect();
        // The names the migrations' CHECK (notification_type IN (...)) allows.
        assert_eq!(names, ["message", "application", "profile_view", "system"]);
        for &t in NotificationType::VARIANTS {
            let name: &str = t.into();
            assert_eq!(name.parse::<NotificationType>(), Ok(t));
            assert_eq!(t.to_string(), name);
            assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{name}\""));
        }
    }

    #[test]
    fn an_unknown_type_is_refused_with_the_field_named() {
        let err = NotificationType::parse("notification_type", "spam").unwrap_err();
        assert_eq!(err.field, "notification_type");
    }
}
