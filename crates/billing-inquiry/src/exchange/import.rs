//! `crm-server import bills FILE.xml`: a billing system's file of bills, each with its rates
//! and payments, recorded as the API records them, in batches.
//!
//! The file is read through by [`reader::check`] on a thread of its own, beside the import:
//! one that is not well-formed, holds a DTD or an undeclared entity, or is not a bill file is
//! refused as a whole, and nothing is imported, because until the check has read the whole
//! file every batch is a savepoint of one open transaction, which a refusal rolls back (once
//! the check has passed, that transaction commits and each batch commits alone). The file is
//! read a second time, record by record, on another thread, which turns each
//! `<customerBill>` into the models a billing system would send to the API (the bill, then
//! each rate as `{"isBilled": true, "bill": {"id": …}, …}`), with their fingerprints.
//! Batches of records go to the database, each batch in one transaction:
//!
//! - a bill is known by `billNo` within its billing account and a rate by its `externalId`,
//!   through the same idempotency keys the API records (`crm_store::idempotency`, scopes
//!   `CustomerBill` and `AppliedCustomerBillingRate`): a record already stored with the same
//!   content (by the API or an earlier import) is *already present, unchanged*, and so is one
//!   whose content differs from what was sent but not from what is stored (an export of this
//!   server read back); any other difference is refused in the API's words (its 409);
//! - a new bill is checked by `amounts::check_bill` and its rates by `amounts::check_rate`
//!   and the rules of a rate on its bill (currency, account, within the bill's amount), then
//!   admitted as a create would store it (`DocumentService::admit_many`: validated, prepared,
//!   references checked and completed) and written with multi-row statements
//!   (`DocumentService::insert_many`), with its idempotency key;
//! - a bill and its rates are one unit: if any of them is refused, none is written;
//! - each new bill's `CustomerBillCreateEvent` goes to the outbox as for the API; rates get
//!   no event (the bill's announces them, read by `?bill.id=`), and nothing is written to the
//!   history (a bulk load is not a change anyone made);
//! - the receivable balance of each billing account a new bill is for is set from its
//!   unsettled bills, as the API's `AccountBalances` hook does (`bills::follow_balances`).
//!
//! A batch the database refuses as a whole (a concurrent writer took a key first) is done
//! again record by record. Every refused record is reported with its line and column; the
//! rest is imported. The command fails (status 1) only when the file cannot be read or is
//! refused as a whole, or the database fails.

use std::collections::{HashMap, HashSet};
use std::io::{BufReader, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use crm_module::{AccountBalances, CommandError, Console};
use crm_store::bulk::BulkRow;
use crm_store::idempotency::{self, Seen};
use crm_store::{
    Admitted, DatabaseTransaction, DocumentService, Pending, Prepared, Store, StoredType, new_id,
};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use sid_model::{AppliedCustomerBillingRate, CustomerBill};
use tmf_apis::{RequestContext, TmfError, TmfResult};

use super::format::{self, Misread};
use super::progress::{Meter, Progress, plural};
use super::reader::{self, Element, Fatal, Pos, Record, Records};
use crate::amounts::{RateType, check_bill, check_rate};
use crate::bills::{BillKind, CUSTOMER_BILL, follow_balances, read_bill};
use crate::rates::{EXTERNAL_ID, RateKind, check_on_bill, check_within_bill, signed_amount};

/// The idempotency scope of bills (the API's: the type name).
const BILL_SCOPE: &str = "CustomerBill";
/// The idempotency scope of rates.
const RATE_SCOPE: &str = "AppliedCustomerBillingRate";
/// The read buffer.
const READ_BUFFER: usize = 256 * 1024;

/// How many records a transaction takes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Batching {
    /// Rates per batch (a batch ends after the bill that reaches it).
    pub rates: usize,
    /// Bills per batch.
    pub bills: usize,
}

impl Default for Batching {
    fn default() -> Self {
        Self {
            rates: 2_000,
            bills: 200,
        }
    }
}

/// What the import writes through.
pub(crate) struct Importer {
    pub bills: Arc<DocumentService<BillKind>>,
    pub rates: Arc<DocumentService<RateKind>>,
    pub balances: Option<Arc<dyn AccountBalances>>,
    pub store: Store,
    /// The server's `strict_attributes`: extension attributes refused, as by the API.
    pub strict: bool,
    /// `BillingAccount`'s stored type, when a module stores billing accounts.
    pub accounts: Option<StoredType>,
}

impl std::fmt::Debug for Importer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Importer").finish_non_exhaustive()
    }
}

/// A refused record: where, what, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejection {
    pub at: Pos,
    pub what: String,
    pub reason: String,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "rejected {}: {}: {}", self.at, self.what, self.reason)
    }
}

/// Bills and rates by what became of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub imported: u64,
    pub unchanged: u64,
    pub rejected: u64,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Summary {
    pub bills: Counts,
    pub rates: Counts,
    /// Elements the format does not know, refused.
    pub others: u64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pair = |counts: fn(&Counts) -> u64| {
            format!(
                "{} / {}",
                plural(counts(&self.bills), "bill", "bills"),
                plural(counts(&self.rates), "rate", "rates")
            )
        };
        write!(
            f,
            "imported {}, {} already present unchanged, {} rejected",
            pair(|c| c.imported),
            pair(|c| c.unchanged),
            pair(|c| c.rejected),
        )?;
        if self.others > 0 {
            write!(
                f,
                ", {} rejected",
                plural(self.others, "unknown element", "unknown elements")
            )?;
        }
        Ok(())
    }
}

/// A rate of a bill, as read.
struct RateIn {
    at: Pos,
    external: String,
    /// What a billing system would send (`isBilled`, `bill` with the bill's drawn id): the
    /// JSON text of the model without `id`, which is both the fingerprint's text and, read
    /// again, the model ([`RateIn::model`]).
    sent: String,
    fingerprint: String,
    /// What becomes of it should its bill be new, judged while reading ([`Reading`]).
    speculated: Option<Speculated>,
}

impl RateIn {
    /// The model a billing system would send, read again from its text.
    fn model(&self) -> TmfResult<AppliedCustomerBillingRate> {
        let json: Json = serde_json::from_str(&self.sent).map_err(TmfError::internal)?;
        decode(with_id(json, "-"), false)
    }
}

/// A rate as read from the file: where, its id, the model a billing system would send.
struct ReadRate {
    at: Pos,
    external: String,
    model: AppliedCustomerBillingRate,
}

/// The JSON text of the object `document` without its top-level properties `skip`: the
/// text `Value::to_string` gives of the object with them removed.
fn text_without(document: &Json, skip: &[&str]) -> String {
    struct Without<'a>(&'a serde_json::Map<String, Json>, &'a [&'a str]);
    impl serde::Serialize for Without<'_> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut map = serializer.serialize_map(None)?;
            for (key, value) in self.0 {
                if !self.1.contains(&key.as_str()) {
                    map.serialize_entry(key, value)?;
                }
            }
            map.end()
        }
    }
    match document {
        Json::Object(map) => serde_json::to_string(&Without(map, skip)).unwrap_or_default(),
        other => other.to_string(),
    }
}

