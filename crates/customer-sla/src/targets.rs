//! The targets the CRM measures itself, on the resources of other domains: a ticket's
//! resolution and first response ([`TicketTargets`]), a product order's completion
//! ([`OrderTargets`]). Both are rules the module contract lets a domain add to every resource
//! of another's type (`Hooks::offer_type_rules`): `customer-problem` and `customer-order` call
//! them in their writes' transactions without knowing SLAs.
//!
//! When a write makes the event a metric measures happen (a ticket resolved or first answered,
//! an order completed), each `active` SLA in its `validFor` whose consumer is the resource's
//! customer (a related party, or the party or customer record behind it) judges the duration
//! by every rule of the metric that applies (a rule's extension attributes `severity` and
//! `priority`, when given, name the tickets it covers). A target missed records one
//! `slaViolation` about the resource (`relatedEntity` role `subject`), with its compensation,
//! in the resource's own change, by `system:sla-targets`: once per rule and resource, however
//! the resource moves afterwards.
//!
//! - `ticketResolutionTime`, `ticketFirstResponseTime`: the time the ticket was in the
//!   provider's hands until it was resolved (its status `resolved` or `closed` for the first
//!   time) or first answered (its first move to `inProgress`, or its first note), by the
//!   ticket clock rule ([`TroubleTicket::active_time`]: time `pending` does not count).
//! - `orderCompletionTime`: from the order's `orderDate` to its completion (`completed` or
//!   `partial`).
//!
//! A rule of these metrics compares durations: its operator is `.le` or `.lt`, its unit `min`,
//! `h` (the default) or `d`. An SLA with business hours (`businessHours`, [`crate::calendar`])
//! counts only their working time.

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use crm_module::SubtypeRules;
use crm_store::{Clock, DatabaseTransaction, DocumentService, StoredType};
use rust_decimal::Decimal;
use serde_json::{Value as Json, json};
use sid_model::Lifecycle;
use sid_model::{
    ProductOrder, ProductOrderStateType as OrderState, RelatedEntity, Sla, SlaRule,
    SlaStateType as State, TroubleTicket, TroubleTicketStatusType as Status,
};
use tmf_apis::body::from_value;
use tmf_apis::{RequestContext, TmfError, TmfResult};

use crate::breach::{self, Compensations};
use crate::calendar::BusinessHours;
use crate::slas::{BUSINESS_HOURS, CONSUMER, SLA};
use crate::violations::ViolationKind;

/// Time to resolution.
pub const RESOLUTION: &str = "ticketResolutionTime";
/// Time to the first response.
pub const FIRST_RESPONSE: &str = "ticketFirstResponseTime";
/// Time from ordering to completion.
pub const COMPLETION: &str = "orderCompletionTime";

/// Who the history names for the violations the targets record.
const TARGETS_ACTOR: &str = "system:sla-targets";

/// The duration units of targets, in minutes.
pub(crate) fn minutes_per(unit: Option<&str>) -> Option<Decimal> {
    match unit.unwrap_or("h") {
        "min" | "minute" | "minutes" => Some(Decimal::ONE),
        "h" | "hour" | "hours" => Some(Decimal::from(60)),
        "d" | "day" | "days" => Some(Decimal::from(60 * 24)),
        _ => None,
    }
}

/// Whether `metric` is a duration the CRM measures itself.
pub(crate) fn is_duration_metric(metric: &str) -> bool {
    matches!(metric, RESOLUTION | FIRST_RESPONSE | COMPLETION)
}

/// The periods a duration is made of.
type Periods = Vec<(DateTime<Utc>, DateTime<Utc>)>;

