//! Hooks: what one domain offers the others, declared at assembly and looked up by name,
//! so that no application crate depends on another.
//!
//! - A **writer** creates resources of a type inside another domain's change (a ticket
//!   logged from a call records the call as a party interaction).
//! - **Subtype rules** are the rules of a subtype of another domain's resource, owned by the
//!   domain the subtype belongs to: billing owns trouble tickets of type "Bill Dispute"
//!   without `customer-problem` knowing bills.
//! - **Type rules** are rules another domain adds to every resource of a type (the SLA domain
//!   measures every ticket's resolution and first response), with the same contract as
//!   subtype rules, called after them.
//! - **Account balances** are kept by the domain that stores accounts and set by the domains
//!   whose money moves them (unsettled bills make a billing account's receivable balance),
//!   inside the change that moves the money.
//! - A **compensation** is what a breach of an SLA rule costs the provider, proposed by the
//!   domain that owns what is given: billing proposes a credit (`credit`), loyalty will award
//!   points (`points`), without the SLA domain knowing either.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use crm_store::{DatabaseTransaction, DocumentWriter};
use serde_json::Value;
use sid_model::Money;
use tmf_apis::{RequestContext, TmfError, TmfResult};

use crate::ModuleError;

/// The rules a domain sets for a subtype of a resource another domain serves. The serving
/// domain calls them inside its write's transaction, after its own rules and before the
/// document is written.
#[async_trait]
pub trait SubtypeRules: Send + Sync {
    /// Judges `requested` (a create when `previous` is `None`): refuses it with the error to
    /// return to the client, or amends it (server-owned attributes of the subtype).
    async fn apply(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        previous: Option<&Value>,
        requested: &mut Value,
    ) -> TmfResult<()>;
}

/// Applies `rules` in order to `model` (a create when `previous` is `None`), as the domain
/// serving the type calls the subtype and type rules other domains set: over the model's JSON,
/// which each may amend; returns what they leave. No rules: `model` as it is.
pub async fn apply_rules<M>(
    rules: &[Arc<dyn SubtypeRules>],
    txn: &DatabaseTransaction,
    ctx: &RequestContext,
    previous: Option<&M>,
    model: M,
) -> TmfResult<M>
where
    M: serde::Serialize + serde::de::DeserializeOwned,
{
    if rules.is_empty() {
        return Ok(model);
    }
    let previous = previous
        .map(serde_json::to_value)
        .transpose()
        .map_err(TmfError::internal)?;
    let mut document = serde_json::to_value(&model).map_err(TmfError::internal)?;
    for rule in rules {
        rule.apply(txn, ctx, previous.as_ref(), &mut document)
            .await?;
    }
    tmf_apis::body::from_value(document)
}

/// The balances of accounts (TMF666 `accountBalance`), kept by the domain that stores
/// accounts for the domains whose money moves them.
#[async_trait]
pub trait AccountBalances: Send + Sync {
    /// Sets the balance of type `balance_type` (`receivableBalance`) in `amount`'s currency on
    /// the billing account `account` to `amount`, inside `txn`: recorded in the account's
    /// history, with its events, as any change of the account. A balance already at that
    /// amount is left as it is.
    async fn set_balance(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        account: &str,
        balance_type: &str,
        amount: Money,
    ) -> TmfResult<()>;
}

/// What a breach costs, as the SLA domain asks for it: `quantity` of `unit` (an amount in a
/// currency for a credit, points for loyalty) given to the customer for the violation.
#[derive(Debug, Clone, PartialEq)]
pub struct CompensationRequest {
    /// The violation compensated (recorded in the same change, under this id).
    pub violation: String,
    /// The SLA and the rule missed, for the record.
    pub sla: String,
    /// The rule missed.
    pub rule: String,
    /// The customer (the SLA's consumer): its id and `@referredType`.
    pub customer: (String, String),
    /// The billing account to credit, when the SLA names one.
    pub billing_account: Option<String>,
    /// How much.
    pub quantity: rust_decimal::Decimal,
    /// Of what: a currency (`EUR`) for a credit, `PTS` for points.
    pub unit: String,
    /// Why, in words (the rule's consequence and what was measured).
    pub description: String,
}

/// Proposes what a breach costs, in the domain that owns it.
#[async_trait]
pub trait Compensation: Send + Sync {
    /// The first word of the consequences it handles (`credit`, `points`).
    fn kind(&self) -> &'static str;