/// The text and fingerprint of what was sent, as `RuledService` takes them: the model
/// serialised without `id`.
fn sent_text<T: serde::Serialize>(model: &T) -> TmfResult<(String, String)> {
    let content = serde_json::to_value(model).map_err(TmfError::internal)?;
    let text = text_without(&content, &["id"]);
    let fingerprint = idempotency::fingerprint_text(&text);
    Ok((text, fingerprint))
}

/// A rate judged while reading, as if its bill and itself were new (the first import of a
/// file): what the database phase uses when they are.
enum Speculated {
    /// Checked and admitted (its references: the new bill and the bill's account, whose
    /// existence the bill's own admission checks): the row to write, and its text on SQLite
    /// (the model let go: rates are written without events).
    Admitted(Box<(BulkRow, Option<String>)>),
    /// Checked and prepared; its references need a look-up.
    Prepared(Box<Prepared<AppliedCustomerBillingRate>>),
    /// Refused, and why.
    Refused(String),
}

/// What the reading thread judges rates with, ahead of the database: the rates' document
/// service, the request, and where billing accounts are stored.
pub(crate) struct Reading {
    pub rates: Arc<DocumentService<RateKind>>,
    pub ctx: RequestContext,
    pub strict: bool,
    /// `BillingAccount`'s stored type, when a module stores billing accounts.
    pub accounts: Option<StoredType>,
    /// Whether documents are stored as text (SQLite): rendered while reading.
    pub render: bool,
}

impl Reading {
    /// Turns the rates read of the bill `bill_id` into what the database phase takes: each
    /// with the text and fingerprint of what was sent and, when the bill checks (as `bill`),
    /// what becomes of it should the bill and the rate be new, judged as the database phase
    /// would: the rates' rules in file order (a running sum for the bill's amount), then
    /// admission with the bill and its billing account known.
    fn judge(
        &self,
        bill_id: &str,
        bill: Option<&CustomerBill>,
        rates: Vec<ReadRate>,
    ) -> Result<Vec<RateIn>, Rejection> {
        let mut ids = HashSet::new();
        let twice = !rates.iter().all(|rate| ids.insert(rate.external.as_str()));
        // The same id twice in a bill: judged in the database phase.
        let bill = bill.filter(|_| !twice);
        let mut known = Pending::default();
        known.add(CUSTOMER_BILL, bill_id);
        if let (Some(accounts), Some(account)) =
            (self.accounts, bill.and_then(|b| b.billing_account.as_ref()))
        {
            known.add(accounts, account.id.clone());
        }
        let mut attached = Decimal::ZERO;
        let mut judged = Vec::with_capacity(rates.len());
        for ReadRate {
            at,
            external,
            model,
        } in rates
        {
            let internal = |error: TmfError| Rejection {
                at,
                what: rate_label(Some(&external)),
                reason: error.message,
            };
            let Some(bill) = bill else {
                let (sent, fingerprint) = sent_text(&model).map_err(internal)?;
                judged.push(RateIn {
                    at,
                    external,
                    sent,
                    fingerprint,
                    speculated: None,
                });
                continue;
            };
            #[cfg(debug_assertions)]
            let expected = sent_text(&model).map_err(internal)?;
            // What the checks below may add to what was sent (the bill's account) and what
            // admission adds (`id`, `@type`) are left out of the sent text.
            let mut skip = vec!["id"];
            if model.billing_account.is_none() {
                skip.push("billingAccount");
            }
            if model.meta.r#type.is_none() {
                skip.push("@type");
            }
            let mut model = model;
            let checked = check_rate(&mut model).and_then(|kind| {
                check_on_bill(&mut model, bill_id, bill)?;
                if let (Some(amount), Some(_)) =
                    (&model.tax_included_amount, &bill.tax_included_amount)
                {
                    let signed = kind.signed(amount.value);
                    check_within_bill(signed, bill_id, bill, attached)?;
                    attached += signed;
                }
                Ok(())
            });
            let (sent, speculated) = match checked {
                Err(error) => {
                    let content = serde_json::to_value(&model)
                        .map_err(TmfError::internal)
                        .map_err(internal)?;
                    (
                        text_without(&content, &skip),
                        Speculated::Refused(error.to_string()),
                    )
                }
                Ok(()) => {
                    let copy = model.clone();
                    match self.rates.prepare_new(&self.ctx, new_id(), model) {
                        Err(error) => {
                            let content = serde_json::to_value(&copy)
                                .map_err(TmfError::internal)
                                .map_err(internal)?;
                            (
                                text_without(&content, &skip),
                                Speculated::Refused(error.message),
                            )
                        }
                        Ok(prepared) => {
                            let sent = text_without(prepared.document(), &skip);
                            let speculated = match self.rates.admit_known(prepared, &known) {
                                Ok(Ok(admitted)) if self.render => {
                                    // SQLite stores the text: the JSON is let go too.
                                    let (mut row, text) = admitted.rendered().into_row();
                                    row.body = Json::Null;
                                    Speculated::Admitted(Box::new((row, text)))
                                }
                                Ok(Ok(admitted)) => {
                                    Speculated::Admitted(Box::new(admitted.into_row()))
                                }
                                Ok(Err(error)) => Speculated::Refused(error.message),
                                Err(prepared) => Speculated::Prepared(Box::new(prepared)),
                            };
                            (sent, speculated)
                        }
                    }
                }
            };
            let fingerprint = idempotency::fingerprint_text(&sent);
            #[cfg(debug_assertions)]
            assert_eq!(
                (sent.as_str(), fingerprint.as_str()),
                (expected.0.as_str(), expected.1.as_str()),
                "the sent text of a rate, taken from its document"
            );
            judged.push(RateIn {
                at,
                external,
                sent,
                fingerprint,
                speculated: Some(speculated),
            });
        }
        Ok(judged)
    }
}

/// A bill and its rates, as read.
struct BillIn {
    at: Pos,
    label: String,
    /// The id drawn for it, should it be new.
    id: String,
    key: Option<(String, String)>,
    model: CustomerBill,
    fingerprint: String,
    rates: Vec<RateIn>,
}

/// A record of the file, as read.
enum Unit {
    Bill(Box<BillIn>),
    /// Refused while reading (it does not read as a bill), with its rates' count.
    Refused {
        rejections: Vec<Rejection>,
        bill: bool,
        rates: u64,
    },
}

/// What became of a unit.
#[derive(Default)]
struct Outcome {
    bills: Counts,
    rates: Counts,
    others: u64,
    rejections: Vec<Rejection>,
}

