//! The live standing of every covered ticket and order: for each rule of each SLA covering
//! it, where it stands (`onTrack`, `atRisk` from a configured share of the target, `breached`,
//! or, once measured, `met`), when it turns `atRisk` and when it is due. It is computed in
//! every write of the resource (the type rules of [`crate::targets`]) and by the evaluator job
//! ([`crate::evaluator`]) when a threshold is crossed, and shown on the resource:
//!
//! ```json
//! "slaStanding": "atRisk",
//! "slaTarget": [{"sla": {"id": "…", "name": "Gold", "@referredType": "Sla"},
//!                "rule": "resolution", "metric": "ticketResolutionTime",
//!                "standing": "atRisk", "atRiskDate": "…", "dueDate": "…"}]
//! ```
//!
//! `slaStanding` is the worst of the targets' (`breached`, `atRisk`, `onTrack`, then `met`);
//! a target whose clock is stopped (a ticket `pending`) shows `clockStopped: true` and no
//! dates. Both attributes are the server's: whatever a client sends is replaced.
//!
//! Each target is a row of `deadline` (owner `sla`, key `{sla}/{rule}/{resource}`): its stage
//! and the instant it must be looked at again (`atRiskDate` while on track, `dueDate` while at
//! risk, none once breached, met or stopped), so the evaluator finds what crossed a threshold
//! in one range of an index. The row is written while the resource is locked, in the change
//! that writes the resource, and a breach records its violation in that same change: one
//! violation per rule and resource, whoever sees the breach first.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use crm_store::DatabaseTransaction;
use crm_store::deadlines::{self, Deadline};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Value as Json, json};
use sid_model::{RelatedEntity, Sla, SlaRule};
use tmf_apis::body::from_value;
use tmf_apis::{RequestContext, TmfResult};

use crate::breach;
use crate::calendar::BusinessHours;
use crate::slas::BUSINESS_HOURS;
use crate::targets::{Targets, minutes_per};

/// The owner of the SLA targets' rows in `deadline`.
pub const OWNER: &str = "sla";
/// The resource's standing: the worst of its targets'.
pub const STANDING: &str = "slaStanding";
/// The resource's targets, one per rule of an SLA covering it.
pub const TARGETS: &str = "slaTarget";

/// The stage of a row that asks for a resource to be assessed (an SLA became active and may
/// cover it): replaced by its targets' rows when the evaluator assesses it.
pub(crate) const QUEUED: &str = "queued";

/// Where a target stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Measured, and within the target.
    Met,
    /// Running, below the at-risk share of the target.
    OnTrack,
    /// Running, past the at-risk share.
    AtRisk,
    /// Past the target: the violation is recorded.
    Breached,
}

impl Stage {
    /// Its name on the wire and in `deadline.stage`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Met => "met",
            Stage::OnTrack => "onTrack",
            Stage::AtRisk => "atRisk",
            Stage::Breached => "breached",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Stage::Met, Stage::OnTrack, Stage::AtRisk, Stage::Breached]
            .into_iter()
            .find(|stage| stage.as_str() == text)
    }

    /// Whether nothing moves it any more.
    fn is_final(self) -> bool {
        matches!(self, Stage::Met | Stage::Breached)
    }
}

/// Where a metric of a resource is.
#[derive(Debug, Clone)]
pub(crate) enum Progress {
    /// Counting: the periods counted so far, the last ending now when `running`.
    Counting {
        periods: Vec<(DateTime<Utc>, DateTime<Utc>)>,
        running: bool,
    },
    /// What it measures happened, in this change (`now`) or before, after these periods.
    Happened {
        periods: Vec<(DateTime<Utc>, DateTime<Utc>)>,
        now: bool,
    },
    /// It will never happen (a ticket cancelled, an order failed), after these periods: a
    /// target already missed is recorded, any other is no longer watched.
    Abandoned {
        periods: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    },
}

/// One metric of a resource.
#[derive(Debug, Clone)]
pub(crate) struct Measure {
    pub(crate) metric: &'static str,
    pub(crate) clock: Progress,
    /// How the measured time is described in a violation's comment.
    pub(crate) what: &'static str,
}

