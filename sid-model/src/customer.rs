//! TMF629 `Customer`: a party playing the customer role, with the properties of a
//! [`PartyRole`](crate::PartyRole) (both are declared in [`crate::party_role`]).

pub use crate::party_role::Customer;

use crate::lifecycle::Lifecycle;

crate::wire::wire_enum! {
    /// The lifecycle of a customer (TMF629 `status`, a free string in the specification whose
    /// values this CRM fixes): initialized → validated → active ⇄ inactive, and closed (final)
    /// from any state.
    pub enum CustomerStatus {
        /// `initialized`: recorded, not yet checked.
        "initialized" => Initialized,
        /// `validated`: identity and data checked.
        "validated" => Validated,
        /// `active`: doing business.
        "active" => Active,
        /// `inactive`: dormant or suspended; may come back.
        "inactive" => Inactive,
        /// `closed`: the relationship ended; final.
        "closed" => Closed,
    }
}

impl Lifecycle for CustomerStatus {
    const ENTITY: &'static str = "Customer";
    const ATTRIBUTE: &'static str = "status";
    const STATES: &'static [Self] = &Self::ALL;
    const CREATE: &'static [Self] = &[Self::Initialized, Self::Validated, Self::Active];
    const INITIAL: Self = Self::Initialized;
    const FINAL: &'static [Self] = &[Self::Closed];

    fn name(self) -> &'static str {
        self.as_str()
    }

    fn next(self) -> &'static [Self] {
        use CustomerStatus::*;
        match self {
            Initialized => &[Validated, Active, Closed],
            Validated => &[Active, Closed],
            Active => &[Inactive, Closed],
            Inactive => &[Active, Closed],
            Closed => &[],
        }
    }
}
