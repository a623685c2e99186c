//! The `credit` compensation billing offers through the hook of the module contract: what a
//! breach of an SLA rule costs becomes a `billAdjustment` of type `credit` on the billing
//! account the SLA names, proposed in the violation's change by the rules every adjustment
//! obeys (maker-checker: at or below the approval threshold of its currency it is applied at
//! once, above it a supervisor approves it), with the configured reason and ledger codes, and
//! linked to the violation (extension attribute `slaViolation`).

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use crm_module::{BillCredits, Compensation, CompensationRequest, CreditRequest};
use crm_store::{DatabaseTransaction, DocumentService, DomainRules, new_id};
use serde_json::{Value as Json, json};
use sid_model::{BillAdjustment, CurrencyCode, Money};
use tmf_apis::body::from_value;
use tmf_apis::{RequestContext, TmfError, TmfResult};

use crate::adjustments::{AdjustmentKind, AdjustmentRules};

/// Credits for SLA breaches.
#[derive(Default)]
pub struct SlaCredit {
    /// Set when the module builds (the adjustment rules need every hook).
    pub(crate) rules: OnceLock<Arc<AdjustmentRules>>,
    /// Where adjustments are written.
    pub(crate) adjustments: OnceLock<Arc<DocumentService<AdjustmentKind>>>,
    /// The reason code of these credits (`[billing] compensation_reason`).
    pub(crate) reason: String,
    /// Their ledger account (`[billing] compensation_gl_code`).
    pub(crate) gl_code: String,
}

impl std::fmt::Debug for SlaCredit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlaCredit")
            .field("reason", &self.reason)
            .field("gl_code", &self.gl_code)
            .finish_non_exhaustive()
    }
}

impl SlaCredit {
    /// Proposes a credit of `amount` on `account` for `reason`, with `origin` (extension
    /// attributes naming what asked), under the adjustment rules, inside `txn`.
    async fn propose_credit(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        account: &str,
        amount: Money,
        (reason, description): (&str, &str),
        origin: Json,
    ) -> TmfResult<Json> {
        let (Some(rules), Some(adjustments)) = (self.rules.get(), self.adjustments.get()) else {
            return Err(TmfError::internal(
                "a credit is asked for before billing is built",
            ));
        };
        let mut body = json!({
            "type": "credit",
            "amount": amount,
            "reasonCode": reason,
            "glCode": self.gl_code,
            "description": description,
            "billingAccount": {"id": account},
        });
        if let (Some(map), Json::Object(origin)) = (body.as_object_mut(), origin) {
            map.extend(origin);
        }
        let mut adjustment: BillAdjustment = from_value(body)?;
        adjustment.id = None;
        let id = new_id();
        let proposed = rules
            .create(txn, ctx, &id, adjustment)
            .await
            .map_err(TmfError::from)?;
        let document = serde_json::to_value(&proposed).map_err(TmfError::internal)?;
        adjustments
            .create_with_id_in(txn, ctx, &id, document)
            .await?;
        Ok(json!({"id": id, "@referredType": "BillAdjustment"}))
    }
}

#[async_trait]
impl Compensation for SlaCredit {
    fn kind(&self) -> &'static str {
        "credit"
    }

    async fn propose(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        request: &CompensationRequest,
    ) -> TmfResult<Json> {
        let Some(account) = &request.billing_account else {
            return Err(TmfError::invalid_value(
                "'billingAccount': a credit for a breach is made to the billing account the SLA names",
            ));
        };
        let unit = CurrencyCode::parse(&request.unit).map_err(|_| {
            TmfError::invalid_value(format!(
                "'consequence': '{}' is not an ISO 4217 currency",
                request.unit
            ))
        })?;
        self.propose_credit(
            txn,
            ctx,
            account,
            Money::new(unit, request.quantity),
            (&self.reason, &request.description),
            json!({"slaViolation": {"id": request.violation, "@referredType": "SlaViolation"}}),
        )
        .await
    }
}

/// Credits other domains ask for (loyalty's burns), under the same rules.
#[async_trait]
impl BillCredits for SlaCredit {
    async fn credit(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        request: &CreditRequest,
    ) -> TmfResult<Json> {
        self.propose_credit(
            txn,
            ctx,
            &request.billing_account,
            request.amount.clone(),
            (&request.reason, &request.description),
            request.origin.clone(),
        )
        .await
    }
}
