-- Browsers that signed in to an account before: the sign-in lockout lets them through while
-- strangers spread over many addresses have used up the account's budget (see
-- `app/src/ssr/login_guard.rs`). `device_hash` is the SHA-256 of the browser's device cookie; the
-- cookie itself is never stored. `last_used_ms` is unix milliseconds; maintenance deletes devices
-- unused for longer than they are trusted.
CREATE TABLE trusted_devices (
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device_hash  TEXT    NOT NULL CHECK (length(device_hash) = 64),
    last_used_ms INTEGER NOT NULL,
    PRIMARY KEY (user_id, device_hash)
);

CREATE INDEX trusted_devices_by_time ON trusted_devices (last_used_ms);
