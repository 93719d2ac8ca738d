//! The embedded default backend: one SQLite file in WAL mode.

mod board;
mod focus;
mod preferences;
mod rate_limits;
mod reach;
mod trusted_devices;

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Connection, Row, SqlitePool};
use time::OffsetDateTime;
use tracing::instrument;

use super::{
    counts_in_order, ApiTokenRecord, Credentials, EndedSession, FocusStore,
    GlobalNotificationPatch, NewGlobalNotification, NewNotification, NotificationQuery,
    RateLimitStore, SessionRecord, Store, StoreError, StoreResult, TrustedDeviceStore, Unique,
    MAX_LIMIT_WINDOW, TRUST_DEVICES_FOR,
};
use crate::model::{
    GlobalNotification, GlobalNotificationId, GroupKey, Notification, NotificationId, Role,
    Session, SessionId, User, UserId,
};
use crate::ssr::store::stored;

/// Cloning shares the pool.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// The file opened at start; `None` in memory.
    file: Option<Arc<DatabaseFile>>,
}

/// The database file this store opened, watched so that deleting (or replacing) it while Herald
/// runs cannot go unnoticed: open connections would keep writing into the unlinked file, every
/// write answered 201 and lost at the next start. Once the path no longer names the file that
/// was opened, every request answers 503 (the pool is closed) and `/readyz` says so, until
/// Herald is restarted on whatever file is there then.
struct DatabaseFile {
    path: PathBuf,
    identity: FileIdentity,
    gone: AtomicBool,
    /// Wakes the watcher (see [`spawn_file_watch`]) when a connection noticed first.
    noticed: tokio::sync::Notify,
}

/// What tells one file from another at the same path: its device and inode where there are
/// inodes, and nothing but its existence elsewhere.
#[derive(Clone, Copy, PartialEq, Eq)]
struct FileIdentity(u64, u64);

impl FileIdentity {
    fn of(path: &std::path::Path) -> Option<Self> {
        let metadata = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some(Self(metadata.dev(), metadata.ino()))
        }
        #[cfg(not(unix))]
        {
            let _ = metadata;
            Some(Self(0, 0))
        }
    }
}

impl DatabaseFile {
    fn opened(path: PathBuf) -> StoreResult<Self> {
        let identity = FileIdentity::of(&path).ok_or_else(|| {
            StoreError::Database(sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("the database file {} cannot be read", path.display()),
            )))
        })?;
        Ok(Self {
            path,
            identity,
            gone: AtomicBool::new(false),
            noticed: tokio::sync::Notify::new(),
        })
    }

    /// Whether the path still names the file opened at start (a `stat`, a few microseconds);
    /// once it did not, never again.
    fn is_present(&self) -> bool {
        if self.gone.load(Ordering::Acquire) {
            return false;
        }
        if FileIdentity::of(&self.path) == Some(self.identity) {
            return true;
        }
        if !self.gone.swap(true, Ordering::AcqRel) {
            self.noticed.notify_one();
        }
        false
    }

    fn gone_error(&self) -> sqlx::Error {
        sqlx::Error::Io(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!(
                "the database file {} was deleted or replaced while Herald ran; restart Herald",
                self.path.display()
            ),
        ))
    }
}

const NOTIFICATION_COLUMNS: &str = "id, user_id, title, message, notification_type, link, \
     group_key, is_read, read_at, archived_at, created_at";
const GLOBAL_COLUMNS: &str = "id, title, message, level, audience, show_on_site, is_active, \
     starts_at, expires_at, created_by, created_at";

