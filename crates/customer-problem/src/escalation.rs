//! Escalation: a background job that raises the priority of open tickets whose active time
//! ([`TroubleTicket::active_time`]: time pending does not count) crosses the thresholds
//! configured for their severity, or whose SLA standing is at risk.
//!
//! Everything the job knows is in the tickets themselves: their age comes from their stored
//! history, their escalation level is recorded on them (the `escalationLevel`
//! characteristic), so a restarted server, or another instance sharing the database, carries
//! on where the last run stopped and never escalates a level twice. Each escalation is one
//! transaction on the locked ticket: priority raised one step per level crossed, the level
//! recorded, a note signed by the job, and `TroubleTicketAttributeValueChangeEvent` plus
//! `TroubleTicketEscalationEvent` in the outbox.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use crm_store::{Clock, DocumentService, Store};
use serde_json::Value as Json;
use sid_model::{Characteristic, Note, TroubleTicket};
use tmf_apis::body::from_value;
use tmf_apis::{ListQuery, QueryLimits, RequestContext, ResourceService, TmfError, TmfResult};

use crate::settings::TicketSettings;
use crate::tickets::{ESCALATION_LEVEL, TicketKind, escalation_level};

/// The identity escalations are recorded under (history, notes).
pub const ESCALATION_ACTOR: &str = "system:ticket-escalation";

/// How many open tickets are read per page while looking for due ones.
const PAGE: u64 = 500;

/// A due escalation: the level the ticket reaches and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    /// The new escalation level (the number of thresholds crossed, at least 1 for a ticket
    /// at risk of missing its SLA).
    pub level: u32,
    /// The ticket's active time.
    pub active: Duration,
    /// The highest threshold crossed.
    pub threshold: Duration,
    /// The ticket's SLA standing, when that is what asks for the level.
    pub sla_standing: Option<&'static str>,
}

/// The attribute through which another domain says how a ticket stands against its SLA (the
/// SLA domain's live standing): `atRisk` and `breached` ask for escalation.
pub const SLA_STANDING: &str = "slaStanding";

/// The ticket's SLA standing, when it asks for escalation.
fn sla_at_risk(ticket: &TroubleTicket) -> Option<&'static str> {
    match ticket.extensions.get(SLA_STANDING).and_then(Json::as_str) {
        Some("atRisk") => Some("atRisk"),
        Some("breached") => Some("breached"),
        _ => None,
    }
}

/// Whether `ticket` is due for escalation at `now` under `settings`, and to which level.
pub fn due(settings: &TicketSettings, ticket: &TroubleTicket, now: DateTime<Utc>) -> Option<Due> {
    if !ticket.status.is_some_and(|s| s.is_open()) {
        return None;
    }
    let active = ticket.active_time(now);
    let crossed: Vec<Duration> = settings
        .thresholds(&ticket.severity)
        .into_iter()
        .filter(|threshold| active >= *threshold)
        .collect();
    let by_time = u32::try_from(crossed.len()).unwrap_or(u32::MAX);
    let sla_standing =
        sla_at_risk(ticket).filter(|_| settings.escalate_sla_at_risk && by_time == 0);
    let level = by_time.max(u32::from(sla_standing.is_some()));
    (level > escalation_level(ticket)).then(|| Due {
        level,
        active,
        threshold: crossed.last().copied().unwrap_or_else(Duration::zero),
        sla_standing,
    })
}

/// Applies a due escalation to `ticket`: priority raised a step per level crossed, level
/// recorded, and a note saying why.
pub fn escalate(
    settings: &TicketSettings,
    ticket: &mut TroubleTicket,
    due: Due,
    now: DateTime<Utc>,
) {
    let steps = (due.level - escalation_level(ticket)) as usize;
    let before = ticket.priority.clone().unwrap_or_default();
    let after = settings.raise(ticket.priority.as_deref(), steps);
    ticket.priority = Some(after.clone());
    let characteristics = ticket
        .trouble_ticket_characteristic
        .get_or_insert_with(Vec::new);
    characteristics.retain(|c| c.name != ESCALATION_LEVEL);
    characteristics.push(Characteristic {
        name: ESCALATION_LEVEL.to_owned(),
        value_type: Some("integer".to_owned()),
        value: Json::from(due.level),
        meta: Default::default(),
        extensions: Default::default(),
    });
    ticket.note.get_or_insert_with(Vec::new).push(Note {
        id: Some(crm_store::new_id()),
        author: Some(ESCALATION_ACTOR.to_owned()),
        date: Some(now),
        text: Some(match due.sla_standing {
            Some(standing) => format!(
                "Escalated to level {}: its SLA standing is {standing} after {} minutes in the \
                 provider's hands; priority {before} → {after}",
                due.level,
                due.active.num_minutes(),
            ),
            None => format!(
                "Escalated to level {}: {} minutes in the provider's hands, over the {}-minute \
                 threshold for {} tickets; priority {before} → {after}",
                due.level,
                due.active.num_minutes(),
                due.threshold.num_minutes(),
                ticket.severity
            ),
        }),
        ..Note::default()
    });
}

