//! Group commit: notifications sent at about the same time are stored in one transaction.
//!
//! SQLite has one writer at a time: concurrent transactions queue for its lock (and a connection
//! that finds it taken sleeps before trying again), so storing notifications one transaction each
//! caps the rate at what one writer commits. Here every notification to store goes through one
//! task, which takes whatever has queued while the previous transaction ran and stores it all in
//! the next: under load, one commit stores many; alone, a notification is stored at once. The
//! same holds on PostgreSQL, where it saves a commit (a WAL flush) per notification.

use tokio::sync::{mpsc, oneshot};

use crate::model::Notification;

use super::store::{DynStore, NewNotification, StoreResult};

/// The most notifications one transaction stores: a bulk request (up to 1,000) plus what queued
/// behind it.
const MAX_BATCH: usize = 2_000;
/// Requests that may wait for the committer; beyond it, senders wait for room.
const QUEUE: usize = 4_096;

/// Hands notifications to the committer task and waits for them to be stored.
#[derive(Clone)]
pub struct NotificationWriter {
    queue: mpsc::Sender<Request>,
}

struct Request {
    new: Vec<NewNotification>,
    stored: oneshot::Sender<StoreResult<Vec<Notification>>>,
}

impl NotificationWriter {
    /// Starts the committer task, which runs as long as a writer does.
    pub fn start(store: DynStore) -> Self {
        let (queue, requests) = mpsc::channel(QUEUE);
        tokio::spawn(commit(store, requests));
        Self { queue }
    }

    /// Stores `new` (all or none, in order) with whatever else is being stored now, and answers
    /// them with their ids once committed.
    pub async fn store(&self, new: Vec<NewNotification>) -> StoreResult<Vec<Notification>> {
        let (stored, answer) = oneshot::channel();
        self.queue
            .send(Request { new, stored })
            .await
            .expect("the committer runs while a writer exists");
        answer.await.expect("the committer answers every request")
    }
}

async fn commit(store: DynStore, mut requests: mpsc::Receiver<Request>) {
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
        if batch.len() == 1 {
            let request = batch.pop().expect("one request");
            let stored = store.create_notifications(&request.new).await;
            let _ = request.stored.send(stored);
            continue;
        }
        let all: Vec<NewNotification> = batch.iter().flat_map(|r| r.new.clone()).collect();
        match store.create_notifications(&all).await {
            Ok(stored) => {
                let mut stored = stored.into_iter();
                for request in batch {
                    let mine = stored.by_ref().take(request.new.len()).collect();
                    let _ = request.stored.send(Ok(mine));
                }
            }
            // All or none is each request's promise, not the batch's: one request's failure
            // (a recipient deleted meanwhile) must not fail the others. Each goes alone.
            Err(_) => {
                for request in batch {
                    let stored = store.create_notifications(&request.new).await;
                    let _ = request.stored.send(stored);
                }
            }
        }
    }
}
