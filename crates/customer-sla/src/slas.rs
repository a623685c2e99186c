//! TMF623 `sla`: a customer's service level agreement, with its rules and lifecycle
//! (`inDesign → approved → active → expired`; `terminated` ends it early from any state but
//! the final ones).
//!
//! The rules (422 naming the attribute, 409 for a move or a frozen term):
//!
//! - exactly one `relatedParty` with role `SLAConsumer` (the customer: a stored `Customer`,
//!   `Individual` or `Organization`, checked as every reference is);
//! - each rule's `id` is unique within the SLA, and its `referenceValue` and `tolerance` are
//!   decimal numbers (the server compares measured values with them);
//! - an SLA is created `inDesign`; it is approved only with at least one rule, and the server
//!   then sets `approved` and `approvalDate` (server-owned);
//! - from `approved` on the terms are what was agreed: only `state` and `description` change
//!   (violations refer to the rules by id);
//! - a client moves an `active` SLA to `expired` only once its `validFor` has ended (the
//!   expiry job does it then by itself, [`crate::expiry`]);
//! - a rule's `consequence` that begins with `credit` or `points` is a compensation and reads
//!   as one (`credit 25.00 EUR`, `credit 10% of recurring`, `points 500`); a credit needs the
//!   billing account to credit, which the SLA names in its extension attribute
//!   `billingAccount` (a checked reference). Any other consequence is the contract's words.
//!
//! SLAs are never deleted (405): a contract ends by `terminated` or `expired`, and its
//! violations keep referring to it.

use std::collections::HashSet;
use std::sync::Arc;

use async_trait::async_trait;
use crm_store::{
    Clock, DatabaseTransaction, DomainRules, Reference, ResourceKind, StoredType, lifecycle_error,
};
use rust_decimal::Decimal;
use sid_model::lifecycle::LifecycleError;
use sid_model::{Sla, SlaOperator, SlaStateType as State, check_create, check_move};
use tmf_apis::catalog::CatalogError;
use tmf_apis::{Domain, RequestContext, ResourceDescriptor, TmfError};

/// Where SLAs are stored.
pub const SLA: StoredType = StoredType {
    table: "sla",
    kind: "Sla",
};

/// The API's base path (TMF published no v4 of TMF623: our convention).
pub const SLA_BASE: &str = "/tmf-api/slaManagement/v4/";

/// The SLA's extension attribute that says which hours its duration targets count.
pub const BUSINESS_HOURS: &str = "businessHours";

/// The role of the customer among an SLA's parties.
pub const CONSUMER: &str = "SLAConsumer";

/// What an SLA's consumer may be.
const CONSUMERS: &[&str] = &["Customer", "Individual", "Organization"];

/// What the other parties of an SLA may be.
const PARTIES: &[&str] = &["Individual", "Organization", "Customer", "PartyRole"];

/// The attributes only the server writes.
const SERVER_OWNED: &[&str] = &["approved", "approvalDate"];

