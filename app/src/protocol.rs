//! The real-time wire protocol of `GET /ws/notifications/`, shared by the server and the WASM
//! client so both speak from one definition. Every frame is a JSON text message.
//!
//! The full description for client authors, with an example session, is `docs/protocol.md`.

use serde::{Deserialize, Serialize};

use crate::model::{DirectMessage, GlobalNotification, Notification};

/// What the server sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// Always the first frame of a connection.
    Hello { user_id: i64, unread_count: i64 },
    /// A notification for this user: replayed (newer than `?after=`) or live.
    Notification { notification: Notification },
    /// A global notification that is now live: replayed (newer than `?after_global=`) or live.
    GlobalNotification { notification: GlobalNotification },
    /// A global notification was deactivated or expired: take its banner down.
    GlobalNotificationRemoved { id: i64 },
    /// The user's unread count changed, from any tab, device or API call.
    UnreadCount { count: i64 },
    /// The last client frame was refused; the socket stays open.
    Error { code: String, message: String },
    /// The answer to `{"action":"ping"}`.
    Pong,
    /// A direct message this user sent or received (from any of their tabs).
    Message { message: DirectMessage },
}

/// What a client may send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ClientFrame {
    MarkRead {
        notification_id: i64,
    },
    MarkAllRead,
    Ping,
    /// Which conversation this socket's page shows (`null` for none): while a conversation is
    /// on screen, its new messages raise no `message` notification.
    Focus {
        conversation_with: Option<i64>,
    },
}

/// Why the server closed a socket. Codes 4000–4099 mean "do not reconnect" (the session is
/// over); every other code means "reconnect with backoff, resuming with `?after=`".
pub mod close_code {
    /// The server is shutting down or restarting; reconnect.
    pub const SERVICE_RESTART: u16 = 1012;
    /// Too many frames too fast; reconnect after a backoff.
    pub const FLOOD: u16 = 1008;
    /// A frame over the size limit.
    pub const TOO_BIG: u16 = 1009;
    /// The client broke the WebSocket protocol (a reserved bit, an unknown opcode, a bad
    /// control frame, a close code nobody may send).
    pub const PROTOCOL_ERROR: u16 = 1002;
    /// A text frame that is not UTF-8.
    pub const INVALID_PAYLOAD: u16 = 1007;
    /// The session was signed out: do not reconnect, sign in again.
    pub const SIGNED_OUT: u16 = 4000;
    /// The session expired or was removed: do not reconnect, sign in again.
    pub const SESSION_EXPIRED: u16 = 4001;
    /// The client did not read its frames fast enough; reconnect and catch up with `?after=`.
    pub const SLOW_CLIENT: u16 = 4100;
    /// Events may have been missed on the server's side; reconnect and catch up with `?after=`.
    pub const RESYNC: u16 = 4101;
    /// Nothing was heard from the client (no frame, no pong) for the idle timeout; reconnect.
    pub const IDLE: u16 = 4102;

    /// Whether a client should reconnect after a close with `code`.
    pub fn should_reconnect(code: u16) -> bool {
        !(4000..=4099).contains(&code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_have_the_documented_json_shape() {
        let hello = ServerFrame::Hello {
            user_id: 3,
            unread_count: 2,
        };
        assert_eq!(
            serde_json::to_string(&hello).unwrap(),
            r#"{"type":"hello","user_id":3,"unread_count":2}"#
        );
        assert_eq!(
            serde_json::to_string(&ServerFrame::Pong).unwrap(),
            r#"{"type":"pong"}"#
        );
        let removed = ServerFrame::GlobalNotificationRemoved { id: 9 };
        assert_eq!(
            serde_json::to_string(&removed).unwrap(),
            r#"{"type":"global_notification_removed","id":9}"#
        );
    }

    #[test]
    fn client_frames_parse_from_their_documented_json() {
        let frame: ClientFrame =
            serde_json::from_str(r#"{"action":"mark_read","notification_id":5}"#).unwrap();
        assert_eq!(frame, ClientFrame::MarkRead { notification_id: 5 });
        let frame: ClientFrame = serde_json::from_str(r#"{"action":"mark_all_read"}"#).unwrap();
        assert_eq!(frame, ClientFrame::MarkAllRead);
        assert!(serde_json::from_str::<ClientFrame>(r#"{"action":"explode"}"#).is_err());
    }

    #[test]
    fn only_session_ending_codes_stop_reconnecting() {
        assert!(!close_code::should_reconnect(close_code::SIGNED_OUT));
        assert!(!close_code::should_reconnect(close_code::SESSION_EXPIRED));
        assert!(close_code::should_reconnect(close_code::SERVICE_RESTART));
        assert!(close_code::should_reconnect(close_code::SLOW_CLIENT));
        assert!(close_code::should_reconnect(1006));
    }
}
