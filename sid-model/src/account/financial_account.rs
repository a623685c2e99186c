//! TMF666 financial accounts: what a party owes, aggregated over its party accounts.
//!
//! [`FinancialAccount`] is declared in [`crate::account`] with
//! [`PartyAccount`](crate::PartyAccount), with which it shares the properties of TMF666's
//! abstract `Account`.

pub use super::FinancialAccount;
