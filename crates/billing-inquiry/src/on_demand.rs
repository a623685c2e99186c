//! TMF678 `customerBillOnDemand`: a request for a bill now (a customer on the phone asks for
//! one). A request names a billing account, or a related party owning exactly one; it is
//! created `inProgress` and a background job ([`BillOnDemand`]) produces a bill from that
//! account's unbilled rates (`isBilled: false`): the bill is recorded, the rates are marked
//! billed on it, the account's receivable balance follows, and the request moves to `done`
//! with its `customerBill` — all in one transaction. A request that cannot be billed ends
//! `rejected` (no unbilled rates, rates in several currencies, rates that add up to a credit)
//! or `terminatedWithError`, with the reason in the extension attribute `stateReason`.
//!
//! The job keeps its state in the data: every pass takes the requests still `inProgress`,
//! locks each and checks it again before producing its bill, so a restart loses nothing and
//! several instances never bill one request, or one rate, twice.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use crm_module::{AccountBalances, Job};
use crm_store::{
    Clock, DatabaseTransaction, DocumentService, DomainRules, Reference, ResourceKind, Store,
    StoredType, idempotency, new_id,
};
use rust_decimal::Decimal;
use serde_json::Value as Json;
use sid_model::{
    AppliedCustomerBillingRate, BillRef, BillingAccountRef, CustomerBill, CustomerBillOnDemand,
    CustomerBillOnDemandStateType as RequestState, Money, TaxItem, TimePeriod, check_create,
};
use tmf_apis::body::from_value;
use tmf_apis::catalog::CatalogError;
use tmf_apis::{Actor, Domain, RequestContext, ResourceDescriptor, TmfError, TmfResult};

use crate::amounts::{RateType, check_bill};
use crate::bills::{BILL_BASE, BillKind, PARTIES, follow_balances, reference};
use crate::error::BillingError;
use crate::rates::RateKind;

/// Where requests for a bill on demand are stored.
pub const BILL_ON_DEMAND: StoredType = StoredType {
    table: "bill_on_demand",
    kind: "CustomerBillOnDemand",
};

/// The extension attribute that says why a request was rejected or failed.
pub const STATE_REASON: &str = "stateReason";

/// The job's name.
pub const BILL_ON_DEMAND_JOB: &str = "billOnDemand";

/// Who the job acts as, in history and events.
const JOB_ACTOR: &str = "bill-on-demand";

/// The TMF678 `customerBillOnDemand` task resource as stored.
pub struct OnDemandKind {
    descriptor: ResourceDescriptor,
}

impl std::fmt::Debug for OnDemandKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnDemandKind")
            .field("type_name", &self.descriptor.type_name)
            .finish_non_exhaustive()
    }
}

impl OnDemandKind {
    /// The kind, with its attributes read from the TMF678 specification: a task, created and
    /// read (TMF678 defines no update or delete of it).
    pub fn new() -> Result<Self, CatalogError> {
        let mut descriptor = ResourceDescriptor::from_spec(
            crate::spec::customer_bill(),
            BILL_BASE,
            "customerBillOnDemand",
            "CustomerBillOnDemand",
            Domain::BillRequest,
        )?;
        descriptor.methods = tmf_apis::Methods::TASK;
        Ok(Self { descriptor })
    }
}

impl ResourceKind for OnDemandKind {
    type Model = CustomerBillOnDemand;

    fn descriptor(&self) -> &ResourceDescriptor {
        &self.descriptor
    }

    fn stored_type(&self) -> StoredType {
        BILL_ON_DEMAND
    }

    fn references(&self, request: &CustomerBillOnDemand) -> Vec<Reference> {
        let mut out = Vec::new();
        if let Some(account) = &request.billing_account {
            out.push(reference(
                "billingAccount".into(),
                &account.id,
                account.referred_type.as_deref(),
                &["BillingAccount"],
            ));
        }
        if let Some(bill) = &request.customer_bill {
            out.push(reference(
                "customerBill".into(),
                &bill.id,
                bill.referred_type.as_deref(),
                &["CustomerBill"],
            ));
        }
        if let Some(party) = &request.related_party {
            out.push(reference(
                "relatedParty".into(),
                &party.id,
                party.referred_type.as_deref(),
                PARTIES,
            ));
        }
        out
    }
}

/// The rules of requests made through the API.
pub struct OnDemandRules {
    pub(crate) store: Store,
    pub(crate) accounts: Option<StoredType>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for OnDemandRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnDemandRules").finish_non_exhaustive()
    }
}

