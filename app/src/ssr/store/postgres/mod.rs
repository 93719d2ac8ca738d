//! The server backend: a PostgreSQL database that several Herald instances can share.
//!
//! Its SQL mirrors the SQLite backend's method for method, so the two read side by side; where
//! PostgreSQL needs something SQLite does not (case-insensitive user names, ids that several
//! writers allocate at once), the method says why.

mod board;
mod focus;
mod preferences;
mod rate_limits;
mod reach;
mod trusted_devices;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use time::OffsetDateTime;
use tracing::instrument;

use super::{
    counts_in_order, ApiTokenRecord, Credentials, EndedSession, FocusStore,
    GlobalNotificationPatch, NewGlobalNotification, NewNotification, NotificationQuery,
    RateLimitStore, SessionRecord, Store, StoreError, StoreResult, TrustedDeviceStore, Unique,
    MAX_LIMIT_WINDOW, TRUST_DEVICES_FOR,
};
use crate::model::{
    ApiTokenId, GlobalNotification, GlobalNotificationId, GroupKey, Notification, NotificationId,
    Role, Session, SessionId, User, UserId,
};
use crate::ssr::store::stored;

/// Cloning shares the pool.
#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

const NOTIFICATION_COLUMNS: &str = "id, user_id, title, message, notification_type, link, \
     group_key, is_read, read_at, archived_at, created_at";
const GLOBAL_COLUMNS: &str = "id, title, message, level, audience, show_on_site, is_active, \
     starts_at, expires_at, created_by, created_at";

impl PostgresStore {
    /// Opens a pool on `url` (`postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?PARAMS]`, as
    /// libpq reads it; `?options=-c%20search_path%3DSCHEMA` puts Herald's tables in a schema).
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            // A request that gets no connection this long answers 503: an unreachable database
            // (refused connections are retried until then) answers within two seconds.
            .acquire_timeout(Duration::from_millis(1500))
            .idle_timeout(Some(Duration::from_secs(600)))
            .max_lifetime(Some(Duration::from_secs(1800)))
            .connect_with(options)
            .await?;
        let store = Self { pool };
        spawn_maintenance(store.clone());
        Ok(store)
    }
}

/// Every five minutes, until the pool closes: deletes sessions that have expired, rate-limit
/// events older than the longest window and the focus of sockets that went away without
/// clearing it. (PostgreSQL has no write-ahead log for Herald to fold back, unlike SQLite;
/// autovacuum reclaims the rows.) Every instance runs it; deleting what another instance just
/// deleted is harmless.
fn spawn_maintenance(store: PostgresStore) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(300));
        every.tick().await;
        loop {
            every.tick().await;
            if store.pool.is_closed() {
                break;
            }
            let now = OffsetDateTime::now_utc();
            let expired = store.prune_sessions(now).await.map(drop);
            let limits = store
                .prune_limit_events(now - MAX_LIMIT_WINDOW)
                .await
                .map(drop);
            let focus = store.prune_focus(now).await.map(drop);
            let devices = store
                .prune_trusted_devices(now - TRUST_DEVICES_FOR)
                .await
                .map(drop);
            for err in [expired, limits, focus, devices]
                .into_iter()
                .filter_map(Result::err)
            {
                tracing::warn!(%err, "database maintenance failed; trying again later");
            }
        }
    });
}

/// A text column that holds one of a model's names (a role, a level, a type).
fn parse_column<T: FromStr>(column: &str, raw: String) -> Result<T, sqlx::Error> {
    raw.parse().map_err(|_| sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: format!("unexpected value {raw:?}").into(),
    })
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: UserId,
    username: String,
    role: String,
}

impl TryFrom<UserRow> for User {
    type Error = sqlx::Error;

