//! The targets the CRM measures itself, on the resources of other domains: a ticket's
//! resolution and first response ([`TicketTargets`]), a product order's completion
//! ([`OrderTargets`]). Both are rules the module contract lets a domain add to every resource
//! of another's type (`Hooks::offer_type_rules`): `customer-problem` and `customer-order` call
//! them in their writes' transactions without knowing SLAs.
//!
//! Each `active` SLA in its `validFor` whose consumer is the resource's customer (a related
//! party, or the party or customer record behind it) covers it by every rule of a metric it
//! has that applies (a rule's extension attributes `severity` and `priority`, when given, name
//! the tickets it covers). Every write of the resource assesses its targets
//! ([`crate::standing`]): their live standing and due times, shown on the resource; a target
//! missed records one `slaViolation` about the resource (`relatedEntity` role `subject`), with
//! its compensation, in the resource's own change, by `system:sla-targets`: once per rule and
//! resource, whether the write or the evaluator job sees it first.
//!
//! - `ticketResolutionTime`, `ticketFirstResponseTime`: the time the ticket was in the
//!   provider's hands until it was resolved (its status `resolved` or `closed` for the first
//!   time) or first answered (its first move to `inProgress`, or its first note), by the
//!   ticket clock rule ([`TroubleTicket::active_periods`]: time `pending` does not count). A
//!   ticket cancelled or rejected before is no longer watched.
//! - `orderCompletionTime`: from the order's `orderDate` to its completion (`completed` or
//!   `partial`); an order cancelled or failed is no longer watched.
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
use serde_json::Value as Json;
use sid_model::Lifecycle;
use sid_model::{
    ProductOrder, ProductOrderStateType as OrderState, Sla, SlaStateType as State, TroubleTicket,
    TroubleTicketStatusType as Status,
};
use tmf_apis::body::from_value;
use tmf_apis::{RequestContext, TmfError, TmfResult};

use crate::breach::Compensations;
use crate::slas::{CONSUMER, SLA};
use crate::standing::{self, Measure, Progress, Watched};
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

/// What both kinds of targets share: where violations go, the compensations, where
/// customers are stored, the clock.
pub struct Targets {
    pub(crate) violations: Arc<DocumentService<ViolationKind>>,
    /// Set when the module builds (every compensation is offered by then).
    pub(crate) compensations: OnceLock<Compensations>,
    pub(crate) customers: Option<StoredType>,
    pub(crate) clock: Arc<dyn Clock>,
    /// The share of a target past which it is at risk.
    pub(crate) at_risk_share: Decimal,
    /// The types watched and where they are stored (an SLA that becomes active queues the
    /// open ones of its consumer).
    pub(crate) watched: Vec<(&'static str, StoredType)>,
}

impl std::fmt::Debug for Targets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Targets").finish_non_exhaustive()
    }
}

/// The context violations about `subject` are recorded in: the server's, saying why.
pub(crate) fn recording(ctx: &RequestContext, subject: &str) -> RequestContext {
    ctx.acting_as(TARGETS_ACTOR, format!("a target of {subject} missed"))
}

impl Targets {
    /// The ids a customer is known by, from the related parties `ids`: them, the parties the
    /// customers among them engage, and the customers that engage the parties among them.
    pub(crate) async fn customer_ids(
        &self,
        txn: &DatabaseTransaction,
        ids: Vec<String>,
    ) -> TmfResult<Vec<String>> {
        match self.customers {
            Some(customers) => crm_store::relations::customer_ids(txn, customers, ids).await,
            None => Ok(ids),
        }
    }

