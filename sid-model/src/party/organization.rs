//! TMF632 `Organization` (declared with the other kind of party in [`crate::party`], with which it
//! shares properties) and the sub-types only organizations have.

use validator::Validate;

pub use crate::party::{Organization, OrganizationIdentification};
use crate::reference::OrganizationRef;
use crate::time::TimePeriod;

crate::wire::wire_enum! {
    /// Valid values for the lifecycle state of the organization.
    pub enum OrganizationStateType {
        /// `initialized`: recorded, not yet validated.
        "initialized" => Initialized,
        /// `validated`: the organization has been checked.
        "validated" => Validated,
        /// `closed`: the organization has ceased to exist.
        "closed" => Closed,
    }
}

crate::wire::wire! {
    /// Keeps track of other names, for example the old name of an organization.
    #[derive(Default)]
    pub struct OtherNameOrganization {
        /// Organization name (department name for example).
        name: Option<String>,
        /// Type of the name: Co., Inc., Ltd., Pty Ltd., Plc, GmbH, ...
        name_type: Option<String>,
        /// The name that the organization trades under.
        trading_name: Option<String>,
        /// The period during which this name was used.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }
}

crate::wire::alike! {
    /// Child references of an organization in a structure of organizations.
    #[derive(Default)]
    pub struct OrganizationChildRelationship;

    /// Parent references of an organization in a structure of organizations.
    #[derive(Default)]
    pub struct OrganizationParentRelationship;

    fields {
        /// Type of the relationship. Could be juridical, hierarchical, geographical, functional for
        /// example.
        relationship_type: Option<String>,
        /// The organization at the other end: the child or the parent.
        #[validate(nested)]
        organization: Option<OrganizationRef>,
    }
}
