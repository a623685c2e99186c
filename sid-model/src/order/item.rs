//! The items of a product order (TMF622): what is done to which product, at which price and
//! under which terms, and how items relate to each other.

use std::fmt;

use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::catalog::reference::{ProductOfferingPriceRef, ProductOfferingRef};
use crate::extension::{Extensions, Meta};
use crate::order::reference::{
    AppointmentRef, PaymentRef, ProductOfferingQualificationItemRef,
    ProductOfferingQualificationRef, QuoteItemRef,
};
use crate::product::{BillingAccountRef, Price, PriceAlteration, ProductRefOrValue};
use crate::quantity::Quantity;

/// An identified part of a product order (TMF622 `ProductOrderItem`): an action on a product,
/// possibly with sub-items.
///
/// `id` and `action` are required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct ProductOrderItem {
    /// Identifier of the item within the order (generally a sequence number: 01, 02, 03...).
    #[validate(length(min = 1))]
    pub id: String,
    /// Quantity ordered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    /// The action to be carried out on the product: add, modify, delete or noChange.
    pub action: OrderItemActionType,
    /// The appointment (a site visit, for instance) booked for the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub appointment: Option<AppointmentRef>,
    /// The billing account for the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub billing_account: Option<BillingAccountRef>,
    /// The prices of the item, one per price type and recurring period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub item_price: Option<Vec<OrderPrice>>,
    /// The commitments (terms with a duration) of the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub item_term: Option<Vec<OrderTerm>>,
    /// The total prices of the item, including those of its sub-items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub item_total_price: Option<Vec<OrderPrice>>,
    /// Payments made for the item when the order was submitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub payment: Option<Vec<PaymentRef>>,
    /// The product the action is carried out on, by reference (an existing product) or by value (a
    /// product to create).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product: Option<ProductRefOrValue>,
    /// The product offering the item orders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_offering: Option<ProductOfferingRef>,
    /// The product offering qualification item checked before the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_offering_qualification_item: Option<ProductOfferingQualificationItemRef>,
    /// The sub-items of the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_order_item: Option<Vec<ProductOrderItem>>,
    /// Relationships to other items of the same order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_order_item_relationship: Option<Vec<OrderItemRelationship>>,
    /// Product offering qualifications checked for the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub qualification: Option<Vec<ProductOfferingQualificationRef>>,
    /// The quote item the order item comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub quote_item: Option<QuoteItemRef>,
    /// The lifecycle state of the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<ProductOrderItemStateType>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A relationship from a product order item to another item of the same order (TMF622
/// `OrderItemRelationship`), such as reliesOn.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct OrderItemRelationship {
    /// Identifier of the related order item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The type of order item relationship.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship_type: Option<String>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A price actually paid by the customer for an order item or a whole order (TMF622 `OrderPrice`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct OrderPrice {
    /// A narrative that explains in detail the semantics of this price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A short descriptive name such as "Subscription price".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A category that describes the price, such as recurring, discount, allowance, penalty, and so
    /// forth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_type: Option<String>,
    /// The period of a recurring charge: month, week...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurring_charge_period: Option<String>,
    /// The unit the price is for: minutes, GB...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_of_measure: Option<String>,
    /// The billing account the price is charged to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub billing_account: Option<BillingAccountRef>,
    /// The amounts (tax included and duty free), the tax rate and the percentage of the price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub price: Option<Price>,
    /// Alterations (discounts, allowances...) of the price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub price_alteration: Option<Vec<PriceAlteration>>,
    /// The product offering price this price comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub product_offering_price: Option<ProductOfferingPriceRef>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A commitment with a duration linked to a product order item (TMF622 `OrderTerm`).
///
/// The duration is a [`Quantity`], such as 12 months.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct OrderTerm {
    /// Description of the order term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Name of the order term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Duration of the order term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub duration: Option<Quantity>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// The action to be carried out on the product of an order item (TMF622
/// `OrderItemActionType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrderItemActionType {
    /// `add`: a new product is created.
    #[serde(rename = "add")]
    Add,
    /// `modify`: an existing product is changed.
    #[serde(rename = "modify")]
    Modify,
    /// `delete`: an existing product is terminated.
    #[serde(rename = "delete")]
    Delete,
    /// `noChange`: the product is left as it is, for instance when it is part of a bundle
    /// that another item changes.
    #[serde(rename = "noChange")]
    NoChange,
}

impl OrderItemActionType {
    /// The wire spelling of the action.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderItemActionType::Add => "add",
            OrderItemActionType::Modify => "modify",
            OrderItemActionType::Delete => "delete",
            OrderItemActionType::NoChange => "noChange",
        }
    }
}

impl fmt::Display for OrderItemActionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The lifecycle state of a product order item (TMF622 `ProductOrderItemStateType`).
///
/// The same states as an order's ([`ProductOrderStateType`](crate::ProductOrderStateType)),
/// less `partial`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProductOrderItemStateType {
    /// `acknowledged`: the item has been received and has passed basic validation.
    #[serde(rename = "acknowledged")]
    Acknowledged,
    /// `rejected`: the item failed validation.
    #[serde(rename = "rejected")]
    Rejected,
    /// `pending`: the item waits for information before it can proceed.
    #[serde(rename = "pending")]
    Pending,
    /// `held`: the item cannot proceed for a business reason until that is solved.
    #[serde(rename = "held")]
    Held,
    /// `inProgress`: the item is being fulfilled.
    #[serde(rename = "inProgress")]
    InProgress,
    /// `cancelled`: the item was cancelled.
    #[serde(rename = "cancelled")]
    Cancelled,
    /// `completed`: the item has been fulfilled.
    #[serde(rename = "completed")]
    Completed,
    /// `failed`: the item could not be fulfilled.
    #[serde(rename = "failed")]
    Failed,
    /// `assessingCancellation`: a request to cancel the item is being assessed.
    #[serde(rename = "assessingCancellation")]
    AssessingCancellation,
    /// `pendingCancellation`: the cancellation of the item was accepted and is under way.
    #[serde(rename = "pendingCancellation")]
    PendingCancellation,
}

impl ProductOrderItemStateType {
    /// The wire spelling of the item state.
    pub fn as_str(self) -> &'static str {
        match self {
            ProductOrderItemStateType::Acknowledged => "acknowledged",
            ProductOrderItemStateType::Rejected => "rejected",
            ProductOrderItemStateType::Pending => "pending",
            ProductOrderItemStateType::Held => "held",
            ProductOrderItemStateType::InProgress => "inProgress",
            ProductOrderItemStateType::Cancelled => "cancelled",
            ProductOrderItemStateType::Completed => "completed",
            ProductOrderItemStateType::Failed => "failed",
            ProductOrderItemStateType::AssessingCancellation => "assessingCancellation",
            ProductOrderItemStateType::PendingCancellation => "pendingCancellation",
        }
    }
}

impl fmt::Display for ProductOrderItemStateType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

crate::wire::object_only_serde!(
    ProductOrderItem,
    OrderItemRelationship,
    OrderPrice,
    OrderTerm
);
