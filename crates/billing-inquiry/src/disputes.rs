//! Bill disputes: TMF621 trouble tickets of type "Bill Dispute", whose rules this crate owns
//! through the subtype hook (`customer-problem` does not know bills). A dispute names what it
//! disputes as `relatedEntity`s — one `disputedBill` (a `CustomerBill`), or one or more
//! `disputedItem`s (`AppliedCustomerBillingRate`s of one bill) — and carries typed
//! characteristics: `disputeAmount`, `currency`, `reasonCode` (from the configured list), and,
//! as the dispute is worked, `grantedAmount`, `deniedAmount`, `writtenOffAmount`,
//! `rejectReason`.
//!
//! The rules (422 naming the characteristic): the currency is the bill's; the disputed amount is
//! positive and at most what is still undisputed on the target (a bill's remaining amount less
//! its other open disputes; an item's amount less its other open disputes), judged with the
//! bill locked, so two disputes racing for the last euro cannot both win; the outcome amounts
//! are never set on create, and at every moment `granted + denied + writtenOff ≤ disputed`; a
//! dispute is resolved or closed only when they add up to the disputed amount, rejected only with
//! a `rejectReason`. While a dispute is open its bill is `onHold` (a collections hold; the state
//! it had is kept in the bill's extension attribute `stateBeforeHold` and given back when no
//! dispute on the bill is open any more), and the billing account's `disputedBalance` is the
//! sum of its open disputed amounts, both written in the dispute's transaction.

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;
use crm_module::{AccountBalances, SubtypeRules};
use crm_store::{DatabaseTransaction, DocumentService, Store, StoredType};
use rust_decimal::Decimal;
use serde_json::Value as Json;
use sid_model::{
    Characteristic, CurrencyCode, CustomerBill, CustomerBillStateType as BillState, Money,
    TroubleTicket, TroubleTicketStatusType as Status,
};
use tmf_apis::body::from_value;
use tmf_apis::{RequestContext, TmfError, TmfResult};

use crate::bills::{BillKind, DISPUTED_BALANCE, read_bill};
use crate::rates::{RateKind, signed_amount};

/// The ticket type of a bill dispute.
pub const BILL_DISPUTE: &str = "Bill Dispute";

/// The bill's extension attribute that keeps the state a dispute's hold took it from.
pub const STATE_BEFORE_HOLD: &str = "stateBeforeHold";

/// The characteristics only the working of a dispute sets.
const OUTCOMES: [&str; 4] = [
    "grantedAmount",
    "deniedAmount",
    "writtenOffAmount",
    "rejectReason",
];

/// Why a dispute is refused: a 422 naming what.
fn refused(message: impl Into<String>) -> TmfError {
    TmfError::invalid_value(message)
}

fn characteristic<'a>(ticket: &'a TroubleTicket, name: &str) -> Option<&'a Characteristic> {
    ticket
        .trouble_ticket_characteristic
        .iter()
        .flatten()
        .find(|c| c.name == name)
}

/// A characteristic's value as an exact amount (a JSON number, or its text).
fn amount_of(ticket: &TroubleTicket, name: &str) -> TmfResult<Option<Decimal>> {
    let Some(found) = characteristic(ticket, name) else {
        return Ok(None);
    };
    let text = match &found.value {
        Json::String(text) => text.clone(),
        Json::Number(number) => number.to_string(),
        _ => return Err(refused(format!("'{name}' is an amount: a number"))),
    };
    let value: Decimal = text
        .parse()
        .or_else(|_| Decimal::from_scientific(&text))
        .map_err(|_| refused(format!("'{name}' is an amount: a number, not '{text}'")))?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(refused(format!("'{name}' must not be negative: {value}")));
    }
    Ok(Some(value))
}

fn text_of<'a>(ticket: &'a TroubleTicket, name: &str) -> Option<&'a str> {
    characteristic(ticket, name).and_then(|c| c.value.as_str())
}

/// What a dispute disputes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// A whole bill.
    Bill(String),
    /// Items (rates) of one bill.
    Items(BTreeSet<String>),
}

/// A dispute as its characteristics and related entities say.
#[derive(Debug, Clone)]
struct Dispute {
    target: Target,
    disputed: Decimal,
    currency: String,
    granted: Decimal,
    denied: Decimal,
    written_off: Decimal,
    open: bool,
}