/// What one write made happen to a resource: the metrics to judge, the periods each measures,
/// and how to say it.
struct Happened {
    subject: (String, &'static str),
    parties: Vec<String>,
    judged: Vec<(&'static str, Periods, String)>,
}

/// Minutes in `periods`, all of them, or only the working time of `sla`'s business hours.
fn minutes_in(sla: &Sla, periods: &Periods) -> Decimal {
    let hours = sla
        .extensions
        .get(BUSINESS_HOURS)
        .and_then(|value| BusinessHours::read(value).ok());
    let total = periods
        .iter()
        .fold(chrono::Duration::zero(), |total, (from, to)| {
            total
                + match &hours {
                    Some(hours) => hours.working_time(*from, *to),
                    None => *to - *from,
                }
        });
    minutes(total)
}

/// What both kinds of targets share: where violations go, the compensations, where
/// customers are stored, the clock.
pub struct Targets {
    pub(crate) violations: Arc<DocumentService<ViolationKind>>,
    /// Set when the module builds (every compensation is offered by then).
    pub(crate) compensations: OnceLock<Compensations>,
    pub(crate) customers: Option<StoredType>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Targets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Targets").finish_non_exhaustive()
    }
}

/// The context violations about `subject` are recorded in: the server's, saying why.
fn recording(ctx: &RequestContext, subject: &str) -> RequestContext {
    let mut recording = ctx.clone();
    recording.actor = tmf_apis::Actor {
        subject: TARGETS_ACTOR.to_owned(),
        roles: Vec::new(),
    };
    recording.reason = Some(format!("a target of {subject} missed"));
    recording
}

impl Targets {
    /// The ids a customer is known by, from the related parties `ids`: them, the parties the
    /// customers among them engage, and the customers that engage the parties among them.
    async fn customer_ids(
        &self,
        txn: &DatabaseTransaction,
        mut ids: Vec<String>,
    ) -> TmfResult<Vec<String>> {
        let Some(customers) = self.customers else {
            return Ok(ids);
        };
        let named = crm_store::relations::documents_on(txn, customers.table, &ids, &[]).await?;
        for customer in named {
            if let Some(party) = customer.pointer("/engagedParty/id").and_then(Json::as_str) {
                ids.push(party.to_owned());
            }
        }
        let engaging =
            crm_store::relations::referrers(txn, &ids, customers.table, Some("engagedParty"))
                .await?;
        ids.extend(engaging);
        ids.sort();
        ids.dedup();
        Ok(ids)
    }

    /// The active SLAs in force at `now` whose consumer is among `ids`.
    async fn covering(
        &self,
        txn: &DatabaseTransaction,
        ids: &[String],
        now: DateTime<Utc>,
    ) -> TmfResult<Vec<(String, Sla)>> {
        let sla_ids = crm_store::relations::referrers(txn, ids, SLA.table, None).await?;
        let documents =
            crm_store::relations::documents_on(txn, SLA.table, &sla_ids, &[SLA.kind]).await?;
        let mut out = Vec::new();
        for document in documents {
            let Ok(sla) = from_value::<Sla>(document) else {
                continue;
            };
            let in_force = sla.state == Some(State::Active)
                && sla.valid_for.as_ref().is_none_or(|period| {
                    period.start_date_time.is_none_or(|start| start <= now)
                        && period.end_date_time.is_none_or(|end| now < end)
                });
            let consumer = sla
                .parties(CONSUMER)
                .next()
                .is_some_and(|party| ids.contains(&party.id));
            if in_force
                && consumer
                && let Some(id) = sla.id.clone()
            {
                out.push((id, sla));
            }
        }
        Ok(out)
    }

    /// Whether a violation of `rule` of `sla` about `subject` is recorded already.
    async fn recorded(
        &self,
        txn: &DatabaseTransaction,
        sla: &str,
        rule: &str,
        subject: &str,
    ) -> TmfResult<bool> {
        let found = self.violations.find_in(txn, "sla.id", sla).await?;
        Ok(found.iter().any(|violation| {
            violation.pointer("/rule/id").and_then(Json::as_str) == Some(rule)
                && violation["relatedEntity"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|entity| entity["id"] == subject)
        }))
    }

