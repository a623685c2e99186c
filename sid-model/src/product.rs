//! TMF637 Product Inventory: the products a party owns, with every sub-type and reference they
//! use.
//!
//! TMF622 Product Ordering defines `ProductRefOrValue`, `ProductRelationship`,
//! `ProductStatusType`, `ProductPrice`, `Price`, `PriceAlteration`, `ProductTerm`,
//! `RelatedPlaceRefOrValue`, `RelatedProductOrderItem`, `ResourceRef`, `ServiceRef`,
//! `AgreementItemRef` and `BillingAccountRef` identically to TMF637, so an order item carries
//! the same types as the inventory. `Characteristic`, `Quantity`, `RelatedParty` and
//! `TimePeriod` are identical to the types of the same name already in this crate and are
//! reused, as are TMF620's `ProductOfferingRef`, `ProductOfferingPriceRef` and
//! `ProductSpecificationRef` (with `TargetProductSchema`). So is [`Money`], which is stricter
//! than TMF637's `Money`: both `unit` (an ISO 4217 code) and `value` must be present. Every
//! amount is a `Money` and every percentage or tax rate an exact decimal, never a binary float.
//!
//! The definitions that `Product` does not use (`EntityRef`, `Place`, `PlaceRef` and
//! `ProductRef`) are not modelled.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use validator::Validate;

use crate::catalog::reference::{
    ProductOfferingPriceRef, ProductOfferingRef, ProductSpecificationRef,
};
use crate::characteristic::Characteristic;
use crate::money::Money;
use crate::quantity::Quantity;
use crate::reference::RelatedParty;
use crate::time::TimePeriod;

crate::wire::alike! {
    /// A product offering procured by a customer or another party playing a party role (TMF637
    /// `Product`), realised as one or more services and/or resources.
    ///
    /// Only `status` is required on creation.
    pub struct Product {
        /// The lifecycle status of the product.
        status: ProductStatusType,
    };

    /// A product given by reference (an existing product) or by value (a product to create) (TMF637
    /// and TMF622 `ProductRefOrValue`).
    ///
    /// The polymorphic `@type`, `@schemaLocation` and `@referredType` describe the product, not
    /// this wrapper. No property is required.
    #[derive(Default)]
    pub struct ProductRefOrValue @referredType {
        /// The lifecycle status of the product.
        status: Option<ProductStatusType>,
    };

    fields {
        /// Unique identifier of the product.
        id: Option<String>,
        /// Reference of the product.
        href: Option<String>,
        /// Description of the product; it could be copied from that of the product
        /// offering.
        description: Option<String>,
        /// If true, the product is a bundle, an instance of a bundled product offering; if
        /// false, it is a component, an instance of a simple product offering.
        is_bundle: Option<bool>,
        /// If true, the product is visible by the customer.
        is_customer_visible: Option<bool>,
        /// Name of the product; it could be the same as that of the product offering.
        name: Option<String>,
        /// When the product was ordered.
        order_date: Option<DateTime<Utc>>,
        /// The serial number of the product, typically for tangible products such as a
        /// broadband router.
        product_serial_number: Option<String>,
        /// When the product starts.
        start_date: Option<DateTime<Utc>>,
        /// When the product was terminated.
        termination_date: Option<DateTime<Utc>>,
        /// Items of agreements the product is bound by.
        #[validate(nested)]
        agreement: Option<Vec<AgreementItemRef>>,
        /// The billing account the product is billed to.
        #[validate(nested)]
        billing_account: Option<BillingAccountRef>,
        /// Places related to the product, each with the role it plays (an installation
        /// address, for example).
        #[validate(nested)]
        place: Option<Vec<RelatedPlaceRefOrValue>>,
        /// The products bundled in this one, when it is a bundle.
        #[validate(nested)]
        product: Option<Vec<ProductRefOrValue>>,
        /// The characteristics of the product, as name/value pairs.
        #[validate(nested)]
        product_characteristic: Option<Vec<Characteristic>>,
        /// The product offering the product was procured from.
        #[validate(nested)]
        product_offering: Option<ProductOfferingRef>,
        /// The product order items that created, changed or terminated the product.
        #[validate(nested)]
        product_order_item: Option<Vec<RelatedProductOrderItem>>,
        /// The prices paid for the product.
        #[validate(nested)]
        product_price: Option<Vec<ProductPrice>>,
        /// Other products this one is linked to (bundled, reliesOn, targets...).
        #[validate(nested)]
        product_relationship: Option<Vec<ProductRelationship>>,
        /// The specification of the product.
        #[validate(nested)]
        product_specification: Option<ProductSpecificationRef>,
        /// The commitments (terms with a duration) of the product.
        #[validate(nested)]
        product_term: Option<Vec<ProductTerm>>,
        /// The resources that realise the product.
        #[validate(nested)]
        realizing_resource: Option<Vec<ResourceRef>>,
        /// The services that realise the product.
        #[validate(nested)]
        realizing_service: Option<Vec<ServiceRef>>,
        /// Parties or party roles linked to the product.
        #[validate(nested)]
        related_party: Option<Vec<RelatedParty>>,
    }
}