impl Summary {
    fn add(&mut self, outcome: &Outcome) {
        for (total, part) in [
            (&mut self.bills, outcome.bills),
            (&mut self.rates, outcome.rates),
        ] {
            total.imported += part.imported;
            total.unchanged += part.unchanged;
            total.rejected += part.rejected;
        }
        self.others += outcome.others;
    }
}

/// `T` from `json` as the API reads a body (the same 400 wording on failure); extension
/// attributes refused when `strict`.
fn decode<T: DeserializeOwned>(json: Json, strict: bool) -> TmfResult<T> {
    sid_model::strict_attributes(strict, || match T::deserialize(&json) {
        Ok(model) => Ok(model),
        Err(_) => tmf_apis::body::from_value(json),
    })
}

/// The fingerprint of a sent model, as `RuledService` takes it: serialised without `id`.
fn fingerprint<T: serde::Serialize>(model: &T) -> TmfResult<String> {
    let mut content = serde_json::to_value(model).map_err(TmfError::internal)?;
    if let Some(map) = content.as_object_mut() {
        map.remove("id");
    }
    Ok(idempotency::fingerprint(&content))
}

fn with_id(mut json: Json, id: &str) -> Json {
    if let Some(map) = json.as_object_mut() {
        map.insert("id".into(), Json::String(id.to_owned()));
    }
    json
}

/// How a bill is named in reports.
fn bill_label(json: &Json) -> String {
    let number = json.get("billNo").and_then(Json::as_str);
    let account = json.pointer("/billingAccount/id").and_then(Json::as_str);
    match (number, account) {
        (Some(number), Some(account)) => {
            format!("customerBill billNo '{number}' of billing account '{account}'")
        }
        (Some(number), None) => format!("customerBill billNo '{number}'"),
        _ => "customerBill".to_owned(),
    }
}

fn refused_reading(bill: &Element, rates: u64, rejection: Rejection) -> Unit {
    let _ = bill;
    Unit::Refused {
        rejections: vec![rejection],
        bill: true,
        rates,
    }
}

/// Turns a record into what a billing system would send to the API.
fn read_unit(record: Record, reading: &Reading) -> Unit {
    let strict = reading.strict;
    let (bill, rates, refused) = match record {
        Record::Other { name, at } => {
            return Unit::Refused {
                rejections: vec![Rejection {
                    at,
                    what: format!("<{name}>"),
                    reason: format!(
                        "not an element of a bill file (it holds <{}> elements)",
                        reader::BILL
                    ),
                }],
                bill: false,
                rates: 0,
            };
        }
        Record::Bill {
            bill,
            rates,
            refused,
        } => (bill, rates, refused),
    };
    let rate_count = rates.len() as u64;
    if let Some((at, reason)) = refused {
        return refused_reading(
            &bill,
            rate_count,
            Rejection {
                at,
                what: "customerBill".into(),
                reason,
            },
        );
    }
    let misread = |what: &str, misread: Misread| Rejection {
        at: misread.at,
        what: what.to_owned(),
        reason: misread.reason,
    };
    let json = match format::read(&bill, &format::CUSTOMER_BILL) {
        Ok(json) => json,
        Err(error) => return refused_reading(&bill, rate_count, misread("customerBill", error)),
    };
    let label = bill_label(&json);
    let refuse = |at: Pos, reason: String| Unit::Refused {
        rejections: vec![Rejection {
            at,
            what: label.clone(),
            reason,
        }],
        bill: true,
        rates: rate_count,
    };
    if let Err(error) = crm_store::refuse_server_assigned(&json) {
        return refuse(bill.at, error.message);
    }
    let sent: CustomerBill = match decode(with_id(json, "-"), strict) {
        Ok(sent) => sent,
        Err(error) => return refuse(bill.at, error.message),
    };
    let fingerprint = match self::fingerprint(&sent) {
        Ok(fingerprint) => fingerprint,
        Err(error) => return refuse(bill.at, error.message),
    };
    let id = new_id();
    let key = match (&sent.billing_account, &sent.bill_no) {
        (Some(account), Some(number)) => Some((
            format!("{}\u{1f}{number}", account.id),
            format!("billNo '{number}' of billing account '{}'", account.id),
        )),
        _ => None,
    };
    let mut model = sent;
    model.id = Some(id.clone());
    let mut unit = BillIn {
        at: bill.at,
        label,
        id,
        key,
        model,
        fingerprint,
        rates: Vec::with_capacity(rates.len()),
    };
    let mut rejections = Vec::new();
    let mut read = Vec::with_capacity(rates.len());
    for rate in &rates {
        match read_rate(rate, &unit.id, strict) {
            Ok(rate) => read.push(rate),
            Err(rejection) => rejections.push(rejection),
        }
    }
    drop(rates);
    if !rejections.is_empty() {
        return Unit::Refused {
            rejections: unit_refused(&unit.label, unit.at, rate_count, rejections),
            bill: true,
            rates: rate_count,
        };
    }
    let mut checked = unit.model.clone();
    let checked = check_bill(&mut checked).is_ok().then_some(&checked);
    match reading.judge(&unit.id, checked, read) {
        Ok(rates) => unit.rates = rates,
        Err(rejection) => {
            return Unit::Refused {
                rejections: vec![rejection],
                bill: true,
                rates: rate_count,
            };
        }
    }
    Unit::Bill(Box::new(unit))
}

/// The report of a unit refused because of some of its rates: the bill, then each rate.
fn unit_refused(label: &str, at: Pos, rates: u64, causes: Vec<Rejection>) -> Vec<Rejection> {
    let mut out = Vec::with_capacity(causes.len() + 1);
    out.push(Rejection {
        at,
        what: format!("{label}, with its {}", plural(rates, "rate", "rates")),
        reason: format!(
            "{} refused (below): a bill and its rates are imported together",
            plural(causes.len() as u64, "rate is", "rates are")
        ),
    });
    out.extend(causes);
    out
}

fn rate_label(external: Option<&str>) -> String {
    match external {
        Some(external) => format!("appliedCustomerBillingRate externalId '{external}'"),
        None => "appliedCustomerBillingRate".into(),
    }
}

/// A rate of the bill `bill_id` as a billing system would send it: read straight into the
/// model when it holds only what the format's table names (`format::direct`), otherwise, or
/// when that fails, through its JSON (`read_rate_json`), which names what is wrong.
fn read_rate(rate: &Element, bill_id: &str, strict: bool) -> Result<ReadRate, Rejection> {
    if let Some(external) = rate.attribute(EXTERNAL_ID).filter(|e| !e.is_empty()) {
        let placed = [
            ("id", format::Added::Str("-")),
            ("isBilled", format::Added::Bool(true)),
            ("bill", format::Added::Reference(bill_id)),
        ];
        let direct = sid_model::strict_attributes(strict, || {
            format::direct::<AppliedCustomerBillingRate>(rate, &format::APPLIED_RATE, &placed)
        });
        if let Some(model) = direct {
            #[cfg(debug_assertions)]
            assert_eq!(
                read_rate_json(rate, bill_id, strict).map(|read| read.model),
                Ok(model.clone()),
                "a rate read straight into its model, and through its JSON"
            );
            return Ok(ReadRate {
                at: rate.at,
                external: external.to_owned(),
                model,
            });
        }
    }
    read_rate_json(rate, bill_id, strict)
}

