-- A user's dismissal of a global banner, so it stays gone after a reload and on other devices.
CREATE TABLE global_dismissals (
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    global_id    INTEGER NOT NULL REFERENCES global_notifications (id) ON DELETE CASCADE,
    dismissed_at TEXT    NOT NULL,
    PRIMARY KEY (user_id, global_id)
);
