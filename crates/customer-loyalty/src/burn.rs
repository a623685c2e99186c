//! Burning points into a bill credit: `POST /tmf-api/loyalty/v4/loyaltyBurn` (a documented
//! extension, `specs/LoyaltyBurn-extension.swagger.json`) names the member, the points
//! (`quantity` in `PTS`), the billing account credited and the `currency` of the credit. In
//! one change:
//!
//! - the member's active balances are taken in the order they expire (the end of their
//!   window, then their id), each read again on its lock, and their `remaining` points spent
//!   until the points asked are found; a balance never goes below nothing, and points that
//!   are not there refuse the burn (422, nothing stored);
//! - the points are worth `quantity × [loyalty] burn_rates.{currency}`, rounded down to the
//!   cent, credited through billing's credits hook as a `billAdjustment` of type
//!   `credit` (reason `[loyalty] burn_reason`), under the maker-checker rules of every
//!   adjustment (a large one waits for a supervisor);
//! - the burn records what it took from which balance (`consumed`), the credit and its amount.
//!
//! Two burns of the same member at once are serialised on the balances' locks: the second
//! reads what the first left. The same points are never spent twice. A burn is `completed`;
//! when billing reverses its credit, [`BurnReversal`] gives the points back, once, and the
//! burn is `reversed`.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use crm_module::{BillCredits, CreditRequest};
use crm_store::{Clock, DatabaseTransaction, DocumentService, DomainRules};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Value as Json, json};
use sid_model::{CurrencyCode, LoyaltyBurn, Money};
use tmf_apis::body::from_value;
use tmf_apis::{RequestContext, TmfError};

use crate::earning::{POINTS, decimal, quantity};
use crate::expiry::EXPIRED;
use crate::kinds::{BalanceKind, BurnKind, MemberKind};

/// Who the history names for the balances a burn spends.
const BURN_ACTOR: &str = "system:loyalty-burn";

/// The rules of a burn.
pub struct BurnRules {
    pub(crate) earning: Arc<crate::earning::Earning>,
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

/// The decimal at `value`, nothing when there is none.
fn number(value: Option<&Json>) -> Decimal {
    value.and_then(decimal).unwrap_or_default()
}

fn spending(ctx: &RequestContext, burn: &str) -> RequestContext {
    ctx.acting_as(
        BURN_ACTOR,
        format!("points burned by {burn} ({})", ctx.actor.subject),
    )
}

#[async_trait]
impl DomainRules<BurnKind> for BurnRules {
    type Error = TmfError;

    /// What the burn did is the server's.
    fn server_owned(&self) -> &'static [&'static str] {
        &[
            "creditAmount",
            "credit",
            "consumed",
            "burnDate",
            "state",
            "reversedCredit",
        ]
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
        // Points are credited to the member's own customer's account.
        if !self
            .earning
            .members_of_ids(txn, vec![account.id.clone()])
            .await?
            .contains(&member.id)
        {
            return Err(TmfError::invalid_value(format!(
                "'billingAccount' '{}' is not an account of the member's customer",
                account.id
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
            .filter(|balance| {
                balance.pointer("/quantity/unit").and_then(Json::as_str) == Some(POINTS)
            })
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
            .round_dp_with_strategy(2, RoundingStrategy::ToZero);
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
        burn.extensions.0.insert("state".into(), json!("completed"));
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

/// A burn's credit reversed gives its points back, once: each balance it spent gets back what
/// it gave (to `remaining` while the balance is active; to `expiredQuantity` once it has
/// expired: those points would have expired anyway), and the burn is `reversed`.
pub struct BurnReversal {
    pub(crate) burns: Arc<DocumentService<BurnKind>>,
    pub(crate) balances: Arc<DocumentService<BalanceKind>>,
}

impl std::fmt::Debug for BurnReversal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BurnReversal").finish_non_exhaustive()
    }
}

/// The state of a burn whose credit was reversed.
pub const REVERSED: &str = "reversed";

#[async_trait]
impl crm_module::CreditReversal for BurnReversal {
    async fn reversed(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        credit: &Json,
    ) -> tmf_apis::TmfResult<()> {
        let Some(burn_id) = credit.pointer("/loyaltyBurn/id").and_then(Json::as_str) else {
            return Ok(());
        };
        let Some(mut burn) = self.burns.load_in(txn, burn_id).await? else {
            return Ok(());
        };
        // Only the burn's own credit gives its points back, once.
        let own =
            burn.pointer("/credit/id").is_some() && burn.pointer("/credit/id") == credit.get("id");
        if !own || burn.get("state").and_then(Json::as_str) == Some(REVERSED) {
            return Ok(());
        }
        let giving = {
            let mut giving = spending(ctx, burn_id);
            giving.reason = Some(format!("the credit of {burn_id} was reversed"));
            giving
        };
        let consumed = burn
            .get("consumed")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        for part in consumed {
            let (Some(balance_id), taken) = (
                part.pointer("/loyaltyBalance/id").and_then(Json::as_str),
                number(part.pointer("/quantity/value")),
            ) else {
                continue;
            };
            let Some(mut balance) = self.balances.load_in(txn, balance_id).await? else {
                continue;
            };
            let attribute = match balance.get("state").and_then(Json::as_str) == Some(EXPIRED) {
                true => "expiredQuantity",
                false => "remaining",
            };
            let before = number(balance.pointer(&format!("/{attribute}/value")));
            if let Some(map) = balance.as_object_mut() {
                map.insert(attribute.into(), quantity(POINTS, before + taken));
            }
            self.balances
                .replace_in(txn, &giving, balance_id, balance)
                .await?;
        }
        if let Some(map) = burn.as_object_mut() {
            map.insert("state".into(), json!(REVERSED));
            map.insert(
                "reversedCredit".into(),
                json!({"id": credit.get("reversedBy").and_then(|r| r.get("id")), "@referredType": "BillAdjustment"}),
            );
        }
        self.burns.replace_in(txn, &giving, burn_id, burn).await?;
        Ok(())
    }
}
