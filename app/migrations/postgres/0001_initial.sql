-- Herald's schema on PostgreSQL: the tables of SQLite's migrations 0001 to 0005 in one file, since
-- no PostgreSQL database predates them. Later changes are new files here, as on SQLite.
--
-- Identity columns come from sequences, which never hand out a value twice (not even after a
-- delete or a rolled-back insert): clients resume from "newer than id N". Times are TIMESTAMPTZ,
-- kept to the microsecond (SQLite keeps sqlx's nanoseconds as text).

-- User names are unique whatever their case, as SQLite's COLLATE NOCASE makes them there; every
-- lookup by name compares lower(username), which this index serves.
CREATE TABLE users (
    id            BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      TEXT        NOT NULL,
    password_hash TEXT        NOT NULL,
    role          TEXT        NOT NULL CHECK (role IN ('jobseeker', 'employer', 'admin')),
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX users_username_lower ON users (lower(username));

-- A browser session. Only the SHA-256 of the cookie's token is stored; `user_agent` says what
-- browser it was started from, so a person can tell their sessions apart.
CREATE TABLE sessions (
    id         BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash TEXT        NOT NULL UNIQUE,
    user_id    BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    user_agent TEXT        NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

-- A bearer token for services that publish to Herald. Only its SHA-256 is stored.
CREATE TABLE api_tokens (
    id         BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT        NOT NULL,
    token_hash TEXT        NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE notifications (
    id                BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id           BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title             TEXT        NOT NULL,
    message           TEXT        NOT NULL DEFAULT '',
    notification_type TEXT        NOT NULL
        CHECK (notification_type IN ('message', 'application', 'profile_view', 'system')),
    link              TEXT,
    is_read           BOOLEAN     NOT NULL DEFAULT FALSE,
    read_at           TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX notifications_user_id ON notifications (user_id, id);
CREATE INDEX notifications_user_unread ON notifications (user_id, id) WHERE NOT is_read;

CREATE TABLE global_notifications (
    id           BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title        TEXT        NOT NULL,
    message      TEXT        NOT NULL DEFAULT '',
    level        TEXT        NOT NULL CHECK (level IN ('info', 'warning', 'critical')),
    show_on_site BOOLEAN     NOT NULL DEFAULT TRUE,
    is_active    BOOLEAN     NOT NULL DEFAULT TRUE,
    starts_at    TIMESTAMPTZ,
    expires_at   TIMESTAMPTZ,
    created_by   BIGINT      REFERENCES users (id) ON DELETE SET NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX global_notifications_active ON global_notifications (is_active, id);

-- A user's dismissal of a global banner, so it stays gone after a reload and on other devices.
CREATE TABLE global_dismissals (
    user_id      BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    global_id    BIGINT      NOT NULL REFERENCES global_notifications (id) ON DELETE CASCADE,
    dismissed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, global_id)
);

-- The job board around the notifications: jobs, applications, profiles, profile views, messages.

CREATE TABLE jobs (
    id          BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    employer_id BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title       TEXT        NOT NULL,
    company     TEXT        NOT NULL,
    location    TEXT        NOT NULL,
    description TEXT        NOT NULL,
    is_open     BOOLEAN     NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX jobs_open ON jobs (is_open, id);
CREATE INDEX jobs_employer ON jobs (employer_id, id);

-- A jobseeker applies to a job once. `status` is where it stands, as its employer sets it.
CREATE TABLE applications (
    id           BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id       BIGINT      NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    seeker_id    BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    cover_letter TEXT        NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    status       TEXT        NOT NULL DEFAULT 'new',
    UNIQUE (job_id, seeker_id)
);

-- Skills are stored one per line, as on SQLite.
CREATE TABLE profiles (
    user_id  BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    headline TEXT   NOT NULL DEFAULT '',
    skills   TEXT   NOT NULL DEFAULT '',
    bio      TEXT   NOT NULL DEFAULT ''
);

-- When an employer's view of a profile last counted (unix seconds, as on SQLite, so the 24-hour
-- throttle is one atomic statement); at most one notification per viewer per 24 hours.
CREATE TABLE profile_views (
    viewer_id  BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    profile_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    viewed_at  BIGINT NOT NULL,
    PRIMARY KEY (viewer_id, profile_id)
);

CREATE TABLE messages (
    id           BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sender_id    BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    recipient_id BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body         TEXT        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX messages_pair ON messages (sender_id, recipient_id, id);
CREATE INDEX messages_recipient ON messages (recipient_id, id);
