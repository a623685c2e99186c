//! Why an order or a cancel request is refused, in ordering's words, and the one place those
//! reasons become TMF errors.

use crm_store::lifecycle_error;
use sid_model::order::lifecycle::OrderMoveError;
use tmf_apis::{ErrorCode, TmfError};

use crate::catalog::ProductCatalogError;

/// Why a product order, or a request to cancel one, is refused.
#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    /// An order without items.
    #[error("'productOrderItem': an order needs at least one item")]
    NoItems,
    /// A new order that states its own state.
    #[error("'state': set by the server; an order starts acknowledged")]
    OrderStateGiven,
    /// A patch that adds, removes or changes items (other than their states).
    #[error(
        "'productOrderItem': items cannot be added, removed or changed once ordered, except their state"
    )]
    ItemsChanged,
    /// One item of the order is refused.
    #[error("productOrderItem '{item}': {problem}")]
    Item {
        /// The item's id.
        item: String,
        /// What is wrong with it.
        problem: ItemProblem,
    },
    /// A cancel request for an order that does not exist.
    #[error("'productOrder': ProductOrder '{order}' does not exist")]
    UnknownOrder {
        /// The order's id.
        order: String,
    },
    /// A cancel request for an order that is past cancelling.
    #[error(
        "ProductOrder '{order}' is {state}; only an order that is acknowledged, pending, held or in progress can be cancelled"
    )]
    NotCancellable {
        /// The order's id.
        order: String,
        /// Its state.
        state: String,
    },
    /// A cancel request for an order some of whose work is done.
    #[error("ProductOrder '{order}' cannot be cancelled: its item '{item}' is completed")]
    ItemCompleted {
        /// The order's id.
        order: String,
        /// The completed item.
        item: String,
    },
    /// A new cancel request that states its own state.
    #[error("'state': set by the server; a cancel request starts acknowledged")]
    CancelStateGiven,
    /// A stored document that no longer reads as its type: a fault of ours (500).
    #[error("stored {what} unreadable: {reason}")]
    Unreadable {
        /// What was read.
        what: String,
        /// Why it could not be.
        reason: String,
    },
    /// A state the lifecycle does not know, stored or given: a fault of ours (500).
    #[error("unknown {what} state {state:?}")]
    UnknownState {
        /// Whose state (`order`, `item`).
        what: &'static str,
        /// The state.
        state: String,
    },
    /// A requested move of the order or its items that the lifecycles refuse (a conflict
    /// naming the allowed states).
    #[error(transparent)]
    Move(#[from] OrderMoveError),
    /// Refused by the store or the lifecycle, already stated as a TMF error (a lost race is
    /// a 409, an outage a 503, an illegal transition a 409): kept as it is.
    #[error(transparent)]
    Store(#[from] TmfError),
}

/// What is wrong with one item of an order.
#[derive(Debug, thiserror::Error)]
pub enum ItemProblem {
    /// Two items share an id.
    #[error("the id is used by another item of the order")]
    DuplicateId,
    /// A new item that states its own state.
    #[error("'state' is set by the server; an item starts acknowledged")]
    StateGiven,
    /// A quantity below one.
    #[error("'quantity' must be at least 1")]
    NoQuantity,
    /// An `add` without an offering.
    #[error("an 'add' names the productOffering to add")]
    AddWithoutOffering,
    /// An `add` that names an existing product.
    #[error("an 'add' makes a new product; 'product.id' must not be given")]
    AddOfExistingProduct,
    /// A `modify`, `delete` or `noChange` that names no product.
    #[error("a '{action}' names the existing product in 'product.id'")]
    NoProduct {
        /// The item's action.
        action: &'static str,
    },
    /// A product two items act on.
    #[error("product '{product}' is already the subject of another item")]
    ProductTwice {
        /// The product's id.
        product: String,
    },
    /// A relationship that names no item.
    #[error("a productOrderItemRelationship needs the 'id' of the related item")]
    RelationshipWithoutId,
    /// A relationship to an item the order does not have.
    #[error("it relates to item '{target}', which is not in the order")]
    RelatesToMissing {
        /// The related item's id.
        target: String,
    },
    /// A relationship of an item to itself.
    #[error("an item cannot relate to itself")]
    RelatesToItself,
    /// An item that adds or changes a product relying on an item that deletes its own.
    #[error("it relates to item '{target}', which deletes its product")]
    RelatesToDeleted {
        /// The related item's id.
        target: String,
    },
    /// An offering that does not exist.
    #[error("productOffering '{offering}' does not exist")]
    UnknownOffering {
        /// The offering's id.
        offering: String,
    },
    /// A product that does not exist.
    #[error("product '{product}' does not exist")]
    UnknownProduct {
        /// The product's id.
        product: String,
    },
    /// An order acting on existing products without naming its customer.
    #[error(
        "an order that acts on existing products names its customer (a relatedParty with role 'customer')"
    )]
    NoCustomer,
    /// A product of someone else.
    #[error("product '{product}' does not belong to the order's customer")]
    NotTheCustomers {
        /// The product's id.
        product: String,
    },
    /// A product that has ended (terminated, cancelled, aborted).
    #[error("product '{product}' is {status}")]
    ProductEnded {
        /// The product's id.
        product: String,
        /// Its status.
        status: &'static str,
    },
    /// A catalog price without an amount.
    #[error("product offering price '{price}' has no price amount")]
    PriceWithoutAmount {
        /// The price's name.
        price: String,
    },
    /// A catalog price of a type an order cannot charge.
    #[error(
        "product offering price '{price}' has priceType {price_type:?}, which an order cannot charge (recurring, oneTime, usage)"
    )]
    Unchargeable {
        /// The price's name.
        price: String,
        /// Its type.
        price_type: Option<String>,
    },
    /// An offering the catalog does not sell now (its status, `isSellable`, its validity).
    #[error(transparent)]
    NotSold(#[from] ProductCatalogError),
    /// Refused by another layer about this item (the store: a product changed concurrently),
    /// with its status kept.
    #[error("{}", .0.message)]
    Refused(#[from] TmfError),
}

impl OrderError {
    /// `problem`, about the item `item`.
    pub(crate) fn item(item: &str, problem: impl Into<ItemProblem>) -> Self {
        Self::Item {
            item: item.to_owned(),
            problem: problem.into(),
        }
    }
}

impl From<OrderError> for TmfError {
    fn from(error: OrderError) -> Self {
        let message = error.to_string();
        match error {
            OrderError::NoItems
            | OrderError::OrderStateGiven
            | OrderError::ItemsChanged
            | OrderError::CancelStateGiven => TmfError::invalid_value(message),
            OrderError::Item { problem, .. } => match problem {
                ItemProblem::UnknownOffering { .. } | ItemProblem::UnknownProduct { .. } => {
                    TmfError::reference_not_found(message)
                }
                ItemProblem::NotSold(refused) => {
                    TmfError::new(TmfError::from(refused).code, message)
                }
                ItemProblem::Refused(refused) => TmfError::new(refused.code, message),
                ItemProblem::DuplicateId
                | ItemProblem::StateGiven
                | ItemProblem::NoQuantity
                | ItemProblem::AddWithoutOffering
                | ItemProblem::AddOfExistingProduct
                | ItemProblem::NoProduct { .. }
                | ItemProblem::ProductTwice { .. }
                | ItemProblem::RelationshipWithoutId
                | ItemProblem::RelatesToMissing { .. }
                | ItemProblem::RelatesToItself
                | ItemProblem::RelatesToDeleted { .. }
                | ItemProblem::NoCustomer
                | ItemProblem::NotTheCustomers { .. }
                | ItemProblem::ProductEnded { .. }
                | ItemProblem::PriceWithoutAmount { .. }
                | ItemProblem::Unchargeable { .. } => TmfError::invalid_value(message),
            },
            OrderError::UnknownOrder { .. } => TmfError::reference_not_found(message),
            OrderError::NotCancellable { .. } | OrderError::ItemCompleted { .. } => {
                TmfError::conflict(message)
            }
            OrderError::Unreadable { .. } | OrderError::UnknownState { .. } => {
                TmfError::internal(message)
            }
            OrderError::Move(OrderMoveError::Order(refused)) => lifecycle_error(refused),
            OrderError::Move(OrderMoveError::Item(refused)) => lifecycle_error(refused),
            OrderError::Move(OrderMoveError::ItemsAddUp { .. }) => TmfError::conflict(message),
            OrderError::Store(error) => error,
        }
    }
}

/// The refusal of a `PATCH` or `DELETE` of a cancel request, which is a task.
pub(crate) fn task_only() -> TmfError {
    TmfError::new(
        ErrorCode::MethodNotAllowed,
        "a cancelProductOrder is a task: it is created and read, never changed or deleted",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tmf_apis::ErrorCode;

    #[test]
    fn store_errors_keep_their_status_through_every_layer() {
        let conflict = TmfError::conflict("Product 'p' was changed concurrently; retry");
        let unavailable = TmfError::new(ErrorCode::Unavailable, "the store is busy");
        let direct: TmfError = OrderError::from(conflict.clone()).into();
        assert_eq!(direct.code, ErrorCode::Conflict);
        assert_eq!(direct.message, conflict.message);
        let about_item: TmfError = OrderError::item("1", unavailable).into();
        assert_eq!(about_item.code, ErrorCode::Unavailable);
        assert_eq!(
            about_item.message,
            "productOrderItem '1': the store is busy"
        );
    }

    #[test]
    fn each_rule_has_its_status() {
        let refused: TmfError = OrderError::NoItems.into();
        assert_eq!(refused.code, ErrorCode::InvalidValue);
        let missing: TmfError = OrderError::item(
            "2",
            ItemProblem::UnknownProduct {
                product: "p".into(),
            },
        )
        .into();
        assert_eq!(missing.code, ErrorCode::ReferenceNotFound);
        assert_eq!(
            missing.message,
            "productOrderItem '2': product 'p' does not exist"
        );
        let late: TmfError = OrderError::ItemCompleted {
            order: "o".into(),
            item: "1".into(),
        }
        .into();
        assert_eq!(late.code, ErrorCode::Conflict);
    }
}
