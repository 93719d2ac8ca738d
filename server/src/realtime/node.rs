//! One Herald instance's real-time machinery, and the sink every stored change is published to.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt;

use app::protocol::close_code;
use app::ssr::events::{Event, EventSink, Presence};
use app::ssr::store::DynStore;

use super::admission::Admission;
use super::broker::{Broker, Delivery};
use super::client::ClientSettings;
use super::globals::GlobalsWatcher;
use super::hub::Hub;
use super::metrics::Metrics;

pub struct Node {
    pub hub: Arc<Hub>,
    /// Slots for sockets, per user and for this instance.
    pub admission: Arc<Admission>,
    pub metrics: Arc<Metrics>,
    pub settings: ClientSettings,
    broker: Arc<dyn Broker>,
    globals: Arc<GlobalsWatcher>,
}

impl Node {
    /// Subscribes to the broker and starts delivering; runs until the process ends.
    pub fn start(store: DynStore, broker: Arc<dyn Broker>, settings: ClientSettings) -> Arc<Self> {
        let metrics = Arc::new(Metrics::default());
        let hub = Arc::new(Hub::new(settings.queue_capacity, metrics.clone()));
        let globals = Arc::new(GlobalsWatcher::new(store, hub.clone()));
        let node = Arc::new(Self {
            hub,
            admission: Admission::new(settings.max_sockets_per_user, settings.max_sockets),
            metrics,
            settings,
            broker: broker.clone(),
            globals: globals.clone(),
        });

        // Subscribe now, before anything can be published, so nothing falls in between.
        let mut deliveries = broker.subscribe();
        let weak = Arc::downgrade(&node);
        tokio::spawn(async move {
            while let Some(delivery) = deliveries.next().await {
                let Some(node) = weak.upgrade() else { break };
                node.dispatch(delivery);
            }
        });
        tokio::spawn(globals.run());
        node
    }

    fn dispatch(&self, delivery: Delivery) {
        match delivery {
            Delivery::Event(Event::GlobalsChanged) => self.globals.poke(),
            Delivery::Event(event) => self.hub.deliver(&event),
            Delivery::Gap => {
                // Something may be missing on this instance: every client catches up from storage.
                Metrics::add(&self.metrics.broker_gaps, 1);
                self.hub
                    .close_all(close_code::RESYNC, "events may have been missed: reconnect");
                self.globals.poke();
            }
        }
    }

    /// Closes every socket with "service restart" so clients reconnect (to this server once it is
    /// back, or to another instance), and waits a little for them to go.
    pub async fn shutdown(&self) {
        self.hub
            .close_all(close_code::SERVICE_RESTART, "server restarting");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while !self.hub.is_empty() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[async_trait]
impl EventSink for Node {
    async fn publish(&self, event: Event) {
        Metrics::add(&self.metrics.publishes, 1);
        if let Err(err) = self.broker.publish(&event).await {
            // Stored already: clients catch up from storage when they reconnect.
            tracing::warn!(%err, "could not publish an event");
        }
    }
}

impl Presence for Node {
    fn open_sockets(&self) -> usize {
        self.hub.len()
    }

    fn is_viewing_conversation(&self, user_id: i64, peer_id: i64) -> bool {
        self.hub.is_viewing_conversation(user_id, peer_id)
    }
}
