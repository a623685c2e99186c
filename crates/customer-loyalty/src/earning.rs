//! Earning points. A `loyaltyEvent` is judged by every `loyaltyRule` in its own change: a
//! rule listening for the event's `eventType` (its `loyaltyEventType`s, named in the rule or
//! linked to it) whose conditions all hold over the event's `event` (each `attribute` a dotted
//! path, `operator` one of `.eq .ne .gt .ge .lt .le` — or `== != > >= < <=` —, `value`
//! compared as decimals when both read as one, else as text) runs its actions of
//! `actionType` `earn`:
//!
//! - `{"points": "500"}`: a fixed number of points;
//! - `{"pointsPerUnit": "1", "amount": "amount.value"}`: points per unit of an amount of the
//!   event (rounded down to whole points).
//!
//! Each earning is one `loyaltyBalance` of the event's member (`PTS`, valid from the event's
//! time for `[loyalty] points_valid_days`), traceable to the event and rule that made it
//! (extension attributes `loyaltyEvent` and `loyaltyRule`), written by `system:loyalty-earning`.
//! An event is stored once per source `eventId`, and earns only when it is stored: at most
//! once per rule, whatever the retries. Other action types are kept as the programme's words.
//!
//! The `points` compensation of an SLA breach (the module contract's hook) grants its points
//! the same way, to the member the SLA's customer is.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use crm_module::{Compensation, CompensationRequest};
use crm_store::{Clock, DatabaseTransaction, DocumentService, StoredType};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Value as Json, json};
use sid_model::{LoyaltyAction, LoyaltyCondition, LoyaltyEvent, LoyaltyEventType, LoyaltyRule};
use tmf_apis::body::from_value;
use tmf_apis::{RequestContext, TmfError, TmfResult};

use crate::kinds::{BalanceKind, MEMBER_TABLE, PROGRAM_TABLE};

/// Who the history names for the points earned.
const EARNING_ACTOR: &str = "system:loyalty-earning";

/// The unit of points.
pub const POINTS: &str = "PTS";

/// The event types the product records itself (clients may not report them).
pub const PRODUCT_EVENT_TYPES: [&str; 3] = ["BillPaid", "OrderCompleted", "TenureAnniversary"];

/// The scope in which the product's own events are known by their source (apart from the
/// events clients report, known by their `eventId`).
const PRODUCT_EVENTS: &str = "LoyaltyProductEvent";

/// `value` of `unit` as the wire writes a quantity: the value a JSON number.
pub(crate) fn quantity(unit: &str, value: Decimal) -> Json {
    serde_json::to_value(sid_model::LoyaltyQuantity {
        unit: unit.to_owned(),
        value,
        extensions: Default::default(),
    })
    .unwrap_or(Json::Null)
}

/// How a condition compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Operator {
    fn read(text: &str) -> Option<Self> {
        Some(match text.trim() {
            ".eq" | "==" | "=" => Self::Eq,
            ".ne" | "!=" => Self::Ne,
            ".gt" | ">" => Self::Gt,
            ".ge" | ">=" => Self::Ge,
            ".lt" | "<" => Self::Lt,
            ".le" | "<=" => Self::Le,
            _ => return None,
        })
    }
}

/// Why a condition or an action is refused: what the CRM would act on does not read.
pub(crate) fn check_condition(condition: &LoyaltyCondition) -> Result<(), TmfError> {
    if Operator::read(&condition.operator).is_none() {
        return Err(TmfError::invalid_value(format!(
            "'operator' is '{}': one of .eq, .ne, .gt, .ge, .lt, .le (or ==, !=, >, >=, <, <=)",
            condition.operator
        )));
    }
    Ok(())
}

/// What an action of type `earn` gives.
#[derive(Debug, Clone, PartialEq)]
enum Earn {
    /// A fixed number of points.
    Points(Decimal),
    /// Points per unit of the amount at a path of the event.
    PerUnit(Decimal, String),
}

/// A decimal given as a JSON number (its exact text) or as a string.
pub(crate) fn decimal(value: &Json) -> Option<Decimal> {
    match value {
        Json::String(text) => text.trim().parse().ok(),
        Json::Number(number) => number.to_string().parse().ok(),
        _ => None,
    }
}