/// Why an SLA write is refused, and the one place those reasons become TMF errors.
#[derive(Debug, thiserror::Error)]
pub enum SlaError {
    /// Not exactly one consumer.
    #[error(
        "'relatedParty': an SLA names exactly one party with role 'SLAConsumer' (the customer), not {found}"
    )]
    Consumers {
        /// How many it names.
        found: usize,
    },
    /// Two rules with one id.
    #[error("'rule': two rules have the id '{id}'; a rule's id is unique within its SLA")]
    RuleTwice {
        /// The id.
        id: String,
    },
    /// A value the server compares with that is not a number.
    #[error(
        "'rule[{rule}].{attribute}' is '{value}', not a decimal number: the server compares measured values with it"
    )]
    NotANumber {
        /// The rule's id.
        rule: String,
        /// `referenceValue` or `tolerance`.
        attribute: &'static str,
        /// The value sent.
        value: String,
    },
    /// A consequence that says it is a credit or points but does not read as one.
    #[error(
        "'rule[{rule}].consequence' is '{consequence}': a compensation reads 'credit 25.00 EUR', 'credit 10% of recurring' or 'points 500'"
    )]
    Consequence {
        /// The rule's id.
        rule: String,
        /// What it says.
        consequence: String,
    },
    /// A credit with no account to credit.
    #[error(
        "'billingAccount': rule '{rule}' compensates a breach with a credit, so the SLA names the billing account credited"
    )]
    NoBillingAccount {
        /// The rule's id.
        rule: String,
    },
    /// A ticket target that does not compare durations.
    #[error(
        "'rule[{rule}].{attribute}': a target of {metric} compares durations: operator .le or .lt, unit min, h or d"
    )]
    Duration {
        /// The rule's id.
        rule: String,
        /// The metric.
        metric: String,
        /// `operator` or `unit`.
        attribute: &'static str,
    },
    /// A rule's ticket filter that is not a text.
    #[error("'rule[{rule}].{attribute}' names the tickets the rule covers: a text")]
    Filter {
        /// The rule's id.
        rule: String,
        /// `severity` or `priority`.
        attribute: &'static str,
    },
    /// Business hours that do not read.
    #[error("'{attribute}': {reason}")]
    Calendar {
        /// The attribute.
        attribute: String,
        /// What is wrong.
        reason: String,
    },
    /// Approval without rules.
    #[error("'state': an SLA without rules cannot be approved (it would promise nothing)")]
    NoRules,
    /// A term changed after approval.
    #[error(
        "'{attribute}' cannot change once the SLA is {state}: its terms are what was approved (only 'state' and 'description' change)"
    )]
    Frozen {
        /// The attribute.
        attribute: &'static str,
        /// The SLA's state.
        state: State,
    },
    /// Expired by a client before the end of its period.
    #[error("'state': the SLA expires at the end of its validFor ({end}), not before")]
    NotYetExpired {
        /// The end of its period, or "never".
        end: String,
    },
    /// A move its lifecycle does not allow, or a create state.
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError<State>),
    /// The store's refusal, unchanged.
    #[error(transparent)]
    Store(#[from] TmfError),
}

impl From<SlaError> for TmfError {
    fn from(error: SlaError) -> Self {
        match error {
            SlaError::Store(error) => error,
            SlaError::Lifecycle(error) => lifecycle_error(error),
            SlaError::Frozen { .. } | SlaError::NoRules => TmfError::conflict(error.to_string()),
            other => TmfError::invalid_value(other.to_string()),
        }
    }
}

/// The `sla` resource as stored.
pub struct SlaKind {
    descriptor: ResourceDescriptor,
}

impl std::fmt::Debug for SlaKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlaKind").finish_non_exhaustive()
    }
}

impl SlaKind {
    /// The kind, its attributes read from the adapted specification; never deleted.
    pub fn new() -> Result<Self, CatalogError> {
        let mut descriptor = ResourceDescriptor::from_spec(
            crate::spec::sla_management(),
            SLA_BASE,
            "sla",
            "Sla",
            Domain::Sla,
        )?;
        descriptor.methods.delete = false;
        Ok(Self { descriptor })
    }
}

impl ResourceKind for SlaKind {
    type Model = Sla;

    fn descriptor(&self) -> &ResourceDescriptor {
        &self.descriptor
    }

    fn stored_type(&self) -> StoredType {
        SLA
    }

    fn references(&self, sla: &Sla) -> Vec<Reference> {
        let account = billing_account(sla).map(|id| Reference {
            path: "billingAccount".into(),
            id: id.to_owned(),
            referred_type: sla
                .extensions
                .get("billingAccount")
                .and_then(|account| account.get("@referredType"))
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned),
            allowed: &["BillingAccount"],
        });
        sla.related_party
            .iter()
            .flatten()
            .enumerate()
            .map(|(i, party)| {
                let consumer = party
                    .role
                    .as_deref()
                    .is_some_and(|role| role.eq_ignore_ascii_case(CONSUMER));
                Reference {
                    path: format!("relatedParty[{i}]"),
                    id: party.id.clone(),
                    referred_type: party.referred_type.clone(),
                    allowed: if consumer { CONSUMERS } else { PARTIES },
                }
            })
            .chain(account)
            .collect()
    }
}

/// The rules of SLAs.
pub struct SlaRules {
    pub(crate) clock: Arc<dyn Clock>,
    /// The targets on tickets and orders: an SLA that becomes active has the open ones of its
    /// consumer assessed.
    pub(crate) targets: Option<Arc<crate::targets::Targets>>,
}

impl std::fmt::Debug for SlaRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlaRules").finish_non_exhaustive()
    }
}

