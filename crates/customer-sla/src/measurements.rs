//! `slaMeasurement` (this CRM's documented extension; TMF623 has none): what an assurance or
//! monitoring system measured of an SLA's metric over a period (availability per month, for
//! example), posted with the `integration` role and judged by the SLA's rules with that metric.
//!
//! The rules (422 naming the attribute): the SLA exists and is `active`; the period has both
//! ends, the end after the start, and lies within the SLA's `validFor`; the value is a decimal
//! number; the SLA has a rule for the metric. Each such rule judges the value
//! ([`sid_model::SlaOperator::met`], the tolerance allowed on the missing side); a rule missed records one
//! `slaViolation` (with its `SLAViolationCreateEvent`) in the measurement's transaction, and the
//! measurement's `result` says, per rule, whether it was met and which violation it recorded.
//!
//! A violation proposes the compensation its rule's consequence names ([`crate::breach`]).
//!
//! A measurement is known by its SLA, metric and period (its natural key): the same
//! measurement sent again is the stored one (200, nothing written, so no second violation);
//! the same period with another value is a 409, and so is a period overlapping another
//! measurement of the metric. Measurements are never changed or deleted.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use crm_store::{
    Clock, DatabaseTransaction, DocumentService, DomainRules, NaturalKey, Reference, ResourceKind,
    StoredType,
};
use rust_decimal::Decimal;
use serde_json::json;
use sid_model::{
    Sla, SlaMeasurement, SlaMeasurementResult, SlaRule, SlaRuleRef, SlaStateType as State,
    SlaViolationRef,
};
use tmf_apis::body::from_value;
use tmf_apis::catalog::CatalogError;
use tmf_apis::{Domain, Methods, RequestContext, ResourceDescriptor, TmfError};

use crate::breach::{self, Compensations};
use crate::slas::{SLA_BASE, SlaKind};
use crate::violations::ViolationKind;

/// Where measurements are stored.
pub const SLA_MEASUREMENT: StoredType = StoredType {
    table: "sla_measurement",
    kind: "SlaMeasurement",
};

/// The attributes only the server writes.
const SERVER_OWNED: &[&str] = &["recordedDate", "result"];

/// The extension's specification, shipped with the crate.
fn spec() -> Arc<serde_json::Value> {
    static SPEC: std::sync::OnceLock<Arc<serde_json::Value>> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| {
        Arc::new(
            serde_json::from_str(include_str!(
                "../specs/SlaMeasurement-extension.swagger.json"
            ))
            .unwrap_or(serde_json::Value::Null),
        )
    })
    .clone()
}

/// Why a measurement is refused.
#[derive(Debug, thiserror::Error)]
pub enum MeasurementError {
    /// The SLA named does not exist.
    #[error("'sla': SLA '{id}' does not exist")]
    NoSla {
        /// Its id.
        id: String,
    },
    /// The SLA is not in force.
    #[error("'sla': SLA '{id}' is {state}; only an active SLA judges measurements")]
    NotActive {
        /// Its id.
        id: String,
        /// Its state.
        state: State,
    },
    /// A period without both ends, or ending before it starts.
    #[error("'period': {why}")]
    Period {
        /// What is wrong with it.
        why: String,
    },
    /// A period overlapping another measurement of the metric.
    #[error(
        "'period' overlaps the measurement '{other}' of '{metric}' ({from} to {to}): a period is measured once"
    )]
    Overlap {
        /// The stored measurement.
        other: String,
        /// The metric.
        metric: String,
        /// Its period's start.
        from: String,
        /// Its period's end.
        to: String,
    },
    /// A value that is not a number.
    #[error("'value' is '{value}', not a decimal number")]
    Value {
        /// The value sent.
        value: String,
    },
    /// No rule of the SLA measures the metric.
    #[error(
        "'metric': SLA '{sla}' has no rule for the metric '{metric}' (its rules measure: {known})"
    )]
    NoRule {
        /// The SLA.
        sla: String,
        /// The metric sent.
        metric: String,
        /// The metrics its rules measure.
        known: String,
    },
    /// The store's refusal, unchanged.
    #[error(transparent)]
    Store(#[from] TmfError),
}

impl From<MeasurementError> for TmfError {
    fn from(error: MeasurementError) -> Self {
        match error {
            MeasurementError::Store(error) => error,
            MeasurementError::Overlap { .. } => TmfError::conflict(error.to_string()),
            other => TmfError::invalid_value(other.to_string()),
        }
    }
}

/// The `slaMeasurement` resource as stored.
pub struct MeasurementKind {
    descriptor: ResourceDescriptor,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for MeasurementKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeasurementKind").finish_non_exhaustive()
    }
}

