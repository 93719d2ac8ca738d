//! PostgreSQL LISTEN/NOTIFY: events travel through the database Herald already runs on, so a
//! cluster needs nothing else.
//!
//! A NOTIFY payload must stay under 8000 bytes. An event that fits travels whole; a bigger one (a
//! long message) is stored in `herald_broker_events` and its id travels instead, for each
//! receiver to read. Those rows are kept for [`OVERFLOW_KEEP`]: a receiver that finds one gone
//! reports a gap. Like Redis, PostgreSQL keeps no notifications for a listener that is away, so a
//! listener that loses its connection reconnects with backoff and then yields
//! [`Delivery::Gap`].

use std::str::FromStr;

use async_trait::async_trait;
use futures::stream::BoxStream;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPool, PgPoolOptions};
use tokio::sync::mpsc;
use tracing::instrument;

use app::ssr::events::Event;

use super::{reconnect_delay, stream_of, Broker, Delivery, PUBLISH_TIMEOUT};

/// The largest payload sent inline: NOTIFY's limit is 8000 bytes, less a margin.
const MAX_INLINE_BYTES: usize = 7900;
/// How long an overflowing event is kept for receivers to read.
const OVERFLOW_KEEP: &str = "5 minutes";
/// A payload that names a stored event rather than being one starts with this.
const OVERFLOW_PREFIX: char = '#';
const SUBSCRIPTION_BUFFER: usize = 4096;

pub struct PostgresBroker {
    pool: PgPool,
    channel: String,
}

impl PostgresBroker {
    /// Connects (failing if the database cannot be reached now) and creates the overflow table.
    pub async fn connect(database_url: &str, channel: &str) -> anyhow::Result<Self> {
        let options = PgConnectOptions::from_str(database_url)?;
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(PUBLISH_TIMEOUT)
            .connect_with(options)
            .await?;
        // Instances starting together would race in CREATE TABLE IF NOT EXISTS (it can fail
        // with a duplicate type): a lock held to the end of the transaction lets one at a time.
        let mut transaction = pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext('herald_broker_events'))")
            .execute(&mut *transaction)
            .await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS herald_broker_events (\
               id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, \
               payload TEXT NOT NULL, \
               created_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        )
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(Self {
            pool,
            channel: channel.to_owned(),
        })
    }

    async fn notify(&self, payload: String) -> Result<(), sqlx::Error> {
        if payload.len() <= MAX_INLINE_BYTES {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(&self.channel)
                .bind(payload)
                .execute(&self.pool)
                .await?;
            return Ok(());
        }
        // One statement: the row is committed by the time any listener hears of it.
        let sql = format!(
            "WITH stored AS (INSERT INTO herald_broker_events (payload) VALUES ($2) RETURNING id), \
             pruned AS (DELETE FROM herald_broker_events \
                        WHERE created_at < now() - interval '{OVERFLOW_KEEP}') \
             SELECT pg_notify($1, '{OVERFLOW_PREFIX}' || id) FROM stored"
        );
        sqlx::query(&sql)
            .bind(&self.channel)
            .bind(payload)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[async_trait]
impl Broker for PostgresBroker {
    #[instrument(level = "debug", skip_all, fields(kind = <&str>::from(event)))]
    async fn publish(&self, event: &Event) -> anyhow::Result<()> {
        let payload = serde_json::to_string(event)?;
        tokio::time::timeout(PUBLISH_TIMEOUT, self.notify(payload))
            .await
            .map_err(|_| anyhow::anyhow!("PostgreSQL did not take the event in time"))??;
        Ok(())
    }

    #[instrument(level = "debug", skip_all)]
    async fn subscribe(&self) -> anyhow::Result<BoxStream<'static, Delivery>> {
        let first = listening(&self.pool, &self.channel).await?;
        let (sender, receiver) = mpsc::channel(SUBSCRIPTION_BUFFER);
        tokio::spawn(relay(
            self.pool.clone(),
            self.channel.clone(),
            first,
            sender,
        ));
        Ok(stream_of(receiver))
    }
}

async fn listening(pool: &PgPool, channel: &str) -> anyhow::Result<PgListener> {
    let listen = async {
        let mut listener = PgListener::connect_with(pool).await?;
        // sqlx would otherwise reconnect inside `try_recv` and hide the gap from us.
        listener.eager_reconnect(false);
        listener.listen(channel).await?;
        Ok::<_, sqlx::Error>(listener)
    };
    tokio::time::timeout(PUBLISH_TIMEOUT, listen)
        .await
        .map_err(|_| anyhow::anyhow!("PostgreSQL did not answer in time"))?
        .map_err(Into::into)
}

/// Hands each notification to the subscription until nobody listens; listens anew whenever the
/// connection is lost, and then reports the gap.
async fn relay(
    pool: PgPool,
    channel: String,
    first: PgListener,
    deliveries: mpsc::Sender<Delivery>,
) {
    let mut listener = first;
    loop {
        loop {
            let notification = match listener.try_recv().await {
                Ok(Some(notification)) => notification,
                Ok(None) | Err(_) => break,
            };
            let delivery = match read(&pool, notification.payload()).await {
                Ok(Some(event)) => Delivery::Event(event),
                Ok(None) => continue,
                Err(err) => {
                    tracing::warn!(%err, "could not read a stored broker event");
                    Delivery::Gap
                }
            };
            if deliveries.send(delivery).await.is_err() {
                return;
            }
        }
        drop(listener);
        tracing::warn!("lost the PostgreSQL listener; reconnecting");
        let mut attempt = 0;
        listener = loop {
            tokio::time::sleep(reconnect_delay(attempt)).await;
            if deliveries.is_closed() {
                return;
            }
            match listening(&pool, &channel).await {
                Ok(listener) => break listener,
                Err(err) => tracing::warn!(%err, attempt, "PostgreSQL is still unreachable"),
            }
            attempt += 1;
        };
        tracing::info!("PostgreSQL listener is back; catching up from storage");
        if deliveries.send(Delivery::Gap).await.is_err() {
            return;
        }
    }
}

/// The event a payload carries or names; `None` for a payload that is not one of ours.
async fn read(pool: &PgPool, payload: &str) -> anyhow::Result<Option<Event>> {
    let json = match payload.strip_prefix(OVERFLOW_PREFIX) {
        Some(id) => {
            let id: i64 = id.parse()?;
            sqlx::query_scalar::<_, String>(
                "SELECT payload FROM herald_broker_events WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
            .ok_or_else(|| anyhow::anyhow!("stored event {id} is gone"))?
        }
        None => payload.to_owned(),
    };
    match serde_json::from_str(&json) {
        Ok(event) => Ok(Some(event)),
        Err(err) => {
            tracing::warn!(%err, "ignoring a notification on the broker channel");
            Ok(None)
        }
    }
}
