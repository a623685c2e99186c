//! Recording a payment against a bill (a documented extension, role `billing-system`):
//! `POST /tmf-api/customerBillManagement/v4/customerBill/{id}/appliedPayment` with a TMF678
//! `AppliedPayment` (`appliedAmount`, `payment` with its id). The payment is appended to the
//! bill's `appliedPayment`, lowers its `remainingAmount` (never below zero), moves its state
//! (`partiallyPaid`, `settled`: a payment is a fact, whatever the bill's hold) and the billing
//! account's `receivableBalance`, in one transaction with the bill's history and events.
//! Answered with the bill: 201 when the payment was applied, 200 when it had been already (a
//! retry: the same payment id and amount), 409 for the same payment id with another amount.

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use crm_module::{AccountBalances, Assembled, ExtensionRoutes, ModuleError};
use crm_store::{DocumentService, Store};
use serde_json::Value;
use sid_model::AppliedPayment;
use tmf_apis::body::{from_value, parse_json, require_json};
use tmf_apis::openapi::ExtensionOperation;
use tmf_apis::{
    AccessPolicy, Operation, RequestContext, ResourceService, RouterConfig, TmfError, TmfResult,
    request_base_url, with_href,
};
use utoipa::openapi::HttpMethod;

use crate::amounts::{Applied, apply_payment};
use crate::bills::{BillKind, follow_balances, read_bill};
use crate::error::BillingError;

/// The largest payment body read.
const MAX_BODY: usize = 64 * 1024;

#[derive(Clone)]
struct PaymentState {
    bills: Arc<dyn ResourceService>,
    documents: Arc<DocumentService<BillKind>>,
    balances: Option<Arc<dyn AccountBalances>>,
    listeners: Vec<Arc<dyn crm_module::BusinessEventListener>>,
    store: Store,
    policy: Arc<dyn AccessPolicy>,
    config: RouterConfig,
}

/// The payment route and its OpenAPI entry.
pub(crate) fn routes(
    app: &Assembled,
    documents: Arc<DocumentService<BillKind>>,
) -> Result<ExtensionRoutes, ModuleError> {
    let bills = app.service("CustomerBill")?;
    let descriptor = bills.descriptor();
    let path = format!("{}/appliedPayment", descriptor.item_path());
    let operations = vec![ExtensionOperation {
        method: HttpMethod::Post,
        path: format!(
            "{}{}/{{id}}/appliedPayment",
            descriptor.base_path, descriptor.name
        ),
        operation_id: "recordAppliedPayment",
        summary: "Records a payment against a bill (extension, role billing-system): appended to appliedPayment, lowering remainingAmount and moving the state and the billing account's receivable balance; 201 applied, 200 already applied (a retry), 409 the same payment id with another amount, 422 more than remains to be paid",
        tag: descriptor.base_path,
        has_id: true,
        paged: false,
        permission: (descriptor.domain, Operation::Create),
    }];
    let router = Router::new()
        .route(&path, post(record))
        .with_state(PaymentState {
            bills: bills.clone(),
            documents,
            balances: app.hooks.balances(),
            listeners: app.hooks.business_listeners(),
            store: app.store.clone(),
            policy: app.config.policy.clone(),
            config: app.config.clone(),
        });
    Ok(ExtensionRoutes { router, operations })
}

async fn record(
    State(state): State<PaymentState>,
    Path(id): Path<String>,
    request: Request,
) -> TmfResult<Response> {
    let ctx = RequestContext::authorize(
        &request,
        state.policy.as_ref(),
        state.bills.descriptor(),
        Operation::Create,
    )?;
    require_json(request.headers())?;
    let base = request_base_url(&request);
    let bytes = axum::body::to_bytes(request.into_body(), MAX_BODY)
        .await
        .map_err(|_| {
            TmfError::new(
                tmf_apis::ErrorCode::PayloadTooLarge,
                format!("a payment body is at most {MAX_BODY} bytes"),
            )
        })?;
    let payment: AppliedPayment = from_value(parse_json(&bytes)?)?;
    let (document, applied) = state
        .store
        .write(async |txn| -> TmfResult<(Value, Applied)> {
            let stored = state
                .documents
                .load_in(txn, &id)
                .await?
                .ok_or_else(|| BillingError::UnknownBill(id.clone()))?;
            let mut bill = read_bill(&id, stored.clone())?;
            let previous = bill.remaining_amount.clone();
            match apply_payment(&id, &mut bill, payment.clone())? {
                Applied::Again => Ok((stored, Applied::Again)),
                Applied::New => {
                    follow_balances(
                        &state.documents,
                        state.balances.as_ref(),
                        txn,
                        &ctx,
                        &id,
                        &bill,
                        previous.as_ref(),
                    )
                    .await?;
                    let document = serde_json::to_value(&bill).map_err(TmfError::internal)?;
                    let written = state.documents.replace_in(txn, &ctx, &id, document).await?;
                    // Other domains hear of the payment in its change (loyalty earns from it).
                    if let (Some(account), Some(amount), Some(paid)) = (
                        bill.billing_account.as_ref().map(|a| a.id.clone()),
                        payment.applied_amount.clone(),
                        payment.payment.as_ref().map(|p| p.id.clone()),
                    ) {
                        let event = crm_module::BusinessEvent {
                            event_type: "BillPaid",
                            // A payment may settle several bills: each is its own event.
                            source_id: format!("{id}:{paid}"),
                            parties: vec![account],
                            payload: serde_json::json!({"amount": amount, "bill": {"id": id}}),
                        };
                        for listener in &state.listeners {
                            listener.happened(txn, &ctx, &event).await?;
                        }
                    }
                    Ok((written, Applied::New))
                }
            }
        })
        .await?;
    let status = match applied {
        Applied::New => StatusCode::CREATED,
        Applied::Again => StatusCode::OK,
    };
    let body = with_href(
        (state.bills.descriptor(), &state.config.links),
        &base,
        document,
    );
    Ok((status, Json(body)).into_response())
}
