//! Adjustments (`billAdjustment`, a documented extension under TMF678's base path; TMF defines
//! no adjustment API): a credit, a debit or a write-off of a bill, a bill item or a billing
//! account, with a reason and a ledger account from the configured lists, optionally settling a
//! bill dispute.
//!
//! An adjustment is `proposed`; at or below the approval threshold of its currency it is
//! approved at once (`approvalMode: automatic`), above it a supervisor who is not the proposer
//! approves it (`maker-checker`; the proposer is refused with 403 whatever their roles).
//! Approving applies it in the same transaction: an `appliedCustomerBillingRate`
//! (`appliedBillingCredit` for a credit or a write-off, `appliedBillingCharge` for a debit),
//! not yet billed, on the billing account and linked to the adjustment and the dispute; the
//! adjusted bill's `remainingAmount` (never below zero) and the account's receivable balance;
//! the dispute's `grantedAmount` (credits) or `writtenOffAmount` (write-offs). The approval
//! locks the adjustment, so two racing approvals apply it once.
//!
//! An applied adjustment is never changed or deleted: it is undone only by a reversal, a new
//! adjustment with `reversalOf` (one per adjustment: its natural key) of the same type and
//! amount, approved like any other, which moves the money back and marks the original
//! `reversed`.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use crm_module::AccountBalances;
use crm_store::{
    Clock, DatabaseTransaction, DocumentService, DocumentWriter, DomainRules, NaturalKey,
    Reference, ResourceKind, StoredType, new_id,
};
use rust_decimal::Decimal;
use serde_json::{Value as Json, json};
use sid_model::{
    AppliedCustomerBillingRate, BillAdjustment, BillAdjustmentStateType as State,
    BillAdjustmentType as Kind, CustomerBillStateType as BillState, EntityRef, Money, RelatedParty,
    TroubleTicket, check_create, check_move,
};
use tmf_apis::body::from_value;
use tmf_apis::catalog::CatalogError;
use tmf_apis::{Domain, EventKind, RequestContext, ResourceDescriptor, TmfError, TmfResult};

use crate::bills::{BillKind, follow_balances, read_bill, reference};
use crate::disputes::BILL_DISPUTE;
use crate::rates::RateKind;

/// Where adjustments are stored.
pub const BILL_ADJUSTMENT: StoredType = StoredType {
    table: "bill_adjustment",
    kind: "BillAdjustment",
};

/// The business event of an applied adjustment (`BillAdjustmentAppliedEvent`): what the
/// billing system needs to apply the credit in its next run.
pub const ADJUSTMENT_EVENTS: &[&str] = &["Applied"];

/// The attributes only the server writes.
const SERVER_OWNED: [&str; 10] = [
    "relatedParty",
    "approvalMode",
    "appliedRate",
    "reversedBy",
    "creationDate",
    "approvalDate",
    "appliedDate",
    "lastUpdate",
    // What another domain asked the credit for: only the server names it.
    "slaViolation",
    "loyaltyBurn",
];

/// The extension specification of the resource, shipped with the crate.
pub(crate) fn spec() -> Arc<Json> {
    static SPEC: std::sync::OnceLock<Arc<Json>> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| {
        Arc::new(
            serde_json::from_str(include_str!(
                "../specs/BillAdjustment-extension.swagger.json"
            ))
            .unwrap_or(Json::Null),
        )
    })
    .clone()
}

/// The `billAdjustment` resource as stored.
pub struct AdjustmentKind {
    descriptor: ResourceDescriptor,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for AdjustmentKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdjustmentKind")
            .field("type_name", &self.descriptor.type_name)
            .finish_non_exhaustive()
    }
}

impl AdjustmentKind {
    /// The kind, its attributes read from the extension's specification; never deleted.
    pub fn new(clock: Arc<dyn Clock>) -> Result<Self, CatalogError> {
        let mut descriptor = ResourceDescriptor::from_spec(
            spec(),
            crate::bills::BILL_BASE,
            "billAdjustment",
            "BillAdjustment",
            Domain::Adjustment,
        )?
        .with_domain_events(ADJUSTMENT_EVENTS);
        descriptor.methods.delete = false;
        Ok(Self { descriptor, clock })
    }
}

