//! Privacy erasure (documented extension): `POST /tmf-api/party/v4/individual/{id}/erasure`
//! anonymises an individual's personal data (names, contact media, free text) in the party,
//! in every resource that refers to it, and in every resource that refers to its customers,
//! keeping ids, amounts and references; the erased values are scrubbed from their history
//! and each erasure is recorded there without them. It is idempotent: a retry after a
//! failure finishes the job.

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::routing::post;
use axum::{Json, Router};
use crm_store::Store;
use serde_json::{Value, json};
use tmf_apis::openapi::ExtensionOperation;
use tmf_apis::{AccessPolicy, Operation, RequestContext, ResourceService, TmfError, TmfResult};
use utoipa::openapi::HttpMethod;

use crate::resources::CUSTOMER;

#[derive(Clone)]
struct ErasureState {
    individuals: Arc<dyn ResourceService>,
    services: Vec<Arc<dyn ResourceService>>,
    store: Store,
    policy: Arc<dyn AccessPolicy>,
}

/// The OpenAPI description of the erasure operation.
pub fn operations(individuals: &dyn ResourceService) -> Vec<ExtensionOperation> {
    let descriptor = individuals.descriptor();
    vec![ExtensionOperation {
        method: HttpMethod::Post,
        path: format!("{}{}/{{id}}/erasure", descriptor.base_path, descriptor.name),
        operation_id: "eraseIndividual",
        summary: "Privacy erasure (extension): anonymises the individual's personal data everywhere, keeping ids, amounts and references",
        tag: descriptor.base_path,
        has_id: true,
        paged: false,
    }]
}

/// The erasure route.
pub fn routes(
    individuals: Arc<dyn ResourceService>,
    services: Vec<Arc<dyn ResourceService>>,
    store: Store,
    policy: Arc<dyn AccessPolicy>,
) -> Router {
    let path = format!("{}/erasure", individuals.descriptor().item_path());
    Router::new()
        .route(&path, post(erase))
        .with_state(ErasureState {
            individuals,
            services,
            store,
            policy,
        })
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
    if !state.individuals.erase(&ctx, &id).await? {
        return Err(TmfError::not_found("Individual", &id));
    }
    let mut erased = vec![json!({"id": id, "@referredType": "Individual"})];
    let direct = crm_store::relations::referencing(&state.store, std::slice::from_ref(&id)).await?;
    let customers: Vec<String> = direct
        .iter()
        .filter(|(table, _)| table == CUSTOMER.table)
        .map(|(_, id)| id.clone())
        .collect();
    let mut related = direct;
    related.extend(crm_store::relations::referencing(&state.store, &customers).await?);
    related.sort();
    related.dedup();
    for (_, related_id) in related.iter().filter(|(_, related_id)| *related_id != id) {
        for service in &state.services {
            if service.erase(&ctx, related_id).await? {
                erased.push(json!({
                    "id": related_id,
                    "@referredType": service.descriptor().type_name,
                }));
                break;
            }
        }
    }
    Ok(Json(json!({
        "id": id,
        "erased": erased,
        "@type": "ErasureReport",
    })))
}
