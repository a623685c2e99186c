//! The customer 360 view and timeline (documented extensions of TMF629):
//! `GET /tmf-api/customerManagement/v4/customer/{id}/view` gathers, in one response, the
//! customer, the engaged party with its contact media, and one section per registered
//! contributor (accounts here; products, orders, tickets, bills, disputes, SLA standing and
//! loyalty as later domains register theirs). `GET .../customer/{id}/timeline` lists every
//! recorded change to the customer, its party and every resource that refers to either
//! (interactions among them), newest first, paged.
//!
//! Domains plug in by registering a [`ViewContributor`]; this module never names them.

use std::sync::Arc;

use async_trait::async_trait;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::HeaderValue;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use crm_store::Store;
use serde_json::{Map, Value};
use tmf_apis::openapi::ExtensionOperation;
use tmf_apis::{
    FieldCatalog, ListQuery, Operation, RequestContext, ResourceService, RouterConfig, TmfResult,
};
use utoipa::openapi::HttpMethod;

use crate::resources::{CUSTOMER, INDIVIDUAL, ORGANIZATION};

/// Who the view is about.
#[derive(Debug, Clone)]
pub struct ViewSubject {
    /// The customer's id.
    pub customer_id: String,
    /// The customer document.
    pub customer: Value,
    /// The engaged party's id.
    pub party_id: String,
    /// The engaged party's type (`Individual`, `Organization`).
    pub party_type: String,
}

impl ViewSubject {
    /// The ids a related resource may point at: the customer's and its party's.
    pub fn ids(&self) -> Vec<String> {
        vec![self.customer_id.clone(), self.party_id.clone()]
    }
}

/// One section of the 360 view.
#[async_trait]
pub trait ViewContributor: Send + Sync + 'static {
    /// The section's key in the view.
    fn section(&self) -> &'static str;

    /// The section's content for `subject`.
    async fn contribute(&self, ctx: &RequestContext, subject: &ViewSubject) -> TmfResult<Value>;
}

/// A section listing the documents of one table that refer to the customer or its party
/// (accounts, orders, tickets...), optionally only those of some kinds.
pub struct ReferencingSection {
    /// The section's key.
    pub section: &'static str,
    /// The table to look in.
    pub table: &'static str,
    /// The kinds to keep (empty: all).
    pub kinds: &'static [&'static str],
    /// Which documents to keep (`None`: all), such as the orders still open.
    pub keep: Option<fn(&Value) -> bool>,
    /// The store.
    pub store: Store,
}

#[async_trait]
impl ViewContributor for ReferencingSection {
    fn section(&self) -> &'static str {
        self.section
    }

    async fn contribute(&self, _ctx: &RequestContext, subject: &ViewSubject) -> TmfResult<Value> {
        let related =
            crm_store::relations::referencing_some(self.store.connection(), &subject.ids()).await?;
        let ids: Vec<String> = related
            .resources
            .into_iter()
            .filter(|(table, _)| table == self.table)
            .map(|(_, id)| id)
            .collect();
        let mut documents =
            crm_store::relations::documents(&self.store, self.table, &ids, self.kinds).await?;
        if let Some(keep) = self.keep {
            documents.retain(keep);
        }
        Ok(Value::Array(documents))
    }
}

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

/// The registered sections of the 360 view.
#[derive(Clone, Default)]
pub struct CustomerView {
    contributors: Vec<Arc<dyn ViewContributor>>,
}

impl CustomerView {
    /// A view with this crate's own sections: the party, its accounts (with balances) and
    /// its interactions.
    pub fn new(store: &Store) -> Self {
        let mut view = Self::default();
        view.register(Arc::new(PartySection {
            store: store.clone(),
        }));
        view.register(Arc::new(ReferencingSection {
            section: "accounts",
            table: crate::PARTY_ACCOUNT.table,
            kinds: &[],
            keep: None,
            store: store.clone(),
        }));
        view.register(Arc::new(ReferencingSection {
            section: "interactions",
            table: crate::PARTY_INTERACTION.table,
            kinds: &[],
            keep: None,
            store: store.clone(),
        }));
        view
    }

    /// Adds a section.
    pub fn register(&mut self, contributor: Arc<dyn ViewContributor>) {
        self.contributors.push(contributor);
    }

    /// The section names, in order.
    pub fn sections(&self) -> Vec<&'static str> {
        self.contributors.iter().map(|c| c.section()).collect()
    }
}

#[derive(Clone)]
struct ViewState {
    customers: Arc<dyn ResourceService>,
    view: CustomerView,
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
pub fn operations(customers: &dyn ResourceService) -> Vec<ExtensionOperation> {
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
        },
        ExtensionOperation {
            method: HttpMethod::Get,
            path: format!("{item}/timeline"),
            operation_id: "listCustomerTimeline",
            summary: "Customer timeline (extension): interactions and every change to the customer's records, newest first",
            tag: descriptor.base_path,
            has_id: true,
            paged: true,
        },
    ]
}

/// The routes of the 360 view and the timeline (`config`: the access policy, the query
/// limits, and the links of references, as for every resource).
pub fn routes(
    customers: Arc<dyn ResourceService>,
    view: CustomerView,
    store: Store,
    config: RouterConfig,
) -> Router {
    let item = customers.descriptor().item_path();
    Router::new()
        .route(&format!("{item}/view"), get(customer_view))
        .route(&format!("{item}/timeline"), get(timeline))
        .with_state(ViewState {
            customers,
            view,
            store,
            config,
        })
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
    for contributor in &state.view.contributors {
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
    resources.extend(related.resources);
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
            let kind = if entry["resourceType"] == "PartyInteraction" {
                "interaction"
            } else {
                "change"
            };
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
        HeaderValue::from_static(if related.complete { "true" } else { "false" }),
    );
    Ok(response)
}