impl MeasurementKind {
    /// The kind: created and read, never changed or deleted.
    pub fn new(clock: Arc<dyn Clock>) -> Result<Self, CatalogError> {
        let mut descriptor = ResourceDescriptor::from_spec(
            spec(),
            SLA_BASE,
            "slaMeasurement",
            "SlaMeasurement",
            Domain::SlaMeasurement,
        )?;
        descriptor.methods = Methods::TASK;
        Ok(Self { descriptor, clock })
    }
}

impl ResourceKind for MeasurementKind {
    type Model = SlaMeasurement;

    fn descriptor(&self) -> &ResourceDescriptor {
        &self.descriptor
    }

    fn stored_type(&self) -> StoredType {
        SLA_MEASUREMENT
    }

    /// The SLA and the violations recorded are checked; what was measured is kept as the
    /// measuring system names it (its products and services need not be stored here).
    fn references(&self, measurement: &SlaMeasurement) -> Vec<Reference> {
        let mut out = vec![Reference {
            path: "sla".into(),
            id: measurement.sla.id.clone(),
            referred_type: measurement.sla.referred_type.clone(),
            allowed: &["Sla"],
        }];
        for (i, result) in measurement.result.iter().flatten().enumerate() {
            if let Some(violation) = &result.violation {
                out.push(Reference {
                    path: format!("result[{i}].violation"),
                    id: violation.id.clone(),
                    referred_type: violation.referred_type.clone(),
                    allowed: &["SlaViolation"],
                });
            }
        }
        out
    }

    fn prepare(
        &self,
        _ctx: &RequestContext,
        previous: Option<&SlaMeasurement>,
        measurement: &mut SlaMeasurement,
    ) -> tmf_apis::TmfResult<()> {
        if previous.is_none() {
            measurement.recorded_date = Some(self.clock.now());
        }
        Ok(())
    }
}

/// The rules of measurements.
pub struct MeasurementRules {
    pub(crate) slas: Arc<DocumentService<SlaKind>>,
    pub(crate) violations: Arc<DocumentService<ViolationKind>>,
    /// The measurements, read to find one overlapping a new one.
    pub(crate) measurements: Arc<DocumentService<MeasurementKind>>,
    /// What breaches cost, as other domains offer it.
    pub(crate) compensations: Compensations,
}

impl std::fmt::Debug for MeasurementRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeasurementRules").finish_non_exhaustive()
    }
}

fn decimal(text: &str) -> Option<Decimal> {
    text.trim().parse().ok()
}

/// The period's two ends, checked against the SLA's `validFor`.
fn period_of(
    measurement: &SlaMeasurement,
    sla: &Sla,
) -> Result<(DateTime<Utc>, DateTime<Utc>), MeasurementError> {
    let (Some(start), Some(end)) = (
        measurement.period.start_date_time,
        measurement.period.end_date_time,
    ) else {
        return Err(MeasurementError::Period {
            why: "a measurement covers a period: both startDateTime and endDateTime".into(),
        });
    };
    if end <= start {
        return Err(MeasurementError::Period {
            why: "endDateTime is not after startDateTime".into(),
        });
    }
    let valid = sla.valid_for.as_ref();
    let before = valid
        .and_then(|v| v.start_date_time)
        .is_some_and(|from| start < from);
    let after = valid
        .and_then(|v| v.end_date_time)
        .is_some_and(|to| end > to);
    if before || after {
        return Err(MeasurementError::Period {
            why: "the period is not within the SLA's validFor".into(),
        });
    }
    Ok((start, end))
}

impl MeasurementRules {
    /// Records the violation of `rule` by `measurement` (stored as `id`), about the
    /// measurement, recorded by the reporting system's request.
    async fn violation(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        sla: (&str, &Sla),
        rule: &SlaRule,
        (id, measurement): (&str, &SlaMeasurement),
        end: DateTime<Utc>,
    ) -> Result<SlaViolationRef, MeasurementError> {
        let unit = rule.unit.as_deref().or(measurement.unit.as_deref());
        let comment = format!(
            "{} {}{} from {} to {}; the rule asks {} {}{}",
            rule.metric,
            measurement.value.trim(),
            unit.map(|u| format!(" {u}")).unwrap_or_default(),
            measurement
                .period
                .start_date_time
                .map(|d| d.to_rfc3339())
                .unwrap_or_default(),
            end.to_rfc3339(),
            rule.operator,
            rule.reference_value,
            rule.tolerance
                .as_deref()
                .map(|t| format!(" (tolerance {t})"))
                .unwrap_or_default(),
        );
        let missed = breach::Missed {
            sla,
            rule,
            date: end,
            actual: measurement.value.trim().to_owned(),
            unit: unit.map(str::to_owned),
            comment,
            subject: from_value(
                json!({"id": id, "role": "subject", "@referredType": SLA_MEASUREMENT.kind}),
            )?,
            measured: measurement.related_entity.as_deref().unwrap_or_default(),
        };
        let violation = breach::record(
            &self.violations,
            &self.compensations,
            txn,
            (ctx, ctx),
            missed,
        )
        .await?;
        Ok(from_value(
            json!({"id": violation, "@referredType": "SlaViolation"}),
        )?)
    }
}