impl Dispute {
    fn read(ticket: &TroubleTicket) -> TmfResult<Self> {
        let mut bills = Vec::new();
        let mut items = BTreeSet::new();
        for entity in ticket.related_entity.iter().flatten() {
            match entity.role.as_str() {
                "disputedBill" => bills.push(entity.id.clone()),
                "disputedItem" => {
                    items.insert(entity.id.clone());
                }
                _ => {}
            }
        }
        let target = match (bills.as_slice(), items.is_empty()) {
            ([bill], true) => Target::Bill(bill.clone()),
            ([], false) => Target::Items(items),
            _ => {
                return Err(refused(
                    "'relatedEntity': a bill dispute names one disputedBill (a CustomerBill), or disputedItems (AppliedCustomerBillingRates of one bill), not both",
                ));
            }
        };
        let disputed = amount_of(ticket, "disputeAmount")?
            .ok_or_else(|| refused("'disputeAmount': a bill dispute says how much it disputes"))?;
        if disputed.is_zero() {
            return Err(refused("'disputeAmount' must be positive"));
        }
        let currency = text_of(ticket, "currency")
            .ok_or_else(|| refused("'currency': a bill dispute names its currency (ISO 4217)"))?;
        CurrencyCode::parse(currency)
            .map_err(|_| refused(format!("'currency' is '{currency}', not an ISO 4217 code")))?;
        Ok(Self {
            target,
            disputed,
            currency: currency.to_owned(),
            granted: amount_of(ticket, "grantedAmount")?.unwrap_or_default(),
            denied: amount_of(ticket, "deniedAmount")?.unwrap_or_default(),
            written_off: amount_of(ticket, "writtenOffAmount")?.unwrap_or_default(),
            open: ticket.status.is_none_or(Status::is_open),
        })
    }

    fn settled(&self) -> Decimal {
        self.granted + self.denied + self.written_off
    }
}

/// The rules of bill disputes.
pub struct DisputeRules {
    pub(crate) store: Store,
    pub(crate) bills: Arc<DocumentService<BillKind>>,
    pub(crate) rates: Arc<DocumentService<RateKind>>,
    pub(crate) tickets: StoredType,
    /// Where billing accounts are stored (to name a dispute's customer), when a module
    /// stores them.
    pub(crate) accounts: Option<StoredType>,
    /// Set when the module builds (every hook is offered by then).
    pub(crate) balances: std::sync::OnceLock<Arc<dyn AccountBalances>>,
    pub(crate) reasons: Vec<String>,
}

impl std::fmt::Debug for DisputeRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DisputeRules")
            .field("reasons", &self.reasons)
            .finish_non_exhaustive()
    }
}

impl DisputeRules {
    /// The bill a target is on, locked for the rest of `txn`, with the items' amounts.
    async fn bill_of(
        &self,
        txn: &DatabaseTransaction,
        target: &Target,
    ) -> TmfResult<(String, CustomerBill, Vec<(String, Decimal)>)> {
        let (bill_id, items) = match target {
            Target::Bill(id) => (id.clone(), Vec::new()),
            Target::Items(ids) => {
                let mut bill = None;
                let mut items = Vec::new();
                for id in ids {
                    let rate = self.rates.read_in(txn, id).await?.ok_or_else(|| {
                        refused(format!(
                            "'relatedEntity': AppliedCustomerBillingRate '{id}' does not exist"
                        ))
                    })?;
                    let Some(on) = rate.pointer("/bill/id").and_then(Json::as_str) else {
                        return Err(refused(format!(
                            "'relatedEntity': AppliedCustomerBillingRate '{id}' is on no bill yet: only billed items are disputed"
                        )));
                    };
                    match &bill {
                        None => bill = Some(on.to_owned()),
                        Some(first) if first != on => {
                            return Err(refused(
                                "'relatedEntity': the disputed items of one dispute are on one bill",
                            ));
                        }
                        Some(_) => {}
                    }
                    items.push((id.clone(), signed_amount(&rate).abs()));
                }
                (bill.unwrap_or_default(), items)
            }
        };
        let stored = self.bills.load_in(txn, &bill_id).await?.ok_or_else(|| {
            refused(format!(
                "'relatedEntity': CustomerBill '{bill_id}' does not exist"
            ))
        })?;
        Ok((
            bill_id,
            read_bill("", stored).map_err(TmfError::from)?,
            items,
        ))
    }

