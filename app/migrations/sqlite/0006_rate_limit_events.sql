-- What the sign-in lockout and the sign-up and message limits count, shared by every process on
-- this database. `at_ms` is unix milliseconds. Maintenance deletes events older than the longest
-- window (an hour).
CREATE TABLE rate_limit_events (
    limit_key TEXT NOT NULL CHECK (length(limit_key) <= 128),
    at_ms INTEGER NOT NULL
);

-- A limit's question: a key's newest events since a time.
CREATE INDEX rate_limit_events_by_key ON rate_limit_events (limit_key, at_ms);
-- Maintenance's: every event before a time.
CREATE INDEX rate_limit_events_by_time ON rate_limit_events (at_ms);