    fn try_from(row: UserRow) -> Result<Self, Self::Error> {
        Ok(User {
            id: row.id,
            username: row.username,
            role: parse_column("role", row.role)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct CredentialsRow {
    #[sqlx(flatten)]
    user: UserRow,
    password_hash: String,
}

/// A session found by its token, with its user.
#[derive(sqlx::FromRow)]
struct SessionUserRow {
    session_id: SessionId,
    expires_at: OffsetDateTime,
    #[sqlx(flatten)]
    user: UserRow,
}

/// A session as its user's list of sessions shows it.
#[derive(sqlx::FromRow)]
struct SessionRow {
    id: SessionId,
    user_agent: String,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
}

impl From<SessionRow> for Session {
    fn from(row: SessionRow) -> Self {
        Session {
            id: row.id,
            browser: row.user_agent,
            signed_in_at: row.created_at,
            expires_at: row.expires_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct NotificationRow {
    id: NotificationId,
    user_id: UserId,
    title: String,
    message: String,
    notification_type: String,
    link: Option<String>,
    group_key: Option<String>,
    is_read: bool,
    read_at: Option<OffsetDateTime>,
    archived_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
}

/// Its text is parsed again: see [`stored`] for a row that no longer parses.
impl TryFrom<NotificationRow> for Notification {
    type Error = sqlx::Error;

    fn try_from(row: NotificationRow) -> Result<Self, Self::Error> {
        Ok(Notification {
            id: row.id,
            user_id: row.user_id,
            title: stored::parsed("title", row.title)?,
            message: stored::parsed("message", row.message)?,
            notification_type: parse_column("notification_type", row.notification_type)?,
            link: stored::link(row.id, row.link),
            group_key: stored::group_key(row.id, row.group_key),
            is_read: row.is_read,
            read_at: row.read_at,
            archived_at: row.archived_at,
            created_at: row.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct GlobalRow {
    id: GlobalNotificationId,
    title: String,
    message: String,
    level: String,
    audience: String,
    show_on_site: bool,
    is_active: bool,
    starts_at: Option<OffsetDateTime>,
    expires_at: Option<OffsetDateTime>,
    created_by: Option<UserId>,
    created_at: OffsetDateTime,
}

/// Its text is parsed again: see [`stored`] for a row that no longer parses.
impl TryFrom<GlobalRow> for GlobalNotification {
    type Error = sqlx::Error;

    fn try_from(row: GlobalRow) -> Result<Self, Self::Error> {
        Ok(GlobalNotification {
            id: row.id,
            title: stored::parsed("title", row.title)?,
            message: stored::parsed("message", row.message)?,
            level: parse_column("level", row.level)?,
            audience: parse_column("audience", row.audience)?,
            show_on_site: row.show_on_site,
            is_active: row.is_active,
            starts_at: row.starts_at,
            expires_at: row.expires_at,
            created_by: row.created_by,
            created_at: row.created_at,
        })
    }
}

/// Converts every row, or answers the first row that does not convert.
fn convert_all<R, T: TryFrom<R, Error = sqlx::Error>>(rows: Vec<R>) -> Result<Vec<T>, sqlx::Error> {
    rows.into_iter().map(T::try_from).collect()
}

fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Limits and offsets arrive unsigned; PostgreSQL has no unsigned integers.
fn bigint(n: u32) -> i64 {
    i64::from(n)
}

#[async_trait]
impl Store for PostgresStore {
    /// Several instances may start at once on one database: sqlx's migrator holds a session
    /// advisory lock (keyed on the database's name) while it migrates, so one migrates and the
    /// others wait, then find nothing left to do. Should a migration fail, the migrator returns
    /// without unlocking, so the connection is closed rather than handed back to the pool with
    /// the lock still held (which would block every other instance's start).
    #[instrument(level = "debug", skip_all)]
    async fn migrate(&self) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await?;
        // `run_direct` is `run` on one connection; `run(&mut *conn)` does not compile in a
        // `Send` future (sqlx's "Acquire is not general enough").
        let migrated = sqlx::migrate!("./migrations/postgres")
            .run_direct(&mut *conn)
            .await;
        if migrated.is_err() {
            let _ = conn.close().await;
        }
        migrated?;
        Ok(())
    }

    #[instrument(level = "debug", skip_all)]
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    #[instrument(level = "debug", skip(self, password_hash))]
    async fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        role: Role,
    ) -> StoreResult<User> {
        let row: UserRow = sqlx::query_as(
            "INSERT INTO users (username, password_hash, role, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id, username, role",
        )
        .bind(username)
        .bind(password_hash)
        .bind(<&str>::from(role))
        .bind(OffsetDateTime::now_utc())
        .fetch_one(&self.pool)
        .await
        .map_err(|err| match is_unique_violation(&err) {
            true => StoreError::Conflict(Unique::Username),
            false => err.into(),
        })?;
        Ok(row.try_into()?)
    }

    #[instrument(level = "debug", skip(self))]
    async fn credentials(&self, username: &str) -> StoreResult<Option<Credentials>> {
        let row: Option<CredentialsRow> = sqlx::query_as(
            "SELECT id, username, role, password_hash FROM users \
             WHERE lower(username) = lower($1)",
        )
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(Credentials {
                user: row.user.try_into()?,
                password_hash: row.password_hash,
            })
        })
        .transpose()
    }

    #[instrument(level = "debug", skip_all, fields(ids = ids.len(), usernames = usernames.len()))]
    async fn users_among(&self, ids: &[UserId], usernames: &[String]) -> StoreResult<Vec<User>> {
        let lowered: Vec<String> = usernames.iter().map(|name| name.to_lowercase()).collect();
        let rows: Vec<UserRow> = sqlx::query_as(
            "SELECT id, username, role FROM users \
             WHERE id = ANY($1) OR lower(username) = ANY($2)",
        )
        .bind(ids)
        .bind(&lowered)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(User::try_from)
            .collect::<Result<_, _>>()?)
    }

    #[instrument(level = "debug", skip(self))]
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<User>> {
        let row: Option<UserRow> = sqlx::query_as(
            "SELECT id, username, role FROM users WHERE lower(username) = lower($1)",
        )
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(User::try_from).transpose()?)
    }

    #[instrument(level = "debug", skip(self))]
    async fn user_ids_with_role(&self, role: Role) -> StoreResult<Vec<UserId>> {
        let ids = sqlx::query_scalar("SELECT id FROM users WHERE role = $1 ORDER BY id")
            .bind(<&str>::from(role))
            .fetch_all(&self.pool)
            .await?;
        Ok(ids)
    }

    #[instrument(level = "debug", skip(self, token_hash, browser))]
    async fn create_session(
        &self,
        token_hash: &str,
        user_id: UserId,
        browser: &str,
        expires_at: OffsetDateTime,
    ) -> StoreResult<SessionId> {
        let id = sqlx::query_scalar(
            "INSERT INTO sessions (token_hash, user_id, user_agent, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(browser)
        .bind(OffsetDateTime::now_utc())
        .bind(expires_at)
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    #[instrument(level = "debug", skip(self, token_hash))]
    async fn session(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> StoreResult<Option<SessionRecord>> {
        let row: Option<SessionUserRow> = sqlx::query_as(
            "SELECT s.id AS session_id, s.expires_at, u.id, u.username, u.role \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        if row.expires_at <= now {
            return Ok(None);
        }
        Ok(Some(SessionRecord {
            id: row.session_id,
            user: row.user.try_into()?,
            expires_at: row.expires_at,
        }))
    }

    #[instrument(level = "debug", skip_all)]
    async fn delete_session(&self, token_hash: &str) -> StoreResult<Option<EndedSession>> {
        let row: Option<(SessionId, UserId)> =
            sqlx::query_as("DELETE FROM sessions WHERE token_hash = $1 RETURNING id, user_id")
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(id, user_id)| EndedSession { id, user_id }))
    }

    #[instrument(level = "debug", skip(self))]
    async fn sessions_of_user(
        &self,
        user_id: UserId,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Session>> {
        let rows: Vec<SessionRow> = sqlx::query_as(
            "SELECT id, user_agent, created_at, expires_at FROM sessions \
             WHERE user_id = $1 AND expires_at > $2 ORDER BY id DESC",
        )
        .bind(user_id)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Session::from).collect())
    }

    #[instrument(level = "debug", skip(self))]
    async fn delete_user_session(
        &self,
        user_id: UserId,
        id: SessionId,
    ) -> StoreResult<Option<EndedSession>> {
        let deleted: Option<SessionId> =
            sqlx::query_scalar("DELETE FROM sessions WHERE id = $1 AND user_id = $2 RETURNING id")
                .bind(id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(deleted.map(|id| EndedSession { id, user_id }))
    }

    #[instrument(level = "debug", skip(self))]
    async fn session_is_live(&self, id: SessionId, now: OffsetDateTime) -> StoreResult<bool> {
        let expires_at: Option<OffsetDateTime> =
            sqlx::query_scalar("SELECT expires_at FROM sessions WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(expires_at.is_some_and(|at| now < at))
    }

    #[instrument(level = "debug", skip(self))]
    async fn prune_sessions(&self, now: OffsetDateTime) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    #[instrument(level = "debug", skip(self, token_hash))]
    async fn create_api_token(&self, name: &str, token_hash: &str) -> StoreResult<ApiTokenRecord> {
        let id = sqlx::query_scalar(
            "INSERT INTO api_tokens (name, token_hash, created_at) VALUES ($1, $2, $3) \
             RETURNING id",
        )
        .bind(name)
        .bind(token_hash)
        .bind(OffsetDateTime::now_utc())
        .fetch_one(&self.pool)
        .await?;
        Ok(ApiTokenRecord {
            id,
            name: name.to_owned(),
        })
    }

    #[instrument(level = "debug", skip_all)]
    async fn api_token(&self, token_hash: &str) -> StoreResult<Option<ApiTokenRecord>> {
        let row: Option<(ApiTokenId, String)> =
            sqlx::query_as("SELECT id, name FROM api_tokens WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(id, name)| ApiTokenRecord { id, name }))
    }

    /// SQLite runs one writer at a time, so its ids commit in order. Here two inserts for one
    /// user could take ids 10 and 11 and commit 11 first; a client that resumes from 11 would
    /// never see 10. So the insert first locks the recipient's row (`FOR NO KEY UPDATE`, which
    /// foreign-key checks elsewhere do not wait for) and takes its id only then: one user's
    /// notifications commit in id order, and different users' do not wait for each other.
    #[instrument(level = "debug", skip_all, fields(count = new.len()))]
    async fn create_notifications(
        &self,
        new: &[NewNotification],
    ) -> StoreResult<Vec<Notification>> {
        let mut recipients: Vec<UserId> = new.iter().map(|n| n.user_id).collect();
        recipients.sort_unstable();
        recipients.dedup();
        let mut tx = self.pool.begin().await?;
        // Each recipient's row is locked until the commit, so one user's notifications commit
        // in the order of their ids: a reader that saw id N has seen everything below it. In
        // id order, so that two batches never wait on each other.
        sqlx::query("SELECT id FROM users WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE")
            .bind(&recipients)
            .execute(&mut *tx)
            .await?;
        // One statement for the batch; UNNEST yields the rows in the arrays' order, which is
        // the order their ids are drawn in.
        let sql = format!(
            "INSERT INTO notifications (user_id, title, message, notification_type, link, \
             group_key, created_at) SELECT *, $7::TIMESTAMPTZ FROM UNNEST($1::BIGINT[], \
             $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[]) \
             RETURNING {NOTIFICATION_COLUMNS}"
        );
        let mut rows: Vec<NotificationRow> = sqlx::query_as(&sql)
            .bind(new.iter().map(|n| n.user_id).collect::<Vec<_>>())
            .bind(new.iter().map(|n| n.title.as_str()).collect::<Vec<_>>())
            .bind(new.iter().map(|n| n.message.as_str()).collect::<Vec<_>>())
            .bind(
                new.iter()
                    .map(|n| <&str>::from(n.notification_type))
                    .collect::<Vec<_>>(),
            )
            .bind(
                new.iter()
                    .map(|n| n.link.as_ref().map(|link| link.as_str()))
                    .collect::<Vec<_>>(),
            )
            .bind(
                new.iter()
                    .map(|n| n.group_key.as_ref().map(|key| key.as_str()))
                    .collect::<Vec<_>>(),
            )
            .bind(OffsetDateTime::now_utc())
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        rows.sort_unstable_by_key(|row| row.id);
        Ok(convert_all(rows)?)
    }

    #[instrument(level = "debug", skip(self))]
    async fn list_notifications(&self, query: NotificationQuery) -> StoreResult<Vec<Notification>> {
        let sql = format!(
            "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE user_id = $1 \
             AND (NOT $2 OR NOT is_read) AND (archived_at IS NOT NULL) = $5 \
             AND ($3::BIGINT IS NULL OR id < $3) ORDER BY id DESC LIMIT $4"
        );
        let rows: Vec<NotificationRow> = sqlx::query_as(&sql)
            .bind(query.user_id)
            .bind(query.unread_only)
            .bind(query.before)
            .bind(bigint(query.limit))
            .bind(query.archived)
            .fetch_all(&self.pool)
            .await?;
        Ok(convert_all(rows)?)
    }

    #[instrument(level = "debug", skip(self))]
    async fn notifications_after(
        &self,
        user_id: UserId,
        after: Option<NotificationId>,
        limit: u32,
    ) -> StoreResult<Vec<Notification>> {
        let sql = format!(
            "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE user_id = $1 \
             AND ($2::BIGINT IS NULL OR id > $2) ORDER BY id LIMIT $3"
        );
        let rows: Vec<NotificationRow> = sqlx::query_as(&sql)
            .bind(user_id)
            .bind(after)
            .bind(bigint(limit))
            .fetch_all(&self.pool)
            .await?;
        Ok(convert_all(rows)?)
    }

    #[instrument(level = "debug", skip(self))]
    async fn newest_notifications_after(
        &self,
        user_id: UserId,
        after: Option<NotificationId>,
        limit: u32,
    ) -> StoreResult<Vec<Notification>> {
        let sql = format!(
            "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE user_id = $1 \
             AND ($2::BIGINT IS NULL OR id > $2) ORDER BY id DESC LIMIT $3"
        );
        let rows: Vec<NotificationRow> = sqlx::query_as(&sql)
            .bind(user_id)
            .bind(after)
            .bind(bigint(limit))
            .fetch_all(&self.pool)
            .await?;
        let mut newest: Vec<Notification> = convert_all(rows)?;
        newest.reverse();
        Ok(newest)
    }

    #[instrument(level = "debug", skip(self))]
    async fn latest_notification_id(&self, user_id: UserId) -> StoreResult<Option<NotificationId>> {
        let id = sqlx::query_scalar("SELECT MAX(id) FROM notifications WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(id)
    }

    #[instrument(level = "debug", skip(self))]
    async fn unread_count(&self, user_id: UserId) -> StoreResult<i64> {
        let count = sqlx::query_scalar(
            "SELECT COUNT(*) FROM notifications \
             WHERE user_id = $1 AND NOT is_read AND archived_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(count)
    }

    #[instrument(level = "debug", skip_all, fields(users = user_ids.len()))]
    async fn unread_counts(&self, user_ids: &[UserId]) -> StoreResult<Vec<i64>> {
        let rows: Vec<(UserId, i64)> = sqlx::query_as(
            "SELECT user_id, COUNT(*) FROM notifications \
             WHERE user_id = ANY($1) AND NOT is_read AND archived_at IS NULL \
             GROUP BY user_id",
        )
        .bind(user_ids)
        .fetch_all(&self.pool)
        .await?;
        Ok(counts_in_order(user_ids, rows))
    }

    #[instrument(level = "debug", skip(self))]
    async fn mark_read(
        &self,
        user_id: UserId,
        id: NotificationId,
    ) -> StoreResult<Option<Notification>> {
        let sql = format!(
            "UPDATE notifications SET is_read = TRUE, read_at = COALESCE(read_at, $1) \
             WHERE id = $2 AND user_id = $3 RETURNING {NOTIFICATION_COLUMNS}"
        );
        let row: Option<NotificationRow> = sqlx::query_as(&sql)
            .bind(OffsetDateTime::now_utc())
            .bind(id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(Notification::try_from).transpose()?)
    }

    #[instrument(level = "debug", skip(self))]
    async fn mark_all_read(&self, user_id: UserId) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE notifications SET is_read = TRUE, read_at = $1 \
             WHERE user_id = $2 AND NOT is_read",
        )
        .bind(OffsetDateTime::now_utc())
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    #[instrument(level = "debug", skip(self))]
    async fn mark_read_by_link(&self, user_id: UserId, link: &str) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE notifications SET is_read = TRUE, read_at = $1 \
             WHERE user_id = $2 AND NOT is_read AND link = $3",
        )
        .bind(OffsetDateTime::now_utc())
        .bind(user_id)
        .bind(link)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    #[instrument(level = "debug", skip(self))]
    async fn mark_group_read(&self, user_id: UserId, key: &GroupKey) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE notifications SET is_read = TRUE, read_at = $1 \
             WHERE user_id = $2 AND NOT is_read AND group_key = $3",
        )
        .bind(OffsetDateTime::now_utc())
        .bind(user_id)
        .bind(key.as_str())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    #[instrument(level = "debug", skip(self))]
    async fn set_archived(
        &self,
        user_id: UserId,
        id: NotificationId,
        archived: bool,
    ) -> StoreResult<Option<Notification>> {
        let sql = format!(
            "UPDATE notifications SET archived_at = CASE WHEN $1 \
             THEN COALESCE(archived_at, $2) END WHERE id = $3 AND user_id = $4 \
             RETURNING {NOTIFICATION_COLUMNS}"
        );
        let row: Option<NotificationRow> = sqlx::query_as(&sql)
            .bind(archived)
            .bind(OffsetDateTime::now_utc())
            .bind(id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(Notification::try_from).transpose()?)
    }

    /// Globals are resumed from by id too ([`Store::latest_global_id`]), so, as for
    /// notifications, their ids must commit in order: the insert holds a lock that only other
    /// writers of globals wait for (admins, rarely), taken before the id.
    #[instrument(level = "debug", skip_all)]
    async fn create_global(&self, new: &NewGlobalNotification) -> StoreResult<GlobalNotification> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("LOCK TABLE global_notifications IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
        let sql = format!(
            "INSERT INTO global_notifications (title, message, level, audience, show_on_site, \
             is_active, starts_at, expires_at, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {GLOBAL_COLUMNS}"
        );
        let row: GlobalRow = sqlx::query_as(&sql)
            .bind(new.title.as_str())
            .bind(new.message.as_str())
            .bind(<&str>::from(new.level))
            .bind(<&str>::from(new.audience))
            .bind(new.show_on_site)
            .bind(new.is_active)
            .bind(new.starts_at)
            .bind(new.expires_at)
            .bind(new.created_by)
            .bind(OffsetDateTime::now_utc())
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(row.try_into()?)
    }

    #[instrument(level = "debug", skip(self))]
    async fn global_by_id(
        &self,
        id: GlobalNotificationId,
    ) -> StoreResult<Option<GlobalNotification>> {
        let sql = format!("SELECT {GLOBAL_COLUMNS} FROM global_notifications WHERE id = $1");
        let row: Option<GlobalRow> = sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(GlobalNotification::try_from).transpose()?)
    }

    #[instrument(level = "debug", skip_all)]
    async fn list_globals(&self) -> StoreResult<Vec<GlobalNotification>> {
        let sql = format!("SELECT {GLOBAL_COLUMNS} FROM global_notifications ORDER BY id DESC");
        let rows: Vec<GlobalRow> = sqlx::query_as(&sql).fetch_all(&self.pool).await?;
        Ok(convert_all(rows)?)
    }

    #[instrument(level = "debug", skip(self))]
    async fn live_globals(&self, now: OffsetDateTime) -> StoreResult<Vec<GlobalNotification>> {
        // The same test as `GlobalNotification::is_live_at`, in SQL: TIMESTAMPTZ compares as
        // time (SQLite's text does not, so it compares in Rust).
        let sql = format!(
            "SELECT {GLOBAL_COLUMNS} FROM global_notifications \
             WHERE is_active AND show_on_site \
             AND (starts_at IS NULL OR starts_at <= $1) AND (expires_at IS NULL OR $1 < expires_at) \
             ORDER BY id"
        );
        let rows: Vec<GlobalRow> = sqlx::query_as(&sql).bind(now).fetch_all(&self.pool).await?;
        Ok(convert_all(rows)?)
    }

    /// One statement, so two admins changing different fields at once both keep their change
    /// (SQLite's read-then-write in a transaction is safe there because it has one writer).
    /// `None` in the patch keeps a column; for the dates a flag says whether to set them, since
    /// "set to none" is a change of its own.
    #[instrument(level = "debug", skip(self, patch))]
    async fn update_global(
        &self,
        id: GlobalNotificationId,
        patch: &GlobalNotificationPatch,
    ) -> StoreResult<Option<GlobalNotification>> {
        let sql = format!(
            "UPDATE global_notifications SET title = COALESCE($2, title), \
             message = COALESCE($3, message), level = COALESCE($4, level), \
             show_on_site = COALESCE($5, show_on_site), is_active = COALESCE($6, is_active), \
             starts_at = CASE WHEN $7 THEN $8 ELSE starts_at END, \
             expires_at = CASE WHEN $9 THEN $10 ELSE expires_at END, \
             audience = COALESCE($11, audience) \
             WHERE id = $1 RETURNING {GLOBAL_COLUMNS}"
        );
        let row: Option<GlobalRow> = sqlx::query_as(&sql)
            .bind(id)
            .bind(patch.title.as_ref().map(|title| title.as_str()))
            .bind(patch.message.as_ref().map(|message| message.as_str()))
            .bind(patch.level.map(<&str>::from))
            .bind(patch.show_on_site)
            .bind(patch.is_active)
            .bind(patch.starts_at.is_some())
            .bind(patch.starts_at.flatten())
            .bind(patch.expires_at.is_some())
            .bind(patch.expires_at.flatten())
            .bind(patch.audience.map(<&str>::from))
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(GlobalNotification::try_from).transpose()?)
    }

    #[instrument(level = "debug", skip_all)]
    async fn latest_global_id(&self) -> StoreResult<Option<GlobalNotificationId>> {
        let id = sqlx::query_scalar("SELECT MAX(id) FROM global_notifications")
            .fetch_one(&self.pool)
            .await?;
        Ok(id)
    }

    #[instrument(level = "debug", skip(self))]
    async fn dismiss_global(
        &self,
        user_id: UserId,
        global_id: GlobalNotificationId,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO global_dismissals (user_id, global_id, dismissed_at) \
             SELECT $1, id, $2 FROM global_notifications WHERE id = $3 \
             ON CONFLICT (user_id, global_id) DO NOTHING",
        )
        .bind(user_id)
        .bind(OffsetDateTime::now_utc())
        .bind(global_id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 1 {
            return Ok(true);
        }
        Ok(self.global_by_id(global_id).await?.is_some())
    }

    #[instrument(level = "debug", skip(self))]
    async fn dismissed_globals(&self, user_id: UserId) -> StoreResult<Vec<GlobalNotificationId>> {
        let ids = sqlx::query_scalar("SELECT global_id FROM global_dismissals WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(ids)
    }
}
