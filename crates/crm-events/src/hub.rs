//! The hub of every API (TMF630 notifications): `POST {basePath}hub` registers a listener,
//! `GET`/`DELETE {basePath}hub/{id}` reads or removes it. Documented extensions:
//! `GET {basePath}hub/{id}/delivery` lists the subscription's recent deliveries and failures,
//! `POST {basePath}hub/{id}/redeliver` schedules its dead letters again.

use std::sync::Arc;

use axum::extract::{FromRequest, Path, RawQuery, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, SecondsFormat, Utc};
use crm_store::ConnectionTrait;
use crm_store::sql::Sql;
use crm_store::{Store, db_error};
use serde::Deserialize;
use serde_json::{Value, json};
use tmf_apis::body::{RawBody, from_value, parse_json, require_json};
use tmf_apis::{
    AccessPolicy, Domain, Operation, RequestContext, ResourceDescriptor, TmfError, TmfResult,
    list_response, request_base_url,
};

use crate::filter::HubQuery;
use crate::sink::CallbackPolicy;
use crate::subscription::{self, Subscription};

/// What the hub routes share.
#[derive(Clone)]
pub struct HubState {
    /// The database.
    pub store: Store,
    /// Who may do what.
    pub policy: Arc<dyn AccessPolicy>,
    /// Which callbacks may be registered.
    pub callbacks: CallbackPolicy,
}

impl std::fmt::Debug for HubState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubState")
            .field("store", &self.store)
            .field("callbacks", &self.callbacks)
            .finish_non_exhaustive()
    }
}

#[derive(Clone)]
struct ApiHub {
    state: HubState,
    base_path: &'static str,
    resources: Arc<Vec<ResourceDescriptor>>,
}

/// `EventSubscriptionInput`, plus the write-only `secret` (extension) that deliveries are
/// signed with. Its `Debug` never shows the secret.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubscriptionInput {
    callback: String,
    #[serde(default)]
    query: Option<String>,
    #[serde(default)]
    secret: Option<String>,
}