impl SqliteStore {
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            // A write waits this long for another writer (another process, a backup) before the
            // request answers 503; long waits would hold pool connections and starve reads.
            .busy_timeout(Duration::from_secs(2))
            .foreign_keys(true);
        // Each connection to `:memory:` is a database of its own, so it gets exactly one.
        let in_memory = url.contains(":memory:");
        let file = if in_memory {
            None
        } else {
            // Create the file once, here. The pool's later connections must not: if the file
            // is deleted while Herald runs, a new connection would silently start an empty
            // database; instead it fails, and requests answer 503.
            drop(
                sqlx::SqliteConnection::connect_with(&options.clone().create_if_missing(true))
                    .await?,
            );
            Some(Arc::new(DatabaseFile::opened(
                options.get_filename().to_owned(),
            )?))
        };
        // Every connection, taken from the pool or newly opened, first checks that the file is
        // still the one opened here: a connection to a deleted file is closed rather than used,
        // and the new one fails (503), as does one that would open a file put in its place.
        let before_acquire = file.clone();
        let after_connect = file.clone();
        let pool = SqlitePoolOptions::new()
            .before_acquire(move |_, _| {
                let present = before_acquire.as_ref().is_none_or(|file| file.is_present());
                Box::pin(async move { Ok(present) })
            })
            .after_connect(move |_, _| {
                let checked = match &after_connect {
                    Some(file) if !file.is_present() => Err(file.gone_error()),
                    _ => Ok(()),
                };
                Box::pin(async move { checked })
            })
            .max_connections(if in_memory { 1 } else { 8 })
            .min_connections(if in_memory { 1 } else { 0 })
            // A request that finds every connection busy this long answers 503 at once.
            .acquire_timeout(Duration::from_secs(2))
            .idle_timeout(if in_memory {
                None
            } else {
                Some(Duration::from_secs(600))
            })
            .max_lifetime(if in_memory {
                None
            } else {
                Some(Duration::from_secs(1800))
            })
            .connect_with(options.create_if_missing(in_memory))
            .await?;
        if let Some(file) = &file {
            spawn_file_watch(pool.clone(), file.clone());
        }
        let store = Self { pool, file };
        spawn_maintenance(store.clone());
        Ok(store)
    }
}

/// Closes the pool once the database file is gone (a connection noticed, or the check every
/// second did, traffic or not): from then on every request answers 503 at once, and the
/// connections to the unlinked file are closed. Ends when the pool closes.
fn spawn_file_watch(pool: SqlitePool, file: Arc<DatabaseFile>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                _ = file.noticed.notified() => {}
                _ = every.tick() => {}
            }
            if pool.is_closed() {
                return;
            }
            if !file.is_present() {
                tracing::error!(
                    path = %file.path.display(),
                    "the database file was deleted or replaced while Herald ran: every request \
                     now answers 503 until Herald is restarted"
                );
                pool.close().await;
                return;
            }
        }
    });
}

/// Every five minutes, until the pool closes: folds the write-ahead log back into the database
/// and truncates it (readers that never pause can otherwise keep it growing: 132 MB beside a
/// 16 MB database was seen), deletes sessions that have expired, rate-limit events older than
/// the longest window and the focus of sockets that went away without clearing it, and devices no longer trusted.
fn spawn_maintenance(store: SqliteStore) {
    tokio::spawn(async move {
        let pool = &store.pool;
        let mut every = tokio::time::interval(Duration::from_secs(300));
        every.tick().await;
        loop {
            every.tick().await;
            if pool.is_closed() {
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
            let checkpoint = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(pool)
                .await
                .map(drop)
                .map_err(StoreError::from);
            for err in [expired, limits, focus, devices, checkpoint]
                .into_iter()
                .filter_map(Result::err)
            {
                tracing::warn!(%err, "database maintenance failed; trying again later");
            }
        }
    });
}

fn parse_column<T: FromStr>(row: &SqliteRow, column: &str) -> Result<T, sqlx::Error> {
    let raw: String = row.try_get(column)?;
    raw.parse().map_err(|_| sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: format!("unexpected value {raw:?}").into(),
    })
}

fn user_from_row(row: &SqliteRow) -> Result<User, sqlx::Error> {
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        role: parse_column(row, "role")?,
    })
}

