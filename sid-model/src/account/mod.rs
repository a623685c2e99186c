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

use bill_structure::BillStructure;

use chrono::{DateTime, Utc};
use validator::Validate;

use crate::contact::ContactMedium;
use crate::money::Money;
use crate::reference::{AccountRef, MissingReferenceField, PaymentMethodRef, RelatedParty};
use crate::time::TimePeriod;

crate::wire::alike! {
    /// An account used for billing or for settlement purposes concerning a given party, an
    /// organization or an individual (TMF666 `PartyAccount`, a specialization of `Account`).
    ///
    /// `name` and at least one `relatedParty` are required on creation.
    pub struct PartyAccount {
        /// The condition of the account, such as due, paid, in arrears.
        payment_status: Option<String>,
        /// The structure of the bill: its cycle, format and presentation media.
        #[validate(nested)]
        bill_structure: Option<BillStructure>,
        /// The means of payment used unless another one is given.
        #[validate(nested)]
        default_payment_method: Option<PaymentMethodRef>,
        /// The financial account that aggregates this account's amounts.
        #[validate(nested)]
        financial_account: Option<FinancialAccountRef>,
        /// Plans to spread payments.
        #[validate(nested)]
        payment_plan: Option<Vec<PaymentPlan>>,
        /// The parties or party roles linked to the account, such as its owner; at least one.
        #[validate(length(min = 1), nested)]
        related_party: Vec<AccountRelatedParty>,
    };

    /// An account of money owed by a party to another entity in exchange for goods or services that
    /// have been delivered or used (TMF666 `FinancialAccount`, a specialization of `Account`).
    ///
    /// A financial account (account receivable or account payable) aggregates the amounts of one or
    /// more party accounts (billing or settlement) owned by a given party. Only `name` is required
    /// on creation.
    pub struct FinancialAccount {
        /// The parties or party roles linked to the account, such as its owner.
        #[validate(nested)]
        related_party: Option<Vec<AccountRelatedParty>>,
    };

    fields {
        /// Unique identifier of the account, assigned by the server.
        id: Option<String>,
        /// Unique reference of the account, assigned by the server.
        href: Option<String>,
        /// A categorization of an account, such as individual, joint, and so forth, whose instances
        /// share some of the same characteristics.
        account_type: Option<String>,
        /// Detailed description of the account.
        description: Option<String>,
        /// Date of last modification of the account.
        last_modified: Option<DateTime<Utc>>,
        /// Name of the account.
        name: String,
        /// Contains the lifecycle state such as: Active, Closed, Suspended and so on.
        state: Option<String>,
        /// Balances linked to the account.
        #[validate(nested)]
        account_balance: Option<Vec<AccountBalance>>,
        /// Significant connections to other accounts (for a financial account, the party accounts
        /// it aggregates).
        #[validate(nested)]
        account_relationship: Option<Vec<AccountRelationship>>,
        /// Contact points for the account.
        #[validate(nested)]
        contact: Option<Vec<Contact>>,
        /// The maximum amount of money that may be charged on an account.
        #[validate(nested)]
        credit_limit: Option<Money>,
        /// Proofs of exemption from taxes.
        #[validate(nested)]
        tax_exemption: Option<Vec<AccountTaxExemption>>,
    }
}

