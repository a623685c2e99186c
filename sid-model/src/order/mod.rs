//! TMF622 Product Ordering: product orders, their items, and requests to cancel them, with
//! every sub-type and reference they use.
//!
//! The order and its cancellation are here; the items are in [`item`] and the references to
//! entities managed elsewhere in [`mod@reference`]. The product an item acts on, and its prices
//! and terms, use the TMF637 types of [`crate::product`], which TMF622 defines identically.
//!
//! TMF622 v4.0.0 defines some types under the same name as other specifications but
//! differently; those get their own Rust name here, each exact for TMF622:
//!
//! - its `Note` requires `text`, which TMF621, TMF656 and TMF683 leave optional: [`OrderNote`];
//! - its `RelatedChannel` leaves `href` optional, which TMF683 requires:
//!   [`OrderRelatedChannel`].
//!
//! `AgreementRef`, `Characteristic`, `Quantity`, `RelatedParty` and `TimePeriod` are identical
//! to the types of the same name already in this crate and are reused, as are TMF620's
//! `ProductOfferingRef`, `ProductOfferingPriceRef` and `ProductSpecificationRef`. So is
//! [`Money`](crate::Money), which is stricter than TMF622's `Money`: both `unit` (an ISO 4217
//! code) and `value` must be present. Every amount is a `Money` and every percentage or tax
//! rate an exact decimal, never a binary float.
//!
//! The definitions that neither `ProductOrder` nor `CancelProductOrder` uses (`CancelOrder`,
//! `EntityRef`, `Place`, `PlaceRef`, `Product` and `ProductRef`) are not modelled.
//! `ProductOrderItemRelationship` and `ExternalReference` appear only in later versions of
//! TMF622: in v4.0.0 an item's `productOrderItemRelationship` holds
//! [`OrderItemRelationship`](item::OrderItemRelationship)s, and an order has an `externalId`
//! but no external references.

pub mod item;
pub mod reference;

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::extension::{Extensions, Meta};
use crate::interaction::RelatedChannel;
use crate::note::Note;
use crate::order::item::{OrderPrice, ProductOrderItem};
use crate::order::reference::{
    PaymentRef, ProductOfferingQualificationRef, ProductOrderRef, QuoteRef,
};
use crate::product::BillingAccountRef;
use crate::reference::{AgreementRef, RelatedParty};

/// An order of products between a customer and a service provider, or between a service provider
/// and a partner (TMF622 `ProductOrder`), made of one or more order items.
///
/// Only `productOrderItem`, with at least one item, is required on creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct ProductOrder {
    /// Unique identifier of the order, assigned by the order management system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Hyperlink to access the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// When the order was cancelled, for a cancelled order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation_date: Option<DateTime<Utc>>,
    /// Why the order was cancelled, for a cancelled order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation_reason: Option<String>,
    /// Used to categorize the order from a business perspective that can be useful for the OM
    /// system (e.g. "enterprise", "residential",...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Date when the order was completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_date: Option<DateTime<Utc>>,
    /// Description of the product order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Expected delivery date amended by the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_completion_date: Option<DateTime<Utc>>,
    /// ID given by the consumer and only understandable by him (to facilitate his searches
    /// afterwards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Contact attached to the order to send back information regarding this order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_contact: Option<String>,
    /// Date when the order was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_date: Option<DateTime<Utc>>,
    /// A priority the consumer gives the order, from 0 (the highest) to 4 (the lowest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    /// Requested delivery date from the requestor perspective.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_completion_date: Option<DateTime<Utc>>,
    /// When the requestor wishes fulfilment to start, when for some reason the seller must not
    /// begin operationally before a date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_start_date: Option<DateTime<Utc>>,
    /// Agreements defined in the context of the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub agreement: Option<Vec<AgreementRef>>,
    /// The billing account for the whole order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub billing_account: Option<BillingAccountRef>,
    /// The channels through which the order was placed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub channel: Option<Vec<OrderRelatedChannel>>,
    /// Notes about the order; each has a text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub note: Option<Vec<OrderNote>>,
    /// The total prices of the order, one per price type and recurring period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub order_total_price: Option<Vec<OrderPrice>>,
    /// Payments made when the order was submitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub payment: Option<Vec<PaymentRef>>,
    /// Product offering qualifications checked before the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_offering_qualification: Option<Vec<ProductOfferingQualificationRef>>,
    /// The items of the order; at least one.
    #[validate(length(min = 1), nested)]
    pub product_order_item: Vec<ProductOrderItem>,
    /// Quotes the order comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub quote: Option<Vec<QuoteRef>>,
    /// Parties or party roles linked to the order (the customer, the seller...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub related_party: Option<Vec<RelatedParty>>,
    /// The lifecycle state of the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<ProductOrderStateType>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A request to cancel an existing product order (TMF622 `CancelProductOrder`).
