-- The job board around the notifications: jobs, applications, profiles, profile views, messages.

CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    employer_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title       TEXT    NOT NULL,
    company     TEXT    NOT NULL,
    location    TEXT    NOT NULL,
    description TEXT    NOT NULL,
    is_open     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT    NOT NULL
);
CREATE INDEX jobs_open ON jobs (is_open, id);
CREATE INDEX jobs_employer ON jobs (employer_id, id);

-- A jobseeker applies to a job once.
CREATE TABLE applications (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id       INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    seeker_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    cover_letter TEXT    NOT NULL DEFAULT '',
    created_at   TEXT    NOT NULL,
    UNIQUE (job_id, seeker_id)
);

CREATE TABLE profiles (
    user_id  INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    headline TEXT    NOT NULL DEFAULT '',
    skills   TEXT    NOT NULL DEFAULT '',
    bio      TEXT    NOT NULL DEFAULT ''
);

-- When an employer's view of a profile last counted (unix seconds, so the 24-hour throttle is one
-- atomic statement); at most one notification per viewer per 24 hours.
CREATE TABLE profile_views (
    viewer_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    profile_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    viewed_at  INTEGER NOT NULL,
    PRIMARY KEY (viewer_id, profile_id)
);

CREATE TABLE messages (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    sender_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    recipient_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body         TEXT    NOT NULL,
    created_at   TEXT    NOT NULL
);
CREATE INDEX messages_pair ON messages (sender_id, recipient_id, id);
CREATE INDEX messages_recipient ON messages (recipient_id, id);
