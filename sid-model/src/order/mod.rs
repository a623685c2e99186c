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
pub mod lifecycle;
pub mod reference;

use chrono::{DateTime, Utc};
use validator::Validate;

use crate::interaction::RelatedChannel;
use crate::lifecycle::Lifecycle;
use crate::note::Note;
use crate::order::item::{OrderPrice, ProductOrderItem, ProductOrderItemStateType};
use crate::order::reference::{
    PaymentRef, ProductOfferingQualificationRef, ProductOrderRef, QuoteRef,
};
use crate::product::BillingAccountRef;
use crate::reference::{AgreementRef, RelatedParty};

crate::wire::wire! {
    /// An order of products between a customer and a service provider, or between a service
    /// provider and a partner (TMF622 `ProductOrder`), made of one or more order items.
    ///
    /// Only `productOrderItem`, with at least one item, is required on creation.
    pub struct ProductOrder {
        /// Unique identifier of the order, assigned by the order management system.
        id: Option<String>,
        /// Hyperlink to access the order.
        href: Option<String>,
        /// When the order was cancelled, for a cancelled order.
        cancellation_date: Option<DateTime<Utc>>,
        /// Why the order was cancelled, for a cancelled order.
        cancellation_reason: Option<String>,
        /// Used to categorize the order from a business perspective that can be useful for the OM
        /// system (e.g. "enterprise", "residential",...).
        category: Option<String>,
        /// Date when the order was completed.
        completion_date: Option<DateTime<Utc>>,
        /// Description of the product order.
        description: Option<String>,
        /// Expected delivery date amended by the provider.
        expected_completion_date: Option<DateTime<Utc>>,
        /// ID given by the consumer and only understandable by him (to facilitate his searches
        /// afterwards).
        external_id: Option<String>,
        /// Contact attached to the order to send back information regarding this order.
        notification_contact: Option<String>,
        /// Date when the order was created.
        order_date: Option<DateTime<Utc>>,
        /// A priority the consumer gives the order, from 0 (the highest) to 4 (the lowest).
        priority: Option<String>,
        /// Requested delivery date from the requestor perspective.
        requested_completion_date: Option<DateTime<Utc>>,
        /// When the requestor wishes fulfilment to start, when for some reason the seller must not
        /// begin operationally before a date.
        requested_start_date: Option<DateTime<Utc>>,
        /// Agreements defined in the context of the order.
        #[validate(nested)]
        agreement: Option<Vec<AgreementRef>>,
        /// The billing account for the whole order.
        #[validate(nested)]
        billing_account: Option<BillingAccountRef>,
        /// The channels through which the order was placed.
        #[validate(nested)]
        channel: Option<Vec<OrderRelatedChannel>>,
        /// Notes about the order; each has a text.
        #[validate(nested)]
        note: Option<Vec<OrderNote>>,
        /// The total prices of the order, one per price type and recurring period.
        #[validate(nested)]
        order_total_price: Option<Vec<OrderPrice>>,
        /// Payments made when the order was submitted.
        #[validate(nested)]
        payment: Option<Vec<PaymentRef>>,
        /// Product offering qualifications checked before the order.
        #[validate(nested)]
        product_offering_qualification: Option<Vec<ProductOfferingQualificationRef>>,
        /// The items of the order; at least one.
        #[validate(length(min = 1), nested)]
        product_order_item: Vec<ProductOrderItem>,
        /// Quotes the order comes from.
        #[validate(nested)]
        quote: Option<Vec<QuoteRef>>,
        /// Parties or party roles linked to the order (the customer, the seller...).
        #[validate(nested)]
        related_party: Option<Vec<RelatedParty>>,
        /// The lifecycle state of the order.
        state: Option<ProductOrderStateType>,
    }

    /// A request to cancel an existing product order (TMF622 `CancelProductOrder`).
    ///
    /// Only `productOrder` is required on creation.
    pub struct CancelProductOrder {
        /// Identifier of the cancellation request (not an order identifier).
        id: Option<String>,
        /// Hyperlink to access the cancellation request.
        href: Option<String>,
        /// Reason why the order is cancelled.
        cancellation_reason: Option<String>,
        /// When the order was cancelled.
        effective_cancellation_date: Option<DateTime<Utc>>,
        /// When the submitter wants the order to be cancelled.
        requested_cancellation_date: Option<DateTime<Utc>>,
        /// The product order to cancel.
        #[validate(nested)]
        product_order: ProductOrderRef,
        /// The lifecycle state of the cancellation request.
        state: Option<TaskStateType>,
    }

    /// Extra information about a product order, as TMF622 defines `Note`: `text` is required.
    ///
    /// TMF621, TMF656 and TMF683 leave `text` optional; that form is [`Note`], into which this one
    /// converts.
    pub struct OrderNote {
        /// Identifier of the note within its containing entity (may or may not be globally unique,
        /// depending on provider implementation).
        id: Option<String>,
        /// Author of the note.
        author: Option<String>,
        /// Date of the note.
        date: Option<DateTime<Utc>>,
        /// Text of the note.
        text: String,
    }
}

