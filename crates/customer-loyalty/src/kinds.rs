//! The thirteen TMF658 resources as stored kinds: where each is stored, which methods it
//! offers, which domain of the permission table it is in, and the references it holds (each
//! checked against the stored resources and indexed, so that "the members of this customer"
//! and "the balances of this member" are index lookups).

use crm_store::{Erasure, Reference, ResourceKind, StoredType};
use sid_model::reference::EntityRef;
use sid_model::{
    LoyaltyAccount, LoyaltyAction, LoyaltyBalance, LoyaltyBurn, LoyaltyCondition, LoyaltyEvent,
    LoyaltyEventType, LoyaltyProgramMember, LoyaltyProgramProduct, LoyaltyProgramProductSpec,
    LoyaltyRule, LoyaltyRuleAction, LoyaltyRuleCondition, LoyaltyRuleEventType,
};
use tmf_apis::catalog::CatalogError;
use tmf_apis::{Domain, Methods, ResourceDescriptor};

/// Where TMF658 is served (the specification's own base path).
pub const LOYALTY_BASE: &str = "/tmf-api/loyalty/v4/";

/// The programme and its rules.
pub const PROGRAM_TABLE: &str = "loyalty_program";
/// Members, their enrolments and accounts.
pub const MEMBER_TABLE: &str = "loyalty_member";
/// Balances.
pub const BALANCE_TABLE: &str = "loyalty_balance";
/// Events received.
pub const EVENT_TABLE: &str = "loyalty_event";

/// What a member may be: a customer record or the party behind it.
const PARTIES: &[&str] = &["Customer", "Individual", "Organization", "PartyRole"];

/// A link resource (TMF658's rule links): created, read and deleted, never changed.
const LINK: Methods = Methods {
    create: true,
    patch: false,
    delete: true,
    put: false,
};

/// A record of value that is corrected, never removed (a balance: its points are reversed by
/// a balance of the opposite sign, never deleted).
const KEPT: Methods = Methods {
    create: true,
    patch: true,
    delete: false,
    put: false,
};

/// The reference at `path` to `target`, of one of `allowed`.
fn reference(path: &str, target: &EntityRef, allowed: &'static [&'static str]) -> Reference {
    Reference {
        path: path.to_owned(),
        id: target.id.clone(),
        referred_type: target.referred_type.clone(),
        allowed,
    }
}

/// The references of a list at `path`.
fn references(
    path: &str,
    targets: Option<&[EntityRef]>,
    allowed: &'static [&'static str],
) -> Vec<Reference> {
    targets
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, target)| reference(&format!("{path}[{i}]"), target, allowed))
        .collect()
}

