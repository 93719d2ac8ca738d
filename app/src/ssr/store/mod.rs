//! Storage: one trait, one implementation per database, chosen at run time from the URL.
//!
//! Every SQL statement of Herald lives behind [`Store`]. Callers never see a backend type, so a
//! new backend is one new module plus a line in [`connect`]. Each backend owns its migrations and
//! runs them in [`Store::migrate`]. There are two: SQLite ([`SqliteStore`], one file, the
//! default) and PostgreSQL ([`PostgresStore`], a server several Herald instances can share). They
//! answer every method alike; `server/tests/store_contract.rs` runs the same tests on both.

mod board;
mod focus;
mod postgres;
mod preferences;
mod rate_limits;
mod reach;
mod sqlite;
mod stored;
mod trusted_devices;

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::model::{
    ApiTokenId, GlobalAudience, GlobalNotification, GlobalNotificationId, GroupKey, Level, Link,
    MessageText, Notification, NotificationId, NotificationType, Role, Session, SessionId, Title,
    User, UserId,
};

pub use board::{BoardStore, JobSearch};
pub use focus::{FocusStore, MAX_SOCKET_KEY_CHARS};
pub use postgres::PostgresStore;
pub use preferences::PreferenceStore;
pub use rate_limits::{RateLimitStore, MAX_LIMIT_KEY_CHARS, MAX_LIMIT_WINDOW};
pub use reach::ReachStore;
pub use sqlite::SqliteStore;
pub use trusted_devices::{TrustedDeviceStore, TRUST_DEVICES_FOR};

pub type DynStore = Arc<dyn Store>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A value that must be unique is already taken.
    #[error("{0} is already taken")]
    Conflict(Unique),
    #[error(
        "unsupported database URL {0:?}: use sqlite://PATH, sqlite::memory: or \
         postgres://USER@HOST/DATABASE"
    )]
    UnsupportedUrl(String),
    /// The database cannot answer now (busy, locked, or unreachable) but may soon: callers
    /// answer 503 with `Retry-After` rather than an internal error. Shared, so that one failed
    /// attempt can answer every request it was made for (see [`StoreError::unavailable_again`]).
    #[error("the database is unavailable: {0}")]
    Unavailable(#[source] Arc<sqlx::Error>),
    #[error(transparent)]
    Database(sqlx::Error),
    #[error(transparent)]
    Migration(#[from] sqlx::migrate::MigrateError),
}

/// What must be unique, and so what a [`StoreError::Conflict`] collided with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::Display)]
#[strum(serialize_all = "snake_case")]
pub enum Unique {
    /// A user name (compared without case).
    Username,
    /// One jobseeker's application to one job.
    Application,
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        if is_unavailable(&err) {
            StoreError::Unavailable(Arc::new(err))
        } else {
            StoreError::Database(err)
        }
    }
}

impl StoreError {
    /// The same "not now", once more: for every request one failed attempt was made for.
    /// `None` for any other error, which belongs to the request that caused it.
    pub fn unavailable_again(&self) -> Option<StoreError> {
        match self {
            StoreError::Unavailable(err) => Some(StoreError::Unavailable(err.clone())),
            _ => None,
        }
    }
}

/// Whether `err` says "not now" rather than "never": no pool connection in time, a lost
/// connection, SQLite's busy or locked database or a database file it cannot open (deleted
/// while Herald runs), PostgreSQL's connection exceptions (class 08), shutdowns (57P) and lack
/// of resources (53).
fn is_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            let sqlite_primary = code.parse::<u32>().ok().map(|code| code & 0xff);
            matches!(sqlite_primary, Some(5 | 6 | 14))
                || ["08", "57P", "53"]
                    .iter()
                    .any(|class| code.starts_with(class))
        }),
        _ => false,
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A user together with the hash that proves their password.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

/// A signed-in browser session, found by the hash of its cookie token.
#[derive(Clone, Debug)]
pub struct SessionRecord {
    pub id: SessionId,
    pub user: User,
    pub expires_at: OffsetDateTime,
}

/// A session that was just signed out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EndedSession {
    pub id: SessionId,
    pub user_id: UserId,
}

/// A service's bearer token, found by the hash of the token.
#[derive(Clone, Debug)]
pub struct ApiTokenRecord {
    pub id: ApiTokenId,
    pub name: String,
}

#[derive(Clone, Debug)]
pub struct NewNotification {
    pub user_id: UserId,
    pub title: Title,
    pub message: MessageText,
    pub notification_type: NotificationType,
    pub link: Option<Link>,
    pub group_key: Option<GroupKey>,
}

#[derive(Clone, Debug)]
pub struct NewGlobalNotification {
    pub title: Title,
    pub message: MessageText,
    pub level: Level,
    pub audience: GlobalAudience,
    pub show_on_site: bool,
    pub is_active: bool,
    pub starts_at: Option<OffsetDateTime>,
    pub expires_at: Option<OffsetDateTime>,
    pub created_by: Option<UserId>,
}

