//! Fan-out between Herald instances.
//!
//! Every instance publishes the events it causes to the broker and delivers every event the
//! broker hands it to its own sockets, so a notification created on one instance reaches a socket
//! on any other. Three brokers keep one contract: the in-process one for a single instance, Redis
//! pub/sub, and PostgreSQL's LISTEN/NOTIFY.

mod memory;
mod postgres;
mod redis;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::stream::{self, BoxStream, StreamExt};
use tokio::sync::mpsc;

use app::ssr::events::Event;

pub use memory::MemoryBroker;
pub use postgres::PostgresBroker;
pub use redis::RedisBroker;

/// What a subscription yields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    Event(Event),
    /// Events may have been lost here (a lagging subscriber, a connection that broke and is back).
    /// Storage is the truth: the receiver makes its clients catch up from it.
    Gap,
}

/// A broker's contract:
/// - every subscription receives each event published after it subscribed, at most once, in the
///   order each publisher published them;
/// - an event can be lost, and then the subscription yields [`Delivery::Gap`] once it can receive
///   again; it never loses an event silently;
/// - `publish` returns once the event is handed over, not when it is delivered, and fails within
///   [`PUBLISH_TIMEOUT`] when the broker cannot be reached: it never hangs.
#[async_trait]
pub trait Broker: Send + Sync + 'static {
    async fn publish(&self, event: &Event) -> anyhow::Result<()>;

    /// Publishes `events` in order, as `publish` does each; a broker that can hand them over in
    /// one round trip does. On failure, any of them may have been lost.
    async fn publish_all(&self, events: &[Event]) -> anyhow::Result<()> {
        for event in events {
            self.publish(event).await?;
        }
        Ok(())
    }

    /// Everything published from the moment this returns, on every instance. Fails only if the
    /// broker cannot be reached now; once subscribed, a lost connection is re-made in the
    /// background (and reported as a [`Delivery::Gap`]).
    async fn subscribe(&self) -> anyhow::Result<BoxStream<'static, Delivery>>;
}

/// The longest a publish may take before it gives up.
pub const PUBLISH_TIMEOUT: Duration = Duration::from_secs(2);

/// Which broker carries events between instances, parsed from `HERALD_BROKER`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BrokerChoice {
    /// In this process only: one instance.
    Memory,
    /// Redis pub/sub at this URL (`redis://…` or `rediss://…`).
    Redis(String),
    /// PostgreSQL LISTEN/NOTIFY on the database Herald stores its data in.
    Postgres,
}

impl std::str::FromStr for BrokerChoice {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw {
            "memory" => Ok(Self::Memory),
            "postgres" | "postgresql" => Ok(Self::Postgres),
            url if url.starts_with("redis://") || url.starts_with("rediss://") => {
                Ok(Self::Redis(url.to_owned()))
            }
            other => Err(format!(
                "unknown broker {other:?}: use memory, postgres or redis://HOST[:PORT]"
            )),
        }
    }
}

/// Connects the chosen broker. `channel` names the pub/sub channel every instance of one
/// deployment shares; `database_url` is where the PostgreSQL broker listens.
pub async fn connect(
    choice: &BrokerChoice,
    channel: &str,
    database_url: &str,
) -> anyhow::Result<Arc<dyn Broker>> {
    Ok(match choice {
        BrokerChoice::Memory => Arc::new(MemoryBroker::new(4096)),
        BrokerChoice::Redis(url) => Arc::new(RedisBroker::connect(url, channel).await?),
        BrokerChoice::Postgres => {
            anyhow::ensure!(
                database_url.starts_with("postgres"),
                "the postgres broker needs a PostgreSQL database URL, not {database_url:?}"
            );
            Arc::new(PostgresBroker::connect(database_url, channel).await?)
        }
    })
}

/// How long a subscription waits before its `attempt`-th try to reconnect: the clients' backoff
/// (jittered, doubling), held to a few seconds so an instance is back soon after its broker.
fn reconnect_delay(attempt: u32) -> Duration {
    app::realtime::backoff::delay(attempt.min(3), rand::random())
}

/// The deliveries a relay task hands over, as a subscription.
fn stream_of(receiver: mpsc::Receiver<Delivery>) -> BoxStream<'static, Delivery> {
    stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|delivery| (delivery, receiver))
    })
    .boxed()
}
