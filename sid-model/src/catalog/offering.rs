//! Product offerings (TMF620): what the catalog makes orderable, possibly as bundles, under
//! which terms, and with which restrictions of the characteristic values of their product
//! specifications.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::attachment::AttachmentRefOrValue;
use crate::catalog::reference::{
    CategoryRef, ChannelRef, MarketSegmentRef, PlaceRef, ProductOfferingPriceRef,
    ProductSpecificationRef, ResourceCandidateRef, SLARef, ServiceCandidateRef,
};
use crate::catalog::specification::ProductSpecificationCharacteristicValue;
use crate::extension::{Extensions, Meta};
use crate::quantity::Quantity;
use crate::reference::AgreementRef;
use crate::time::TimePeriod;

/// Something orderable from the provider of the catalog (TMF620 `ProductOffering`): a product
/// specification made available to the market, with its prices, terms, channels and market
/// segments.
///
/// Only `name` is required on creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct ProductOffering {
    /// Unique identifier of the product offering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Reference of the product offering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Description of the product offering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the offering is a single product offering (false) or a bundle of product offerings
    /// (true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_bundle: Option<bool>,
    /// Whether the offering can be sold stand-alone; if false, it can only be sold within a bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_sellable: Option<bool>,
    /// Date and time of the last update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_update: Option<DateTime<Utc>>,
    /// Used to indicate the current lifecycle status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle_status: Option<String>,
    /// Name of the product offering.
    #[validate(length(min = 1))]
    pub name: String,
    /// A string providing a complementary information on the value of the lifecycle status
    /// attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// Product offering version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Agreements (contracts, service level or customer price agreements) that apply to the
    /// offering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub agreement: Option<Vec<AgreementRef>>,
    /// Complements the description of the offering through videos, pictures, documents...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub attachment: Option<Vec<AttachmentRefOrValue>>,
    /// The product offerings bundled in this one, when it is a bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub bundled_product_offering: Option<Vec<BundledProductOffering>>,
    /// The categories the offering belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub category: Option<Vec<CategoryRef>>,
    /// The channels through which the offering is sold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub channel: Option<Vec<ChannelRef>>,
    /// The market segments the offering targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub market_segment: Option<Vec<MarketSegmentRef>>,
    /// The places where the products of the offering are sold or delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub place: Option<Vec<PlaceRef>>,
    /// Restrictions or overrides, for this offering, of the characteristic values of its product
    /// specification: a colour among White, Blue, Green and Red may be restricted to White and
    /// Blue, for example.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub prod_spec_char_value_use: Option<Vec<ProductSpecificationCharacteristicValueUse>>,
    /// The prices asked for the offering when it is bought, rented or leased.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_offering_price: Option<Vec<ProductOfferingPriceRef>>,
    /// The conditions under which the offering is made available, such as commitment periods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_offering_term: Option<Vec<ProductOfferingTerm>>,
    /// The specification of the products the offering makes available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_specification: Option<ProductSpecificationRef>,
    /// The resource candidate that makes a resource specification available with the offering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub resource_candidate: Option<ResourceCandidateRef>,
    /// The service candidate that makes a service specification available with the offering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub service_candidate: Option<ServiceCandidateRef>,
    /// The service level agreement that applies to the offering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub service_level_agreement: Option<SLARef>,
    /// The period for which the product offering is valid.
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

/// A product offering that is part of a bundle of product offerings (TMF620
/// `BundledProductOffering`), with how many of it the bundle may contain.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct BundledProductOffering {
    /// Unique identifier of the bundled product offering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Unique reference of the bundled product offering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Used to indicate the current lifecycle status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle_status: Option<String>,
    /// Name of the bundled product offering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The lower and upper limits, and the default, of the number of this offering that can be
    /// procured as part of the bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub bundled_product_offering_option: Option<BundledProductOfferingOption>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// How many of a product offering can be procured as part of a bundle (TMF620
/// `BundledProductOfferingOption`): a default, a lower and an upper limit, each from 0 to
/// unbounded.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct BundledProductOfferingOption {
    /// Default number of product offerings that should be procured as part of the related bundled
    /// product offering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_rel_offer_default: Option<i64>,
    /// Lower limit for a product offering that can be procured as part of the related bundled
    /// product offering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_rel_offer_lower_limit: Option<i64>,
    /// Upper limit for a product offering that can be procured as part of the related bundled
    /// product offering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_rel_offer_upper_limit: Option<i64>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A condition under which a product offering is made available to customers (TMF620
/// `ProductOfferingTerm`), such as a commitment period.
///
/// In v4.0.0 the duration is a [`Quantity`] (an amount and a unit, such as 12 months).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct ProductOfferingTerm {
    /// Description of the product offering term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Name of the product offering term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Duration of the product offering term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub duration: Option<Quantity>,
    /// The period for which the product offering term is valid.
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

/// A use of the values of a product specification characteristic by a product offering or a product
/// offering price (TMF620 `ProductSpecificationCharacteristicValueUse`), which may restrict them
/// (to a strict subset of those of the specification) or override their properties.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct ProductSpecificationCharacteristicValueUse {
    /// A narrative that explains in detail what the characteristic is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The maximum number of instances a CharacteristicValue can take on. For example, zero to five
    /// phone numbers in a group calling plan, where five is the value for the maxCardinality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_cardinality: Option<i64>,
    /// The minimum number of instances a CharacteristicValue can take on. For example, zero to five
    /// phone numbers in a group calling plan, where zero is the value for the minCardinality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_cardinality: Option<i64>,
    /// Name of the associated product specification characteristic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A kind of value that the characteristic can take on, such as numeric, text and so forth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_type: Option<String>,
    /// The values the characteristic can take on in the offering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_spec_characteristic_value: Option<Vec<ProductSpecificationCharacteristicValue>>,
    /// The product specification the characteristic belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_specification: Option<ProductSpecificationRef>,
    /// The period for which the characteristic value use is valid.
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

crate::wire::object_only_serde!(
    ProductOffering,
    BundledProductOffering,
    BundledProductOfferingOption,
    ProductOfferingTerm,
    ProductSpecificationCharacteristicValueUse,
);