impl ResourceKind for AdjustmentKind {
    type Model = BillAdjustment;

    fn descriptor(&self) -> &ResourceDescriptor {
        &self.descriptor
    }

    fn stored_type(&self) -> StoredType {
        BILL_ADJUSTMENT
    }

    fn references(&self, adjustment: &BillAdjustment) -> Vec<Reference> {
        let mut out = Vec::new();
        let mut add = |path: &str, target: Option<(&String, Option<&String>)>, allowed| {
            if let Some((id, referred)) = target {
                out.push(reference(
                    path.into(),
                    id,
                    referred.map(String::as_str),
                    allowed,
                ));
            }
        };
        add(
            "bill",
            adjustment
                .bill
                .as_ref()
                .map(|r| (&r.id, r.referred_type.as_ref())),
            &["CustomerBill"],
        );
        add(
            "appliedBillingRate",
            adjustment
                .applied_billing_rate
                .as_ref()
                .map(|r| (&r.id, r.referred_type.as_ref())),
            &["AppliedCustomerBillingRate"],
        );
        add(
            "billingAccount",
            adjustment
                .billing_account
                .as_ref()
                .map(|r| (&r.id, r.referred_type.as_ref())),
            &["BillingAccount"],
        );
        add(
            "dispute",
            adjustment
                .dispute
                .as_ref()
                .map(|r| (&r.id, r.referred_type.as_ref())),
            &["TroubleTicket"],
        );
        add(
            "reversalOf",
            adjustment
                .reversal_of
                .as_ref()
                .map(|r| (&r.id, r.referred_type.as_ref())),
            &["BillAdjustment"],
        );
        out
    }

    fn prepare(
        &self,
        _ctx: &RequestContext,
        previous: Option<&BillAdjustment>,
        adjustment: &mut BillAdjustment,
    ) -> TmfResult<()> {
        if let Some(previous) = previous {
            adjustment.last_update = previous.last_update;
            if adjustment == previous {
                return Ok(());
            }
        }
        adjustment.last_update = Some(self.clock.now());
        Ok(())
    }

    fn domain_events(
        &self,
        previous: Option<&BillAdjustment>,
        current: &BillAdjustment,
    ) -> Vec<EventKind> {
        let applied = |a: &BillAdjustment| a.state == Some(State::Applied);
        match applied(current) && !previous.is_some_and(applied) {
            true => vec![EventKind::Domain("Applied")],
            false => Vec::new(),
        }
    }
}

/// The configured adjustment settings.
#[derive(Debug, Clone)]
pub struct AdjustmentPolicy {
    /// Per currency, the largest amount approved automatically.
    pub thresholds: BTreeMap<String, Decimal>,
    /// The reason codes.
    pub reasons: Vec<String>,
    /// The general-ledger codes.
    pub gl_codes: Vec<String>,
}

