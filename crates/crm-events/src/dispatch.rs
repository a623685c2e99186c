//! The dispatcher: fans the outbox out into one delivery row per matching subscription, and
//! delivers those rows.
//!
//! - **Fan-out** runs in one instance at a time (a row lock on `event_job`, or SQLite's
//!   single writer) and takes outbox rows in sequence order, so that deliveries exist in
//!   commit order for each resource (writes to one resource are serialised by its row lock).
//! - **Delivery** claims due rows with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL), only
//!   the oldest pending row of each (subscription, resource), so a resource's events reach a
//!   listener in order and a failing one holds back only that resource's later events. A
//!   crash leaves the lease to expire; another instance, or this one restarted, takes over.
//! - Failures are retried with exponential backoff and full jitter, and dead-lettered after
//!   `max_attempts`; a dead letter no longer holds back later events and can be redelivered.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use chrono::Utc;
use crm_store::sql::Sql;
use crm_store::{ConnectionTrait, DbBackend};
use crm_store::{DatabaseTransaction, Store, db_error};
use futures_util::StreamExt;
use rand::Rng;
use serde_json::Value;
use tmf_apis::{ResourceDescriptor, TmfError, TmfResult};
use tokio::sync::{Notify, OnceCell, watch};
use tokio::task::JoinHandle;

use crate::EventSettings;
use crate::filter::HubQuery;
use crate::sink::{Attempt, HttpSink, NatsSink};
use crate::subscription::{self, BUS_SUBSCRIPTION, Subscription};

/// Outbox rows fanned out per transaction.
const FAN_OUT_BATCH: i64 = 1000;
/// Rows per multi-row statement.
const CHUNK: usize = 500;

/// A subscription's query text and its parsed form.
type ParsedQuery = (Option<String>, Arc<HubQuery>);

/// Delivers the outbox. Cheap to clone; every clone shares its sinks.
#[derive(Clone)]
pub struct Dispatcher {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher")
            .field("settings", &self.inner.settings)
            .field("public_url", &self.inner.public_url)
            .finish_non_exhaustive()
    }
}

struct Inner {
    store: Store,
    settings: EventSettings,
    resources: HashMap<&'static str, Vec<ResourceDescriptor>>,
    http: HttpSink,
    nats: OnceCell<NatsSink>,
    public_url: Option<String>,
    /// The collection path of every served type, for the `href` of references in events.
    links: BTreeMap<String, String>,
    queries: Mutex<HashMap<String, ParsedQuery>>,
    fanned_out: Notify,
}

/// The running dispatcher tasks of this instance.
pub struct DispatcherHandle {
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for DispatcherHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DispatcherHandle")
            .field("tasks", &self.tasks.len())
            .finish_non_exhaustive()
    }
}

