//! TMF678 `customerBill`: bills a billing system records ([`BillRules::create`], an extension:
//! TMF678 v4 defines no create), read by any TMF678 client, and moved through their
//! lifecycle by `PATCH` of `state` alone, as `CustomerBill_Update` allows.
//!
//! A bill is known by its `billNo` within its billing account: the same bill sent again is
//! the stored one (200), the same number with other content a 409. Its money is checked
//! ([`crate::amounts::check_bill`]) and its billing account's `receivableBalance` (the
//! remaining amounts of the account's unsettled bills, per currency) follows every change in
//! the change's transaction. Only the billing system (and administrators) move a bill's state,
//! except onto and off hold, which a CSR may do (a collections hold while a customer's
//! question is looked into).

use std::sync::Arc;

use async_trait::async_trait;
use crm_module::AccountBalances;
use crm_store::{
    Clock, DatabaseTransaction, DocumentService, DomainRules, Erasure, NaturalKey, Reference,
    ResourceKind, StoredType,
};
use rust_decimal::Decimal;
use serde_json::Value as Json;
use sid_model::{CustomerBill, CustomerBillStateType as State, Money, check_move};
use tmf_apis::body::from_value;
use tmf_apis::catalog::CatalogError;
use tmf_apis::{Domain, RequestContext, ResourceDescriptor, TmfResult};

use crate::amounts::check_bill;
use crate::error::BillingError;

/// The base path of TMF678.
pub const BILL_BASE: &str = "/tmf-api/customerBillManagement/v4/";

/// Where bills are stored.
pub const CUSTOMER_BILL: StoredType = StoredType {
    table: "customer_bill",
    kind: "CustomerBill",
};

/// The balance type the unsettled bills of a billing account add up to (TMF666).
pub const RECEIVABLE_BALANCE: &str = "receivableBalance";

/// The balance type the open disputes of a billing account's bills add up to (TMF666).
pub const DISPUTED_BALANCE: &str = "disputedBalance";

/// What a party reference on a bill may point at.
pub(crate) const PARTIES: &[&str] = &["Individual", "Organization", "Customer", "PartyRole"];

/// Whether the caller may record bills and move them freely: the billing system or an
/// administrator.
pub(crate) fn is_billing_system(ctx: &RequestContext) -> bool {
    ctx.actor
        .roles
        .iter()
        .any(|role| role == "billing-system" || role == "admin")
}

pub(crate) fn reference(
    path: String,
    id: &str,
    referred_type: Option<&str>,
    allowed: &'static [&'static str],
) -> Reference {
    Reference {
        path,
        id: id.to_owned(),
        referred_type: referred_type.map(str::to_owned),
        allowed,
    }
}

/// The TMF678 `customerBill` resource as stored.
pub struct BillKind {
    descriptor: ResourceDescriptor,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for BillKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BillKind")
            .field("type_name", &self.descriptor.type_name)
            .finish_non_exhaustive()
    }
}

impl BillKind {
    /// The kind, with its attributes read from the TMF678 specification; `lastUpdate` is
    /// stamped from `clock`. Bills are never deleted (a bill is a financial record).
    pub fn new(clock: Arc<dyn Clock>) -> Result<Self, CatalogError> {
        let mut descriptor = ResourceDescriptor::from_spec(
            crate::spec::customer_bill(),
            BILL_BASE,
            "customerBill",
            "CustomerBill",
            Domain::Bill,
        )?;
        descriptor.methods.delete = false;
        Ok(Self { descriptor, clock })
    }
}

impl ResourceKind for BillKind {
    type Model = CustomerBill;

    fn descriptor(&self) -> &ResourceDescriptor {
        &self.descriptor
    }

    fn stored_type(&self) -> StoredType {
        CUSTOMER_BILL
    }

