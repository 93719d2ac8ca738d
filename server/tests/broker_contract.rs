//! One broker contract, run against every broker: the in-process one, Redis pub/sub and
//! PostgreSQL LISTEN/NOTIFY (the last two against the real services named by
//! `HERALD_TEST_REDIS_URL` and `HERALD_TEST_POSTGRES_URL`; skipped loudly without them).
//!
//! Two broker values on one channel stand for two Herald instances.

mod common;

use std::sync::Arc;
use std::time::Duration;

use futures::stream::BoxStream;
use futures::StreamExt;
use time::OffsetDateTime;

use app::model::{DirectMessage, MessageId, UserId};
use app::ssr::events::Event;
use common::cut_proxy::{address_of, CutProxy};
use common::postgres::postgres_url;
use common::redis::{channel_name, redis_url};
use server::realtime::broker::{
    Broker, Delivery, MemoryBroker, PostgresBroker, RedisBroker, PUBLISH_TIMEOUT,
};

/// How a suite reaches one kind of broker: `connect(url, channel)` for a URL of the real service.
#[derive(Clone, Copy)]
enum Kind {
    Memory,
    Redis,
    Postgres,
}

impl Kind {
    async fn service_url(self) -> Option<String> {
        match self {
            Kind::Memory => Some(String::new()),
            Kind::Redis => redis_url("a broker contract test"),
            Kind::Postgres => postgres_url("a broker contract test").await,
        }
    }

    async fn connect(self, url: &str, channel: &str) -> anyhow::Result<Arc<dyn Broker>> {
        Ok(match self {
            Kind::Memory => Arc::new(MemoryBroker::new(1024)),
            Kind::Redis => Arc::new(RedisBroker::connect(url, channel).await?),
            Kind::Postgres => Arc::new(PostgresBroker::connect(url, channel).await?),
        })
    }

    /// Two "instances" on one fresh channel (the in-process broker is one per process, so both
    /// are the same one).
    async fn pair(self) -> Option<(Arc<dyn Broker>, Arc<dyn Broker>)> {
        let url = self.service_url().await?;
        let channel = channel_name();
        let first = self
            .connect(&url, &channel)
            .await
            .expect("the broker connects");
        let second = match self {
            Kind::Memory => first.clone(),
            _ => self
                .connect(&url, &channel)
                .await
                .expect("the broker connects"),
        };
        Some((first, second))
    }
}

fn count(user_id: i64, count: i64) -> Event {
    Event::UnreadCount {
        user_id: UserId::new(user_id),
        count,
    }
}

async fn next(deliveries: &mut BoxStream<'static, Delivery>) -> Delivery {
    tokio::time::timeout(Duration::from_secs(10), deliveries.next())
        .await
        .expect("a delivery within 10 s")
        .expect("the subscription is still open")
}

async fn every_instance_receives_each_event_once_in_publish_order(kind: Kind) {
    let Some((one, two)) = kind.pair().await else {
        return;
    };
    let mut on_one = one.subscribe().await.unwrap();
    let mut on_two = two.subscribe().await.unwrap();
    for n in 0..50 {
        one.publish(&count(1, n)).await.unwrap();
    }
    for deliveries in [&mut on_one, &mut on_two] {
        for n in 0..50 {
            assert_eq!(next(deliveries).await, Delivery::Event(count(1, n)));
        }
    }
    // Delivered in publish order, a duplicate would come before an event published last.
    one.publish(&count(1, 50)).await.unwrap();
    for deliveries in [&mut on_one, &mut on_two] {
        assert_eq!(
            next(deliveries).await,
            Delivery::Event(count(1, 50)),
            "nothing arrives twice"
        );
    }
}