///
/// Only `productOrder` is required on creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct CancelProductOrder {
    /// Identifier of the cancellation request (not an order identifier).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Hyperlink to access the cancellation request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Reason why the order is cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation_reason: Option<String>,
    /// When the order was cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_cancellation_date: Option<DateTime<Utc>>,
    /// When the submitter wants the order to be cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_cancellation_date: Option<DateTime<Utc>>,
    /// The product order to cancel.
    #[validate(nested)]
    pub product_order: ProductOrderRef,
    /// The lifecycle state of the cancellation request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<TaskStateType>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// Extra information about a product order, as TMF622 defines `Note`: `text` is required.
///
/// TMF621, TMF656 and TMF683 leave `text` optional; that form is [`Note`], into which this one
/// converts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct OrderNote {
    /// Identifier of the note within its containing entity (may or may not be globally unique,
    /// depending on provider implementation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Author of the note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Date of the note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<DateTime<Utc>>,
    /// Text of the note.
    #[validate(length(min = 1))]
    pub text: String,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// The channel of an order (TMF622 `RelatedChannel`, which leaves `href` optional where TMF683
/// requires it): one shape with TMF683's [`RelatedChannel`](crate::interaction::RelatedChannel),
/// whose `href` the server completes.
pub type OrderRelatedChannel = RelatedChannel;

/// The lifecycle state of a product order (TMF622 `ProductOrderStateType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProductOrderStateType {
    /// `acknowledged`: the order has been received and has passed basic validation.
    #[serde(rename = "acknowledged")]
    Acknowledged,
    /// `rejected`: the order failed validation (missing or invalid information).
    #[serde(rename = "rejected")]
    Rejected,
    /// `pending`: the order waits for information before it can proceed.
    #[serde(rename = "pending")]
    Pending,
    /// `held`: the order cannot proceed for a business reason until that is solved.
    #[serde(rename = "held")]
    Held,
    /// `inProgress`: the order is being fulfilled.
    #[serde(rename = "inProgress")]
    InProgress,
    /// `cancelled`: the order was cancelled.
    #[serde(rename = "cancelled")]
    Cancelled,
    /// `completed`: every item of the order has been fulfilled.
    #[serde(rename = "completed")]
    Completed,
    /// `failed`: the order could not be fulfilled.
    #[serde(rename = "failed")]
    Failed,
    /// `partial`: some items of the order were fulfilled and others failed.
    #[serde(rename = "partial")]
    Partial,
    /// `assessingCancellation`: a request to cancel the order is being assessed.
    #[serde(rename = "assessingCancellation")]
    AssessingCancellation,
    /// `pendingCancellation`: the cancellation of the order was accepted and is under way.
    #[serde(rename = "pendingCancellation")]
    PendingCancellation,
}

impl ProductOrderStateType {
    /// The wire spelling of the order state.
    pub fn as_str(self) -> &'static str {
        match self {
            ProductOrderStateType::Acknowledged => "acknowledged",
            ProductOrderStateType::Rejected => "rejected",
            ProductOrderStateType::Pending => "pending",
            ProductOrderStateType::Held => "held",
            ProductOrderStateType::InProgress => "inProgress",
            ProductOrderStateType::Cancelled => "cancelled",
            ProductOrderStateType::Completed => "completed",
            ProductOrderStateType::Failed => "failed",
            ProductOrderStateType::Partial => "partial",
            ProductOrderStateType::AssessingCancellation => "assessingCancellation",
            ProductOrderStateType::PendingCancellation => "pendingCancellation",
        }
    }
}

impl fmt::Display for ProductOrderStateType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The lifecycle state of a task, such as a request to cancel a product order (TMF622
/// `TaskStateType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TaskStateType {
    /// `acknowledged`: the request has been received.
    #[serde(rename = "acknowledged")]
    Acknowledged,
    /// `terminatedWithError`: the request ended in an error.
    #[serde(rename = "terminatedWithError")]
    TerminatedWithError,
    /// `inProgress`: the request is being carried out.
    #[serde(rename = "inProgress")]
    InProgress,
    /// `done`: the request has been carried out.
    #[serde(rename = "done")]
    Done,
}

impl TaskStateType {
    /// The wire spelling of the task state.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStateType::Acknowledged => "acknowledged",
            TaskStateType::TerminatedWithError => "terminatedWithError",
            TaskStateType::InProgress => "inProgress",
            TaskStateType::Done => "done",
        }
    }
}

impl fmt::Display for TaskStateType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<OrderNote> for Note {
    fn from(note: OrderNote) -> Self {
        Note {
            id: note.id,
            author: note.author,
            date: note.date,
            text: Some(note.text),
            meta: note.meta,
            extensions: note.extensions,
        }
    }
}

crate::wire::object_only_serde!(ProductOrder, CancelProductOrder, OrderNote);