/// The rules of adjustments.
pub struct AdjustmentRules {
    pub(crate) bills: Arc<DocumentService<BillKind>>,
    pub(crate) rates: Arc<DocumentService<RateKind>>,
    pub(crate) adjustments: Arc<DocumentService<AdjustmentKind>>,
    pub(crate) tickets: Option<Arc<dyn DocumentWriter>>,
    pub(crate) balances: Option<Arc<dyn AccountBalances>>,
    /// What other domains do when a credit they asked for is reversed.
    pub(crate) reversals: Vec<Arc<dyn crm_module::CreditReversal>>,
    pub(crate) policy: AdjustmentPolicy,
    pub(crate) clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for AdjustmentRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdjustmentRules")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// Why an adjustment is refused.
#[derive(Debug, thiserror::Error)]
pub enum AdjustmentError {
    /// A value the rules refuse (422).
    #[error("{0}")]
    Invalid(String),
    /// A move the lifecycle or the state of what it adjusts refuses (409).
    #[error("{0}")]
    Conflict(String),
    /// An approval the maker-checker rule refuses (403).
    #[error("{0}")]
    Forbidden(String),
    /// A store error, kept as it is.
    #[error(transparent)]
    Store(#[from] TmfError),
}

impl From<AdjustmentError> for TmfError {
    fn from(error: AdjustmentError) -> Self {
        match error {
            AdjustmentError::Invalid(message) => TmfError::invalid_value(message),
            AdjustmentError::Conflict(message) => TmfError::conflict(message),
            AdjustmentError::Forbidden(message) => {
                TmfError::new(tmf_apis::ErrorCode::Forbidden, message)
            }
            AdjustmentError::Store(error) => error,
        }
    }
}

impl From<sid_model::lifecycle::LifecycleError<State>> for AdjustmentError {
    fn from(error: sid_model::lifecycle::LifecycleError<State>) -> Self {
        AdjustmentError::Store(crm_store::lifecycle_error(error))
    }
}

impl From<crate::error::BillingError> for AdjustmentError {
    fn from(error: crate::error::BillingError) -> Self {
        AdjustmentError::Store(error.into())
    }
}

use AdjustmentError::{Conflict, Forbidden, Invalid};

fn party(id: &str, role: &str) -> TmfResult<RelatedParty> {
    from_value(json!({"id": id, "role": role}))
}

fn proposer(adjustment: &BillAdjustment) -> Option<&str> {
    adjustment
        .related_party
        .iter()
        .flatten()
        .find(|p| p.role.as_deref() == Some("proposer"))
        .map(|p| p.id.as_str())
}

fn is_approver(ctx: &RequestContext) -> bool {
    ctx.actor
        .roles
        .iter()
        .any(|role| role == "supervisor" || role == "admin")
}

/// How an adjustment moves what is owed: credits and write-offs lower it, debits raise it.
fn owed_delta(kind: Kind, amount: Decimal) -> Decimal {
    match kind {
        Kind::Debit => amount,
        Kind::Credit | Kind::WriteOff => -amount,
    }
}

impl AdjustmentRules {
    /// Checks a proposed adjustment and completes its account from its target.
    async fn check_new(
        &self,
        txn: &DatabaseTransaction,
        adjustment: &mut BillAdjustment,
    ) -> Result<(), AdjustmentError> {
        let amount = &adjustment.amount;
        if amount.value <= Decimal::ZERO {
            return Err(Invalid(format!(
                "'amount' must be positive: {}",
                amount.value
            )));
        }
        if !self.policy.reasons.contains(&adjustment.reason_code) {
            return Err(Invalid(format!(
                "'reasonCode' is '{}': one of {}",
                adjustment.reason_code,
                self.policy.reasons.join(", ")
            )));
        }
        if let Some(code) = &adjustment.gl_code
            && !self.policy.gl_codes.iter().any(|g| g == code)
        {
            return Err(Invalid(format!(
                "'glCode' is '{code}': one of {}",
                self.policy.gl_codes.join(", ")
            )));
        }
        if let Some(excluded) = &adjustment.tax_excluded_amount {
            let mut total = excluded.value;
            for (i, tax) in adjustment.tax_item.iter().flatten().enumerate() {
                if let Some(money) = &tax.tax_amount {
                    if money.unit != amount.unit {
                        return Err(Invalid(format!(
                            "'taxItem[{i}].taxAmount' is in {}, the adjustment in {}",
                            money.unit, amount.unit
                        )));
                    }
                    total += money.value;
                }
            }
            if excluded.unit != amount.unit || total != amount.value {
                return Err(Invalid(format!(
                    "'amount' is {}, but taxExcludedAmount + Σ taxItem.taxAmount gives {total}",
                    amount.value
                )));
            }
        }
        // The target: a bill, a bill item (whose bill it is on), or a billing account.
        let targets = [
            adjustment.bill.is_some(),
            adjustment.applied_billing_rate.is_some(),
        ]
        .iter()
        .filter(|t| **t)
        .count();
        if targets > 1 {
            return Err(Invalid(
                "'bill': an adjustment targets a bill, a bill item or a billing account".into(),
            ));
        }
        if let Some(item) = &adjustment.applied_billing_rate {
            let rate = self.rates.read_in(txn, &item.id).await?.ok_or_else(|| {
                Invalid(format!(
                    "'appliedBillingRate': AppliedCustomerBillingRate '{}' does not exist",
                    item.id
                ))
            })?;
            let rate: AppliedCustomerBillingRate = from_value(rate)?;
            match &rate.bill {
                Some(bill) => adjustment.bill = Some(bill.clone()),
                None => adjustment.billing_account = rate.billing_account.clone(),
            }
        }
        if let Some(bill_ref) = &adjustment.bill {
            let bill = self.bill(txn, &bill_ref.id).await?;
            if let Some(due) = &bill.amount_due
                && due.unit != amount.unit
            {
                return Err(Invalid(format!(
                    "'amount' is in {}, but bill '{}' is in {}",
                    amount.unit, bill_ref.id, due.unit
                )));
            }
            match (&adjustment.billing_account, &bill.billing_account) {
                (Some(given), Some(of_bill)) if given.id != of_bill.id => {
                    return Err(Invalid(format!(
                        "'billingAccount' is '{}', but bill '{}' is for '{}'",
                        given.id, bill_ref.id, of_bill.id
                    )));
                }
                (None, account) => adjustment.billing_account = account.clone(),
                _ => {}
            }
        }
        if adjustment.billing_account.is_none() {
            return Err(Invalid(
                "'billingAccount': an adjustment targets a bill, a bill item or a billing account"
                    .into(),
            ));
        }
        if let Some(dispute) = &adjustment.dispute {
            let ticket = self.dispute(txn, &dispute.id).await?;
            if !ticket
                .status
                .is_none_or(sid_model::TroubleTicketStatusType::is_open)
            {
                return Err(Conflict(format!(
                    "'dispute': TroubleTicket '{}' is {}: only an open dispute is settled",
                    dispute.id,
                    ticket.status.map(|s| s.as_str()).unwrap_or_default()
                )));
            }
        }
        Ok(())
    }