/// The name of the escalation job.
pub const ESCALATION_JOB: &str = "ticketEscalation";

/// The escalation job.
pub struct Escalator {
    store: Store,
    tickets: Arc<DocumentService<TicketKind>>,
    settings: Arc<TicketSettings>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Escalator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Escalator")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

fn system_context() -> RequestContext {
    RequestContext::system(ESCALATION_ACTOR, "escalation thresholds crossed")
}

impl Escalator {
    /// The job over the tickets of `store`.
    pub fn new(
        store: &Store,
        tickets: Arc<DocumentService<TicketKind>>,
        settings: Arc<TicketSettings>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            store: store.clone(),
            tickets,
            settings,
            clock,
        }
    }

    /// One pass over the open tickets: escalates every one that is due now. Returns the ids
    /// of the tickets escalated. A ticket that cannot be escalated (changed concurrently,
    /// say) is left for the next pass.
    pub async fn run_once(&self) -> TmfResult<Vec<String>> {
        let ctx = system_context();
        let mut escalated = Vec::new();
        let mut offset = 0;
        loop {
            let raw = format!(
                "status=acknowledged,inProgress,pending,held&sort=id&offset={offset}&limit={PAGE}"
            );
            let limits = QueryLimits {
                max_limit: PAGE,
                ..QueryLimits::default()
            };
            let query = ListQuery::parse(Some(&raw), &self.tickets.descriptor().catalog, &limits)?;
            let page = self.tickets.list(&ctx, &query).await?;
            let now = self.clock.now();
            for document in &page.items {
                let Ok(ticket) = from_value::<TroubleTicket>(document.clone()) else {
                    continue;
                };
                let Some(id) = ticket.id.clone() else {
                    continue;
                };
                if due(&self.settings, &ticket, now).is_none() {
                    continue;
                }
                match self.escalate_one(&ctx, &id).await {
                    Ok(true) => escalated.push(id),
                    Ok(false) => {}
                    Err(error) => {
                        tracing::warn!(ticket = %id, error = %error.message, "escalation failed; retried on the next pass");
                    }
                }
            }
            if (page.items.len() as u64) < PAGE {
                break;
            }
            offset += PAGE;
        }
        if !escalated.is_empty() {
            self.store.events().notify();
        }
        Ok(escalated)
    }

    /// Escalates ticket `id` if it is still due once locked.
    async fn escalate_one(&self, ctx: &RequestContext, id: &str) -> TmfResult<bool> {
        self.store
            .write(async |txn| {
                let Some(document) = self.tickets.load_in(txn, id).await? else {
                    return Ok(false);
                };
                let mut ticket: TroubleTicket = from_value(document).map_err(|e| {
                    TmfError::internal(format!("stored ticket {id} unreadable: {}", e.message))
                })?;
                let now = self.clock.now();
                let Some(due) = due(&self.settings, &ticket, now) else {
                    return Ok(false);
                };
                escalate(&self.settings, &mut ticket, due, now);
                let document = serde_json::to_value(&ticket).map_err(TmfError::internal)?;
                self.tickets.replace_in(txn, ctx, id, document).await?;
                tracing::info!(ticket = %id, level = due.level, "ticket escalated");
                Ok(true)
            })
            .await
    }
}

