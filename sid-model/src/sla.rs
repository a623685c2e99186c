//! TMF623 SLA Management, published by TM Forum only as v2.0 (R14.5), served with the v4
//! conventions (`docs/tmf623-adaptation.md` says, attribute by attribute, how): an [`Sla`]
//! (a service level agreement of a customer, with its [`SlaRule`]s and a lifecycle), and an
//! [`SlaViolation`] (a rule missed, written by the server only).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use validator::Validate;

use crate::lifecycle::Lifecycle;
use crate::reference::RelatedParty;
use crate::ticket::RelatedEntity;
use crate::time::TimePeriod;

crate::wire::wire! {
    /// A service level agreement (TMF623 `Sla`): the targets a provider commits to for a
    /// customer (the `SLAConsumer` among its related parties), as rules, over a period.
    ///
    /// `name` and `relatedParty` are required on creation.
    pub struct Sla {
        /// Unique identifier, given by the server.
        id: Option<String>,
        /// Reference of the SLA.
        href: Option<String>,
        /// The name of the SLA.
        name: String,
        /// What the SLA is about.
        description: Option<String>,
        /// The version of the SLA.
        version: Option<String>,
        /// When the SLA applies.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
        /// Where the SLA is in its lifecycle.
        state: Option<SlaStateType>,
        /// Whether the SLA was approved (set by the server on the move to `approved`).
        approved: Option<bool>,
        /// When the SLA was approved (set by the server).
        approval_date: Option<DateTime<Utc>>,
        /// The targets.
        #[validate(nested)]
        rule: Option<Vec<SlaRule>>,
        /// The parties: the `SLAConsumer` (the customer), the `SLAProvider`, auditors...
        #[validate(nested)]
        related_party: Option<Vec<RelatedParty>>,
        /// The template the SLA was made from (an external reference).
        #[validate(nested)]
        template: Option<SlaTemplateRef>,
    }

    /// One target of an SLA (TMF623 `Rule`): a metric, how it compares with a reference
    /// value, the tolerance, and what missing it costs.
    pub struct SlaRule {
        /// The rule's id, unique within its SLA (a violation refers to it).
        #[validate(length(min = 1))]
        id: String,
        /// The metric measured (`ticketResolutionTime`, `availability`...).
        #[validate(length(min = 1))]
        metric: String,
        /// The unit of the values (`h`, `%`...).
        unit: Option<String>,
        /// The target.
        reference_value: String,
        /// How the measured value compares with the target when the rule is met.
        operator: SlaOperator,
        /// The tolerance allowed around the target.
        tolerance: Option<String>,
        /// What missing the target costs (compensation).
        consequence: Option<String>,
    }

    /// A rule missed (TMF623 `SLAViolation`), recorded by the server: the SLA and the rule,
    /// the values compared, when, and what it is about (a ticket, an order, a measurement).
    pub struct SlaViolation {
        /// Unique identifier, given by the server.
        id: Option<String>,
        /// Reference of the violation.
        href: Option<String>,
        /// When the target was missed.
        date: DateTime<Utc>,
        /// The SLA.
        #[validate(nested)]
        sla: SlaRef,
        /// The rule missed.
        #[validate(nested)]
        rule: SlaRuleRef,
        /// What was measured against what.
        #[validate(nested)]
        violation: Violation,
        /// The SLA's consumer and provider when it was recorded.
        #[validate(nested)]
        related_party: Option<Vec<RelatedParty>>,
        /// What the violation is about (role `subject`).
        #[validate(nested)]
        related_entity: Option<Vec<RelatedEntity>>,
    }

    /// The values of a violation (TMF623 `Violation`), copied from the rule when it was
    /// missed so that the record reads alone.
    pub struct Violation {
        /// The measured value.
        actual_value: String,
        /// The rule's target.
        reference_value: String,
        /// The rule's operator.
        operator: SlaOperator,
        /// The rule's tolerance.
        tolerance: Option<String>,
        /// The rule's unit.
        unit: Option<String>,
        /// The average over the period, for aggregate metrics.
        violation_average: Option<String>,
        /// What a person should know.
        comment: Option<String>,
        /// The rule's consequence.
        consequence: Option<String>,
    }
}

crate::wire::wire! {
    /// A measurement of an SLA's metric over a period, reported by an assurance or monitoring
    /// system (this CRM's documented extension `slaMeasurement`; TMF623 has none), judged by
    /// the SLA's rules with that metric.
    pub struct SlaMeasurement {
        /// Unique identifier, given by the server.
        id: Option<String>,
        /// Reference of the measurement.
        href: Option<String>,
        /// The SLA whose rules judge it.
        #[validate(nested)]
        sla: SlaRef,
        /// The metric measured.
        #[validate(length(min = 1))]
        metric: String,
        /// The measured value, a decimal number in the rules' unit.
        value: String,
        /// The unit of the value.
        unit: Option<String>,
        /// The period measured.
        #[validate(nested)]
        period: TimePeriod,
        /// The measuring system's own id of the measurement.
        external_id: Option<String>,
        /// What was measured (a product, a service), as the measuring system names it.
        #[validate(nested)]
        related_entity: Option<Vec<RelatedEntity>>,
        /// When the server recorded it.
        recorded_date: Option<DateTime<Utc>>,
        /// How each rule with the metric judged the value (set by the server).
        #[validate(nested)]
        result: Option<Vec<SlaMeasurementResult>>,
    }

    /// How one rule judged a measurement.
    pub struct SlaMeasurementResult {
        /// The rule.
        #[validate(nested)]
        rule: SlaRuleRef,
        /// Whether the value meets it.
        met: bool,
        /// The violation recorded when it does not.
        #[validate(nested)]
        violation: Option<SlaViolationRef>,
    }
}

