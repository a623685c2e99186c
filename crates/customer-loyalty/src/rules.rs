//! The rules of the resources whose writes the CRM relies on (each refusal a 422 or 409
//! naming what, nothing stored):
//!
//! - a member is one of the CRM's customers: its `relatedParty` names one with role
//!   `customer` (a stored customer record or party: a checked reference, indexed);
//! - an enrolment names its member and programme, and, when the programme
//!   `needsLoyaltyAccount`, opens the member's loyalty account in its own change (the account
//!   is the server's: read-only for clients);
//! - a balance names its member and a positive quantity with a unit; its quantity and member
//!   never change afterwards (only its `validFor`, per the specification's update schema), and
//!   it is never deleted;
//! - an event names its type and its source `eventId`, and is recorded once per source id: sent
//!   again with the same content it is the stored one, with other content a 409; its
//!   `memberId`, when given, is a stored member; it earns what the rules say
//!   ([`crate::earning`]);
//! - a condition's operator, and an `earn` action's attributes, read.

use std::sync::Arc;

use async_trait::async_trait;
use crm_store::{DatabaseTransaction, DocumentService, DomainRules, NaturalKey};
use rust_decimal::Decimal;
use serde_json::json;
use sid_model::reference::EntityRef;
use sid_model::{
    LoyaltyAction, LoyaltyBalance, LoyaltyCondition, LoyaltyEvent, LoyaltyProgramMember,
    LoyaltyProgramProduct, LoyaltyProgramProductSpec,
};
use tmf_apis::body::from_value;
use tmf_apis::{RequestContext, TmfError};

use crate::earning::{Earning, check_action, check_condition};
use crate::kinds::{
    AccountKind, ActionKind, BalanceKind, ConditionKind, EnrolmentKind, EventKind, MemberKind,
    ProgramKind,
};

/// The role naming the customer a member is.
const CUSTOMER_ROLE: &str = "customer";

/// A member names the customer it is; its next anniversary is watched.
pub struct MemberRules {
    pub(crate) clock: Arc<dyn crm_store::Clock>,
}

impl std::fmt::Debug for MemberRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemberRules").finish_non_exhaustive()
    }
}

impl MemberRules {
    async fn watch(
        &self,
        txn: &DatabaseTransaction,
        id: &str,
        member: &LoyaltyProgramMember,
    ) -> Result<(), TmfError> {
        let document = serde_json::to_value(member).map_err(TmfError::internal)?;
        crate::tenure::watch(txn, id, &document, self.clock.now()).await
    }
}

fn check_member(member: &LoyaltyProgramMember) -> Result<(), TmfError> {
    let customers = member
        .related_party
        .iter()
        .flatten()
        .filter(|party| {
            party
                .role
                .as_deref()
                .is_some_and(|role| role.eq_ignore_ascii_case(CUSTOMER_ROLE))
        })
        .count();
    if customers != 1 {
        return Err(TmfError::invalid_value(format!(
            "'relatedParty' must name exactly one party with role 'customer' (the customer the \
             member is), not {customers}"
        )));
    }
    Ok(())
}

#[async_trait]
impl DomainRules<MemberKind> for MemberRules {
    type Error = TmfError;

    /// The tier is the server's.
    fn server_owned(&self) -> &'static [&'static str] {
        &["tier"]
    }

    async fn create(
        &self,
        txn: &DatabaseTransaction,
        _ctx: &RequestContext,
        id: &str,
        member: LoyaltyProgramMember,
    ) -> Result<LoyaltyProgramMember, TmfError> {
        check_member(&member)?;
        self.watch(txn, id, &member).await?;
        Ok(member)
    }

    async fn patch(
        &self,
        txn: &DatabaseTransaction,
        _ctx: &RequestContext,
        id: &str,
        _previous: &LoyaltyProgramMember,
        member: LoyaltyProgramMember,
    ) -> Result<LoyaltyProgramMember, TmfError> {
        check_member(&member)?;
        self.watch(txn, id, &member).await?;
        Ok(member)
    }
}

/// An enrolment names its member and programme, and opens the account the programme needs.
pub struct EnrolmentRules {
    pub(crate) programs: Arc<DocumentService<ProgramKind>>,
    pub(crate) accounts: Arc<DocumentService<AccountKind>>,
}

impl std::fmt::Debug for EnrolmentRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrolmentRules").finish_non_exhaustive()
    }
}

#[async_trait]
impl DomainRules<EnrolmentKind> for EnrolmentRules {
    type Error = TmfError;