#[async_trait::async_trait]
impl crm_module::Job for Escalator {
    fn name(&self) -> &'static str {
        ESCALATION_JOB
    }

    fn interval(&self) -> StdDuration {
        StdDuration::from_secs(self.settings.escalation_interval_secs.max(1))
    }

    async fn run_once(&self) -> TmfResult<Vec<String>> {
        Escalator::run_once(self).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sid_model::{StatusChange, TroubleTicketStatusType};

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::minutes(minutes)
    }

    fn ticket(severity: &str, history: &[(i64, &str)]) -> TroubleTicket {
        let document = serde_json::json!({
            "description": "No dial tone",
            "severity": severity,
            "ticketType": "incident",
            "priority": "Medium",
            "creationDate": at(0),
            "status": history.last().map_or("acknowledged", |(_, s)| *s),
            "statusChange": history.iter().map(|(m, s)| serde_json::json!({"changeDate": at(*m), "status": s})).collect::<Vec<_>>(),
        });
        serde_json::from_value(document).expect("ticket")
    }

    #[test]
    fn a_ticket_escalates_as_it_crosses_each_threshold() {
        let settings = TicketSettings::default();
        let mut t = ticket("Critical", &[(0, "acknowledged"), (5, "inProgress")]);
        assert_eq!(due(&settings, &t, at(29)), None);
        let first = due(&settings, &t, at(30)).expect("due at 30 minutes");
        assert_eq!(first.level, 1);
        escalate(&settings, &mut t, first, at(30));
        assert_eq!(t.priority.as_deref(), Some("High"));
        assert_eq!(escalation_level(&t), 1);
        assert_eq!(due(&settings, &t, at(119)), None, "level 1 is not repeated");
        let second = due(&settings, &t, at(125)).expect("due at 120 minutes");
        escalate(&settings, &mut t, second, at(125));
        assert_eq!(t.priority.as_deref(), Some("Critical"));
        assert_eq!(escalation_level(&t), 2);
        assert_eq!(t.note.as_ref().map(Vec::len), Some(2));
        assert_eq!(due(&settings, &t, at(10_000)), None, "no threshold left");
    }

    #[test]
    fn time_pending_does_not_bring_escalation_closer() {
        let settings = TicketSettings::default();
        // 10 minutes of work, then pending for hours.
        let t = ticket(
            "Critical",
            &[(0, "acknowledged"), (5, "inProgress"), (10, "pending")],
        );
        assert_eq!(due(&settings, &t, at(600)), None);
        // Back in progress at 600: 20 more minutes make 30.
        let mut back = t.clone();
        back.status = Some(TroubleTicketStatusType::InProgress);
        back.status_change
            .get_or_insert_with(Vec::new)
            .push(StatusChange {
                change_date: Some(at(600)),
                status: Some("inProgress".into()),
                ..StatusChange::default()
            });
        assert_eq!(due(&settings, &back, at(619)), None);
        assert_eq!(due(&settings, &back, at(620)).map(|d| d.level), Some(1));
    }

    #[test]
    fn a_ticket_at_risk_of_missing_its_sla_is_escalated_once_to_level_one() {
        let mut settings = TicketSettings::default();
        let mut t = ticket("Minor", &[(0, "acknowledged")]);
        assert_eq!(due(&settings, &t, at(5)), None);
        t.extensions.0.insert(SLA_STANDING.into(), "onTrack".into());
        assert_eq!(due(&settings, &t, at(5)), None);
        t.extensions.0.insert(SLA_STANDING.into(), "atRisk".into());
        let at_risk = due(&settings, &t, at(5)).expect("due for its SLA");
        assert_eq!((at_risk.level, at_risk.sla_standing), (1, Some("atRisk")));
        escalate(&settings, &mut t, at_risk, at(5));
        assert_eq!(t.priority.as_deref(), Some("High"));
        let note = t
            .note
            .as_ref()
            .and_then(|n| n.last())
            .and_then(|n| n.text.clone());
        assert!(note.is_some_and(|text| text.contains("SLA standing is atRisk")));
        // Level 1 is not repeated when it breaches; the time thresholds go on from there.
        t.extensions
            .0
            .insert(SLA_STANDING.into(), "breached".into());
        assert_eq!(due(&settings, &t, at(6)), None);
        assert_eq!(due(&settings, &t, at(4320)).map(|d| d.level), Some(2));
        // An operator may leave SLAs out of escalation.
        settings.escalate_sla_at_risk = false;
        let mut quiet = ticket("Minor", &[(0, "acknowledged")]);
        quiet
            .extensions
            .0
            .insert(SLA_STANDING.into(), "breached".into());
        assert_eq!(due(&settings, &quiet, at(5)), None);
    }

    #[test]
    fn crossing_several_thresholds_at_once_raises_as_many_steps() {
        let settings = TicketSettings::default();
        let mut t = ticket("Critical", &[(0, "acknowledged")]);
        let due_now = due(&settings, &t, at(500)).expect("due");
        assert_eq!(due_now.level, 2);
        escalate(&settings, &mut t, due_now, at(500));
        assert_eq!(t.priority.as_deref(), Some("Critical"), "Medium + 2 steps");
    }

    #[test]
    fn resolved_and_closed_tickets_never_escalate() {
        let settings = TicketSettings::default();
        for end in ["resolved", "closed", "cancelled", "rejected"] {
            let t = ticket("Critical", &[(0, "acknowledged"), (1, end)]);
            assert_eq!(due(&settings, &t, at(10_000)), None, "{end}");
        }
    }
}
