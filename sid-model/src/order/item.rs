//! The items of a product order (TMF622): what is done to which product, at which price and
//! under which terms, and how items relate to each other.

use validator::Validate;

use crate::catalog::reference::{ProductOfferingPriceRef, ProductOfferingRef};
use crate::lifecycle::Lifecycle;
use crate::order::reference::{
    AppointmentRef, PaymentRef, ProductOfferingQualificationItemRef,
    ProductOfferingQualificationRef, QuoteItemRef,
};
use crate::product::{BillingAccountRef, Price, PriceAlteration, ProductRefOrValue};
use crate::quantity::Quantity;

crate::wire::wire! {
    /// An identified part of a product order (TMF622 `ProductOrderItem`): an action on a product,
    /// possibly with sub-items.
    ///
    /// `id` and `action` are required.
    pub struct ProductOrderItem {
        /// Identifier of the item within the order (generally a sequence number: 01, 02, 03...).
        #[validate(length(min = 1))]
        id: String,
        /// Quantity ordered.
        quantity: Option<i64>,
        /// The action to be carried out on the product: add, modify, delete or noChange.
        action: OrderItemActionType,
        /// The appointment (a site visit, for instance) booked for the item.
        #[validate(nested)]
        appointment: Option<AppointmentRef>,
        /// The billing account for the item.
        #[validate(nested)]
        billing_account: Option<BillingAccountRef>,
        /// The prices of the item, one per price type and recurring period.
        #[validate(nested)]
        item_price: Option<Vec<OrderPrice>>,
        /// The commitments (terms with a duration) of the item.
        #[validate(nested)]
        item_term: Option<Vec<OrderTerm>>,
        /// The total prices of the item, including those of its sub-items.
        #[validate(nested)]
        item_total_price: Option<Vec<OrderPrice>>,
        /// Payments made for the item when the order was submitted.
        #[validate(nested)]
        payment: Option<Vec<PaymentRef>>,
        /// The product the action is carried out on, by reference (an existing product) or by value
        /// (a product to create).
        #[validate(nested)]
        product: Option<ProductRefOrValue>,
        /// The product offering the item orders.
        #[validate(nested)]
        product_offering: Option<ProductOfferingRef>,
        /// The product offering qualification item checked before the order.
        #[validate(nested)]
        product_offering_qualification_item: Option<ProductOfferingQualificationItemRef>,
        /// The sub-items of the item.
        #[validate(nested)]
        product_order_item: Option<Vec<ProductOrderItem>>,
        /// Relationships to other items of the same order.
        #[validate(nested)]
        product_order_item_relationship: Option<Vec<OrderItemRelationship>>,
        /// Product offering qualifications checked for the item.
        #[validate(nested)]
        qualification: Option<Vec<ProductOfferingQualificationRef>>,
        /// The quote item the order item comes from.
        #[validate(nested)]
        quote_item: Option<QuoteItemRef>,
        /// The lifecycle state of the item.
        state: Option<ProductOrderItemStateType>,
    }

    /// A relationship from a product order item to another item of the same order (TMF622
    /// `OrderItemRelationship`), such as reliesOn.
    #[derive(Default)]
    pub struct OrderItemRelationship {
        /// Identifier of the related order item.
        id: Option<String>,
        /// The type of order item relationship.
        relationship_type: Option<String>,
    }

    /// A price actually paid by the customer for an order item or a whole order (TMF622
    /// `OrderPrice`).
    #[derive(Default)]
    pub struct OrderPrice {
        /// A narrative that explains in detail the semantics of this price.
        description: Option<String>,
        /// A short descriptive name such as "Subscription price".
        name: Option<String>,
        /// A category that describes the price, such as recurring, discount, allowance, penalty,
        /// and so forth.
        price_type: Option<String>,
        /// The period of a recurring charge: month, week...
        recurring_charge_period: Option<String>,
        /// The unit the price is for: minutes, GB...
        unit_of_measure: Option<String>,
        /// The billing account the price is charged to.
        #[validate(nested)]
        billing_account: Option<BillingAccountRef>,
        /// The amounts (tax included and duty free), the tax rate and the percentage of the price.
        #[validate(nested)]
        price: Option<Price>,
        /// Alterations (discounts, allowances...) of the price.
        #[validate(nested)]
        price_alteration: Option<Vec<PriceAlteration>>,
        /// The product offering price this price comes from.
        #[validate(nested)]
        product_offering_price: Option<ProductOfferingPriceRef>,
    }

    /// A commitment with a duration linked to a product order item (TMF622 `OrderTerm`).
    ///
    /// The duration is a [`Quantity`], such as 12 months.
    #[derive(Default)]
    pub struct OrderTerm {
        /// Description of the order term.
        description: Option<String>,
        /// Name of the order term.
        name: Option<String>,
        /// Duration of the order term.
        #[validate(nested)]
        duration: Option<Quantity>,
    }
}

