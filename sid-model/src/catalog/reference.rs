//! References from and to the product catalog (TMF620): to catalog entities (categories, product
//! offerings and their prices, product specifications, candidates), to entities managed
//! elsewhere that catalog entities name (channels, places, market segments, constraints, service
//! level agreements, resource and service specifications), and the target schemas of product
//! and service specifications.
//!
//! `ProductOfferingRef`, `ProductOfferingPriceRef`, `ProductSpecificationRef` and
//! `TargetProductSchema` are defined identically by TMF622 and TMF637, which use these types.

use crate::extension::Extensions;
use serde::{Deserialize, Serialize};
use validator::Validate;

crate::wire::entity_ref! {
    /// A reference to a catalog category (TMF620 `CategoryRef`), with its version.
    CategoryRef {
        /// Category version.
        version: Option<String>,
    }

    /// A reference to a channel (TMF620 `ChannelRef`), such as a channel through which product
    /// offerings are sold.
    ChannelRef {}

    /// A reference to a constraint (TMF620 `ConstraintRef`): a policy or rule applied to an entity or
    /// an entity specification, such as a product offering price.
    ConstraintRef {
        /// Version of the constraint.
        version: Option<String>,
    }

    /// A reference to a market segment that product offerings target (TMF620 `MarketSegmentRef`): a
    /// grouping of parties, geographic areas, sales channels, and so forth.
    MarketSegmentRef {}

    /// A reference to a place where products are sold or delivered (TMF620 `PlaceRef`).
    PlaceRef {}

    /// A reference to a product offering price (TMF620 `ProductOfferingPriceRef`, identical in TMF622
    /// and TMF637): an amount, usually of money, asked for or allowed when a product offering is
    /// bought, rented or leased.
    ProductOfferingPriceRef {}

    /// A reference to a product offering (TMF620 `ProductOfferingRef`, identical in TMF622 and TMF637):
    /// something orderable from the provider of a catalog.
    ProductOfferingRef {}

    /// A reference to a product specification (TMF620 `ProductSpecificationRef`, identical in
    /// TMF622 and TMF637), with its version and the schema of the products it describes.
    ProductSpecificationRef {
        /// Version of the product specification.
        version: Option<String>,
        /// The schema and type of the products the specification describes.
        #[validate(nested)]
        target_product_schema: Option<TargetProductSchema>,
    }

    /// A reference to a resource candidate (TMF620 `ResourceCandidateRef`): what makes a resource
    /// specification available to a catalog.
    ResourceCandidateRef {
        /// Version of the resource candidate.
        version: Option<String>,
    }

    /// A reference to a resource specification required to realise a product specification (TMF620
    /// `ResourceSpecificationRef`).
    ResourceSpecificationRef {
        /// Resource specification version.
        version: Option<String>,
    }

    /// A reference to a service level agreement (TMF620 `SLARef`): a formal negotiated agreement
    /// between two parties on the quality of service to achieve and maintain.
    SLARef {}

    /// A reference to a service candidate (TMF620 `ServiceCandidateRef`): what makes a service
    /// specification available to a catalog.
    ServiceCandidateRef {
        /// Version of the service candidate.
        version: Option<String>,
    }

    /// A reference to a service specification required to realise a product specification (TMF620
    /// `ServiceSpecificationRef`), with the schema of the services it describes.
    ServiceSpecificationRef {
        /// Service specification version.
        version: Option<String>,
        /// The schema and type of the services the specification describes.
        #[validate(nested)]
        target_service_schema: Option<TargetServiceSchema>,
    }
}

/// Declares the target schemas (TMF620 `TargetProductSchema` and `TargetServiceSchema`, which
/// have the very same properties): `@schemaLocation` and `@type` are required, and describe the
/// target product or service rather than this object, so no [`Meta`](crate::Meta) is
/// flattened.
macro_rules! target_schema {
    ($( $(#[$attr:meta])* $name:ident, )+) => {$(
        $(#[$attr])*
        #[serde_with::skip_serializing_none]
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
        #[serde(remote = "Self", rename_all = "camelCase")]
        pub struct $name {
            /// When sub-classing, the name of the super-class.
            #[serde(rename = "@baseType")]
            pub base_type: Option<String>,
            /// A link to the schema describing the target product or service.
            #[serde(rename = "@schemaLocation")]
            pub schema_location: String,
            /// Class type of the target product or service.
            #[serde(rename = "@type")]
            pub r#type: String,
            /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
            #[serde(flatten)]
            pub extensions: Extensions,
        }

        crate::wire::object_only_serde!($name);
    )+};
}

target_schema! {
    /// The schema and type of the products a product specification describes (TMF620
    /// `TargetProductSchema`, identical in TMF622 and TMF637).
    TargetProductSchema,
    /// The schema and type of the services a service specification describes (TMF620
    /// `TargetServiceSchema`).
    TargetServiceSchema,
}
