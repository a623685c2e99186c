//! TMF658 Loyalty Management v4: a loyalty programme ([`LoyaltyProgramProductSpec`]), its
//! members ([`LoyaltyProgramMember`], each one of the CRM's customers through the adapted
//! `relatedParty`), their enrolments ([`LoyaltyProgramProduct`]) and accounts
//! ([`LoyaltyAccount`]), the points they hold ([`LoyaltyBalance`], each with the window in which
//! it may be burned), the rules that earn them ([`LoyaltyRule`] with its
//! [`LoyaltyCondition`]s, [`LoyaltyAction`]s and [`LoyaltyEventType`]s, and the three link
//! resources), and the business events rules listen to ([`LoyaltyEvent`]). The served shapes
//! are the v4 file's with its defects adapted (`docs/tmf658-adaptation.md`).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::characteristic::Characteristic;
use crate::extension::Extensions;
use crate::reference::{EntityRef, RelatedParty};
use crate::time::TimePeriod;

/// An amount of points (or of money) held or moved by a loyalty balance (TMF658 types it as
/// `Money`, whose unit is any string here: `PTS` for points): `{"unit": "PTS", "value": 500}`.
/// The value is an exact decimal, read from the number's text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct LoyaltyQuantity {
    /// The unit: `PTS` for points, or an ISO 4217 currency.
    #[validate(length(min = 1))]
    pub unit: String,
    /// How many.
    #[serde(with = "crate::decimal")]
    pub value: Decimal,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

crate::wire::object_only_serde!(LoyaltyQuantity);