/// A rate of the bill `bill_id` as a billing system would send it, read through the JSON
/// the format gives of it, as the API reads a body.
fn read_rate_json(rate: &Element, bill_id: &str, strict: bool) -> Result<ReadRate, Rejection> {
    let external = rate.attribute(EXTERNAL_ID).map(str::to_owned);
    let what = rate_label(external.as_deref());
    let refuse = |reason: String| Rejection {
        at: rate.at,
        what: what.clone(),
        reason,
    };
    let mut json = format::read(rate, &format::APPLIED_RATE).map_err(|misread| Rejection {
        at: misread.at,
        what: what.clone(),
        reason: misread.reason,
    })?;
    let Some(external) = external.filter(|e| !e.is_empty()) else {
        return Err(refuse(
            "'externalId' is required: a rate in a file is known by the billing system's id, so that a rerun recognises it".into(),
        ));
    };
    crm_store::refuse_server_assigned(&json).map_err(|e| refuse(e.message))?;
    let Some(map) = json.as_object_mut() else {
        return Err(refuse("not an object".into()));
    };
    for placed in ["isBilled", "bill"] {
        if map.contains_key(placed) {
            return Err(refuse(format!(
                "'{placed}' follows from the rate's place in its bill"
            )));
        }
    }
    map.insert("isBilled".into(), Json::Bool(true));
    map.insert("bill".into(), serde_json::json!({ "id": bill_id }));
    let model: AppliedCustomerBillingRate =
        decode(with_id(json, "-"), strict).map_err(|e| refuse(e.message))?;
    Ok(ReadRate {
        at: rate.at,
        external,
        model,
    })
}

/// The keys a unit brings: its bill's and its rates'.
fn keys_of(unit: &Unit) -> (Option<&str>, Vec<&str>) {
    match unit {
        Unit::Bill(bill) => (
            bill.key.as_ref().map(|(key, _)| key.as_str()),
            bill.rates.iter().map(|r| r.external.as_str()).collect(),
        ),
        Unit::Refused { .. } => (None, Vec::new()),
    }
}

/// Splits `units` where a key repeats one of an earlier unit of the same part, so that the
/// first is written before the second is judged.
fn split_on_repeats(units: Vec<Unit>) -> Vec<Vec<Unit>> {
    let mut parts = Vec::new();
    let mut part = Vec::new();
    let mut bills: HashSet<String> = HashSet::new();
    let mut rates: HashSet<String> = HashSet::new();
    for unit in units {
        let (bill, unit_rates) = keys_of(&unit);
        let repeats = bill.is_some_and(|k| bills.contains(k))
            || unit_rates.iter().any(|k| rates.contains(*k));
        if repeats && !part.is_empty() {
            parts.push(std::mem::take(&mut part));
            bills.clear();
            rates.clear();
        }
        let (bill, unit_rates) = keys_of(&unit);
        bills.extend(bill.map(str::to_owned));
        rates.extend(unit_rates.into_iter().map(str::to_owned));
        part.push(unit);
    }
    if !part.is_empty() {
        parts.push(part);
    }
    parts
}

/// Where a unit stands while its batch is judged.
struct Judged<'a> {
    unit: &'a BillIn,
    /// The stored bill's id when the bill is already present.
    present: Option<String>,
    /// Why the bill itself is refused.
    refused: Option<Rejection>,
    /// Why some of its rates are refused.
    refused_rates: Vec<Rejection>,
    /// The new bill, admitted.
    bill: Option<Admitted<CustomerBill>>,
    /// The bill the rates are judged against, as stored (or as it will be).
    stored: Option<CustomerBill>,
    /// The new rates' rows (and texts), with their keys and fingerprints.
    rates: Vec<(BulkRow, Option<String>, String, String)>,
    /// Rates already present, unchanged.
    unchanged_rates: u64,
}

impl Judged<'_> {
    fn stands(&self) -> bool {
        self.refused.is_none() && self.refused_rates.is_empty()
    }

    fn bill_id(&self) -> &str {
        self.present.as_deref().unwrap_or(&self.unit.id)
    }

    fn refuse(&mut self, reason: String) {
        if self.refused.is_none() {
            self.refused = Some(Rejection {
                at: self.unit.at,
                what: self.unit.label.clone(),
                reason,
            });
        }
    }

    /// What became of the unit (its refusals taken).
    fn outcome(&mut self) -> Outcome {
        let rates = self.unit.rates.len() as u64;
        if let Some(refused) = self.refused.take() {
            return Outcome {
                bills: Counts {
                    rejected: 1,
                    ..Counts::default()
                },
                rates: Counts {
                    rejected: rates,
                    ..Counts::default()
                },
                rejections: vec![refused],
                ..Outcome::default()
            };
        }
        if !self.refused_rates.is_empty() {
            return Outcome {
                bills: Counts {
                    rejected: 1,
                    ..Counts::default()
                },
                rates: Counts {
                    rejected: rates,
                    ..Counts::default()
                },
                rejections: unit_refused(
                    &self.unit.label,
                    self.unit.at,
                    rates,
                    std::mem::take(&mut self.refused_rates),
                ),
                ..Outcome::default()
            };
        }
        Outcome {
            bills: Counts {
                imported: u64::from(self.bill.is_some()),
                unchanged: u64::from(self.present.is_some()),
                rejected: 0,
            },
            rates: Counts {
                imported: self.rates.len() as u64,
                unchanged: self.unchanged_rates,
                rejected: 0,
            },
            ..Outcome::default()
        }
    }
}

/// A new rate on its way: which unit, which of its rates, the model, its fingerprint.
struct NewRate {
    unit: usize,
    at: Pos,
    external: String,
    fingerprint: String,
    model: AppliedCustomerBillingRate,
}

/// `document` without what the server stamps on every write.
fn comparable(mut document: Json) -> Json {
    if let Some(map) = document.as_object_mut() {
        map.remove("lastUpdate");
    }
    document
}

fn rate_refusal(at: Pos, external: &str, reason: String) -> Rejection {
    Rejection {
        at,
        what: rate_label(Some(external)),
        reason,
    }
}

/// The check reading the file beside the import, and the transaction that holds what is
/// written until it has passed: both settled at once, by the check's verdict.
struct Unchecked<'a> {
    check: Option<tokio::task::JoinHandle<Result<u64, Fatal>>>,
    txn: Option<crm_store::Transaction>,
    /// The bills in the file, once the check has passed.
    bills: u64,
    shown: &'a str,
}

