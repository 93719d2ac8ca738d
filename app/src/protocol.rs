//! The real-time wire protocol of `GET /ws/notifications/`, shared by the server and the WASM
//! client so both speak from one definition. Every frame is a JSON text message.
//!
//! The full description for client authors, with an example session, is `docs/protocol.md`.

use serde::{Deserialize, Serialize};

use crate::model::{
    DirectMessage, GlobalNotification, GlobalNotificationId, GroupKey, Notification,
    NotificationId, Preferences, UserId,
};

/// What the server sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// Always the first frame of a connection.
    Hello { user_id: UserId, unread_count: i64 },
    /// A notification for this user: replayed (newer than `?after=`) or live.
    Notification { notification: Notification },
    /// A global notification that is now live: replayed (newer than `?after_global=`) or live.
    GlobalNotification { notification: GlobalNotification },
    /// A global notification was deactivated or expired: take its banner down.
    GlobalNotificationRemoved { id: GlobalNotificationId },
    /// One of the user's notifications changed other than by being read (archived, or brought
    /// back): replace the copy on screen.
    NotificationChanged { notification: Notification },
    /// The user saved their alert preferences (on any device): apply them from now on.
    Preferences { preferences: Preferences },
    /// The user's unread count changed, from any tab, device or API call.
    UnreadCount { count: i64 },
    /// The last client frame was refused; the socket stays open.
    Error {
        code: ErrorCode,
        message: String,
        /// With `unavailable`: how long to wait before sending the frame again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_ms: Option<u64>,
    },
    /// The answer to `{"action":"ping"}`.
    Pong,
    /// A direct message this user sent or received (from any of their tabs).
    Message { message: DirectMessage },
    /// Frames meant for this socket were left out: a replay sends only the newest
    /// `HERALD_WS_MAX_REPLAY` (500) notifications missed, and a burst larger than the socket's
    /// queue is caught up from storage, where changes other than new notifications are not kept.
    /// What the client shows may have gaps: re-read it over HTTP (the notification list, the
    /// unread count, the banners, the preferences). The socket stays open and goes on from here;
    /// the highest ids seen stay valid for `?after=`.
    Resync,
}

/// Why a client frame was refused: the `code` of an `error` frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Not JSON, not text, or an unknown action.
    InvalidFrame,
    /// A `mark_read` of an id that is not this user's: another user's id is answered exactly
    /// like a missing one.
    NotFound,
    /// The server's database is busy or away for now: send the frame again after the error's
    /// `retry_after_ms`.
    Unavailable,
    /// Something failed on the server's side; trying again may not help.
    Internal,
}

/// What a client may send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ClientFrame {
    MarkRead {
        notification_id: NotificationId,
    },
    MarkAllRead,
    /// Marks read every unread notification with this group key.
    MarkGroupRead {
        group_key: GroupKey,
    },
    /// Moves a notification out of the inbox (and the unread count) into the archive.
    Archive {
        notification_id: NotificationId,
    },
    /// Brings an archived notification back to the inbox.
    Unarchive {
        notification_id: NotificationId,
    },
    Ping,
    /// Which conversation this socket's page shows (`null` for none): while a conversation is
    /// on screen, its new messages raise no `message` notification.
    Focus {
        conversation_with: Option<UserId>,
    },
}

/// Why the server closes a socket: each has its close code, documented in `docs/protocol.md`,
/// and the reason text sent with it. Codes 4000–4099 mean "do not reconnect" (the session is
/// over); every other code means "reconnect with backoff, resuming with `?after=`".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disconnect {
    /// The server is shutting down or restarting; reconnect.
    ServiceRestart,
    /// Too many frames too fast; reconnect after a backoff.
    Flood,
    /// A frame over the size limit.
    TooBig,
    /// The client broke the WebSocket protocol (a reserved bit, an unknown opcode, a bad
    /// control frame, a close code nobody may send).
    ProtocolError,
    /// A text frame that is not UTF-8.
    InvalidPayload,
    /// The session was signed out: do not reconnect, sign in again.
    SignedOut,
    /// The session expired or was removed: do not reconnect, sign in again.
    SessionExpired,
    /// The client did not read its frames fast enough; reconnect and catch up with `?after=`.
    SlowClient,
    /// Events may have been missed on the server's side; reconnect and catch up with `?after=`.
    Resync,
    /// Nothing was heard from the client (no frame, no pong) for the idle timeout; reconnect.
    Idle,
}

impl Disconnect {
    /// The close code on the wire.
    pub const fn code(self) -> u16 {
        match self {
            Self::ServiceRestart => 1012,
            Self::Flood => 1008,
            Self::TooBig => 1009,
            Self::ProtocolError => 1002,
            Self::InvalidPayload => 1007,
            Self::SignedOut => 4000,
            Self::SessionExpired => 4001,
            Self::SlowClient => 4100,
            Self::Resync => 4101,
            Self::Idle => 4102,
        }
    }