impl DispatcherHandle {
    /// Stops the tasks after the work in hand (a claimed batch is finished, not dropped).
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }

    /// Stops the tasks at once, as a crash would: claimed deliveries stay leased until their
    /// lease expires. For tests of recovery.
    pub fn abort(self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// A claimed delivery, ready to send.
struct Claimed {
    id: i64,
    attempts: i64,
    subscription_id: String,
    callback: String,
    secret: Option<String>,
    event_id: String,
    api: String,
    event_type: String,
    body: String,
}

impl Dispatcher {
    /// A dispatcher over `store` for the resources of every API (`public_url` makes the
    /// `href`s in events absolute). Registers or removes the event bus subscription as the
    /// settings say.
    pub async fn new(
        store: Store,
        settings: EventSettings,
        resources: &[ResourceDescriptor],
        public_url: Option<String>,
    ) -> TmfResult<Self> {
        let http = HttpSink::new(&settings).map_err(TmfError::internal)?;
        subscription::ensure_bus(&store, settings.nats_url.as_deref()).await?;
        let mut by_api: HashMap<&'static str, Vec<ResourceDescriptor>> = HashMap::new();
        for resource in resources {
            by_api
                .entry(resource.base_path)
                .or_default()
                .push(resource.clone());
        }
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                settings,
                resources: by_api,
                http,
                nats: OnceCell::new(),
                public_url: public_url.map(|u| u.trim_end_matches('/').to_owned()),
                links: resources
                    .iter()
                    .map(|r| (r.type_name.to_owned(), r.collection_path()))
                    .collect(),
                queries: Mutex::new(HashMap::new()),
                fanned_out: Notify::new(),
            }),
        })
    }

    /// Starts the fan-out, delivery and retention tasks.
    pub fn start(&self) -> DispatcherHandle {
        let (shutdown, watch) = watch::channel(false);
        let fan_out = {
            let this = self.clone();
            let mut stop = watch.clone();
            tokio::spawn(async move {
                loop {
                    let more = match this.fan_out_once().await {
                        Ok(count) => {
                            if count > 0 {
                                this.inner.fanned_out.notify_one();
                            }
                            count as i64 == FAN_OUT_BATCH
                        }
                        Err(error) => {
                            tracing::warn!(error = %error.message, "event fan-out failed");
                            false
                        }
                    };
                    if more {
                        continue;
                    }
                    tokio::select! {
                        _ = this.inner.store.events().notified() => {}
                        _ = tokio::time::sleep(this.inner.settings.poll_interval()) => {}
                        _ = stop.changed() => return,
                    }
                }
            })
        };
        // Several delivery workers: one sends a batch while another claims the next (a
        // claimed row is leased, so they never take the same one).
        let deliver: Vec<JoinHandle<()>> = (0..self.inner.settings.workers.max(1))
            .map(|_| {
                let this = self.clone();
                let mut stop = watch.clone();
                tokio::spawn(async move {
                    loop {
                        let more = match this.deliver_once().await {
                            Ok(count) => count > 0,
                            Err(error) => {
                                tracing::warn!(error = %error.message, "event delivery failed");
                                false
                            }
                        };
                        if *stop.borrow() {
                            return;
                        }
                        if more {
                            // Wake a peer: there may be more than one worker's share.
                            this.inner.fanned_out.notify_one();
                            continue;
                        }
                        tokio::select! {
                            _ = this.inner.fanned_out.notified() => {}
                            _ = tokio::time::sleep(this.inner.settings.poll_interval()) => {}
                            _ = stop.changed() => return,
                        }
                    }
                })
            })
            .collect();
        let purge = {
            let this = self.clone();
            let mut stop = watch;
            tokio::spawn(async move {
                loop {
                    if let Err(error) = this.purge().await {
                        tracing::warn!(error = %error.message, "event retention failed");
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(600)) => {}
                        _ = stop.changed() => return,
                    }
                }
            })
        };
        let mut tasks = vec![fan_out, purge];
        tasks.extend(deliver);
        DispatcherHandle { shutdown, tasks }
    }

    fn backend(&self) -> DbBackend {
        self.inner.store.backend()
    }

    /// Fans out one batch of the outbox; returns how many events it took.
    #[tracing::instrument(name = "events.fan_out", skip_all)]
    pub async fn fan_out_once(&self) -> TmfResult<usize> {
        let txn = self.inner.store.begin().await?;
        let outcome = self.fan_out_in(&txn).await;
        crm_store::finish(txn, outcome).await
    }

    async fn fan_out_in(&self, txn: &DatabaseTransaction) -> TmfResult<usize> {
        let backend = self.backend();
        // One fan-out at a time: deliveries must exist in outbox order.
        if backend == DbBackend::Postgres {
            let mut lock = Sql::new(backend);
            lock.push("SELECT name FROM event_job WHERE name = 'fanout' FOR UPDATE SKIP LOCKED");
            if txn
                .query_one_raw(lock.build())
                .await
                .map_err(db_error)?
                .is_none()
            {
                return Ok(0);
            }
        } else {
            let mut lock = Sql::new(backend);
            lock.push("UPDATE event_job SET name = name WHERE name = 'fanout'");
            txn.execute_raw(lock.build()).await.map_err(db_error)?;
        }
        let mut select = Sql::new(backend);
        select
            .push("SELECT seq, api, event_type, resource_type, resource_id, body FROM event_outbox WHERE fanned_out = 0 ORDER BY seq LIMIT ")
            .bind(FAN_OUT_BATCH);
        let rows = txn.query_all_raw(select.build()).await.map_err(db_error)?;
        if rows.is_empty() {
            return Ok(0);
        }
        let subscriptions = self.subscriptions(txn).await?;
        let now = Utc::now().timestamp_micros();
        let mut seqs = Vec::with_capacity(rows.len());
        let mut deliveries: Vec<(String, i64, String)> = Vec::new();
        for row in &rows {
            let seq: i64 = row.try_get("", "seq").map_err(db_error)?;
            let api: String = row.try_get("", "api").map_err(db_error)?;
            let event_type: String = row.try_get("", "event_type").map_err(db_error)?;
            let resource_type: String = row.try_get("", "resource_type").map_err(db_error)?;
            let resource_id: String = row.try_get("", "resource_id").map_err(db_error)?;
            seqs.push(seq);
            let mut resource: Option<Option<Value>> = None;
            for (subscription, query) in &subscriptions {
                if subscription.api != "*" && subscription.api != api {
                    continue;
                }
                let wanted = query.wants(&event_type, &resource_type, || {
                    resource
                        .get_or_insert_with(|| {
                            let body: String = row.try_get("", "body").ok()?;
                            event_resource(&serde_json::from_str(&body).ok()?)
                        })
                        .clone()
                });
                if wanted {
                    deliveries.push((
                        subscription.id.clone(),
                        seq,
                        format!("{resource_type}/{resource_id}"),
                    ));
                }
            }
        }
        for chunk in deliveries.chunks(CHUNK) {
            let mut insert = Sql::new(backend);
            insert.push("INSERT INTO event_delivery (subscription_id, seq, resource_key, status, attempts, next_attempt_at, lease_until, updated_at) VALUES ");
            for (i, (subscription_id, seq, resource_key)) in chunk.iter().enumerate() {
                if i > 0 {
                    insert.push(", ");
                }
                insert
                    .push("(")
                    .bind(subscription_id.clone())
                    .push(", ")
                    .bind(*seq)
                    .push(", ")
                    .bind(resource_key.clone())
                    .push(", 'pending', 0, ")
                    .bind(now)
                    .push(", 0, ")
                    .bind(now)
                    .push(")");
            }
            insert.push(" ON CONFLICT (subscription_id, seq) DO NOTHING");
            txn.execute_raw(insert.build()).await.map_err(db_error)?;
        }
        for chunk in seqs.chunks(CHUNK) {
            let mut update = Sql::new(backend);
            update.push("UPDATE event_outbox SET fanned_out = 1 WHERE seq IN (");
            update.bind_list(chunk.iter().copied());
            update.push(")");
            txn.execute_raw(update.build()).await.map_err(db_error)?;
        }
        Ok(rows.len())
    }

    /// Every subscription with its parsed query (parsed once per query text).
    async fn subscriptions(
        &self,
        txn: &DatabaseTransaction,
    ) -> TmfResult<Vec<(Subscription, Arc<HubQuery>)>> {
        let subscriptions = subscription::all(txn).await?;
        let mut cache = self
            .inner
            .queries
            .lock()
            .map_err(|_| TmfError::internal("hub query cache poisoned"))?;
        let mut out = Vec::with_capacity(subscriptions.len());
        for subscription in subscriptions {
            let cached = cache
                .get(&subscription.id)
                .filter(|(text, _)| *text == subscription.query)
                .map(|(_, query)| query.clone());
            let query = match cached {
                Some(query) => query,
                None => {
                    let resources = self
                        .inner
                        .resources
                        .get(subscription.api.as_str())
                        .map(Vec::as_slice)
                        .unwrap_or_default();
                    let query = match HubQuery::parse(subscription.query.as_deref(), resources) {
                        Ok(query) => Arc::new(query),
                        Err(error) => {
                            // Checked at registration; a query that no longer parses (the
                            // catalogue changed) matches nothing rather than everything.
                            tracing::warn!(subscription = %subscription.id, error = %error.message, "hub query no longer valid");
                            Arc::new(HubQuery::nothing())
                        }
                    };
                    cache.insert(
                        subscription.id.clone(),
                        (subscription.query.clone(), query.clone()),
                    );
                    query
                }
            };
            out.push((subscription, query));
        }
        Ok(out)
    }

    /// Claims and delivers one batch of due deliveries; returns how many it attempted.
    #[tracing::instrument(name = "events.deliver", skip_all)]
    pub async fn deliver_once(&self) -> TmfResult<usize> {
        let claimed = self.claim().await?;
        if claimed.is_empty() {
            return Ok(0);
        }
        let count = claimed.len();
        let outcomes: Vec<(i64, i64, Attempt)> = futures_util::stream::iter(claimed)
            .map(|item| async move {
                let attempt = self.send(&item).await;
                (item.id, item.attempts, attempt)
            })
            .buffer_unordered(self.inner.settings.concurrency.max(1))
            .collect()
            .await;
        self.record(outcomes).await?;
        Ok(count)
    }

    async fn claim(&self) -> TmfResult<Vec<Claimed>> {
        let backend = self.backend();
        // The lease runs from when the claim holds the write lock, not from before a wait
        // for it.
        let txn = self.inner.store.begin().await?;
        let now = Utc::now().timestamp_micros();
        let lease = i64::try_from(self.inner.settings.lease_seconds)
            .unwrap_or(60)
            .saturating_mul(1_000_000);
        let mut claim = Sql::new(backend);
        claim
            .push("UPDATE event_delivery SET lease_until = ")
            .bind(now.saturating_add(lease))
            // No indexed column changes: PostgreSQL can update in place (HOT).
            .push(", attempts = attempts + 1 WHERE id IN (SELECT d.id FROM event_delivery d WHERE d.status = 'pending' AND d.next_attempt_at <= ")
            .bind(now)
            .push(" AND d.lease_until <= ")
            .bind(now)
            .push(" AND NOT EXISTS (SELECT 1 FROM event_delivery e WHERE e.status = 'pending' AND e.subscription_id = d.subscription_id AND e.resource_key = d.resource_key AND e.seq < d.seq) ORDER BY d.next_attempt_at, d.seq LIMIT ")
            .bind(i64::from(self.inner.settings.batch_size.max(1)));
        if backend == DbBackend::Postgres {
            claim.push(" FOR UPDATE SKIP LOCKED");
        }
        claim.push(") RETURNING id");
        let claimed = txn.query_all_raw(claim.build()).await.map_err(db_error);
        let rows = crm_store::finish(txn, claimed).await?;
        let ids: Vec<i64> = rows
            .iter()
            .map(|row| row.try_get("", "id").map_err(db_error))
            .collect::<TmfResult<_>>()?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut select = Sql::new(backend);
        select.push("SELECT d.id, d.attempts, d.subscription_id, s.callback, s.secret, o.event_id, o.api, o.event_type, o.body FROM event_delivery d JOIN event_subscription s ON s.id = d.subscription_id JOIN event_outbox o ON o.seq = d.seq WHERE d.id IN (");
        select.bind_list(ids.iter().copied());
        select.push(") ORDER BY d.seq");
        let rows = self
            .inner
            .store
            .connection()
            .query_all_raw(select.build())
            .await
            .map_err(db_error)?;
        rows.iter()
            .map(|row| {
                Ok(Claimed {
                    id: row.try_get("", "id").map_err(db_error)?,
                    attempts: row.try_get("", "attempts").map_err(db_error)?,
                    subscription_id: row.try_get("", "subscription_id").map_err(db_error)?,
                    callback: row.try_get("", "callback").map_err(db_error)?,
                    secret: row.try_get("", "secret").map_err(db_error)?,
                    event_id: row.try_get("", "event_id").map_err(db_error)?,
                    api: row.try_get("", "api").map_err(db_error)?,
                    event_type: row.try_get("", "event_type").map_err(db_error)?,
                    body: row.try_get("", "body").map_err(db_error)?,
                })
            })
            .collect()
    }

    #[tracing::instrument(
        name = "events.send",
        skip_all,
        fields(delivery = item.id, event = %item.event_id, subscription = %item.subscription_id, attempt = item.attempts + 1)
    )]
    async fn send(&self, item: &Claimed) -> Attempt {
        let body = self.finish_body(&item.body);
        if item.subscription_id == BUS_SUBSCRIPTION {
            let sink = self
                .inner
                .nats
                .get_or_try_init(|| NatsSink::connect(&self.inner.settings, &item.callback))
                .await;
            return match sink {
                Ok(sink) => {
                    let api_name = tmf_apis::event::api_name(&item.api);
                    sink.deliver(api_name, &item.event_type, &item.event_id, body)
                        .await
                }
                Err(error) => Attempt {
                    delivered: false,
                    status: None,
                    error: Some(error.message),
                },
            };
        }
        self.inner
            .http
            .deliver(&item.callback, item.secret.as_deref(), &item.event_id, body)
            .await
    }

    /// The body as delivered: the references inside the resource linked as in responses, and
    /// `href`s absolute when a public URL is configured (relative otherwise).
    fn finish_body(&self, stored: &str) -> Bytes {
        let Ok(mut body) = serde_json::from_str::<Value>(stored) else {
            return Bytes::from(stored.to_owned());
        };
        let base = self.inner.public_url.as_deref().unwrap_or_default();
        if let Some(Value::Object(payload)) = body.get_mut("event") {
            for resource in payload.values_mut() {
                if let Some(Value::String(href)) = resource.get_mut("href")
                    && href.starts_with('/')
                {
                    *href = format!("{base}{href}");
                }
                tmf_apis::link_references(resource, &self.inner.links, base);
            }
        }
        Bytes::from(body.to_string())
    }

    async fn record(&self, outcomes: Vec<(i64, i64, Attempt)>) -> TmfResult<()> {
        let backend = self.backend();
        let now = Utc::now().timestamp_micros();
        let txn = self.inner.store.begin().await?;
        let outcome = async {
            let mut delivered: HashMap<Option<u16>, Vec<i64>> = HashMap::new();
            for (id, attempts, attempt) in &outcomes {
                if attempt.delivered {
                    delivered.entry(attempt.status).or_default().push(*id);
                    continue;
                }
                let dead = *attempts >= i64::from(self.inner.settings.max_attempts);
                let mut update = Sql::new(backend);
                update
                    .push("UPDATE event_delivery SET status = ")
                    .bind(if dead { "dead" } else { "pending" })
                    .push(", next_attempt_at = ")
                    .bind(now.saturating_add(self.backoff(*attempts)))
                    .push(", lease_until = 0, last_status = ")
                    .bind(attempt.status.map(i32::from))
                    .push(", last_error = ")
                    .bind(attempt.error.clone())
                    .push(", updated_at = ")
                    .bind(now)
                    .push(" WHERE id = ")
                    .bind(*id);
                txn.execute_raw(update.build()).await.map_err(db_error)?;
                if dead {
                    tracing::warn!(delivery = id, error = ?attempt.error, "event dead-lettered");
                }
            }
            for (status, ids) in delivered {
                for chunk in ids.chunks(CHUNK) {
                    let mut update = Sql::new(backend);
                    update
                        .push("UPDATE event_delivery SET status = 'delivered', lease_until = 0, last_status = ")
                        .bind(status.map(i32::from))
                        .push(", last_error = NULL, updated_at = ")
                        .bind(now)
                        .push(" WHERE id IN (");
                    update.bind_list(chunk.iter().copied());
                    update.push(")");
                    txn.execute_raw(update.build()).await.map_err(db_error)?;
                }
            }
            Ok(())
        }
        .await;
        crm_store::finish(txn, outcome).await
    }

    /// The delay before the next attempt, in µs: exponential with full jitter (half fixed,
    /// half random), capped.
    fn backoff(&self, attempts: i64) -> i64 {
        let settings = &self.inner.settings;
        let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        let ceiling = settings
            .backoff_base_ms
            .saturating_mul(1u64 << exponent)
            .min(settings.backoff_max_ms)
            .max(1);
        let half = ceiling / 2;
        let delay_ms = half + rand::rng().random_range(0..=ceiling - half);
        i64::try_from(delay_ms.saturating_mul(1000)).unwrap_or(i64::MAX)
    }

    /// Removes delivered records and fully delivered events older than the retention.
    #[tracing::instrument(name = "events.purge", skip_all)]
    pub async fn purge(&self) -> TmfResult<()> {
        let backend = self.backend();
        let cutoff = Utc::now().timestamp_micros().saturating_sub(
            i64::from(self.inner.settings.retention_days).saturating_mul(86_400_000_000),
        );
        let mut deliveries = Sql::new(backend);
        deliveries
            .push("DELETE FROM event_delivery WHERE status = 'delivered' AND updated_at < ")
            .bind(cutoff);
        let mut events = Sql::new(backend);
        events
            .push("DELETE FROM event_outbox WHERE fanned_out = 1 AND created_at < ")
            .bind(cutoff)
            .push(
                " AND NOT EXISTS (SELECT 1 FROM event_delivery d WHERE d.seq = event_outbox.seq)",
            );
        // Through the store's write path, so on SQLite it queues with every other writer.
        self.inner
            .store
            .write(async |txn| {
                txn.execute_raw(deliveries.build())
                    .await
                    .map_err(db_error)?;
                txn.execute_raw(events.build()).await.map_err(db_error)?;
                Ok(())
            })
            .await
    }
}

/// The resource an event body carries (`event.<resourceName>`).
pub(crate) fn event_resource(body: &Value) -> Option<Value> {
    body.get("event")?.as_object()?.values().next().cloned()
}
