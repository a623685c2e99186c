//! The transactional outbox: the events of a change are rows written in the change's own
//! transaction, so that there is no change without its events and no event without its
//! change. The dispatcher (`crm-events`) delivers them from there.

use std::sync::Arc;

use chrono::{SecondsFormat, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction};
use serde_json::Value as Json;
use tmf_apis::{
    EventHeader, EventKind, RequestContext, ResourceDescriptor, TmfResult, envelope,
    events_of_change,
};
use tokio::sync::Notify;

use crate::error::db_error;
use crate::sql::Sql;

/// Wakes the local dispatcher when events have been committed, so that delivery does not
/// wait for its next poll.
#[derive(Debug, Clone, Default)]
pub struct EventSignal(Arc<Notify>);

impl EventSignal {
    /// Says that events were committed.
    pub fn notify(&self) {
        self.0.notify_one();
    }

    /// Waits until events are committed.
    pub async fn notified(&self) {
        self.0.notified().await;
    }
}

/// Writes the events of a change from `before` to `after` of a resource into the outbox,
/// within `txn`, followed by the resource's own business events of the change (`domain`).
/// The resource travels with a relative `href`; the dispatcher makes it absolute when a
/// public base URL is configured.
pub async fn record(
    txn: &DatabaseTransaction,
    descriptor: &ResourceDescriptor,
    ctx: &RequestContext,
    (before, after): (Option<&Json>, Option<&Json>),
    domain: &[EventKind],
) -> TmfResult<()> {
    let mut events = events_of_change(before, after);
    events.extend(domain.iter().map(|kind| (*kind, None)));
    let Some(resource) = after.or(before) else {
        return Ok(());
    };
    if events.is_empty() {
        return Ok(());
    }
    let id = resource
        .get("id")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_owned();
    let resource = with_relative_href(descriptor, &id, resource);
    let now = Utc::now();
    let event_time = now.to_rfc3339_opts(SecondsFormat::Millis, true);
    for (kind, field_path) in events {
        let event_id = uuid::Uuid::now_v7().to_string();
        let header = EventHeader {
            event_id: &event_id,
            event_time: &event_time,
            correlation_id: ctx.correlation_id.as_deref(),
            field_path: field_path.as_deref(),
        };
        let body = envelope(descriptor, kind, &header, resource.clone());
        let mut insert = Sql::new(txn.get_database_backend());
        insert
            .push("INSERT INTO event_outbox (event_id, api, event_type, resource_type, resource_id, body, created_at) VALUES (")
            .bind(event_id.clone())
            .push(", ")
            .bind(descriptor.base_path)
            .push(", ")
            .bind(descriptor.event_type(kind))
            .push(", ")
            .bind(descriptor.type_name)
            .push(", ")
            .bind(id.clone())
            .push(", ")
            .bind(crate::json_text(&body))
            .push(", ")
            .bind(now.timestamp_micros())
            .push(")");
        txn.execute_raw(insert.build()).await.map_err(db_error)?;
    }
    Ok(())
}

fn with_relative_href(descriptor: &ResourceDescriptor, id: &str, resource: &Json) -> Json {
    let mut resource = resource.clone();
    if let Json::Object(map) = &mut resource {
        map.insert(
            "href".into(),
            Json::String(format!("{}/{id}", descriptor.collection_path())),
        );
    }
    resource
}

/// Erases the resource carried by every event about it (privacy erasure): `erase` is applied
/// to each event's own representation of the resource, so that no personal value stays in
/// the outbox or reaches a listener later, and what the erasure keeps (states, dates,
/// amounts, references) stays as each event recorded it.
pub async fn scrub(
    txn: &DatabaseTransaction,
    descriptor: &ResourceDescriptor,
    id: &str,
    erase: &(dyn Fn(&Json) -> Json + Sync),
) -> TmfResult<()> {
    let backend = txn.get_database_backend();
    let mut select = Sql::new(backend);
    select
        .push("SELECT seq, body FROM event_outbox WHERE resource_type = ")
        .bind(descriptor.type_name)
        .push(" AND resource_id = ")
        .bind(id.to_owned());
    let rows = txn.query_all_raw(select.build()).await.map_err(db_error)?;
    let key = descriptor.payload_key();
    for row in rows {
        let seq: i64 = row.try_get("", "seq").map_err(db_error)?;
        let text: String = row.try_get("", "body").map_err(db_error)?;
        let mut body: Json = serde_json::from_str(&text).map_err(tmf_apis::TmfError::internal)?;
        let Some(resource) = body.get_mut("event").and_then(|event| event.get_mut(&key)) else {
            continue;
        };
        *resource = erase(resource);
        let mut update = Sql::new(backend);
        update
            .push("UPDATE event_outbox SET body = ")
            .bind(crate::json_text(&body))
            .push(" WHERE seq = ")
            .bind(seq);
        txn.execute_raw(update.build()).await.map_err(db_error)?;
    }
    Ok(())
}