/// A resource under watch, as the standing needs it.
#[derive(Debug, Clone)]
pub(crate) struct Watched {
    pub(crate) id: String,
    pub(crate) type_name: &'static str,
    /// The ids of the parties it is the customer's by.
    pub(crate) parties: Vec<String>,
    pub(crate) measures: Vec<Measure>,
    /// The ticket's severity and priority, which rules may select by.
    pub(crate) severity: Option<String>,
    pub(crate) priority: Option<String>,
}

impl Watched {
    /// Whether `rule` covers the resource (its `severity` and `priority` filters).
    fn covered_by(&self, rule: &SlaRule) -> bool {
        let matches = |name: &str, value: Option<&str>| match rule.extensions.get(name) {
            None => true,
            Some(Json::String(wanted)) => value.is_some_and(|v| v.eq_ignore_ascii_case(wanted)),
            Some(_) => false,
        };
        matches("severity", self.severity.as_deref())
            && matches("priority", self.priority.as_deref())
    }
}

/// The row key of `rule` of `sla` on `resource`.
fn key(sla: &str, rule: &str, resource: &str) -> String {
    format!("{sla}/{rule}/{resource}")
}

/// A duration target of a rule: how long, in minutes, before it is missed.
struct Limit {
    /// Minutes per unit of the rule.
    per: Decimal,
    /// The target with its tolerance, in minutes.
    minutes: Decimal,
}

impl Limit {
    fn of(rule: &SlaRule) -> Option<Self> {
        let per = minutes_per(rule.unit.as_deref())?;
        let reference = rule.reference_value.trim().parse::<Decimal>().ok()?;
        let tolerance = tolerance(rule);
        Some(Self {
            per,
            minutes: reference.checked_add(tolerance)?.checked_mul(per)?,
        })
    }
}

fn tolerance(rule: &SlaRule) -> Decimal {
    rule.tolerance
        .as_deref()
        .and_then(|t| t.trim().parse::<Decimal>().ok())
        .unwrap_or_default()
        .abs()
}

/// A number of minutes as a duration (to the second); a number beyond what a duration holds
/// is the longest one.
fn duration(minutes: Decimal) -> Duration {
    let longest = i64::MAX / 4_000;
    let seconds = minutes
        .checked_mul(Decimal::from(60))
        .and_then(|seconds| seconds.round().to_i64())
        .unwrap_or(if minutes.is_sign_negative() {
            -longest
        } else {
            longest
        });
    Duration::seconds(seconds.clamp(-longest, longest))
}

/// The working time of `sla` (its business hours, else every minute).
struct WorkingTime(Option<BusinessHours>);

impl WorkingTime {
    fn of(sla: &Sla) -> Self {
        Self(
            sla.extensions
                .get(BUSINESS_HOURS)
                .and_then(|value| BusinessHours::read(value).ok()),
        )
    }

    /// Minutes worked in `periods`.
    fn minutes(&self, periods: &[(DateTime<Utc>, DateTime<Utc>)]) -> Decimal {
        let total = periods.iter().fold(Duration::zero(), |total, (from, to)| {
            total
                + match &self.0 {
                    Some(hours) => hours.working_time(*from, *to),
                    None => *to - *from,
                }
        });
        Decimal::from(total.num_seconds()) / Decimal::from(60)
    }

    /// The instant `minutes` of working time after `from` (`from` when none are left).
    fn after(&self, from: DateTime<Utc>, minutes: Decimal) -> Option<DateTime<Utc>> {
        if minutes <= Decimal::ZERO {
            return Some(from);
        }
        let amount = duration(minutes);
        match &self.0 {
            Some(hours) => hours.after_working(from, amount),
            None => from.checked_add_signed(amount),
        }
    }
}

/// A target as assessed: its row, and what to show on the resource.
struct Assessed {
    row: Deadline,
    shown: Json,
}

/// What was stored of a target: its stage and the detail shown.
fn stored_stage(row: &Deadline) -> Option<Stage> {
    Stage::parse(&row.stage)
}

