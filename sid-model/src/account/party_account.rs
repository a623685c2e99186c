//! TMF666 party accounts: accounts used for billing or for settlement concerning a given party.
//!
//! `PartyAccount`, `BillingAccount` and `SettlementAccount` have the same properties in TMF666
//! v4: one struct serves the three resources (the two others are aliases of it); each has its
//! own path, and `@type` says which one a document is.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use super::bill_structure::BillStructure;
use super::{
    AccountBalance, AccountRelatedParty, AccountRelationship, AccountTaxExemption, Contact,
    FinancialAccountRef, PaymentPlan,
};
use crate::extension::{Extensions, Meta};
use crate::money::Money;
use crate::reference::PaymentMethodRef;

/// An account used for billing or for settlement purposes concerning a given party, an
/// organization or an individual (TMF666 `PartyAccount`, a specialization of `Account`).
///
/// `name` and at least one `relatedParty` are required on creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct PartyAccount {
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
    /// Detailed description of the party account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Date of last modification of the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<DateTime<Utc>>,
    /// Name of the account.
    #[validate(length(min = 1))]
    pub name: String,
    /// The condition of the account, such as due, paid, in arrears.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_status: Option<String>,
    /// Contains the lifecycle state such as: Active, Closed, Suspended and so on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Balances linked to the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub account_balance: Option<Vec<AccountBalance>>,
    /// Significant connections to other accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub account_relationship: Option<Vec<AccountRelationship>>,
    /// The structure of the bill: its cycle, format and presentation media.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub bill_structure: Option<BillStructure>,
    /// Contact points for the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub contact: Option<Vec<Contact>>,
    /// The maximum amount of money that may be charged on an account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub credit_limit: Option<Money>,
    /// The means of payment used unless another one is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub default_payment_method: Option<PaymentMethodRef>,
    /// The financial account that aggregates this account's amounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub financial_account: Option<FinancialAccountRef>,
    /// Plans to spread payments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub payment_plan: Option<Vec<PaymentPlan>>,
    /// The parties or party roles linked to the account, such as its owner; at least one.
    #[validate(length(min = 1), nested)]
    pub related_party: Vec<AccountRelatedParty>,
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

/// A party account used for billing purposes (TMF666 `BillingAccount`, a specialization of
/// `PartyAccount`). It includes a description of the bill structure (frequency, presentation
/// media, format and so on). Its properties are exactly those of [`PartyAccount`]; the
/// resource path and `@type` say which of the three a client means.
pub type BillingAccount = PartyAccount;

/// A party account used for settlement purposes (TMF666 `SettlementAccount`, a
/// specialization of `PartyAccount`), with the same properties as [`PartyAccount`].
pub type SettlementAccount = PartyAccount;

crate::wire::object_only_serde!(PartyAccount);