/// A notification row, its text parsed again (see [`stored`] for a row that no longer parses).
fn notification_from_row(row: &SqliteRow) -> Result<Notification, sqlx::Error> {
    let id: NotificationId = row.try_get("id")?;
    Ok(Notification {
        id,
        user_id: row.try_get("user_id")?,
        title: stored::parsed("title", row.try_get("title")?)?,
        message: stored::parsed("message", row.try_get("message")?)?,
        notification_type: parse_column(row, "notification_type")?,
        link: stored::link(id, row.try_get("link")?),
        group_key: stored::group_key(id, row.try_get("group_key")?),
        is_read: row.try_get("is_read")?,
        read_at: row.try_get("read_at")?,
        archived_at: row.try_get("archived_at")?,
        created_at: row.try_get("created_at")?,
    })
}

/// A global notification row, its text parsed again (see [`stored`]).
fn global_from_row(row: &SqliteRow) -> Result<GlobalNotification, sqlx::Error> {
    Ok(GlobalNotification {
        id: row.try_get("id")?,
        title: stored::parsed("title", row.try_get("title")?)?,
        message: stored::parsed("message", row.try_get("message")?)?,
        level: parse_column(row, "level")?,
        audience: parse_column(row, "audience")?,
        show_on_site: row.try_get("show_on_site")?,
        is_active: row.try_get("is_active")?,
        starts_at: row.try_get("starts_at")?,
        expires_at: row.try_get("expires_at")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
    })
}

fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