#[async_trait]
impl DomainRules<MeasurementKind> for MeasurementRules {
    type Error = MeasurementError;

    fn server_owned(&self) -> &'static [&'static str] {
        SERVER_OWNED
    }

    fn natural_key(&self, measurement: &SlaMeasurement) -> Option<NaturalKey> {
        let start = measurement.period.start_date_time?;
        let end = measurement.period.end_date_time?;
        Some(NaturalKey {
            key: format!(
                "{}\u{1f}{}\u{1f}{}\u{1f}{}",
                measurement.sla.id,
                measurement.metric,
                start.to_rfc3339(),
                end.to_rfc3339()
            ),
            named: format!(
                "the measurement of '{}' of SLA '{}' from {} to {}",
                measurement.metric,
                measurement.sla.id,
                start.to_rfc3339(),
                end.to_rfc3339()
            ),
        })
    }

    async fn create(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        mut measurement: SlaMeasurement,
    ) -> Result<SlaMeasurement, MeasurementError> {
        let sla_id = measurement.sla.id.clone();
        // The SLA is locked: a move out of `active` waits for the measurement, or the other
        // way round.
        let Some(stored) = self.slas.load_in(txn, &sla_id).await? else {
            return Err(MeasurementError::NoSla { id: sla_id });
        };
        let sla: Sla = from_value(stored)?;
        let state = sla.state.unwrap_or(State::InDesign);
        if state != State::Active {
            return Err(MeasurementError::NotActive { id: sla_id, state });
        }
        let (start, end) = period_of(&measurement, &sla)?;
        // A period is measured once: another measurement of the metric over part of it would
        // judge the same time twice (a month re-sent with another end).
        let stored = self.measurements.find_in(txn, "sla.id", &sla_id).await?;
        for other in stored {
            let Ok(other) = from_value::<SlaMeasurement>(other) else {
                continue;
            };
            let (Some(from), Some(to)) = (other.period.start_date_time, other.period.end_date_time)
            else {
                continue;
            };
            if other.metric == measurement.metric && from < end && start < to {
                return Err(MeasurementError::Overlap {
                    other: other.id.unwrap_or_default(),
                    metric: other.metric,
                    from: from.to_rfc3339(),
                    to: to.to_rfc3339(),
                });
            }
        }
        let Some(value) = decimal(&measurement.value) else {
            return Err(MeasurementError::Value {
                value: measurement.value.clone(),
            });
        };
        let rules: Vec<&SlaRule> = sla
            .rule
            .iter()
            .flatten()
            .filter(|rule| rule.metric == measurement.metric)
            .collect();
        if rules.is_empty() {
            let known: Vec<&str> = sla
                .rule
                .iter()
                .flatten()
                .map(|r| r.metric.as_str())
                .collect();
            return Err(MeasurementError::NoRule {
                sla: sla_id,
                metric: measurement.metric.clone(),
                known: known.join(", "),
            });
        }
        let mut results = Vec::with_capacity(rules.len());
        for rule in rules {
            // The SLA's terms were checked when it was written: its numbers read.
            let reference = decimal(&rule.reference_value).unwrap_or_default();
            let tolerance = rule
                .tolerance
                .as_deref()
                .and_then(decimal)
                .unwrap_or_default()
                .abs();
            let met = rule.operator.met(value, reference, tolerance);
            let violation = match met {
                true => None,
                false => Some(
                    self.violation(txn, ctx, (&sla_id, &sla), rule, (id, &measurement), end)
                        .await?,
                ),
            };
            results.push(SlaMeasurementResult {
                rule: SlaRuleRef {
                    id: rule.id.clone(),
                    metric: Some(rule.metric.clone()),
                    referred_type: Some("SlaRule".into()),
                    meta: Default::default(),
                    extensions: Default::default(),
                },
                met,
                violation,
                meta: Default::default(),
                extensions: Default::default(),
            });
        }
        measurement.result = Some(results);
        Ok(measurement)
    }

    async fn patch(
        &self,
        _txn: &DatabaseTransaction,
        _ctx: &RequestContext,
        _id: &str,
        _previous: &SlaMeasurement,
        _requested: SlaMeasurement,
    ) -> Result<SlaMeasurement, MeasurementError> {
        // Not routed (Methods::TASK: the router serves no PATCH of a measurement).
        Err(TmfError::conflict("a measurement is never changed").into())
    }
}