fn is_earn(action: &LoyaltyAction) -> bool {
    action
        .action_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("earn"))
}

/// What an `earn` action gives; `None` for other action types.
fn earn_of(action: &LoyaltyAction) -> Result<Option<Earn>, TmfError> {
    if !is_earn(action) {
        return Ok(None);
    }
    let attributes = action.action_attributes.as_ref().unwrap_or(&Json::Null);
    let positive = |name: &str| {
        attributes
            .get(name)
            .and_then(decimal)
            .filter(|d| *d > Decimal::ZERO)
    };
    if let Some(points) = positive("points") {
        return Ok(Some(Earn::Points(points)));
    }
    if let (Some(rate), Some(path)) = (
        positive("pointsPerUnit"),
        attributes.get("amount").and_then(Json::as_str),
    ) {
        return Ok(Some(Earn::PerUnit(rate, path.to_owned())));
    }
    Err(TmfError::invalid_value(
        "an action of actionType 'earn' gives 'actionAttributes' {\"points\": N} or \
         {\"pointsPerUnit\": N, \"amount\": \"path.in.the.event\"}, N a positive decimal",
    ))
}

/// Refuses an `earn` action whose attributes do not read.
pub(crate) fn check_action(action: &LoyaltyAction) -> Result<(), TmfError> {
    earn_of(action).map(|_| ())
}

/// The value at the dotted `path` of `event`.
fn at<'a>(event: &'a Json, path: &str) -> Option<&'a Json> {
    path.split('.')
        .filter(|segment| !segment.is_empty())
        .try_fold(event, |value, segment| value.get(segment))
}

/// Whether `condition` holds over `event`.
fn holds(condition: &LoyaltyCondition, event: &Json) -> bool {
    let (Some(operator), Some(actual)) = (
        Operator::read(&condition.operator),
        at(event, &condition.attribute),
    ) else {
        return false;
    };
    let expected = Json::String(condition.value.clone());
    match (decimal(actual), decimal(&expected)) {
        (Some(a), Some(b)) => match operator {
            Operator::Eq => a == b,
            Operator::Ne => a != b,
            Operator::Gt => a > b,
            Operator::Ge => a >= b,
            Operator::Lt => a < b,
            Operator::Le => a <= b,
        },
        _ => {
            let text = match actual {
                Json::String(text) => text.clone(),
                other => other.to_string(),
            };
            match operator {
                Operator::Eq => text == condition.value,
                Operator::Ne => text != condition.value,
                _ => false,
            }
        }
    }
}

/// Points are granted here.
pub struct Earning {
    pub(crate) balances: Arc<DocumentService<BalanceKind>>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) valid_days: i64,
    pub(crate) customers: Option<StoredType>,
    /// Where billing accounts are stored (a payment names the account, whose parties are the
    /// customer).
    pub(crate) accounts: Option<StoredType>,
    /// The members' tiers, recomputed before an event is judged.
    pub(crate) tiers: Arc<crate::tiers::Tiers>,
}

impl std::fmt::Debug for Earning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Earning")
            .field("valid_days", &self.valid_days)
            .finish_non_exhaustive()
    }
}

fn earning_context(ctx: &RequestContext, reason: String) -> RequestContext {
    ctx.acting_as(EARNING_ACTOR, reason)
}

/// The documents of `ids` in the programme's table, of `kind`, typed.
async fn typed<T: serde::de::DeserializeOwned>(
    txn: &DatabaseTransaction,
    ids: &[String],
    kind: &str,
) -> TmfResult<Vec<T>> {
    Ok(
        crm_store::relations::documents_on(txn, PROGRAM_TABLE, ids, &[kind])
            .await?
            .into_iter()
            .filter_map(|document| from_value(document).ok())
            .collect(),
    )
}

