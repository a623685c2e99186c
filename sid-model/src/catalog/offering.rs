//! Product offerings (TMF620): what the catalog makes orderable, possibly as bundles, under
//! which terms, and with which restrictions of the characteristic values of their product
//! specifications.

use chrono::{DateTime, Utc};
use validator::Validate;

use crate::attachment::AttachmentRefOrValue;
use crate::catalog::reference::{
    CategoryRef, ChannelRef, MarketSegmentRef, PlaceRef, ProductOfferingPriceRef,
    ProductSpecificationRef, ResourceCandidateRef, SLARef, ServiceCandidateRef,
};
use crate::catalog::specification::ProductSpecificationCharacteristicValue;
use crate::quantity::Quantity;
use crate::reference::AgreementRef;
use crate::time::TimePeriod;

crate::wire::wire! {
    /// Something orderable from the provider of the catalog (TMF620 `ProductOffering`): a product
    /// specification made available to the market, with its prices, terms, channels and market
    /// segments.
    ///
    /// Only `name` is required on creation.
    pub struct ProductOffering {
        /// Unique identifier of the product offering.
        id: Option<String>,
        /// Reference of the product offering.
        href: Option<String>,
        /// Description of the product offering.
        description: Option<String>,
        /// Whether the offering is a single product offering (false) or a bundle of product
        /// offerings (true).
        is_bundle: Option<bool>,
        /// Whether the offering can be sold stand-alone; if false, it can only be sold within a
        /// bundle.
        is_sellable: Option<bool>,
        /// Date and time of the last update.
        last_update: Option<DateTime<Utc>>,
        /// Used to indicate the current lifecycle status.
        lifecycle_status: Option<String>,
        /// Name of the product offering.
        name: String,
        /// A string providing a complementary information on the value of the lifecycle status
        /// attribute.
        status_reason: Option<String>,
        /// Product offering version.
        version: Option<String>,
        /// Agreements (contracts, service level or customer price agreements) that apply to the
        /// offering.
        #[validate(nested)]
        agreement: Option<Vec<AgreementRef>>,
        /// Complements the description of the offering through videos, pictures, documents...
        #[validate(nested)]
        attachment: Option<Vec<AttachmentRefOrValue>>,
        /// The product offerings bundled in this one, when it is a bundle.
        #[validate(nested)]
        bundled_product_offering: Option<Vec<BundledProductOffering>>,
        /// The categories the offering belongs to.
        #[validate(nested)]
        category: Option<Vec<CategoryRef>>,
        /// The channels through which the offering is sold.
        #[validate(nested)]
        channel: Option<Vec<ChannelRef>>,
        /// The market segments the offering targets.
        #[validate(nested)]
        market_segment: Option<Vec<MarketSegmentRef>>,
        /// The places where the products of the offering are sold or delivered.
        #[validate(nested)]
        place: Option<Vec<PlaceRef>>,
        /// Restrictions or overrides, for this offering, of the characteristic values of its
        /// product specification: a colour among White, Blue, Green and Red may be restricted to
        /// White and Blue, for example.
        #[validate(nested)]
        prod_spec_char_value_use: Option<Vec<ProductSpecificationCharacteristicValueUse>>,
        /// The prices asked for the offering when it is bought, rented or leased.
        #[validate(nested)]
        product_offering_price: Option<Vec<ProductOfferingPriceRef>>,
        /// The conditions under which the offering is made available, such as commitment periods.
        #[validate(nested)]
        product_offering_term: Option<Vec<ProductOfferingTerm>>,
        /// The specification of the products the offering makes available.
        #[validate(nested)]
        product_specification: Option<ProductSpecificationRef>,
        /// The resource candidate that makes a resource specification available with the offering.
        #[validate(nested)]
        resource_candidate: Option<ResourceCandidateRef>,
        /// The service candidate that makes a service specification available with the offering.
        #[validate(nested)]
        service_candidate: Option<ServiceCandidateRef>,
        /// The service level agreement that applies to the offering.
        #[validate(nested)]
        service_level_agreement: Option<SLARef>,
        /// The period for which the product offering is valid.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }

    /// A product offering that is part of a bundle of product offerings (TMF620
    /// `BundledProductOffering`), with how many of it the bundle may contain.
    #[derive(Default)]
    pub struct BundledProductOffering {
        /// Unique identifier of the bundled product offering.
        id: Option<String>,
        /// Unique reference of the bundled product offering.
        href: Option<String>,
        /// Used to indicate the current lifecycle status.
        lifecycle_status: Option<String>,
        /// Name of the bundled product offering.
        name: Option<String>,
        /// The lower and upper limits, and the default, of the number of this offering that can be
        /// procured as part of the bundle.
        #[validate(nested)]
        bundled_product_offering_option: Option<BundledProductOfferingOption>,
    }

    /// How many of a product offering can be procured as part of a bundle (TMF620
    /// `BundledProductOfferingOption`): a default, a lower and an upper limit, each from 0 to
    /// unbounded.
    #[derive(Default)]
    pub struct BundledProductOfferingOption {
        /// Default number of product offerings that should be procured as part of the related
        /// bundled product offering.
        number_rel_offer_default: Option<i64>,
        /// Lower limit for a product offering that can be procured as part of the related bundled
        /// product offering.
        number_rel_offer_lower_limit: Option<i64>,
        /// Upper limit for a product offering that can be procured as part of the related bundled
        /// product offering.
        number_rel_offer_upper_limit: Option<i64>,
    }

    /// A condition under which a product offering is made available to customers (TMF620
    /// `ProductOfferingTerm`), such as a commitment period.
    ///
    /// In v4.0.0 the duration is a [`Quantity`] (an amount and a unit, such as 12 months).
    #[derive(Default)]
    pub struct ProductOfferingTerm {
        /// Description of the product offering term.
        description: Option<String>,
        /// Name of the product offering term.
        name: Option<String>,
        /// Duration of the product offering term.
        #[validate(nested)]
        duration: Option<Quantity>,
        /// The period for which the product offering term is valid.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }

    /// A use of the values of a product specification characteristic by a product offering or a
    /// product offering price (TMF620 `ProductSpecificationCharacteristicValueUse`), which may
    /// restrict them (to a strict subset of those of the specification) or override their
    /// properties.
    #[derive(Default)]
    pub struct ProductSpecificationCharacteristicValueUse {
        /// A narrative that explains in detail what the characteristic is.
        description: Option<String>,
        /// The maximum number of instances a CharacteristicValue can take on. For example, zero to
        /// five phone numbers in a group calling plan, where five is the value for the
        /// maxCardinality.
        max_cardinality: Option<i64>,
        /// The minimum number of instances a CharacteristicValue can take on. For example, zero to
        /// five phone numbers in a group calling plan, where zero is the value for the
        /// minCardinality.
        min_cardinality: Option<i64>,
        /// Name of the associated product specification characteristic.
        name: Option<String>,
        /// A kind of value that the characteristic can take on, such as numeric, text and so forth.
        value_type: Option<String>,
        /// The values the characteristic can take on in the offering.
        #[validate(nested)]
        product_spec_characteristic_value: Option<Vec<ProductSpecificationCharacteristicValue>>,
        /// The product specification the characteristic belongs to.
        #[validate(nested)]
        product_specification: Option<ProductSpecificationRef>,
        /// The period for which the characteristic value use is valid.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }
}
