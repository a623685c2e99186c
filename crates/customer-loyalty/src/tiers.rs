//! Tiers from value: each member stands in the highest configured tier (`[loyalty] tiers`,
//! lowest first: bronze, silver, gold, platinum by default) whose thresholds it meets — what
//! the customer paid in the rolling window (`tier_window_days`, in `tier_currency`: the
//! amounts of its `BillPaid` events) and its tenure (days since its `validFor` started). The
//! tier is recomputed in the change of every event of the member (a payment, an order, an
//! event reported), before the rules judge it, so a payment that lifts the member earns at
//! the new tier's multiplier; the member carries it as the extension attribute `tier` (`name`,
//! `multiplier`, `since`, `paidInWindow`, `tenureDays`), written by `system:loyalty-tier` with
//! its history and event when it changes. An `earn` action with `"byTier": true` multiplies
//! the points by the member's tier's multiplier. When the oldest payment counted will leave
//! the window is a row of `crm_store::deadlines`; the `loyaltyTierReview` job recomputes the
//! tier then, so a tier falls when the payments that held it age out, with no event needed.

use std::sync::Arc;

use chrono::Duration;
use crm_store::{Clock, DatabaseTransaction, DocumentService};
use rust_decimal::Decimal;
use serde_json::{Value as Json, json};
use tmf_apis::{RequestContext, TmfError, TmfResult};

use crate::kinds::{EventKind, MemberKind};

/// Who the history names for tier changes.
const TIER_ACTOR: &str = "system:loyalty-tier";

/// The owner of the members' tier reviews in `deadline`: when a payment counted leaves the
/// window.
pub(crate) const REVIEW: &str = "loyalty-tier";

/// The job's name.
pub const TIER_JOB: &str = "loyaltyTierReview";

/// One tier.
#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    /// Its name.
    pub name: String,
    /// What must have been paid in the window.
    pub min_paid: Decimal,
    /// The tenure needed, in days.
    pub min_tenure_days: i64,
    /// What earning is multiplied by.
    pub multiplier: Decimal,
}

/// The tier of a member who paid `paid` with `tenure_days` of tenure: the highest of `tiers`
/// (lowest first) whose thresholds are both met; the first when none is.
pub fn tier_of(tiers: &[Tier], paid: Decimal, tenure_days: i64) -> Option<&Tier> {
    tiers
        .iter()
        .rev()
        .find(|tier| paid >= tier.min_paid && tenure_days >= tier.min_tenure_days)
        .or(tiers.first())
}

/// The tiers and what they are computed from.
pub struct Tiers {
    pub(crate) levels: Vec<Tier>,
    pub(crate) currency: String,
    pub(crate) window_days: i64,
    pub(crate) members: Arc<DocumentService<MemberKind>>,
    pub(crate) events: Arc<DocumentService<EventKind>>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Tiers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tiers")
            .field("levels", &self.levels)
            .finish_non_exhaustive()
    }
}

/// A decimal as a JSON number (its text kept exact).
fn number(value: Decimal) -> Json {
    serde_json::from_str(&value.to_string()).unwrap_or(Json::Null)
}