    /// A dispute is about the customer whose bill it disputes: unless the ticket names a
    /// `customer` already, the holder its billing account names (the `owner` or `customer`
    /// among its parties, else the first party) is added to its `relatedParty` with role
    /// `customer`, so that the dispute is one of the customer's tickets (the 360 view, the
    /// timeline, `?relatedParty.id=`) however the client raised it.
    async fn name_the_customer(
        &self,
        txn: &DatabaseTransaction,
        bill: &CustomerBill,
        requested: &mut Json,
    ) -> TmfResult<()> {
        let (Some(accounts), Some(account)) = (&self.accounts, &bill.billing_account) else {
            return Ok(());
        };
        let named = requested
            .get("relatedParty")
            .and_then(Json::as_array)
            .is_some_and(|parties| {
                parties.iter().any(|party| {
                    party
                        .get("role")
                        .and_then(Json::as_str)
                        .is_some_and(|role| role.eq_ignore_ascii_case("customer"))
                })
            });
        if named {
            return Ok(());
        }
        let stored = crm_store::relations::documents_on(
            txn,
            accounts.table,
            std::slice::from_ref(&account.id),
            &[],
        )
        .await?;
        let parties: Vec<&Json> = stored
            .first()
            .and_then(|account| account.get("relatedParty"))
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter(|party| party.get("id").and_then(Json::as_str).is_some())
            .collect();
        let holder = parties
            .iter()
            .find(|party| {
                party
                    .get("role")
                    .and_then(Json::as_str)
                    .is_some_and(|role| {
                        role.eq_ignore_ascii_case("owner") || role.eq_ignore_ascii_case("customer")
                    })
            })
            .or_else(|| parties.first());
        let Some(holder) = holder else {
            return Ok(());
        };
        let mut reference = serde_json::Map::new();
        for key in ["id", "href", "name", "@referredType"] {
            if let Some(value) = holder.get(key) {
                reference.insert(key.into(), value.clone());
            }
        }
        reference.insert("role".into(), Json::String("customer".into()));
        if let Some(map) = requested.as_object_mut() {
            match map
                .entry("relatedParty")
                .or_insert_with(|| Json::Array(Vec::new()))
            {
                Json::Array(parties) => parties.push(Json::Object(reference)),
                other => *other = Json::Array(vec![Json::Object(reference)]),
            }
        }
        Ok(())
    }

    /// The other open disputes about `ids` (a bill, its items), by ticket id.
    async fn open_disputes_about(
        &self,
        txn: &DatabaseTransaction,
        ids: &[String],
        except: &str,
    ) -> TmfResult<Vec<(String, Dispute)>> {
        let tickets: Vec<String> = crm_store::relations::referencing(txn, ids)
            .await?
            .into_iter()
            .filter(|(table, id)| table == self.tickets.table && id != except)
            .map(|(_, id)| id)
            .collect();
        let documents = crm_store::relations::documents(
            &self.store,
            self.tickets.table,
            &tickets,
            &[self.tickets.kind],
        )
        .await?;
        let mut out = Vec::new();
        for document in documents {
            let ticket: TroubleTicket = from_value(document)?;
            if ticket.ticket_type != BILL_DISPUTE {
                continue;
            }
            let Ok(dispute) = Dispute::read(&ticket) else {
                continue;
            };
            if dispute.open {
                out.push((ticket.id.clone().unwrap_or_default(), dispute));
            }
        }
        Ok(out)
    }