    fn references(&self, bill: &CustomerBill) -> Vec<Reference> {
        let mut out = Vec::new();
        if let Some(account) = &bill.billing_account {
            out.push(reference(
                "billingAccount".into(),
                &account.id,
                account.referred_type.as_deref(),
                &["BillingAccount"],
            ));
        }
        if let Some(account) = &bill.financial_account {
            out.push(reference(
                "financialAccount".into(),
                &account.id,
                account.referred_type.as_deref(),
                &["FinancialAccount"],
            ));
        }
        for (i, party) in bill.related_party.iter().flatten().enumerate() {
            out.push(reference(
                format!("relatedParty[{i}]"),
                &party.id,
                party.referred_type.as_deref(),
                PARTIES,
            ));
        }
        out
    }

    /// Bills keep their number, category, run type and tax categories; names of what they
    /// refer to are masked and other text (document names and urls) removed.
    fn erasure(&self) -> Option<Erasure> {
        Some(Erasure {
            keep: &["billNo", "category", "runType", "taxItem.taxCategory"],
            erase: &[],
        })
    }

    /// Every write that changes the bill stamps `lastUpdate` from the clock (one that changes
    /// nothing keeps it, so it writes nothing).
    fn prepare(
        &self,
        _ctx: &RequestContext,
        previous: Option<&CustomerBill>,
        bill: &mut CustomerBill,
    ) -> TmfResult<()> {
        if let Some(previous) = previous {
            bill.last_update = previous.last_update;
            if bill == previous {
                return Ok(());
            }
        }
        bill.last_update = Some(self.clock.now());
        Ok(())
    }
}

/// The receivable balances of the billing account `account`: the remaining amounts of its
/// unsettled bills, per currency, reading the stored bills within `txn` with `changed` (the
/// bill `id` being written, as it will be stored) in place of its stored form.
pub(crate) async fn receivable(
    bills: &DocumentService<BillKind>,
    txn: &DatabaseTransaction,
    account: &str,
    id: &str,
    changed: &CustomerBill,
) -> Result<Vec<Money>, BillingError> {
    let mut totals: Vec<Money> = Vec::new();
    let mut add = |bill: &CustomerBill| {
        if bill.state == Some(State::Settled) {
            return;
        }
        let Some(remaining) = &bill.remaining_amount else {
            return;
        };
        match totals.iter_mut().find(|m| m.unit == remaining.unit) {
            Some(total) => total.value += remaining.value,
            None => totals.push(Money::new(remaining.unit, remaining.value)),
        }
    };
    for stored in bills.find_in(txn, "billingAccount.id", account).await? {
        if stored.get("id").and_then(Json::as_str) == Some(id) {
            continue;
        }
        let bill: CustomerBill = from_value(stored).map_err(|e| BillingError::Unreadable {
            what: "CustomerBill".into(),
            reason: e.message,
        })?;
        add(&bill);
    }
    add(changed);
    Ok(totals)
}

/// Sets the receivable balances of the billing account of `bill` (being written as `id`).
pub(crate) async fn follow_balances(
    bills: &DocumentService<BillKind>,
    balances: Option<&Arc<dyn AccountBalances>>,
    txn: &DatabaseTransaction,
    ctx: &RequestContext,
    id: &str,
    bill: &CustomerBill,
    previous_currency: Option<&Money>,
) -> Result<(), BillingError> {
    let (Some(balances), Some(account)) = (balances, &bill.billing_account) else {
        return Ok(());
    };
    let mut totals = receivable(bills, txn, &account.id, id, bill).await?;
    // A currency whose last unsettled bill was just settled goes to zero, not away.
    for money in [bill.remaining_amount.as_ref(), previous_currency]
        .into_iter()
        .flatten()
    {
        if !totals.iter().any(|t| t.unit == money.unit) {
            // Zero at the scale the amounts are kept at (0.00 after 120.00).
            let mut zero = Decimal::ZERO;
            zero.rescale(money.value.scale());
            totals.push(Money::new(money.unit, zero));
        }
    }
    for total in totals {
        balances
            .set_balance(txn, ctx, &account.id, RECEIVABLE_BALANCE, total)
            .await?;
    }
    Ok(())
}

