//! The structure of a party account's bill (TMF666): when the bill is produced (billing cycle
//! specifications), how it is laid out (bill formats) and how it reaches the party (bill
//! presentation media), each a resource of its own and each also usable by reference or by
//! value from a [`BillStructure`].

use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::extension::{Extensions, Meta};
use crate::time::TimePeriod;

/// The structure of the bill for party accounts, billing or settlement (TMF666
/// `BillStructure`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct BillStructure {
    /// When the bill is produced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub cycle_specification: Option<BillingCycleSpecificationRefOrValue>,
    /// How the bill is laid out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub format: Option<BillFormatRefOrValue>,
    /// How the bill is communicated: post mail, email, web page...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub presentation_media: Option<Vec<BillPresentationMediaRefOrValue>>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A detailed description of when to initiate a billing cycle and the various sub-steps of a
/// billing cycle (TMF666 `BillingCycleSpecification`).
///
/// Only `name` is required on creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct BillingCycleSpecification {
    /// Unique identifier of the billing cycle specification, assigned by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Reference of the billing cycle specification, assigned by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// An offset of a billing or settlement date, in days from the start of the billing or
    /// settlement period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_date_shift: Option<i64>,
    /// A billing time period. It can be recurring, for example: week, month, quarter of year,
    /// year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_period: Option<String>,
    /// An offset of a date through which charges previously received by the billing system
    /// will appear on the bill, in days from the start of the billing period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge_date_offset: Option<i64>,
    /// An offset of a date through which credits previously received by the billing system
    /// will appear on the bill, in days from the start of the billing period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_date_offset: Option<i64>,
    /// An explanation regarding this billing cycle specification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Frequency of the billing cycle (monthly for instance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<String>,
    /// An offset of a customer bill mailing date, in days from the start of the billing
    /// period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailing_date_offset: Option<i64>,
    /// A short descriptive name.
    #[validate(length(min = 1))]
    pub name: String,
    /// An offset of a payment due date, in days from the start of the billing period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_due_date_offset: Option<i64>,
    /// The period for which the billing cycle specification is valid.
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

/// A reference to a billing cycle specification (TMF666 `BillingCycleSpecificationRef`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct BillingCycleSpecificationRef {
    /// Unique identifier of the billing cycle specification.
    #[validate(length(min = 1))]
    pub id: String,
    /// Reference of the billing cycle specification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// An offset of a billing or settlement date, in days from the start of the billing or
    /// settlement period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_shift: Option<i64>,
    /// Frequency of the billing cycle (monthly for instance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<String>,
    /// A short descriptive name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
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

/// A billing cycle specification given by reference or by value (TMF666
/// `BillingCycleSpecificationRefOrValue`).
///
/// `name` and `isRef` are required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct BillingCycleSpecificationRefOrValue {
    /// Unique identifier of the billing cycle specification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Reference of the billing cycle specification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// An offset of a billing or settlement date, in days from the start of the billing or
    /// settlement period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_date_shift: Option<i64>,
    /// A billing time period. It can be recurring, for example: week, month, quarter of year,
    /// year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_period: Option<String>,
    /// An offset of a date through which charges previously received by the billing system
    /// will appear on the bill, in days from the start of the billing period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge_date_offset: Option<i64>,
    /// An offset of a date through which credits previously received by the billing system
    /// will appear on the bill, in days from the start of the billing period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_date_offset: Option<i64>,
    /// An offset of a billing or settlement date, in days from the start of the billing or
    /// settlement period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_shift: Option<i64>,
    /// An explanation regarding this billing cycle specification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Frequency of the billing cycle (monthly for instance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<String>,
    /// Whether the object is given by reference (`true`, the specification's default) or by
    /// value (`false`).
    pub is_ref: bool,
    /// An offset of a customer bill mailing date, in days from the start of the billing
    /// period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailing_date_offset: Option<i64>,
    /// A short descriptive name.
    #[validate(length(min = 1))]
    pub name: String,
    /// An offset of a payment due date, in days from the start of the billing period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_due_date_offset: Option<i64>,
    /// The period for which the billing cycle specification is valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub valid_for: Option<TimePeriod>,
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

/// A detailed description of the way in which a bill is presented (TMF666 `BillFormat`).
///
/// Only `name` is required on creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct BillFormat {
    /// Unique identifier of the bill format, assigned by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Reference of the bill format, assigned by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// An explanatory text for this bill format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A short descriptive name.
    #[validate(length(min = 1))]
    pub name: String,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

crate::wire::entity_ref! {
    /// A reference to a bill format (TMF666 `BillFormatRef`).
    BillFormatRef {
    }
}

/// A bill format given by reference or by value (TMF666 `BillFormatRefOrValue`).
///
/// `name` and `isRef` are required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct BillFormatRefOrValue {
    /// Unique identifier of the bill format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Reference of the bill format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// An explanatory text for this bill format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the object is given by reference (`true`, the specification's default) or by
    /// value (`false`).
    pub is_ref: bool,
    /// A short descriptive name.
    #[validate(length(min = 1))]
    pub name: String,
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

/// A means of communicating a bill, supported by the associated bill format, such as post
/// mail, email or a web page (TMF666 `BillPresentationMedia`).
///
/// Only `name` is required on creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct BillPresentationMedia {
    /// Unique identifier of the bill presentation media, assigned by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Reference of the bill presentation media, assigned by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// An explanatory text describing this bill presentation media.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A short descriptive name.
    #[validate(length(min = 1))]
    pub name: String,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

crate::wire::entity_ref! {
    /// A reference to a bill presentation media (TMF666 `BillPresentationMediaRef`).
    BillPresentationMediaRef {
    }
}

/// A bill presentation media given by reference or by value (TMF666
/// `BillPresentationMediaRefOrValue`).
///
/// `name` and `isRef` are required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct BillPresentationMediaRefOrValue {
    /// Unique identifier of the bill presentation media.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Reference of the bill presentation media.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// An explanatory text describing this bill presentation media.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the object is given by reference (`true`, the specification's default) or by
    /// value (`false`).
    pub is_ref: bool,
    /// A short descriptive name.
    #[validate(length(min = 1))]
    pub name: String,
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

crate::wire::object_only_serde!(
    BillStructure,
    BillingCycleSpecification,
    BillingCycleSpecificationRef,
    BillingCycleSpecificationRefOrValue,
    BillFormat,
    BillFormatRefOrValue,
    BillPresentationMedia,
    BillPresentationMediaRefOrValue
);
