//! The in-process broker of a single-instance deployment: a broadcast channel.

use async_trait::async_trait;
use futures::stream::{self, BoxStream, StreamExt};
use tokio::sync::broadcast;
use tracing::instrument;

use app::ssr::events::Event;

use super::{Broker, Delivery};

pub struct MemoryBroker {
    sender: broadcast::Sender<Event>,
}

impl MemoryBroker {
    /// `capacity` events can wait for the slowest subscriber before it lags (and sees a gap).
    pub fn new(capacity: usize) -> Self {
        let (sender, _) = broadcast::channel(capacity);
        Self { sender }
    }
}

#[async_trait]
impl Broker for MemoryBroker {
    #[instrument(level = "debug", skip_all, fields(kind = <&str>::from(event)))]
    async fn publish(&self, event: &Event) -> anyhow::Result<()> {
        // No subscriber yet is not an error: nobody is there to miss the event.
        let _ = self.sender.send(event.clone());
        Ok(())
    }

    #[instrument(level = "debug", skip_all)]
    async fn subscribe(&self) -> anyhow::Result<BoxStream<'static, Delivery>> {
        Ok(
            stream::unfold(self.sender.subscribe(), |mut receiver| async move {
                match receiver.recv().await {
                    Ok(event) => Some((Delivery::Event(event), receiver)),
                    Err(broadcast::error::RecvError::Lagged(_)) => Some((Delivery::Gap, receiver)),
                    Err(broadcast::error::RecvError::Closed) => None,
                }
            })
            .boxed(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::UserId;

    #[tokio::test]
    async fn a_subscriber_receives_events_in_publish_order() {
        let broker = MemoryBroker::new(16);
        let mut deliveries = broker.subscribe().await.unwrap();
        for user_id in (1..=3).map(UserId::new) {
            broker
                .publish(&Event::UnreadCount { user_id, count: 0 })
                .await
                .unwrap();
        }
        for user_id in (1..=3).map(UserId::new) {
            let expected = Delivery::Event(Event::UnreadCount { user_id, count: 0 });
            assert_eq!(deliveries.next().await, Some(expected));
        }
    }

    #[tokio::test]
    async fn a_lagging_subscriber_is_told_of_the_gap() {
        let broker = MemoryBroker::new(2);
        let mut deliveries = broker.subscribe().await.unwrap();
        for user_id in (1..=5).map(UserId::new) {
            broker
                .publish(&Event::UnreadCount { user_id, count: 0 })
                .await
                .unwrap();
        }
        assert_eq!(deliveries.next().await, Some(Delivery::Gap));
    }
}
