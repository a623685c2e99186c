//! TMF666 party accounts: accounts used for billing or for settlement concerning a given party.
//!
//! `PartyAccount`, `BillingAccount` and `SettlementAccount` have the same properties in TMF666
//! v4: one struct serves the three resources (the two others are aliases of it); each has its
//! own path, and `@type` says which one a document is.

//!
//! [`PartyAccount`] is declared in [`crate::account`] with
//! [`FinancialAccount`](crate::FinancialAccount), with which it shares the properties of
//! TMF666's abstract `Account`.

pub use super::PartyAccount;

/// A party account used for billing purposes (TMF666 `BillingAccount`, a specialization of
/// `PartyAccount`). It includes a description of the bill structure (frequency, presentation
/// media, format and so on). Its properties are exactly those of [`PartyAccount`]; the
/// resource path and `@type` say which of the three a client means.
pub type BillingAccount = PartyAccount;

/// A party account used for settlement purposes (TMF666 `SettlementAccount`, a
/// specialization of `PartyAccount`), with the same properties as [`PartyAccount`].
pub type SettlementAccount = PartyAccount;