/// The ids a rule names in `list`, and those its links of `link_kind` name at `target`.
async fn named(
    txn: &DatabaseTransaction,
    rule: &str,
    list: Option<&[sid_model::reference::EntityRef]>,
    link_kind: &str,
    target: &str,
) -> TmfResult<Vec<String>> {
    let mut ids: Vec<String> = list
        .unwrap_or_default()
        .iter()
        .map(|r| r.id.clone())
        .collect();
    let links = crm_store::relations::referrers(
        txn,
        &[rule.to_owned()],
        PROGRAM_TABLE,
        Some("loyaltyRule"),
    )
    .await?;
    for link in crm_store::relations::documents_on(txn, PROGRAM_TABLE, &links, &[link_kind]).await?
    {
        if let Some(id) = link
            .pointer(&format!("/{target}/id"))
            .and_then(Json::as_str)
        {
            ids.push(id.to_owned());
        }
    }
    ids.sort();
    ids.dedup();
    Ok(ids)
}

impl Earning {
    /// Grants `points` to `member` within `txn`, from `from` for the configured window, with
    /// `origin` (extension attributes saying what made them); returns the balance.
    pub(crate) async fn grant(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        member: &str,
        points: Decimal,
        from: DateTime<Utc>,
        origin: Json,
    ) -> TmfResult<Json> {
        let end = from
            .checked_add_signed(Duration::days(self.valid_days))
            .ok_or_else(|| {
                TmfError::invalid_value(format!("points earned at {from} would never expire"))
            })?;
        let mut balance = json!({
            "loyaltyProgramMember": {"id": member, "@referredType": "LoyaltyProgramMember"},
            "quantity": quantity(POINTS, points),
            "validFor": {"startDateTime": from, "endDateTime": end},
        });
        if let (Some(map), Json::Object(origin)) = (balance.as_object_mut(), origin) {
            map.extend(origin);
        }
        crate::expiry::open(&mut balance);
        let stored = self.balances.create_in(txn, ctx, balance).await?;
        let id = stored
            .get("id")
            .and_then(Json::as_str)
            .ok_or_else(|| TmfError::internal("a balance stored without an id"))?;
        crate::expiry::watch(txn, id, &stored).await?;
        Ok(stored)
    }

    /// Judges `event` (stored as `id`) by every rule, granting what the rules it meets earn;
    /// returns the balances made.
    pub(crate) async fn earn(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        event: &LoyaltyEvent,
    ) -> TmfResult<Vec<Json>> {
        let (Some(member), Some(event_type)) = (&event.member_id, &event.event_type) else {
            return Ok(Vec::new());
        };
        let payload = event.event.clone().unwrap_or(Json::Null);
        let from = event.event_time.unwrap_or_else(|| self.clock.now());
        // The event may lift the member's tier: it counts before the rules judge it.
        let multiplier = self.tiers.follow(txn, ctx, member).await?;
        let mut earned = Vec::new();
        for document in crm_store::relations::all_of_kind(txn, PROGRAM_TABLE, "LoyaltyRule").await?
        {
            let Ok(rule) = from_value::<LoyaltyRule>(document) else {
                continue;
            };
            let Some(rule_id) = rule.id.clone() else {
                continue;
            };
            let types = named(
                txn,
                &rule_id,
                rule.loyalty_event_type.as_deref(),
                "LoyaltyRuleEventType",
                "loyaltyEventType",
            )
            .await?;
            let listens = typed::<LoyaltyEventType>(txn, &types, "LoyaltyEventType")
                .await?
                .iter()
                .any(|t| t.event_type.eq_ignore_ascii_case(event_type));
            if !listens {
                continue;
            }
            let conditions = named(
                txn,
                &rule_id,
                rule.loyalty_condition.as_deref(),
                "LoyaltyRuleCondition",
                "loyaltyCondition",
            )
            .await?;
            let met = typed::<LoyaltyCondition>(txn, &conditions, "LoyaltyCondition")
                .await?
                .iter()
                .all(|condition| holds(condition, &payload));
            if !met {
                continue;
            }
            let actions = named(
                txn,
                &rule_id,
                rule.loyalty_action.as_deref(),
                "LoyaltyRuleAction",
                "loyaltyAction",
            )
            .await?;
            for action in typed::<LoyaltyAction>(txn, &actions, "LoyaltyAction").await? {
                let points = match earn_of(&action) {
                    Ok(Some(Earn::Points(points))) => points,
                    Ok(Some(Earn::PerUnit(rate, path))) => {
                        let Some(amount) = at(&payload, &path).and_then(decimal) else {
                            continue;
                        };
                        amount.checked_mul(rate).unwrap_or_default()
                    }
                    Ok(None) | Err(_) => continue,
                };
                let by_tier = action
                    .action_attributes
                    .as_ref()
                    .and_then(|a| a.get("byTier"))
                    .and_then(Json::as_bool)
                    == Some(true);
                // Whole points, rounded down, once the tier has multiplied them.
                let points = match by_tier {
                    true => points.checked_mul(multiplier).unwrap_or_default(),
                    false => points,
                }
                .round_dp_with_strategy(0, RoundingStrategy::ToZero);
                if points <= Decimal::ZERO {
                    continue;
                }
                let origin = json!({
                    "loyaltyEvent": {"id": id, "eventId": event.event_id, "@referredType": "LoyaltyEvent"},
                    "loyaltyRule": {"id": rule_id, "@referredType": "LoyaltyRule"},
                });
                let reason = format!("rule {rule_id} earned on event {id}");
                earned.push(
                    self.grant(
                        txn,
                        &earning_context(ctx, reason),
                        member,
                        points,
                        from,
                        origin,
                    )
                    .await?,
                );
            }
        }
        Ok(earned)
    }

