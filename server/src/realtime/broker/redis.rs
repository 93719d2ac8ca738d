//! Redis pub/sub: every instance publishes each event, as JSON, to one channel and subscribes to it.
//!
//! Redis keeps nothing for a subscriber that is away, so a subscription that loses its
//! connection reconnects with backoff and then yields [`Delivery::Gap`]: whatever was published
//! meanwhile is caught up from storage.

use async_trait::async_trait;
use futures::stream::{BoxStream, StreamExt};
use tracing::instrument;

use redis::aio::{ConnectionManager, ConnectionManagerConfig, PubSub};
use redis::Client;
use std::time::Duration;
use tokio::sync::mpsc;

use app::ssr::events::Event;

use super::{reconnect_delay, Broker, Delivery, PUBLISH_TIMEOUT};

/// Deliveries a subscription holds for a dispatcher that is behind; past this the reader waits,
/// and Redis, whose buffer for a subscriber is bounded too, eventually drops the connection: a
/// gap, caught up from storage.
const SUBSCRIPTION_BUFFER: usize = 4096;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

pub struct RedisBroker {
    client: Client,
    channel: String,
    publisher: ConnectionManager,
}

impl RedisBroker {
    /// Connects the publishing connection; fails if Redis cannot be reached now.
    pub async fn connect(url: &str, channel: &str) -> anyhow::Result<Self> {
        let client = Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(PUBLISH_TIMEOUT))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_secs(1));
        let publisher = tokio::time::timeout(
            CONNECT_TIMEOUT * 2,
            client.get_connection_manager_with_config(config),
        )
        .await
        .map_err(|_| anyhow::anyhow!("Redis at {url} did not answer in time"))??;
        Ok(Self {
            client,
            channel: channel.to_owned(),
            publisher,
        })
    }
}

#[async_trait]
impl Broker for RedisBroker {
    #[instrument(level = "debug", skip_all, fields(kind = <&str>::from(event)))]
    async fn publish(&self, event: &Event) -> anyhow::Result<()> {
        let payload = serde_json::to_string(event)?;
        let mut connection = self.publisher.clone();
        let mut command = redis::cmd("PUBLISH");
        command.arg(&self.channel).arg(payload);
        tokio::time::timeout(PUBLISH_TIMEOUT, command.query_async::<i64>(&mut connection))
            .await
            .map_err(|_| anyhow::anyhow!("Redis did not take the event in time"))??;
        Ok(())
    }

    /// One pipeline: a single round trip to Redis for the lot.
    #[instrument(level = "debug", skip_all, fields(count = events.len()))]
    async fn publish_all(&self, events: &[Event]) -> anyhow::Result<()> {
        let mut pipeline = redis::pipe();
        for event in events {
            pipeline
                .cmd("PUBLISH")
                .arg(&self.channel)
                .arg(serde_json::to_string(event)?)
                .ignore();
        }
        let mut connection = self.publisher.clone();
        tokio::time::timeout(PUBLISH_TIMEOUT, pipeline.query_async::<()>(&mut connection))
            .await
            .map_err(|_| anyhow::anyhow!("Redis did not take the events in time"))??;
        Ok(())
    }

    #[instrument(level = "debug", skip_all)]
    async fn subscribe(&self) -> anyhow::Result<BoxStream<'static, Delivery>> {
        let first = subscribed(&self.client, &self.channel).await?;
        let (sender, receiver) = mpsc::channel(SUBSCRIPTION_BUFFER);
        tokio::spawn(relay(
            self.client.clone(),
            self.channel.clone(),
            first,
            sender,
        ));
        Ok(super::stream_of(receiver))
    }
}

async fn subscribed(client: &Client, channel: &str) -> anyhow::Result<PubSub> {
    let subscribe = async {
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.subscribe(channel).await?;
        Ok::<_, redis::RedisError>(pubsub)
    };
    tokio::time::timeout(CONNECT_TIMEOUT, subscribe)
        .await
        .map_err(|_| anyhow::anyhow!("Redis did not answer in time"))?
        .map_err(Into::into)
}

/// Hands each message to the subscription until nobody listens; re-subscribes whenever the
/// connection is lost, and then reports the gap.
async fn relay(client: Client, channel: String, first: PubSub, deliveries: mpsc::Sender<Delivery>) {
    let mut pubsub = first;
    loop {
        let mut messages = pubsub.into_on_message();
        while let Some(message) = messages.next().await {
            let delivery = match serde_json::from_slice::<Event>(message.get_payload_bytes()) {
                Ok(event) => Delivery::Event(event),
                Err(err) => {
                    // Not one of ours (another program on the channel): nothing of ours is lost.
                    tracing::warn!(%err, "ignoring a message on the broker channel");
                    continue;
                }
            };
            if deliveries.send(delivery).await.is_err() {
                return;
            }
        }
        drop(messages);
        tracing::warn!("lost the Redis subscription; reconnecting");
        let mut attempt = 0;
        pubsub = loop {
            tokio::time::sleep(reconnect_delay(attempt)).await;
            if deliveries.is_closed() {
                return;
            }
            match subscribed(&client, &channel).await {
                Ok(pubsub) => break pubsub,
                Err(err) => tracing::warn!(%err, attempt, "Redis is still unreachable"),
            }
            attempt += 1;
        };
        tracing::info!("Redis subscription is back; catching up from storage");
        if deliveries.send(Delivery::Gap).await.is_err() {
            return;
        }
    }
}