impl<'a> Unchecked<'a> {
    async fn begin(
        store: &Store,
        check: tokio::task::JoinHandle<Result<u64, Fatal>>,
        shown: &'a str,
    ) -> Result<Self, CommandError> {
        let txn = store.begin().await.map_err(Self::database)?;
        Ok(Self {
            check: Some(check),
            txn: Some(txn),
            bills: 0,
            shown,
        })
    }

    fn database(error: TmfError) -> CommandError {
        CommandError::Failed(format!(
            "the database failed, nothing was imported: {}",
            error.message
        ))
    }

    /// The transaction batches are savepoints of, while the check has not passed.
    fn within(&self) -> Option<&DatabaseTransaction> {
        self.txn.as_deref()
    }

    /// Takes the check's verdict once it has one (waiting for it when `wait`): when the file
    /// is well-formed, what was written so far is committed; otherwise why it is refused.
    async fn settle(&mut self, wait: bool) -> Result<Result<(), Fatal>, CommandError> {
        let Some(check) = self.check.take_if(|check| wait || check.is_finished()) else {
            return Ok(Ok(()));
        };
        let verdict = check
            .await
            .map_err(|e| CommandError::Failed(format!("checking {}: {e}", self.shown)))?;
        match verdict {
            Ok(bills) => {
                self.bills = bills;
                if let Some(txn) = self.txn.take() {
                    txn.commit()
                        .await
                        .map_err(|e| Self::database(crm_store::db_error(e)))?;
                }
                Ok(Ok(()))
            }
            Err(fatal) => Ok(Err(fatal)),
        }
    }

    /// Rolls back what was written while the check had not passed: whether there was such a
    /// transaction still open.
    async fn abandon(&mut self) -> bool {
        match self.txn.take() {
            Some(txn) => {
                let _ = txn.rollback().await;
                true
            }
            None => false,
        }
    }
}

impl Importer {
    /// Imports the file at `path`; progress and the report on `console`.
    pub(crate) async fn run(
        &self,
        ctx: &RequestContext,
        console: &Console,
        path: &Path,
        batching: Batching,
    ) -> Result<Summary, CommandError> {
        let shown = path.display().to_string();
        let cannot = |e: std::io::Error| CommandError::Failed(format!("cannot read {shown}: {e}"));
        let size = std::fs::metadata(path).map_err(cannot)?.len();
        let refused = |fatal: Fatal| {
            CommandError::Failed(format!("{shown} is refused, nothing was imported: {fatal}"))
        };

        // The check reads the whole file through on a thread of its own, beside the import:
        // until it has found the file well-formed, every batch is a savepoint of one open
        // transaction (`unchecked`), which a refused file rolls back, so that nothing is
        // imported; once it has, that transaction commits and each batch commits alone.
        let file = std::fs::File::open(path).map_err(cannot)?;
        let check = tokio::task::spawn_blocking(move || {
            reader::check(BufReader::with_capacity(READ_BUFFER, file), Arc::default())
        });
        let mut unchecked = Unchecked::begin(&self.store, check, &shown).await?;

        // Records read on a thread of their own, written in batches.
        let meter = Arc::new(Meter::default());
        let progress = Progress::start(
            console,
            format!("importing {shown}"),
            Some(size),
            meter.clone(),
        );
        let file = std::fs::File::open(path).map_err(cannot)?;
        let (send, mut receive) = tokio::sync::mpsc::channel::<Vec<Unit>>(1);
        let consumed = meter.bytes.clone();
        let reading = Reading {
            rates: self.rates.clone(),
            ctx: ctx.clone(),
            strict: self.strict,
            accounts: self.accounts,
            render: self.store.backend() != crm_store::DbBackend::Postgres,
        };
        let reading = tokio::task::spawn_blocking(move || -> Result<(), Fatal> {
            let mut records = Records::new(BufReader::with_capacity(READ_BUFFER, file), consumed);
            let mut units = Vec::new();
            let (mut bills, mut rates) = (0, 0);
            while let Some(record) = records.next_record()? {
                let unit = read_unit(record, &reading);
                if let Unit::Bill(bill) = &unit {
                    rates += bill.rates.len();
                }
                bills += 1;
                units.push(unit);
                if rates >= batching.rates || bills >= batching.bills {
                    if send.blocking_send(std::mem::take(&mut units)).is_err() {
                        return Ok(());
                    }
                    (bills, rates) = (0, 0);
                }
            }
            if !units.is_empty() {
                let _ = send.blocking_send(units);
            }
            Ok(())
        });
        let mut summary = Summary::default();
        let mut failure = None;
        let mut refusal = None;
        while let Some(units) = receive.recv().await {
            if let Err(fatal) = unchecked.settle(false).await? {
                refusal = Some(fatal);
                break;
            }
            let outcomes = match self.batch(ctx, unchecked.within(), units).await {
                Ok(outcomes) => outcomes,
                Err(error) => {
                    failure = Some(error);
                    break;
                }
            };
            let mut out = console.out();
            for outcome in &outcomes {
                summary.add(outcome);
                for rejection in &outcome.rejections {
                    let _ = writeln!(out, "{rejection}");
                }
            }
            drop(out);
            let done = |counts: Counts| counts.imported + counts.unchanged;
            meter.bills.store(done(summary.bills), Ordering::Relaxed);
            meter.rates.store(done(summary.rates), Ordering::Relaxed);
        }
        drop(receive);
        let read = reading
            .await
            .map_err(|e| CommandError::Failed(format!("reading {shown}: {e}")));
        progress.finish().await;
        if failure.is_none()
            && refusal.is_none()
            && let Err(fatal) = unchecked.settle(true).await?
        {
            refusal = Some(fatal);
        }
        if let Some(fatal) = refusal {
            unchecked.abandon().await;
            return Err(refused(fatal));
        }
        if let Some(error) = failure {
            let written = match unchecked.abandon().await {
                true => "nothing was imported",
                false => "the batches before were written (a rerun goes on where it stopped)",
            };
            return Err(CommandError::Failed(format!(
                "the database failed and the import stopped; {written}: {}",
                error.message
            )));
        }
        read?.map_err(|fatal| {
            CommandError::Failed(format!("{shown} changed while it was imported: {fatal}"))
        })?;
        let bills_in_file = unchecked.bills;
        let mut out = console.out();
        let _ = writeln!(out, "summary: {summary}");
        if summary.bills.imported == 0 && summary.rates.imported == 0 {
            let refused = match summary.bills.rejected + summary.others {
                0 => String::new(),
                n => format!(", {} refused", plural(n, "record", "records")),
            };
            let _ = writeln!(
                out,
                "nothing changed: of the {} in {shown}, none is new ({} already present, unchanged{refused})",
                plural(bills_in_file, "bill", "bills"),
                plural(summary.bills.unchanged, "bill", "bills"),
            );
        }
        Ok(summary)
    }