impl Tiers {
    /// Recomputes the tier of `member` inside `txn` (the member locked), writing it when it
    /// changed; returns its multiplier.
    pub(crate) async fn follow(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        member: &str,
    ) -> TmfResult<Decimal> {
        let Some(mut document) = self.members.load_in(txn, member).await? else {
            return Ok(Decimal::ONE);
        };
        let now = self.clock.now();
        let since = now - Duration::days(self.window_days);
        let mut paid = Decimal::ZERO;
        // When the oldest payment counted leaves the window: the tier may fall then.
        let mut leaves: Option<chrono::DateTime<chrono::Utc>> = None;
        for event in self.events.find_in(txn, "memberId", member).await? {
            let counted = event.get("eventType").and_then(Json::as_str) == Some("BillPaid")
                && event.pointer("/event/amount/unit").and_then(Json::as_str)
                    == Some(self.currency.as_str())
                && event
                    .get("eventTime")
                    .and_then(Json::as_str)
                    .and_then(|at| at.parse::<chrono::DateTime<chrono::Utc>>().ok())
                    .is_some_and(|at| at > since && at <= now);
            if counted
                && let Some(amount) = event
                    .pointer("/event/amount/value")
                    .and_then(crate::earning::decimal)
            {
                paid = paid.checked_add(amount).unwrap_or(Decimal::MAX);
                let at = event
                    .get("eventTime")
                    .and_then(Json::as_str)
                    .and_then(|at| at.parse::<chrono::DateTime<chrono::Utc>>().ok());
                if let Some(out) =
                    at.and_then(|at| at.checked_add_signed(Duration::days(self.window_days)))
                {
                    leaves = Some(leaves.map_or(out, |earliest| earliest.min(out)));
                }
            }
        }
        let review = crm_store::deadlines::Deadline {
            key: member.to_owned(),
            target_id: member.to_owned(),
            stage: "member".to_owned(),
            next_at: leaves.map(crm_store::deadlines::to_millis_ceil),
            detail: json!({}),
        };
        crm_store::deadlines::put(txn, REVIEW, &review).await?;
        let tenure = document
            .pointer("/validFor/startDateTime")
            .and_then(Json::as_str)
            .and_then(|start| start.parse::<chrono::DateTime<chrono::Utc>>().ok())
            .map_or(0, |start| (now - start).num_days().max(0));
        let Some(tier) = tier_of(&self.levels, paid, tenure) else {
            return Ok(Decimal::ONE);
        };
        let current = document.pointer("/tier/name").and_then(Json::as_str);
        if current != Some(tier.name.as_str()) {
            let standing = json!({
                "name": tier.name,
                "multiplier": number(tier.multiplier),
                "since": now,
                "paidInWindow": {"unit": self.currency, "value": number(paid)},
                "tenureDays": tenure,
            });
            let map = document
                .as_object_mut()
                .ok_or_else(|| TmfError::internal(format!("member {member} is not an object")))?;
            map.insert("tier".into(), standing);
            let changing = ctx.acting_as(TIER_ACTOR, format!("tier {}", tier.name));
            self.members
                .replace_in(txn, &changing, member, document)
                .await?;
        }
        Ok(tier.multiplier)
    }
}

/// The tier review job.
pub struct TierReview {
    pub(crate) store: crm_store::Store,
    pub(crate) tiers: Arc<Tiers>,
    pub(crate) interval: std::time::Duration,
}

impl std::fmt::Debug for TierReview {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TierReview")
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

impl TierReview {
    /// One pass: every member whose oldest counted payment had left the window by the pass's
    /// start, its tier recomputed on its lock. Returns them.
    pub async fn run_once(&self) -> TmfResult<Vec<String>> {
        let ctx = RequestContext::system(TIER_ACTOR, "payments left the tier window");
        let now = self.tiers.clock.now();
        let mut reviewed = Vec::new();
        let mut pass = crm_store::deadlines::DuePass::new(REVIEW, now);
        while let Some(due) = pass.next_page(self.store.connection()).await? {
            for row in due {
                let member = row.target_id.clone();
                let outcome = self
                    .store
                    .write(async |txn| self.tiers.follow(txn, &ctx, &member).await)
                    .await;
                match outcome {
                    Ok(_) => reviewed.push(member),
                    Err(error) => {
                        tracing::warn!(member = %row.target_id, error = %error.message,
                            "tier not reviewed; retried on the next pass");
                    }
                }
            }
        }
        Ok(reviewed)
    }
}

#[async_trait::async_trait]
impl crm_module::Job for TierReview {
    fn name(&self) -> &'static str {
        TIER_JOB
    }

    fn interval(&self) -> std::time::Duration {
        self.interval
    }

    async fn run_once(&self) -> TmfResult<Vec<String>> {
        TierReview::run_once(self).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiers() -> Vec<Tier> {
        [
            ("bronze", "0", 0, "1"),
            ("silver", "500", 0, "1.25"),
            ("gold", "2000", 365, "1.5"),
        ]
        .into_iter()
        .map(|(name, paid, days, multiplier)| Tier {
            name: name.into(),
            min_paid: paid.parse().expect("d"),
            min_tenure_days: days,
            multiplier: multiplier.parse().expect("d"),
        })
        .collect()
    }

    #[test]
    fn a_tier_needs_both_its_payments_and_its_tenure_at_the_boundaries() {
        let t = tiers();
        let name = |paid: &str, days| {
            tier_of(&t, paid.parse().expect("d"), days)
                .map(|tier| tier.name.clone())
                .expect("a tier")
        };
        assert_eq!(name("0", 0), "bronze");
        assert_eq!(name("499.99", 1000), "bronze");
        assert_eq!(name("500", 0), "silver");
        assert_eq!(name("2000", 364), "silver", "gold needs a year");
        assert_eq!(name("2000", 365), "gold");
        assert_eq!(name("1999.99", 365), "silver");
        assert!(tier_of(&[], Decimal::ZERO, 0).is_none());
    }
}
