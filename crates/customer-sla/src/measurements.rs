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
//! A violation whose rule's consequence is a compensation proposes it in the same change,
//! through the hook of its kind ([`crm_module::Compensation`]: `credit`, offered by billing as
//! a `billAdjustment`; `points`, by loyalty), proposed by `system:sla-compensation`; the
//! violation refers to what was proposed (extension attribute `compensation`), or says in its
//! `comment` why nothing was.
//!
//! A measurement is known by its SLA, metric and period (its natural key): the same
//! measurement sent again is the stored one (200, nothing written, so no second violation);
//! the same period with another value is a 409, and so is a period overlapping another
//! measurement of the metric. Measurements are never changed or deleted.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use crm_module::{Compensation, CompensationRequest};
use crm_store::{
    Clock, DatabaseTransaction, DocumentService, DomainRules, NaturalKey, Reference, ResourceKind,
    StoredType, new_id,
};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::json;
use sid_model::{
    Money, RelatedEntity, Sla, SlaMeasurement, SlaMeasurementResult, SlaRule, SlaRuleRef,
    SlaStateType as State, SlaViolationRef,
};
use tmf_apis::body::from_value;
use tmf_apis::catalog::CatalogError;
use tmf_apis::{Actor, Domain, Methods, RequestContext, ResourceDescriptor, TmfError, TmfResult};

use crate::slas::{CONSUMER, Consequence, SLA_BASE, SlaKind, billing_account};
use crate::violations::ViolationKind;

/// Where measurements are stored.
pub const SLA_MEASUREMENT: StoredType = StoredType {
    table: "sla_measurement",
    kind: "SlaMeasurement",
};

/// The role of the SLA's provider among its parties.
const PROVIDER: &str = "SLAProvider";

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
    /// What breaches cost, as other domains offer it.
    pub(crate) compensations: Compensations,
}

/// The compensations offered through the hooks, and where products are stored (a credit of
/// a share of a product's recurring price reads it).
#[derive(Clone, Default)]
pub(crate) struct Compensations {
    pub(crate) credit: Option<Arc<dyn Compensation>>,
    pub(crate) points: Option<Arc<dyn Compensation>>,
    pub(crate) products: Option<StoredType>,
}

/// Who proposes the compensation of a breach.
const COMPENSATION_ACTOR: &str = "system:sla-compensation";

impl Compensations {
    /// Proposes what the breach of `rule` costs, for the violation `violation` of `sla`
    /// (`sla_id`), through the hook of its kind: the reference to what was proposed, or why
    /// nothing was (a share of a price no product gives, a kind no module offers).
    pub(crate) async fn propose(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        (sla_id, sla): (&str, &Sla),
        rule: &SlaRule,
        violation: &str,
        subject: &[RelatedEntity],
    ) -> TmfResult<Result<serde_json::Value, String>> {
        let Some(consequence) = rule.consequence.as_deref() else {
            return Ok(Err("the rule names no consequence".into()));
        };
        let (hook, quantity, unit) = match Consequence::read(consequence) {
            None | Some(Consequence::Text) => {
                return Ok(Err("the rule's consequence is words only".into()));
            }
            Some(Consequence::Credit(amount, currency)) => {
                (&self.credit, amount, currency.to_ascii_uppercase())
            }
            Some(Consequence::CreditShare(share)) => {
                match self.recurring_price(txn, subject).await? {
                    Some((price, currency)) => {
                        let Some(amount) = price.checked_mul(share) else {
                            return Ok(
                                Err("the share of the price is too large to compute".into()),
                            );
                        };
                        (
                            &self.credit,
                            (amount / Decimal::ONE_HUNDRED)
                                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
                            currency,
                        )
                    }
                    None => {
                        return Ok(Err(
                            "the measurement names no product with a recurring price".into(),
                        ));
                    }
                }
            }
            Some(Consequence::Points(points)) => (&self.points, points, "PTS".to_owned()),
        };
        let Some(hook) = hook else {
            return Ok(Err(format!(
                "no module offers the compensation '{consequence}'"
            )));
        };
        let Some(customer) = sla.parties(CONSUMER).next() else {
            return Ok(Err("the SLA names no consumer".into()));
        };
        let request = CompensationRequest {
            violation: violation.to_owned(),
            sla: sla_id.to_owned(),
            rule: rule.id.clone(),
            customer: (
                customer.id.clone(),
                customer.referred_type.clone().unwrap_or_default(),
            ),
            billing_account: billing_account(sla).map(str::to_owned),
            quantity,
            unit,
            description: format!(
                "SLA '{}' ({sla_id}), rule '{}' missed: {consequence}",
                sla.name, rule.id
            ),
        };
        let mut proposing = ctx.clone();
        proposing.actor = Actor {
            subject: COMPENSATION_ACTOR.to_owned(),
            roles: Vec::new(),
        };
        proposing.reason = Some(format!("compensation of SLA violation {violation}"));
        // A proposal its owner refuses (an account closed, a threshold misconfigured) leaves
        // nothing behind and does not stop the violation, nor the ticket or order it is about:
        // the violation says why. An outage or a lost race still fails the whole change.
        match crm_store::attempt(txn, async |part| {
            hook.propose(part, &proposing, &request).await
        })
        .await?
        {
            Ok(proposed) => Ok(Ok(proposed)),
            Err(error)
                if error.status().is_client_error()
                    && error.status() != axum::http::StatusCode::CONFLICT =>
            {
                Ok(Err(format!("refused: {}", error.message)))
            }
            Err(error) => Err(error),
        }
    }

