//! TMF620 Product Catalog: catalogs and their categories, product specifications, product
//! offerings and product offering prices, with every sub-type and reference they use.
//!
//! `Catalog`, `Category` and the structure of a catalog are here; product specifications are in
//! [`specification`], product offerings in [`offering`], their prices in [`price`] and the
//! references in [`mod@reference`].
//!
//! TMF620 v4.0.0 defines `AgreementRef`, `AttachmentRefOrValue`, `Quantity`, `RelatedParty` and
//! `TimePeriod` identically to the types of the same name already in this crate, which are
//! reused. So is [`Money`](crate::Money), which is stricter than TMF620's `Money`: the
//! specification lists no required property, but an amount without a currency or without a
//! value means nothing, so both `unit` (an ISO 4217 code) and `value` must be present. Every
//! amount is a `Money` and every percentage or tax rate an exact decimal, never a binary float.
//!
//! The definitions that none of these resources uses (`Attachment`, `AttachmentRef`,
//! `EntityRef`, and the `ExportJob` and `ImportJob` task resources with their `JobStateType`)
//! are not modelled. `ProductOfferingPriceRefOrValue` and `Duration` appear only in later
//! versions of TMF620: in v4.0.0 a product offering refers to its prices by
//! [`ProductOfferingPriceRef`](reference::ProductOfferingPriceRef) and a term's duration is a
//! [`Quantity`](crate::Quantity).

pub mod offering;
pub mod price;
pub mod reference;
pub mod specification;

use chrono::{DateTime, Utc};
use validator::Validate;

use crate::catalog::reference::{CategoryRef, ProductOfferingRef};
use crate::reference::RelatedParty;
use crate::time::TimePeriod;

crate::wire::wire! {
    /// A collection of product offerings intended for a specific distribution channel, enhanced
    /// with additional information such as SLA parameters, invoicing and shipping details (TMF620
    /// `Catalog`).
    ///
    /// Only `name` is required on creation.
    pub struct Catalog {
        /// Unique identifier of the catalog.
        id: Option<String>,
        /// Unique reference of the catalog.
        href: Option<String>,
        /// Whether the catalog is a product, service or resource catalog.
        catalog_type: Option<String>,
        /// Description of this catalog.
        description: Option<String>,
        /// Date and time of the last update.
        last_update: Option<DateTime<Utc>>,
        /// Used to indicate the current lifecycle status.
        lifecycle_status: Option<String>,
        /// Name of the catalog.
        name: String,
        /// Catalog version.
        version: Option<String>,
        /// The root categories of the catalog.
        #[validate(nested)]
        category: Option<Vec<CategoryRef>>,
        /// Parties or party roles involved in the catalog.
        #[validate(nested)]
        related_party: Option<Vec<RelatedParty>>,
        /// The period for which the catalog is valid.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }

    /// A logical container for product offerings, service and resource candidates, and other
    /// categories (TMF620 `Category`).
    ///
    /// Only `name` is required on creation.
    pub struct Category {
        /// Unique identifier of the category.
        id: Option<String>,
        /// Reference of the category.
        href: Option<String>,
        /// Description of the category.
        description: Option<String>,
        /// If true, the category is a root of categories.
        is_root: Option<bool>,
        /// Date and time of the last update.
        last_update: Option<DateTime<Utc>>,
        /// Used to indicate the current lifecycle status.
        lifecycle_status: Option<String>,
        /// Name of the category.
        name: String,
        /// Unique identifier of the parent category.
        parent_id: Option<String>,
        /// Category version.
        version: Option<String>,
        /// The product offerings in the category.
        #[validate(nested)]
        product_offering: Option<Vec<ProductOfferingRef>>,
        /// The categories within this one.
        #[validate(nested)]
        sub_category: Option<Vec<CategoryRef>>,
        /// The period for which the category is valid.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }
}

crate::wire::wire_enum! {
    /// The lifecycle of a catalog entity (TMF620 `lifecycleStatus`, a free string in the
    /// specification; the values are its user guide's).
    pub enum LifecycleStatus {
        /// `In study`: being studied.
        "In study" => InStudy,
        /// `In design`: being designed.
        "In design" => InDesign,
        /// `In test`: being tested.
        "In test" => InTest,
        /// `Rejected`: abandoned before launch.
        "Rejected" => Rejected,
        /// `Active`: usable, not yet offered to customers.
        "Active" => Active,
        /// `Launched`: offered to customers.
        "Launched" => Launched,
        /// `Retired`: no longer offered to new customers.
        "Retired" => Retired,
        /// `Obsolete`: gone.
        "Obsolete" => Obsolete,
    }
}

impl LifecycleStatus {
    /// Whether customers can be sold what carries this status.
    pub fn is_sellable(self) -> bool {
        matches!(self, Self::Active | Self::Launched)
    }
}

impl crate::lifecycle::Lifecycle for LifecycleStatus {
    const ENTITY: &'static str = "catalog entity";
    const ATTRIBUTE: &'static str = "lifecycleStatus";
    const STATES: &'static [Self] = &Self::ALL;
    /// A catalog may be loaded with live entries.
    const CREATE: &'static [Self] = &[
        Self::InStudy,
        Self::InDesign,
        Self::InTest,
        Self::Active,
        Self::Launched,
    ];
    const INITIAL: Self = Self::InDesign;
    const FINAL: &'static [Self] = &[Self::Rejected, Self::Obsolete];

    fn name(self) -> &'static str {
        self.as_str()
    }

    fn next(self) -> &'static [Self] {
        use LifecycleStatus::*;
        match self {
            InStudy => &[InDesign, Rejected],
            InDesign => &[InTest, Rejected],
            InTest => &[InDesign, Active, Launched, Rejected],
            Active => &[Launched, Retired],
            Launched => &[Retired],
            Retired => &[Obsolete],
            Rejected | Obsolete => &[],
        }
    }
}
