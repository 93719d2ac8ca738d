use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::FieldError;

/// What raised a notification; the client picks an icon and colour from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotificationType {
    Message,
    Application,
    ProfileView,
    System,
}

impl NotificationType {
    pub const ALL: [NotificationType; 4] = [
        NotificationType::Message,
        NotificationType::Application,
        NotificationType::ProfileView,
        NotificationType::System,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NotificationType::Message => "message",
            NotificationType::Application => "application",
            NotificationType::ProfileView => "profile_view",
            NotificationType::System => "system",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        raw.parse().map_err(|_| {
            FieldError::new(
                field,
                format!("must be one of message, application, profile_view, system; got {raw:?}"),
            )
        })
    }
}

impl FromStr for NotificationType {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|t| t.as_str() == s).ok_or(())
    }
}

impl fmt::Display for NotificationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One notification addressed to one user. `id` grows with every new row, so it doubles as the
/// resume cursor of the real-time protocol and the `before` cursor of the list API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Notification {
    pub id: i64,
    pub user_id: i64,
    pub title: String,
    pub message: String,
    pub notification_type: NotificationType,
    pub link: Option<String>,
    pub is_read: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub read_at: Option<OffsetDateTime>,
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
    pub next_before: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_reads_back_from_its_own_name() {
        for t in NotificationType::ALL {
            assert_eq!(t.as_str().parse::<NotificationType>(), Ok(t));
            assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{t}\""));
        }
    }

    #[test]
    fn an_unknown_type_is_refused_with_the_field_named() {
        let err = NotificationType::parse("notification_type", "spam").unwrap_err();
        assert_eq!(err.field, "notification_type");
    }
}
