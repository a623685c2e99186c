//! Burning points into a bill credit: `POST /tmf-api/loyalty/v4/loyaltyBurn` (a documented
//! extension, `specs/LoyaltyBurn-extension.swagger.json`) names the member, the points
//! (`quantity` in `PTS`), the billing account credited and the `currency` of the credit. In
//! one change:
//!
//! - the member's active balances are taken in the order they expire (the end of their
//!   window, then their id), each read again on its lock, and their `remaining` points spent
//!   until the points asked are found; a balance never goes below nothing, and points that
//!   are not there refuse the burn (422, nothing stored);
//! - the points are worth `quantity × [loyalty] burn_rates.{currency}`, rounded to the cent
//!   (half to even), credited through billing's credits hook as a `billAdjustment` of type
//!   `credit` (reason `[loyalty] burn_reason`), under the maker-checker rules of every
//!   adjustment (a large one waits for a supervisor);
//! - the burn records what it took from which balance (`consumed`), the credit and its amount.
//!
//! Two burns of the same member at once are serialised on the balances' locks: the second
//! reads what the first left. The same points are never spent twice.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use crm_module::{BillCredits, CreditRequest};
use crm_store::{Clock, DatabaseTransaction, DocumentService, DomainRules};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Value as Json, json};
use sid_model::{CurrencyCode, LoyaltyBurn, Money};
use tmf_apis::body::from_value;
use tmf_apis::{Actor, RequestContext, TmfError};

use crate::earning::{POINTS, quantity};
use crate::expiry::EXPIRED;
use crate::kinds::{BalanceKind, BurnKind, MemberKind};

/// Who the history names for the balances a burn spends.
const BURN_ACTOR: &str = "system:loyalty-burn";

/// The rules of a burn.
pub struct BurnRules {
    pub(crate) members: Arc<DocumentService<MemberKind>>,
    pub(crate) balances: Arc<DocumentService<BalanceKind>>,
    pub(crate) credits: Option<Arc<dyn BillCredits>>,
    pub(crate) rates: BTreeMap<String, Decimal>,
    pub(crate) reason: String,
    pub(crate) clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for BurnRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BurnRules")
            .field("rates", &self.rates)
            .finish_non_exhaustive()
    }
}

fn number(value: Option<&Json>) -> Decimal {
    value
        .map(|v| v.to_string().trim_matches('"').to_owned())
        .and_then(|text| text.parse().ok())
        .unwrap_or_default()
}

fn spending(ctx: &RequestContext, burn: &str) -> RequestContext {
    let mut spending = ctx.clone();
    spending.actor = Actor {
        subject: BURN_ACTOR.to_owned(),
        roles: Vec::new(),
    };
    spending.reason = Some(format!("points burned by {burn} ({})", ctx.actor.subject));
    spending.idempotency_key = None;
    spending.if_match = tmf_apis::IfMatch::Absent;
    spending
}

#[async_trait]
impl DomainRules<BurnKind> for BurnRules {
    type Error = TmfError;