    /// Writes a batch: each part (split where a key repeats) in one transaction; a part the
    /// database refuses as a whole is done again unit by unit. Outcomes in file order.
    async fn batch(
        &self,
        ctx: &RequestContext,
        within: Option<&DatabaseTransaction>,
        units: Vec<Unit>,
    ) -> TmfResult<Vec<Outcome>> {
        let mut outcomes = Vec::with_capacity(units.len());
        for mut part in split_on_repeats(units) {
            // What was judged of the rates while reading, taken for the first attempt.
            let speculated: Vec<Vec<Option<Speculated>>> = part
                .iter_mut()
                .filter_map(|unit| match unit {
                    Unit::Bill(bill) => Some(
                        bill.rates
                            .iter_mut()
                            .map(|rate| rate.speculated.take())
                            .collect(),
                    ),
                    Unit::Refused { .. } => None,
                })
                .collect();
            let mut slots: Vec<Option<Outcome>> = Vec::with_capacity(part.len());
            let mut bills: Vec<(usize, &BillIn)> = Vec::new();
            for (i, unit) in part.iter().enumerate() {
                match unit {
                    Unit::Bill(bill) => {
                        bills.push((i, bill));
                        slots.push(None);
                    }
                    Unit::Refused {
                        rejections,
                        bill,
                        rates,
                    } => slots.push(Some(Outcome {
                        bills: Counts {
                            rejected: u64::from(*bill),
                            ..Counts::default()
                        },
                        rates: Counts {
                            rejected: *rates,
                            ..Counts::default()
                        },
                        others: u64::from(!*bill),
                        rejections: rejections.clone(),
                    })),
                }
            }
            let units: Vec<&BillIn> = bills.iter().map(|(_, bill)| *bill).collect();
            let written = match self.write(ctx, within, &units, speculated).await {
                Ok(written) => written,
                Err(error) if units.len() > 1 => {
                    tracing::info!(error = %error.message, "a batch was refused as a whole: writing it record by record");
                    let mut one_by_one = Vec::with_capacity(units.len());
                    for unit in &units {
                        one_by_one.push(self.write_alone(ctx, within, unit).await?);
                    }
                    one_by_one
                }
                Err(_) => vec![self.write_alone(ctx, within, units[0]).await?],
            };
            for ((slot, _), outcome) in bills.iter().zip(written) {
                slots[*slot] = Some(outcome);
            }
            drop(units);
            drop(bills);
            outcomes.extend(slots.into_iter().flatten());
            tokio::task::spawn_blocking(move || drop(part));
        }
        Ok(outcomes)
    }

    /// Writes one unit in a transaction (or savepoint) of its own: a refusal of the database
    /// that is the client's (a key taken, a value it cannot hold) rejects the unit; others
    /// stop.
    async fn write_alone(
        &self,
        ctx: &RequestContext,
        within: Option<&DatabaseTransaction>,
        unit: &BillIn,
    ) -> TmfResult<Outcome> {
        match self.write(ctx, within, &[unit], Vec::new()).await {
            Ok(mut written) => Ok(written.pop().unwrap_or_default()),
            Err(error) if error.status().is_client_error() => {
                let mut judged = judged(unit);
                judged.refuse(error.message);
                Ok(judged.outcome())
            }
            Err(error) => Err(error),
        }
    }

    /// Judges and writes `units` in one transaction, or in a savepoint of `within` (the
    /// transaction open until the file is checked), with what was judged of their rates
    /// while reading.
    async fn write(
        &self,
        ctx: &RequestContext,
        within: Option<&DatabaseTransaction>,
        units: &[&BillIn],
        speculated: Vec<Vec<Option<Speculated>>>,
    ) -> TmfResult<Vec<Outcome>> {
        if let Some(outer) = within {
            return crm_store::attempt(outer, async |txn| {
                self.judge_and_write(txn, ctx, units, speculated).await
            })
            .await?;
        }
        let txn = self.store.begin().await?;
        let outcome = self.judge_and_write(&txn, ctx, units, speculated).await;
        crm_store::finish(txn, outcome).await
    }

    async fn judge_and_write(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        units: &[&BillIn],
        speculated: Vec<Vec<Option<Speculated>>>,
    ) -> TmfResult<Vec<Outcome>> {
        let started = std::time::Instant::now();
        let mut judged: Vec<Judged<'_>> = units.iter().map(|unit| judged(unit)).collect();
        self.judge_bills(txn, ctx, &mut judged).await?;
        let bills_judged = started.elapsed();
        self.judge_rates(txn, ctx, &mut judged, speculated).await?;
        let rates_judged = started.elapsed();

        // What stands is written: bills (with their create events), rates, keys.
        let mut bills = Vec::new();
        let mut bill_keys = Vec::new();
        let mut rates = Vec::new();
        let mut rate_keys = Vec::new();
        for one in judged.iter().filter(|one| one.stands()) {
            if let Some(bill) = &one.bill {
                if let Some((key, _)) = &one.unit.key {
                    bill_keys.push((
                        key.clone(),
                        one.unit.fingerprint.clone(),
                        bill.row.id.clone(),
                    ));
                }
                bills.push(bill);
            }
            for (row, text, key, fingerprint) in &one.rates {
                rate_keys.push((key.clone(), fingerprint.clone(), row.id.clone()));
                rates.push((row, text.as_deref()));
            }
        }
        self.bills.insert_many(txn, ctx, &bills, true).await?;
        self.rates.insert_rows(txn, &rates).await?;
        let inserted = started.elapsed();
        idempotency::remember_many(txn, BILL_SCOPE, &bill_keys).await?;
        idempotency::remember_many(txn, RATE_SCOPE, &rate_keys).await?;
        let remembered = started.elapsed();

        // The receivable balance of each account a new bill is for, once per currency.
        let mut followed: HashSet<(String, String)> = HashSet::new();
        for one in &judged {
            let (Some(bill), Some(stored)) = (&one.bill, &one.stored) else {
                continue;
            };
            if !one.stands() {
                continue;
            }
            let (Some(account), Some(remaining)) =
                (&stored.billing_account, &stored.remaining_amount)
            else {
                continue;
            };
            if followed.insert((account.id.clone(), remaining.unit.to_string())) {
                follow_balances(
                    &self.bills,
                    self.balances.as_ref(),
                    txn,
                    ctx,
                    &bill.row.id,
                    stored,
                    None,
                )
                .await
                .map_err(TmfError::from)?;
            }
        }
        tracing::debug!(
            bills = ?bills_judged,
            rates = ?rates_judged,
            inserted = ?inserted,
            remembered = ?remembered,
            balances = ?started.elapsed(),
            "batch written"
        );
        let outcomes = judged.iter_mut().map(Judged::outcome).collect();
        // What was written is freed on another thread, not on the way of the next batch.
        let written: Vec<_> = judged
            .into_iter()
            .map(|one| (one.rates, one.bill, one.stored))
            .collect();
        tokio::task::spawn_blocking(move || drop(written));
        Ok(outcomes)
    }