/// The rules of bills written through the API.
pub struct BillRules {
    pub(crate) bills: Arc<DocumentService<BillKind>>,
    pub(crate) balances: Option<Arc<dyn AccountBalances>>,
}

impl std::fmt::Debug for BillRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BillRules")
            .field("balances", &self.balances.is_some())
            .finish_non_exhaustive()
    }
}

/// The attribute of `requested` that differs from `previous`, other than those a patch may
/// change (`state`) or the server stamps (`lastUpdate`).
fn changed_besides_state(previous: &CustomerBill, requested: &CustomerBill) -> Option<String> {
    let plain = |bill: &CustomerBill| {
        let mut value = serde_json::to_value(bill).unwrap_or(Json::Null);
        if let Some(map) = value.as_object_mut() {
            map.remove("state");
            map.remove("lastUpdate");
        }
        value
    };
    let (Json::Object(before), Json::Object(after)) = (plain(previous), plain(requested)) else {
        return None;
    };
    before
        .keys()
        .chain(after.keys())
        .find(|key| before.get(*key) != after.get(*key))
        .cloned()
}

#[async_trait]
impl DomainRules<BillKind> for BillRules {
    type Error = BillingError;

    fn natural_key(&self, bill: &CustomerBill) -> Option<NaturalKey> {
        let account = &bill.billing_account.as_ref()?.id;
        let number = bill.bill_no.as_ref()?;
        Some(NaturalKey {
            key: format!("{account}\u{1f}{number}"),
            named: format!("billNo '{number}' of billing account '{account}'"),
        })
    }

    async fn create(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        mut bill: CustomerBill,
    ) -> Result<CustomerBill, BillingError> {
        if !is_billing_system(ctx) {
            return Err(BillingError::BillingSystemOnly {
                what: "recording a customerBill".into(),
            });
        }
        check_bill(&mut bill)?;
        follow_balances(
            &self.bills,
            self.balances.as_ref(),
            txn,
            ctx,
            id,
            &bill,
            None,
        )
        .await?;
        Ok(bill)
    }

    async fn patch(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        previous: &CustomerBill,
        mut requested: CustomerBill,
    ) -> Result<CustomerBill, BillingError> {
        if let Some(attribute) = changed_besides_state(previous, &requested) {
            return Err(BillingError::StateOnly { attribute });
        }
        let from = previous.state.unwrap_or(State::New);
        let to = *requested.state.get_or_insert(from);
        if from == to {
            return Ok(requested);
        }
        check_move(from, to)?;
        if !is_billing_system(ctx) && from != State::OnHold && to != State::OnHold {
            return Err(BillingError::BillingSystemOnly {
                what: format!(
                    "moving a bill from '{from}' to '{to}' (a CSR puts bills on hold and takes them off)"
                ),
            });
        }
        let remaining = requested
            .remaining_amount
            .as_ref()
            .map_or(Decimal::ZERO, |m| m.value);
        if to == State::Settled && !remaining.is_zero() {
            return Err(BillingError::StateContradicted {
                state: to,
                why: format!("{remaining} remains to be paid: a payment settles it"),
            });
        }
        let paid = requested.applied_payment.iter().flatten().count();
        if to == State::PartiallyPaid && paid == 0 {
            return Err(BillingError::StateContradicted {
                state: to,
                why: "no payment is applied to it".into(),
            });
        }
        follow_balances(
            &self.bills,
            self.balances.as_ref(),
            txn,
            ctx,
            id,
            &requested,
            previous.remaining_amount.as_ref(),
        )
        .await?;
        Ok(requested)
    }
}

/// Reads a stored bill.
pub(crate) fn read_bill(id: &str, stored: Json) -> Result<CustomerBill, BillingError> {
    from_value(stored).map_err(|e| BillingError::Unreadable {
        what: format!("CustomerBill {id}"),
        reason: e.message,
    })
}