/// The channel of an order (TMF622 `RelatedChannel`, which leaves `href` optional where TMF683
/// requires it): one shape with TMF683's [`RelatedChannel`], whose `href` the server completes.
pub type OrderRelatedChannel = RelatedChannel;

crate::wire::wire_enum! {
    /// The lifecycle state of a product order (TMF622 `ProductOrderStateType`).
    pub enum ProductOrderStateType {
        /// `acknowledged`: the order has been received and has passed basic validation.
        "acknowledged" => Acknowledged,
        /// `rejected`: the order failed validation (missing or invalid information).
        "rejected" => Rejected,
        /// `pending`: the order waits for information before it can proceed.
        "pending" => Pending,
        /// `held`: the order cannot proceed for a business reason until that is solved.
        "held" => Held,
        /// `inProgress`: the order is being fulfilled.
        "inProgress" => InProgress,
        /// `cancelled`: the order was cancelled.
        "cancelled" => Cancelled,
        /// `completed`: every item of the order has been fulfilled.
        "completed" => Completed,
        /// `failed`: the order could not be fulfilled.
        "failed" => Failed,
        /// `partial`: some items of the order were fulfilled and others failed.
        "partial" => Partial,
        /// `assessingCancellation`: a request to cancel the order is being assessed.
        "assessingCancellation" => AssessingCancellation,
        /// `pendingCancellation`: the cancellation of the order was accepted and is under way.
        "pendingCancellation" => PendingCancellation,
    }
}

crate::wire::wire_enum! {
    /// The lifecycle state of a task, such as a request to cancel a product order (TMF622
    /// `TaskStateType`).
    pub enum TaskStateType {
        /// `acknowledged`: the request has been received.
        "acknowledged" => Acknowledged,
        /// `terminatedWithError`: the request ended in an error.
        "terminatedWithError" => TerminatedWithError,
        /// `inProgress`: the request is being carried out.
        "inProgress" => InProgress,
        /// `done`: the request has been carried out.
        "done" => Done,
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

impl ProductOrderStateType {
    /// Whether the order is being cancelled.
    pub fn is_cancelling(self) -> bool {
        matches!(
            self,
            Self::AssessingCancellation | Self::PendingCancellation
        )
    }

    /// Whether a cancellation may be requested.
    pub fn is_cancellable(self) -> bool {
        matches!(
            self,
            Self::Acknowledged | Self::Pending | Self::Held | Self::InProgress
        )
    }

    /// The state items take when the order is moved to `self` as a whole, if they follow:
    /// pausing, resuming and finishing an order apply to each unfinished item.
    pub fn item_state(self) -> Option<ProductOrderItemStateType> {
        use ProductOrderItemStateType as Item;
        Some(match self {
            Self::Acknowledged => Item::Acknowledged,
            Self::Rejected => Item::Rejected,
            Self::Pending => Item::Pending,
            Self::Held => Item::Held,
            Self::InProgress => Item::InProgress,
            Self::Cancelled => Item::Cancelled,
            Self::Completed => Item::Completed,
            Self::Failed => Item::Failed,
            Self::AssessingCancellation => Item::AssessingCancellation,
            Self::PendingCancellation => Item::PendingCancellation,
            Self::Partial => return None,
        })
    }
}

/// The TMF622 order lifecycle: `acknowledged → inProgress → completed | failed | partial`,
/// paused (`pending`, `held`) and resumed, `rejected` before work starts. These are the moves
/// a client may ask for (a `PATCH` of `state`). A cancellation is entered through a
/// `cancelProductOrder` only (a domain rule: [`ENTERED_BY_RULE`](Lifecycle::ENTERED_BY_RULE));
/// once in it, the order is moved on by `PATCH` (accepted, declined, carried out).
impl Lifecycle for ProductOrderStateType {
    const ENTITY: &'static str = "ProductOrder";
    const ATTRIBUTE: &'static str = "state";
    const STATES: &'static [Self] = &Self::ALL;
    const CREATE: &'static [Self] = &[Self::Acknowledged];
    const INITIAL: Self = Self::Acknowledged;
    const FINAL: &'static [Self] = &[
        Self::Rejected,
        Self::Cancelled,
        Self::Completed,
        Self::Failed,
        Self::Partial,
    ];
    const ENTERED_BY_RULE: &'static [Self] = &[Self::AssessingCancellation, Self::Cancelled];

    fn name(self) -> &'static str {
        self.as_str()
    }

    fn next(self) -> &'static [Self] {
        use ProductOrderStateType::*;
        match self {
            Acknowledged => &[InProgress, Pending, Held, Rejected],
            InProgress => &[Completed, Failed, Partial, Pending, Held],
            Pending => &[InProgress, Held],
            Held => &[InProgress, Pending],
            // A cancellation request is accepted (pending) or declined (back to work).
            AssessingCancellation => &[PendingCancellation, InProgress],
            PendingCancellation => &[Cancelled],
            Rejected | Cancelled | Completed | Failed | Partial => &[],
        }
    }
}
