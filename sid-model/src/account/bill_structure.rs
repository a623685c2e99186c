//! The structure of a party account's bill (TMF666): when the bill is produced (billing cycle
//! specifications), how it is laid out (bill formats) and how it reaches the party (bill
//! presentation media), each a resource of its own and each also usable by reference or by
//! value from a [`BillStructure`].

use validator::Validate;

use crate::time::TimePeriod;

crate::wire::wire! {
    /// The structure of the bill for party accounts, billing or settlement (TMF666
    /// `BillStructure`).
    #[derive(Default)]
    pub struct BillStructure {
        /// When the bill is produced.
        #[validate(nested)]
        cycle_specification: Option<BillingCycleSpecificationRefOrValue>,
        /// How the bill is laid out.
        #[validate(nested)]
        format: Option<BillFormatRefOrValue>,
        /// How the bill is communicated: post mail, email, web page...
        #[validate(nested)]
        presentation_media: Option<Vec<BillPresentationMediaRefOrValue>>,
    }
}

crate::wire::alike! {
    /// A detailed description of when to initiate a billing cycle and the various sub-steps of a
    /// billing cycle (TMF666 `BillingCycleSpecification`).
    ///
    /// Only `name` is required on creation.
    pub struct BillingCycleSpecification;

    /// A billing cycle specification given by reference or by value (TMF666
    /// `BillingCycleSpecificationRefOrValue`).
    ///
    /// `name` and `isRef` are required.
    pub struct BillingCycleSpecificationRefOrValue @referredType {
        /// An offset of a billing or settlement date, in days from the start of the billing or
        /// settlement period.
        date_shift: Option<i64>,
        /// Whether the object is given by reference (`true`, the specification's default) or by
        /// value (`false`).
        is_ref: bool,
    };

    fields {
        /// Unique identifier of the billing cycle specification (assigned by the server on
        /// creation).
        id: Option<String>,
        /// Reference of the billing cycle specification (assigned by the server on creation).
        href: Option<String>,
        /// An offset of a billing or settlement date, in days from the start of the billing or
        /// settlement period.
        billing_date_shift: Option<i64>,
        /// A billing time period. It can be recurring, for example: week, month, quarter of year,
        /// year.
        billing_period: Option<String>,
        /// An offset of a date through which charges previously received by the billing system will
        /// appear on the bill, in days from the start of the billing period.
        charge_date_offset: Option<i64>,
        /// An offset of a date through which credits previously received by the billing system will
        /// appear on the bill, in days from the start of the billing period.
        credit_date_offset: Option<i64>,
        /// An explanation regarding this billing cycle specification.
        description: Option<String>,
        /// Frequency of the billing cycle (monthly for instance).
        frequency: Option<String>,
        /// An offset of a customer bill mailing date, in days from the start of the billing period.
        mailing_date_offset: Option<i64>,
        /// A short descriptive name.
        name: String,
        /// An offset of a payment due date, in days from the start of the billing period.
        payment_due_date_offset: Option<i64>,
        /// The period for which the billing cycle specification is valid.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }
}

crate::wire::alike! {
    /// A detailed description of the way in which a bill is presented (TMF666 `BillFormat`).
    ///
    /// Only `name` is required on creation.
    pub struct BillFormat;

    /// A bill format given by reference or by value (TMF666 `BillFormatRefOrValue`).
    ///
    /// `name` and `isRef` are required.
    pub struct BillFormatRefOrValue @referredType {
        /// Whether the object is given by reference (`true`, the specification's default) or by
        /// value (`false`).
        is_ref: bool,
    };

    /// A means of communicating a bill, supported by the associated bill format, such as post mail,
    /// email or a web page (TMF666 `BillPresentationMedia`), with the same properties as a
    /// [`BillFormat`].
    ///
    /// Only `name` is required on creation.
    pub struct BillPresentationMedia;

    /// A bill presentation media given by reference or by value (TMF666
    /// `BillPresentationMediaRefOrValue`).
    ///
    /// `name` and `isRef` are required.
    pub struct BillPresentationMediaRefOrValue @referredType {
        /// Whether the object is given by reference (`true`, the specification's default) or by
        /// value (`false`).
        is_ref: bool,
    };

    fields {
        /// Unique identifier of the bill format or presentation media (assigned by the server on
        /// creation).
        id: Option<String>,
        /// Reference of the bill format or presentation media (assigned by the server on creation).
        href: Option<String>,
        /// An explanatory text for this bill format or presentation media.
        description: Option<String>,
        /// A short descriptive name.
        name: String,
    }
}

crate::wire::entity_ref! {
    /// A reference to a billing cycle specification (TMF666 `BillingCycleSpecificationRef`).
    BillingCycleSpecificationRef {
        /// An offset of a billing or settlement date, in days from the start of the billing or
        /// settlement period.
        date_shift: Option<i64>,
        /// Frequency of the billing cycle (monthly for instance).
        frequency: Option<String>,
    }

    /// A reference to a bill format (TMF666 `BillFormatRef`).
    BillFormatRef {}

    /// A reference to a bill presentation media (TMF666 `BillPresentationMediaRef`).
    BillPresentationMediaRef {}
}
