//! Typed models shared by the server and the WASM client.
//!
//! Values that come from outside (HTTP bodies, forms, CLI flags) are parsed into these types once,
//! at the boundary; code behind the boundary never re-checks them.

mod audience;
mod board;
mod field_error;
mod global;
pub mod group;
mod id;
mod notification;
mod preferences;
mod reach;
mod session;
mod site_path;
mod text;
mod user;

pub use audience::GlobalAudience;
pub use board::{
    text, Application, ApplicationStatus, Conversation, DirectMessage, Job, JobDraft, Profile,
    ProfileDraft,
};
pub use field_error::FieldError;
pub use global::{GlobalNotification, GlobalState, Level};
pub use group::{group, NotificationGroup};
pub use id::{
    ApiTokenId, ApplicationId, GlobalNotificationId, JobId, MessageId, NotificationId, SessionId,
    UserId,
};
pub use notification::{Notification, NotificationPage, NotificationType};
pub use preferences::{Channel, Channels, Preferences};
pub use reach::{Reach, ReachedGlobal};
pub use session::{MySessions, Session};
pub use site_path::{is_form_error_parameter, resolve_site_path};
pub use text::{GroupKey, Link, MessageText, Title};
pub use user::{Password, Role, SignUpRole, User, Username};

use std::str::FromStr;

use strum::VariantArray;

/// Parses one of an enum's names (`raw`), or refuses it, naming `field` and the names it takes.
fn parse_name<T>(field: &str, raw: &str) -> Result<T, FieldError>
where
    T: FromStr + VariantArray + Copy + Into<&'static str>,
{
    raw.parse().map_err(|_| {
        let names: Vec<&str> = T::VARIANTS.iter().map(|&name| name.into()).collect();
        FieldError::new(
            field,
            format!("must be one of {}; got {raw:?}", names.join(", ")),
        )
    })
}