    /// The active SLAs in force at `now` whose consumer is among `ids`.
    pub(crate) async fn covering(
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
    pub(crate) async fn recorded(
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

    /// The compensations, set once the module is built.
    pub(crate) fn compensations(&self) -> TmfResult<&Compensations> {
        self.compensations.get().ok_or_else(|| {
            TmfError::internal("SLA targets are used before the SLA module is built")
        })
    }

    /// Assesses `watched` and shows its standing on `document`; whether that changed it.
    pub(crate) async fn follow(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        watched: &Watched,
        document: &mut Json,
    ) -> TmfResult<bool> {
        let standing = self.assess(txn, ctx, watched).await?;
        Ok(standing::show(document, standing))
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

/// The targets on every trouble ticket.
#[derive(Debug)]
pub struct TicketTargets(pub(crate) Arc<Targets>);

/// Whether `ticket` was resolved, now or before.
fn ever_resolved(ticket: &TroubleTicket) -> bool {
    let resolved = |s: Status| matches!(s, Status::Resolved | Status::Closed);
    ticket.status.is_some_and(resolved)
        || ticket.status_change.iter().flatten().any(|change| {
            change
                .status
                .as_deref()
                .and_then(Status::parse)
                .is_some_and(resolved)
        })
}

/// Whether `ticket` was answered: it moved to `inProgress`, or a note was added after it was
/// created (a note it was created with is the customer's report, not an answer).
fn responded(ticket: &TroubleTicket) -> bool {
    ticket.status == Some(Status::InProgress)
        || ticket.note.iter().flatten().any(|note| {
            // A ticket being created has no creation date yet: its notes are its report. A
            // note the server writes (an escalation's) answers nobody.
            let by_server = note
                .author
                .as_deref()
                .is_some_and(|author| author.starts_with("system:"));
            !by_server
                && ticket
                    .creation_date
                    .is_some_and(|created| note.date.is_none_or(|written| written > created))
        })
        || ticket
            .status_change
            .iter()
            .flatten()
            .any(|change| change.status.as_deref() == Some(Status::InProgress.as_str()))
}

/// The ticket's targets as the standing reads them (`previous`: the stored ticket, `None` on
/// create).
pub(crate) fn watch_ticket(
    previous: Option<&TroubleTicket>,
    ticket: &TroubleTicket,
    now: DateTime<Utc>,
) -> Option<Watched> {
    let id = ticket.id.clone()?;
    let status = ticket.status.unwrap_or(Status::Acknowledged);
    // A ticket being created has no dates yet: it starts now.
    let mut periods = ticket.active_periods(now);
    if ticket.creation_date.is_none() && status.clock_runs() {
        periods = vec![(now, now)];
    }
    let running = status.clock_runs();
    let clock = |happened: fn(&TroubleTicket) -> bool| {
        if happened(ticket) {
            Progress::Happened {
                periods: periods.clone(),
                now: previous.is_none_or(|previous| !happened(previous)),
            }
        } else if !status.is_open() {
            Progress::Abandoned {
                periods: periods.clone(),
            }
        } else {
            Progress::Counting {
                periods: periods.clone(),
                running,
            }
        }
    };
    Some(Watched {
        id,
        type_name: "TroubleTicket",
        parties: customer_parties(ticket.related_party.as_deref().unwrap_or_default()),
        measures: vec![
            Measure {
                metric: RESOLUTION,
                clock: clock(ever_resolved),
                what: "in the provider's hands (time pending not counted)",
            },
            Measure {
                metric: FIRST_RESPONSE,
                clock: clock(responded),
                what: "in the provider's hands (time pending not counted)",
            },
        ],
        severity: Some(ticket.severity.clone()),
        priority: ticket.priority.clone(),
    })
}

/// The order's target as the standing reads it.
pub(crate) fn watch_order(
    previous: Option<&ProductOrder>,
    order: &ProductOrder,
    now: DateTime<Utc>,
) -> Option<Watched> {
    let id = order.id.clone()?;
    let ordered = order.order_date.unwrap_or(now);
    let done =
        |o: &ProductOrder| matches!(o.state, Some(OrderState::Completed | OrderState::Partial));
    let clock = if done(order) {
        let completed = order.completion_date.unwrap_or(now);
        Progress::Happened {
            periods: vec![(ordered, completed)],
            now: previous.is_none_or(|previous| !done(previous)),
        }
    } else if order.state.is_some_and(|state| state.is_final()) {
        let ended = order
            .cancellation_date
            .or(order.completion_date)
            .unwrap_or(now);
        Progress::Abandoned {
            periods: vec![(ordered, ended.max(ordered))],
        }
    } else {
        Progress::Counting {
            periods: vec![(ordered, now.max(ordered))],
            running: true,
        }
    };
    Some(Watched {
        id,
        type_name: "ProductOrder",
        parties: customer_parties(order.related_party.as_deref().unwrap_or_default()),
        measures: vec![Measure {
            metric: COMPLETION,
            clock,
            what: "from ordering to completion",
        }],
        severity: None,
        priority: None,
    })
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
        let previous: Option<TroubleTicket> =
            previous.map(|p| from_value(p.clone())).transpose()?;
        let ticket: TroubleTicket = from_value(requested.clone())?;
        let Some(watched) = watch_ticket(previous.as_ref(), &ticket, self.0.clock.now()) else {
            return Ok(());
        };
        self.0.follow(txn, ctx, &watched, requested).await?;
        Ok(())
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
        let previous: Option<ProductOrder> = previous.map(|p| from_value(p.clone())).transpose()?;
        let order: ProductOrder = from_value(requested.clone())?;
        let Some(watched) = watch_order(previous.as_ref(), &order, self.0.clock.now()) else {
            return Ok(());
        };
        self.0.follow(txn, ctx, &watched, requested).await?;
        Ok(())
    }
}