    /// What the burn did is the server's.
    fn server_owned(&self) -> &'static [&'static str] {
        &["creditAmount", "credit", "consumed", "burnDate"]
    }

    async fn create(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        mut burn: LoyaltyBurn,
    ) -> Result<LoyaltyBurn, TmfError> {
        let (Some(member), Some(points), Some(account), Some(currency)) = (
            burn.loyalty_program_member.clone(),
            burn.quantity.clone(),
            burn.billing_account.clone(),
            burn.currency.clone(),
        ) else {
            return Err(TmfError::invalid_value(
                "a burn names 'loyaltyProgramMember', 'quantity', 'billingAccount' and 'currency'",
            ));
        };
        if points.unit != POINTS || points.value <= Decimal::ZERO {
            return Err(TmfError::invalid_value(format!(
                "'quantity' is {} {}: points ({POINTS}), more than nothing",
                points.value, points.unit
            )));
        }
        let Some(rate) = self.rates.get(&currency) else {
            return Err(TmfError::invalid_value(format!(
                "'currency' is '{currency}': points are burned into {}",
                self.rates.keys().cloned().collect::<Vec<_>>().join(", ")
            )));
        };
        let unit = CurrencyCode::parse(&currency).map_err(|_| {
            TmfError::invalid_value(format!("'currency' is '{currency}', not ISO 4217"))
        })?;
        let Some(credits) = &self.credits else {
            return Err(TmfError::invalid_value(
                "no module makes bill credits: points cannot be burned",
            ));
        };
        if self.members.read_in(txn, &member.id).await?.is_none() {
            return Err(TmfError::reference_not_found(format!(
                "'loyaltyProgramMember' refers to '{}', which is not a stored \
                 LoyaltyProgramMember",
                member.id
            )));
        }
        // The balances that expire first are spent first.
        let now = self.clock.now();
        let mut candidates: Vec<(String, String)> = self
            .balances
            .find_in(txn, "loyaltyProgramMember.id", &member.id)
            .await?
            .iter()
            .filter(|balance| balance.get("state").and_then(Json::as_str) != Some(EXPIRED))
            .filter_map(|balance| {
                let id = balance.get("id")?.as_str()?.to_owned();
                let end = balance
                    .pointer("/validFor/endDateTime")
                    .and_then(Json::as_str)
                    .unwrap_or("9999")
                    .to_owned();
                Some((end, id))
            })
            .collect();
        candidates.sort();
        let spend = spending(ctx, id);
        let mut left = points.value;
        let mut consumed = Vec::new();
        for (_, balance_id) in candidates {
            if left <= Decimal::ZERO {
                break;
            }
            // Read again on its lock: another burn may have spent it meanwhile.
            let Some(mut balance) = self.balances.load_in(txn, &balance_id).await? else {
                continue;
            };
            let open = balance.get("state").and_then(Json::as_str) != Some(EXPIRED)
                && balance
                    .pointer("/validFor/endDateTime")
                    .and_then(Json::as_str)
                    .and_then(|end| end.parse::<chrono::DateTime<chrono::Utc>>().ok())
                    .is_none_or(|end| end > now)
                && balance
                    .pointer("/validFor/startDateTime")
                    .and_then(Json::as_str)
                    .and_then(|start| start.parse::<chrono::DateTime<chrono::Utc>>().ok())
                    .is_none_or(|start| start <= now);
            let remaining = number(balance.pointer("/remaining/value"));
            if !open || remaining <= Decimal::ZERO {
                continue;
            }
            let take = remaining.min(left);
            left -= take;
            if let Some(map) = balance.as_object_mut() {
                map.insert("remaining".into(), quantity(POINTS, remaining - take));
            }
            self.balances
                .replace_in(txn, &spend, &balance_id, balance)
                .await?;
            consumed.push(json!({
                "loyaltyBalance": {"id": balance_id, "@referredType": "LoyaltyBalance"},
                "quantity": quantity(POINTS, take),
            }));
        }
        if left > Decimal::ZERO {
            return Err(TmfError::invalid_value(format!(
                "'quantity': the member has {} points to burn, not {}",
                points.value - left,
                points.value
            )));
        }
        let worth = points
            .value
            .checked_mul(*rate)
            .ok_or_else(|| TmfError::invalid_value("'quantity' is too large to be worth money"))?
            .round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven);
        if worth <= Decimal::ZERO {
            return Err(TmfError::invalid_value(format!(
                "{} points are worth nothing in {currency}",
                points.value
            )));
        }
        let amount = Money::new(unit, worth);
        let credit = credits
            .credit(
                txn,
                ctx,
                &CreditRequest {
                    billing_account: account.id.clone(),
                    amount: amount.clone(),
                    reason: self.reason.clone(),
                    description: format!("{} loyalty points burned", points.value),
                    origin: json!({"loyaltyBurn": {"id": id, "@referredType": "LoyaltyBurn"}}),
                },
            )
            .await?;
        burn.credit = Some(from_value(credit)?);
        burn.credit_amount = Some(amount);
        burn.consumed = Some(from_value(Json::Array(consumed))?);
        burn.burn_date = Some(now);
        Ok(burn)
    }

    async fn patch(
        &self,
        _txn: &DatabaseTransaction,
        _ctx: &RequestContext,
        _id: &str,
        _previous: &LoyaltyBurn,
        burn: LoyaltyBurn,
    ) -> Result<LoyaltyBurn, TmfError> {
        Ok(burn)
    }
}
