-- Who each announcement is for, and who has seen one.
--
-- `audience` names the people a global notification reaches, by role: every signed-in user
-- (`everyone`, what every existing row was), only `jobseekers`, or only `employers`.
ALTER TABLE global_notifications
    ADD COLUMN audience TEXT NOT NULL DEFAULT 'everyone'
        CHECK (audience IN ('everyone', 'jobseekers', 'employers'));

-- That a user saw a global: it was delivered to one of their sockets or rendered in one of their
-- pages. One row per user and global, the first time only (written insert-or-ignore), so the
-- count of a global's rows is how many people it reached. Beside `global_dismissals`, it is the
-- admin panel's "seen" and "dismissed".
CREATE TABLE global_views (
    user_id   BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    global_id BIGINT      NOT NULL REFERENCES global_notifications (id) ON DELETE CASCADE,
    seen_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, global_id)
);
-- Counting one global's views and dismissals reads these instead of whole tables.
CREATE INDEX global_views_by_global ON global_views (global_id);
CREATE INDEX global_dismissals_by_global ON global_dismissals (global_id);