    /// The members the customer `ids` name is (by a customer record or the party behind it).
    async fn members_of(
        &self,
        txn: &DatabaseTransaction,
        mut ids: Vec<String>,
    ) -> TmfResult<Vec<Json>> {
        if let Some(accounts) = self.accounts {
            let named = crm_store::relations::documents_on(txn, accounts.table, &ids, &[]).await?;
            for account in named {
                for party in account
                    .get("relatedParty")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(id) = party.get("id").and_then(Json::as_str) {
                        ids.push(id.to_owned());
                    }
                }
            }
        }
        if let Some(customers) = self.customers {
            ids = crm_store::relations::customer_ids(txn, customers, ids).await?;
        }
        let members = crm_store::relations::referrers(txn, &ids, MEMBER_TABLE, None).await?;
        crm_store::relations::documents_on(txn, MEMBER_TABLE, &members, &["LoyaltyProgramMember"])
            .await
    }
}

impl Earning {
    /// The ids of the members a customer known by `ids` is, newest first.
    pub(crate) async fn members_of_ids(
        &self,
        txn: &DatabaseTransaction,
        ids: Vec<String>,
    ) -> TmfResult<Vec<String>> {
        Ok(self
            .members_of(txn, ids)
            .await?
            .iter()
            .filter_map(|member| member.get("id").and_then(Json::as_str).map(str::to_owned))
            .collect())
    }

    /// The member a customer known by `ids` is (the oldest membership), if any.
    pub(crate) async fn member_of(
        &self,
        txn: &DatabaseTransaction,
        ids: Vec<String>,
    ) -> TmfResult<Option<String>> {
        Ok(self.members_of_ids(txn, ids).await?.pop())
    }
}

/// What customers do in the product's other domains, heard in those domains' changes (a bill
/// paid: `BillPaid`, from billing's payments; an order completed: `OrderCompleted`, a rule on
/// every order), recorded as a `loyaltyEvent` of the customer's membership (its `eventId`
/// `{type}:{source id}`, taken once) and judged by the rules like any other. A customer who is
/// not a member earns nothing.
pub struct ProductEvents {
    pub(crate) earning: Arc<Earning>,
    pub(crate) events: Arc<DocumentService<crate::kinds::EventKind>>,
}

impl std::fmt::Debug for ProductEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProductEvents").finish_non_exhaustive()
    }
}

impl ProductEvents {
    async fn record(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        event: &crm_module::BusinessEvent,
    ) -> TmfResult<()> {
        let Some(member) = self.earning.member_of(txn, event.parties.clone()).await? else {
            return Ok(());
        };
        self.record_for(txn, ctx, &member, event).await
    }