/// Declares a stored kind: its struct, its `StoredType`, its descriptor from the adapted
/// specification, and its references.
macro_rules! kind {
    (
        $(#[$attr:meta])*
        $kind:ident, $stored:ident: $model:ty, $table:expr, $path:literal, $type_name:literal,
        $domain:expr, $methods:expr, |$model_var:ident| $references:expr
        $(, personal: $erasure:expr)?
        $(, events: [$($event:literal),*] => |$prev:ident, $cur:ident| $events:expr)?
    ) => {
        kind!(
            $(#[$attr])*
            $kind, $stored: $model, $table, $path, $type_name, $domain, $methods,
            |$model_var| $references, spec: crate::spec::loyalty() $(, personal: $erasure)?
            $(, events: [$($event),*] => |$prev, $cur| $events)?
        );
    };
    (
        $(#[$attr:meta])*
        $kind:ident, $stored:ident: $model:ty, $table:expr, $path:literal, $type_name:literal,
        $domain:expr, $methods:expr, |$model_var:ident| $references:expr,
        spec: $spec:expr $(, personal: $erasure:expr)?
        $(, events: [$($event:literal),*] => |$prev:ident, $cur:ident| $events:expr)?
    ) => {
        /// Where these resources are stored.
        pub const $stored: StoredType = StoredType {
            table: $table,
            kind: $type_name,
        };

        $(#[$attr])*
        pub struct $kind {
            descriptor: ResourceDescriptor,
        }

        impl std::fmt::Debug for $kind {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($kind)).finish_non_exhaustive()
            }
        }

        impl $kind {
            /// The kind, from the adapted specification.
            pub fn new() -> Result<Self, CatalogError> {
                let mut descriptor = ResourceDescriptor::from_spec(
                    $spec,
                    LOYALTY_BASE,
                    $path,
                    $type_name,
                    $domain,
                )?;
                descriptor.methods = $methods;
                $(descriptor = descriptor.with_domain_events(&[$($event),*]);)?
                Ok(Self { descriptor })
            }
        }

        impl ResourceKind for $kind {
            type Model = $model;

            fn descriptor(&self) -> &ResourceDescriptor {
                &self.descriptor
            }

            fn stored_type(&self) -> StoredType {
                $stored
            }

            fn references(&self, $model_var: &$model) -> Vec<Reference> {
                $references
            }

            fn erasure(&self) -> Option<Erasure> {
                None $(.or(Some($erasure)))?
            }

            $(
                fn domain_events(
                    &self,
                    $prev: Option<&$model>,
                    $cur: &$model,
                ) -> Vec<tmf_apis::EventKind> {
                    $events
                }
            )?
        }
    };
}

kind!(
    /// TMF658 `loyaltyProgramProductSpec`: a programme.
    ProgramKind, PROGRAM: LoyaltyProgramProductSpec, PROGRAM_TABLE, "loyaltyProgramProductSpec",
    "LoyaltyProgramProductSpec", Domain::Loyalty, Methods::ALL, |_spec| Vec::new()
);

kind!(
    /// TMF658 `loyaltyProgramMember`: a member, one of the customers.
    MemberKind, MEMBER: LoyaltyProgramMember, MEMBER_TABLE, "loyaltyProgramMember",
    "LoyaltyProgramMember", Domain::LoyaltyMember, Methods::ALL,
    |member| Reference::related_parties(member.related_party.as_deref(), PARTIES).collect(),
    personal: Erasure { keep: &["status"], erase: &[] },
    events: ["LoyaltyTierChange"] => |previous, current| {
        let tier = |m: &LoyaltyProgramMember| {
            m.extensions.0.get("tier").and_then(|t| t.get("name")).cloned()
        };
        match previous.is_some_and(|p| tier(p) != tier(current))
            || (previous.is_none() && tier(current).is_some())
        {
            true => vec![tmf_apis::EventKind::Domain("LoyaltyTierChange")],
            false => Vec::new(),
        }
    }
);

kind!(
    /// TMF658 `loyaltyProgramProduct`: a member's enrolment in a programme.
    EnrolmentKind, ENROLMENT: LoyaltyProgramProduct, MEMBER_TABLE, "loyaltyProgramProduct",
    "LoyaltyProgramProduct", Domain::LoyaltyMember, Methods::ALL,
    |enrolment| {
        let mut out = Vec::new();
        if let Some(member) = &enrolment.loyalty_program_member {
            out.push(reference("loyaltyProgramMember", member, &["LoyaltyProgramMember"]));
        }
        if let Some(spec) = &enrolment.loyalty_program_product_spec {
            out.push(reference(
                "loyaltyProgramProductSpec",
                spec,
                &["LoyaltyProgramProductSpec"],
            ));
        }
        if let Some(account) = &enrolment.loyalty_account {
            out.push(reference("loyaltyAccount", account, &["LoyaltyAccount"]));
        }
        out
    },
    personal: Erasure { keep: &["productStatus"], erase: &[] }
);

kind!(
    /// TMF658 `loyaltyAccount`: read-only, opened by the server with an enrolment. Its
    /// `loyaltyProgramProduct` is written by the server in the enrolment's own change, before
    /// the enrolment is stored: it is not a checked reference.
    AccountKind, ACCOUNT: LoyaltyAccount, MEMBER_TABLE, "loyaltyAccount", "LoyaltyAccount",
    Domain::LoyaltyMember, Methods::READ_ONLY, |_account| Vec::new()
);

kind!(
    /// TMF658 `loyaltyBalance`: points a member holds, burnable within `validFor`.
    BalanceKind, BALANCE: LoyaltyBalance, BALANCE_TABLE, "loyaltyBalance", "LoyaltyBalance",
    Domain::Loyalty, KEPT,
    |balance| {
        let mut out = Vec::new();
        if let Some(member) = &balance.loyalty_program_member {
            out.push(reference("loyaltyProgramMember", member, &["LoyaltyProgramMember"]));
        }
        if let Some(account) = &balance.loyalty_account {
            out.push(reference("loyaltyAccount", account, &["LoyaltyAccount"]));
        }
        out
    },
    personal: Erasure { keep: &[], erase: &[] },
    events: ["LoyaltyEarn", "LoyaltyExpiry"] => |previous, current| {
        let extension = |b: &LoyaltyBalance, name: &str| b.extensions.0.get(name).cloned();
        let mut events = Vec::new();
        if previous.is_none()
            && (extension(current, "loyaltyEvent").is_some()
                || extension(current, "slaViolation").is_some())
        {
            events.push(tmf_apis::EventKind::Domain("LoyaltyEarn"));
        }
        let expired = |b: &LoyaltyBalance| {
            extension(b, "state").and_then(|s| s.as_str().map(str::to_owned)).as_deref()
                == Some("expired")
        };
        if expired(current) && previous.is_some_and(|p| !expired(p)) {
            events.push(tmf_apis::EventKind::Domain("LoyaltyExpiry"));
        }
        events
    }
);

kind!(
    /// TMF658 `loyaltyRule`.
    RuleKind, RULE: LoyaltyRule, PROGRAM_TABLE, "loyaltyRule", "LoyaltyRule", Domain::Loyalty,
    Methods::ALL,
    |rule| {
        let mut out = references(
            "loyaltyAction",
            rule.loyalty_action.as_deref(),
            &["LoyaltyAction"],
        );
        out.extend(references(
            "loyaltyCondition",
            rule.loyalty_condition.as_deref(),
            &["LoyaltyCondition"],
        ));
        out.extend(references(
            "loyaltyEventType",
            rule.loyalty_event_type.as_deref(),
            &["LoyaltyEventType"],
        ));
        out
    }
);

kind!(
    /// TMF658 `loyaltyCondition`.
    ConditionKind, CONDITION: LoyaltyCondition, PROGRAM_TABLE, "loyaltyCondition",
    "LoyaltyCondition", Domain::Loyalty, Methods::ALL_AND_PUT, |_condition| Vec::new()
);

kind!(
    /// TMF658 `loyaltyAction`.
    ActionKind, ACTION: LoyaltyAction, PROGRAM_TABLE, "loyaltyAction", "LoyaltyAction",
    Domain::Loyalty, Methods::ALL_AND_PUT, |_action| Vec::new()
);

kind!(
    /// TMF658 `loyaltyEventType`.
    EventTypeKind, EVENT_TYPE: LoyaltyEventType, PROGRAM_TABLE, "loyaltyEventType",
    "LoyaltyEventType", Domain::Loyalty, Methods::ALL_AND_PUT, |_event_type| Vec::new()
);

kind!(
    /// TMF658 `loyaltyRuleCondition`: a rule linked to a condition (adapted to name both).
    RuleConditionKind, RULE_CONDITION: LoyaltyRuleCondition, PROGRAM_TABLE,
    "loyaltyRuleCondition", "LoyaltyRuleCondition", Domain::Loyalty, LINK,
    |link| vec![
        reference("loyaltyRule", &link.loyalty_rule, &["LoyaltyRule"]),
        reference("loyaltyCondition", &link.loyalty_condition, &["LoyaltyCondition"]),
    ]
);

kind!(
    /// TMF658 `loyaltyRuleAction`: a rule linked to an action (adapted to name both).
    RuleActionKind, RULE_ACTION: LoyaltyRuleAction, PROGRAM_TABLE, "loyaltyRuleAction",
    "LoyaltyRuleAction", Domain::Loyalty, LINK,
    |link| vec![
        reference("loyaltyRule", &link.loyalty_rule, &["LoyaltyRule"]),
        reference("loyaltyAction", &link.loyalty_action, &["LoyaltyAction"]),
    ]
);

kind!(
    /// TMF658 `loyaltyRuleEventType`: a rule linked to an event type (adapted to name both).
    RuleEventTypeKind, RULE_EVENT_TYPE: LoyaltyRuleEventType, PROGRAM_TABLE,
    "loyaltyRuleEventType", "LoyaltyRuleEventType", Domain::Loyalty, LINK,
    |link| vec![
        reference("loyaltyRule", &link.loyalty_rule, &["LoyaltyRule"]),
        reference("loyaltyEventType", &link.loyalty_event_type, &["LoyaltyEventType"]),
    ]
);

kind!(
    /// TMF658 `loyaltyEvent`: a business event received (adapted with an `id`): recorded once
    /// per source `eventId`, never changed.
    EventKind, EVENT: LoyaltyEvent, EVENT_TABLE, "loyaltyEvent", "LoyaltyEvent",
    Domain::LoyaltyEvent, Methods::TASK, |_event| Vec::new(),
    personal: Erasure { keep: &["eventType"], erase: &[] }
);

kind!(
    /// The `loyaltyBurn` extension: points burned into a bill credit, created and read.
    BurnKind, BURN: LoyaltyBurn, BALANCE_TABLE, "loyaltyBurn", "LoyaltyBurn",
    Domain::LoyaltyMember, Methods::TASK,
    |burn| {
        let mut out = Vec::new();
        if let Some(member) = &burn.loyalty_program_member {
            out.push(reference("loyaltyProgramMember", member, &["LoyaltyProgramMember"]));
        }
        if let Some(account) = &burn.billing_account {
            out.push(reference("billingAccount", account, &["BillingAccount"]));
        }
        for (i, consumed) in burn.consumed.iter().flatten().enumerate() {
            out.push(reference(
                &format!("consumed[{i}].loyaltyBalance"),
                &consumed.loyalty_balance,
                &["LoyaltyBalance"],
            ));
        }
        out
    },
    spec: crate::spec::burn(),
    personal: Erasure { keep: &["currency"], erase: &[] },
    events: ["LoyaltyBurn"] => |previous, _current| match previous {
        None => vec![tmf_apis::EventKind::Domain("LoyaltyBurn")],
        Some(_) => Vec::new(),
    }
);
