//! What a missed rule leaves behind: one `slaViolation`, its values copied from the rule so
//! that it reads alone, with the SLA's consumer and provider, and the compensation its rule's
//! consequence names, proposed in the same change through the hook of its kind
//! ([`crm_module::Compensation`]: `credit`, offered by billing as a `billAdjustment`; `points`,
//! by loyalty) by `system:sla-compensation`. The violation refers to what was proposed
//! (extension attribute `compensation`), or says in its `comment` why nothing was. Measurements
//! and the targets on tickets and orders record their misses here.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use crm_module::{Compensation, CompensationRequest};
use crm_store::{DatabaseTransaction, DocumentService, StoredType, new_id};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Value as Json, json};
use sid_model::{Money, RelatedEntity, Sla, SlaRule};
use tmf_apis::body::from_value;
use tmf_apis::{RequestContext, TmfResult};

use crate::slas::{CONSUMER, Consequence, billing_account};
use crate::violations::ViolationKind;

/// The role of the SLA's provider among its parties.
const PROVIDER: &str = "SLAProvider";

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
    ) -> TmfResult<Result<Json, String>> {
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
        let proposing = ctx.acting_as(
            COMPENSATION_ACTOR,
            format!("compensation of SLA violation {violation}"),
        );
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
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                if price.get("priceType").and_then(Json::as_str) != Some("recurring") {
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

/// A rule missed.
pub(crate) struct Missed<'a> {
    /// The SLA (its id) whose rule it is.
    pub(crate) sla: (&'a str, &'a Sla),
    /// The rule.
    pub(crate) rule: &'a SlaRule,
    /// When it was missed.
    pub(crate) date: DateTime<Utc>,
    /// The value measured, in `unit`.
    pub(crate) actual: String,
    /// The unit of the values.
    pub(crate) unit: Option<String>,
    /// What happened, in words.
    pub(crate) comment: String,
    /// What the violation is about (role `subject`).
    pub(crate) subject: RelatedEntity,
    /// What was measured (a product whose recurring price a share is of).
    pub(crate) measured: &'a [RelatedEntity],
}

/// Records `missed` as a violation with its compensation, inside `txn` (`ctx`: the change's;
/// `recording`: whom the violation's history names). Returns the violation's id.
pub(crate) async fn record(
    violations: &DocumentService<ViolationKind>,
    compensations: &Compensations,
    txn: &DatabaseTransaction,
    (ctx, recording): (&RequestContext, &RequestContext),
    missed: Missed<'_>,
) -> TmfResult<String> {
    let (sla_id, sla) = missed.sla;
    let rule = missed.rule;
    let id = new_id();
    let mut comment = missed.comment;
    let compensation = match compensations
        .propose(txn, ctx, missed.sla, rule, &id, missed.measured)
        .await?
    {
        Ok(proposed) => Some(proposed),
        Err(why) => {
            if rule.consequence.is_some() {
                comment.push_str(&format!("; no compensation proposed: {why}"));
            }
            None
        }
    };
    let parties: Vec<_> = sla
        .parties(CONSUMER)
        .chain(sla.parties(PROVIDER))
        .cloned()
        .collect();
    let body = json!({
        "date": missed.date,
        "sla": {"id": sla_id, "name": sla.name, "@referredType": "Sla"},
        "rule": {"id": rule.id, "metric": rule.metric, "@referredType": "SlaRule"},
        "violation": {
            "actualValue": missed.actual,
            "referenceValue": rule.reference_value,
            "operator": rule.operator,
            "tolerance": rule.tolerance,
            "unit": missed.unit,
            "comment": comment,
            "consequence": rule.consequence,
        },
        "relatedParty": parties,
        "relatedEntity": [missed.subject],
        "compensation": compensation,
    });
    violations
        .create_with_id_in(txn, recording, &id, strip_nulls(body))
        .await?;
    Ok(id)
}

/// `value` without its `null` members (a rule's absent tolerance, say), at any depth.
fn strip_nulls(value: Json) -> Json {
    match value {
        Json::Object(map) => Json::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Json::Array(items) => Json::Array(items.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}