crate::wire::entity_ref! {
    /// A reference to an SLA (TMF623 `SLARef`).
    SlaRef {}

    /// A reference to a violation.
    SlaViolationRef {}

    /// A reference to an SLA template (TMF623 `TemplateRef`), kept as given.
    SlaTemplateRef {
        /// What the template is.
        description: Option<String>,
    }
}

crate::wire::wire! {
    /// A reference to a rule of an SLA, by its id within the SLA (TMF623 `RuleRef`).
    pub struct SlaRuleRef @referredType {
        /// The rule's id within its SLA.
        #[validate(length(min = 1))]
        id: String,
        /// The rule's metric.
        metric: Option<String>,
    }
}

crate::wire::wire_enum! {
    /// The lifecycle state of an SLA.
    pub enum SlaStateType {
        /// `inDesign`: being written; every term may change.
        "inDesign" => InDesign,
        /// `approved`: the terms are agreed and frozen.
        "approved" => Approved,
        /// `active`: in force; the server watches its rules.
        "active" => Active,
        /// `expired`: its period ended.
        "expired" => Expired,
        /// `terminated`: ended early.
        "terminated" => Terminated,
    }
}

/// The lifecycle of an SLA: `inDesign → approved → active → expired`; `terminated` ends it
/// early (a draft abandoned, an agreement never started or ended before its term).
impl Lifecycle for SlaStateType {
    const ENTITY: &'static str = "Sla";
    const ATTRIBUTE: &'static str = "state";
    const STATES: &'static [Self] = &Self::ALL;
    const CREATE: &'static [Self] = &[Self::InDesign];
    const INITIAL: Self = Self::InDesign;
    const FINAL: &'static [Self] = &[Self::Expired, Self::Terminated];

    fn name(self) -> &'static str {
        self.as_str()
    }

    fn next(self) -> &'static [Self] {
        use SlaStateType::*;
        match self {
            InDesign => &[Approved, Terminated],
            Approved => &[Active, Terminated],
            Active => &[Expired, Terminated],
            Expired | Terminated => &[],
        }
    }
}

crate::wire::wire_enum! {
    /// How a measured value compares with a rule's target when the rule is met.
    pub enum SlaOperator {
        /// `.eq`: equal.
        ".eq" => Eq,
        /// `.ne`: not equal.
        ".ne" => Ne,
        /// `.gt`: greater than.
        ".gt" => Gt,
        /// `.ge`: greater than or equal.
        ".ge" => Ge,
        /// `.lt`: less than.
        ".lt" => Lt,
        /// `.le`: less than or equal.
        ".le" => Le,
    }
}

impl SlaOperator {
    /// Whether `actual` meets a target of `reference` with this operator, `tolerance` (a
    /// non-negative amount) allowed on the side that misses.
    ///
    /// Exact for any decimals: where the target with its tolerance is beyond what a decimal
    /// holds, every value is on the side the tolerance allows.
    pub fn met(self, actual: Decimal, reference: Decimal, tolerance: Decimal) -> bool {
        use SlaOperator::*;
        let floor = reference.checked_sub(tolerance);
        let ceiling = reference.checked_add(tolerance);
        match self {
            Eq => actual
                .checked_sub(reference)
                .is_some_and(|gap| gap.abs() <= tolerance),
            Ne => actual != reference,
            Gt => floor.is_none_or(|floor| actual > floor),
            Ge => floor.is_none_or(|floor| actual >= floor),
            Lt => ceiling.is_none_or(|ceiling| actual < ceiling),
            Le => ceiling.is_none_or(|ceiling| actual <= ceiling),
        }
    }
}

impl Sla {
    /// The rule with id `id`.
    pub fn rule(&self, id: &str) -> Option<&SlaRule> {
        self.rule.iter().flatten().find(|rule| rule.id == id)
    }

    /// The parties of role `role` (case-insensitive).
    pub fn parties(&self, role: &str) -> impl Iterator<Item = &RelatedParty> {
        self.related_party.iter().flatten().filter(move |party| {
            party
                .role
                .as_deref()
                .is_some_and(|r| r.eq_ignore_ascii_case(role))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().expect("a decimal")
    }

    #[test]
    fn operators_allow_the_tolerance_on_the_missing_side() {
        assert!(SlaOperator::Le.met(dec("4.5"), dec("4"), dec("0.5")));
        assert!(!SlaOperator::Le.met(dec("4.51"), dec("4"), dec("0.5")));
        assert!(SlaOperator::Ge.met(dec("99.4"), dec("99.5"), dec("0.1")));
        assert!(!SlaOperator::Ge.met(dec("99.3"), dec("99.5"), dec("0.1")));
        assert!(SlaOperator::Eq.met(dec("10.2"), dec("10"), dec("0.2")));
        assert!(!SlaOperator::Lt.met(dec("4"), dec("4"), dec("0")));
        assert!(SlaOperator::Gt.met(dec("4"), dec("4"), dec("0.01")));
    }

    #[test]
    fn extreme_values_are_judged_without_overflow() {
        let (max, min) = (Decimal::MAX, Decimal::MIN);
        assert!(!SlaOperator::Eq.met(min, dec("100"), dec("0")));
        assert!(!SlaOperator::Eq.met(max, min, dec("1")));
        assert!(SlaOperator::Le.met(max, max, dec("5")));
        assert!(SlaOperator::Ge.met(min, min, dec("5")));
        assert!(!SlaOperator::Ge.met(min, dec("0"), dec("0")));
    }
}
