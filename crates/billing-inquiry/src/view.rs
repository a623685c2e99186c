//! The customer's bills in the 360 view: a CSR on a call answers "why is my bill so high?"
//! from the same screen as everything else. Bills refer to the customer's billing accounts,
//! not to the customer, so they are reached one step further ([`Hop`]): the bills of every
//! billing account that refers to the customer or its party.

use std::cmp::Reverse;

use async_trait::async_trait;
use crm_module::{Hop, ViewContributor, ViewSubject};
use crm_store::Store;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tmf_apis::{RequestContext, TmfResult};

use crate::bills::CUSTOMER_BILL;

/// How many of the newest bills the view shows (the rest are a `customerBill` list away).
pub(crate) const RECENT_BILLS: usize = 12;

/// The `bills` section: the newest bills (number, dates, amount due, remaining amount,
/// state) and the receivable balance per currency (the remaining amounts of the unsettled
/// bills), with whether every related bill was read (`complete`).
pub(crate) struct BillsSection {
    pub(crate) store: Store,
    pub(crate) hop: Hop,
}

impl std::fmt::Debug for BillsSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BillsSection")
            .field("hop", &self.hop)
            .finish_non_exhaustive()
    }
}

/// The attributes of `document` named in `attributes`, as an object (a view's summary).
fn pick(document: &Value, attributes: &[&str]) -> Value {
    Value::Object(
        attributes
            .iter()
            .filter_map(|a| document.get(*a).map(|v| ((*a).to_owned(), v.clone())))
            .collect(),
    )
}

/// Amounts summed per currency, shown as a list of Money.
#[derive(Default)]
struct Totals(Vec<(String, Decimal)>);

impl Totals {
    fn add(&mut self, unit: &str, value: Decimal) {
        match self.0.iter_mut().find(|(u, _)| u == unit) {
            Some((_, total)) => *total += value,
            None => self.0.push((unit.to_owned(), value)),
        }
    }

    fn to_json(&self) -> Value {
        self.0
            .iter()
            .map(|(unit, value)| {
                let value: Value = serde_json::from_str(&value.to_string()).unwrap_or(Value::Null);
                json!({"unit": unit, "value": value})
            })
            .collect()
    }
}

fn amount(bill: &Value, attribute: &str) -> Option<(String, Decimal)> {
    let money = bill.get(attribute)?;
    let unit = money.get("unit")?.as_str()?.to_owned();
    let value = money.get("value")?.to_string().parse::<Decimal>().ok()?;
    Some((unit, value))
}

#[async_trait]
impl ViewContributor for BillsSection {
    fn section(&self) -> &'static str {
        "bills"
    }

    async fn contribute(&self, _ctx: &RequestContext, subject: &ViewSubject) -> TmfResult<Value> {
        let related =
            crm_store::relations::referencing_some(self.store.connection(), &subject.ids()).await?;
        let reached = self.hop.reach(&self.store, &related.resources).await?;
        let ids: Vec<String> = reached.resources.into_iter().map(|(_, id)| id).collect();
        let mut bills = crm_store::relations::documents(
            &self.store,
            CUSTOMER_BILL.table,
            &ids,
            &[CUSTOMER_BILL.kind],
        )
        .await?;
        let mut receivable = Totals::default();
        for bill in &bills {
            if bill.get("state").and_then(Value::as_str) == Some("settled") {
                continue;
            }
            if let Some((unit, value)) = amount(bill, "remainingAmount") {
                receivable.add(&unit, value);
            }
        }
        // Newest first: by bill date, then by id (time-ordered).
        bills.sort_by_key(|bill| {
            Reverse((
                bill.get("billDate")
                    .and_then(Value::as_str)
                    .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok()),
                bill.get("id").and_then(Value::as_str).map(str::to_owned),
            ))
        });
        let recent: Vec<Value> = bills
            .iter()
            .take(RECENT_BILLS)
            .map(|bill| {
                pick(
                    bill,
                    &[
                        "id",
                        "billNo",
                        "billDate",
                        "paymentDueDate",
                        "amountDue",
                        "remainingAmount",
                        "state",
                        "billingAccount",
                        "@type",
                    ],
                )
            })
            .collect();
        Ok(json!({
            "recent": recent,
            "total": bills.len(),
            "receivableBalance": receivable.to_json(),
            "complete": related.complete && reached.complete,
        }))
    }
}

