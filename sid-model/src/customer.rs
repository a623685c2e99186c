//! TMF629 `Customer`: a party playing the customer role, with the properties of a
//! [`PartyRole`](crate::PartyRole) (both are declared in [`crate::party_role`]).

pub use crate::party_role::Customer;
