-- Which conversation each open socket's page shows, whatever instance the socket is on: a message
-- to someone looking at the conversation does not notify them. `expires_at_ms` (unix
-- milliseconds) is pushed ahead while the socket lives; a row past it no longer counts.
CREATE TABLE conversation_focus (
    socket_key TEXT PRIMARY KEY CHECK (char_length(socket_key) <= 64),
    user_id BIGINT NOT NULL,
    peer_id BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL
);

CREATE INDEX conversation_focus_by_viewer ON conversation_focus (user_id, peer_id);
CREATE INDEX conversation_focus_by_expiry ON conversation_focus (expires_at_ms);
