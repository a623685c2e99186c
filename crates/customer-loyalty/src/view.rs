//! The 360 view's `loyalty`: the customer's memberships, each with the points it can burn
//! (`points`: what is left of its active balances) and those expiring within 30 days
//! (`expiringSoon`: each balance's remaining points and the end of its window, soonest first).

use std::sync::Arc;

use async_trait::async_trait;
use chrono::Duration;
use crm_module::{ViewContributor, ViewSubject};
use crm_store::{Clock, DocumentService, Store};
use rust_decimal::Decimal;
use serde_json::{Value as Json, json};
use tmf_apis::{RequestContext, TmfResult};

use crate::earning::{POINTS, decimal, quantity};
use crate::expiry::EXPIRED;
use crate::kinds::{BalanceKind, MEMBER_TABLE};

/// How far ahead "expiring soon" looks.
const SOON_DAYS: i64 = 30;

/// The `loyalty` section.
pub(crate) struct LoyaltySection {
    pub(crate) store: Store,
    pub(crate) balances: Arc<DocumentService<BalanceKind>>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for LoyaltySection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoyaltySection").finish_non_exhaustive()
    }
}

#[async_trait]
impl ViewContributor for LoyaltySection {
    fn section(&self) -> &'static str {
        "loyalty"
    }

    async fn contribute(&self, _ctx: &RequestContext, subject: &ViewSubject) -> TmfResult<Json> {
        let related =
            crm_store::relations::referencing_some(self.store.connection(), &subject.ids()).await?;
        let ids: Vec<String> = related
            .resources
            .into_iter()
            .filter(|(table, _)| table == MEMBER_TABLE)
            .map(|(_, id)| id)
            .collect();
        let members = crm_store::relations::documents(
            &self.store,
            MEMBER_TABLE,
            &ids,
            &["LoyaltyProgramMember"],
        )
        .await?;
        let now = self.clock.now();
        let soon = now + Duration::days(SOON_DAYS);
        let mut out = Vec::with_capacity(members.len());
        for mut member in members {
            let Some(id) = member.get("id").and_then(Json::as_str).map(str::to_owned) else {
                continue;
            };
            let balances = self
                .balances
                .find_in(self.store.connection(), "loyaltyProgramMember.id", &id)
                .await?;
            let mut points = Decimal::ZERO;
            let mut expiring = Vec::new();
            for balance in &balances {
                if balance.get("state").and_then(Json::as_str) == Some(EXPIRED) {
                    continue;
                }
                let left = balance
                    .pointer("/remaining/value")
                    .and_then(decimal)
                    .unwrap_or_default();
                let end = balance
                    .pointer("/validFor/endDateTime")
                    .and_then(Json::as_str)
                    .and_then(|end| end.parse::<chrono::DateTime<chrono::Utc>>().ok());
                if end.is_some_and(|end| end <= now) || left <= Decimal::ZERO {
                    continue;
                }
                points = points.checked_add(left).unwrap_or(Decimal::MAX);
                if let Some(end) = end.filter(|end| *end <= soon) {
                    expiring.push((end, left));
                }
            }
            expiring.sort();
            if let Some(map) = member.as_object_mut() {
                map.insert("points".into(), quantity(POINTS, points));
                map.insert(
                    "expiringSoon".into(),
                    Json::Array(
                        expiring
                            .into_iter()
                            .map(|(end, left)| {
                                json!({"quantity": quantity(POINTS, left), "endDateTime": end})
                            })
                            .collect(),
                    ),
                );
            }
            out.push(member);
        }
        Ok(Json::Array(out))
    }
}
