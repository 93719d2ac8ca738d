//! What a person does with their notifications, as server functions: mark one, a group or all of
//! them read, archive and bring back. The bell's popover and the notifications page both use
//! them; the socket's actions and the JSON API do the same through `crate::ssr::inbox`, so every
//! way in follows the same rules, and every tab of the person hears of the change.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{GroupKey, NotificationId};

/// The most notifications one archive call may move: a group is rarely larger, and a page
/// shows at most 100.
pub const MAX_ARCHIVED_AT_ONCE: usize = 100;

#[server]
pub async fn mark_notification_read(id: NotificationId) -> Result<(), AppError> {
    use crate::ssr::{inbox, services, session};

    let user = session::require_user()?;
    match inbox::mark_read(&services()?, user.id, id).await? {
        Some(_) => Ok(()),
        None => Err(AppError::not_found("no such notification")),
    }
}

#[server]
pub async fn mark_all_notifications_read() -> Result<u64, AppError> {
    use crate::ssr::{inbox, services, session};

    let user = session::require_user()?;
    let (updated, _) = inbox::mark_all_read(&services()?, user.id).await?;
    Ok(updated)
}

/// Marks read every unread notification of the group `group_key`; answers how many changed.
#[server]
pub async fn mark_group_read(group_key: GroupKey) -> Result<u64, AppError> {
    use crate::ssr::{inbox, services, session};

    let user = session::require_user()?;
    let (updated, _) = inbox::mark_group_read(&services()?, user.id, &group_key).await?;
    Ok(updated)
}

/// Archives the notifications `ids` (all of a group at once), or brings them back
/// (`archived: false`). An id that is not the asker's is answered "not found" (those before it
/// are moved all the same).
#[server]
pub async fn set_archived(ids: Vec<NotificationId>, archived: bool) -> Result<(), AppError> {
    use crate::model::FieldError;
    use crate::ssr::{inbox, services, session};

    let user = session::require_user()?;
    if ids.is_empty() || ids.len() > MAX_ARCHIVED_AT_ONCE {
        return Err(FieldError::new(
            "ids",
            format!("must name 1 to {MAX_ARCHIVED_AT_ONCE} notifications"),
        )
        .into());
    }
    // Each once: a repeated id would be written, and pushed to every tab, again.
    let mut ids = ids;
    ids.sort_unstable();
    ids.dedup();
    let services = services()?;
    for id in ids {
        if inbox::set_archived(&services, user.id, id, archived)
            .await?
            .is_none()
        {
            return Err(AppError::not_found("no such notification"));
        }
    }
    Ok(())
}
