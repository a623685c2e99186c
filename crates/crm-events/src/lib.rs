//! TMF notifications for every API: the hub (`POST {basePath}hub`, `GET`/`DELETE
//! {basePath}hub/{id}`) where listeners register, and the dispatcher that delivers the
//! transactional outbox (`crm_store::outbox`) to them.
//!
//! Delivery is at-least-once with a stable `eventId`, in commit order per resource and
//! subscription, retried with exponential backoff and jitter, dead-lettered after a set
//! number of attempts, and resumed after a restart: every step's state is a database row.
//! Several server instances on one PostgreSQL share the work through row locks
//! (`FOR UPDATE SKIP LOCKED`) and leases, so each event reaches each subscription once.
//!
//! Depends on `tmf-apis` and `crm-store`; never on an application crate.

mod dispatch;
mod filter;
mod hub;
mod sink;
mod subscription;

use std::time::Duration;

use serde::Deserialize;

pub use dispatch::{Dispatcher, DispatcherHandle};
pub use filter::HubQuery;
pub use hub::{HubState, routes};
pub use sink::{CallbackPolicy, sign};
pub use subscription::{BUS_SUBSCRIPTION, Subscription};

/// How events are delivered.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EventSettings {
    /// Whether this instance runs a dispatcher (every instance may; they share the work).
    pub dispatch: bool,
    /// How often an idle dispatcher looks for work written by other instances, in ms.
    pub poll_interval_ms: u64,
    /// Attempts before a delivery is dead-lettered.
    pub max_attempts: u32,
    /// The first retry's delay, in ms; each further retry doubles it (with jitter).
    pub backoff_base_ms: u64,
    /// The longest delay between retries, in ms.
    pub backoff_max_ms: u64,
    /// How long a callback may take to answer, in ms.
    pub request_timeout_ms: u64,
    /// Deliveries claimed at once.
    pub batch_size: u32,
    /// Deliveries in flight at once, per worker.
    pub concurrency: usize,
    /// Delivery workers per instance (one claims while another sends).
    pub workers: usize,
    /// How long a claimed delivery is reserved for the claiming instance, in seconds; after
    /// that (a crash) another instance takes it over.
    pub lease_seconds: u64,
    /// Host names (`listener.example.com`, `*.example.com`) or IP addresses callbacks may
    /// point at. Empty: any host whose addresses are all public (no loopback, private,
    /// link-local or otherwise internal address).
    pub allowed_callback_hosts: Vec<String>,
    /// NATS server URL: when set, every event is also published to JetStream.
    pub nats_url: Option<String>,
    /// The subject prefix on NATS: events go to `{prefix}.{api}.{eventType}`.
    pub nats_subject_prefix: String,
    /// The JetStream stream that captures `{prefix}.>` (created if missing).
    pub nats_stream: String,
    /// Days delivered events and their delivery records are kept.
    pub retention_days: u32,
}

impl Default for EventSettings {
    fn default() -> Self {
        Self {
            dispatch: true,
            poll_interval_ms: 500,
            max_attempts: 10,
            backoff_base_ms: 1000,
            backoff_max_ms: 600_000,
            request_timeout_ms: 10_000,
            batch_size: 256,
            concurrency: 32,
            workers: 2,
            lease_seconds: 60,
            allowed_callback_hosts: Vec::new(),
            nats_url: None,
            nats_subject_prefix: "tmf".into(),
            nats_stream: "TMF_EVENTS".into(),
            retention_days: 7,
        }
    }
}

impl EventSettings {
    fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms.max(1))
    }
}
