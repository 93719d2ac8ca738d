//! Storage of what each socket's page shows: "this conversation is on screen". A message's
//! recipient is not notified while one of their pages shows the conversation with the sender,
//! whichever instance that page's socket is connected to, so the answer lives in the database.
//!
//! A row names one socket and lasts until a time its instance sets. A live socket keeps pushing
//! that time ahead (at every server ping, while its page shows a conversation) and deletes its row
//! when it closes; a row of a crashed instance stops counting once its time has passed. Times
//! are stored as unix milliseconds, as rate-limit events are.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::StoreResult;
use crate::model::UserId;

/// The longest a socket key may be, in characters. Instances build keys as
/// `<instance id>:<socket id>` (16 hex digits and a decimal `u64`, 37 characters at most); the
/// schema refuses longer ones.
pub const MAX_SOCKET_KEY_CHARS: usize = 64;

#[async_trait]
pub trait FocusStore: Send + Sync {
    /// Remembers that the socket `socket` of `user_id` shows the conversation with `peer_id`
    /// until `expires_at`, replacing whatever that socket showed before. Setting it again is how
    /// a socket keeps its focus fresh.
    async fn set_focus(
        &self,
        socket: &str,
        user_id: UserId,
        peer_id: UserId,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()>;

    /// Forgets what `socket` shows (its page moved on, or it closed). Nothing to forget is fine.
    async fn clear_focus(&self, socket: &str) -> StoreResult<()>;

    /// Whether any socket of `user_id`, on any instance, shows the conversation with `peer_id`
    /// at `now` (its focus has not expired).
    async fn is_viewing_conversation(
        &self,
        user_id: UserId,
        peer_id: UserId,
        now: OffsetDateTime,
    ) -> StoreResult<bool>;

    /// Deletes the focus of every socket that expired before `now` (sockets of instances that
    /// stopped without clearing them); answers how many. Maintenance calls it.
    async fn prune_focus(&self, now: OffsetDateTime) -> StoreResult<u64>;
}
