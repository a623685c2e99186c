//! Product offering prices (TMF620): the charges and alterations asked for product offerings,
//! how they are bundled and related, how they are computed and taxed.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use validator::Validate;

use crate::catalog::offering::{ProductOfferingTerm, ProductSpecificationCharacteristicValueUse};
use crate::catalog::reference::{ConstraintRef, PlaceRef};
use crate::money::Money;
use crate::quantity::Quantity;
use crate::time::TimePeriod;

crate::wire::wire! {
    /// A price asked for or allowed when a product offering is bought, rented or leased (TMF620
    /// `ProductOfferingPrice`): a one-time, recurring or usage charge, or a price alteration such
    /// as a discount, valid for a period and possibly depending on the terms chosen (cheaper with a
    /// 24-month commitment than with a 12-month one, for example).
    ///
    /// The amount is a [`Money`] (an exact decimal in an ISO 4217 currency) and the percentage an
    /// exact decimal. Only `name` is required on creation.
    pub struct ProductOfferingPrice {
        /// Unique identifier of the product offering price.
        id: Option<String>,
        /// Reference of the product offering price.
        href: Option<String>,
        /// Description of the product offering price.
        description: Option<String>,
        /// Whether the price is composite (a bundle of prices).
        is_bundle: Option<bool>,
        /// Date and time of the last update.
        last_update: Option<DateTime<Utc>>,
        /// Used to indicate the current lifecycle status.
        lifecycle_status: Option<String>,
        /// Name of the product offering price.
        name: String,
        /// Percentage to apply for a price alteration (a discount), as an exact decimal.
        #[serde(with = "crate::decimal::option", default)]
        percentage: Option<Decimal>,
        /// A category that describes the price, such as recurring, discount, allowance, penalty,
        /// and so forth.
        price_type: Option<String>,
        /// The length of the recurring charge period: 1, 2, ...; zero when not applicable.
        recurring_charge_period_length: Option<i64>,
        /// The period to repeat the application of the price: month, week...
        recurring_charge_period_type: Option<String>,
        /// Product offering price version.
        version: Option<String>,
        /// The simple prices this price bundles, when it is a bundle (a recurring charge and a
        /// one-time charge, for example).
        #[validate(nested)]
        bundled_pop_relationship: Option<Vec<BundledProductOfferingPriceRelationship>>,
        /// Policies or rules applied to the price.
        #[validate(nested)]
        constraint: Option<Vec<ConstraintRef>>,
        /// Place defines the places where the products are sold or delivered.
        #[validate(nested)]
        place: Option<Vec<PlaceRef>>,
        /// Prices related to this one, such as a price alteration (an allowance or a discount).
        #[validate(nested)]
        pop_relationship: Option<Vec<ProductOfferingPriceRelationship>>,
        /// The amount of money that characterizes the price.
        #[validate(nested)]
        price: Option<Money>,
        /// Interfaces to external rating functions that compute the price.
        #[validate(nested)]
        pricing_logic_algorithm: Option<Vec<PricingLogicAlgorithm>>,
        /// The characteristic values of the product specification the price applies to, restricted
        /// or overridden.
        #[validate(nested)]
        prod_spec_char_value_use: Option<Vec<ProductSpecificationCharacteristicValueUse>>,
        /// A list of conditions under which a ProductOfferingPrice is made available to Customers.
        /// For instance, a Product Offering Price can be offered with multiple commitment periods.
        #[validate(nested)]
        product_offering_term: Option<Vec<ProductOfferingTerm>>,
        /// Taxes levied on the price, each with its category, rate and amount.
        #[validate(nested)]
        tax: Option<Vec<TaxItem>>,
        /// How many of the product offering (for instance 1 dozen) are available at this price; its
        /// meaning depends on the price type.
        #[validate(nested)]
        unit_of_measure: Option<Quantity>,
        /// The period for which the product offering price is valid.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }

    /// A price bundled in a bundle product offering price (TMF620
    /// `BundledProductOfferingPriceRelationship`): a price can be composed of several others, such
    /// as a recurring charge and a one-time charge.
    #[derive(Default)]
    pub struct BundledProductOfferingPriceRelationship {
        /// Unique identifier of the bundled product offering price.
        id: Option<String>,
        /// Hyperlink reference of the bundled product offering price.
        href: Option<String>,
        /// Name of the bundled product offering price.
        name: Option<String>,
    }

    /// A non-composite relationship from a product offering price to another (TMF620
    /// `ProductOfferingPriceRelationship`), such as a discount that alters it.
    #[derive(Default)]
    pub struct ProductOfferingPriceRelationship {
        /// Unique identifier of the associated product offering price.
        id: Option<String>,
        /// Hyperlink reference of the associated product offering price.
        href: Option<String>,
        /// Name of the associated product offering price.
        name: Option<String>,
        /// Type of the relationship, for example override, discount, etc.
        relationship_type: Option<String>,
    }

    /// An interface to an external rating function that computes a price (TMF620
    /// `PricingLogicAlgorithm`): some of its parameters may be set (a price per unit), others
    /// gathered while rating (a call duration) or from product characteristic values (an assigned
    /// bandwidth).
    #[derive(Default)]
    pub struct PricingLogicAlgorithm {
        /// Unique identifier of the pricing logic algorithm.
        id: Option<String>,
        /// Hyperlink reference of the pricing logic algorithm.
        href: Option<String>,
        /// Description of the pricing logic algorithm.
        description: Option<String>,
        /// Name given to the pricing logic algorithm.
        name: Option<String>,
        /// Identifier of the corresponding pricing logic algorithm specification.
        pla_spec_id: Option<String>,
        /// The period for which the pricing logic algorithm is valid.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }

    /// A tax levied on a price (TMF620 `TaxItem`), one per tax rate and tax type.
    ///
    /// The rate is an exact decimal and the amount a [`Money`].
    #[derive(Default)]
    pub struct TaxItem {
        /// Tax category.
        tax_category: Option<String>,
        /// Applied rate of the tax, as an exact decimal.
        #[serde(with = "crate::decimal::option", default)]
        tax_rate: Option<Decimal>,
        /// Amount of tax expressed in the given currency.
        #[validate(nested)]
        tax_amount: Option<Money>,
    }
}