impl Targets {
    /// Assesses every target of the SLAs covering `watched` at `now`, writing their rows,
    /// recording the violation of each target breached for the first time (with its
    /// compensation), and returns the attributes to show on the resource: `slaStanding` and
    /// `slaTarget`, or `None` for both when nothing covers it.
    pub(crate) async fn assess(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        watched: &Watched,
    ) -> TmfResult<Option<(Stage, Json)>> {
        let now = self.clock.now();
        let stored: BTreeMap<String, Deadline> = deadlines::of_target(txn, OWNER, &watched.id)
            .await?
            .into_iter()
            .map(|row| (row.key.clone(), row))
            .collect();
        let ids = self.customer_ids(txn, watched.parties.clone()).await?;
        let mut assessed: BTreeMap<String, Assessed> = BTreeMap::new();
        if !ids.is_empty() {
            for (sla_id, sla) in self.covering(txn, &ids, now).await? {
                let working = WorkingTime::of(&sla);
                // The rules that covered the resource when the SLA first watched it keep it: a
                // ticket escalated to a higher priority does not move to another rule.
                let prefix = format!("{sla_id}/");
                let watched_before = stored
                    .iter()
                    .any(|(key, row)| key.starts_with(&prefix) && row.stage != QUEUED);
                for rule in sla.rule.iter().flatten() {
                    let Some(measure) = watched.measures.iter().find(|m| m.metric == rule.metric)
                    else {
                        continue;
                    };
                    let key = key(&sla_id, &rule.id, &watched.id);
                    let prior = stored.get(&key);
                    let covers = match watched_before {
                        true => prior.is_some(),
                        false => watched.covered_by(rule),
                    };
                    if !covers {
                        continue;
                    }
                    if let Some(done) =
                        prior.filter(|row| stored_stage(row).is_some_and(Stage::is_final))
                    {
                        assessed.insert(
                            key,
                            Assessed {
                                row: done.clone(),
                                shown: done.detail.clone(),
                            },
                        );
                        continue;
                    }
                    let target = Target {
                        sla: (&sla_id, &sla),
                        rule,
                        working: &working,
                        key,
                        now,
                    };
                    if let Some(done) = self
                        .assess_one(txn, ctx, watched, measure, target, prior)
                        .await?
                    {
                        assessed.insert(done.row.key.clone(), done);
                    }
                }
            }
        }
        // What no SLA covers any more (expired, terminated, a rule gone) is no longer
        // watched; a target measured or breached stays as it was.
        for (key, row) in &stored {
            if assessed.contains_key(key) {
                continue;
            }
            if stored_stage(row).is_some_and(Stage::is_final) {
                assessed.insert(
                    key.clone(),
                    Assessed {
                        row: row.clone(),
                        shown: row.detail.clone(),
                    },
                );
            } else {
                deadlines::remove(txn, OWNER, key).await?;
            }
        }
        for done in assessed.values() {
            if stored.get(&done.row.key) != Some(&done.row) {
                deadlines::put(txn, OWNER, &done.row).await?;
            }
        }
        let worst = assessed
            .values()
            .filter_map(|done| stored_stage(&done.row))
            .max_by_key(|stage| match stage {
                Stage::Met => 0,
                Stage::OnTrack => 1,
                Stage::AtRisk => 2,
                Stage::Breached => 3,
            });
        Ok(worst.map(|worst| {
            let shown: Vec<Json> = assessed.into_values().map(|done| done.shown).collect();
            (worst, Json::Array(shown))
        }))
    }