    /// Proposes the compensation inside `txn` (the violation's change), with the rules any
    /// proposal of its kind obeys; returns a reference to what it proposed (`id`,
    /// `@referredType`).
    async fn propose(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        request: &CompensationRequest,
    ) -> TmfResult<Value>;
}

/// A credit another domain asks billing for (loyalty burns points into one): `amount` on the
/// billing account `billing_account`, for `reason` (one of billing's adjustment reasons), with
/// `origin` (extension attributes saying what asked for it: `{"loyaltyBurn": {"id": …}}`).
#[derive(Debug, Clone, PartialEq)]
pub struct CreditRequest {
    /// The billing account credited.
    pub billing_account: String,
    /// How much.
    pub amount: Money,
    /// Why, as an adjustment reason.
    pub reason: String,
    /// Why, in words.
    pub description: String,
    /// What asked for the credit, as extension attributes of the adjustment.
    pub origin: Value,
}

/// Credits to billing accounts, made by the domain that owns them under its rules.
#[async_trait]
pub trait BillCredits: Send + Sync {
    /// Makes the credit inside `txn` (the asking domain's change), under the rules every
    /// credit obeys (maker-checker); returns a reference to it (`id`, `@referredType`).
    async fn credit(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        request: &CreditRequest,
    ) -> TmfResult<Value>;
}

/// What a domain does when a credit it asked for is reversed, rejected or withdrawn (loyalty
/// gives the burned points back), inside that change.
#[async_trait]
pub trait CreditReversal: Send + Sync {
    /// `credit` (the adjustment, with the extension attributes the asking domain gave it) has
    /// just been reversed, or will never be made (rejected, withdrawn), inside `txn`.
    async fn reversed(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        credit: &Value,
    ) -> TmfResult<()>;
}

/// Something a customer did that another domain may reward (loyalty: a bill paid), told by
/// the domain where it happened, inside its change.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessEvent {
    /// Its type (`BillPaid`).
    pub event_type: &'static str,
    /// Its id at its source (the payment's), unique within its type: told once.
    pub source_id: String,
    /// The ids the customer is known by there (a party, a customer record, a billing account).
    pub parties: Vec<String>,
    /// What happened (`{"amount": …}`).
    pub payload: Value,
}

/// What a domain does when a customer does something (loyalty earns points).
#[async_trait]
pub trait BusinessEventListener: Send + Sync {
    /// `event` happened inside `txn`.
    async fn happened(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        event: &BusinessEvent,
    ) -> TmfResult<()>;
}