impl OnDemandRules {
    /// The billing account a request names, or the one its related party owns.
    async fn account_of(
        &self,
        txn: &DatabaseTransaction,
        request: &CustomerBillOnDemand,
    ) -> Result<BillingAccountRef, BillingError> {
        if let Some(account) = &request.billing_account {
            return Ok(account.clone());
        }
        let (Some(party), Some(accounts)) = (&request.related_party, self.accounts) else {
            return Err(BillingError::NoAccount {
                field: "billingAccount",
                why: "a bill on demand is for a billing account: send billingAccount, or a relatedParty owning exactly one".into(),
            });
        };
        let referring = crm_store::relations::referencing(txn, std::slice::from_ref(&party.id))
            .await?
            .into_iter()
            .filter(|(table, _)| table == accounts.table)
            .map(|(_, id)| id)
            .collect::<Vec<_>>();
        let owned = crm_store::relations::documents(
            &self.store,
            accounts.table,
            &referring,
            &[accounts.kind],
        )
        .await?;
        match owned.as_slice() {
            [account] => Ok(from_value(serde_json::json!({
                "id": account.get("id").cloned().unwrap_or(Json::Null),
                "@referredType": accounts.kind,
            }))?),
            [] => Err(BillingError::NoAccount {
                field: "relatedParty",
                why: format!(
                    "party '{}' has no billing account: send billingAccount",
                    party.id
                ),
            }),
            _ => Err(BillingError::NoAccount {
                field: "relatedParty",
                why: format!(
                    "party '{}' has {} billing accounts: send billingAccount",
                    party.id,
                    owned.len()
                ),
            }),
        }
    }
}

#[async_trait]
impl DomainRules<OnDemandKind> for OnDemandRules {
    type Error = BillingError;

    fn server_owned(&self) -> &'static [&'static str] {
        &["customerBill", "lastUpdate", STATE_REASON]
    }

    async fn create(
        &self,
        txn: &DatabaseTransaction,
        _ctx: &RequestContext,
        _id: &str,
        mut request: CustomerBillOnDemand,
    ) -> Result<CustomerBillOnDemand, BillingError> {
        check_create(request.state.unwrap_or(RequestState::InProgress))?;
        request.state = Some(RequestState::InProgress);
        request.billing_account = Some(self.account_of(txn, &request).await?);
        request.last_update = Some(self.clock.now().to_rfc3339());
        Ok(request)
    }

    async fn patch(
        &self,
        _txn: &DatabaseTransaction,
        _ctx: &RequestContext,
        _id: &str,
        _previous: &CustomerBillOnDemand,
        _requested: CustomerBillOnDemand,
    ) -> Result<CustomerBillOnDemand, BillingError> {
        // Not routed (a task): requests are created and read.
        Err(BillingError::BillingSystemOnly {
            what: "changing a customerBillOnDemand".into(),
        })
    }
}

/// What a pass did with one request.
enum Outcome {
    /// Billed: the request is done.
    Done,
    /// Not billable, for this reason.
    Rejected(String),
}

/// The background job that produces the bills requested on demand.
pub struct BillOnDemand {
    pub(crate) store: Store,
    pub(crate) requests: Arc<DocumentService<OnDemandKind>>,
    pub(crate) bills: Arc<DocumentService<BillKind>>,
    pub(crate) rates: Arc<DocumentService<RateKind>>,
    pub(crate) balances: Option<Arc<dyn AccountBalances>>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for BillOnDemand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BillOnDemand").finish_non_exhaustive()
    }
}

fn job_context() -> RequestContext {
    RequestContext {
        actor: Actor {
            subject: JOB_ACTOR.to_owned(),
            roles: vec!["billing-system".to_owned()],
        },
        reason: Some("bill requested on demand".to_owned()),
        correlation_id: None,
        strict_attributes: false,
        if_match: tmf_apis::IfMatch::Absent,
        idempotency_key: None,
    }
}