/// A rule's value the server compares with.
fn number(rule: &str, attribute: &'static str, value: &str) -> Result<Decimal, SlaError> {
    value.trim().parse().map_err(|_| SlaError::NotANumber {
        rule: rule.to_owned(),
        attribute,
        value: value.to_owned(),
    })
}

/// What a rule's breach costs, read from its `consequence`. Consequences that begin with
/// `credit` or `points` are compensations and must read as one; any other text is kept as
/// the contract's words and costs nothing the CRM acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Consequence<'a> {
    /// A fixed credit: the amount and its currency.
    Credit(Decimal, &'a str),
    /// A credit of this percentage of the covered product's recurring price.
    CreditShare(Decimal),
    /// Loyalty points.
    Points(Decimal),
    /// Words only.
    Text,
}

impl<'a> Consequence<'a> {
    /// Reads `text`; `None` when it begins like a compensation but does not read as one.
    pub(crate) fn read(text: &'a str) -> Option<Self> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let positive = |word: &str| word.parse::<Decimal>().ok().filter(|d| *d > Decimal::ZERO);
        match words.first().map(|w| w.to_ascii_lowercase()).as_deref() {
            Some("credit") => match words.as_slice() {
                [_, amount, currency]
                    if sid_model::CurrencyCode::parse(&currency.to_ascii_uppercase()).is_ok() =>
                {
                    Some(Self::Credit(positive(amount)?, currency))
                }
                [_, share, "of", "recurring"] | [_, share, "of", "the", "recurring", "price"] => {
                    Some(Self::CreditShare(positive(share.strip_suffix('%')?)?))
                }
                _ => None,
            },
            Some("points") => match words.as_slice() {
                [_, points] => Some(Self::Points(positive(points)?)),
                _ => None,
            },
            _ => Some(Self::Text),
        }
    }
}

/// The billing account the SLA names (extension attribute `billingAccount`), credited for its
/// breaches.
pub(crate) fn billing_account(sla: &Sla) -> Option<&str> {
    sla.extensions
        .get("billingAccount")
        .and_then(|account| account.get("id"))
        .and_then(serde_json::Value::as_str)
}

