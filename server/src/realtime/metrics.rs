//! What an instance counts, served at `/metrics` in Prometheus's text format by
//! `prometheus-client`.
//!
//! Each [`super::Node`] owns its registry rather than sharing a process-global one, so the tests,
//! which run many servers in one process, can read each server's own numbers.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{prometheus_text, DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::registry::Registry;

/// The counters of the real-time side. Cloning a counter shares it: the registry holds a clone of
/// each, and the hub, node and clients count on the fields.
#[derive(Debug)]
pub struct Metrics {
    pub sockets_open: Gauge,
    pub sockets_opened: Counter,
    pub frames_sent: Counter,
    pub publishes: Counter,
    pub replayed_notifications: Counter,
    pub capped_replays: Counter,
    pub slow_client_closes: Counter,
    pub queue_overflows: Counter,
    pub flood_closes: Counter,
    pub broker_gaps: Counter,
    pub failed_publishes: Counter,
    pub catch_ups: Counter,
    registry: Registry,
}

impl Default for Metrics {
    fn default() -> Self {
        let metrics = Self {
            sockets_open: Gauge::default(),
            sockets_opened: Counter::default(),
            frames_sent: Counter::default(),
            publishes: Counter::default(),
            replayed_notifications: Counter::default(),
            capped_replays: Counter::default(),
            slow_client_closes: Counter::default(),
            queue_overflows: Counter::default(),
            flood_closes: Counter::default(),
            broker_gaps: Counter::default(),
            failed_publishes: Counter::default(),
            catch_ups: Counter::default(),
            registry: Registry::default(),
        };
        metrics.registered()
    }
}

impl Metrics {
    /// Registers every metric under its public name. A counter's name gets `_total` appended and
    /// each help text a full stop, by `prometheus-client`.
    fn registered(mut self) -> Self {
        let registry = &mut self.registry;
        registry.register(
            "herald_websocket_connections",
            "WebSocket connections open on this instance",
            self.sockets_open.clone(),
        );
        let counters = [
            (
                "herald_websocket_connections",
                "WebSocket connections accepted",
                &self.sockets_opened,
            ),
            (
                "herald_frames_sent",
                "Frames written to sockets",
                &self.frames_sent,
            ),
            (
                "herald_publishes",
                "Events published by this instance",
                &self.publishes,
            ),
            (
                "herald_replayed_notifications",
                "Notifications replayed from storage to sockets",
                &self.replayed_notifications,
            ),
            (
                "herald_capped_replays",
                "Replays that sent only the newest notifications missed, then resync",
                &self.capped_replays,
            ),
            (
                "herald_slow_client_closes",
                "Sockets dropped because a write to the client timed out",
                &self.slow_client_closes,
            ),
            (
                "herald_queue_overflows",
                "Times a socket's queue was full: it caught up from storage, then sent resync",
                &self.queue_overflows,
            ),
            (
                "herald_flood_closes",
                "Sockets closed for sending too many frames",
                &self.flood_closes,
            ),
            (
                "herald_broker_gaps",
                "Times this instance may have missed broker events",
                &self.broker_gaps,
            ),
            (
                "herald_failed_publishes",
                "Events the broker could not take (stored, and caught up from storage)",
                &self.failed_publishes,
            ),
            (
                "herald_catch_ups",
                "Times a socket caught up from storage after a possible gap",
                &self.catch_ups,
            ),
        ];
        for (name, help, counter) in counters {
            registry.register(name, help, counter.clone());
        }
        registry.register_collector(Box::new(ProcessCollector));
        self
    }

    /// Every metric, in Prometheus's text format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut text = String::new();
        prometheus_text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        text
    }
}

/// What the whole process holds, read at each scrape: memory and file descriptors (from `/proc`,
/// so on Linux only) and the runtime's live tasks. A load test reads them before and after to see
/// what its sockets cost and whether everything was given back.
#[derive(Debug)]
struct ProcessCollector;

impl Collector for ProcessCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let resident = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|status| {
                let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
                let kib: i64 = line.split_whitespace().nth(1)?.parse().ok()?;
                Some(kib * 1024)
            });
        let fds = std::fs::read_dir("/proc/self/fd")
            .ok()
            .and_then(|dir| i64::try_from(dir.count()).ok());
        let tasks = tokio::runtime::Handle::try_current()
            .ok()
            .and_then(|runtime| i64::try_from(runtime.metrics().num_alive_tasks()).ok());
        let gauges = [
            (
                "process_resident_memory_bytes",
                "Resident memory of the process.",
                resident,
            ),
            ("process_open_fds", "Open file descriptors.", fds),
            (
                "herald_runtime_alive_tasks",
                "Tasks alive in the async runtime.",
                tasks,
            ),
        ];
        for (name, help, value) in gauges {
            if let Some(value) = value {
                let gauge = ConstGauge::new(value);
                let metric = encoder.encode_descriptor(name, help, None, gauge.metric_type())?;
                gauge.encode(metric)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scrape_shows_each_counter_with_its_count_and_the_process_gauges() {
        let metrics = Metrics::default();
        metrics.frames_sent.inc_by(3);
        metrics.sockets_open.inc();
        let text = metrics.render();
        assert!(text.contains("\nherald_frames_sent_total 3\n"), "{text}");
        assert!(
            text.contains("\nherald_websocket_connections 1\n"),
            "{text}"
        );
        assert!(
            text.contains("\nherald_websocket_connections_total 0\n"),
            "{text}"
        );
        assert!(
            text.contains("# TYPE herald_catch_ups_total counter\n"),
            "{text}"
        );
        assert!(text.contains("\nprocess_open_fds "), "{text}");
    }
}