    /// The recurring price of the first product `subject` names that has one: its amount
    /// (tax included, else duty free) and currency.
    async fn recurring_price(
        &self,
        txn: &DatabaseTransaction,
        subject: &[RelatedEntity],
    ) -> TmfResult<Option<(Decimal, String)>> {
        let Some(products) = self.products else {
            return Ok(None);
        };
        let ids: Vec<String> = subject
            .iter()
            .filter(|e| e.referred_type.as_deref() == Some("Product"))
            .map(|e| e.id.clone())
            .collect();
        let documents =
            crm_store::relations::documents_on(txn, products.table, &ids, &[products.kind]).await?;
        for product in documents {
            for price in product
                .get("productPrice")
                .and_then(serde_json::Value::as_array)
                .into_iter()
                .flatten()
            {
                if price.get("priceType").and_then(serde_json::Value::as_str) != Some("recurring") {
                    continue;
                }
                let amount = price
                    .pointer("/price/taxIncludedAmount")
                    .or_else(|| price.pointer("/price/dutyFreeAmount"));
                let Some(money) = amount.and_then(|m| from_value::<Money>(m.clone()).ok()) else {
                    continue;
                };
                return Ok(Some((money.value, money.unit.to_string())));
            }
        }
        Ok(None)
    }
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
    /// Records the violation of `rule` by `measurement` (stored as `id`): its values copied
    /// from the rule, about the measurement, with the SLA's consumer and provider.
    async fn violation(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        (sla_id, sla): (&str, &Sla),
        rule: &SlaRule,
        (id, measurement): (&str, &SlaMeasurement),
        end: DateTime<Utc>,
    ) -> Result<SlaViolationRef, MeasurementError> {
        let parties: Vec<_> = sla
            .parties(CONSUMER)
            .chain(sla.parties(PROVIDER))
            .cloned()
            .collect();
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
        let violation_id = new_id();
        let subject = measurement.related_entity.clone().unwrap_or_default();
        let compensation = self
            .compensations
            .propose(txn, ctx, (sla_id, sla), rule, &violation_id, &subject)
            .await?;
        let (compensation, comment) = match compensation {
            Ok(proposed) => (Some(proposed), comment),
            Err(why) if rule.consequence.is_some() => {
                (None, format!("{comment}; no compensation proposed: {why}"))
            }
            Err(_) => (None, comment),
        };
        let body = json!({
            "date": end,
            "sla": {"id": sla_id, "name": sla.name, "@referredType": "Sla"},
            "rule": {"id": rule.id, "metric": rule.metric, "@referredType": "SlaRule"},
            "violation": {
                "actualValue": measurement.value.trim(),
                "referenceValue": rule.reference_value,
                "operator": rule.operator,
                "tolerance": rule.tolerance,
                "unit": unit,
                "comment": comment,
                "consequence": rule.consequence,
            },
            "relatedParty": parties,
            "relatedEntity": [{"id": id, "role": "subject", "@referredType": "SlaMeasurement"}],
            "compensation": compensation,
        });
        self.violations
            .create_with_id_in(txn, ctx, &violation_id, strip_nulls(body))
            .await?;
        Ok(from_value(
            json!({"id": violation_id, "@referredType": "SlaViolation"}),
        )?)
    }
}

/// `value` without its `null` members (a rule's absent tolerance, say), at any depth.
fn strip_nulls(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => serde_json::Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(strip_nulls).collect())
        }
        other => other,
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
        let others = crm_store::relations::referrers(
            txn,
            std::slice::from_ref(&sla_id),
            SLA_MEASUREMENT.table,
            Some("sla"),
        )
        .await?;
        let stored =
            crm_store::relations::documents_on(txn, SLA_MEASUREMENT.table, &others, &[]).await?;
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