    /// The bill `id`, locked for the rest of `txn`.
    async fn bill(
        &self,
        txn: &DatabaseTransaction,
        id: &str,
    ) -> Result<sid_model::CustomerBill, AdjustmentError> {
        let stored = self
            .bills
            .load_in(txn, id)
            .await?
            .ok_or_else(|| Invalid(format!("'bill': CustomerBill '{id}' does not exist")))?;
        Ok(read_bill(id, stored)?)
    }

    /// The adjustment `id` a reversal reverses, locked for the rest of `txn`: it must be
    /// applied (409 otherwise).
    async fn applied_original(
        &self,
        txn: &DatabaseTransaction,
        id: &str,
    ) -> Result<BillAdjustment, AdjustmentError> {
        let stored = self.adjustments.load_in(txn, id).await?.ok_or_else(|| {
            Invalid(format!(
                "'reversalOf': BillAdjustment '{id}' does not exist"
            ))
        })?;
        let original: BillAdjustment = from_value(stored)?;
        if original.state != Some(State::Applied) {
            return Err(Conflict(format!(
                "BillAdjustment '{id}' is {}: only an applied adjustment is reversed",
                original.state.unwrap_or(State::Proposed)
            )));
        }
        Ok(original)
    }

    /// The bill dispute `id`, read within `txn`.
    async fn dispute(
        &self,
        txn: &DatabaseTransaction,
        id: &str,
    ) -> Result<TroubleTicket, AdjustmentError> {
        let tickets = self
            .tickets
            .as_ref()
            .ok_or_else(|| Invalid("'dispute': no module serves trouble tickets".into()))?;
        let stored = tickets
            .load_in(txn, id)
            .await?
            .ok_or_else(|| Invalid(format!("'dispute': TroubleTicket '{id}' does not exist")))?;
        let ticket: TroubleTicket = from_value(stored)?;
        if ticket.ticket_type != BILL_DISPUTE {
            return Err(Invalid(format!(
                "'dispute': TroubleTicket '{id}' is a '{}', not a '{BILL_DISPUTE}'",
                ticket.ticket_type
            )));
        }
        Ok(ticket)
    }

