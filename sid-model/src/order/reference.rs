//! References from a product order (TMF622) to entities managed elsewhere: appointments,
//! payments, product offering qualifications and their items, quotes and their items, and
//! other product orders.

crate::wire::wire! {
    /// A reference to an appointment (TMF622 `AppointmentRef`), such as a customer presentation, an
    /// internal meeting or a site visit.
    pub struct AppointmentRef @referredType {
        /// The identifier of the referred appointment.
        #[validate(length(min = 1))]
        id: String,
        /// The reference of the appointment.
        href: Option<String>,
        /// An explanatory text regarding the appointment made with a party.
        description: Option<String>,
    }
}

crate::wire::entity_ref! {
    /// A reference to a payment made when a product order was submitted (TMF622 `PaymentRef`).
    PaymentRef {}

    /// A reference to an item of a product offering qualification executed before ordering (TMF622
    /// `ProductOfferingQualificationItemRef`).
    ///
    /// `id` and `productOfferingQualificationId` are required.
    ProductOfferingQualificationItemRef {
        /// Reference of the product offering qualification.
        product_offering_qualification_href: Option<String>,
        /// Unique identifier of the product offering qualification.
        #[validate(length(min = 1))]
        product_offering_qualification_id: String,
        /// Name of the product offering qualification.
        product_offering_qualification_name: Option<String>,
    }

    /// A reference to a product offering qualification executed before ordering (TMF622
    /// `ProductOfferingQualificationRef`).
    ProductOfferingQualificationRef {}

    /// A reference to a product order (TMF622 `ProductOrderRef`), such as the one a cancellation
    /// request is about.
    ProductOrderRef {}

    /// A reference to an item of a quote a product order item comes from (TMF622 `QuoteItemRef`).
    ///
    /// `id` and `quoteId` are required.
    QuoteItemRef {
        /// Reference of the quote.
        quote_href: Option<String>,
        /// Unique identifier of the quote.
        #[validate(length(min = 1))]
        quote_id: String,
        /// Name of the quote.
        quote_name: Option<String>,
    }

    /// A reference to a quote a product order comes from (TMF622 `QuoteRef`).
    QuoteRef {}
}
