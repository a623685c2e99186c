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
        let mut receivable: Vec<(String, Decimal)> = Vec::new();
        for bill in &bills {
            if bill.get("state").and_then(Value::as_str) == Some("settled") {
                continue;
            }
            if let Some((unit, value)) = amount(bill, "remainingAmount") {
                match receivable.iter_mut().find(|(u, _)| *u == unit) {
                    Some((_, total)) => *total += value,
                    None => receivable.push((unit, value)),
                }
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
                let mut summary = serde_json::Map::new();
                for attribute in [
                    "id",
                    "billNo",
                    "billDate",
                    "paymentDueDate",
                    "amountDue",
                    "remainingAmount",
                    "state",
                    "billingAccount",
                    "@type",
                ] {
                    if let Some(value) = bill.get(attribute) {
                        summary.insert(attribute.to_owned(), value.clone());
                    }
                }
                Value::Object(summary)
            })
            .collect();
        let receivable: Vec<Value> = receivable
            .into_iter()
            .map(|(unit, value)| {
                let value: Value = serde_json::from_str(&value.to_string()).unwrap_or(Value::Null);
                json!({"unit": unit, "value": value})
            })
            .collect();
        Ok(json!({
            "recent": recent,
            "total": bills.len(),
            "receivableBalance": receivable,
            "complete": related.complete && reached.complete,
        }))
    }
}
