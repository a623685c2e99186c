//! Compliance of an SLA, for a CSR: `GET /tmf-api/slaManagement/v4/sla/{id}/report?period=…`
//! (a documented extension; `period` is `month`, the default, `quarter` or `year`, calendar
//! periods in UTC), and the one-line standing of each of the customer's SLAs in the 360 view's
//! `slas` section.
//!
//! What is judged is what the SLA's rules judged: each measurement's result per rule, counted in
//! the period its measured period starts in, and each ticket or order target met or breached
//! ([`crate::standing`]), counted in the period it was judged in. A period (and the whole) is `met` when every
//! judgement in it met its rule, `breached` when one did not; `compliance` is the share of
//! judgements met, in percent with two decimals.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use axum::extract::{Path, RawQuery, Request, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Datelike, TimeZone, Utc};
use crm_module::{Assembled, ExtensionRoutes, ModuleError, ViewContributor, ViewSubject};
use crm_store::{DocumentService, Store};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Value, json};
use sid_model::{Sla, SlaMeasurement};
use tmf_apis::body::from_value;
use tmf_apis::openapi::ExtensionOperation;
use tmf_apis::{AccessPolicy, Operation, RequestContext, ResourceService, TmfError, TmfResult};
use utoipa::openapi::HttpMethod;

use crate::measurements::MeasurementKind;
use crate::slas::{CONSUMER, SLA};

/// The calendar periods a report counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Calendar months.
    Month,
    /// Calendar quarters.
    Quarter,
    /// Calendar years.
    Year,
}

impl Period {
    /// Reads `month`, `quarter` or `year`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "month" => Some(Self::Month),
            "quarter" => Some(Self::Quarter),
            "year" => Some(Self::Year),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::Year => "year",
        }
    }

    /// The period `at` falls in: its start and end.
    pub fn around(self, at: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let (year, month) = (at.year(), at.month());
        let first = match self {
            Self::Month => month,
            Self::Quarter => (month - 1) / 3 * 3 + 1,
            Self::Year => 1,
        };
        let months = match self {
            Self::Month => 1,
            Self::Quarter => 3,
            Self::Year => 12,
        };
        let start_of = |year: i32, month: u32| {
            let (year, month) = (year + ((month - 1) / 12) as i32, (month - 1) % 12 + 1);
            Utc.with_ymd_and_hms(year, month, 1, 0, 0, 0)
                .single()
                .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
        };
        (start_of(year, first), start_of(year, first + months))
    }
}

/// Judgements counted: how many, how many met.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Judgements.
    pub judged: u64,
    /// Of which met.
    pub met: u64,
}

impl Tally {
    fn add(&mut self, met: bool) {
        self.judged += 1;
        self.met += u64::from(met);
    }

    /// The share met, in percent with two decimals; `None` when nothing was judged.
    pub fn compliance(self) -> Option<Decimal> {
        (self.judged > 0).then(|| {
            let mut share = (Decimal::from(self.met) * Decimal::ONE_HUNDRED
                / Decimal::from(self.judged))
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            share.rescale(2);
            share
        })
    }

    fn standing(self) -> &'static str {
        match (self.judged, self.met == self.judged) {
            (0, _) => "noData",
            (_, true) => "met",
            (_, false) => "breached",
        }
    }

    fn json(self) -> Value {
        json!({
            "judged": self.judged,
            "met": self.met,
            "breached": self.judged - self.met,
            "compliance": self.compliance().map(|c| Value::String(c.to_string())),
            "standing": self.standing(),
        })
    }
}

/// Judgements per rule id.
pub type ByRule = BTreeMap<String, Tally>;

/// One period of a report: its bounds and its judgements per rule.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodTally {
    /// Its start.
    pub from: DateTime<Utc>,
    /// Its end.
    pub to: DateTime<Utc>,
    /// Its judgements per rule.
    pub rules: ByRule,
}

/// One judgement of a rule: when, and whether the rule was met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// The rule's id.
    pub rule: String,
    /// When it counts.
    pub at: DateTime<Utc>,
    /// Whether the rule was met.
    pub met: bool,
}

/// The judgements of `measurements`: each result, at the start of its measured period.
pub fn judgements(measurements: &[SlaMeasurement]) -> Vec<Judgement> {
    measurements
        .iter()
        .filter_map(|measurement| Some((measurement.period.start_date_time?, measurement)))
        .flat_map(|(at, measurement)| {
            measurement
                .result
                .iter()
                .flatten()
                .map(move |result| Judgement {
                    rule: result.rule.id.clone(),
                    at,
                    met: result.met,
                })
        })
        .collect()
}

