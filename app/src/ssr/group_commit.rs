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
//!
//! When the database cannot take a batch now (another process holds its lock, the pool is
//! exhausted), every request of the batch is answered "unavailable" at once, and so is every
//! request that queued while it was tried: each would only wait out the busy timeout again.
//! A sender waits about one busy timeout for its 503, however many queued beside it.
//!
//! Both tasks are supervised: a panic drops the batch in hand (its senders get an error) and
//! the task starts again. A send never panics, even when the tasks are gone.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, Mutex};

use crate::model::Notification;

use super::events::{Event, EventSink};
use super::store::{DynStore, NewNotification, Store, StoreError, StoreResult};
use super::supervisor::spawn_supervised;

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
    /// Starts the committer and publisher tasks, which run as long as a writer does (and start
    /// again if they panic).
    pub fn start(store: DynStore, events: Arc<dyn EventSink>) -> Self {
        let (queue, requests) = mpsc::channel(QUEUE);
        let (committed, to_publish) = mpsc::channel(PUBLISH_QUEUE);
        // The receiving ends outlive a run that panicked: the next run takes them over.
        let requests = Arc::new(Mutex::new(requests));
        let to_publish = Arc::new(Mutex::new(to_publish));
        let committer_store = store.clone();
        spawn_supervised("group commit", move || {
            commit(committer_store.clone(), requests.clone(), committed.clone())
        });
        spawn_supervised("group commit publisher", move || {
            publish(store.clone(), events.clone(), to_publish.clone())
        });
        Self { queue }
    }

    /// Stores `new` (all or none, in order) with whatever else is being stored now, publishes
    /// each and its recipients' new unread counts, and answers them with their ids.
    ///
    /// Runs to the end even if the caller stops waiting (a client that hangs up). Answers
    /// [`StoreError::Unavailable`] within about the database's busy timeout when it is locked,
    /// and an internal error if the writer's tasks dropped the request (a panic) or are gone.
    pub async fn send(&self, new: Vec<NewNotification>) -> StoreResult<Vec<Notification>> {
        let (answer, answered) = oneshot::channel();
        if self.queue.send(Request { new, answer }).await.is_err() {
            return Err(writer_gone());
        }
        answered.await.unwrap_or_else(|_| Err(writer_gone()))
    }
}

/// What a sender gets when its request was dropped unanswered: its batch was in hand when a
/// task panicked (it may or may not have been stored), or the tasks have stopped.
fn writer_gone() -> StoreError {
    StoreError::Database(sqlx::Error::WorkerCrashed)
}

async fn commit(
    store: DynStore,
    requests: Arc<Mutex<mpsc::Receiver<Request>>>,
    committed: mpsc::Sender<Vec<Stored>>,
) {
    let mut requests = requests.lock().await;
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
        let unavailable = stored
            .iter()
            .find_map(|stored| stored.result.as_ref().err()?.unavailable_again());
        if committed.send(stored).await.is_err() {
            return; // the publisher is gone: the runtime is shutting down
        }
        // What queued while the database refused that batch would wait out a busy timeout of
        // its own, behind the one it already waited through: it is answered now, and the next
        // request to arrive tries the database afresh.
        if let Some(err) = unavailable {
            while let Ok(request) = requests.try_recv() {
                let again = err.unavailable_again().expect("an unavailable error");
                let _ = request.answer.send(Err(again));
            }
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
        Err(err) if lengths.len() == 1 => vec![Err(err)],
        // The database cannot take anything now (locked, busy, away): no request would fare
        // better alone, and each try would wait out the busy timeout again.
        Err(err @ StoreError::Unavailable(_)) => lengths
            .iter()
            .map(|_| Err(err.unavailable_again().expect("an unavailable error")))
            .collect(),
        // All or none is each request's promise, not the batch's: one request's failure
        // (a recipient deleted meanwhile) must not fail the others. Each goes alone, until the
        // database says "not now", which then answers the rest.
        Err(_) => {
            let mut results: Vec<StoreResult<Vec<Notification>>> =
                Vec::with_capacity(lengths.len());
            let mut unavailable = None;
            let mut rest = all.as_slice();
            for &length in &lengths {
                let (mine, after) = rest.split_at(length);
                rest = after;
                if let Some(err) = &unavailable {
                    results.push(Err(StoreError::unavailable_again(err).expect("unavailable")));
                    continue;
                }
                let result = store.create_notifications(mine).await;
                unavailable = result
                    .as_ref()
                    .err()
                    .and_then(StoreError::unavailable_again);
                results.push(result);
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
    committed: Arc<Mutex<mpsc::Receiver<Vec<Stored>>>>,
) {
    let mut committed = committed.lock().await;
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use async_trait::async_trait;

    use super::*;
    use crate::model::{MessageText, NotificationType, Role, Title, UserId};
    use crate::ssr::rate_limit::tests::memory_store;

    fn hello(user_id: UserId) -> Vec<NewNotification> {
        vec![NewNotification {
            user_id,
            title: Title::parse("title", "Hello").unwrap(),
            message: MessageText::parse("message", "").unwrap(),
            notification_type: NotificationType::System,
            link: None,
            group_key: None,
        }]
    }

    /// A broker whose first publish panics.
    #[derive(Default)]
    struct PanicsOnce {
        panicked: AtomicBool,
    }

    #[async_trait]
    impl EventSink for PanicsOnce {
        async fn publish(&self, _event: Event) {
            if !self.panicked.swap(true, Ordering::SeqCst) {
                panic!("the broker broke");
            }
        }
    }

    #[tokio::test]
    async fn a_send_after_the_publisher_panicked_is_stored_and_answered() {
        let store = memory_store().await;
        let ada = store
            .create_user("ada", "hash", Role::Jobseeker)
            .await
            .unwrap();
        let writer = NotificationWriter::start(store.clone(), Arc::new(PanicsOnce::default()));

        let dropped = writer.send(hello(ada.id)).await;
        assert!(
            matches!(dropped, Err(StoreError::Database(_))),
            "{dropped:?}"
        );
        let sent = tokio::time::timeout(Duration::from_secs(5), writer.send(hello(ada.id)))
            .await
            .expect("the publisher started again")
            .unwrap();
        assert_eq!(sent.len(), 1);
        assert_eq!(store.unread_count(ada.id).await.unwrap(), 2);
    }

    #[test]
    fn a_send_after_the_writers_tasks_stopped_answers_an_error_instead_of_panicking() {
        let runtime = || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
        };
        let first = runtime();
        let writer = first.block_on(async {
            NotificationWriter::start(memory_store().await, Arc::new(PanicsOnce::default()))
        });
        drop(first); // its tasks with it
        let answer = runtime().block_on(writer.send(hello(UserId::new(1))));
        assert!(matches!(answer, Err(StoreError::Database(_))), "{answer:?}");
    }
}
