//! TMF669 `PartyRole`: the part played by a party in a given context.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::characteristic::Characteristic;
use crate::contact::PartyRoleContactMedium;
use crate::extension::{Extensions, Meta};
use crate::reference::{AccountRef, AgreementRef, PaymentMethodRef, RelatedParty};
use crate::time::TimePeriod;

/// The part played by a party in a given context (TMF669).
///
/// `name` is required on creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct PartyRole {
    /// Unique identifier of the party role, assigned by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Hyperlink to access the party role, assigned by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// A word, term, or phrase by which the PartyRole is known and distinguished from other
    /// PartyRoles.
    #[validate(length(min = 1))]
    pub name: String,
    /// Used to track the lifecycle status of the party role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// A string providing an explanation on the value of the status lifecycle. For instance if
    /// the status is Rejected, statusReason will provide the reason for rejection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// Accounts (party or financial) of this role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub account: Option<Vec<AccountRef>>,
    /// Agreements (contracts, service level agreements, ...) the role is bound by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub agreement: Option<Vec<AgreementRef>>,
    /// Describes the characteristic of a party role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub characteristic: Option<Vec<Characteristic>>,
    /// Ways of contacting the party: email, phone, postal address, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub contact_medium: Option<Vec<PartyRoleContactMedium>>,
    /// Credit profiles of the role; the first one is the current one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub credit_profile: Option<Vec<CreditProfile>>,
    /// The party (individual or organization) that plays this role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub engaged_party: Option<RelatedParty>,
    /// Means of payment the role may use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub payment_method: Option<Vec<PaymentMethodRef>>,
    /// Other parties or party roles related to this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub related_party: Option<Vec<RelatedParty>>,
    /// The time period that the PartyRole is valid for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub valid_for: Option<TimePeriod>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// Credit profile of a party role (containing credit scoring, ...), as TMF629 and TMF669 define
/// it; in a list, the first one is the current one. `creditProfileDate` and `validFor` are
/// required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct CreditProfile {
    /// The date the profile was established.
    pub credit_profile_date: DateTime<Utc>,
    /// This is an integer whose value is used to rate the risk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_risk_rating: Option<i64>,
    /// A measure of a person or organizations creditworthiness calculated on the basis of a
    /// combination of factors such as their income and credit history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_score: Option<i64>,
    /// The period for which the profile is valid.
    #[validate(nested)]
    pub valid_for: TimePeriod,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

crate::wire::object_only_serde!(PartyRole, CreditProfile);