crate::wire::wire! {
    /// A link from a product to another (TMF637 and TMF622 `ProductRelationship`): `bundled` when
    /// the product is a bundle and the other is inside it, `reliesOn` when it needs another already
    /// owned product, `targets` or `isTargeted` for any other link.
    ///
    /// `relationshipType` and `product` are required.
    pub struct ProductRelationship {
        /// Type of the product relationship, such as bundled, reliesOn, targets or isTargeted.
        relationship_type: String,
        /// The product at the other end of the relationship.
        #[validate(nested)]
        product: ProductRefOrValue,
    }

    /// The price actually paid by a customer for a purchase, a rent or a lease of a product (TMF637
    /// and TMF622 `ProductPrice`), valid for a period.
    ///
    /// `priceType` and `price` are required.
    pub struct ProductPrice {
        /// A narrative that explains in detail the semantics of this product price.
        description: Option<String>,
        /// A short descriptive name such as "Subscription price".
        name: Option<String>,
        /// A category that describes the price, such as recurring, discount, allowance, penalty,
        /// and so forth.
        price_type: String,
        /// The period of a recurring charge: month, week...
        recurring_charge_period: Option<String>,
        /// The unit the price is for: minutes, GB...
        unit_of_measure: Option<String>,
        /// The billing account the price is charged to.
        #[validate(nested)]
        billing_account: Option<BillingAccountRef>,
        /// The amounts (tax included and duty free), the tax rate and the percentage of the price.
        #[validate(nested)]
        price: Price,
        /// The product offering price this price comes from.
        #[validate(nested)]
        product_offering_price: Option<ProductOfferingPriceRef>,
        /// Alterations (discounts, allowances...) of the price.
        #[validate(nested)]
        product_price_alteration: Option<Vec<PriceAlteration>>,
    }

    /// The amounts of a price (TMF637 and TMF622 `Price`): tax included, duty free, the tax rate,
    /// and the percentage of a price alteration.
    ///
    /// Amounts are [`Money`], the rate and the percentage exact decimals.
    #[derive(Default)]
    pub struct Price {
        /// Percentage to apply for a product offering price alteration, as an exact decimal.
        #[serde(with = "crate::decimal::option", default)]
        percentage: Option<Decimal>,
        /// Tax rate, as an exact decimal.
        #[serde(with = "crate::decimal::option", default)]
        tax_rate: Option<Decimal>,
        /// All taxes excluded amount (expressed in the given currency).
        #[validate(nested)]
        duty_free_amount: Option<Money>,
        /// All taxes included amount (expressed in the given currency).
        #[validate(nested)]
        tax_included_amount: Option<Money>,
    }

    /// An amount, usually of money, that modifies a price (TMF637 and TMF622 `PriceAlteration`),
    /// such as a discount or two months free of charge.
    ///
    /// `priceType` and `price` are required.
    pub struct PriceAlteration {
        /// Duration during which the alteration applies on the price (for instance 2 months free of
        /// charge for the recurring charge).
        application_duration: Option<i64>,
        /// A narrative that explains in detail the semantics of this price alteration.
        description: Option<String>,
        /// Name of the price alteration.
        name: Option<String>,
        /// A category that describes the price, such as recurring, one time and usage.
        price_type: String,
        /// Priority level for applying this alteration among all the alterations of the price.
        priority: Option<i64>,
        /// The period of a recurring charge: month, week...
        recurring_charge_period: Option<String>,
        /// The unit the price is for: minutes, GB...
        unit_of_measure: Option<String>,
        /// The amounts of the alteration.
        #[validate(nested)]
        price: Price,
        /// The product offering price the alteration comes from.
        #[validate(nested)]
        product_offering_price: Option<ProductOfferingPriceRef>,
    }

    /// A commitment with a duration linked to a product (TMF637 and TMF622 `ProductTerm`).
    ///
    /// The duration is a [`Quantity`], such as 12 months.
    #[derive(Default)]
    pub struct ProductTerm {
        /// Description of the product term.
        description: Option<String>,
        /// Name of the product term.
        name: Option<String>,
        /// Duration of the product term.
        #[validate(nested)]
        duration: Option<Quantity>,
        /// The period for which the product term is valid.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }

    /// A place related to an entity, given by reference or by value, with the role it plays there
    /// (TMF637 and TMF622 `RelatedPlaceRefOrValue`).
    ///
    /// The polymorphic `@type`, `@schemaLocation` and `@referredType` describe the place, not this
    /// wrapper. `role` is required.
    pub struct RelatedPlaceRefOrValue @referredType {
        /// Unique identifier of the place.
        id: Option<String>,
        /// Unique reference of the place.
        href: Option<String>,
        /// A user-friendly name for the place, such as Paris Store, London Store or Main Home.
        name: Option<String>,
        /// Role of the place for the entity, such as an installation address.
        role: String,
    }

    /// The product order item that created, changed or terminated a product (TMF637 and TMF622
    /// `RelatedProductOrderItem`).
    ///
    /// `productOrderId` and `orderItemId` are required.
    pub struct RelatedProductOrderItem @referredType {
        /// Action of the order item for this product (add, modify, delete, noChange), as free text.
        order_item_action: Option<String>,
        /// Identifier of the order item where the product was managed.
        #[validate(length(min = 1))]
        order_item_id: String,
        /// Reference of the product order.
        product_order_href: Option<String>,
        /// Unique identifier of the product order.
        #[validate(length(min = 1))]
        product_order_id: String,
        /// Role of the product order item for this product.
        role: Option<String>,
    }
}

crate::wire::entity_ref! {
    /// A reference to a resource (TMF637 and TMF622 `ResourceRef`), such as one that realises a
    /// product.
    ResourceRef {
        /// The resource value that can be used to identify a resource with a public key (e.g.: a tel
        /// nr, an msisdn).
        value: Option<String>,
    }

    /// A reference to a service (TMF637 and TMF622 `ServiceRef`), such as one that realises a product.
    ServiceRef {}

    /// A reference to an item of an agreement (TMF637 and TMF622 `AgreementItemRef`): the
    /// agreement, and the item within it.
    AgreementItemRef {
        /// Identifier of the item within the agreement.
        agreement_item_id: Option<String>,
    }

    /// A reference to a billing account (TMF637 and TMF622 `BillingAccountRef`).
    BillingAccountRef {}
}

crate::wire::wire_enum! {
    /// The lifecycle status of a product (TMF637 and TMF622 `ProductStatusType`).
    ///
    /// Only the eight spellings of the specification are accepted, including its `"aborted "` with
    /// a trailing space.
    pub enum ProductStatusType {
        /// `created`: the product has been recorded, not yet activated.
        "created" => Created,
        /// `pendingActive`: the product is being activated.
        "pendingActive" => PendingActive,
        /// `cancelled`: the product was cancelled before it became active.
        "cancelled" => Cancelled,
        /// `active`: the product is in service.
        "active" => Active,
        /// `pendingTerminate`: the product is being terminated.
        "pendingTerminate" => PendingTerminate,
        /// `terminated`: the product is no longer in service.
        "terminated" => Terminated,
        /// `suspended`: the product is temporarily out of service.
        "suspended" => Suspended,
        /// `aborted `: the creation of the product failed (the specification spells it with a
        /// trailing space).
        "aborted " => Aborted,
    }
}

/// A product's status is free until the product ends: a product may be recorded in any
/// status (inventories are loaded as they are), and moves from any status to any other while
/// it lives; `terminated`, `cancelled` and `aborted ` are final (nothing may be ordered
/// against the product any more, and it cannot come back).
impl crate::lifecycle::Lifecycle for ProductStatusType {
    const ENTITY: &'static str = "Product";
    const ATTRIBUTE: &'static str = "status";
    const STATES: &'static [Self] = &Self::ALL;
    const CREATE: &'static [Self] = &Self::ALL;
    const INITIAL: Self = Self::Created;
    const FINAL: &'static [Self] = &[Self::Terminated, Self::Cancelled, Self::Aborted];

    fn name(self) -> &'static str {
        self.as_str()
    }

    fn next(self) -> &'static [Self] {
        use ProductStatusType::*;
        match self {
            Created => &[
                PendingActive,
                Cancelled,
                Active,
                PendingTerminate,
                Terminated,
                Suspended,
                Aborted,
            ],
            PendingActive => &[
                Created,
                Cancelled,
                Active,
                PendingTerminate,
                Terminated,
                Suspended,
                Aborted,
            ],
            Active => &[
                Created,
                PendingActive,
                Cancelled,
                PendingTerminate,
                Terminated,
                Suspended,
                Aborted,
            ],
            PendingTerminate => &[
                Created,
                PendingActive,
                Cancelled,
                Active,
                Terminated,
                Suspended,
                Aborted,
            ],
            Suspended => &[
                Created,
                PendingActive,
                Cancelled,
                Active,
                PendingTerminate,
                Terminated,
                Aborted,
            ],
            Terminated | Cancelled | Aborted => &[],
        }
    }
}