    /// Records `event` as a `loyaltyEvent` of `member` (once per source id) and judges it.
    pub(crate) async fn record_for(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        member: &str,
        event: &crm_module::BusinessEvent,
    ) -> TmfResult<()> {
        let source = format!("{}:{}", event.event_type, event.source_id);
        let body = json!({
            "eventType": event.event_type,
            "eventId": source,
            "memberId": member,
            "eventTime": self.earning.clock.now(),
            "event": event.payload,
        });
        let fingerprint = crm_store::idempotency::fingerprint(&body);
        if crm_store::idempotency::check(txn, PRODUCT_EVENTS, &source, &fingerprint).await?
            != crm_store::idempotency::Seen::New
        {
            return Ok(());
        }
        let recording = earning_context(ctx, format!("{} {}", event.event_type, event.source_id));
        let stored = self.events.create_in(txn, &recording, body).await?;
        let id = stored
            .get("id")
            .and_then(Json::as_str)
            .ok_or_else(|| TmfError::internal("a loyalty event stored without an id"))?
            .to_owned();
        crm_store::idempotency::remember(txn, PRODUCT_EVENTS, &source, &fingerprint, &id).await?;
        let typed: LoyaltyEvent = from_value(stored)?;
        self.earning.earn(txn, &recording, &id, &typed).await?;
        Ok(())
    }
}

#[async_trait]
impl crm_module::BusinessEventListener for ProductEvents {
    async fn happened(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        event: &crm_module::BusinessEvent,
    ) -> TmfResult<()> {
        self.record(txn, ctx, event).await
    }
}

/// An order completed is an `OrderCompleted` event of its customer (a rule on every order).
pub struct OrderEvents(pub(crate) Arc<ProductEvents>);

impl std::fmt::Debug for OrderEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrderEvents").finish_non_exhaustive()
    }
}

#[async_trait]
impl crm_module::SubtypeRules for OrderEvents {
    async fn apply(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        previous: Option<&Json>,
        requested: &mut Json,
    ) -> TmfResult<()> {
        let state = |order: &Json| order.get("state").and_then(Json::as_str).map(str::to_owned);
        let completed = state(requested).as_deref() == Some("completed");
        let before = previous.and_then(state);
        let (true, Some(id)) = (
            completed && before.as_deref() != Some("completed"),
            requested.get("id").and_then(Json::as_str),
        ) else {
            return Ok(());
        };
        let parties: Vec<String> = requested
            .get("relatedParty")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(|party| party.get("id").and_then(Json::as_str).map(str::to_owned))
            .collect();
        let event = crm_module::BusinessEvent {
            event_type: "OrderCompleted",
            source_id: id.to_owned(),
            parties,
            payload: json!({
                "order": {"id": id},
                "orderTotalPrice": requested.get("orderTotalPrice").cloned().unwrap_or(Json::Null),
            }),
        };
        self.0.record(txn, ctx, &event).await
    }
}

/// The `points` compensation of an SLA breach: points to the member the customer is.
pub struct PointsCompensation(pub(crate) Arc<Earning>);

impl std::fmt::Debug for PointsCompensation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PointsCompensation").finish_non_exhaustive()
    }
}

#[async_trait]
impl Compensation for PointsCompensation {
    fn kind(&self) -> &'static str {
        "points"
    }

    async fn propose(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        request: &CompensationRequest,
    ) -> TmfResult<Json> {
        let Some(member) = self
            .0
            .member_of(txn, vec![request.customer.0.clone()])
            .await?
        else {
            return Err(TmfError::invalid_value(format!(
                "customer '{}' is not a loyalty member",
                request.customer.0
            )));
        };
        let origin = json!({
            "slaViolation": {"id": request.violation, "@referredType": "SlaViolation"},
            "description": request.description,
        });
        let balance = self
            .0
            .grant(
                txn,
                ctx,
                &member,
                request.quantity,
                self.0.clock.now(),
                origin,
            )
            .await?;
        Ok(json!({"id": balance["id"], "@referredType": "LoyaltyBalance"}))
    }
}
