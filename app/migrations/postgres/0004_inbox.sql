-- The inbox: notifications can be grouped (a key chosen by whoever sends them) and archived; each
-- user chooses, per type, which alerts a new notification raises.
ALTER TABLE notifications ADD COLUMN group_key TEXT;
ALTER TABLE notifications ADD COLUMN archived_at TIMESTAMPTZ;

-- Archived notifications leave the unread count.
DROP INDEX notifications_user_unread;
CREATE INDEX notifications_user_unread ON notifications (user_id, id)
    WHERE NOT is_read AND archived_at IS NULL;
-- Marking a group read finds its unread members.
CREATE INDEX notifications_user_group ON notifications (user_id, group_key)
    WHERE group_key IS NOT NULL AND NOT is_read;

-- A user's choice for one type; a type without a row has the defaults (toast and desktop on,
-- sound off), which live in the code (`Channels::default`).
CREATE TABLE notification_preferences (
    user_id           BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    notification_type TEXT    NOT NULL
        CHECK (notification_type IN ('message', 'application', 'profile_view', 'system')),
    toast             BOOLEAN NOT NULL,
    desktop           BOOLEAN NOT NULL,
    sound             BOOLEAN NOT NULL,
    PRIMARY KEY (user_id, notification_type)
);
