//! Keeps this instance's sockets in step with the live global notifications.
//!
//! Whether a global is live depends on the clock (`starts_at`, `expires_at`) as well as on
//! writes, so each instance re-reads the live set from storage when poked (a `GlobalsChanged`
//! event, from any instance) and when the next start or expiry comes due, and sends the
//! difference: `global_notification` for each newly live one, `global_notification_removed` for
//! each one gone.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::Notify;

use app::model::GlobalNotificationId;
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
    live: Mutex<HashSet<GlobalNotificationId>>,
}

impl GlobalsWatcher {
    pub fn new(store: DynStore, hub: Arc<Hub>) -> Self {
        Self {
            store,
            hub,
            poke: Notify::new(),
            live: Mutex::new(HashSet::new()),
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
        let (appeared, gone) = {
            let mut known = self.live.lock().expect("globals lock");
            let current: HashSet<GlobalNotificationId> = live.iter().map(|g| g.id).collect();
            let gone: Vec<GlobalNotificationId> = known.difference(&current).copied().collect();
            let appeared: Vec<_> = live
                .into_iter()
                .filter(|g| !known.contains(&g.id))
                .collect();
            *known = current;
            (appeared, gone)
        };
        tracing::debug!(appeared = ?appeared.iter().map(|g| g.id).collect::<Vec<_>>(), ?gone, "globals synced");
        for id in gone {
            let frame = ServerFrame::GlobalNotificationRemoved { id };
            self.hub.broadcast(Outbound::new(&frame, None));
        }
        for global in appeared {
            let key = FrameKey::Global(global.id);
            let frame = ServerFrame::GlobalNotification {
                notification: global,
            };
            self.hub.broadcast(Outbound::new(&frame, Some(key)));
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