async fn events_from_two_instances_each_keep_their_order(kind: Kind) {
    let Some((one, two)) = kind.pair().await else {
        return;
    };
    let mut deliveries = one.subscribe().await.unwrap();
    let publish = |broker: Arc<dyn Broker>, user_id: i64| async move {
        for n in 0..30 {
            broker.publish(&count(user_id, n)).await.unwrap();
        }
    };
    tokio::join!(publish(one.clone(), 1), publish(two.clone(), 2));
    let mut seen = std::collections::HashMap::<i64, Vec<i64>>::new();
    for _ in 0..60 {
        match next(&mut deliveries).await {
            Delivery::Event(Event::UnreadCount { user_id, count }) => {
                seen.entry(user_id.get()).or_default().push(count)
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    let in_order: Vec<i64> = (0..30).collect();
    assert_eq!(seen[&1], in_order);
    assert_eq!(seen[&2], in_order);
}

async fn an_event_bigger_than_a_notify_payload_arrives_whole(kind: Kind) {
    let Some((one, two)) = kind.pair().await else {
        return;
    };
    let mut deliveries = two.subscribe().await.unwrap();
    let message = Event::Message {
        message: DirectMessage {
            id: MessageId::new(1),
            sender_id: UserId::new(1),
            sender_name: "ada".into(),
            recipient_id: UserId::new(2),
            recipient_name: "grace".into(),
            body: "ü".repeat(10_000),
            created_at: OffsetDateTime::now_utc(),
        },
    };
    one.publish(&message).await.unwrap();
    assert_eq!(next(&mut deliveries).await, Delivery::Event(message));
}

/// An instance behind a proxy that the test cuts, beside one that stays connected.
async fn cut_pair(kind: Kind) -> Option<(CutProxy, Arc<dyn Broker>, Arc<dyn Broker>)> {
    let url = kind.service_url().await?;
    let proxy = CutProxy::start(address_of(&url)).await;
    let channel = channel_name();
    let behind = kind
        .connect(&proxy.url_through(&url), &channel)
        .await
        .expect("the broker connects through the proxy");
    let direct = kind
        .connect(&url, &channel)
        .await
        .expect("the broker connects");
    Some((proxy, behind, direct))
}

async fn publishing_while_the_broker_is_unreachable_fails_fast(kind: Kind) {
    let Some((proxy, behind, _direct)) = cut_pair(kind).await else {
        return;
    };
    proxy.cut();
    let started = std::time::Instant::now();
    let outcome = behind.publish(&count(1, 1)).await;
    assert!(outcome.is_err(), "a publish that reached nobody says so");
    assert!(
        started.elapsed() < PUBLISH_TIMEOUT + Duration::from_secs(1),
        "a publish gives up within its timeout, took {:?}",
        started.elapsed()
    );
}

async fn a_subscription_that_lost_its_connection_reports_a_gap_and_then_receives_again(kind: Kind) {
    let Some((proxy, behind, direct)) = cut_pair(kind).await else {
        return;
    };
    let mut deliveries = behind.subscribe().await.unwrap();
    direct.publish(&count(1, 1)).await.unwrap();
    assert_eq!(next(&mut deliveries).await, Delivery::Event(count(1, 1)));

    proxy.cut();
    tokio::time::sleep(Duration::from_millis(300)).await;
    direct.publish(&count(1, 2)).await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    proxy.restore();

    assert_eq!(
        next(&mut deliveries).await,
        Delivery::Gap,
        "what was published during the outage is reported as a gap, not lost silently"
    );
    direct.publish(&count(1, 3)).await.unwrap();
    assert_eq!(next(&mut deliveries).await, Delivery::Event(count(1, 3)));
}

macro_rules! contract {
    ($kind:ident, $module:ident, [$($test:ident),* $(,)?]) => {
        mod $module {
            use super::*;
            $(
                #[tokio::test]
                async fn $test() {
                    super::$test(Kind::$kind).await;
                }
            )*
        }
    };
}

contract!(
    Memory,
    memory,
    [
        every_instance_receives_each_event_once_in_publish_order,
        events_from_two_instances_each_keep_their_order,
        an_event_bigger_than_a_notify_payload_arrives_whole,
    ]
);
contract!(
    Redis,
    redis,
    [
        every_instance_receives_each_event_once_in_publish_order,
        events_from_two_instances_each_keep_their_order,
        an_event_bigger_than_a_notify_payload_arrives_whole,
        publishing_while_the_broker_is_unreachable_fails_fast,
        a_subscription_that_lost_its_connection_reports_a_gap_and_then_receives_again,
    ]
);
contract!(
    Postgres,
    postgres,
    [
        every_instance_receives_each_event_once_in_publish_order,
        events_from_two_instances_each_keep_their_order,
        an_event_bigger_than_a_notify_payload_arrives_whole,
        publishing_while_the_broker_is_unreachable_fails_fast,
        a_subscription_that_lost_its_connection_reports_a_gap_and_then_receives_again,
    ]
);