/// Every hook offered by the modules.
#[derive(Clone, Default)]
pub struct Hooks {
    business_listeners: Vec<Arc<dyn BusinessEventListener>>,
    bill_credits: Option<Arc<dyn BillCredits>>,
    credit_reversals: Vec<Arc<dyn CreditReversal>>,
    writers: BTreeMap<&'static str, Arc<dyn DocumentWriter>>,
    subtypes: BTreeMap<&'static str, BTreeMap<String, Arc<dyn SubtypeRules>>>,
    balances: Option<Arc<dyn AccountBalances>>,
    compensations: BTreeMap<&'static str, Arc<dyn Compensation>>,
    type_rules: BTreeMap<&'static str, Vec<Arc<dyn SubtypeRules>>>,
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hooks")
            .field("writers", &self.writers.keys().collect::<Vec<_>>())
            .field(
                "subtypes",
                &self
                    .subtypes
                    .iter()
                    .map(|(resource, rules)| (resource, rules.keys().collect::<Vec<_>>()))
                    .collect::<Vec<_>>(),
            )
            .field("balances", &self.balances.is_some())
            .field("bill_credits", &self.bill_credits.is_some())
            .field("credit_reversals", &self.credit_reversals.len())
            .field("business_listeners", &self.business_listeners.len())
            .field(
                "compensations",
                &self.compensations.keys().collect::<Vec<_>>(),
            )
            .field(
                "type_rules",
                &self
                    .type_rules
                    .iter()
                    .map(|(resource, rules)| (resource, rules.len()))
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Hooks {
    /// Offers `writer` for its type; an error when one is offered already.
    pub fn offer_writer(&mut self, writer: Arc<dyn DocumentWriter>) -> Result<(), ModuleError> {
        let type_name = writer.type_name();
        if self.writers.insert(type_name, writer).is_some() {
            return Err(ModuleError::Hook(format!(
                "a writer of {type_name} is offered twice"
            )));
        }
        Ok(())
    }

    /// Offers the keeper of account balances; an error when one is offered already.
    pub fn offer_balances(
        &mut self,
        balances: Arc<dyn AccountBalances>,
    ) -> Result<(), ModuleError> {
        if self.balances.replace(balances).is_some() {
            return Err(ModuleError::Hook(
                "account balances are offered twice".into(),
            ));
        }
        Ok(())
    }

    /// The keeper of account balances, if a module offers one.
    pub fn balances(&self) -> Option<Arc<dyn AccountBalances>> {
        self.balances.clone()
    }

    /// The writer of `type_name`, if a module offers one.
    pub fn writer(&self, type_name: &str) -> Option<Arc<dyn DocumentWriter>> {
        self.writers.get(type_name).cloned()
    }

    /// Offers the rules of the subtype `subtype` of `resource` (`TroubleTicket`, `Bill
    /// Dispute`); an error when the subtype has rules already.
    pub fn offer_subtype(
        &mut self,
        resource: &'static str,
        subtype: impl Into<String>,
        rules: Arc<dyn SubtypeRules>,
    ) -> Result<(), ModuleError> {
        let subtype = subtype.into();
        let rules_of = self.subtypes.entry(resource).or_default();
        if rules_of.contains_key(&subtype) {
            return Err(ModuleError::Hook(format!(
                "the {resource} subtype '{subtype}' has rules offered twice"
            )));
        }
        rules_of.insert(subtype, rules);
        Ok(())
    }

    /// Offers a compensation for its kind; an error when the kind is offered already.
    pub fn offer_compensation(
        &mut self,
        compensation: Arc<dyn Compensation>,
    ) -> Result<(), ModuleError> {
        let kind = compensation.kind();
        if self.compensations.insert(kind, compensation).is_some() {
            return Err(ModuleError::Hook(format!(
                "the compensation '{kind}' is offered twice"
            )));
        }
        Ok(())
    }

    /// Offers the credits to billing accounts; an error when they are offered already.
    pub fn offer_bill_credits(&mut self, credits: Arc<dyn BillCredits>) -> Result<(), ModuleError> {
        if self.bill_credits.replace(credits).is_some() {
            return Err(ModuleError::Hook(
                "credits to billing accounts are offered twice".into(),
            ));
        }
        Ok(())
    }

    /// Adds what a domain does when a customer does something.
    pub fn offer_business_listener(&mut self, listener: Arc<dyn BusinessEventListener>) {
        self.business_listeners.push(listener);
    }

    /// What the domains do when a customer does something, in offer order.
    pub fn business_listeners(&self) -> Vec<Arc<dyn BusinessEventListener>> {
        self.business_listeners.clone()
    }

    /// Adds what a domain does when a credit is reversed.
    pub fn offer_credit_reversal(&mut self, reversal: Arc<dyn CreditReversal>) {
        self.credit_reversals.push(reversal);
    }

    /// What the domains do when a credit is reversed, in offer order.
    pub fn credit_reversals(&self) -> Vec<Arc<dyn CreditReversal>> {
        self.credit_reversals.clone()
    }

    /// The credits to billing accounts, if a module offers them.
    pub fn bill_credits(&self) -> Option<Arc<dyn BillCredits>> {
        self.bill_credits.clone()
    }

    /// The compensation of `kind` (`credit`), if a module offers one.
    pub fn compensation(&self, kind: &str) -> Option<Arc<dyn Compensation>> {
        self.compensations.get(kind).cloned()
    }

    /// The kinds of compensation offered.
    pub fn compensation_kinds(&self) -> Vec<&'static str> {
        self.compensations.keys().copied().collect()
    }

    /// Adds `rules` to every resource of type `resource` (`TroubleTicket`), after the
    /// serving domain's own and its subtype's.
    pub fn offer_type_rules(&mut self, resource: &'static str, rules: Arc<dyn SubtypeRules>) {
        self.type_rules.entry(resource).or_default().push(rules);
    }

    /// The rules other modules add to every resource of type `resource`, in offer order.
    pub fn type_rules(&self, resource: &str) -> Vec<Arc<dyn SubtypeRules>> {
        self.type_rules.get(resource).cloned().unwrap_or_default()
    }

    /// The rules of every subtype of `resource` that a module owns, by subtype.
    pub fn subtypes(&self, resource: &str) -> BTreeMap<String, Arc<dyn SubtypeRules>> {
        self.subtypes.get(resource).cloned().unwrap_or_default()
    }
}