/// The terms every SLA must keep, whatever its state.
fn check_terms(sla: &Sla) -> Result<(), SlaError> {
    if let Some(hours) = sla.extensions.get(BUSINESS_HOURS) {
        crate::calendar::BusinessHours::read(hours).map_err(|error| SlaError::Calendar {
            attribute: error.attribute,
            reason: error.reason,
        })?;
    }
    let consumers = sla.parties(CONSUMER).count();
    if consumers != 1 {
        return Err(SlaError::Consumers { found: consumers });
    }
    let mut ids = HashSet::new();
    for rule in sla.rule.iter().flatten() {
        if !ids.insert(rule.id.as_str()) {
            return Err(SlaError::RuleTwice {
                id: rule.id.clone(),
            });
        }
        number(&rule.id, "referenceValue", &rule.reference_value)?;
        if let Some(tolerance) = &rule.tolerance {
            number(&rule.id, "tolerance", tolerance)?;
        }
        for filter in ["severity", "priority"] {
            if rule.extensions.get(filter).is_some_and(|v| !v.is_string()) {
                return Err(SlaError::Filter {
                    rule: rule.id.clone(),
                    attribute: filter,
                });
            }
        }
        if crate::targets::is_duration_metric(&rule.metric) {
            let refused = |attribute| SlaError::Duration {
                rule: rule.id.clone(),
                metric: rule.metric.clone(),
                attribute,
            };
            if !matches!(rule.operator, SlaOperator::Le | SlaOperator::Lt) {
                return Err(refused("operator"));
            }
            if crate::targets::minutes_per(rule.unit.as_deref()).is_none() {
                return Err(refused("unit"));
            }
        }
        if let Some(consequence) = &rule.consequence {
            match Consequence::read(consequence) {
                None => {
                    return Err(SlaError::Consequence {
                        rule: rule.id.clone(),
                        consequence: consequence.clone(),
                    });
                }
                Some(Consequence::Credit(..) | Consequence::CreditShare(_))
                    if billing_account(sla).is_none() =>
                {
                    return Err(SlaError::NoBillingAccount {
                        rule: rule.id.clone(),
                    });
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

/// The first term of `requested` that differs from `previous` (all but `state`,
/// `description` and what the server owns).
fn changed_term(previous: &Sla, requested: &Sla) -> Option<&'static str> {
    let terms: [(&'static str, bool); 8] = [
        ("name", previous.name != requested.name),
        ("version", previous.version != requested.version),
        ("validFor", previous.valid_for != requested.valid_for),
        ("rule", previous.rule != requested.rule),
        (
            "relatedParty",
            previous.related_party != requested.related_party,
        ),
        ("template", previous.template != requested.template),
        ("@type", previous.meta != requested.meta),
        (
            "extension attributes",
            previous.extensions != requested.extensions,
        ),
    ];
    terms
        .into_iter()
        .find_map(|(name, changed)| changed.then_some(name))
}

/// The rules of the SLA lifecycle, shared by the API and the expiry job: `requested` moving
/// from `previous`, at `now`, by a client (`by_client`) or by the server.
pub(crate) fn judge_patch(
    previous: &Sla,
    mut requested: Sla,
    now: chrono::DateTime<chrono::Utc>,
    by_client: bool,
) -> Result<Sla, SlaError> {
    let from = previous.state.unwrap_or(State::InDesign);
    let to = *requested.state.get_or_insert(from);
    if from != State::InDesign
        && let Some(attribute) = changed_term(previous, &requested)
    {
        return Err(SlaError::Frozen {
            attribute,
            state: from,
        });
    }
    check_terms(&requested)?;
    if from == to {
        return Ok(requested);
    }
    check_move(from, to)?;
    match to {
        State::Approved => {
            if requested.rule.as_ref().is_none_or(Vec::is_empty) {
                return Err(SlaError::NoRules);
            }
            requested.approved = Some(true);
            requested.approval_date = Some(now);
        }
        State::Expired if by_client => {
            let end = requested
                .valid_for
                .as_ref()
                .and_then(|period| period.end_date_time);
            if end.is_none_or(|end| end > now) {
                return Err(SlaError::NotYetExpired {
                    end: end.map_or("never".into(), |end| end.to_rfc3339()),
                });
            }
        }
        _ => {}
    }
    Ok(requested)
}

#[async_trait]
impl DomainRules<SlaKind> for SlaRules {
    type Error = SlaError;

    fn server_owned(&self) -> &'static [&'static str] {
        SERVER_OWNED
    }

    async fn create(
        &self,
        _txn: &DatabaseTransaction,
        _ctx: &RequestContext,
        _id: &str,
        mut sla: Sla,
    ) -> Result<Sla, SlaError> {
        let state = *sla.state.get_or_insert(State::InDesign);
        check_create(state)?;
        sla.approved = Some(false);
        check_terms(&sla)?;
        Ok(sla)
    }

    async fn patch(
        &self,
        txn: &DatabaseTransaction,
        _ctx: &RequestContext,
        id: &str,
        previous: &Sla,
        requested: Sla,
    ) -> Result<Sla, SlaError> {
        let judged = judge_patch(previous, requested, self.clock.now(), true)?;
        let activated =
            judged.state == Some(State::Active) && previous.state != Some(State::Active);
        if activated && let Some(targets) = &self.targets {
            targets.queue_covered(txn, id, &judged).await?;
        }
        Ok(judged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().expect("a decimal")
    }

    #[test]
    fn consequences_read_as_compensations_or_as_words() {
        assert_eq!(
            Consequence::read("credit 25.00 EUR"),
            Some(Consequence::Credit(dec("25.00"), "EUR"))
        );
        assert_eq!(
            Consequence::read("Credit 10% of recurring"),
            Some(Consequence::CreditShare(dec("10")))
        );
        assert_eq!(
            Consequence::read("credit 12.5% of the recurring price"),
            Some(Consequence::CreditShare(dec("12.5")))
        );
        assert_eq!(
            Consequence::read("points 500"),
            Some(Consequence::Points(dec("500")))
        );
        assert_eq!(
            Consequence::read("a review with the account manager"),
            Some(Consequence::Text)
        );
        assert_eq!(Consequence::read(""), Some(Consequence::Text));
        for garbled in [
            "credit",
            "credit lots EUR",
            "credit -5 EUR",
            "credit 0 EUR",
            "credit 10 euros",
            "credit 10 XYZ",
            "credit 10 €",
            "credit 10 of recurring",
            "points",
            "points many",
            "points 5 extra",
        ] {
            assert_eq!(Consequence::read(garbled), None, "{garbled}");
        }
    }
}