/// The `disputes` section: the customer's open bill disputes (amounts, states, what they
/// dispute), the disputed balance per currency, and the newest adjustments (type, state,
/// amount, reason, how they were approved), all reached through the customer's billing
/// accounts and their bills.
pub(crate) struct DisputesSection {
    pub(crate) store: Store,
    /// From the customer to their bills.
    pub(crate) bills: Hop,
    /// From the customer to the adjustments of their accounts.
    pub(crate) adjustments: Hop,
    /// Where tickets are stored.
    pub(crate) tickets: crm_store::StoredType,
}

impl std::fmt::Debug for DisputesSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DisputesSection").finish_non_exhaustive()
    }
}

fn characteristic<'a>(ticket: &'a Value, name: &str) -> Option<&'a Value> {
    ticket
        .get("troubleTicketCharacteristic")?
        .as_array()?
        .iter()
        .find(|c| c.get("name").and_then(Value::as_str) == Some(name))
        .and_then(|c| c.get("value"))
}

#[async_trait]
impl ViewContributor for DisputesSection {
    fn section(&self) -> &'static str {
        "disputes"
    }

    async fn contribute(&self, _ctx: &RequestContext, subject: &ViewSubject) -> TmfResult<Value> {
        let connection = self.store.connection();
        let related = crm_store::relations::referencing_some(connection, &subject.ids()).await?;
        let bills = self.bills.reach(&self.store, &related.resources).await?;
        let mut about: Vec<String> = bills.resources.iter().map(|(_, id)| id.clone()).collect();
        let items = crm_store::relations::referencing_some(connection, &about).await?;
        about.extend(
            items
                .resources
                .iter()
                .filter(|(table, _)| table == crate::rates::APPLIED_RATE.table)
                .map(|(_, id)| id.clone()),
        );
        let tickets = crm_store::relations::referencing_some(connection, &about).await?;
        let ticket_ids: Vec<String> = tickets
            .resources
            .into_iter()
            .filter(|(table, _)| table == self.tickets.table)
            .map(|(_, id)| id)
            .collect();
        let documents = crm_store::relations::documents(
            &self.store,
            self.tickets.table,
            &ticket_ids,
            &[self.tickets.kind],
        )
        .await?;
        let mut disputed = Totals::default();
        let mut open = Vec::new();
        for ticket in documents {
            if ticket.get("ticketType").and_then(Value::as_str)
                != Some(crate::disputes::BILL_DISPUTE)
            {
                continue;
            }
            let status = ticket
                .get("status")
                .and_then(Value::as_str)
                .unwrap_or("acknowledged");
            if !matches!(status, "acknowledged" | "inProgress" | "pending" | "held") {
                continue;
            }
            let amount = characteristic(&ticket, "disputeAmount")
                .and_then(|v| v.to_string().trim_matches('"').parse::<Decimal>().ok());
            let currency = characteristic(&ticket, "currency").and_then(Value::as_str);
            if let (Some(amount), Some(currency)) = (amount, currency) {
                disputed.add(currency, amount);
            }
            let mut summary = pick(
                &ticket,
                &["id", "status", "creationDate", "relatedEntity", "@type"],
            );
            for name in [
                "disputeAmount",
                "currency",
                "reasonCode",
                "grantedAmount",
                "deniedAmount",
                "writtenOffAmount",
            ] {
                if let (Some(value), Value::Object(summary)) =
                    (characteristic(&ticket, name), &mut summary)
                {
                    summary.insert(name.to_owned(), value.clone());
                }
            }
            open.push(summary);
        }
        let reached = self
            .adjustments
            .reach(&self.store, &related.resources)
            .await?;
        let adjustment_ids: Vec<String> = reached.resources.into_iter().map(|(_, id)| id).collect();
        let mut adjustments = crm_store::relations::documents(
            &self.store,
            crate::adjustments::BILL_ADJUSTMENT.table,
            &adjustment_ids,
            &[crate::adjustments::BILL_ADJUSTMENT.kind],
        )
        .await?;
        adjustments
            .sort_by_key(|a| Reverse(a.get("id").and_then(Value::as_str).map(str::to_owned)));
        let recent: Vec<Value> = adjustments
            .iter()
            .take(RECENT_BILLS)
            .map(|adjustment| {
                pick(
                    adjustment,
                    &[
                        "id",
                        "type",
                        "state",
                        "amount",
                        "reasonCode",
                        "approvalMode",
                        "bill",
                        "dispute",
                        "creationDate",
                        "appliedDate",
                        "@type",
                    ],
                )
            })
            .collect();
        Ok(json!({
            "open": open,
            "disputedBalance": disputed.to_json(),
            "recentAdjustments": recent,
            "complete": related.complete && bills.complete && items.complete && reached.complete,
        }))
    }
}