impl std::fmt::Debug for SubscriptionInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubscriptionInput")
            .field("callback", &self.callback)
            .field("query", &self.query)
            .field("secret", &self.secret.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// The hub routes of every API the resources belong to.
pub fn routes(state: HubState, resources: &[ResourceDescriptor]) -> Router {
    let mut router = Router::new();
    let mut apis: Vec<&'static str> = resources.iter().map(|r| r.base_path).collect();
    apis.sort_unstable();
    apis.dedup();
    for base_path in apis {
        let hub = ApiHub {
            state: state.clone(),
            base_path,
            resources: Arc::new(
                resources
                    .iter()
                    .filter(|r| r.base_path == base_path)
                    .cloned()
                    .collect(),
            ),
        };
        router = router.merge(
            Router::new()
                .route(&format!("{base_path}hub"), post(register))
                .route(
                    &format!("{base_path}hub/{{id}}"),
                    get(retrieve).delete(unregister),
                )
                .route(&format!("{base_path}hub/{{id}}/delivery"), get(deliveries))
                .route(&format!("{base_path}hub/{{id}}/redeliver"), post(redeliver))
                .with_state(hub),
        );
    }
    router
}

impl ApiHub {
    fn authorize(&self, request: &Request, operation: Operation) -> TmfResult<RequestContext> {
        RequestContext::authorize_in(
            request,
            self.state.policy.as_ref(),
            Domain::Hub,
            "the hub",
            operation,
        )
    }

    async fn subscription(&self, id: &str) -> TmfResult<Subscription> {
        subscription::get(&self.state.store, self.base_path, id)
            .await?
            .ok_or_else(|| TmfError::not_found("EventSubscription", id))
    }
}

async fn register(State(hub): State<ApiHub>, request: Request) -> TmfResult<Response> {
    let ctx = hub.authorize(&request, Operation::Create)?;
    let base = request_base_url(&request);
    require_json(request.headers())?;
    let RawBody(bytes) = RawBody::from_request(request, &()).await?;
    let input: SubscriptionInput = from_value(parse_json(&bytes)?)?;
    hub.state.callbacks.check(&input.callback)?;
    let query = input
        .query
        .map(|q| q.trim().to_owned())
        .filter(|q| !q.is_empty());
    HubQuery::parse(query.as_deref(), &hub.resources)?;
    if let Some(secret) = &input.secret
        && secret.len() < 16
    {
        return Err(TmfError::invalid_body(
            "secret must be at least 16 characters",
        ));
    }
    let created = Subscription {
        id: uuid::Uuid::now_v7().to_string(),
        api: hub.base_path.to_owned(),
        callback: input.callback,
        query,
        secret: input.secret,
    };
    subscription::insert(&hub.state.store, &created, &ctx.actor.subject).await?;
    tracing::info!(subscription = %created.id, api = hub.base_path, by = %ctx.actor.subject, "listener registered");
    let location = format!("{base}{}hub/{}", hub.base_path, created.id);
    let mut response = (StatusCode::CREATED, Json(created.to_json())).into_response();
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

async fn retrieve(
    State(hub): State<ApiHub>,
    Path(id): Path<String>,
    request: Request,
) -> TmfResult<Json<Value>> {
    hub.authorize(&request, Operation::Read)?;
    Ok(Json(hub.subscription(&id).await?.to_json()))
}

async fn unregister(
    State(hub): State<ApiHub>,
    Path(id): Path<String>,
    request: Request,
) -> TmfResult<StatusCode> {
    let ctx = hub.authorize(&request, Operation::Delete)?;
    if !subscription::delete(&hub.state.store, hub.base_path, &id).await? {
        return Err(TmfError::not_found("EventSubscription", &id));
    }
    tracing::info!(subscription = %id, by = %ctx.actor.subject, "listener unregistered");
    Ok(StatusCode::NO_CONTENT)
}

/// The query's parameters, decoded strictly (a value that is not UTF-8 is a 400).
fn query_params(raw: Option<&str>) -> TmfResult<Vec<(String, String)>> {
    tmf_apis::query::decode_pairs(raw.unwrap_or_default())
}

fn micros_to_time(micros: i64) -> Option<String> {
    DateTime::<Utc>::from_timestamp_micros(micros)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
}

async fn deliveries(
    State(hub): State<ApiHub>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> TmfResult<Response> {
    hub.authorize(&request, Operation::Read)?;
    hub.subscription(&id).await?;
    let mut status = None;
    let mut offset: i64 = 0;
    let mut limit: i64 = 100;
    for (key, value) in query_params(raw.as_deref())? {
        match key.as_str() {
            "status" => match value.as_str() {
                "pending" | "delivered" | "dead" => status = Some(value),
                _ => {
                    return Err(TmfError::invalid_query(
                        "status must be pending, delivered or dead",
                    ));
                }
            },
            "offset" => {
                offset = value
                    .parse()
                    .ok()
                    .filter(|v: &i64| *v >= 0)
                    .ok_or_else(|| {
                        TmfError::invalid_query("offset must be a non-negative integer")
                    })?;
            }
            "limit" => {
                limit = value
                    .parse()
                    .ok()
                    .filter(|v: &i64| (1..=1000).contains(v))
                    .ok_or_else(|| TmfError::invalid_query("limit must be between 1 and 1000"))?;
            }
            other => {
                return Err(TmfError::invalid_query(format!(
                    "'{other}' is not a parameter of this list (status, offset, limit)"
                )));
            }
        }
    }
    let backend = hub.state.store.backend();
    let filter = |sql: &mut Sql| {
        sql.push(" WHERE d.subscription_id = ").bind(id.clone());
        if let Some(status) = &status {
            sql.push(" AND d.status = ").bind(status.clone());
        }
    };
    let mut count = Sql::new(backend);
    count.push("SELECT COUNT(*) AS total FROM event_delivery d");
    filter(&mut count);
    let connection = hub.state.store.connection();
    let total = count.count(connection).await?;
    let mut select = Sql::new(backend);
    select.push("SELECT d.status, d.attempts, d.next_attempt_at, d.last_status, d.last_error, d.updated_at, o.event_id, o.event_type, o.resource_type, o.resource_id FROM event_delivery d JOIN event_outbox o ON o.seq = d.seq");
    filter(&mut select);
    select
        .push(" ORDER BY d.updated_at DESC, d.id DESC LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    let rows = connection
        .query_all_raw(select.build())
        .await
        .map_err(db_error)?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let status: String = row.try_get("", "status").map_err(db_error)?;
        let attempts: i64 = row.try_get("", "attempts").map_err(db_error)?;
        let last_status: Option<i32> = row.try_get("", "last_status").map_err(db_error)?;
        let last_error: Option<String> = row.try_get("", "last_error").map_err(db_error)?;
        let next_attempt_at: i64 = row.try_get("", "next_attempt_at").map_err(db_error)?;
        let updated_at: i64 = row.try_get("", "updated_at").map_err(db_error)?;
        let resource_type: String = row.try_get("", "resource_type").map_err(db_error)?;
        let resource_id: String = row.try_get("", "resource_id").map_err(db_error)?;
        let mut item = json!({
            "eventId": row.try_get::<String>("", "event_id").map_err(db_error)?,
            "eventType": row.try_get::<String>("", "event_type").map_err(db_error)?,
            "resource": {"id": resource_id, "@referredType": resource_type},
            "status": status,
            "attempts": attempts,
            "lastUpdate": micros_to_time(updated_at),
            "@type": "EventDelivery",
        });
        if let Value::Object(map) = &mut item {
            if status == "pending" {
                map.insert("nextAttempt".into(), micros_to_time(next_attempt_at).into());
            }
            if let Some(code) = last_status {
                map.insert("lastResponseStatus".into(), code.into());
            }
            if let Some(error) = last_error {
                map.insert("lastError".into(), error.into());
            }
        }
        items.push(item);
    }
    Ok(list_response(items, total))
}

async fn redeliver(
    State(hub): State<ApiHub>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> TmfResult<Json<Value>> {
    let ctx = hub.authorize(&request, Operation::Create)?;
    hub.subscription(&id).await?;
    let mut event_ids: Vec<String> = Vec::new();
    for (key, value) in query_params(raw.as_deref())? {
        if key != "eventId" {
            return Err(TmfError::invalid_query(format!(
                "'{key}' is not a parameter of redelivery (eventId)"
            )));
        }
        event_ids.extend(
            value
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned),
        );
    }
    if event_ids.len() > 1000 {
        return Err(TmfError::invalid_query("at most 1000 event ids at once"));
    }
    let now = Utc::now().timestamp_micros();
    let mut update = Sql::new(hub.state.store.backend());
    update
        .push("UPDATE event_delivery SET status = 'pending', attempts = 0, lease_until = 0, next_attempt_at = ")
        .bind(now)
        .push(", updated_at = ")
        .bind(now)
        .push(" WHERE subscription_id = ")
        .bind(id.clone())
        .push(" AND status = 'dead'");
    if !event_ids.is_empty() {
        update
            .push(" AND seq IN (SELECT seq FROM event_outbox WHERE event_id IN (")
            .bind_list(event_ids.iter().cloned())
            .push("))");
    }
    let result = hub
        .state
        .store
        .write(async |txn| txn.execute_raw(update.build()).await.map_err(db_error))
        .await?;
    hub.state.store.events().notify();
    tracing::info!(subscription = %id, by = %ctx.actor.subject, count = result.rows_affected(), "dead letters redelivered");
    Ok(Json(json!({
        "subscription": id,
        "redelivered": result.rows_affected(),
    })))
}