    /// Judges what happened by the rules of the SLAs covering it, recording each target
    /// missed (once) with its compensation.
    async fn judge(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        happened: Happened,
        applies: impl Fn(&SlaRule) -> bool + Send + Sync,
    ) -> TmfResult<()> {
        if happened.judged.is_empty() {
            return Ok(());
        }
        let Some(compensations) = self.compensations.get() else {
            return Err(TmfError::internal(
                "SLA targets are used before the SLA module is built",
            ));
        };
        let (subject_id, subject_type) = &happened.subject;
        let now = self.clock.now();
        let ids = self.customer_ids(txn, happened.parties.clone()).await?;
        for (sla_id, sla) in self.covering(txn, &ids, now).await? {
            for rule in sla.rule.iter().flatten() {
                let Some((_, periods, what)) = happened
                    .judged
                    .iter()
                    .find(|(metric, ..)| *metric == rule.metric)
                else {
                    continue;
                };
                if !applies(rule) {
                    continue;
                }
                // The SLA's terms were checked when it was written: its numbers read.
                let (Some(per), Ok(reference)) = (
                    minutes_per(rule.unit.as_deref()),
                    rule.reference_value.trim().parse::<Decimal>(),
                ) else {
                    continue;
                };
                let tolerance = rule
                    .tolerance
                    .as_deref()
                    .and_then(|t| t.trim().parse::<Decimal>().ok())
                    .unwrap_or_default()
                    .abs();
                let mut actual = (minutes_in(&sla, periods) / per).round_dp(2);
                actual.rescale(2);
                if rule.operator.met(actual, reference, tolerance)
                    || self.recorded(txn, &sla_id, &rule.id, subject_id).await?
                {
                    continue;
                }
                let subject: RelatedEntity = from_value(json!({
                    "id": subject_id, "role": "subject", "@referredType": subject_type
                }))?;
                let unit = rule.unit.clone().unwrap_or_else(|| "h".into());
                let comment = format!(
                    "{} of {subject_type} {subject_id}: {actual} {unit} {what}; the rule asks {} {} {unit}",
                    rule.metric, rule.operator, rule.reference_value
                );
                let label = format!("{subject_type} {subject_id}");
                let missed = breach::Missed {
                    sla: (&sla_id, &sla),
                    rule,
                    date: now,
                    actual: actual.to_string(),
                    unit: Some(unit),
                    comment,
                    subject: subject.clone(),
                    measured: std::slice::from_ref(&subject),
                };
                breach::record(
                    &self.violations,
                    compensations,
                    txn,
                    (ctx, &recording(ctx, &label)),
                    missed,
                )
                .await?;
            }
        }
        Ok(())
    }
}

/// The ids of the parties a ticket or order is the customer's by: those with role `customer`
/// when it names any, else all its parties.
fn customer_parties(parties: &[sid_model::RelatedParty]) -> Vec<String> {
    let customers: Vec<String> = parties
        .iter()
        .filter(|party| {
            party
                .role
                .as_deref()
                .is_some_and(|role| role.eq_ignore_ascii_case("customer"))
        })
        .map(|party| party.id.clone())
        .collect();
    if customers.is_empty() {
        parties.iter().map(|party| party.id.clone()).collect()
    } else {
        customers
    }
}

/// Minutes in a duration.
fn minutes(duration: chrono::Duration) -> Decimal {
    Decimal::from(duration.num_seconds()) / Decimal::from(60)
}

/// The targets on every trouble ticket.
#[derive(Debug)]
pub struct TicketTargets(pub(crate) Arc<Targets>);

/// What a ticket's write made happen.
fn ticket_events(previous: &TroubleTicket, current: &TroubleTicket) -> Vec<&'static str> {
    let status = |t: &TroubleTicket| t.status.unwrap_or(Status::Acknowledged);
    let resolved = |s: Status| matches!(s, Status::Resolved | Status::Closed);
    // A response: the first move to `inProgress`, or a note added after the ticket was
    // created (a note it was created with is the customer's report, not an answer).
    let responded = |t: &TroubleTicket| {
        status(t) == Status::InProgress
            || t.note.iter().flatten().any(|note| {
                note.date
                    .zip(t.creation_date)
                    .is_none_or(|(written, created)| written > created)
            })
            || t.status_change
                .iter()
                .flatten()
                .any(|change| change.status.as_deref() == Some(Status::InProgress.as_str()))
    };
    let mut out = Vec::new();
    let ever_resolved = previous.status_change.iter().flatten().any(|change| {
        change
            .status
            .as_deref()
            .and_then(Status::parse)
            .is_some_and(resolved)
    });
    if resolved(status(current)) && !resolved(status(previous)) && !ever_resolved {
        out.push(RESOLUTION);
    }
    if responded(current) && !responded(previous) {
        out.push(FIRST_RESPONSE);
    }
    out
}

