//! The ids of stored records, one type per kind of record, so that a user's id cannot be passed
//! where a job's is expected, nor two ids swapped.
//!
//! Each is the database's `BIGINT`/`INTEGER` primary key as it is: a plain number in JSON,
//! forms, URLs and the database (`#[serde(transparent)]`, `#[sqlx(transparent)]`). Ids grow with
//! every new row, so they order as their rows were made. The OpenAPI document shows them as
//! integers: fields of these types carry `#[schema(value_type = i64)]`.

use std::fmt;
use std::num::ParseIntError;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            /// The id with the database's number `raw`.
            pub const fn new(raw: i64) -> Self {
                Self(raw)
            }

            /// The database's number.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        /// Reads an id from a URL path or query (`/jobs/7`).
        impl FromStr for $name {
            type Err = ParseIntError;

            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                raw.parse().map(Self)
            }
        }
    )*};
}

ids! {
    /// A person with an account.
    UserId;
    /// A browser's signed-in session.
    SessionId;
    /// A service's API token.
    ApiTokenId;
    /// A notification to one user.
    NotificationId;
    /// A global notification (a site-wide banner).
    GlobalNotificationId;
    /// A job posting.
    JobId;
    /// A jobseeker's application to a job.
    ApplicationId;
    /// A direct message between two people.
    MessageId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_a_plain_number_in_json_and_text() {
        let id = UserId::new(42);
        assert_eq!(serde_json::to_string(&id).unwrap(), "42");
        assert_eq!(serde_json::from_str::<UserId>("42").unwrap(), id);
        assert_eq!(id.to_string(), "42");
        assert_eq!("42".parse::<UserId>(), Ok(id));
        assert!("4x".parse::<UserId>().is_err());
    }
}