    /// Moves the dispute's granted or written-off amount by `delta` (never beyond what it
    /// disputes).
    async fn settle_dispute(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        adjustment: &BillAdjustment,
        delta: Decimal,
    ) -> Result<(), AdjustmentError> {
        let (Some(dispute), Some(tickets)) = (&adjustment.dispute, &self.tickets) else {
            return Ok(());
        };
        let name = match adjustment.r#type {
            Kind::Credit => "grantedAmount",
            Kind::WriteOff => "writtenOffAmount",
            Kind::Debit => return Ok(()),
        };
        let ticket = self.dispute(txn, &dispute.id).await?;
        let mut document = serde_json::to_value(&ticket).map_err(TmfError::internal)?;
        let characteristics = document
            .get_mut("troubleTicketCharacteristic")
            .and_then(Json::as_array_mut)
            .ok_or_else(|| Invalid("'dispute': the dispute has no characteristics".into()))?;
        let amount_of = |list: &[Json], name: &str| -> Decimal {
            list.iter()
                .find(|c| c["name"] == name)
                .and_then(|c| match &c["value"] {
                    Json::String(text) => text.parse().ok(),
                    other => other.to_string().parse().ok(),
                })
                .unwrap_or_default()
        };
        let disputed = amount_of(characteristics, "disputeAmount");
        let settled: Decimal = ["grantedAmount", "deniedAmount", "writtenOffAmount"]
            .iter()
            .map(|n| amount_of(characteristics, n))
            .sum();
        if settled + delta > disputed {
            return Err(Invalid(format!(
                "'amount': the dispute '{}' has {} of its {disputed} left to settle",
                dispute.id,
                disputed - settled
            )));
        }
        let value = amount_of(characteristics, name) + delta;
        let value: Json = serde_json::from_str(&value.to_string()).map_err(TmfError::internal)?;
        match characteristics.iter_mut().find(|c| c["name"] == name) {
            Some(found) => found["value"] = value,
            None => characteristics.push(json!({"name": name, "value": value})),
        }
        tickets.replace_in(txn, ctx, &dispute.id, document).await?;
        Ok(())
    }