/// The bill the unbilled `rates` of `account` add up to, or why there is none.
fn bill_of(
    request_id: &str,
    account: &BillingAccountRef,
    rates: &[AppliedCustomerBillingRate],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<CustomerBill, String> {
    let Some(first) = rates.first().and_then(|r| r.tax_included_amount.as_ref()) else {
        return Err(format!(
            "billing account '{}' has no unbilled rates",
            account.id
        ));
    };
    let unit = first.unit;
    let mut included = Decimal::ZERO;
    let mut excluded = Some(Decimal::ZERO);
    let mut taxes: BTreeMap<(Option<String>, Option<String>), Decimal> = BTreeMap::new();
    let mut start = None;
    let mut end = None;
    for rate in rates {
        let kind = rate
            .r#type
            .as_deref()
            .and_then(RateType::parse)
            .unwrap_or(RateType::Charge);
        let Some(amount) = &rate.tax_included_amount else {
            continue;
        };
        if amount.unit != unit {
            return Err(format!(
                "the unbilled rates of billing account '{}' are in {unit} and {}: one bill is in one currency",
                account.id, amount.unit
            ));
        }
        included += kind.signed(amount.value);
        excluded = match (excluded, &rate.tax_excluded_amount) {
            (Some(total), Some(money)) => Some(total + kind.signed(money.value)),
            _ => None,
        };
        for tax in rate.applied_tax.iter().flatten() {
            if let Some(money) = &tax.tax_amount {
                let key = (
                    tax.tax_category.clone(),
                    tax.tax_rate.map(|r| r.to_string()),
                );
                *taxes.entry(key).or_default() += kind.signed(money.value);
            }
        }
        if let Some(period) = &rate.period_coverage {
            if let Some(from) = period.start_date_time {
                start = Some(start.map_or(from, |s: chrono::DateTime<chrono::Utc>| s.min(from)));
            }
            if let Some(to) = period.end_date_time {
                end = Some(end.map_or(to, |e: chrono::DateTime<chrono::Utc>| e.max(to)));
            }
        }
    }
    if included.is_sign_negative() && !included.is_zero() {
        return Err(format!(
            "the unbilled rates of billing account '{}' add up to a credit of {} {unit}: nothing to bill",
            account.id, -included
        ));
    }
    let mut bill = CustomerBill {
        bill_no: Some(format!("OD-{request_id}")),
        bill_date: Some(now),
        run_type: Some("offCycle".into()),
        billing_account: Some(account.clone()),
        amount_due: Some(Money::new(unit, included)),
        tax_included_amount: Some(Money::new(unit, included)),
        ..CustomerBill::default()
    };
    // Taxes only when they account for the whole difference (every rate gave its amount
    // without tax and its taxes).
    if let Some(excluded) = excluded {
        let tax_items: Vec<TaxItem> = taxes
            .into_iter()
            .map(|((category, rate), amount)| TaxItem {
                tax_category: category,
                tax_rate: rate.and_then(|r| r.parse().ok()),
                tax_amount: Some(Money::new(unit, amount)),
                ..TaxItem::default()
            })
            .collect();
        let taxed: Decimal = tax_items
            .iter()
            .filter_map(|t| t.tax_amount.as_ref().map(|m| m.value))
            .sum();
        if excluded + taxed == included && excluded >= Decimal::ZERO {
            bill.tax_excluded_amount = Some(Money::new(unit, excluded));
            if !tax_items.is_empty() {
                bill.tax_item = Some(tax_items);
            }
        }
    }
    if let (Some(start), Some(end)) = (start, end) {
        bill.billing_period = Some(TimePeriod::between(start, end));
    }
    Ok(bill)
}

impl BillOnDemand {
    /// Produces the bill of the request `id` within `txn`, if it is still in progress.
    async fn produce(&self, txn: &DatabaseTransaction, id: &str) -> TmfResult<Option<Outcome>> {
        let ctx = job_context();
        let Some(stored) = self.requests.load_in(txn, id).await? else {
            return Ok(None);
        };
        let mut request: CustomerBillOnDemand = from_value(stored)?;
        if request.state != Some(RequestState::InProgress) {
            // Another instance finished it.
            return Ok(None);
        }
        let Some(account) = request.billing_account.clone() else {
            return self
                .finish(
                    txn,
                    &ctx,
                    id,
                    request,
                    RequestState::Rejected,
                    "no billing account".into(),
                )
                .await;
        };
        let now = self.clock.now();
        // Every unbilled rate of the account, each locked and checked again, so that two
        // requests for one account never bill a rate twice.
        let mut rates = Vec::new();
        for candidate in self
            .rates
            .find_in(txn, "billingAccount.id", &account.id)
            .await?
        {
            if candidate.get("isBilled") != Some(&Json::Bool(false)) {
                continue;
            }
            let Some(rate_id) = candidate.get("id").and_then(Json::as_str) else {
                continue;
            };
            let Some(locked) = self.rates.load_in(txn, rate_id).await? else {
                continue;
            };
            let rate: AppliedCustomerBillingRate = from_value(locked)?;
            if rate.is_billed == Some(false) {
                rates.push(rate);
            }
        }
        let mut bill = match bill_of(id, &account, &rates, now) {
            Ok(bill) => bill,
            Err(reason) => {
                return self
                    .finish(txn, &ctx, id, request, RequestState::Rejected, reason)
                    .await;
            }
        };
        bill.related_party = request.related_party.clone().map(|party| vec![party]);
        check_bill(&mut bill).map_err(TmfError::from)?;
        let bill_id = new_id();
        let document = serde_json::to_value(&bill).map_err(TmfError::internal)?;
        // The bill's number is its natural key, as for a bill the billing system records.
        let key = format!(
            "{}\u{1f}{}",
            account.id,
            bill.bill_no.clone().unwrap_or_default()
        );
        idempotency::remember(
            txn,
            "CustomerBill",
            &key,
            &idempotency::fingerprint(&document),
            &bill_id,
        )
        .await?;
        self.bills
            .create_with_id_in(txn, &ctx, &bill_id, document)
            .await?;
        follow_balances(
            &self.bills,
            self.balances.as_ref(),
            txn,
            &ctx,
            &bill_id,
            &bill,
            None,
        )
        .await
        .map_err(TmfError::from)?;
        let bill_ref: BillRef = from_value(serde_json::json!({
            "id": bill_id, "@referredType": "CustomerBill"
        }))?;
        for mut rate in rates {
            rate.is_billed = Some(true);
            rate.bill = Some(bill_ref.clone());
            let rate_id = rate.id.clone();
            let document = serde_json::to_value(&rate).map_err(TmfError::internal)?;
            self.rates.replace_in(txn, &ctx, &rate_id, document).await?;
        }
        request.customer_bill = Some(bill_ref);
        request.state = Some(RequestState::Done);
        request.last_update = Some(now.to_rfc3339());
        let document = serde_json::to_value(&request).map_err(TmfError::internal)?;
        self.requests.replace_in(txn, &ctx, id, document).await?;
        Ok(Some(Outcome::Done))
    }

    /// Ends the request `id` in `state` (rejected or failed) for `reason`.
    async fn finish(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        mut request: CustomerBillOnDemand,
        state: RequestState,
        reason: String,
    ) -> TmfResult<Option<Outcome>> {
        request.state = Some(state);
        request.last_update = Some(self.clock.now().to_rfc3339());
        request
            .extensions
            .0
            .insert(STATE_REASON.into(), Json::String(reason.clone()));
        let document = serde_json::to_value(&request).map_err(TmfError::internal)?;
        self.requests.replace_in(txn, ctx, id, document).await?;
        Ok(Some(Outcome::Rejected(reason)))
    }
}

#[async_trait]
impl Job for BillOnDemand {
    fn name(&self) -> &'static str {
        BILL_ON_DEMAND_JOB
    }

    fn interval(&self) -> Duration {
        Duration::from_secs(2)
    }

    async fn run_once(&self) -> TmfResult<Vec<String>> {
        let pending = self
            .requests
            .find_in(self.store.connection(), "state", "inProgress")
            .await?;
        let mut changed = Vec::new();
        for request in pending {
            let Some(id) = request.get("id").and_then(Json::as_str).map(str::to_owned) else {
                continue;
            };
            match self
                .store
                .write(async |txn| self.produce(txn, &id).await)
                .await
            {
                Ok(Some(Outcome::Done)) => changed.push(id),
                Ok(Some(Outcome::Rejected(reason))) => {
                    tracing::info!(request = %id, %reason, "bill on demand rejected");
                    changed.push(id);
                }
                Ok(None) => {}
                // Contention or an outage: the request stays in progress for the next pass.
                Err(error) if error.status().as_u16() == 503 => {
                    tracing::warn!(request = %id, error = %error.message, "bill on demand deferred");
                }
                // Anything else will fail again: the request ends, saying why.
                Err(error) => {
                    tracing::error!(request = %id, error = %error.message, "bill on demand failed");
                    let ended = self
                        .store
                        .write(async |txn| {
                            let ctx = job_context();
                            let Some(stored) = self.requests.load_in(txn, &id).await? else {
                                return Ok(None);
                            };
                            let request: CustomerBillOnDemand = from_value(stored)?;
                            if request.state != Some(RequestState::InProgress) {
                                return Ok(None);
                            }
                            self.finish(
                                txn,
                                &ctx,
                                &id,
                                request,
                                RequestState::TerminatedWithError,
                                error.message.clone(),
                            )
                            .await
                        })
                        .await?;
                    if ended.is_some() {
                        changed.push(id);
                    }
                }
            }
        }
        Ok(changed)
    }
}