/// Whether `rule` covers `ticket` (its `severity` and `priority` filters).
fn covers(rule: &SlaRule, ticket: &TroubleTicket) -> bool {
    let matches = |name: &str, value: Option<&str>| match rule.extensions.get(name) {
        None => true,
        Some(Json::String(wanted)) => value.is_some_and(|v| v.eq_ignore_ascii_case(wanted)),
        Some(_) => false,
    };
    matches("severity", Some(ticket.severity.as_str()))
        && matches("priority", ticket.priority.as_deref())
}

#[async_trait]
impl SubtypeRules for TicketTargets {
    async fn apply(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        previous: Option<&Json>,
        requested: &mut Json,
    ) -> TmfResult<()> {
        // A ticket is created before anything is measured of it.
        let Some(previous) = previous else {
            return Ok(());
        };
        let previous: TroubleTicket = from_value(previous.clone())?;
        let ticket: TroubleTicket = from_value(requested.clone())?;
        let events = ticket_events(&previous, &ticket);
        let Some(id) = ticket.id.clone().filter(|_| !events.is_empty()) else {
            return Ok(());
        };
        let active = ticket.active_periods(self.0.clock.now());
        let happened = Happened {
            subject: (id, "TroubleTicket"),
            parties: customer_parties(ticket.related_party.as_deref().unwrap_or_default()),
            judged: events
                .into_iter()
                .map(|metric| {
                    (
                        metric,
                        active.clone(),
                        "in the provider's hands (time pending not counted)".to_owned(),
                    )
                })
                .collect(),
        };
        self.0
            .judge(txn, ctx, happened, |rule| covers(rule, &ticket))
            .await
    }
}

/// The targets on every product order.
#[derive(Debug)]
pub struct OrderTargets(pub(crate) Arc<Targets>);

#[async_trait]
impl SubtypeRules for OrderTargets {
    async fn apply(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        previous: Option<&Json>,
        requested: &mut Json,
    ) -> TmfResult<()> {
        let Some(previous) = previous else {
            return Ok(());
        };
        let previous: ProductOrder = from_value(previous.clone())?;
        let order: ProductOrder = from_value(requested.clone())?;
        let done =
            |o: &ProductOrder| matches!(o.state, Some(OrderState::Completed | OrderState::Partial));
        if !done(&order) || done(&previous) {
            return Ok(());
        }
        let (Some(id), Some(ordered)) = (order.id.clone(), order.order_date) else {
            return Ok(());
        };
        let completed = order.completion_date.unwrap_or_else(|| self.0.clock.now());
        let happened = Happened {
            subject: (id, "ProductOrder"),
            parties: customer_parties(order.related_party.as_deref().unwrap_or_default()),
            judged: vec![(
                COMPLETION,
                vec![(ordered, completed)],
                "from ordering to completion".to_owned(),
            )],
        };
        self.0.judge(txn, ctx, happened, |_| true).await
    }
}