#[async_trait]
impl Store for SqliteStore {
    #[instrument(level = "debug", skip_all)]
    async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("./migrations/sqlite")
            .run(&self.pool)
            .await?;
        Ok(())
    }

    #[instrument(level = "debug", skip_all)]
    async fn ping(&self) -> StoreResult<()> {
        if let Some(file) = self.file.as_ref().filter(|file| !file.is_present()) {
            return Err(file.gone_error().into());
        }
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
        let row = sqlx::query(
            "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?) \
             RETURNING id, username, role",
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
        Ok(user_from_row(&row)?)
    }

    #[instrument(level = "debug", skip(self))]
    async fn credentials(&self, username: &str) -> StoreResult<Option<Credentials>> {
        let row =
            sqlx::query("SELECT id, username, role, password_hash FROM users WHERE username = ?")
                .bind(username)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|row| {
            Ok(Credentials {
                user: user_from_row(&row)?,
                password_hash: row.try_get("password_hash")?,
            })
        })
        .transpose()
    }

    #[instrument(level = "debug", skip(self))]
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<User>> {
        let row = sqlx::query("SELECT id, username, role FROM users WHERE username = ?")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(user_from_row).transpose()?)
    }

    #[instrument(level = "debug", skip_all, fields(ids = ids.len(), usernames = usernames.len()))]
    async fn users_among(&self, ids: &[UserId], usernames: &[String]) -> StoreResult<Vec<User>> {
        if ids.is_empty() && usernames.is_empty() {
            return Ok(Vec::new());
        }
        // `json_each` takes each list as one parameter, whatever its length (SQLite limits
        // the number of parameters of a statement); the column's NOCASE collation applies.
        let rows = sqlx::query(
            "SELECT id, username, role FROM users \
             WHERE id IN (SELECT value FROM json_each(?)) \
             OR username IN (SELECT value FROM json_each(?))",
        )
        .bind(serde_json::to_string(ids).expect("numbers serialize"))
        .bind(serde_json::to_string(usernames).expect("strings serialize"))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(user_from_row).collect::<Result<_, _>>()?)
    }

    #[instrument(level = "debug", skip(self))]
    async fn user_ids_with_role(&self, role: Role) -> StoreResult<Vec<UserId>> {
        let ids = sqlx::query_scalar("SELECT id FROM users WHERE role = ? ORDER BY id")
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
             VALUES (?, ?, ?, ?, ?) RETURNING id",
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
        let row = sqlx::query(
            "SELECT s.id AS session_id, s.expires_at, u.id, u.username, u.role \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let expires_at: OffsetDateTime = row.try_get("expires_at")?;
        if expires_at <= now {
            return Ok(None);
        }
        Ok(Some(SessionRecord {
            id: row.try_get("session_id")?,
            user: user_from_row(&row)?,
            expires_at,
        }))
    }

    #[instrument(level = "debug", skip_all)]
    async fn delete_session(&self, token_hash: &str) -> StoreResult<Option<EndedSession>> {
        let row = sqlx::query("DELETE FROM sessions WHERE token_hash = ? RETURNING id, user_id")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(EndedSession {
                id: row.try_get("id")?,
                user_id: row.try_get("user_id")?,
            })
        })
        .transpose()
    }

    #[instrument(level = "debug", skip(self))]
    async fn sessions_of_user(
        &self,
        user_id: UserId,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Session>> {
        let rows = sqlx::query(
            "SELECT id, user_agent, created_at, expires_at FROM sessions \
             WHERE user_id = ? AND expires_at > ? ORDER BY id DESC",
        )
        .bind(user_id)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Session {
                    id: row.try_get("id")?,
                    browser: row.try_get("user_agent")?,
                    signed_in_at: row.try_get("created_at")?,
                    expires_at: row.try_get("expires_at")?,
                })
            })
            .collect()
    }

    #[instrument(level = "debug", skip(self))]
    async fn delete_user_session(
        &self,
        user_id: UserId,
        id: SessionId,
    ) -> StoreResult<Option<EndedSession>> {
        let deleted: Option<SessionId> =
            sqlx::query_scalar("DELETE FROM sessions WHERE id = ? AND user_id = ? RETURNING id")
                .bind(id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(deleted.map(|id| EndedSession { id, user_id }))
    }

    #[instrument(level = "debug", skip(self))]
    async fn session_is_live(&self, id: SessionId, now: OffsetDateTime) -> StoreResult<bool> {
        let expires_at: Option<OffsetDateTime> =
            sqlx::query_scalar("SELECT expires_at FROM sessions WHERE id = ?")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(expires_at.is_some_and(|at| now < at))
    }

    #[instrument(level = "debug", skip(self))]
    async fn prune_sessions(&self, now: OffsetDateTime) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at < ?")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    #[instrument(level = "debug", skip(self, token_hash))]
    async fn create_api_token(&self, name: &str, token_hash: &str) -> StoreResult<ApiTokenRecord> {
        let id = sqlx::query_scalar(
            "INSERT INTO api_tokens (name, token_hash, created_at) VALUES (?, ?, ?) RETURNING id",
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
        let row = sqlx::query("SELECT id, name FROM api_tokens WHERE token_hash = ?")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(ApiTokenRecord {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
            })
        })
        .transpose()
    }

    #[instrument(level = "debug", skip_all, fields(count = new.len()))]
    async fn create_notifications(
        &self,
        new: &[NewNotification],
    ) -> StoreResult<Vec<Notification>> {
        // One statement for the batch, its rows passed as one JSON array: a statement per row
        // costs a round trip to sqlx's connection thread each, which made storing 100 take
        // 6.9 ms (docs/benchmarks.md). One statement is all or none, and rows are inserted (and
        // their ids drawn) in the array's order.
        let sql = format!(
            "INSERT INTO notifications (user_id, title, message, notification_type, link, \
             group_key, created_at) SELECT json_extract(value, '$[0]'), \
             json_extract(value, '$[1]'), json_extract(value, '$[2]'), \
             json_extract(value, '$[3]'), json_extract(value, '$[4]'), \
             json_extract(value, '$[5]'), ? FROM json_each(?) ORDER BY key \
             RETURNING {NOTIFICATION_COLUMNS}"
        );
        let rows: Vec<serde_json::Value> = new
            .iter()
            .map(|new| {
                serde_json::json!([
                    new.user_id,
                    new.title.as_str(),
                    new.message.as_str(),
                    new.notification_type,
                    new.link.as_ref().map(|link| link.as_str()),
                    new.group_key.as_ref().map(|key| key.as_str()),
                ])
            })
            .collect();
        let returned = sqlx::query(&sql)
            .bind(OffsetDateTime::now_utc())
            .bind(serde_json::Value::Array(rows).to_string())
            .fetch_all(&self.pool)
            .await?;
        let mut stored = returned
            .iter()
            .map(notification_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        // RETURNING's order is SQLite's to choose; the ids are in insertion order.
        stored.sort_unstable_by_key(|n| n.id);
        Ok(stored)
    }

    #[instrument(level = "debug", skip(self))]
    async fn list_notifications(&self, query: NotificationQuery) -> StoreResult<Vec<Notification>> {
        let sql = format!(
            "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE user_id = ? \
             AND (? = 0 OR is_read = 0) AND (archived_at IS NOT NULL) = ? \
             AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?"
        );
        let rows = sqlx::query(&sql)
            .bind(query.user_id)
            .bind(query.unread_only)
            .bind(query.archived)
            .bind(query.before)
            .bind(query.before)
            .bind(query.limit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(notification_from_row)
            .collect::<Result<_, _>>()?)
    }

    #[instrument(level = "debug", skip(self))]
    async fn notifications_after(
        &self,
        user_id: UserId,
        after: Option<NotificationId>,
        limit: u32,
    ) -> StoreResult<Vec<Notification>> {
        let sql = format!(
            "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE user_id = ? \
             AND (? IS NULL OR id > ?) ORDER BY id LIMIT ?"
        );
        let rows = sqlx::query(&sql)
            .bind(user_id)
            .bind(after)
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(notification_from_row)
            .collect::<Result<_, _>>()?)
    }

    #[instrument(level = "debug", skip(self))]
    async fn newest_notifications_after(
        &self,
        user_id: UserId,
        after: Option<NotificationId>,
        limit: u32,
    ) -> StoreResult<Vec<Notification>> {
        let sql = format!(
            "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE user_id = ? \
             AND (? IS NULL OR id > ?) ORDER BY id DESC LIMIT ?"
        );
        let rows = sqlx::query(&sql)
            .bind(user_id)
            .bind(after)
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        let mut newest = rows
            .iter()
            .map(notification_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        newest.reverse();
        Ok(newest)
    }

    #[instrument(level = "debug", skip(self))]
    async fn latest_notification_id(&self, user_id: UserId) -> StoreResult<Option<NotificationId>> {
        let id = sqlx::query_scalar("SELECT MAX(id) FROM notifications WHERE user_id = ?")
            .bind(user_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(id)
    }

    #[instrument(level = "debug", skip(self))]
    async fn unread_count(&self, user_id: UserId) -> StoreResult<i64> {
        let count = sqlx::query_scalar(
            "SELECT COUNT(*) FROM notifications \
             WHERE user_id = ? AND is_read = 0 AND archived_at IS NULL",
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
             WHERE user_id IN (SELECT value FROM json_each(?)) AND is_read = 0 \
             AND archived_at IS NULL GROUP BY user_id",
        )
        .bind(serde_json::to_string(user_ids).expect("numbers serialize"))
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
            "UPDATE notifications SET is_read = 1, read_at = COALESCE(read_at, ?) \
             WHERE id = ? AND user_id = ? RETURNING {NOTIFICATION_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(OffsetDateTime::now_utc())
            .bind(id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(notification_from_row).transpose()?)
    }

    #[instrument(level = "debug", skip(self))]
    async fn mark_all_read(&self, user_id: UserId) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE notifications SET is_read = 1, read_at = ? WHERE user_id = ? AND is_read = 0",
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
            "UPDATE notifications SET is_read = 1, read_at = ? \
             WHERE user_id = ? AND is_read = 0 AND link = ?",
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
            "UPDATE notifications SET is_read = 1, read_at = ? \
             WHERE user_id = ? AND is_read = 0 AND group_key = ?",
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
            "UPDATE notifications SET archived_at = CASE WHEN ? THEN COALESCE(archived_at, ?) \
             END WHERE id = ? AND user_id = ? RETURNING {NOTIFICATION_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(archived)
            .bind(OffsetDateTime::now_utc())
            .bind(id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(notification_from_row).transpose()?)
    }

    #[instrument(level = "debug", skip_all)]
    async fn create_global(&self, new: &NewGlobalNotification) -> StoreResult<GlobalNotification> {
        let sql = format!(
            "INSERT INTO global_notifications (title, message, level, audience, show_on_site, \
             is_active, starts_at, expires_at, created_by, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {GLOBAL_COLUMNS}"
        );
        let row = sqlx::query(&sql)
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
            .fetch_one(&self.pool)
            .await?;
        Ok(global_from_row(&row)?)
    }

    #[instrument(level = "debug", skip(self))]
    async fn global_by_id(
        &self,
        id: GlobalNotificationId,
    ) -> StoreResult<Option<GlobalNotification>> {
        let sql = format!("SELECT {GLOBAL_COLUMNS} FROM global_notifications WHERE id = ?");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(global_from_row).transpose()?)
    }

    #[instrument(level = "debug", skip_all)]
    async fn list_globals(&self) -> StoreResult<Vec<GlobalNotification>> {
        let sql = format!("SELECT {GLOBAL_COLUMNS} FROM global_notifications ORDER BY id DESC");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        Ok(rows.iter().map(global_from_row).collect::<Result<_, _>>()?)
    }

    #[instrument(level = "debug", skip(self))]
    async fn live_globals(&self, now: OffsetDateTime) -> StoreResult<Vec<GlobalNotification>> {
        // Dates are compared in Rust: RFC 3339 text with varying fractions does not sort as text.
        let sql = format!(
            "SELECT {GLOBAL_COLUMNS} FROM global_notifications \
             WHERE is_active = 1 AND show_on_site = 1 ORDER BY id"
        );
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        let mut live = Vec::with_capacity(rows.len());
        for row in &rows {
            let global = global_from_row(row)?;
            if global.is_live_at(now) {
                live.push(global);
            }
        }
        Ok(live)
    }

    #[instrument(level = "debug", skip(self, patch))]
    async fn update_global(
        &self,
        id: GlobalNotificationId,
        patch: &GlobalNotificationPatch,
    ) -> StoreResult<Option<GlobalNotification>> {
        // IMMEDIATE: the write lock is taken first (waiting out the busy timeout). A deferred
        // transaction would read, then fail at once when upgrading to a write if another
        // connection committed since the read (SQLite's BUSY_SNAPSHOT, which no timeout waits
        // out): under concurrent writes the patch would answer 503.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let sql = format!("SELECT {GLOBAL_COLUMNS} FROM global_notifications WHERE id = ?");
        let Some(row) = sqlx::query(&sql).bind(id).fetch_optional(&mut *tx).await? else {
            return Ok(None);
        };
        let mut global = global_from_row(&row)?;
        if let Some(title) = &patch.title {
            global.title = title.clone();
        }
        if let Some(message) = &patch.message {
            global.message = message.clone();
        }
        if let Some(level) = patch.level {
            global.level = level;
        }
        if let Some(audience) = patch.audience {
            global.audience = audience;
        }
        if let Some(show) = patch.show_on_site {
            global.show_on_site = show;
        }
        if let Some(active) = patch.is_active {
            global.is_active = active;
        }
        if let Some(starts_at) = patch.starts_at {
            global.starts_at = starts_at;
        }
        if let Some(expires_at) = patch.expires_at {
            global.expires_at = expires_at;
        }
        sqlx::query(
            "UPDATE global_notifications SET title = ?, message = ?, level = ?, audience = ?, \
             show_on_site = ?, is_active = ?, starts_at = ?, expires_at = ? WHERE id = ?",
        )
        .bind(global.title.as_str())
        .bind(global.message.as_str())
        .bind(<&str>::from(global.level))
        .bind(<&str>::from(global.audience))
        .bind(global.show_on_site)
        .bind(global.is_active)
        .bind(global.starts_at)
        .bind(global.expires_at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(global))
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
             SELECT ?, id, ? FROM global_notifications WHERE id = ? \
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
        let ids = sqlx::query_scalar("SELECT global_id FROM global_dismissals WHERE user_id = ?")
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(ids)
    }
}