    /// Assesses one target: `None` when it is not watched (what it measures will never
    /// happen, or happened before the SLA covered it).
    async fn assess_one(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        watched: &Watched,
        measure: &Measure,
        target: Target<'_>,
        prior: Option<&Deadline>,
    ) -> TmfResult<Option<Assessed>> {
        let Some(limit) = Limit::of(target.rule) else {
            return Ok(None);
        };
        let (periods, running, happened) = match &measure.clock {
            Progress::Abandoned { .. } if prior.is_none() => return Ok(None),
            Progress::Abandoned { periods } => (periods, false, false),
            // Measured before anything watched it: an SLA that came later does not judge it,
            // unless a target was running (a legacy row, or a change missed).
            Progress::Happened { now: false, .. } if prior.is_none() => return Ok(None),
            Progress::Happened { periods, .. } => (periods, false, true),
            Progress::Counting { periods, running } => (periods, *running, false),
        };
        let elapsed = target.working.minutes(periods);
        let reference = target
            .rule
            .reference_value
            .trim()
            .parse::<Decimal>()
            .unwrap_or_default();
        // Judged on the exact time; the value the violation shows is rounded.
        let met = target
            .rule
            .operator
            .met(elapsed / limit.per, reference, tolerance(target.rule));
        let mut actual = (elapsed / limit.per).round_dp(2);
        actual.rescale(2);
        let at_risk_minutes = limit.minutes * self.at_risk_share;
        let abandoned = matches!(measure.clock, Progress::Abandoned { .. });
        let stage = match (happened, met) {
            (_, false) => Stage::Breached,
            (true, true) => Stage::Met,
            // Over without a miss: no longer watched.
            (false, true) if abandoned => return Ok(None),
            (false, true) if elapsed >= at_risk_minutes => Stage::AtRisk,
            (false, true) => Stage::OnTrack,
        };
        let now = target.now;
        let (at_risk, due) = match running {
            true => (
                target.working.after(now, at_risk_minutes - elapsed),
                target.working.after(now, limit.minutes - elapsed),
            ),
            false => (None, None),
        };
        let next_at = match stage {
            Stage::OnTrack => at_risk,
            // Missed once past the due time (`.le`; `.lt` at it): a second after it.
            Stage::AtRisk => due.map(|due| due.max(now) + Duration::seconds(1)),
            Stage::Met | Stage::Breached => None,
        }
        .map(deadlines::to_millis_ceil);
        let (sla_id, sla) = target.sla;
        let mut shown = json!({
            "sla": {"id": sla_id, "name": sla.name, "@referredType": "Sla"},
            "rule": target.rule.id,
            "metric": target.rule.metric,
            "standing": stage.as_str(),
        });
        if !happened {
            match running {
                true => {
                    if let Some(at) = at_risk {
                        shown["atRiskDate"] = json!(at);
                    }
                    if let Some(at) = due {
                        shown["dueDate"] = json!(at);
                    }
                }
                false => shown["clockStopped"] = json!(true),
            }
        }
        if stage.is_final() {
            shown["judgedDate"] = json!(now);
        }
        if stage == Stage::Breached {
            let unit = target.rule.unit.clone().unwrap_or_else(|| "h".into());
            let subject: RelatedEntity = from_value(json!({
                "id": watched.id, "role": "subject", "@referredType": watched.type_name
            }))?;
            // A violation recorded before the rows existed is not recorded again.
            let violation = match prior.is_none()
                && self
                    .recorded(txn, sla_id, &target.rule.id, &watched.id)
                    .await?
            {
                true => None,
                false => {
                    let comment = format!(
                        "{} of {} {}: {actual} {unit} {}{}; the rule asks {} {} {unit}",
                        target.rule.metric,
                        watched.type_name,
                        watched.id,
                        measure.what,
                        if happened { "" } else { " so far" },
                        target.rule.operator,
                        target.rule.reference_value
                    );
                    let missed = breach::Missed {
                        sla: (sla_id, sla),
                        rule: target.rule,
                        date: now,
                        actual: actual.to_string(),
                        unit: Some(unit),
                        comment,
                        subject: subject.clone(),
                        measured: std::slice::from_ref(&subject),
                    };
                    let label = format!("{} {}", watched.type_name, watched.id);
                    let compensations = self.compensations()?;
                    Some(
                        breach::record(
                            &self.violations,
                            compensations,
                            txn,
                            (ctx, &crate::targets::recording(ctx, &label)),
                            missed,
                        )
                        .await?,
                    )
                }
            };
            if let Some(violation) = violation {
                shown["slaViolation"] = json!({"id": violation, "@referredType": "SlaViolation"});
            }
        }
        let row = Deadline {
            key: target.key,
            target_id: watched.id.clone(),
            stage: stage.as_str().to_owned(),
            next_at,
            detail: shown.clone(),
        };
        Ok(Some(Assessed { row, shown }))
    }
}

impl Targets {
    /// Asks the evaluator to assess every open ticket and order of the consumer of `sla`
    /// (`sla_id`), which has just become active: one queued row each, due now. Returns how
    /// many.
    pub(crate) async fn queue_covered(
        &self,
        txn: &DatabaseTransaction,
        sla_id: &str,
        sla: &Sla,
    ) -> TmfResult<usize> {
        let Some(consumer) = sla.parties(crate::slas::CONSUMER).next() else {
            return Ok(0);
        };
        let ids = self.customer_ids(txn, vec![consumer.id.clone()]).await?;
        let now = deadlines::to_millis_ceil(self.clock.now());
        let mut queued = 0;
        for (type_name, stored) in &self.watched {
            let referring = crm_store::relations::referrers(txn, &ids, stored.table, None).await?;
            for chunk in referring.chunks(500) {
                let documents =
                    crm_store::relations::documents_on(txn, stored.table, chunk, &[stored.kind])
                        .await?;
                for document in documents {
                    let Some(id) = document.get("id").and_then(Json::as_str) else {
                        continue;
                    };
                    if !is_open(type_name, &document) {
                        continue;
                    }
                    let row = Deadline {
                        key: format!("{sla_id}/{id}"),
                        target_id: id.to_owned(),
                        stage: QUEUED.to_owned(),
                        next_at: Some(now),
                        detail: json!({"@referredType": type_name}),
                    };
                    deadlines::put(txn, OWNER, &row).await?;
                    queued += 1;
                }
            }
        }
        Ok(queued)
    }
}

