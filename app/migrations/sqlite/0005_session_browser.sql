-- What browser each session was started from, so a person can tell their sessions apart.
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
