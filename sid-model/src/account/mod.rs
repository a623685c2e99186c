//! TMF666 Account Management: party accounts (billing and settlement), financial accounts, and
//! the bill structure a party account refers to (billing cycle specifications, bill formats and
//! bill presentation media).
//!
//! TMF666 v4 defines some types under the same name as the party model but differently; those
//! get their own Rust name here, each exact for TMF666:
//!
//! - its `RelatedParty` also requires `name`: [`AccountRelatedParty`];
//! - its `AccountRef` requires `id`, where TMF629 and TMF669 require `name` instead:
//!   [`RelatedAccountRef`].
//!
//! `ContactMedium` (the all-optional TMF632 form), `MediumCharacteristic`, `PaymentMethodRef`,
//! `EntityRef` and `TimePeriod` are identical to the party model's and are reused. So is
//! [`Money`], which is stricter than TMF666's `Money`: the specification lists no required
//! property, but an amount without a currency or without a value means nothing, so both
//! `unit` (an ISO 4217 code) and `value` must be present.
//!
//! The abstract `Account` definition, which only gathers what the concrete accounts share and
//! is read or written by no operation, is not modelled.

pub mod bill_structure;
pub mod financial_account;
pub mod party_account;

use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::contact::ContactMedium;
use crate::extension::{Extensions, Meta};
use crate::money::Money;
use crate::reference::{AccountRef, MissingReferenceField, PaymentMethodRef, RelatedParty};
use crate::time::TimePeriod;

/// A balance of an account (TMF666 `AccountBalance`): a deposit, disputed, loyalty or
/// receivable balance, for instance, over a validity period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct AccountBalance {
    /// Type of the balance: deposit balance, disputed balance, loyalty balance, receivable
    /// balance...
    #[validate(length(min = 1))]
    pub balance_type: String,
    /// Balance amount.
    #[validate(nested)]
    pub amount: Money,
    /// Balance validity period.
    #[validate(nested)]
    pub valid_for: TimePeriod,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A significant connection between accounts (TMF666 `AccountRelationship`), for instance an
/// aggregating account for a list of shop branches each having its own billing account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct AccountRelationship {
    /// Type of relationship.
    #[validate(length(min = 1))]
    pub relationship_type: String,
    /// The account at the other end of the relationship.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub account: Option<RelatedAccountRef>,
    /// Validity period of that relationship.
    #[validate(nested)]
    pub valid_for: TimePeriod,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// Proof of freedom from taxes imposed by a taxing jurisdiction (TMF666
/// `AccountTaxExemption`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct AccountTaxExemption {
    /// Identifier of a document that shows proof of exemption from taxes for the taxing
    /// jurisdiction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_number: Option<String>,
    /// Name of the taxing jurisdiction for which taxes are exempt.
    #[validate(length(min = 1))]
    pub issuing_jurisdiction: String,
    /// Reason of the tax exemption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Period for which the exemption is valid.
    #[validate(nested)]
    pub valid_for: TimePeriod,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// An individual or an organization used as a contact point for a given account and reached
/// through some contact media (TMF666 `Contact`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct Contact {
    /// A displayable name for that contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
    /// Type of contact (primary, secondary...).
    #[validate(length(min = 1))]
    pub contact_type: String,
    /// Identifies what kind of party role type is linked to the contact (an account manager...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party_role_type: Option<String>,
    /// The ways the contact can be reached; every property is optional, as in TMF632.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub contact_medium: Option<Vec<ContactMedium>>,
    /// The party or party role that is the contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub related_party: Option<AccountRelatedParty>,
    /// Validity period of that contact.
    #[validate(nested)]
    pub valid_for: TimePeriod,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A plan for payment, when a party wants to spread its payments (TMF666 `PaymentPlan`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct PaymentPlan {
    /// Number of payments used to spread the global payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_payments: Option<i64>,
    /// Frequency of the payments, such as monthly and bimonthly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_frequency: Option<String>,
    /// Type of payment plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_type: Option<String>,
    /// Priority of the payment plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    /// Status of the payment plan (effective, ineffective).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The means of payment of the plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub payment_method: Option<PaymentMethodRef>,
    /// Amount paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub total_amount: Option<Money>,
    /// Validity period of the payment plan.
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

/// A reference to a financial account (TMF666 `FinancialAccountRef`): the account receivable
/// that aggregates the amounts of one or more party accounts owned by a given party, with its
/// balance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct FinancialAccountRef {
    /// Unique identifier of the account.
    #[validate(length(min = 1))]
    pub id: String,
    /// Unique reference of the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Name of the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The balance of the financial account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub account_balance: Option<AccountBalance>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// The actual type of the target instance, when needed for disambiguation.
    #[serde(
        rename = "@referredType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub referred_type: Option<String>,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

crate::wire::object_only_serde!(FinancialAccountRef);

/// A reference to an account, either a party account or a financial account, as TMF666
/// defines `AccountRef`: `id` is required.
///
/// TMF629 and TMF669 define `AccountRef` with the same properties but require `name` instead
/// of `id`; that form is [`AccountRef`]. The two convert into each other when the property the
/// target requires is present.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct RelatedAccountRef {
    /// Unique identifier of the account.
    #[validate(length(min = 1))]
    pub id: String,
    /// Reference of the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Detailed description of the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Name of the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// The actual type of the target instance, when needed for disambiguation.
    #[serde(
        rename = "@referredType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub referred_type: Option<String>,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A party or party role linked to an account (TMF666 `RelatedParty`). TMF666 requires `name`
/// besides `id` and `@referredType`; the client may leave all but `id` out, and the server
/// completes them from the stored party, so the input form is the party model's
/// [`RelatedParty`].
pub type AccountRelatedParty = RelatedParty;

impl TryFrom<RelatedAccountRef> for AccountRef {
    type Error = MissingReferenceField;

    /// Fails when the reference has no `name`, which TMF629 and TMF669 require.
    fn try_from(account: RelatedAccountRef) -> Result<Self, Self::Error> {
        Ok(AccountRef {
            id: Some(account.id),
            href: account.href,
            description: account.description,
            name: account.name.ok_or(MissingReferenceField("name"))?,
            meta: account.meta,
            extensions: account.extensions,
            referred_type: account.referred_type,
        })
    }
}

impl TryFrom<AccountRef> for RelatedAccountRef {
    type Error = MissingReferenceField;

    /// Fails when the reference has no `id`, which TMF666 requires.
    fn try_from(account: AccountRef) -> Result<Self, Self::Error> {
        Ok(RelatedAccountRef {
            id: account.id.ok_or(MissingReferenceField("id"))?,
            href: account.href,
            description: account.description,
            name: Some(account.name),
            meta: account.meta,
            extensions: account.extensions,
            referred_type: account.referred_type,
        })
    }
}

crate::wire::object_only_serde!(
    AccountBalance,
    AccountRelationship,
    AccountTaxExemption,
    Contact,
    PaymentPlan,
    RelatedAccountRef
);