/// Whether a stored ticket or order is still open.
fn is_open(type_name: &str, document: &Json) -> bool {
    match type_name {
        "ProductOrder" => document
            .get("state")
            .and_then(|state| from_value::<sid_model::ProductOrderStateType>(state.clone()).ok())
            .is_some_and(|state| !sid_model::Lifecycle::is_final(state)),
        _ => document
            .get("status")
            .and_then(Json::as_str)
            .and_then(<sid_model::TroubleTicketStatusType as sid_model::Lifecycle>::parse)
            .is_some_and(|status| status.is_open()),
    }
}

/// A rule of an SLA, assessed on a resource at `now`.
struct Target<'a> {
    sla: (&'a str, &'a Sla),
    rule: &'a SlaRule,
    working: &'a WorkingTime,
    key: String,
    now: DateTime<Utc>,
}

/// The judgements of the targets of SLA `sla` on tickets and orders: each rule met or
/// breached, and when.
pub(crate) async fn judged(
    connection: &impl crm_store::ConnectionTrait,
    sla: &str,
) -> TmfResult<Vec<(String, DateTime<Utc>, bool)>> {
    let rows = deadlines::with_prefix(
        connection,
        OWNER,
        &format!("{sla}/"),
        &[Stage::Met.as_str(), Stage::Breached.as_str()],
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let rule = row.detail.get("rule")?.as_str()?.to_owned();
            let at = row.detail.get("judgedDate")?.as_str()?.parse().ok()?;
            Some((rule, at, row.stage == Stage::Met.as_str()))
        })
        .collect())
}

/// Sets the standing attributes of `document` (or removes them when nothing covers it).
/// Returns whether they changed.
pub(crate) fn show(document: &mut Json, standing: Option<(Stage, Json)>) -> bool {
    let Some(map) = document.as_object_mut() else {
        return false;
    };
    let before = (map.get(STANDING).cloned(), map.get(TARGETS).cloned());
    match standing {
        Some((stage, targets)) => {
            map.insert(STANDING.into(), json!(stage.as_str()));
            map.insert(TARGETS.into(), targets);
        }
        None => {
            map.remove(STANDING);
            map.remove(TARGETS);
        }
    }
    before != (map.get(STANDING).cloned(), map.get(TARGETS).cloned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_of_any_size_are_durations() {
        assert_eq!(duration(Decimal::from(90)), Duration::minutes(90));
        assert_eq!(duration("0.5".parse().expect("d")), Duration::seconds(30));
        let longest = duration(Decimal::MAX);
        assert!(longest > Duration::days(365 * 1000));
        assert_eq!(duration(Decimal::MIN), -longest);
        let none = WorkingTime(None);
        let now = DateTime::<Utc>::UNIX_EPOCH;
        assert_eq!(none.after(now, Decimal::ZERO), Some(now));
        assert_eq!(none.after(now, Decimal::from(-5)), Some(now));
        assert_eq!(
            none.after(now, Decimal::from(60)),
            Some(now + Duration::hours(1))
        );
        // Beyond the calendar: never due.
        assert_eq!(none.after(now, Decimal::MAX), None);
    }

    #[test]
    fn stages_read_back_and_only_met_and_breached_are_final() {
        for stage in [Stage::Met, Stage::OnTrack, Stage::AtRisk, Stage::Breached] {
            assert_eq!(Stage::parse(stage.as_str()), Some(stage));
        }
        assert_eq!(Stage::parse("late"), None);
        assert!(Stage::Met.is_final() && Stage::Breached.is_final());
        assert!(!Stage::OnTrack.is_final() && !Stage::AtRisk.is_final());
    }
}