    /// Sorts the bills out: already present (the same content, or the same as stored), new
    /// (checked and admitted), or refused.
    async fn judge_bills(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        judged: &mut [Judged<'_>],
    ) -> TmfResult<()> {
        let keys: Vec<String> = judged
            .iter()
            .filter_map(|j| j.unit.key.as_ref().map(|(key, _)| key.clone()))
            .collect();
        idempotency::lock_many(txn, BILL_SCOPE, &keys).await?;
        let known = idempotency::check_many(txn, BILL_SCOPE, &keys).await?;
        let mut new = Vec::new();
        let mut differing = Vec::new();
        for (i, one) in judged.iter_mut().enumerate() {
            let seen = one
                .unit
                .key
                .as_ref()
                .and_then(|(key, _)| known.get(key))
                .map(|remembered| remembered.seen(&one.unit.fingerprint))
                .unwrap_or(Seen::New);
            match seen {
                Seen::Same(id) => one.present = Some(id),
                Seen::Different(id) => differing.push((i, id)),
                Seen::New => {
                    let mut bill = one.unit.model.clone();
                    match check_bill(&mut bill) {
                        Ok(()) => new.push((i, bill)),
                        Err(error) => one.refuse(error.to_string()),
                    }
                }
            }
        }
        // Sent with other content than the first time: refused, unless it is what is stored.
        if !differing.is_empty() {
            let ids: Vec<String> = differing.iter().map(|(_, id)| id.clone()).collect();
            let stored = self.bills.read_many(txn, &ids).await?;
            let mut candidates = Vec::new();
            let mut which = Vec::new();
            let mut differ = Vec::new();
            for (i, id) in differing {
                let mut bill = judged[i].unit.model.clone();
                bill.id = Some(id.clone());
                match check_bill(&mut bill) {
                    Ok(()) => {
                        candidates.push((id.clone(), bill));
                        which.push((i, id));
                    }
                    Err(_) => differ.push((i, id)),
                }
            }
            let admitted = self
                .bills
                .admit_many(txn, ctx, candidates, &Pending::default())
                .await?;
            let compared = which.into_iter().zip(admitted).map(|((i, id), admitted)| {
                let same = match (admitted, stored.get(&id)) {
                    (Ok(admitted), Some(stored)) => {
                        comparable(admitted.row.body) == comparable(stored.clone())
                    }
                    _ => false,
                };
                (i, id, same)
            });
            let differ = differ.into_iter().map(|(i, id)| (i, id, false));
            for (i, id, same) in compared.collect::<Vec<_>>().into_iter().chain(differ) {
                let one = &mut judged[i];
                if same {
                    one.present = Some(id);
                } else {
                    let named = one
                        .unit
                        .key
                        .as_ref()
                        .map(|(_, named)| named.clone())
                        .unwrap_or_default();
                    one.refuse(format!(
                        "{named} is already {BILL_SCOPE} '{id}', with other content"
                    ));
                }
            }
        }
        // New bills, admitted as a create stores them.
        let (which, items): (Vec<usize>, Vec<(String, CustomerBill)>) = new
            .into_iter()
            .map(|(i, bill)| (i, (judged[i].unit.id.clone(), bill)))
            .unzip();
        let admitted = self
            .bills
            .admit_many(txn, ctx, items, &Pending::default())
            .await?;
        for (i, admitted) in which.into_iter().zip(admitted) {
            match admitted {
                Ok(admitted) => {
                    judged[i].stored = Some(
                        read_bill(&admitted.row.id, admitted.row.body.clone())
                            .map_err(TmfError::from)?,
                    );
                    judged[i].bill = Some(admitted);
                }
                Err(error) => judged[i].refuse(error.message),
            }
        }
        Ok(())
    }

    /// Sorts the rates of the bills that stand out: already present, new (checked on their
    /// bill and admitted; for a new bill, as judged while reading), or refused.
    async fn judge_rates(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        judged: &mut [Judged<'_>],
        mut speculated: Vec<Vec<Option<Speculated>>>,
    ) -> TmfResult<()> {
        let keys: Vec<String> = judged
            .iter()
            .filter(|one| one.refused.is_none())
            .flat_map(|one| one.unit.rates.iter().map(|rate| rate.external.clone()))
            .collect();
        let known = idempotency::check_many(txn, RATE_SCOPE, &keys).await?;
        let mut pending = Pending::default();
        for one in judged
            .iter()
            .filter(|one| one.refused.is_none() && one.bill.is_some())
        {
            pending.add(CUSTOMER_BILL, one.unit.id.clone());
        }
        let mut new: Vec<NewRate> = Vec::new();
        let mut differing: Vec<(NewRate, String)> = Vec::new();
        let mut to_look_up: Vec<(usize, usize, Prepared<AppliedCustomerBillingRate>)> = Vec::new();
        for (i, one) in judged.iter_mut().enumerate() {
            if one.refused.is_some() {
                continue;
            }
            let bill_id = one.bill_id().to_owned();
            let specs = speculated
                .get_mut(i)
                .map(std::mem::take)
                .unwrap_or_default();
            // A new bill whose rates were judged while reading: each is new (or refused: a
            // rate id already stored belongs to another bill).
            if one.bill.is_some()
                && specs.len() == one.unit.rates.len()
                && specs.iter().all(Option::is_some)
            {
                for (r, (rate, spec)) in one.unit.rates.iter().zip(specs).enumerate() {
                    if let Some(remembered) = known.get(&rate.external) {
                        one.refused_rates.push(rate_refusal(
                            rate.at,
                            &rate.external,
                            format!(
                                "externalId '{}' is already {RATE_SCOPE} '{}', with other content",
                                rate.external, remembered.resource_id
                            ),
                        ));
                        continue;
                    }
                    match spec {
                        Some(Speculated::Admitted(row)) => {
                            let (row, text) = *row;
                            one.rates.push((
                                row,
                                text,
                                rate.external.clone(),
                                rate.fingerprint.clone(),
                            ));
                        }
                        Some(Speculated::Refused(reason)) => {
                            one.refused_rates
                                .push(rate_refusal(rate.at, &rate.external, reason))
                        }
                        Some(Speculated::Prepared(prepared)) => to_look_up.push((i, r, *prepared)),
                        None => {}
                    }
                }
                continue;
            }
            // Otherwise judged here, as the API judges each: by its key, then its rules on
            // its bill as stored.
            if one.stored.is_none() {
                // A bill already present: read (and locked) as the API reads it for a rate.
                let Some(stored) = self.bills.load_in(txn, &bill_id).await? else {
                    one.refuse(format!("CustomerBill '{bill_id}' is no longer stored"));
                    continue;
                };
                one.stored = Some(read_bill(&bill_id, stored).map_err(TmfError::from)?);
            }
            let Some(bill) = one.stored.clone() else {
                continue;
            };
            // What the bill's rates add up to so far: those stored, then the new ones.
            let mut attached: Option<Decimal> = match one.present {
                None => Some(Decimal::ZERO),
                Some(_) => None,
            };
            // A rate given twice in one bill: stored once, or refused if they differ.
            let mut here: HashMap<&str, String> = HashMap::new();
            for rate in &one.unit.rates {
                // Each rate names its bill as it is stored: a bill already present has its
                // own id.
                let mut model = rate.model()?;
                let fingerprint = if bill_id == one.unit.id {
                    rate.fingerprint.clone()
                } else {
                    if let Some(bill) = &mut model.bill {
                        bill.id = bill_id.clone();
                    }
                    fingerprint(&model)?
                };
                if let Some(first) = here.get(rate.external.as_str()) {
                    if *first == fingerprint {
                        // Sent twice alike: stored once.
                        one.unchanged_rates += 1;
                    } else {
                        one.refused_rates.push(rate_refusal(
                            rate.at,
                            &rate.external,
                            format!(
                                "externalId '{}' is given twice in this bill, with other content",
                                rate.external
                            ),
                        ));
                    }
                    continue;
                }
                here.insert(rate.external.as_str(), fingerprint.clone());
                let seen = known
                    .get(&rate.external)
                    .map(|remembered| remembered.seen(&fingerprint))
                    .unwrap_or(Seen::New);
                let rate_in = |model, fingerprint| NewRate {
                    unit: i,
                    at: rate.at,
                    external: rate.external.clone(),
                    fingerprint,
                    model,
                };
                match seen {
                    Seen::Same(_) => one.unchanged_rates += 1,
                    Seen::Different(id) => {
                        // Judged as new, for a comparison with what is stored.
                        if check_rate(&mut model).is_ok()
                            && check_on_bill(&mut model, &bill_id, &bill).is_ok()
                        {
                            differing.push((rate_in(model, fingerprint), id));
                        } else {
                            one.refused_rates.push(rate_refusal(
                                rate.at,
                                &rate.external,
                                format!(
                                    "externalId '{}' is already {RATE_SCOPE} '{id}', with other content",
                                    rate.external
                                ),
                            ));
                        }
                    }
                    Seen::New => {
                        let judged_rate = match check_rate(&mut model) {
                            Ok(kind) => check_on_bill(&mut model, &bill_id, &bill).map(|()| kind),
                            Err(error) => Err(error),
                        };
                        let kind: RateType = match judged_rate {
                            Ok(kind) => kind,
                            Err(error) => {
                                one.refused_rates.push(rate_refusal(
                                    rate.at,
                                    &rate.external,
                                    error.to_string(),
                                ));
                                continue;
                            }
                        };
                        if let (Some(amount), Some(_)) =
                            (&model.tax_included_amount, &bill.tax_included_amount)
                        {
                            let sum = match attached {
                                Some(sum) => sum,
                                None => self
                                    .rates
                                    .find_in(txn, "bill.id", &bill_id)
                                    .await?
                                    .iter()
                                    .map(signed_amount)
                                    .sum(),
                            };
                            let signed = kind.signed(amount.value);
                            if let Err(error) = check_within_bill(signed, &bill_id, &bill, sum) {
                                one.refused_rates.push(rate_refusal(
                                    rate.at,
                                    &rate.external,
                                    error.to_string(),
                                ));
                                attached = Some(sum);
                                continue;
                            }
                            attached = Some(sum + signed);
                        }
                        new.push(rate_in(model, fingerprint));
                    }
                }
            }
        }
        // Rates sent with other content than the first time: refused, unless as stored.
        if !differing.is_empty() {
            let ids: Vec<String> = differing.iter().map(|(_, id)| id.clone()).collect();
            let stored = self.rates.read_many(txn, &ids).await?;
            let (rates, ids): (Vec<NewRate>, Vec<String>) = differing.into_iter().unzip();
            let items = rates
                .iter()
                .zip(&ids)
                .map(|(rate, id)| (id.clone(), rate.model.clone()))
                .collect();
            let admitted = self.rates.admit_many(txn, ctx, items, &pending).await?;
            for ((rate, id), admitted) in rates.into_iter().zip(ids).zip(admitted) {
                let same = match (admitted, stored.get(&id)) {
                    (Ok(admitted), Some(stored)) => {
                        comparable(admitted.row.body) == comparable(stored.clone())
                    }
                    _ => false,
                };
                let one = &mut judged[rate.unit];
                if same {
                    one.unchanged_rates += 1;
                } else {
                    one.refused_rates.push(rate_refusal(
                        rate.at,
                        &rate.external,
                        format!(
                            "externalId '{}' is already {RATE_SCOPE} '{id}', with other content",
                            rate.external
                        ),
                    ));
                }
            }
        }
        // Rates judged while reading whose references need a look-up.
        if !to_look_up.is_empty() {
            let (places, prepared): (Vec<(usize, usize)>, Vec<_>) = to_look_up
                .into_iter()
                .map(|(i, r, prepared)| ((i, r), Ok(prepared)))
                .unzip();
            let admitted = self.rates.admit_prepared(txn, prepared, &pending).await?;
            for ((i, r), admitted) in places.into_iter().zip(admitted) {
                let one = &mut judged[i];
                let rate = &one.unit.rates[r];
                match admitted {
                    Ok(admitted) => {
                        let (row, text) = admitted.into_row();
                        one.rates.push((
                            row,
                            text,
                            rate.external.clone(),
                            rate.fingerprint.clone(),
                        ));
                    }
                    Err(error) => {
                        one.refused_rates
                            .push(rate_refusal(rate.at, &rate.external, error.message))
                    }
                }
            }
        }
        // New rates, admitted as a create stores them (their new bills pending).
        let items = new
            .iter()
            .map(|rate| (new_id(), rate.model.clone()))
            .collect();
        let admitted = self.rates.admit_many(txn, ctx, items, &pending).await?;
        for (rate, admitted) in new.into_iter().zip(admitted) {
            let one = &mut judged[rate.unit];
            match admitted {
                Ok(admitted) => {
                    let (row, text) = admitted.into_row();
                    one.rates.push((row, text, rate.external, rate.fingerprint));
                }
                Err(error) => {
                    one.refused_rates
                        .push(rate_refusal(rate.at, &rate.external, error.message))
                }
            }
        }
        Ok(())
    }
}

fn judged(unit: &BillIn) -> Judged<'_> {
    Judged {
        unit,
        present: None,
        refused: None,
        refused_rates: Vec::new(),
        bill: None,
        stored: None,
        rates: Vec::new(),
        unchanged_rates: 0,
    }
}
