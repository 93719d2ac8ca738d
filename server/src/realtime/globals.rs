//! Keeps this instance's sockets in step with the live global notifications.
//!
//! Whether a global is live depends on the clock (`starts_at`, `expires_at`) as well as on
//! writes, so each instance re-reads the live set from storage when poked (a `GlobalsChanged`
//! event, from any instance) and when the next start or expiry comes due, and sends the
//! difference: `global_notification` for each newly live one, `global_notification_removed` for
//! each one gone.
//!
//! Each frame goes only to the sockets of the people it concerns, by the role of each socket's
//! user (see `GlobalAudience`): the broker carries no globals, only the poke, so every instance
//! filters its own sockets. An announcement whose audience changes while live is removed from the
//! roles that leave it and shown to the roles that join it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::Notify;

use app::model::{GlobalAudience, GlobalNotification, GlobalNotificationId};
use app::protocol::ServerFrame;
use app::ssr::store::DynStore;

use super::hub::{FrameKey, Hub, Outbound};

/// How long the watcher sleeps when no start or expiry is coming.
const IDLE_RECHECK: Duration = Duration::from_secs(30);
const RETRY_AFTER_ERROR: Duration = Duration::from_secs(5);

pub struct GlobalsWatcher {
    store: DynStore,
    hub: Arc<Hub>,
    poke: Notify,
    /// The globals live at the last sync, and whom each was for.
    live: Mutex<HashMap<GlobalNotificationId, GlobalAudience>>,
}

impl GlobalsWatcher {
    pub fn new(store: DynStore, hub: Arc<Hub>) -> Self {
        Self {
            store,
            hub,
            poke: Notify::new(),
            live: Mutex::new(HashMap::new()),
        }
    }

    /// Asks for a re-read now.
    pub fn poke(&self) {
        self.poke.notify_one();
    }

    pub async fn run(self: Arc<Self>) {
        loop {
            let wait = match self.sync().await {
                Ok(wait) => wait,
                Err(err) => {
                    tracing::warn!(%err, "could not read global notifications");
                    RETRY_AFTER_ERROR
                }
            };
            tokio::select! {
                () = self.poke.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Sends what changed since the last sync; answers how long until the next start or expiry.
    async fn sync(&self) -> anyhow::Result<Duration> {
        let now = OffsetDateTime::now_utc();
        let live = self.store.live_globals(now).await?;
        let changes = {
            let mut known = self.live.lock().expect("globals lock");
            let current: HashMap<GlobalNotificationId, GlobalAudience> =
                live.iter().map(|g| (g.id, g.audience)).collect();
            let mut changes: Vec<Change> = known
                .iter()
                .filter(|(id, _)| !current.contains_key(id))
                .map(|(&id, &was_for)| Change::Gone { id, was_for })
                .collect();
            changes.extend(
                live.into_iter()
                    .filter_map(|global| match known.get(&global.id) {
                        None => Some(Change::Appeared {
                            global,
                            was_for: None,
                        }),
                        Some(&was_for) if was_for != global.audience => Some(Change::Appeared {
                            global,
                            was_for: Some(was_for),
                        }),
                        Some(_) => None,
                    }),
            );
            *known = current;
            changes
        };
        tracing::debug!(?changes, "globals synced");
        for change in changes {
            match change {
                Change::Gone { id, was_for } => {
                    let frame = ServerFrame::GlobalNotificationRemoved { id };
                    self.hub
                        .broadcast_to(Outbound::new(&frame, None), |role| was_for.includes(role));
                }
                Change::Appeared { global, was_for } => {
                    let id = global.id;
                    let now_for = global.audience;
                    if let Some(was_for) = was_for {
                        let frame = ServerFrame::GlobalNotificationRemoved { id };
                        self.hub.broadcast_to(Outbound::new(&frame, None), |role| {
                            was_for.includes(role) && !now_for.includes(role)
                        });
                    }
                    let frame = ServerFrame::GlobalNotification {
                        notification: global,
                    };
                    self.hub
                        .broadcast_to(Outbound::new(&frame, Some(FrameKey::Global(id))), |role| {
                            now_for.includes(role) && !was_for.is_some_and(|w| w.includes(role))
                        });
                }
            }
        }

        let next_change = self
            .store
            .list_globals()
            .await?
            .into_iter()
            .filter(|g| g.is_active && g.show_on_site)
            .flat_map(|g| [g.starts_at, g.expires_at])
            .flatten()
            .filter(|at| *at > now)
            .min();
        Ok(match next_change {
            Some(at) => {
                let until = (at - now).unsigned_abs();
                // A hair past the boundary, so the re-read sees the new state.
                (until + Duration::from_millis(20)).min(IDLE_RECHECK)
            }
            None => IDLE_RECHECK,
        })
    }
}

/// What a sync found changed.
#[derive(Debug)]
enum Change {
    /// A live global is live no more; it was for `was_for`.
    Gone {
        id: GlobalNotificationId,
        was_for: GlobalAudience,
    },
    /// A global is newly live (`was_for` is `None`), or still live but for another audience
    /// than `was_for`.
    Appeared {
        global: GlobalNotification,
        was_for: Option<GlobalAudience>,
    },
}
