//! References from and to the product catalog (TMF620): to catalog entities (categories, product
//! offerings and their prices, product specifications, candidates), to entities managed
//! elsewhere that catalog entities name (channels, places, market segments, constraints, service
//! level agreements, resource and service specifications), and the target schemas of product
//! and service specifications.
//!
//! `ProductOfferingRef`, `ProductOfferingPriceRef`, `ProductSpecificationRef` and
//! `TargetProductSchema` are defined identically by TMF622 and TMF637, which use these types.

use crate::extension::{Extensions, Meta};
use serde::{Deserialize, Serialize};
use validator::Validate;

crate::wire::entity_ref! {
    /// A reference to a catalog category (TMF620 `CategoryRef`), with its version.
    CategoryRef {
        /// Category version.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub version: Option<String>,
    }
}

crate::wire::entity_ref! {
    /// A reference to a channel (TMF620 `ChannelRef`), such as a channel through which product
    /// offerings are sold.
    ChannelRef {
    }
}

crate::wire::entity_ref! {
    /// A reference to a constraint (TMF620 `ConstraintRef`): a policy or rule applied to an entity or
    /// an entity specification, such as a product offering price.
    ConstraintRef {
        /// Version of the constraint.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub version: Option<String>,
    }
}

crate::wire::entity_ref! {
    /// A reference to a market segment that product offerings target (TMF620 `MarketSegmentRef`): a
    /// grouping of parties, geographic areas, sales channels, and so forth.
    MarketSegmentRef {
    }
}

crate::wire::entity_ref! {
    /// A reference to a place where products are sold or delivered (TMF620 `PlaceRef`).
    PlaceRef {
    }
}

crate::wire::entity_ref! {
    /// A reference to a product offering price (TMF620 `ProductOfferingPriceRef`, identical in TMF622
    /// and TMF637): an amount, usually of money, asked for or allowed when a product offering is
    /// bought, rented or leased.
    ProductOfferingPriceRef {
    }
}

crate::wire::entity_ref! {
    /// A reference to a product offering (TMF620 `ProductOfferingRef`, identical in TMF622 and TMF637):
    /// something orderable from the provider of a catalog.
    ProductOfferingRef {
    }
}

/// A reference to a product specification (TMF620 `ProductSpecificationRef`, identical in TMF622
/// and TMF637), with its version and the schema of the products it describes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct ProductSpecificationRef {
    /// Unique identifier of a related entity.
    #[validate(length(min = 1))]
    pub id: String,
    /// Reference of the related entity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Name of the related entity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Version of the product specification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The schema and type of the products the specification describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub target_product_schema: Option<TargetProductSchema>,
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

crate::wire::object_only_serde!(ProductSpecificationRef);

crate::wire::entity_ref! {
    /// A reference to a resource candidate (TMF620 `ResourceCandidateRef`): what makes a resource
    /// specification available to a catalog.
    ResourceCandidateRef {
        /// Version of the resource candidate.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub version: Option<String>,
    }
}

crate::wire::entity_ref! {
    /// A reference to a resource specification required to realise a product specification (TMF620
    /// `ResourceSpecificationRef`).
    ResourceSpecificationRef {
        /// Resource specification version.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub version: Option<String>,
    }
}

crate::wire::entity_ref! {
    /// A reference to a service level agreement (TMF620 `SLARef`): a formal negotiated agreement
    /// between two parties on the quality of service to achieve and maintain.
    SLARef {
    }
}

crate::wire::entity_ref! {
    /// A reference to a service candidate (TMF620 `ServiceCandidateRef`): what makes a service
    /// specification available to a catalog.
    ServiceCandidateRef {
        /// Version of the service candidate.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub version: Option<String>,
    }
}

/// A reference to a service specification required to realise a product specification (TMF620
/// `ServiceSpecificationRef`), with the schema of the services it describes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct ServiceSpecificationRef {
    /// Unique identifier of the service specification.
    #[validate(length(min = 1))]
    pub id: String,
    /// Reference of the serviceSpecification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Name of the requiredServiceSpecification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Service specification version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The schema and type of the services the specification describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub target_service_schema: Option<TargetServiceSchema>,
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

crate::wire::object_only_serde!(ServiceSpecificationRef);

/// The schema and type of the products a product specification describes (TMF620
/// `TargetProductSchema`, identical in TMF622 and TMF637).
///
/// `@schemaLocation` and `@type` are required, and describe the target product rather than this
/// object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct TargetProductSchema {
    /// When sub-classing, the name of the super-class.
    #[serde(rename = "@baseType", default, skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    /// A link to the schema describing the target product.
    #[serde(rename = "@schemaLocation")]
    #[validate(length(min = 1))]
    pub schema_location: String,
    /// Class type of the target product.
    #[serde(rename = "@type")]
    #[validate(length(min = 1))]
    pub r#type: String,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// The schema and type of the services a service specification describes (TMF620
/// `TargetServiceSchema`).
///
/// `@schemaLocation` and `@type` are required, and describe the target service rather than this
/// object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct TargetServiceSchema {
    /// When sub-classing, the name of the super-class.
    #[serde(rename = "@baseType", default, skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    /// A link to the schema describing the target service.
    #[serde(rename = "@schemaLocation")]
    #[validate(length(min = 1))]
    pub schema_location: String,
    /// Class type of the target service.
    #[serde(rename = "@type")]
    #[validate(length(min = 1))]
    pub r#type: String,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

crate::wire::object_only_serde!(TargetProductSchema, TargetServiceSchema);
