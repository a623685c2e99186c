//! TMF666 financial accounts: what a party owes, aggregated over its party accounts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use super::{
    AccountBalance, AccountRelatedParty, AccountRelationship, AccountTaxExemption, Contact,
};
use crate::extension::{Extensions, Meta};
use crate::money::Money;

/// An account of money owed by a party to another entity in exchange for goods or services
/// that have been delivered or used (TMF666 `FinancialAccount`, a specialization of `Account`).
///
/// A financial account (account receivable or account payable) aggregates the amounts of one
/// or more party accounts (billing or settlement) owned by a given party. Only `name` is
/// required on creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct FinancialAccount {
    /// Unique identifier of the account, assigned by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Unique reference of the account, assigned by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// A categorization of an account, such as individual, joint, and so forth, whose instances
    /// share some of the same characteristics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_type: Option<String>,
    /// Detailed description of the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Date of last modification of the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<DateTime<Utc>>,
    /// Name of the account.
    #[validate(length(min = 1))]
    pub name: String,
    /// Contains the lifecycle state such as: Active, Closed, Suspended and so on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Balances linked to the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub account_balance: Option<Vec<AccountBalance>>,
    /// Significant connections to other accounts, such as the party accounts it aggregates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub account_relationship: Option<Vec<AccountRelationship>>,
    /// Contact points for the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub contact: Option<Vec<Contact>>,
    /// The maximum amount of money that may be charged on an account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub credit_limit: Option<Money>,
    /// The parties or party roles linked to the account, such as its owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub related_party: Option<Vec<AccountRelatedParty>>,
    /// Proofs of exemption from taxes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub tax_exemption: Option<Vec<AccountTaxExemption>>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

crate::wire::object_only_serde!(FinancialAccount);
