//! The customer 360 view and timeline (documented extensions of TMF629):
//! `GET /tmf-api/customerManagement/v4/customer/{id}/view` gathers, in one response, the
//! customer, the engaged party with its contact media, and one section per registered
//! contributor (accounts here; products, orders, tickets, bills, disputes, SLA standing and
//! loyalty as later domains register theirs). `GET .../customer/{id}/timeline` lists every
//! recorded change to the customer, its party and every resource that refers to either
//! (interactions among them), newest first, paged.
//!
//! Domains plug in by declaring a [`ViewContributor`] (and [`TimelineSource`]s) in their
//! module's parts; this module never names them.

use std::sync::Arc;

use async_trait::async_trait;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::HeaderValue;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use crm_module::{
    Assembled, ExtensionRoutes, ReferencingSection, TimelineSource, ViewContributor, ViewSubject,
};
use crm_store::Store;
use serde_json::{Map, Value};
use tmf_apis::openapi::ExtensionOperation;
use tmf_apis::{
    FieldCatalog, ListQuery, Operation, RequestContext, ResourceService, RouterConfig, TmfResult,
};
use utoipa::openapi::HttpMethod;

use crate::resources::{CUSTOMER, INDIVIDUAL, ORGANIZATION};

/// The engaged party, with its contact media.
struct PartySection {
    store: Store,
}

#[async_trait]
impl ViewContributor for PartySection {
    fn section(&self) -> &'static str {
        "party"
    }

    async fn contribute(&self, _ctx: &RequestContext, subject: &ViewSubject) -> TmfResult<Value> {
        let documents = crm_store::relations::documents(
            &self.store,
            INDIVIDUAL.table,
            std::slice::from_ref(&subject.party_id),
            &[INDIVIDUAL.kind, ORGANIZATION.kind],
        )
        .await?;
        Ok(documents.into_iter().next().unwrap_or(Value::Null))
    }
}

/// This crate's own sections of the 360 view: the party with its contact media, its accounts
/// (with balances) and its interactions.
pub(crate) fn sections(store: &Store) -> Vec<Arc<dyn ViewContributor>> {
    let referencing = |section, table| -> Arc<dyn ViewContributor> {
        Arc::new(ReferencingSection {
            section,
            table,
            kinds: &[],
            keep: None,
            store: store.clone(),
        })
    };
    vec![
        Arc::new(PartySection {
            store: store.clone(),
        }),
        referencing("accounts", crate::PARTY_ACCOUNT.table),
        referencing("interactions", crate::PARTY_INTERACTION.table),
    ]
}

#[derive(Clone)]
struct ViewState {
    customers: Arc<dyn ResourceService>,
    sections: Vec<Arc<dyn ViewContributor>>,
    timeline: Vec<TimelineSource>,
    store: Store,
    config: RouterConfig,
}

impl ViewState {
    fn authorize(&self, request: &Request) -> TmfResult<RequestContext> {
        RequestContext::authorize(
            request,
            self.config.policy.as_ref(),
            self.customers.descriptor(),
            Operation::Read,
        )
    }