    /// The account is the server's.
    fn server_owned(&self) -> &'static [&'static str] {
        &["loyaltyAccount"]
    }

    async fn create(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        mut enrolment: LoyaltyProgramProduct,
    ) -> Result<LoyaltyProgramProduct, TmfError> {
        let (Some(_), Some(program)) = (
            &enrolment.loyalty_program_member,
            &enrolment.loyalty_program_product_spec,
        ) else {
            return Err(TmfError::invalid_value(
                "an enrolment names its 'loyaltyProgramMember' and its \
                 'loyaltyProgramProductSpec'",
            ));
        };
        // The programme is checked as a reference when the enrolment is written; here it is
        // read for whether it needs an account.
        let Some(document) = self.programs.read_in(txn, &program.id).await? else {
            return Err(TmfError::reference_not_found(format!(
                "'loyaltyProgramProductSpec' refers to '{}', which is not a stored \
                 LoyaltyProgramProductSpec",
                program.id
            )));
        };
        let program: LoyaltyProgramProductSpec = from_value(document)?;
        if program.needs_loyalty_account == Some(true) {
            let account = self
                .accounts
                .create_in(
                    txn,
                    ctx,
                    json!({"loyaltyProgramProduct": {
                        "id": id, "@referredType": "LoyaltyProgramProduct"
                    }}),
                )
                .await?;
            let account_id = account
                .get("id")
                .and_then(serde_json::Value::as_str)
                .ok_or_else(|| TmfError::internal("a loyalty account stored without an id"))?;
            enrolment.loyalty_account = Some(from_value::<EntityRef>(json!({
                "id": account_id, "@referredType": "LoyaltyAccount"
            }))?);
        }
        Ok(enrolment)
    }

    async fn patch(
        &self,
        _txn: &DatabaseTransaction,
        _ctx: &RequestContext,
        _id: &str,
        previous: &LoyaltyProgramProduct,
        enrolment: LoyaltyProgramProduct,
    ) -> Result<LoyaltyProgramProduct, TmfError> {
        let id = |r: &Option<EntityRef>| r.as_ref().map(|r| r.id.clone());
        if id(&previous.loyalty_program_member) != id(&enrolment.loyalty_program_member)
            || id(&previous.loyalty_program_product_spec)
                != id(&enrolment.loyalty_program_product_spec)
        {
            return Err(TmfError::invalid_value(
                "an enrolment keeps its 'loyaltyProgramMember' and 'loyaltyProgramProductSpec': \
                 enrol the member again instead",
            ));
        }
        Ok(enrolment)
    }
}

/// A balance's points never change.
#[derive(Debug, Default)]
pub struct BalanceRules;

#[async_trait]
impl DomainRules<BalanceKind> for BalanceRules {
    type Error = TmfError;

    /// What is left of the points and whether they expired: the server's.
    fn server_owned(&self) -> &'static [&'static str] {
        &["remaining", "state", "expiredQuantity"]
    }

    async fn create(
        &self,
        txn: &DatabaseTransaction,
        _ctx: &RequestContext,
        id: &str,
        balance: LoyaltyBalance,
    ) -> Result<LoyaltyBalance, TmfError> {
        let (Some(_), Some(quantity)) = (&balance.loyalty_program_member, &balance.quantity) else {
            return Err(TmfError::invalid_value(
                "a balance names its 'loyaltyProgramMember' and its 'quantity'",
            ));
        };
        if quantity.value <= Decimal::ZERO {
            return Err(TmfError::invalid_value(format!(
                "'quantity.value' is {}: a balance holds more than nothing",
                quantity.value
            )));
        }
        if quantity.unit.trim().is_empty() {
            return Err(TmfError::invalid_value("'quantity.unit' is empty"));
        }
        let mut document = serde_json::to_value(&balance).map_err(TmfError::internal)?;
        crate::expiry::open(&mut document);
        crate::expiry::watch(txn, id, &document).await?;
        from_value(document)
    }

    async fn patch(
        &self,
        txn: &DatabaseTransaction,
        _ctx: &RequestContext,
        id: &str,
        previous: &LoyaltyBalance,
        balance: LoyaltyBalance,
    ) -> Result<LoyaltyBalance, TmfError> {
        let member = |b: &LoyaltyBalance| b.loyalty_program_member.as_ref().map(|m| m.id.clone());
        let account = |b: &LoyaltyBalance| b.loyalty_account.as_ref().map(|a| a.id.clone());
        for (attribute, changed) in [
            ("quantity", previous.quantity != balance.quantity),
            ("loyaltyProgramMember", member(previous) != member(&balance)),
            ("loyaltyAccount", account(previous) != account(&balance)),
        ] {
            if changed {
                return Err(TmfError::invalid_value(format!(
                    "'{attribute}' of a balance does not change (only 'validFor' does)"
                )));
            }
        }
        // The window may move: so does its expiry.
        let document = serde_json::to_value(&balance).map_err(TmfError::internal)?;
        crate::expiry::watch(txn, id, &document).await?;
        Ok(balance)
    }
}