/// The compliance of `judgements` (of one SLA) per `period` and per rule: each period in
/// order, then the whole.
pub fn compile(judgements: &[Judgement], period: Period) -> (Vec<PeriodTally>, ByRule) {
    let mut periods: BTreeMap<DateTime<Utc>, PeriodTally> = BTreeMap::new();
    let mut whole = ByRule::new();
    for judgement in judgements {
        let (from, to) = period.around(judgement.at);
        periods
            .entry(from)
            .or_insert_with(|| PeriodTally {
                from,
                to,
                rules: ByRule::new(),
            })
            .rules
            .entry(judgement.rule.clone())
            .or_default()
            .add(judgement.met);
        whole
            .entry(judgement.rule.clone())
            .or_default()
            .add(judgement.met);
    }
    (periods.into_values().collect(), whole)
}

fn sum(rules: &ByRule) -> Tally {
    rules.values().fold(Tally::default(), |total, tally| Tally {
        judged: total.judged + tally.judged,
        met: total.met + tally.met,
    })
}

/// The one line a CSR reads of an SLA's standing.
pub fn one_line(whole: &ByRule) -> String {
    let total = sum(whole);
    match total.compliance() {
        None => "nothing judged yet".into(),
        Some(share) => format!(
            "{} of {} judgements met ({share} %), {} breached",
            total.met,
            total.judged,
            total.judged - total.met
        ),
    }
}

/// The judgements of SLA `id`: its measurements' and its targets' on tickets and orders.
async fn judged(
    measurements: &DocumentService<MeasurementKind>,
    store: &Store,
    id: &str,
) -> TmfResult<Vec<Judgement>> {
    let read: Vec<SlaMeasurement> = measurements
        .find_in(store.connection(), "sla.id", id)
        .await?
        .into_iter()
        .filter_map(|document| from_value(document).ok())
        .collect();
    let mut judged = judgements(&read);
    judged.extend(
        crate::standing::judged(store.connection(), id)
            .await?
            .into_iter()
            .map(|(rule, at, met)| Judgement { rule, at, met }),
    );
    Ok(judged)
}

#[derive(Clone)]
struct ReportState {
    slas: Arc<dyn ResourceService>,
    measurements: Arc<DocumentService<MeasurementKind>>,
    store: Store,
    policy: Arc<dyn AccessPolicy>,
}

/// The report route and its OpenAPI entry.
pub(crate) fn routes(
    app: &Assembled,
    measurements: Arc<DocumentService<MeasurementKind>>,
) -> Result<ExtensionRoutes, ModuleError> {
    let slas = app.service(SLA.kind)?;
    let descriptor = slas.descriptor();
    let path = format!("{}/report", descriptor.item_path());
    let operations = vec![ExtensionOperation {
        method: HttpMethod::Get,
        path: format!("{}{}/{{id}}/report", descriptor.base_path, descriptor.name),
        operation_id: "reportSlaCompliance",
        summary: "The SLA's compliance (extension): per calendar period (query parameter period: month, the default, quarter or year) and per rule, the judgements of its measurements and of its ticket and order targets met and breached and the share met, then the whole, with a one-line standing",
        tag: descriptor.base_path,
        has_id: true,
        paged: false,
        permission: (descriptor.domain, Operation::Read),
    }];
    let router = Router::new()
        .route(&path, get(report))
        .with_state(ReportState {
            slas: slas.clone(),
            measurements,
            store: app.store.clone(),
            policy: app.config.policy.clone(),
        });
    Ok(ExtensionRoutes { router, operations })
}

async fn report(
    State(state): State<ReportState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    request: Request,
) -> TmfResult<Json<Value>> {
    let ctx = RequestContext::authorize(
        &request,
        state.policy.as_ref(),
        state.slas.descriptor(),
        Operation::Read,
    )?;
    let mut period = Period::Month;
    for (name, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match name.as_ref() {
            "period" => {
                period = Period::parse(&value).ok_or_else(|| {
                    TmfError::invalid_query(format!(
                        "'period' is '{value}': one of month, quarter, year"
                    ))
                })?;
            }
            other => {
                return Err(TmfError::invalid_query(format!(
                    "the report takes 'period' only, not '{other}'"
                )));
            }
        }
    }
    let sla: Sla = from_value(state.slas.retrieve(&ctx, &id).await?)?;
    let judged = judged(&state.measurements, &state.store, &id).await?;
    let (periods, whole) = compile(&judged, period);
    let rule = |id: &str| {
        let metric = sla.rule(id).map(|rule| rule.metric.clone());
        json!({"id": id, "metric": metric})
    };
    let rules_json = |rules: &ByRule| -> Vec<Value> {
        rules
            .iter()
            .map(|(id, tally)| {
                let mut entry = tally.json();
                entry["rule"] = rule(id);
                entry
            })
            .collect()
    };
    let periods: Vec<Value> = periods
        .iter()
        .map(|period| {
            let mut entry = sum(&period.rules).json();
            entry["validFor"] = json!({"startDateTime": period.from, "endDateTime": period.to});
            entry["rule"] = Value::Array(rules_json(&period.rules));
            entry
        })
        .collect();
    let mut total = sum(&whole).json();
    total["rule"] = Value::Array(rules_json(&whole));
    Ok(Json(json!({
        "@type": "SlaComplianceReport",
        "sla": {"id": id, "name": sla.name, "@referredType": "Sla"},
        "state": sla.state,
        "relatedParty": sla.parties(CONSUMER).collect::<Vec<_>>(),
        "period": period.name(),
        "periods": periods,
        "total": total,
        "summary": one_line(&whole),
    })))
}

