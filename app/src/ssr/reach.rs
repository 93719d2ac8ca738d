//! Recording who saw an announcement, cheaply.
//!
//! A global notification is seen on hot paths: every page a signed-in user renders carries the
//! live banners, and a new announcement goes out to every open socket at once (tens of thousands
//! on one instance). A write per sight would cost a write per page view, and a burst of writes
//! per announcement. So, on each instance:
//! - a bounded memory of the (user, global) pairs already recorded, or on their way, skips
//!   repeats: a user's tenth page with the same banner writes nothing;
//! - a new pair goes through a bounded queue to one task, which writes whatever queued while its
//!   previous write ran in one insert-or-ignore statement (group commit, as for notifications):
//!   an announcement pushed to 20,000 sockets is a handful of statements;
//! - when the queue is full (the database is slower than the sights), the pair is dropped and
//!   forgotten, so that user's next sight tries again: a reach count for admins is not worth
//!   slowing a page or a socket down for.
//!
//! The database's primary key is what makes each user count once, across instances and
//! restarts; the memory only saves writes.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

use time::OffsetDateTime;
use tokio::sync::mpsc;

use crate::model::{GlobalNotificationId, UserId};

use super::store::DynStore;

/// Pairs that may wait for the writer; beyond it, sights are dropped (and retried when seen
/// again).
const QUEUE: usize = 65_536;
/// The most pairs one statement writes.
const MAX_BATCH: usize = 2_000;
/// Pairs remembered as recorded. When full the memory starts over: the pairs it forgets are
/// written once more when seen again, which the insert ignores.
const MEMORY: usize = 200_000;

type Pair = (UserId, GlobalNotificationId);

/// Takes sights of announcements and writes them in the background. Cloning shares it.
#[derive(Clone)]
pub struct SeenRecorder {
    queue: mpsc::Sender<Pair>,
    recorded: Arc<Mutex<HashSet<Pair>>>,
}

impl SeenRecorder {
    /// Starts the writer task, which runs as long as a recorder does.
    pub fn start(store: DynStore) -> Self {
        let (queue, pairs) = mpsc::channel(QUEUE);
        let recorded = Arc::new(Mutex::new(HashSet::new()));
        tokio::spawn(write(store, pairs, recorded.clone()));
        Self { queue, recorded }
    }

    /// Remembers that `user_id` saw each of `globals` (on a page or through a socket). Never
    /// waits: the write happens in the background, soon.
    pub fn seen(&self, user_id: UserId, globals: impl IntoIterator<Item = GlobalNotificationId>) {
        for global_id in globals {
            let pair = (user_id, global_id);
            {
                let mut recorded = self.lock();
                if recorded.contains(&pair) {
                    continue;
                }
                if recorded.len() >= MEMORY {
                    recorded.clear();
                }
                recorded.insert(pair);
            }
            if self.queue.try_send(pair).is_err() {
                tracing::debug!(%user_id, %global_id, "the reach queue is full; a sight was dropped");
                self.lock().remove(&pair);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<Pair>> {
        lock(&self.recorded)
    }
}

fn lock(recorded: &Mutex<HashSet<Pair>>) -> std::sync::MutexGuard<'_, HashSet<Pair>> {
    // A set of pairs is consistent after any panic: at worst a pair is written twice.
    recorded.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn write(
    store: DynStore,
    mut pairs: mpsc::Receiver<Pair>,
    recorded: Arc<Mutex<HashSet<Pair>>>,
) {
    while let Some(first) = pairs.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match pairs.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        if let Err(err) = store.record_seen(&batch, OffsetDateTime::now_utc()).await {
            tracing::warn!(%err, pairs = batch.len(), "could not record who saw announcements");
            // Forgotten, so the next sight of each tries again.
            let mut recorded = lock(&recorded);
            for pair in &batch {
                recorded.remove(pair);
            }
        }
    }
}