/// An event is known by its source id, names its member, and earns what the rules say.
pub struct EventRules {
    pub(crate) members: Arc<DocumentService<MemberKind>>,
    pub(crate) earning: Arc<Earning>,
}

impl std::fmt::Debug for EventRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventRules").finish_non_exhaustive()
    }
}

#[async_trait]
impl DomainRules<EventKind> for EventRules {
    type Error = TmfError;

    fn natural_key(&self, event: &LoyaltyEvent) -> Option<NaturalKey> {
        let source = event.event_id.as_deref()?.trim();
        (!source.is_empty()).then(|| NaturalKey {
            key: source.to_owned(),
            named: format!("eventId '{source}'"),
        })
    }

    async fn create(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        event: LoyaltyEvent,
    ) -> Result<LoyaltyEvent, TmfError> {
        if event
            .event_type
            .as_deref()
            .is_none_or(|t| t.trim().is_empty())
        {
            return Err(TmfError::invalid_value(
                "an event names its 'eventType' (the rules listen for it)",
            ));
        }
        // What the product records itself is not reported by clients (it counts for tiers).
        if let Some(kind) = event.event_type.as_deref()
            && crate::earning::PRODUCT_EVENT_TYPES
                .iter()
                .any(|own| own.eq_ignore_ascii_case(kind.trim()))
        {
            return Err(TmfError::invalid_value(format!(
                "'eventType' '{kind}' is recorded by the server itself"
            )));
        }
        // Points are earned once per event: the source id is how a retry is known.
        if event
            .event_id
            .as_deref()
            .is_none_or(|t| t.trim().is_empty())
        {
            return Err(TmfError::invalid_value(
                "an event names its 'eventId' at its source: it is taken once per source id",
            ));
        }
        if let Some(member) = &event.member_id
            && self.members.read_in(txn, member).await?.is_none()
        {
            return Err(TmfError::reference_not_found(format!(
                "'memberId' is '{member}', which is not a stored LoyaltyProgramMember"
            )));
        }
        self.earning.earn(txn, ctx, id, &event).await?;
        Ok(event)
    }

    async fn patch(
        &self,
        _txn: &DatabaseTransaction,
        _ctx: &RequestContext,
        _id: &str,
        _previous: &LoyaltyEvent,
        event: LoyaltyEvent,
    ) -> Result<LoyaltyEvent, TmfError> {
        Ok(event)
    }
}

/// A condition's operator is one the CRM compares with.
#[derive(Debug, Default)]
pub struct ConditionRules;

#[async_trait]
impl DomainRules<ConditionKind> for ConditionRules {
    type Error = TmfError;

    async fn create(
        &self,
        _txn: &DatabaseTransaction,
        _ctx: &RequestContext,
        _id: &str,
        condition: LoyaltyCondition,
    ) -> Result<LoyaltyCondition, TmfError> {
        check_condition(&condition)?;
        Ok(condition)
    }

    async fn patch(
        &self,
        _txn: &DatabaseTransaction,
        _ctx: &RequestContext,
        _id: &str,
        _previous: &LoyaltyCondition,
        condition: LoyaltyCondition,
    ) -> Result<LoyaltyCondition, TmfError> {
        check_condition(&condition)?;
        Ok(condition)
    }
}

/// An action the CRM runs (`earn`) says what it gives.
#[derive(Debug, Default)]
pub struct ActionRules;

#[async_trait]
impl DomainRules<ActionKind> for ActionRules {
    type Error = TmfError;

    async fn create(
        &self,
        _txn: &DatabaseTransaction,
        _ctx: &RequestContext,
        _id: &str,
        action: LoyaltyAction,
    ) -> Result<LoyaltyAction, TmfError> {
        check_action(&action)?;
        Ok(action)
    }

    async fn patch(
        &self,
        _txn: &DatabaseTransaction,
        _ctx: &RequestContext,
        _id: &str,
        _previous: &LoyaltyAction,
        action: LoyaltyAction,
    ) -> Result<LoyaltyAction, TmfError> {
        check_action(&action)?;
        Ok(action)
    }
}