crate::wire::wire! {
    /// A balance of an account (TMF666 `AccountBalance`): a deposit, disputed, loyalty or
    /// receivable balance, for instance, over a validity period.
    pub struct AccountBalance {
        /// Type of the balance: deposit balance, disputed balance, loyalty balance, receivable
        /// balance...
        balance_type: String,
        /// Balance amount.
        #[validate(nested)]
        amount: Money,
        /// Balance validity period.
        #[validate(nested)]
        valid_for: TimePeriod,
    }

    /// A significant connection between accounts (TMF666 `AccountRelationship`), for instance an
    /// aggregating account for a list of shop branches each having its own billing account.
    pub struct AccountRelationship {
        /// Type of relationship.
        relationship_type: String,
        /// The account at the other end of the relationship.
        #[validate(nested)]
        account: Option<RelatedAccountRef>,
        /// Validity period of that relationship.
        #[validate(nested)]
        valid_for: TimePeriod,
    }

    /// Proof of freedom from taxes imposed by a taxing jurisdiction (TMF666 `AccountTaxExemption`).
    pub struct AccountTaxExemption {
        /// Identifier of a document that shows proof of exemption from taxes for the taxing
        /// jurisdiction.
        certificate_number: Option<String>,
        /// Name of the taxing jurisdiction for which taxes are exempt.
        issuing_jurisdiction: String,
        /// Reason of the tax exemption.
        reason: Option<String>,
        /// Period for which the exemption is valid.
        #[validate(nested)]
        valid_for: TimePeriod,
    }

    /// An individual or an organization used as a contact point for a given account and reached
    /// through some contact media (TMF666 `Contact`).
    pub struct Contact {
        /// A displayable name for that contact.
        contact_name: Option<String>,
        /// Type of contact (primary, secondary...).
        contact_type: String,
        /// Identifies what kind of party role type is linked to the contact (an account
        /// manager...).
        party_role_type: Option<String>,
        /// The ways the contact can be reached; every property is optional, as in TMF632.
        #[validate(nested)]
        contact_medium: Option<Vec<ContactMedium>>,
        /// The party or party role that is the contact.
        #[validate(nested)]
        related_party: Option<AccountRelatedParty>,
        /// Validity period of that contact.
        #[validate(nested)]
        valid_for: TimePeriod,
    }

    /// A plan for payment, when a party wants to spread its payments (TMF666 `PaymentPlan`).
    #[derive(Default)]
    pub struct PaymentPlan {
        /// Number of payments used to spread the global payment.
        number_of_payments: Option<i64>,
        /// Frequency of the payments, such as monthly and bimonthly.
        payment_frequency: Option<String>,
        /// Type of payment plan.
        plan_type: Option<String>,
        /// Priority of the payment plan.
        priority: Option<i64>,
        /// Status of the payment plan (effective, ineffective).
        status: Option<String>,
        /// The means of payment of the plan.
        #[validate(nested)]
        payment_method: Option<PaymentMethodRef>,
        /// Amount paid.
        #[validate(nested)]
        total_amount: Option<Money>,
        /// Validity period of the payment plan.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }
}

crate::wire::entity_ref! {
    /// A reference to a financial account (TMF666 `FinancialAccountRef`): the account receivable
    /// that aggregates the amounts of one or more party accounts owned by a given party, with its
    /// balance.
    FinancialAccountRef {
        /// The balance of the financial account.
        #[validate(nested)]
        account_balance: Option<AccountBalance>,
    }

    /// A reference to an account, either a party account or a financial account, as TMF666 defines
    /// `AccountRef`: `id` is required.
    ///
    /// TMF629 and TMF669 define `AccountRef` with the same properties but require `name` instead of
    /// `id`; that form is [`AccountRef`]. The two convert into each other when the property the
    /// target requires is present.
    RelatedAccountRef {
        /// Detailed description of the account.
        description: Option<String>,
    }
}

/// A party or party role linked to an account (TMF666 `RelatedParty`). TMF666 requires `name`
/// besides `id` and `@referredType`; the client may leave all but `id` out, and the server
/// completes them from the stored party, so the input form is the party model's [`RelatedParty`].
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

crate::wire::wire_enum! {
    /// The lifecycle of an account (TMF666 `state`, a free string in the specification whose
    /// values this CRM fixes): created → active ⇄ suspended, and closed (final) from any state.
    /// Names are read without regard to case (the specification writes `Active`,
    /// `Suspended`, `Closed`).
    pub enum AccountState {
        /// `Created`: opened, not yet in use.
        "Created" => Created,
        /// `Active`: in use.
        "Active" => Active,
        /// `Suspended`: barred for the time being (for example for non-payment).
        "Suspended" => Suspended,
        /// `Closed`: ended; final.
        "Closed" => Closed,
    }
}

impl crate::lifecycle::Lifecycle for AccountState {
    const ENTITY: &'static str = "Account";
    const ATTRIBUTE: &'static str = "state";
    const STATES: &'static [Self] = &Self::ALL;
    const CREATE: &'static [Self] = &[Self::Created, Self::Active];
    const INITIAL: Self = Self::Active;
    const FINAL: &'static [Self] = &[Self::Closed];

    fn name(self) -> &'static str {
        self.as_str()
    }

    fn next(self) -> &'static [Self] {
        use AccountState::*;
        match self {
            Created => &[Active, Closed],
            Active => &[Suspended, Closed],
            Suspended => &[Active, Closed],
            Closed => &[],
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

#[cfg(test)]
mod state_tests {
    use super::AccountState;
    use crate::lifecycle::Lifecycle;

    #[test]
    fn account_states_are_read_whatever_their_case() {
        assert_eq!(AccountState::parse("active"), Some(AccountState::Active));
        assert_eq!(
            AccountState::parse(" SUSPENDED "),
            Some(AccountState::Suspended)
        );
        assert_eq!(AccountState::parse("gone"), None);
    }
}