crate::wire::wire_enum! {
    /// The action to be carried out on the product of an order item (TMF622
    /// `OrderItemActionType`).
    pub enum OrderItemActionType {
        /// `add`: a new product is created.
        "add" => Add,
        /// `modify`: an existing product is changed.
        "modify" => Modify,
        /// `delete`: an existing product is terminated.
        "delete" => Delete,
        /// `noChange`: the product is left as it is, for instance when it is part of a bundle
        /// that another item changes.
        "noChange" => NoChange,
    }
}

crate::wire::wire_enum! {
    /// The lifecycle state of a product order item (TMF622 `ProductOrderItemStateType`).
    ///
    /// The same states as an order's ([`ProductOrderStateType`](crate::ProductOrderStateType)),
    /// less `partial`.
    pub enum ProductOrderItemStateType {
        /// `acknowledged`: the item has been received and has passed basic validation.
        "acknowledged" => Acknowledged,
        /// `rejected`: the item failed validation.
        "rejected" => Rejected,
        /// `pending`: the item waits for information before it can proceed.
        "pending" => Pending,
        /// `held`: the item cannot proceed for a business reason until that is solved.
        "held" => Held,
        /// `inProgress`: the item is being fulfilled.
        "inProgress" => InProgress,
        /// `cancelled`: the item was cancelled.
        "cancelled" => Cancelled,
        /// `completed`: the item has been fulfilled.
        "completed" => Completed,
        /// `failed`: the item could not be fulfilled.
        "failed" => Failed,
        /// `assessingCancellation`: a request to cancel the item is being assessed.
        "assessingCancellation" => AssessingCancellation,
        /// `pendingCancellation`: the cancellation of the item was accepted and is under way.
        "pendingCancellation" => PendingCancellation,
    }
}

/// The TMF622 lifecycle of an order item, moved on its own: the order's moves less `partial`.
/// An item enters a cancellation, and leaves it, only with its order (a domain rule:
/// [`ENTERED_BY_RULE`](Lifecycle::ENTERED_BY_RULE)); it does not move on its own from there,
/// which does not make those states final.
impl Lifecycle for ProductOrderItemStateType {
    const ENTITY: &'static str = "productOrderItem";
    const ATTRIBUTE: &'static str = "state";
    const STATES: &'static [Self] = &Self::ALL;
    const CREATE: &'static [Self] = &[Self::Acknowledged];
    const INITIAL: Self = Self::Acknowledged;
    const FINAL: &'static [Self] = &[
        Self::Rejected,
        Self::Cancelled,
        Self::Completed,
        Self::Failed,
    ];
    const ENTERED_BY_RULE: &'static [Self] = &[
        Self::AssessingCancellation,
        Self::PendingCancellation,
        Self::Cancelled,
    ];

    fn name(self) -> &'static str {
        self.as_str()
    }

    fn next(self) -> &'static [Self] {
        use ProductOrderItemStateType::*;
        match self {
            Acknowledged => &[InProgress, Pending, Held, Rejected],
            InProgress => &[Completed, Failed, Pending, Held],
            Pending => &[InProgress, Held],
            Held => &[InProgress, Pending],
            Rejected
            | Cancelled
            | Completed
            | Failed
            | AssessingCancellation
            | PendingCancellation => &[],
        }
    }
}