    /// Applies `adjustment` (`id`) within `txn`: the rate, the bill, the balances, the dispute.
    /// `undo` applies it backwards (a reversal moving the original's money back).
    async fn apply(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        adjustment: &mut BillAdjustment,
        now: DateTime<Utc>,
        undo: bool,
    ) -> Result<(), AdjustmentError> {
        let amount = adjustment.amount.clone();
        let mut delta = owed_delta(adjustment.r#type, amount.value);
        if undo {
            delta = -delta;
        }
        // The rate the billing system bills in its next run.
        let rate_type = match delta.is_sign_negative() {
            true => "appliedBillingCredit",
            false => "appliedBillingCharge",
        };
        let mut characteristic = vec![
            json!({"name": "billAdjustmentId", "value": id}),
            json!({"name": "adjustmentType", "value": adjustment.r#type.as_str()}),
            json!({"name": "reasonCode", "value": adjustment.reason_code}),
        ];
        if let Some(dispute) = &adjustment.dispute {
            characteristic.push(json!({"name": "disputeId", "value": dispute.id}));
        }
        if let Some(gl) = &adjustment.gl_code {
            characteristic.push(json!({"name": "glCode", "value": gl}));
        }
        let rate_id = new_id();
        let rate = json!({
            "name": format!("Adjustment {}", adjustment.reason_code),
            "type": rate_type,
            "isBilled": false,
            "date": now,
            "billingAccount": adjustment.billing_account,
            "taxIncludedAmount": amount,
            "taxExcludedAmount": adjustment.tax_excluded_amount,
            "appliedTax": adjustment.tax_item,
            "characteristic": characteristic,
        });
        let rate = strip_nulls(rate);
        self.rates
            .create_with_id_in(txn, ctx, &rate_id, rate)
            .await?;
        adjustment.applied_rate = Some(from_value(json!({
            "id": rate_id, "@referredType": "AppliedCustomerBillingRate"
        }))?);
        // The adjusted bill owes less (or more), never below zero.
        if let Some(bill_ref) = &adjustment.bill {
            let mut bill = self.bill(txn, &bill_ref.id).await?;
            let remaining = bill
                .remaining_amount
                .clone()
                .unwrap_or_else(|| Money::zero(amount.unit));
            let left = remaining.value + delta;
            if left.is_sign_negative() && !left.is_zero() {
                return Err(Invalid(format!(
                    "'amount' is {}, more than the {} that remains to be paid on bill '{}'",
                    amount.value, remaining.value, bill_ref.id
                )));
            }
            let previous = bill.remaining_amount.clone();
            bill.remaining_amount = Some(Money::new(remaining.unit, left));
            let entries = bill
                .extensions
                .0
                .entry("appliedAdjustment")
                .or_insert_with(|| Json::Array(Vec::new()));
            if let Json::Array(list) = entries {
                let value: Json =
                    serde_json::from_str(&delta.to_string()).map_err(TmfError::internal)?;
                list.push(
                    json!({"id": id, "type": adjustment.r#type.as_str(), "owedDelta": value}),
                );
            }
            if left.is_zero()
                && matches!(
                    bill.state,
                    Some(
                        BillState::New
                            | BillState::Validated
                            | BillState::Sent
                            | BillState::PartiallyPaid
                    )
                )
            {
                bill.state = Some(BillState::Settled);
            }
            follow_balances(
                &self.bills,
                self.balances.as_ref(),
                txn,
                ctx,
                &bill_ref.id,
                &bill,
                previous.as_ref(),
            )
            .await?;
            let document = serde_json::to_value(&bill).map_err(TmfError::internal)?;
            self.bills
                .replace_in(txn, ctx, &bill_ref.id, document)
                .await?;
        }
        let settled = match undo {
            true => -amount.value,
            false => amount.value,
        };
        self.settle_dispute(txn, ctx, adjustment, settled).await?;
        if !undo {
            adjustment.state = Some(State::Applied);
            adjustment.applied_date = Some(now);
        }
        Ok(())
    }

    /// Approves and applies `adjustment`, recording who approved it and how.
    async fn approve(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        adjustment: &mut BillAdjustment,
        automatic: bool,
    ) -> Result<(), AdjustmentError> {
        let now = self.clock.now();
        adjustment.approval_date = Some(now);
        adjustment.approval_mode = Some(
            if automatic {
                "automatic"
            } else {
                "maker-checker"
            }
            .into(),
        );
        if !automatic {
            adjustment
                .related_party
                .get_or_insert_with(Vec::new)
                .push(party(&ctx.actor.subject, "approver")?);
        }
        adjustment.state = Some(State::Approved);
        match adjustment.reversal_of.clone() {
            None => self.apply(txn, ctx, id, adjustment, now, false).await,
            Some(original) => self.reverse(txn, ctx, id, adjustment, &original, now).await,
        }
    }

    /// Applies the reversal `id` of `original`: its money moves back, and it is `reversed`.
    async fn reverse(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        reversal: &mut BillAdjustment,
        original: &EntityRef,
        now: DateTime<Utc>,
    ) -> Result<(), AdjustmentError> {
        let mut first = self.applied_original(txn, &original.id).await?;
        first.applied_rate = None;
        self.apply(txn, ctx, id, &mut first, now, true).await?;
        // The rate carrying the money back is the reversal's.
        reversal.applied_rate = first.applied_rate.take();
        let stored = self.adjustments.load_in(txn, &original.id).await?;
        let mut first: BillAdjustment = from_value(stored.unwrap_or(Json::Null))?;
        first.state = Some(State::Reversed);
        first.reversed_by = Some(from_value(
            json!({"id": id, "@referredType": "BillAdjustment"}),
        )?);
        let document = serde_json::to_value(&first).map_err(TmfError::internal)?;
        let stored = self
            .adjustments
            .replace_in(txn, ctx, &original.id, document)
            .await?;
        for follower in &self.reversals {
            follower.reversed(txn, ctx, &stored).await?;
        }
        reversal.state = Some(State::Applied);
        reversal.applied_date = Some(now);
        Ok(())
    }

    fn automatic(&self, amount: &Money) -> bool {
        self.policy
            .thresholds
            .get(amount.unit.as_str())
            .is_some_and(|threshold| amount.value <= *threshold)
    }
}

fn strip_nulls(mut value: Json) -> Json {
    if let Json::Object(map) = &mut value {
        map.retain(|_, v| !v.is_null());
    }
    value
}

#[async_trait]
impl DomainRules<AdjustmentKind> for AdjustmentRules {
    type Error = AdjustmentError;

    fn server_owned(&self) -> &'static [&'static str] {
        &SERVER_OWNED
    }

    fn natural_key(&self, adjustment: &BillAdjustment) -> Option<NaturalKey> {
        let original = &adjustment.reversal_of.as_ref()?.id;
        Some(NaturalKey {
            key: format!("reversalOf\u{1f}{original}"),
            named: format!("a reversal of BillAdjustment '{original}'"),
        })
    }

    async fn create(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        mut adjustment: BillAdjustment,
    ) -> Result<BillAdjustment, AdjustmentError> {
        check_create(adjustment.state.unwrap_or(State::Proposed))?;
        adjustment.state = Some(State::Proposed);
        if let Some(original) = adjustment.reversal_of.clone() {
            let first = self.applied_original(txn, &original.id).await?;
            if first.r#type != adjustment.r#type
                || first.amount.value != adjustment.amount.value
                || first.amount.unit != adjustment.amount.unit
            {
                return Err(Invalid(format!(
                    "'amount': a reversal moves back exactly what BillAdjustment '{}' moved ({} {} {})",
                    original.id, first.r#type, first.amount.value, first.amount.unit
                )));
            }
            adjustment.bill = first.bill.clone();
            adjustment.applied_billing_rate = first.applied_billing_rate.clone();
            adjustment.billing_account = first.billing_account.clone();
            adjustment.dispute = first.dispute.clone();
        } else {
            self.check_new(txn, &mut adjustment).await?;
        }
        let now = self.clock.now();
        adjustment.creation_date = Some(now);
        adjustment.related_party = Some(vec![party(&ctx.actor.subject, "proposer")?]);
        if self.automatic(&adjustment.amount) {
            self.approve(txn, ctx, id, &mut adjustment, true).await?;
        }
        Ok(adjustment)
    }

    async fn patch(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        previous: &BillAdjustment,
        mut requested: BillAdjustment,
    ) -> Result<BillAdjustment, AdjustmentError> {
        let from = previous.state.unwrap_or(State::Proposed);
        let to = requested.state.unwrap_or(from);
        let mut unchanged = requested.clone();
        unchanged.state = previous.state;
        unchanged.last_update = previous.last_update;
        if unchanged != *previous {
            return Err(match from {
                State::Applied | State::Reversed | State::Rejected => Conflict(format!(
                    "BillAdjustment '{id}' is {from}: it is never changed (an applied one is undone by a reversal)"
                )),
                _ => Invalid(
                    "a billAdjustment is changed through its 'state' only (approved or rejected)"
                        .into(),
                ),
            });
        }
        if from == to {
            return Ok(requested);
        }
        check_move(from, to)?;
        match to {
            State::Approved => {
                if !is_approver(ctx) {
                    return Err(Forbidden(
                        "approving an adjustment needs the supervisor role".into(),
                    ));
                }
                if proposer(previous) == Some(ctx.actor.subject.as_str()) {
                    return Err(Forbidden(format!(
                        "maker-checker: '{}' proposed this adjustment of {} {}, above the approval threshold; another supervisor approves it",
                        ctx.actor.subject, previous.amount.value, previous.amount.unit
                    )));
                }
                self.approve(txn, ctx, id, &mut requested, false).await?;
            }
            State::Rejected => {
                if !is_approver(ctx) && proposer(previous) != Some(ctx.actor.subject.as_str()) {
                    return Err(Forbidden(
                        "an adjustment is rejected by a supervisor or withdrawn by its proposer"
                            .into(),
                    ));
                }
                // A credit another domain asked for will never be made: it is told, as of a
                // reversal (loyalty gives the burned points back).
                let mut document = serde_json::to_value(&requested).map_err(TmfError::internal)?;
                document["id"] = Json::String(id.to_owned());
                for follower in &self.reversals {
                    follower.reversed(txn, ctx, &document).await?;
                }
            }
            other => {
                return Err(Conflict(format!(
                    "BillAdjustment '{id}' cannot be moved to '{other}' by a request"
                )));
            }
        }
        Ok(requested)
    }
}
