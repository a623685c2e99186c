//! Product offering prices (TMF620): the charges and alterations asked for product offerings,
//! how they are bundled and related, how they are computed and taxed.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::catalog::offering::{ProductOfferingTerm, ProductSpecificationCharacteristicValueUse};
use crate::catalog::reference::{ConstraintRef, PlaceRef};
use crate::extension::{Extensions, Meta};
use crate::money::Money;
use crate::quantity::Quantity;
use crate::time::TimePeriod;

/// A price asked for or allowed when a product offering is bought, rented or leased (TMF620
/// `ProductOfferingPrice`): a one-time, recurring or usage charge, or a price alteration such as a
/// discount, valid for a period and possibly depending on the terms chosen (cheaper with a 24-month
/// commitment than with a 12-month one, for example).
///
/// The amount is a [`Money`] (an exact decimal in an ISO 4217 currency) and the percentage an exact
/// decimal. Only `name` is required on creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct ProductOfferingPrice {
    /// Unique identifier of the product offering price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Reference of the product offering price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Description of the product offering price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the price is composite (a bundle of prices).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_bundle: Option<bool>,
    /// Date and time of the last update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_update: Option<DateTime<Utc>>,
    /// Used to indicate the current lifecycle status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle_status: Option<String>,
    /// Name of the product offering price.
    #[validate(length(min = 1))]
    pub name: String,
    /// Percentage to apply for a price alteration (a discount), as an exact decimal.
    #[serde(
        with = "crate::decimal::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub percentage: Option<Decimal>,
    /// A category that describes the price, such as recurring, discount, allowance, penalty, and so
    /// forth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_type: Option<String>,
    /// The length of the recurring charge period: 1, 2, ...; zero when not applicable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurring_charge_period_length: Option<i64>,
    /// The period to repeat the application of the price: month, week...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurring_charge_period_type: Option<String>,
    /// Product offering price version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The simple prices this price bundles, when it is a bundle (a recurring charge and a one-time
    /// charge, for example).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub bundled_pop_relationship: Option<Vec<BundledProductOfferingPriceRelationship>>,
    /// Policies or rules applied to the price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub constraint: Option<Vec<ConstraintRef>>,
    /// Place defines the places where the products are sold or delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub place: Option<Vec<PlaceRef>>,
    /// Prices related to this one, such as a price alteration (an allowance or a discount).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub pop_relationship: Option<Vec<ProductOfferingPriceRelationship>>,
    /// The amount of money that characterizes the price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub price: Option<Money>,
    /// Interfaces to external rating functions that compute the price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub pricing_logic_algorithm: Option<Vec<PricingLogicAlgorithm>>,
    /// The characteristic values of the product specification the price applies to, restricted or
    /// overridden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub prod_spec_char_value_use: Option<Vec<ProductSpecificationCharacteristicValueUse>>,
    /// A list of conditions under which a ProductOfferingPrice is made available to Customers. For
    /// instance, a Product Offering Price can be offered with multiple commitment periods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_offering_term: Option<Vec<ProductOfferingTerm>>,
    /// Taxes levied on the price, each with its category, rate and amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub tax: Option<Vec<TaxItem>>,
    /// How many of the product offering (for instance 1 dozen) are available at this price; its
    /// meaning depends on the price type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub unit_of_measure: Option<Quantity>,
    /// The period for which the product offering price is valid.
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

/// A price bundled in a bundle product offering price (TMF620
/// `BundledProductOfferingPriceRelationship`): a price can be composed of several others, such as a
/// recurring charge and a one-time charge.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct BundledProductOfferingPriceRelationship {
    /// Unique identifier of the bundled product offering price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Hyperlink reference of the bundled product offering price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Name of the bundled product offering price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A non-composite relationship from a product offering price to another (TMF620
/// `ProductOfferingPriceRelationship`), such as a discount that alters it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct ProductOfferingPriceRelationship {
    /// Unique identifier of the associated product offering price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Hyperlink reference of the associated product offering price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Name of the associated product offering price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Type of the relationship, for example override, discount, etc.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship_type: Option<String>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// An interface to an external rating function that computes a price (TMF620
/// `PricingLogicAlgorithm`): some of its parameters may be set (a price per unit), others gathered
/// while rating (a call duration) or from product characteristic values (an assigned bandwidth).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct PricingLogicAlgorithm {
    /// Unique identifier of the pricing logic algorithm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Hyperlink reference of the pricing logic algorithm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Description of the pricing logic algorithm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Name given to the pricing logic algorithm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Identifier of the corresponding pricing logic algorithm specification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pla_spec_id: Option<String>,
    /// The period for which the pricing logic algorithm is valid.
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

/// A tax levied on a price (TMF620 `TaxItem`), one per tax rate and tax type.
///
/// The rate is an exact decimal and the amount a [`Money`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct TaxItem {
    /// Tax category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_category: Option<String>,
    /// Applied rate of the tax, as an exact decimal.
    #[serde(
        with = "crate::decimal::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub tax_rate: Option<Decimal>,
    /// Amount of tax expressed in the given currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub tax_amount: Option<Money>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

crate::wire::object_only_serde!(
    ProductOfferingPrice,
    BundledProductOfferingPriceRelationship,
    ProductOfferingPriceRelationship,
    PricingLogicAlgorithm,
    TaxItem,
);
