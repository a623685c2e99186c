//! What an order must be: its shape (ids, actions, relationships), items that stay as ordered,
//! offerings that can be sold now, and products that are live and the customer's.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use crm_store::DatabaseTransaction;
use sid_model::Lifecycle;
use sid_model::{OrderItemActionType, Product, ProductOffering, ProductOrder, ProductOrderItem};

use super::{ItemProblem, OrderError, Ordering, customers, flatten, visit_items};
use crate::catalog::check_sellable;

/// The checks of an order that need nothing but the order: ids, actions, relationships.
pub(super) fn check_shape(order: &ProductOrder) -> Result<(), OrderError> {
    if order.product_order_item.is_empty() {
        return Err(OrderError::NoItems);
    }
    let items = flatten(&order.product_order_item);
    let mut by_id: HashMap<&str, &ProductOrderItem> = HashMap::new();
    for (_, item) in &items {
        if by_id.insert(item.id.as_str(), item).is_some() {
            return Err(OrderError::item(&item.id, ItemProblem::DuplicateId));
        }
    }
    let mut products = HashSet::new();
    for (_, item) in &items {
        check_item(item, &by_id, &mut products)
            .map_err(|problem| OrderError::item(&item.id, problem))?;
    }
    if order.state.is_some_and(|s| s.as_str() != "acknowledged") {
        return Err(OrderError::OrderStateGiven);
    }
    Ok(())
}

/// The checks of one item: its state, quantity, action and relationships. `products`
/// collects the products items act on, each at most once.
fn check_item<'a>(
    item: &'a ProductOrderItem,
    by_id: &HashMap<&str, &ProductOrderItem>,
    products: &mut HashSet<&'a str>,
) -> Result<(), ItemProblem> {
    if item.state.is_some_and(|s| s.as_str() != "acknowledged") {
        return Err(ItemProblem::StateGiven);
    }
    if item.quantity.is_some_and(|q| q < 1) {
        return Err(ItemProblem::NoQuantity);
    }
    let product_id = item.product.as_ref().and_then(|p| p.id.as_deref());
    match item.action {
        OrderItemActionType::Add => {
            if item.product_offering.is_none() {
                return Err(ItemProblem::AddWithoutOffering);
            }
            if product_id.is_some() {
                return Err(ItemProblem::AddOfExistingProduct);
            }
        }
        action => {
            let Some(product_id) = product_id else {
                return Err(ItemProblem::NoProduct {
                    action: action.as_str(),
                });
            };
            if !products.insert(product_id) {
                return Err(ItemProblem::ProductTwice {
                    product: product_id.to_owned(),
                });
            }
        }
    }
    for relationship in item.product_order_item_relationship.iter().flatten() {
        let Some(target_id) = relationship.id.as_deref() else {
            return Err(ItemProblem::RelationshipWithoutId);
        };
        let Some(target) = by_id.get(target_id) else {
            return Err(ItemProblem::RelatesToMissing {
                target: target_id.to_owned(),
            });
        };
        if target_id == item.id {
            return Err(ItemProblem::RelatesToItself);
        }
        if target.action == OrderItemActionType::Delete
            && matches!(
                item.action,
                OrderItemActionType::Add | OrderItemActionType::Modify
            )
        {
            return Err(ItemProblem::RelatesToDeleted {
                target: target_id.to_owned(),
            });
        }
    }
    Ok(())
}

/// Items without their states, to compare what a client may not change.
fn without_states(items: &[ProductOrderItem]) -> Vec<ProductOrderItem> {
    let mut items = items.to_vec();
    visit_items(&mut items, &mut |item| item.state = None);
    items
}

/// Once ordered, items are neither added, removed nor changed, except their states.
pub(super) fn check_items_kept(
    previous: &ProductOrder,
    order: &ProductOrder,
) -> Result<(), OrderError> {
    if without_states(&previous.product_order_item) != without_states(&order.product_order_item) {
        return Err(OrderError::ItemsChanged);
    }
    Ok(())
}

impl Ordering {
    /// Reads an item's offering and checks it can be sold now.
    pub(super) async fn sellable_offering(
        &self,
        txn: &DatabaseTransaction,
        item: &ProductOrderItem,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<ProductOffering, OrderError> {
        let offering = Self::read(&self.offerings, txn, id).await?.ok_or_else(|| {
            OrderError::item(
                &item.id,
                ItemProblem::UnknownOffering {
                    offering: id.to_owned(),
                },
            )
        })?;
        check_sellable(&offering, now).map_err(|e| OrderError::item(&item.id, e))?;
        Ok(offering)
    }

    /// Reads the product an item acts on and checks it is live and the customer's.
    pub(super) async fn owned_product(
        &self,
        txn: &DatabaseTransaction,
        order: &ProductOrder,
        item: &ProductOrderItem,
        id: &str,
    ) -> Result<Product, OrderError> {
        let refuse = |problem| OrderError::item(&item.id, problem);
        let product = Self::read(&self.products, txn, id).await?.ok_or_else(|| {
            refuse(ItemProblem::UnknownProduct {
                product: id.to_owned(),
            })
        })?;
        let customers = customers(order);
        if customers.is_empty() {
            return Err(refuse(ItemProblem::NoCustomer));
        }
        let owned = product
            .related_party
            .iter()
            .flatten()
            .any(|party| customers.contains(&party.id.as_str()));
        if !owned {
            return Err(refuse(ItemProblem::NotTheCustomers {
                product: id.to_owned(),
            }));
        }
        if product.status.is_final() {
            return Err(refuse(ItemProblem::ProductEnded {
                product: id.to_owned(),
                status: product.status.as_str(),
            }));
        }
        Ok(product)
    }
}