    /// The close frame's reason, for people reading logs.
    pub const fn reason(self) -> &'static str {
        match self {
            Self::ServiceRestart => "server restarting",
            Self::Flood => "too many frames",
            Self::TooBig => "frame too large",
            Self::ProtocolError => "WebSocket protocol violation",
            Self::InvalidPayload => "text frames must be UTF-8",
            Self::SignedOut => "signed out: sign in again",
            Self::SessionExpired => "session expired: sign in again",
            Self::SlowClient => "too slow: reconnect to catch up",
            Self::Resync => "could not catch up: reconnect",
            Self::Idle => "nothing heard for too long: reconnect",
        }
    }
}

/// The query of `GET /ws/notifications/` for a client that has seen the notifications up to
/// `after` and the global notifications up to `after_global`: everything newer is sent first.
/// A client that has seen none asks from 0, which is below every id.
pub fn resume_query(
    after: Option<NotificationId>,
    after_global: Option<GlobalNotificationId>,
) -> String {
    format!(
        "after={}&after_global={}",
        after.map_or(0, NotificationId::get),
        after_global.map_or(0, GlobalNotificationId::get)
    )
}

/// Whether a client should reconnect after a close with `code` (any code: the browser's own,
/// such as 1006 for a dropped connection, as well as the server's).
pub fn should_reconnect(code: u16) -> bool {
    !(4000..=4099).contains(&code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_have_the_documented_json_shape() {
        let hello = ServerFrame::Hello {
            user_id: UserId::new(3),
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
        let refused = ServerFrame::Error {
            code: ErrorCode::NotFound,
            message: "no such notification".into(),
            retry_after_ms: None,
        };
        assert_eq!(
            serde_json::to_string(&refused).unwrap(),
            r#"{"type":"error","code":"not_found","message":"no such notification"}"#
        );
        let busy = ServerFrame::Error {
            code: ErrorCode::Unavailable,
            message: "try again".into(),
            retry_after_ms: Some(1000),
        };
        assert_eq!(
            serde_json::to_string(&busy).unwrap(),
            r#"{"type":"error","code":"unavailable","message":"try again","retry_after_ms":1000}"#
        );
        for (code, name) in [
            (ErrorCode::InvalidFrame, "\"invalid_frame\""),
            (ErrorCode::Internal, "\"internal\""),
        ] {
            assert_eq!(serde_json::to_string(&code).unwrap(), name);
        }
        let removed = ServerFrame::GlobalNotificationRemoved {
            id: GlobalNotificationId::new(9),
        };
        assert_eq!(
            serde_json::to_string(&removed).unwrap(),
            r#"{"type":"global_notification_removed","id":9}"#
        );
        assert_eq!(
            serde_json::to_string(&ServerFrame::Resync).unwrap(),
            r#"{"type":"resync"}"#
        );
    }

    #[test]
    fn client_frames_parse_from_their_documented_json() {
        let frame: ClientFrame =
            serde_json::from_str(r#"{"action":"mark_read","notification_id":5}"#).unwrap();
        assert_eq!(
            frame,
            ClientFrame::MarkRead {
                notification_id: NotificationId::new(5)
            }
        );
        let frame: ClientFrame = serde_json::from_str(r#"{"action":"mark_all_read"}"#).unwrap();
        assert_eq!(frame, ClientFrame::MarkAllRead);
        assert!(serde_json::from_str::<ClientFrame>(r#"{"action":"explode"}"#).is_err());
        let frame: ClientFrame =
            serde_json::from_str(r#"{"action":"archive","notification_id":5}"#).unwrap();
        assert_eq!(
            frame,
            ClientFrame::Archive {
                notification_id: NotificationId::new(5)
            }
        );
        let frame: ClientFrame =
            serde_json::from_str(r#"{"action":"mark_group_read","group_key":"job:1"}"#).unwrap();
        assert_eq!(
            frame,
            ClientFrame::MarkGroupRead {
                group_key: GroupKey::parse("group_key", "job:1").unwrap()
            }
        );
        assert!(serde_json::from_str::<ClientFrame>(
            r#"{"action":"mark_group_read","group_key":"<b>"}"#
        )
        .is_err());
    }

    #[test]
    fn a_client_that_saw_nothing_resumes_from_the_start() {
        assert_eq!(resume_query(None, None), "after=0&after_global=0");
        assert_eq!(
            resume_query(
                Some(NotificationId::new(41)),
                Some(GlobalNotificationId::new(2))
            ),
            "after=41&after_global=2"
        );
    }

    #[test]
    fn only_session_ending_codes_stop_reconnecting() {
        assert!(!should_reconnect(Disconnect::SignedOut.code()));
        assert!(!should_reconnect(Disconnect::SessionExpired.code()));
        for reconnects in [
            Disconnect::ServiceRestart,
            Disconnect::Flood,
            Disconnect::TooBig,
            Disconnect::ProtocolError,
            Disconnect::InvalidPayload,
            Disconnect::SlowClient,
            Disconnect::Resync,
            Disconnect::Idle,
        ] {
            assert!(should_reconnect(reconnects.code()), "{reconnects:?}");
        }
        assert!(should_reconnect(1006));
    }
}
