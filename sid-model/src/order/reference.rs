//! References from a product order (TMF622) to entities managed elsewhere: appointments,
//! payments, product offering qualifications and their items, quotes and their items, and
//! other product orders.

use crate::extension::{Extensions, Meta};
use serde::{Deserialize, Serialize};
use validator::Validate;

/// A reference to an appointment (TMF622 `AppointmentRef`), such as a customer presentation, an
/// internal meeting or a site visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct AppointmentRef {
    /// The identifier of the referred appointment.
    #[validate(length(min = 1))]
    pub id: String,
    /// The reference of the appointment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// An explanatory text regarding the appointment made with a party.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
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
    /// A reference to a payment made when a product order was submitted (TMF622 `PaymentRef`).
    PaymentRef {
    }
}

crate::wire::entity_ref! {
    /// A reference to an item of a product offering qualification executed before ordering (TMF622
    /// `ProductOfferingQualificationItemRef`).
    ///
    /// `id` and `productOfferingQualificationId` are required.
    ProductOfferingQualificationItemRef {
        /// Reference of the product offering qualification.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub product_offering_qualification_href: Option<String>,
        /// Unique identifier of the product offering qualification.
        #[validate(length(min = 1))]
        pub product_offering_qualification_id: String,
        /// Name of the product offering qualification.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub product_offering_qualification_name: Option<String>,
    }
}

crate::wire::entity_ref! {
    /// A reference to a product offering qualification executed before ordering (TMF622
    /// `ProductOfferingQualificationRef`).
    ProductOfferingQualificationRef {
    }
}

crate::wire::entity_ref! {
    /// A reference to a product order (TMF622 `ProductOrderRef`), such as the one a cancellation
    /// request is about.
    ProductOrderRef {
    }
}

crate::wire::entity_ref! {
    /// A reference to an item of a quote a product order item comes from (TMF622 `QuoteItemRef`).
    ///
    /// `id` and `quoteId` are required.
    QuoteItemRef {
        /// Reference of the quote.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub quote_href: Option<String>,
        /// Unique identifier of the quote.
        #[validate(length(min = 1))]
        pub quote_id: String,
        /// Name of the quote.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub quote_name: Option<String>,
    }
}

crate::wire::entity_ref! {
    /// A reference to a quote a product order comes from (TMF622 `QuoteRef`).
    QuoteRef {
    }
}

crate::wire::object_only_serde!(AppointmentRef);