    async fn subject(&self, ctx: &RequestContext, id: &str) -> TmfResult<ViewSubject> {
        let customer = self.customers.retrieve(ctx, id).await?;
        let party = &customer["engagedParty"];
        let subject = ViewSubject {
            customer_id: id.to_owned(),
            party_id: party["id"].as_str().unwrap_or_default().to_owned(),
            party_type: party["@referredType"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            customer,
        };
        Ok(subject)
    }
}

/// The OpenAPI description of the view and timeline operations.
fn operations(customers: &dyn ResourceService) -> Vec<ExtensionOperation> {
    let descriptor = customers.descriptor();
    let item = format!("{}{}/{{id}}", descriptor.base_path, descriptor.name);
    vec![
        ExtensionOperation {
            method: HttpMethod::Get,
            path: format!("{item}/view"),
            operation_id: "retrieveCustomerView",
            summary: "Customer 360 view (extension): the customer, its party with contact media, and one section per domain (accounts, interactions...)",
            tag: descriptor.base_path,
            has_id: true,
            paged: false,
            permission: (descriptor.domain, Operation::Read),
        },
        ExtensionOperation {
            method: HttpMethod::Get,
            path: format!("{item}/timeline"),
            operation_id: "listCustomerTimeline",
            summary: "Customer timeline (extension): interactions and every change to the customer's records, newest first",
            tag: descriptor.base_path,
            has_id: true,
            paged: true,
            permission: (descriptor.domain, Operation::Read),
        },
    ]
}

/// The routes of the 360 view and the timeline, over every module's sections and timeline
/// sources (the access policy, the query limits and the links of references as for every
/// resource).
pub(crate) fn routes(app: &Assembled) -> Result<ExtensionRoutes, crm_module::ModuleError> {
    let customers = app.service(crate::CUSTOMER.kind)?;
    let operations = operations(customers.as_ref());
    let item = customers.descriptor().item_path();
    let router = Router::new()
        .route(&format!("{item}/view"), get(customer_view))
        .route(&format!("{item}/timeline"), get(timeline))
        .with_state(ViewState {
            customers,
            sections: app.view_sections.clone(),
            timeline: app.timeline.clone(),
            store: app.store.clone(),
            config: app.config.clone(),
        });
    Ok(ExtensionRoutes { router, operations })
}

async fn customer_view(
    State(state): State<ViewState>,
    Path(id): Path<String>,
    request: Request,
) -> TmfResult<Json<Value>> {
    let ctx = state.authorize(&request)?;
    let base = tmf_apis::request_base_url(&request);
    drop(request);
    let subject = state.subject(&ctx, &id).await?;
    let mut view = Map::new();
    view.insert("id".into(), Value::String(id.clone()));
    view.insert("customer".into(), subject.customer.clone());
    for contributor in &state.sections {
        view.insert(
            contributor.section().to_owned(),
            contributor.contribute(&ctx, &subject).await?,
        );
    }
    // The sections hold at most `MAX_RELATED` related resources: say so when there are more,
    // rather than cut silently (each resource's own list, filtered by the customer, has all).
    let related =
        crm_store::relations::referencing_some(state.store.connection(), &subject.ids()).await?;
    view.insert("complete".into(), Value::Bool(related.complete));
    view.insert(
        "relatedLimit".into(),
        Value::from(crm_store::relations::MAX_RELATED),
    );
    view.insert("@type".into(), Value::String("CustomerView".into()));
    let mut view = Value::Object(view);
    tmf_apis::link_references(&mut view, &state.config.links, &base);
    Ok(Json(view))
}

async fn timeline(
    State(state): State<ViewState>,
    Path(id): Path<String>,
    RawQuery(raw_query): RawQuery,
    request: Request,
) -> TmfResult<Response> {
    let paging = ListQuery::parse(
        raw_query.as_deref(),
        &FieldCatalog::default(),
        &state.config.limits,
    )?;
    let ctx = state.authorize(&request)?;
    drop(request);
    let subject = state.subject(&ctx, &id).await?;
    let mut resources = vec![
        (CUSTOMER.table.to_owned(), subject.customer_id.clone()),
        (INDIVIDUAL.table.to_owned(), subject.party_id.clone()),
    ];
    let related =
        crm_store::relations::referencing_some(state.store.connection(), &subject.ids()).await?;
    let mut complete = related.complete;
    // Resources reached one step further (bills, through the customer's billing accounts).
    let mut further = Vec::new();
    for hop in state.timeline.iter().filter_map(|source| source.through) {
        let reached = hop.reach(&state.store, &related.resources).await?;
        complete &= reached.complete;
        further.extend(reached.resources);
    }
    resources.extend(related.resources);
    resources.extend(further);
    let page = crm_store::history_of(
        state.store.connection(),
        &resources,
        paging.offset,
        paging.limit,
    )
    .await?;
    let items: Vec<Value> = page
        .items
        .into_iter()
        .map(|mut entry| {
            let kind = state
                .timeline
                .iter()
                .find(|source| entry["resourceType"] == source.resource_type)
                .map_or("change", |source| source.kind);
            if let Value::Object(map) = &mut entry {
                map.insert("kind".into(), Value::String(kind.into()));
                map.insert("@type".into(), Value::String("TimelineEntry".into()));
            }
            entry
        })
        .collect();
    let mut response = tmf_apis::list_response(items, page.total);
    // The timeline reads the history of at most `MAX_RELATED` related resources: a header
    // says when there were more (their history is in each one's `/history`).
    let headers = response.headers_mut();
    headers.insert(
        "x-related-limit",
        HeaderValue::from(crm_store::relations::MAX_RELATED),
    );
    headers.insert(
        "x-related-complete",
        HeaderValue::from_static(if complete { "true" } else { "false" }),
    );
    Ok(response)
}
