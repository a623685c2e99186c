//! Product specifications (TMF620): what the products made available by product offerings are,
//! their characteristics and the values those may take, and how specifications relate to each
//! other.

use chrono::{DateTime, Utc};
use validator::Validate;

use crate::attachment::AttachmentRefOrValue;
use crate::catalog::reference::{
    ResourceSpecificationRef, ServiceSpecificationRef, TargetProductSchema,
};
use crate::reference::RelatedParty;
use crate::time::TimePeriod;

crate::wire::wire! {
    /// A detailed description of a tangible or intangible object made available externally, in the
    /// form of product offerings, to customers or other parties playing a party role (TMF620
    /// `ProductSpecification`).
    ///
    /// Only `name` is required on creation.
    pub struct ProductSpecification {
        /// Unique identifier of the product specification.
        id: Option<String>,
        /// Reference of the product specification.
        href: Option<String>,
        /// The manufacturer or trademark of the specification.
        brand: Option<String>,
        /// A narrative that explains in detail what the product specification is.
        description: Option<String>,
        /// IsBundle determines whether a productSpecification represents a single
        /// productSpecification (false), or a bundle of productSpecification (true).
        is_bundle: Option<bool>,
        /// Date and time of the last update.
        last_update: Option<DateTime<Utc>>,
        /// Used to indicate the current lifecycle status.
        lifecycle_status: Option<String>,
        /// Name of the product specification.
        name: String,
        /// An identification number assigned to uniquely identify the specification.
        product_number: Option<String>,
        /// Product specification version.
        version: Option<String>,
        /// Complements the description of the specification through videos, pictures, documents...
        #[validate(nested)]
        attachment: Option<Vec<AttachmentRefOrValue>>,
        /// The product specifications bundled in this one, when it is a bundle.
        #[validate(nested)]
        bundled_product_specification: Option<Vec<BundledProductSpecification>>,
        /// The characteristics (features) of the products the specification describes.
        #[validate(nested)]
        product_spec_characteristic: Option<Vec<ProductSpecificationCharacteristic>>,
        /// Migration, substitution, dependency or exclusivity relationships with other product
        /// specifications.
        #[validate(nested)]
        product_specification_relationship: Option<Vec<ProductSpecificationRelationship>>,
        /// Parties or party roles linked to the specification.
        #[validate(nested)]
        related_party: Option<Vec<RelatedParty>>,
        /// The resource specifications required to realise the product specification.
        #[validate(nested)]
        resource_specification: Option<Vec<ResourceSpecificationRef>>,
        /// The service specifications required to realise the product specification.
        #[validate(nested)]
        service_specification: Option<Vec<ServiceSpecificationRef>>,
        /// The schema and type of the products the specification describes.
        #[validate(nested)]
        target_product_schema: Option<TargetProductSchema>,
        /// The period for which the product specification is valid.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }

    /// A product specification that is part of a bundle of product specifications (TMF620
    /// `BundledProductSpecification`).
    #[derive(Default)]
    pub struct BundledProductSpecification {
        /// Unique identifier of the product specification.
        id: Option<String>,
        /// Reference of the product specification.
        href: Option<String>,
        /// Used to indicate the current lifecycle status.
        lifecycle_status: Option<String>,
        /// Name of the product specification.
        name: Option<String>,
    }

    /// A characteristic quality or distinctive feature of the products of a specification (TMF620
    /// `ProductSpecificationCharacteristic`): a discrete value such as a colour, a range of values
    /// such as a sensitivity of 100-240 mV, or a value derived from a formula. Some, such as a
    /// colour, are configured while ordering.
    #[derive(Default)]
    pub struct ProductSpecificationCharacteristic {
        /// If true, the characteristic is configurable.
        configurable: Option<bool>,
        /// A narrative that explains in detail what the characteristic is.
        description: Option<String>,
        /// An indicator that specifies that the values for the characteristic can be extended by
        /// adding new values when instantiating a characteristic for a product.
        extensible: Option<bool>,
        /// An indicator that specifies if a value is unique for the specification. Possible values
        /// are; "unique while value is in effect" and "unique whether value is in effect or not".
        is_unique: Option<bool>,
        /// The maximum number of instances a CharacteristicValue can take on. For example, zero to
        /// five phone numbers in a group calling plan, where five is the value for the
        /// maxCardinality.
        max_cardinality: Option<i64>,
        /// The minimum number of instances a CharacteristicValue can take on. For example, zero to
        /// five phone numbers in a group calling plan, where zero is the value for the
        /// minCardinality.
        min_cardinality: Option<i64>,
        /// Name of the characteristic.
        name: Option<String>,
        /// A rule or principle represented in regular expression used to derive the value of a
        /// characteristic value.
        regex: Option<String>,
        /// A kind of value that the characteristic can take on, such as numeric, text and so forth.
        value_type: Option<String>,
        /// Aggregation, migration, substitution, dependency or exclusivity relationships with other
        /// characteristics.
        #[validate(nested)]
        product_spec_char_relationship: Option<Vec<ProductSpecificationCharacteristicRelationship>>,
        /// The values the characteristic can take on.
        #[validate(nested)]
        product_spec_characteristic_value: Option<Vec<ProductSpecificationCharacteristicValue>>,
        /// The period for which the characteristic is valid.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }

    /// A relationship from a product specification characteristic to a characteristic of a product
    /// specification (TMF620 `ProductSpecificationCharacteristicRelationship`): aggregation,
    /// migration, substitution, dependency or exclusivity.
    #[derive(Default)]
    pub struct ProductSpecificationCharacteristicRelationship {
        /// The identifier of the associated product specification.
        id: Option<String>,
        /// Hyperlink reference to the target product specification.
        href: Option<String>,
        /// The order in which a characteristic appears within another one that defines a grouping
        /// of characteristics: for a name, the given name first, the middle name second and the
        /// family name third.
        char_spec_seq: Option<i64>,
        /// Name of the target product specification characteristic.
        name: Option<String>,
        /// Type of relationship such as aggregation, migration, substitution, dependency,
        /// exclusivity.
        relationship_type: Option<String>,
        /// The period for which the relationship is valid.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }

    /// A value that a product specification characteristic can take on (TMF620
    /// `ProductSpecificationCharacteristicValue`): a discrete value, or a range from `valueFrom` to
    /// `valueTo`, with its unit of measure.
    ///
    /// `value` may be any JSON value.
    #[derive(Default)]
    pub struct ProductSpecificationCharacteristicValue {
        /// Indicates if the value is the default value for a characteristic.
        is_default: Option<bool>,
        /// Whether `valueFrom` and `valueTo` are included in the range: "open", "closed",
        /// "closedBottom" or "closedTop".
        range_interval: Option<String>,
        /// Regular expression to define constraint on the allowed value.
        regex: Option<String>,
        /// The unit of measure of the value: a length, surface, volume, money, weight, time, and
        /// the like.
        unit_of_measure: Option<String>,
        /// The low range value that a characteristic can take on.
        value_from: Option<String>,
        /// The upper range value that a characteristic can take on.
        value_to: Option<String>,
        /// A kind of value that the characteristic can take on, such as numeric, text, and so
        /// forth.
        value_type: Option<String>,
        /// The period of time for which a value is applicable.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
        /// A discrete value that the characteristic can take on, or the actual value of the
        /// characteristic.
        value: Option<serde_json::Value>,
    }

    /// A migration, substitution, dependency or exclusivity relationship from a product
    /// specification to another (TMF620 `ProductSpecificationRelationship`).
    #[derive(Default)]
    pub struct ProductSpecificationRelationship {
        /// Unique identifier of the related product specification.
        id: Option<String>,
        /// Reference of the related product specification.
        href: Option<String>,
        /// Type of relationship such as migration, substitution, dependency, exclusivity.
        relationship_type: Option<String>,
        /// The period for which the relationship is valid.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }
}