    /// The disputed amount `dispute` may take of `bill` (and of its `items`): what is not
    /// disputed by the other open disputes.
    async fn check_undisputed(
        &self,
        txn: &DatabaseTransaction,
        id: &str,
        dispute: &Dispute,
        bill_id: &str,
        bill: &CustomerBill,
        items: &[(String, Decimal)],
    ) -> TmfResult<()> {
        let remaining = bill
            .remaining_amount
            .as_ref()
            .map_or(Decimal::ZERO, |m| m.value);
        // Every open dispute on the bill or on any of its items.
        let mut about = vec![bill_id.to_owned()];
        for rate in self.rates.find_in(txn, "bill.id", bill_id).await? {
            if let Some(rate_id) = rate.get("id").and_then(Json::as_str) {
                about.push(rate_id.to_owned());
            }
        }
        let others = self.open_disputes_about(txn, &about, id).await?;
        let on_bill: Decimal = others.iter().map(|(_, d)| d.disputed).sum();
        let undisputed = remaining - on_bill;
        if dispute.disputed > undisputed {
            return Err(refused(format!(
                "'disputeAmount' is {}, more than the {} {} still undisputed on bill '{bill_id}'",
                dispute.disputed,
                undisputed.max(Decimal::ZERO),
                dispute.currency
            )));
        }
        if let Target::Items(_) = &dispute.target {
            let mut available = Decimal::ZERO;
            for (item, amount) in items {
                let disputed: Decimal = others
                    .iter()
                    .filter(|(_, d)| matches!(&d.target, Target::Items(ids) if ids.contains(item)))
                    .map(|(_, d)| d.disputed)
                    .sum();
                available += (*amount - disputed).max(Decimal::ZERO);
            }
            if dispute.disputed > available {
                return Err(refused(format!(
                    "'disputeAmount' is {}, more than the {available} {} still undisputed on the disputed items",
                    dispute.disputed, dispute.currency
                )));
            }
        }
        Ok(())
    }

    /// Holds the bill while a dispute on it is open, and gives it back its state when none is.
    async fn follow_hold(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        bill_id: &str,
        open_now: bool,
    ) -> TmfResult<()> {
        let Some(stored) = self.bills.load_in(txn, bill_id).await? else {
            return Ok(());
        };
        let mut bill = read_bill(bill_id, stored).map_err(TmfError::from)?;
        let state = bill.state.unwrap_or(BillState::New);
        let others = self
            .open_disputes_about(txn, &[bill_id.to_owned()], id)
            .await?;
        let rates_of_bill = self.rates.find_in(txn, "bill.id", bill_id).await?;
        let item_ids: Vec<String> = rates_of_bill
            .iter()
            .filter_map(|r| r.get("id").and_then(Json::as_str).map(str::to_owned))
            .collect();
        let on_items = self.open_disputes_about(txn, &item_ids, id).await?;
        let any_open = open_now || !others.is_empty() || !on_items.is_empty();
        match (any_open, state) {
            (true, BillState::OnHold | BillState::Settled) => return Ok(()),
            (true, held_from) => {
                bill.extensions.0.insert(
                    STATE_BEFORE_HOLD.into(),
                    Json::String(held_from.as_str().into()),
                );
                bill.state = Some(BillState::OnHold);
            }
            (false, BillState::OnHold) => {
                let Some(before) = bill.extensions.0.remove(STATE_BEFORE_HOLD) else {
                    // Held by someone else: it stays held.
                    return Ok(());
                };
                bill.state = before
                    .as_str()
                    .and_then(<BillState as sid_model::Lifecycle>::parse);
            }
            (false, _) => return Ok(()),
        }
        let document = serde_json::to_value(&bill).map_err(TmfError::internal)?;
        self.bills.replace_in(txn, ctx, bill_id, document).await?;
        Ok(())
    }

    /// Sets the billing account's disputed balance: the open disputed amounts of its bills.
    async fn follow_disputed_balance(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        bill: &CustomerBill,
        this: &Dispute,
    ) -> TmfResult<()> {
        let (Some(balances), Some(account)) = (self.balances.get(), &bill.billing_account) else {
            return Ok(());
        };
        let mut about = Vec::new();
        for stored in self
            .bills
            .find_in(txn, "billingAccount.id", &account.id)
            .await?
        {
            if let Some(bill_id) = stored.get("id").and_then(Json::as_str) {
                about.push(bill_id.to_owned());
                for rate in self.rates.find_in(txn, "bill.id", bill_id).await? {
                    if let Some(rate_id) = rate.get("id").and_then(Json::as_str) {
                        about.push(rate_id.to_owned());
                    }
                }
            }
        }
        let others = self.open_disputes_about(txn, &about, id).await?;
        let mut total: Decimal = others
            .iter()
            .filter(|(_, d)| d.currency == this.currency)
            .map(|(_, d)| d.disputed)
            .sum();
        if this.open {
            total += this.disputed;
        }
        let unit = CurrencyCode::parse(&this.currency).map_err(TmfError::internal)?;
        total.rescale(this.disputed.scale().max(total.scale()));
        balances
            .set_balance(
                txn,
                ctx,
                &account.id,
                DISPUTED_BALANCE,
                Money::new(unit, total),
            )
            .await
    }
}

