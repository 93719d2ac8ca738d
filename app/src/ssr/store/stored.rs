//! Reading stored text back into its parsed type (a [`Title`], a [`MessageText`], a [`Link`]).
//!
//! Every row was parsed on its way in, but the rules can change after it was written (a
//! character refused, a scheme no longer allowed). A row read back is parsed again, and one
//! that no longer passes is handled by what is safe to show:
//! - a link that no longer parses is dropped, with a warning: the notification still shows,
//!   only without somewhere to go, so no link a current rule refuses is ever followed;
//! - a title or message that no longer parses fails the read, naming the column: there is
//!   nothing safe to show instead, so a change of those rules must come with a migration that
//!   rewrites the rows written before it.

use sqlx::error::BoxDynError;

use crate::model::{FieldError, GroupKey, Link};

/// The parsed `T` of the text `raw` of `column`, or the decode error naming the column.
pub(super) fn parsed<T>(column: &str, raw: String) -> Result<T, sqlx::Error>
where
    T: TryFrom<String, Error = FieldError>,
{
    T::try_from(raw).map_err(|err| sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: BoxDynError::from(err),
    })
}

/// The link of the notification `id`, if it has one that still parses.
pub(super) fn link(id: impl std::fmt::Display, raw: Option<String>) -> Option<Link> {
    let raw = raw?;
    match Link::try_from(raw) {
        Ok(link) => Some(link),
        Err(err) => {
            tracing::warn!(notification_id = %id, %err, "a stored link no longer parses; dropped");
            None
        }
    }
}

/// The group key of the notification `id`, if it has one that still parses: one that no longer
/// does is dropped, with a warning, and the notification shows on its own.
pub(super) fn group_key(id: impl std::fmt::Display, raw: Option<String>) -> Option<GroupKey> {
    let raw = raw?;
    match GroupKey::try_from(raw) {
        Ok(key) => Some(key),
        Err(err) => {
            tracing::warn!(notification_id = %id, %err, "a stored group key no longer parses; dropped");
            None
        }
    }
}
