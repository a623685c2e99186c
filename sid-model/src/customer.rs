//! TMF629 `Customer`: a party playing the customer role.

use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::characteristic::Characteristic;
use crate::contact::PartyRoleContactMedium;
use crate::extension::{Extensions, Meta};
use crate::party_role::CreditProfile;
use crate::reference::{AccountRef, AgreementRef, PaymentMethodRef, RelatedParty};
use crate::time::TimePeriod;

/// A Customer: a person or organization that buys products and services from the enterprise or
/// receives free offers or services (TMF629).
///
/// `name` and `engagedParty` are required on creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct Customer {
    /// Unique identifier of the customer, assigned by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Hyperlink to access the customer, assigned by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// A word, term, or phrase by which the Customer is known and distinguished from other
    /// Customers.
    #[validate(length(min = 1))]
    pub name: String,
    /// Used to track the lifecycle status of the customer.
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
    /// Describes the characteristic of a customer.
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
    /// The party - an organization or an individual - that is engaged as a customer.
    #[validate(nested)]
    pub engaged_party: RelatedParty,
    /// Means of payment the role may use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub payment_method: Option<Vec<PaymentMethodRef>>,
    /// Other parties or party roles related to this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub related_party: Option<Vec<RelatedParty>>,
    /// The time period that the Customer is valid for.
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

crate::wire::object_only_serde!(Customer);
