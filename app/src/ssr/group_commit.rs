//! Group commit: notifications sent at about the same time are stored in one transaction, then
//! published in the order they were stored.
//!
//! SQLite has one writer at a time: concurrent transactions queue for its lock (and a connection
//! that finds it taken sleeps before trying again), so storing notifications one transaction each
//! caps the rate at what one writer commits. Here every notification to store goes through one
//! task, which takes whatever has queued while the previous transaction ran and stores it all in
//! the next: under load, one commit stores many; alone, a notification is stored at once. The
//! same holds on PostgreSQL, where it saves a commit (a WAL flush) per notification.
//!
//! A second task publishes what the first committed, a transaction at a time and in commit
//! order: each notification, then its recipients' unread counts, read with one query per
//! transaction rather than one per sender (a profile of many single sends on SQLite spent most
//! of its time waking sqlx's database threads, a wake-up per query). Because it is a task of its
//! own, a notification that was stored is pushed whatever happens to its sender, and a count is
//! never published after a newer one.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::model::Notification;

use super::events::{Event, EventSink};
use super::store::{DynStore, NewNotification, Store, StoreResult};

/// The most notifications one transaction stores: a bulk request (up to 1,000) plus what queued
/// behind it.
const MAX_BATCH: usize = 2_000;
/// Requests that may wait for the committer; beyond it, senders wait for room.
const QUEUE: usize = 4_096;
/// Committed transactions that may wait to be published; beyond it, the committer waits, so a
/// slow broker slows senders down rather than piling notifications up in memory.
const PUBLISH_QUEUE: usize = 16;

/// Hands notifications to the committer task and waits for them to be stored and published.
#[derive(Clone)]
pub struct NotificationWriter {
    queue: mpsc::Sender<Request>,
}

type Answer = oneshot::Sender<StoreResult<Vec<Notification>>>;

struct Request {
    new: Vec<NewNotification>,
    answer: Answer,
}

/// A request the store has answered, on its way to be published.
struct Stored {
    result: StoreResult<Vec<Notification>>,
    answer: Answer,
}

impl NotificationWriter {
    /// Starts the committer and publisher tasks, which run as long as a writer does.
    pub fn start(store: DynStore, events: Arc<dyn EventSink>) -> Self {
        let (queue, requests) = mpsc::channel(QUEUE);
        let (committed, to_publish) = mpsc::channel(PUBLISH_QUEUE);
        tokio::spawn(commit(store.clone(), requests, committed));
        tokio::spawn(publish(store, events, to_publish));
        Self { queue }
    }

    /// Stores `new` (all or none, in order) with whatever else is being stored now, publishes
    /// each and its recipients' new unread counts, and answers them with their ids.
    ///
    /// Runs to the end even if the caller stops waiting (a client that hangs up).
    pub async fn send(&self, new: Vec<NewNotification>) -> StoreResult<Vec<Notification>> {
        let (answer, answered) = oneshot::channel();
        self.queue
            .send(Request { new, answer })
            .await
            .expect("the committer runs while a writer exists");
        answered.await.expect("the publisher answers every request")
    }
}

async fn commit(
    store: DynStore,
    mut requests: mpsc::Receiver<Request>,
    committed: mpsc::Sender<Vec<Stored>>,
) {
    while let Some(first) = requests.recv().await {
        let mut batch = vec![first];
        let mut count = batch[0].new.len();
        while count < MAX_BATCH {
            match requests.try_recv() {
                Ok(next) => {
                    count += next.new.len();
                    batch.push(next);
                }
                Err(_) => break,
            }
        }
        let stored = store_batch(&*store, batch).await;
        if committed.send(stored).await.is_err() {
            return; // the publisher is gone: the runtime is shutting down
        }
    }
}

/// Stores every request of `batch` in one transaction if it can.
async fn store_batch(store: &dyn Store, batch: Vec<Request>) -> Vec<Stored> {
    let mut lengths = Vec::with_capacity(batch.len());
    let mut answers = Vec::with_capacity(batch.len());
    let mut all = Vec::new();
    for request in batch {
        lengths.push(request.new.len());
        answers.push(request.answer);
        all.extend(request.new);
    }
    let results = match store.create_notifications(&all).await {
        Ok(stored) => {
            let mut stored = stored.into_iter();
            lengths
                .iter()
                .map(|&length| Ok(stored.by_ref().take(length).collect()))
                .collect()
        }
        // All or none is each request's promise, not the batch's: one request's failure
        // (a recipient deleted meanwhile) must not fail the others. Each goes alone.
        Err(err) if lengths.len() == 1 => vec![Err(err)],
        Err(_) => {
            let mut results = Vec::with_capacity(lengths.len());
            let mut rest = all.as_slice();
            for &length in &lengths {
                let (mine, after) = rest.split_at(length);
                results.push(store.create_notifications(mine).await);
                rest = after;
            }
            results
        }
    };
    results
        .into_iter()
        .zip(answers)
        .map(|(result, answer)| Stored { result, answer })
        .collect()
}

async fn publish(
    store: DynStore,
    events: Arc<dyn EventSink>,
    mut committed: mpsc::Receiver<Vec<Stored>>,
) {
    while let Some(batch) = committed.recv().await {
        let mut recipients = Vec::new();
        let mut published = Vec::new();
        for notification in batch
            .iter()
            .filter_map(|stored| stored.result.as_ref().ok())
            .flatten()
        {
            recipients.push(notification.user_id);
            published.push(Event::Notification {
                notification: notification.clone(),
            });
        }
        recipients.sort_unstable();
        recipients.dedup();
        // Stored (and about to be pushed): from here the send has succeeded. A count the
        // database cannot give now (a busy pool) must not turn it into an error the sender would
        // retry, storing everything twice; the badges catch up at the user's next change or
        // reconnect.
        if !recipients.is_empty() {
            match store.unread_counts(&recipients).await {
                Ok(counts) => published.extend(
                    recipients
                        .into_iter()
                        .zip(counts)
                        .map(|(user_id, count)| Event::UnreadCount { user_id, count }),
                ),
                Err(err) => {
                    tracing::warn!(%err, "stored and pushed notifications without unread counts")
                }
            }
        }
        events.publish_all(published).await;
        for stored in batch {
            let _ = stored.answer.send(stored.result);
        }
    }
}
