//! One Herald instance's real-time machinery, and the sink every stored change is published to.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt;

use app::protocol::Disconnect;
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
    /// Random, new at every start: it keeps this instance's socket keys apart from every other
    /// instance's in the store (see [`Node::socket_key`]).
    instance_id: String,
    broker: Arc<dyn Broker>,
    globals: Arc<GlobalsWatcher>,
    /// An event of this instance's could not be published: once the broker takes events again,
    /// every instance is told to catch up.
    catch_up_owed: Arc<AtomicBool>,
}

impl Node {
    /// Subscribes to the broker and starts delivering; runs until the process ends. Fails if the
    /// broker cannot be reached now.
    pub async fn start(
        store: DynStore,
        broker: Arc<dyn Broker>,
        mut settings: ClientSettings,
    ) -> anyhow::Result<Arc<Self>> {
        // Never more sockets than the process's file descriptors leave room for.
        settings.max_sockets = super::descriptors::socket_cap(settings.max_sockets);
        let metrics = Arc::new(Metrics::default());
        let hub = Arc::new(Hub::new(settings.queue_capacity, metrics.clone()));
        let globals = Arc::new(GlobalsWatcher::new(store, hub.clone()));
        let node = Arc::new(Self {
            hub,
            admission: Admission::new(
                settings.max_sockets_per_user,
                settings.max_sockets,
                settings.handshakes_per_user,
                settings.handshake_window,
            ),
            metrics,
            settings,
            instance_id: format!("{:016x}", rand::random::<u64>()),
            broker: broker.clone(),
            globals: globals.clone(),
            catch_up_owed: Arc::default(),
        });

        // Subscribe now, before any socket is served, so nothing falls in between.
        let mut deliveries = broker.subscribe().await?;
        let weak = Arc::downgrade(&node);
        tokio::spawn(async move {
            while let Some(delivery) = deliveries.next().await {
                let Some(node) = weak.upgrade() else { break };
                node.dispatch(delivery);
            }
        });
        tokio::spawn(globals.run());
        Ok(node)
    }

    /// The name of this instance's socket `socket_id` in the shared store: unique across every
    /// instance on the database, at most 37 characters.
    pub fn socket_key(&self, socket_id: u64) -> String {
        format!("{}:{socket_id}", self.instance_id)
    }

    fn dispatch(&self, delivery: Delivery) {
        match delivery {
            Delivery::Event(Event::GlobalsChanged) => self.globals.poke(),
            Delivery::Event(Event::CatchUp) => self.catch_up(),
            Delivery::Event(event) => self.hub.deliver(&event),
            Delivery::Gap => {
                self.metrics.broker_gaps.inc();
                self.catch_up();
            }
        }
    }

    /// Something may be missing on this instance: every socket catches up from storage, from
    /// the last notification it delivered, and the live globals are read again. No socket is
    /// closed, so an outage of the broker causes no storm of reconnections.
    fn catch_up(&self) {
        self.hub.catch_up_all();
        self.globals.poke();
    }

    /// Closes every socket with "service restart" so clients reconnect (to this server once it is
    /// back, or to another instance), and waits a little for them to go.
    pub async fn shutdown(&self) {
        self.hub.close_all(Disconnect::ServiceRestart);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while !self.hub.is_empty() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Publishing never fails for the caller: the change is stored already, and if the broker
/// cannot take the event now, every instance's sockets catch up from storage once it can.
#[async_trait]
impl EventSink for Node {
    async fn publish(&self, event: Event) {
        self.metrics.publishes.inc();
        if let Err(err) = self.broker.publish(&event).await {
            self.could_not_publish(err, 1);
        }
    }

    async fn publish_all(&self, events: Vec<Event>) {
        if events.is_empty() {
            return;
        }
        let count = events.len() as u64;
        self.metrics.publishes.inc_by(count);
        if let Err(err) = self.broker.publish_all(&events).await {
            self.could_not_publish(err, count);
        }
    }
}

impl Node {
    /// Up to `count` events were lost on their way to the broker: once it takes events again,
    /// every instance catches up from storage.
    fn could_not_publish(&self, err: anyhow::Error, count: u64) {
        self.metrics.failed_publishes.inc_by(count);
        tracing::warn!(%err, "could not publish an event; sockets will catch up from storage");
        if !self.catch_up_owed.swap(true, Ordering::SeqCst) {
            tokio::spawn(settle_catch_up(
                self.broker.clone(),
                self.catch_up_owed.clone(),
            ));
        }
    }
}

/// Keeps publishing [`Event::CatchUp`], with backoff, until the broker takes it.
async fn settle_catch_up(broker: Arc<dyn Broker>, owed: Arc<AtomicBool>) {
    let mut attempt = 0;
    loop {
        tokio::time::sleep(app::realtime::backoff::delay(
            attempt.min(3),
            rand::random(),
        ))
        .await;
        if broker.publish(&Event::CatchUp).await.is_ok() {
            owed.store(false, Ordering::SeqCst);
            tracing::info!("the broker takes events again; every instance catches up");
            return;
        }
        attempt += 1;
    }
}

impl Presence for Node {
    fn open_sockets(&self) -> usize {
        self.hub.len()
    }
}
