//! The rules of `productOrder`: a new order is checked, dated and priced; a patch moves the
//! order and its items through their lifecycles, completes the order's dates, fulfils a
//! completed order and keeps its cancel request in step.

use async_trait::async_trait;
use crm_store::{DatabaseTransaction, DomainRules, Notes};
use sid_model::Lifecycle;
use sid_model::ProductOrder;
use tmf_apis::RequestContext;

use super::validate::{check_items_kept, check_shape};
use super::{OrderError, OrderKind, Ordering, flatten, item_state, order_state, visit_items};
use sid_model::order::lifecycle::apply_request;
use sid_model::{ProductOrderItemStateType as ItemState, ProductOrderStateType as OrderState};

/// The attributes of an order only the server writes.
const SERVER_SET: [&str; 6] = [
    "orderDate",
    "completionDate",
    "expectedCompletionDate",
    "cancellationDate",
    "cancellationReason",
    "orderTotalPrice",
];

#[async_trait]
impl DomainRules<OrderKind> for Ordering {
    type Error = OrderError;

    fn server_owned(&self) -> &'static [&'static str] {
        &SERVER_SET
    }

    /// None: a new order's dates and prices are the server's, whatever the client sent.
    fn refused_on_create(&self) -> &'static [&'static str] {
        &[]
    }

    fn notes(&self) -> Option<Notes<'_>> {
        Some(Notes {
            attribute: "note",
            clock: &*self.clock,
        })
    }

    async fn create(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        mut order: ProductOrder,
    ) -> Result<ProductOrder, OrderError> {
        check_shape(&order)?;
        // Other domains' rules know the order by its id (the SLA targets keep its due time).
        order.id = Some(id.to_owned());
        let now = self.clock.now();
        order.state = Some(OrderState::INITIAL);
        visit_items(&mut order.product_order_item, &mut |item| {
            item.state = Some(ItemState::INITIAL);
        });
        order.order_date = Some(now);
        order.completion_date = None;
        order.cancellation_date = None;
        order.cancellation_reason = None;
        order.expected_completion_date = Some(
            order
                .requested_completion_date
                .filter(|requested| *requested > now)
                .unwrap_or(now + self.settings.lead_time),
        );
        self.price_items(txn, &mut order, now).await?;
        self.apply_type_rules(txn, ctx, None, order).await
    }

    async fn patch(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        previous: &ProductOrder,
        mut order: ProductOrder,
    ) -> Result<ProductOrder, OrderError> {
        check_items_kept(previous, &order)?;
        let now = self.clock.now();
        let from = order_state(previous);
        let asked = order_state(&order);
        let before: Vec<ItemState> = flatten(&previous.product_order_item)
            .iter()
            .map(|(_, item)| item_state(item))
            .collect();
        let mut requests = Vec::new();
        let mut names = Vec::new();
        for ((_, item), was) in flatten(&order.product_order_item).iter().zip(&before) {
            let state = item_state(item);
            requests.push(Some(state).filter(|s| s != was));
            names.push(item.id.clone());
        }
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let (to, items) = apply_request(
            from,
            &before,
            Some(asked).filter(|s| *s != from),
            &requests,
            &names,
        )?;
        let mut states = items.into_iter();
        visit_items(&mut order.product_order_item, &mut |item| {
            if let Some(state) = states.next() {
                item.state = Some(state);
            }
        });
        order.state = Some(to);
        if to != from {
            if to.is_final() && to != OrderState::Cancelled {
                order.completion_date = Some(now);
            }
            if to == OrderState::Cancelled {
                order.cancellation_date = Some(now);
            }
            if matches!(to, OrderState::Completed | OrderState::Partial) {
                self.fulfil(txn, ctx, id, &mut order, now).await?;
            }
            if from.is_cancelling() {
                self.follow_cancellation(txn, ctx, id, to, now).await?;
            }
        }
        self.apply_type_rules(txn, ctx, Some(previous), order).await
    }
}