crate::wire::wire! {
    /// A loyalty programme (TMF658 `LoyaltyProgramProductSpec`).
    ///
    /// `name` and `productNumber` are required on creation.
    pub struct LoyaltyProgramProductSpec {
        /// Unique identifier, given by the server.
        id: Option<String>,
        /// Reference of the programme.
        href: Option<String>,
        /// The brand the programme is offered under.
        brand: Option<String>,
        /// What the programme is.
        description: Option<String>,
        /// Where the programme is in its life (`planned`, `active`, `inactive`).
        life_cycle_status: Option<String>,
        /// The programme's name.
        #[validate(length(min = 1))]
        name: String,
        /// Whether an enrolment opens a loyalty account.
        needs_loyalty_account: Option<bool>,
        /// The programme's product number.
        #[validate(length(min = 1))]
        product_number: String,
        /// When the programme runs.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }

    /// A person or organisation that opted in to loyalty (TMF658 `LoyaltyProgramMember`): one
    /// of the CRM's customers, named in the adapted `relatedParty` (role `customer`).
    pub struct LoyaltyProgramMember {
        /// Unique identifier, given by the server.
        id: Option<String>,
        /// Reference of the member.
        href: Option<String>,
        /// The member's name.
        name: Option<String>,
        /// The member's status, free text (`active`, `suspended`).
        status: Option<String>,
        /// When the membership is valid (the v4 file spells it `ValidFor`: read as well,
        /// written `validFor`).
        #[serde(alias = "ValidFor")]
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
        /// Adapted: the parties the member is (one with role `customer`).
        #[validate(nested)]
        related_party: Option<Vec<RelatedParty>>,
    }

    /// A member's enrolment in a programme (TMF658 `LoyaltyProgramProduct`).
    pub struct LoyaltyProgramProduct {
        /// Unique identifier, given by the server.
        id: Option<String>,
        /// Reference of the enrolment.
        href: Option<String>,
        /// What the enrolment is.
        description: Option<String>,
        /// The enrolment's name.
        name: Option<String>,
        /// Its status (`planned`, `designed`, `activated`, `disconnected`).
        product_status: Option<String>,
        /// Its characteristics.
        #[validate(nested)]
        characteristic: Option<Vec<Characteristic>>,
        /// The loyalty account opened with it (set by the server).
        #[validate(nested)]
        loyalty_account: Option<EntityRef>,
        /// The programme.
        #[validate(nested)]
        loyalty_program_product_spec: Option<EntityRef>,
        /// When the enrolment is valid.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
        /// Adapted: the member enrolled.
        #[validate(nested)]
        loyalty_program_member: Option<EntityRef>,
    }

    /// A member's loyalty account in a programme (TMF658 `LoyaltyAccount`), opened by the
    /// server with an enrolment in a programme that `needsLoyaltyAccount`.
    pub struct LoyaltyAccount {
        /// Unique identifier, given by the server.
        id: Option<String>,
        /// Reference of the account.
        href: Option<String>,
        /// The enrolment the account was opened with.
        #[validate(nested)]
        loyalty_program_product: Option<EntityRef>,
    }

    /// Points a member holds (TMF658 `LoyaltyBalance`), burnable within `validFor`.
    pub struct LoyaltyBalance {
        /// Unique identifier, given by the server.
        id: Option<String>,
        /// Reference of the balance.
        href: Option<String>,
        /// The member holding the points.
        #[validate(nested)]
        loyalty_program_member: Option<EntityRef>,
        /// How many points (`PTS`), not patchable.
        #[validate(nested)]
        quantity: Option<LoyaltyQuantity>,
        /// When the points may be burned.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
        /// Adapted: the loyalty account holding the balance.
        #[validate(nested)]
        loyalty_account: Option<EntityRef>,
    }

    /// A rule that earns points (TMF658 `LoyaltyRule`): the event types it listens for, the
    /// conditions it tests and the actions it runs.
    pub struct LoyaltyRule {
        /// Unique identifier, given by the server.
        id: Option<String>,
        /// Reference of the rule.
        href: Option<String>,
        /// The rule's common name.
        common_name: Option<String>,
        /// What the rule does.
        description: Option<String>,
        /// Whether the rule has sub-rules.
        has_sub_rules: Option<bool>,
        /// Whether its conditions are in conjunctive normal form.
        #[serde(rename = "isCNF")]
        is_cnf: Option<bool>,
        /// Whether it must be evaluated.
        is_mandatory_evaluation: Option<bool>,
        /// Keywords.
        keywords: Option<String>,
        /// The policy it belongs to.
        policy_name: Option<String>,
        /// How it is used.
        usage: Option<String>,
        /// Its actions.
        #[validate(nested)]
        loyalty_action: Option<Vec<EntityRef>>,
        /// Its conditions.
        #[validate(nested)]
        loyalty_condition: Option<Vec<EntityRef>>,
        /// The event types it listens for.
        #[validate(nested)]
        loyalty_event_type: Option<Vec<EntityRef>>,
    }

    /// A test over an event's resource (TMF658 `LoyaltyCondition`): attribute, operator, value.
    pub struct LoyaltyCondition {
        /// Unique identifier, given by the server.
        id: Option<String>,
        /// Reference of the condition.
        href: Option<String>,
        /// The attribute tested.
        #[validate(length(min = 1))]
        attribute: String,
        /// How it is compared.
        #[validate(length(min = 1))]
        operator: String,
        /// The value compared with.
        value: String,
    }

    /// What a rule does (TMF658 `LoyaltyAction`).
    pub struct LoyaltyAction {
        /// Unique identifier, given by the server.
        id: Option<String>,
        /// Reference of the action.
        href: Option<String>,
        /// The HTTP method of the action.
        #[validate(length(min = 1))]
        action: String,
        /// The kind of action.
        action_type: Option<String>,
        /// Its common name.
        common_name: Option<String>,
        /// What it does.
        description: Option<String>,
        /// Where it is sent.
        #[validate(length(min = 1))]
        endpoint: String,
        /// Its version.
        version: Option<String>,
        /// Its attributes.
        action_attributes: Option<serde_json::Value>,
        /// The body it sends.
        body: Option<serde_json::Value>,
        /// The headers it sends.
        headers: Option<serde_json::Value>,
    }

    /// A type of business event rules listen for (TMF658 `LoyaltyEventType`).
    pub struct LoyaltyEventType {
        /// Unique identifier, given by the server.
        id: Option<String>,
        /// Reference of the event type.
        href: Option<String>,
        /// The event type's name.
        #[validate(length(min = 1))]
        event_type: String,
    }

    /// A rule linked to one of its conditions (TMF658 `LoyaltyRuleCondition`, adapted to name
    /// both).
    pub struct LoyaltyRuleCondition {
        /// Unique identifier, given by the server.
        id: Option<String>,
        /// Reference of the link.
        href: Option<String>,
        /// Adapted: the rule.
        #[validate(nested)]
        loyalty_rule: EntityRef,
        /// Adapted: the condition.
        #[validate(nested)]
        loyalty_condition: EntityRef,
    }

    /// A rule linked to one of its actions (TMF658 `LoyaltyRuleAction`, adapted to name both).
    pub struct LoyaltyRuleAction {
        /// Unique identifier, given by the server.
        id: Option<String>,
        /// Reference of the link.
        href: Option<String>,
        /// Adapted: the rule.
        #[validate(nested)]
        loyalty_rule: EntityRef,
        /// Adapted: the action.
        #[validate(nested)]
        loyalty_action: EntityRef,
    }

    /// A rule linked to an event type it listens for (TMF658 `LoyaltyRuleEventType`, adapted to
    /// name both).
    pub struct LoyaltyRuleEventType {
        /// Unique identifier, given by the server.
        id: Option<String>,
        /// Reference of the link.
        href: Option<String>,
        /// Adapted: the rule.
        #[validate(nested)]
        loyalty_rule: EntityRef,
        /// Adapted: the event type.
        #[validate(nested)]
        loyalty_event_type: EntityRef,
    }

    /// A business event rules are evaluated on (TMF658 `LoyaltyEvent`, adapted with an `id`).
    pub struct LoyaltyEvent {
        /// Adapted: unique identifier, given by the server.
        id: Option<String>,
        /// Adapted: reference of the event.
        href: Option<String>,
        /// When the event happened.
        event_time: Option<chrono::DateTime<chrono::Utc>>,
        /// Its type.
        event_type: Option<String>,
        /// The member it concerns.
        member_id: Option<String>,
        /// Its attributes.
        event: Option<serde_json::Value>,
        /// Adapted: its id at its source (taken once per source id).
        event_id: Option<String>,
    }
}

crate::wire::wire! {
    /// Points taken from one balance by a burn.
    pub struct ConsumedBalance {
        /// The balance.
        #[validate(nested)]
        loyalty_balance: EntityRef,
        /// The points taken from it.
        #[validate(nested)]
        quantity: LoyaltyQuantity,
    }

    /// Points burned into a bill credit (the `loyaltyBurn` extension of TMF658).
    pub struct LoyaltyBurn {
        /// Unique identifier, given by the server.
        id: Option<String>,
        /// Reference of the burn.
        href: Option<String>,
        /// The member whose points are burned.
        #[validate(nested)]
        loyalty_program_member: Option<EntityRef>,
        /// The points burned (`PTS`).
        #[validate(nested)]
        quantity: Option<LoyaltyQuantity>,
        /// The billing account credited.
        #[validate(nested)]
        billing_account: Option<EntityRef>,
        /// The currency of the credit.
        currency: Option<String>,
        /// What the points are worth (set by the server).
        #[validate(nested)]
        credit_amount: Option<crate::money::Money>,
        /// The credit made (set by the server).
        #[validate(nested)]
        credit: Option<EntityRef>,
        /// The balances the points came from (set by the server).
        #[validate(nested)]
        consumed: Option<Vec<ConsumedBalance>>,
        /// When the points were burned (set by the server).
        burn_date: Option<chrono::DateTime<chrono::Utc>>,
    }
}