/// A partial update of a global notification: `None` leaves a field as it is; for the optional
/// dates, `Some(None)` clears them.
#[derive(Clone, Debug, Default)]
pub struct GlobalNotificationPatch {
    pub title: Option<Title>,
    pub message: Option<MessageText>,
    pub level: Option<Level>,
    pub audience: Option<GlobalAudience>,
    pub show_on_site: Option<bool>,
    pub is_active: Option<bool>,
    pub starts_at: Option<Option<OffsetDateTime>>,
    pub expires_at: Option<Option<OffsetDateTime>>,
}

/// Which of a user's notifications to list, newest first.
#[derive(Clone, Copy, Debug)]
pub struct NotificationQuery {
    pub user_id: UserId,
    pub unread_only: bool,
    /// The archived notifications (the "Archived" tab) instead of the others (the inbox).
    pub archived: bool,
    /// Only notifications with an id below this one (the cursor of the previous page).
    pub before: Option<NotificationId>,
    pub limit: u32,
}

/// Herald's storage contract. Every method is one transaction; ids grow with every new row and
/// are never reused, so "newer than id N" is a complete, ordered resume point.
///
/// Beside Herald's own records, the store holds the state every instance on one database must
/// share: rate-limit events ([`RateLimitStore`]) and what each socket's page shows
/// ([`FocusStore`]); and who has seen each announcement ([`ReachStore`]).
#[async_trait]
pub trait Store:
    BoardStore
    + RateLimitStore
    + FocusStore
    + PreferenceStore
    + ReachStore
    + TrustedDeviceStore
    + Send
    + Sync
    + 'static
{
    /// Brings the schema up to date. Safe to run at every start.
    async fn migrate(&self) -> StoreResult<()>;

    /// Answers whether the database can be reached.
    async fn ping(&self) -> StoreResult<()>;

    // --- accounts ---------------------------------------------------------------------------

    /// Creates a user; `StoreError::Conflict(Unique::Username)` if the name is taken.
    async fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        role: Role,
    ) -> StoreResult<User>;
    async fn credentials(&self, username: &str) -> StoreResult<Option<Credentials>>;
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<User>>;
    /// The users that exist among those named by id in `ids` or by name in `usernames` (user
    /// names match without regard to case), in no particular order.
    async fn users_among(&self, ids: &[UserId], usernames: &[String]) -> StoreResult<Vec<User>>;
    /// The ids of every user with `role`.
    async fn user_ids_with_role(&self, role: Role) -> StoreResult<Vec<UserId>>;

    async fn create_session(
        &self,
        token_hash: &str,
        user_id: UserId,
        browser: &str,
        expires_at: OffsetDateTime,
    ) -> StoreResult<SessionId>;
    /// The unexpired session whose token hashes to `token_hash`.
    async fn session(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> StoreResult<Option<SessionRecord>>;
    /// Deletes a session; answers what it was, if it existed.
    async fn delete_session(&self, token_hash: &str) -> StoreResult<Option<EndedSession>>;
    /// The unexpired sessions of `user_id` at `now`, the newest first.
    async fn sessions_of_user(
        &self,
        user_id: UserId,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Session>>;
    /// Deletes the session `id` if it is one of `user_id`'s; answers what it was, if it was.
    async fn delete_user_session(
        &self,
        user_id: UserId,
        id: SessionId,
    ) -> StoreResult<Option<EndedSession>>;
    /// Whether the session `id` still exists and has not expired at `now`.
    async fn session_is_live(&self, id: SessionId, now: OffsetDateTime) -> StoreResult<bool>;
    /// Deletes every session that expired before `now`; answers how many. Maintenance calls it.
    async fn prune_sessions(&self, now: OffsetDateTime) -> StoreResult<u64>;

    async fn create_api_token(&self, name: &str, token_hash: &str) -> StoreResult<ApiTokenRecord>;
    async fn api_token(&self, token_hash: &str) -> StoreResult<Option<ApiTokenRecord>>;

    // --- notifications ------------------------------------------------------------------------

    /// Stores one notification: [`Store::create_notifications`] of one.
    async fn create_notification(&self, new: &NewNotification) -> StoreResult<Notification> {
        let mut stored = self.create_notifications(std::slice::from_ref(new)).await?;
        Ok(stored.pop().expect("one stored for one given"))
    }
    /// Stores notifications in one transaction, all or none, and answers them in the order
    /// given, with their ids. Every recipient must exist (see [`Store::users_among`]).
    async fn create_notifications(&self, new: &[NewNotification])
        -> StoreResult<Vec<Notification>>;
    async fn list_notifications(&self, query: NotificationQuery) -> StoreResult<Vec<Notification>>;
    /// Up to `limit` of the user's notifications with an id above `after` (all of them after
    /// `None`), oldest first: what a reconnecting client missed.
    async fn notifications_after(
        &self,
        user_id: UserId,
        after: Option<NotificationId>,
        limit: u32,
    ) -> StoreResult<Vec<Notification>>;
    /// The newest `limit` of the user's notifications with an id above `after` (of all of them
    /// after `None`), oldest first: a bounded replay, for a client that missed more than it
    /// should be sent again (it re-reads its list instead).
    async fn newest_notifications_after(
        &self,
        user_id: UserId,
        after: Option<NotificationId>,
        limit: u32,
    ) -> StoreResult<Vec<Notification>>;
    /// The user's unread notifications, archived ones left out.
    async fn unread_count(&self, user_id: UserId) -> StoreResult<i64>;
    /// The unread count of each of `user_ids`, in the order given.
    async fn unread_counts(&self, user_ids: &[UserId]) -> StoreResult<Vec<i64>>;
    /// The id of the user's newest notification, if they have any: where a fresh page resumes
    /// from.
    async fn latest_notification_id(&self, user_id: UserId) -> StoreResult<Option<NotificationId>>;
    /// Marks one of `user_id`'s notifications read. `None` if no such notification belongs to
    /// that user (another user's id is indistinguishable from a missing one).
    async fn mark_read(
        &self,
        user_id: UserId,
        id: NotificationId,
    ) -> StoreResult<Option<Notification>>;
    /// Marks all of a user's notifications read; answers how many changed.
    async fn mark_all_read(&self, user_id: UserId) -> StoreResult<u64>;
    /// Marks read the user's unread notifications whose link is exactly `link`; answers how
    /// many changed.
    async fn mark_read_by_link(&self, user_id: UserId, link: &str) -> StoreResult<u64>;
    /// Marks read the user's unread notifications with the group key `key`, however far apart
    /// in time; answers how many changed.
    async fn mark_group_read(&self, user_id: UserId, key: &GroupKey) -> StoreResult<u64>;
    /// Archives one of `user_id`'s notifications (`archived`), or brings it back to the inbox;
    /// `None` if no such notification is theirs. Archiving again keeps the first time.
    async fn set_archived(
        &self,
        user_id: UserId,
        id: NotificationId,
        archived: bool,
    ) -> StoreResult<Option<Notification>>;

    // --- global notifications ---------------------------------------------------------------

    async fn create_global(&self, new: &NewGlobalNotification) -> StoreResult<GlobalNotification>;
    async fn global_by_id(
        &self,
        id: GlobalNotificationId,
    ) -> StoreResult<Option<GlobalNotification>>;
    /// Every global notification, newest first (the admin's list).
    async fn list_globals(&self) -> StoreResult<Vec<GlobalNotification>>;
    /// The globals live at `now` (see [`GlobalNotification::is_live_at`]), oldest first.
    async fn live_globals(&self, now: OffsetDateTime) -> StoreResult<Vec<GlobalNotification>>;
    async fn update_global(
        &self,
        id: GlobalNotificationId,
        patch: &GlobalNotificationPatch,
    ) -> StoreResult<Option<GlobalNotification>>;
    /// The id of the newest global notification, if there is any.
    async fn latest_global_id(&self) -> StoreResult<Option<GlobalNotificationId>>;
    /// Remembers that a user closed a banner; answers false if there is no such global.
    async fn dismiss_global(
        &self,
        user_id: UserId,
        global_id: GlobalNotificationId,
    ) -> StoreResult<bool>;
    /// The ids of the globals a user dismissed.
    async fn dismissed_globals(&self, user_id: UserId) -> StoreResult<Vec<GlobalNotificationId>>;
}

/// Opens the store named by `url` (`sqlite://path/to/herald.db`, `sqlite::memory:`,
/// `postgres://user@host/database` or `postgresql://...`) and runs its migrations.
pub async fn connect(url: &str) -> StoreResult<DynStore> {
    let store: DynStore = if url.starts_with("sqlite:") {
        Arc::new(SqliteStore::connect(url).await?)
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Arc::new(PostgresStore::connect(url).await?)
    } else {
        return Err(StoreError::UnsupportedUrl(url.to_owned()));
    };
    store.migrate().await?;
    Ok(store)
}

/// Per-user counts, as a `GROUP BY` query answers them, in the order of `user_ids`: a user the
/// query found no row for counts 0.
fn counts_in_order(user_ids: &[UserId], counts: Vec<(UserId, i64)>) -> Vec<i64> {
    let counts: HashMap<UserId, i64> = counts.into_iter().collect();
    user_ids
        .iter()
        .map(|id| counts.get(id).copied().unwrap_or(0))
        .collect()
}
