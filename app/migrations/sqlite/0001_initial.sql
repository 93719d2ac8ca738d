-- Herald's schema on SQLite. Times are RFC 3339 text in UTC, as sqlx's `time` support writes them.
-- AUTOINCREMENT keeps ids growing and never reused: clients resume from "newer than id N".

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('jobseeker', 'employer', 'admin')),
    created_at    TEXT    NOT NULL
);

-- A browser session. Only the SHA-256 of the cookie's token is stored.
CREATE TABLE sessions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT    NOT NULL UNIQUE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- A bearer token for services that publish to Herald. Only its SHA-256 is stored.
CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL,
    token_hash TEXT    NOT NULL UNIQUE,
    created_at TEXT    NOT NULL
);

CREATE TABLE notifications (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id           INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title             TEXT    NOT NULL,
    message           TEXT    NOT NULL DEFAULT '',
    notification_type TEXT    NOT NULL
        CHECK (notification_type IN ('message', 'application', 'profile_view', 'system')),
    link              TEXT,
    is_read           INTEGER NOT NULL DEFAULT 0,
    read_at           TEXT,
    created_at        TEXT    NOT NULL
);
CREATE INDEX notifications_user_id ON notifications (user_id, id);
CREATE INDEX notifications_user_unread ON notifications (user_id, id) WHERE is_read = 0;

CREATE TABLE global_notifications (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    title        TEXT    NOT NULL,
    message      TEXT    NOT NULL DEFAULT '',
    level        TEXT    NOT NULL CHECK (level IN ('info', 'warning', 'critical')),
    show_on_site INTEGER NOT NULL DEFAULT 1,
    is_active    INTEGER NOT NULL DEFAULT 1,
    starts_at    TEXT,
    expires_at   TEXT,
    created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   TEXT    NOT NULL
);
CREATE INDEX global_notifications_active ON global_notifications (is_active, id);
