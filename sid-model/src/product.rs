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

use std::fmt;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::catalog::reference::{
    ProductOfferingPriceRef, ProductOfferingRef, ProductSpecificationRef,
};
use crate::characteristic::Characteristic;
use crate::extension::{Extensions, Meta};
use crate::money::Money;
use crate::quantity::Quantity;
use crate::reference::RelatedParty;
use crate::time::TimePeriod;

/// A product offering procured by a customer or another party playing a party role (TMF637
/// `Product`), realised as one or more services and/or resources.
///
/// Only `status` is required on creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct Product {
    /// Unique identifier of the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Reference of the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Description of the product; it could be copied from that of the product offering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// If true, the product is a bundle, an instance of a bundled product offering; if false, it is
    /// a component, an instance of a simple product offering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_bundle: Option<bool>,
    /// If true, the product is visible by the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_customer_visible: Option<bool>,
    /// Name of the product; it could be the same as that of the product offering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// When the product was ordered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_date: Option<DateTime<Utc>>,
    /// The serial number of the product, typically for tangible products such as a broadband
    /// router.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_serial_number: Option<String>,
    /// When the product starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<DateTime<Utc>>,
    /// When the product was terminated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_date: Option<DateTime<Utc>>,
    /// Items of agreements the product is bound by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub agreement: Option<Vec<AgreementItemRef>>,
    /// The billing account the product is billed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub billing_account: Option<BillingAccountRef>,
    /// Places related to the product, each with the role it plays (an installation address, for
    /// example).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub place: Option<Vec<RelatedPlaceRefOrValue>>,
    /// The products bundled in this one, when it is a bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product: Option<Vec<ProductRefOrValue>>,
    /// The characteristics of the product, as name/value pairs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_characteristic: Option<Vec<Characteristic>>,
    /// The product offering the product was procured from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_offering: Option<ProductOfferingRef>,
    /// The product order items that created, changed or terminated the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_order_item: Option<Vec<RelatedProductOrderItem>>,
    /// The prices paid for the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_price: Option<Vec<ProductPrice>>,
    /// Other products this one is linked to (bundled, reliesOn, targets...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_relationship: Option<Vec<ProductRelationship>>,
    /// The specification of the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_specification: Option<ProductSpecificationRef>,
    /// The commitments (terms with a duration) of the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_term: Option<Vec<ProductTerm>>,
    /// The resources that realise the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub realizing_resource: Option<Vec<ResourceRef>>,
    /// The services that realise the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub realizing_service: Option<Vec<ServiceRef>>,
    /// Parties or party roles linked to the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub related_party: Option<Vec<RelatedParty>>,
    /// The lifecycle status of the product.
    pub status: ProductStatusType,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A product given by reference (an existing product) or by value (a product to create) (TMF637 and
/// TMF622 `ProductRefOrValue`).
///
/// The polymorphic `@type`, `@schemaLocation` and `@referredType` describe the product, not this
/// wrapper. No property is required.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct ProductRefOrValue {
    /// Unique identifier of the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Reference of the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Description of the product; it could be copied from that of the product offering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// If true, the product is a bundle, an instance of a bundled product offering; if false, it is
    /// a component, an instance of a simple product offering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_bundle: Option<bool>,
    /// If true, the product is visible by the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_customer_visible: Option<bool>,
    /// Name of the product; it could be the same as that of the product offering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// When the product was ordered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_date: Option<DateTime<Utc>>,
    /// The serial number of the product, typically for tangible products such as a broadband
    /// router.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_serial_number: Option<String>,
    /// When the product starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<DateTime<Utc>>,
    /// When the product was terminated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_date: Option<DateTime<Utc>>,
    /// Items of agreements the product is bound by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub agreement: Option<Vec<AgreementItemRef>>,
    /// The billing account the product is billed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub billing_account: Option<BillingAccountRef>,
    /// Places related to the product, each with the role it plays (an installation address, for
    /// example).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub place: Option<Vec<RelatedPlaceRefOrValue>>,
    /// The products bundled in this one, when it is a bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product: Option<Vec<ProductRefOrValue>>,
    /// The characteristics of the product, as name/value pairs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_characteristic: Option<Vec<Characteristic>>,
    /// The product offering the product was procured from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_offering: Option<ProductOfferingRef>,
    /// The product order items that created, changed or terminated the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_order_item: Option<Vec<RelatedProductOrderItem>>,
    /// The prices paid for the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_price: Option<Vec<ProductPrice>>,
    /// Other products this one is linked to (bundled, reliesOn, targets...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_relationship: Option<Vec<ProductRelationship>>,
    /// The specification of the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_specification: Option<ProductSpecificationRef>,
    /// The commitments (terms with a duration) of the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_term: Option<Vec<ProductTerm>>,
    /// The resources that realise the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub realizing_resource: Option<Vec<ResourceRef>>,
    /// The services that realise the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub realizing_service: Option<Vec<ServiceRef>>,
    /// Parties or party roles linked to the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub related_party: Option<Vec<RelatedParty>>,
    /// The lifecycle status of the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ProductStatusType>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// The actual type of the target instance, when needed for disambiguation.
    #[serde(
        rename = "@referredType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub referred_type: Option<String>,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A link from a product to another (TMF637 and TMF622 `ProductRelationship`): `bundled` when the
/// product is a bundle and the other is inside it, `reliesOn` when it needs another already owned
/// product, `targets` or `isTargeted` for any other link.
///
/// `relationshipType` and `product` are required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct ProductRelationship {
    /// Type of the product relationship, such as bundled, reliesOn, targets or isTargeted.
    #[validate(length(min = 1))]
    pub relationship_type: String,
    /// The product at the other end of the relationship.
    #[validate(nested)]
    pub product: ProductRefOrValue,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// The price actually paid by a customer for a purchase, a rent or a lease of a product (TMF637 and
/// TMF622 `ProductPrice`), valid for a period.
///
/// `priceType` and `price` are required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct ProductPrice {
    /// A narrative that explains in detail the semantics of this product price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A short descriptive name such as "Subscription price".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A category that describes the price, such as recurring, discount, allowance, penalty, and so
    /// forth.
    #[validate(length(min = 1))]
    pub price_type: String,
    /// The period of a recurring charge: month, week...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurring_charge_period: Option<String>,
    /// The unit the price is for: minutes, GB...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_of_measure: Option<String>,
    /// The billing account the price is charged to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub billing_account: Option<BillingAccountRef>,
    /// The amounts (tax included and duty free), the tax rate and the percentage of the price.
    #[validate(nested)]
    pub price: Price,
    /// The product offering price this price comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_offering_price: Option<ProductOfferingPriceRef>,
    /// Alterations (discounts, allowances...) of the price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_price_alteration: Option<Vec<PriceAlteration>>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// The amounts of a price (TMF637 and TMF622 `Price`): tax included, duty free, the tax rate, and
/// the percentage of a price alteration.
///
/// Amounts are [`Money`], the rate and the percentage exact decimals.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct Price {
    /// Percentage to apply for a product offering price alteration, as an exact decimal.
    #[serde(
        with = "crate::decimal::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub percentage: Option<Decimal>,
    /// Tax rate, as an exact decimal.
    #[serde(
        with = "crate::decimal::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub tax_rate: Option<Decimal>,
    /// All taxes excluded amount (expressed in the given currency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub duty_free_amount: Option<Money>,
    /// All taxes included amount (expressed in the given currency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub tax_included_amount: Option<Money>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// An amount, usually of money, that modifies a price (TMF637 and TMF622 `PriceAlteration`), such
/// as a discount or two months free of charge.
///
/// `priceType` and `price` are required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct PriceAlteration {
    /// Duration during which the alteration applies on the price (for instance 2 months free of
    /// charge for the recurring charge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_duration: Option<i64>,
    /// A narrative that explains in detail the semantics of this price alteration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Name of the price alteration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A category that describes the price, such as recurring, one time and usage.
    #[validate(length(min = 1))]
    pub price_type: String,
    /// Priority level for applying this alteration among all the alterations of the price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    /// The period of a recurring charge: month, week...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurring_charge_period: Option<String>,
    /// The unit the price is for: minutes, GB...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_of_measure: Option<String>,
    /// The amounts of the alteration.
    #[validate(nested)]
    pub price: Price,
    /// The product offering price the alteration comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_offering_price: Option<ProductOfferingPriceRef>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A commitment with a duration linked to a product (TMF637 and TMF622 `ProductTerm`).
///
/// The duration is a [`Quantity`], such as 12 months.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct ProductTerm {
    /// Description of the product term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Name of the product term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Duration of the product term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub duration: Option<Quantity>,
    /// The period for which the product term is valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub valid_for: Option<TimePeriod>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A place related to an entity, given by reference or by value, with the role it plays there
/// (TMF637 and TMF622 `RelatedPlaceRefOrValue`).
///
/// The polymorphic `@type`, `@schemaLocation` and `@referredType` describe the place, not this
/// wrapper. `role` is required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct RelatedPlaceRefOrValue {
    /// Unique identifier of the place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Unique reference of the place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// A user-friendly name for the place, such as Paris Store, London Store or Main Home.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Role of the place for the entity, such as an installation address.
    #[validate(length(min = 1))]
    pub role: String,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// The actual type of the target instance, when needed for disambiguation.
    #[serde(
        rename = "@referredType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub referred_type: Option<String>,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// The product order item that created, changed or terminated a product (TMF637 and TMF622
/// `RelatedProductOrderItem`).
///
/// `productOrderId` and `orderItemId` are required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct RelatedProductOrderItem {
    /// Action of the order item for this product (add, modify, delete, noChange), as free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_item_action: Option<String>,
    /// Identifier of the order item where the product was managed.
    #[validate(length(min = 1))]
    pub order_item_id: String,
    /// Reference of the product order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_order_href: Option<String>,
    /// Unique identifier of the product order.
    #[validate(length(min = 1))]
    pub product_order_id: String,
    /// Role of the product order item for this product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// The actual type of the target instance, when needed for disambiguation.
    #[serde(
        rename = "@referredType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub referred_type: Option<String>,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

crate::wire::entity_ref! {
    /// A reference to a resource (TMF637 and TMF622 `ResourceRef`), such as one that realises a
    /// product.
    ResourceRef {
        /// The resource value that can be used to identify a resource with a public key (e.g.: a tel
        /// nr, an msisdn).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub value: Option<String>,
    }
}

crate::wire::entity_ref! {
    /// A reference to a service (TMF637 and TMF622 `ServiceRef`), such as one that realises a product.
    ServiceRef {
    }
}

/// A reference to an item of an agreement (TMF637 and TMF622 `AgreementItemRef`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct AgreementItemRef {
    /// Unique identifier of the agreement.
    #[validate(length(min = 1))]
    pub id: String,
    /// Reference of the agreement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Identifier of the item within the agreement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement_item_id: Option<String>,
    /// Name of the agreement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// The actual type of the target instance, when needed for disambiguation.
    #[serde(
        rename = "@referredType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub referred_type: Option<String>,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

crate::wire::entity_ref! {
    /// A reference to a billing account (TMF637 and TMF622 `BillingAccountRef`).
    BillingAccountRef {
    }
}

/// The lifecycle status of a product (TMF637 and TMF622 `ProductStatusType`).
///
/// Only the eight spellings of the specification are accepted, including its `"aborted "` with
/// a trailing space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProductStatusType {
    /// `created`: the product has been recorded, not yet activated.
    #[serde(rename = "created")]
    Created,
    /// `pendingActive`: the product is being activated.
    #[serde(rename = "pendingActive")]
    PendingActive,
    /// `cancelled`: the product was cancelled before it became active.
    #[serde(rename = "cancelled")]
    Cancelled,
    /// `active`: the product is in service.
    #[serde(rename = "active")]
    Active,
    /// `pendingTerminate`: the product is being terminated.
    #[serde(rename = "pendingTerminate")]
    PendingTerminate,
    /// `terminated`: the product is no longer in service.
    #[serde(rename = "terminated")]
    Terminated,
    /// `suspended`: the product is temporarily out of service.
    #[serde(rename = "suspended")]
    Suspended,
    /// `aborted `: the creation of the product failed (the specification spells it with a
    /// trailing space).
    #[serde(rename = "aborted ")]
    Aborted,
}

impl ProductStatusType {
    /// The wire spelling of the product status.
    pub fn as_str(self) -> &'static str {
        match self {
            ProductStatusType::Created => "created",
            ProductStatusType::PendingActive => "pendingActive",
            ProductStatusType::Cancelled => "cancelled",
            ProductStatusType::Active => "active",
            ProductStatusType::PendingTerminate => "pendingTerminate",
            ProductStatusType::Terminated => "terminated",
            ProductStatusType::Suspended => "suspended",
            ProductStatusType::Aborted => "aborted ",
        }
    }
}

impl fmt::Display for ProductStatusType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

crate::wire::object_only_serde!(
    Product,
    ProductRefOrValue,
    ProductRelationship,
    ProductPrice,
    Price,
    PriceAlteration,
    ProductTerm,
    RelatedPlaceRefOrValue,
    RelatedProductOrderItem,
    AgreementItemRef
);
