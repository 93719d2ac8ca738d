//! Fan-out between Herald instances.
//!
//! Every instance publishes the events it causes to the broker and delivers every event the
//! broker hands it to its own sockets, so a notification created on one instance reaches a socket
//! on any other.

mod memory;

use async_trait::async_trait;
use futures::stream::BoxStream;

use app::ssr::events::Event;

pub use memory::MemoryBroker;

/// What a subscription yields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    Event(Event),
    /// Events may have been lost here (a lagging subscriber, a broken connection). Storage is the
    /// truth: the receiver must make its clients catch up from it.
    Gap,
}

/// A broker's contract:
/// - every subscription receives each event published after it subscribed, at most once, in the
///   order each publisher published them;
/// - an event can be lost, and then the subscription yields [`Delivery::Gap`]; it never loses
///   an event silently;
/// - `publish` returns once the event is handed over, not when it is delivered.
#[async_trait]
pub trait Broker: Send + Sync + 'static {
    async fn publish(&self, event: &Event) -> anyhow::Result<()>;

    /// Everything published from now on, on every instance.
    fn subscribe(&self) -> BoxStream<'static, Delivery>;
}