/// The 360 view's `slas`: the customer's SLAs (those naming them, their party or their
/// customer record as a party), each with its state, period, rules and one-line standing.
pub(crate) struct SlasSection {
    pub(crate) store: Store,
    pub(crate) measurements: Arc<DocumentService<MeasurementKind>>,
}

impl std::fmt::Debug for SlasSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlasSection").finish_non_exhaustive()
    }
}

#[async_trait]
impl ViewContributor for SlasSection {
    fn section(&self) -> &'static str {
        "slas"
    }

    async fn contribute(&self, _ctx: &RequestContext, subject: &ViewSubject) -> TmfResult<Value> {
        let ids = crm_store::relations::referrers(
            self.store.connection(),
            &subject.ids(),
            SLA.table,
            None,
        )
        .await?;
        let documents =
            crm_store::relations::documents(&self.store, SLA.table, &ids, &[SLA.kind]).await?;
        let mut out = Vec::with_capacity(documents.len());
        for document in documents {
            let Ok(sla) = from_value::<Sla>(document) else {
                continue;
            };
            let Some(id) = sla.id.clone() else {
                continue;
            };
            let judged = judged(&self.measurements, &self.store, &id).await?;
            let (_, whole) = compile(&judged, Period::Month);
            out.push(json!({
                "id": id,
                "name": sla.name,
                "state": sla.state,
                "validFor": sla.valid_for,
                "rule": sla.rule,
                "standing": sum(&whole).standing(),
                "summary": one_line(&whole),
                "@type": "Sla",
            }));
        }
        Ok(Value::Array(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("a time")
    }

    fn measured(start: &str, results: &[(&str, bool)]) -> SlaMeasurement {
        from_value(json!({
            "sla": {"id": "s"},
            "metric": "availability",
            "value": "99",
            "period": {"startDateTime": start, "endDateTime": "2030-01-01T00:00:00Z"},
            "result": results.iter().map(|(rule, met)| json!({"rule": {"id": rule}, "met": met})).collect::<Vec<_>>(),
        }))
        .expect("a measurement")
    }

    #[test]
    fn periods_are_calendar_periods_in_utc() {
        let t = at("2026-11-17T10:00:00Z");
        assert_eq!(
            Period::Month.around(t),
            (at("2026-11-01T00:00:00Z"), at("2026-12-01T00:00:00Z"))
        );
        assert_eq!(
            Period::Quarter.around(t),
            (at("2026-10-01T00:00:00Z"), at("2027-01-01T00:00:00Z"))
        );
        assert_eq!(
            Period::Year.around(t),
            (at("2026-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z"))
        );
        assert_eq!(
            Period::Month.around(at("2026-12-31T23:59:59Z")),
            (at("2026-12-01T00:00:00Z"), at("2027-01-01T00:00:00Z"))
        );
    }

    #[test]
    fn compliance_counts_each_rule_s_judgements_per_period_and_in_all() {
        let measurements = [
            measured("2026-10-01T00:00:00Z", &[("a", true), ("b", false)]),
            measured("2026-10-15T00:00:00Z", &[("a", true)]),
            measured("2026-11-01T00:00:00Z", &[("a", false)]),
        ];
        let (periods, whole) = compile(&judgements(&measurements), Period::Month);
        assert_eq!(periods.len(), 2);
        assert_eq!(periods[0].from, at("2026-10-01T00:00:00Z"));
        assert_eq!(periods[0].rules["a"], Tally { judged: 2, met: 2 });
        assert_eq!(periods[0].rules["b"], Tally { judged: 1, met: 0 });
        assert_eq!(sum(&periods[0].rules).standing(), "breached");
        assert_eq!(whole["a"], Tally { judged: 3, met: 2 });
        assert_eq!(sum(&whole).compliance(), Some("50.00".parse().expect("d")));
        assert_eq!(
            Tally { judged: 3, met: 2 }.compliance(),
            Some("66.67".parse().expect("d"))
        );
        assert_eq!(
            one_line(&whole),
            "2 of 4 judgements met (50.00 %), 2 breached"
        );
        assert_eq!(one_line(&BTreeMap::new()), "nothing judged yet");
        let (quarters, _) = compile(&judgements(&measurements), Period::Quarter);
        assert_eq!(quarters.len(), 1);
    }
}