#[async_trait]
impl SubtypeRules for DisputeRules {
    async fn apply(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        previous: Option<&Json>,
        requested: &mut Json,
    ) -> TmfResult<()> {
        let ticket: TroubleTicket = from_value(requested.clone())?;
        let id = ticket.id.clone().unwrap_or_default();
        let dispute = Dispute::read(&ticket)?;
        match text_of(&ticket, "reasonCode") {
            Some(code) if self.reasons.iter().any(|r| r == code) => {}
            Some(code) => {
                return Err(refused(format!(
                    "'reasonCode' is '{code}': one of {}",
                    self.reasons.join(", ")
                )));
            }
            None => {
                return Err(refused(
                    "'reasonCode': a bill dispute says why (reasonCode)",
                ));
            }
        }
        let previous = previous
            .cloned()
            .map(from_value::<TroubleTicket>)
            .transpose()?
            .filter(|p| p.ticket_type == BILL_DISPUTE);
        let before = previous.as_ref().map(Dispute::read).transpose()?;
        match &before {
            None => {
                if let Some(name) = OUTCOMES
                    .iter()
                    .find(|n| characteristic(&ticket, n).is_some())
                {
                    return Err(refused(format!(
                        "'{name}': a dispute's outcome is set as it is worked, not when it is raised"
                    )));
                }
            }
            Some(before) => {
                if before.disputed != dispute.disputed {
                    return Err(refused(
                        "'disputeAmount' cannot change once the dispute is raised",
                    ));
                }
                if before.currency != dispute.currency {
                    return Err(refused(
                        "'currency' cannot change once the dispute is raised",
                    ));
                }
                if before.target != dispute.target {
                    return Err(refused(
                        "'relatedEntity': what a dispute disputes cannot change once it is raised",
                    ));
                }
            }
        }
        if dispute.settled() > dispute.disputed {
            return Err(refused(format!(
                "'grantedAmount' + 'deniedAmount' + 'writtenOffAmount' is {}, more than the disputed {}",
                dispute.settled(),
                dispute.disputed
            )));
        }
        let status = ticket.status.unwrap_or(Status::Acknowledged);
        if matches!(status, Status::Resolved | Status::Closed)
            && dispute.settled() != dispute.disputed
        {
            return Err(refused(format!(
                "'status': a dispute is {status} only when 'grantedAmount' + 'deniedAmount' + 'writtenOffAmount' adds up to the disputed {} (it is {})",
                dispute.disputed,
                dispute.settled()
            )));
        }
        if status == Status::Rejected && text_of(&ticket, "rejectReason").is_none() {
            return Err(refused("'rejectReason': a rejected dispute says why"));
        }
        let (bill_id, bill, items) = self.bill_of(txn, &dispute.target).await?;
        self.name_the_customer(txn, &bill, requested).await?;
        let currency = bill.amount_due.as_ref().map(|m| m.unit.to_string());
        if currency.as_deref() != Some(dispute.currency.as_str()) {
            return Err(refused(format!(
                "'currency' is {}, but bill '{bill_id}' is in {}",
                dispute.currency,
                currency.unwrap_or_default()
            )));
        }
        if before.is_none() {
            self.check_undisputed(txn, &id, &dispute, &bill_id, &bill, &items)
                .await?;
        }
        let was_open = before.as_ref().is_some_and(|b| b.open);
        if before.is_none() || was_open != dispute.open {
            self.follow_hold(txn, ctx, &id, &bill_id, dispute.open)
                .await?;
        }
        self.follow_disputed_balance(txn, ctx, &id, &bill, &dispute)
            .await
    }
}
