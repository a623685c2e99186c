//! Privacy erasure (documented extension): `POST /tmf-api/party/v4/individual/{id}/erasure`
//! erases an individual's personal data in the party, in every resource that refers to it,
//! and in every resource that refers to its customers, by the rule of
//! [`crm_store::erase_document`]: every text goes (names, contact media, descriptions, notes,
//! reasons, characteristic values, extension attributes), except ids, references (names
//! masked), states, dates, amounts and the few non-personal values each kind keeps. The
//! same rule erases every value in their history and the resource in each of their stored
//! events; every reason given for a change, the erasure's own included, is kept only as the
//! fact that one was given (`[erased]`). All of it is one transaction: either every resource
//! is erased or none is. It is idempotent: erasing again changes nothing.

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::routing::post;
use axum::{Json, Router};
use crm_module::{Assembled, ExtensionRoutes};
use crm_store::{DatabaseTransaction, Erasable, Store};
use serde_json::{Value, json};
use tmf_apis::openapi::ExtensionOperation;
use tmf_apis::{AccessPolicy, Operation, RequestContext, ResourceService, TmfError, TmfResult};
use utoipa::openapi::HttpMethod;

use crate::accounts::PARTY_ACCOUNT;
use crate::resources::{CUSTOMER, INDIVIDUAL, PARTY_ROLE};

/// The tables of records others may share (parties, party roles, accounts): erasure does not
/// reach on through what refers to them.
const SHARED_TABLES: [&str; 3] = [INDIVIDUAL.table, PARTY_ROLE.table, PARTY_ACCOUNT.table];

#[derive(Clone)]
struct ErasureState {
    individuals: Arc<dyn ResourceService>,
    erasers: Vec<Arc<dyn Erasable>>,
    store: Store,
    policy: Arc<dyn AccessPolicy>,
}

/// The OpenAPI description of the erasure operation.
fn operations(individuals: &dyn ResourceService) -> Vec<ExtensionOperation> {
    let descriptor = individuals.descriptor();
    vec![ExtensionOperation {
        method: HttpMethod::Post,
        path: format!("{}{}/{{id}}/erasure", descriptor.base_path, descriptor.name),
        operation_id: "eraseIndividual",
        summary: "Privacy erasure (extension): erases the individual's personal data everywhere (documents, history, reasons, events), keeping ids, references, states, dates and amounts",
        tag: descriptor.base_path,
        has_id: true,
        paged: false,
        // Erasing is as grave as deleting: the same permission.
        permission: (descriptor.domain, Operation::Delete),
    }]
}

/// The erasure route, over the erasers of every module.
pub(crate) fn routes(app: &Assembled) -> Result<ExtensionRoutes, crm_module::ModuleError> {
    let individuals = app.service(INDIVIDUAL.kind)?;
    let operations = operations(individuals.as_ref());
    let path = format!("{}/erasure", individuals.descriptor().item_path());
    let router = Router::new()
        .route(&path, post(erase))
        .with_state(ErasureState {
            individuals,
            erasers: app.erasers.clone(),
            store: app.store.clone(),
            policy: app.config.policy.clone(),
        });
    Ok(ExtensionRoutes { router, operations })
}

async fn erase(
    State(state): State<ErasureState>,
    Path(id): Path<String>,
    request: Request,
) -> TmfResult<Json<Value>> {
    // Erasing is as grave as deleting: the same permission.
    let ctx = RequestContext::authorize(
        &request,
        state.policy.as_ref(),
        state.individuals.descriptor(),
        Operation::Delete,
    )?;
    drop(request);
    let erased = state
        .store
        .write(async |txn| erase_everywhere(txn, &state.erasers, &ctx, &id).await)
        .await?;
    Ok(Json(json!({
        "id": id,
        "erased": erased,
        "@type": "ErasureReport",
    })))
}

/// Erases the individual, every resource that refers to it or to its customers, and every
/// resource that refers to one of those that is the person's own (not a party, party role
/// or account), within `txn`; returns references to what was erased.
async fn erase_everywhere(
    txn: &DatabaseTransaction,
    erasers: &[Arc<dyn Erasable>],
    ctx: &RequestContext,
    id: &str,
) -> TmfResult<Vec<Value>> {
    let individual = erasers
        .iter()
        .find(|eraser| eraser.type_name() == "Individual")
        .ok_or_else(|| TmfError::internal("no eraser for Individual"))?;
    if !individual.erase_in(txn, ctx, id).await? {
        return Err(TmfError::not_found("Individual", id));
    }
    let mut erased = vec![json!({"id": id, "@referredType": "Individual"})];
    let direct = crm_store::relations::referencing(txn, &[id.to_owned()]).await?;
    let customers: Vec<String> = direct
        .iter()
        .filter(|(table, _)| table == CUSTOMER.table)
        .map(|(_, id)| id.clone())
        .collect();
    let mut related = direct;
    related.extend(crm_store::relations::referencing(txn, &customers).await?);
    // One hop further from the person's own records (their orders, tickets, interactions,
    // products): a cancel request of their order, a ticket about their product. Not from
    // parties, party roles or accounts, which others share.
    let owned: Vec<String> = related
        .iter()
        .filter(|(table, _)| !SHARED_TABLES.contains(&table.as_str()))
        .map(|(_, id)| id.clone())
        .collect();
    related.extend(crm_store::relations::referencing(txn, &owned).await?);
    related.sort();
    related.dedup();
    for (_, related_id) in related.iter().filter(|(_, related_id)| related_id != id) {
        for eraser in erasers {
            if eraser.erase_in(txn, ctx, related_id).await? {
                erased.push(json!({
                    "id": related_id,
                    "@referredType": eraser.type_name(),
                }));
                break;
            }
        }
    }
    Ok(erased)
}
