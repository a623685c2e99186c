//! Cancel requests (`cancelProductOrder`, a task resource): a request cancels an order whose
//! work has not started at once, or sends an order in progress to `assessingCancellation`;
//! the request's state then follows the order's moves.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use crm_store::{DatabaseTransaction, DomainRules, RuledService};
use serde_json::Value as Json;
use sid_model::Lifecycle;
use sid_model::{CancelProductOrder, ProductOrder};
use tmf_apis::{
    ListQuery, Page, PatchDocument, RequestContext, ResourceDescriptor, ResourceService, TmfError,
    TmfResult,
};

use super::error::task_only;
use super::{
    CancelKind, ORDER_TABLE, OrderError, Ordering, decode, flatten, item_state, order_state,
    visit_items,
};
use sid_model::{
    ProductOrderItemStateType as ItemState, ProductOrderStateType as OrderState, TaskStateType,
};

#[async_trait]
impl DomainRules<CancelKind> for Ordering {
    type Error = OrderError;

    fn server_owned(&self) -> &'static [&'static str] {
        &["effectiveCancellationDate"]
    }

    /// Cancels the order the request names, at once when its work has not started, or sends
    /// it to `assessingCancellation`; the request's state says which.
    async fn create(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        _id: &str,
        mut request: CancelProductOrder,
    ) -> Result<CancelProductOrder, OrderError> {
        if request.state.is_some_and(|s| s.as_str() != "acknowledged") {
            return Err(OrderError::CancelStateGiven);
        }
        let order_id = request.product_order.id.clone();
        let document =
            self.orders
                .load_in(txn, &order_id)
                .await?
                .ok_or_else(|| OrderError::UnknownOrder {
                    order: order_id.clone(),
                })?;
        let mut order: ProductOrder = decode(&order_id, document)?;
        let from = order_state(&order);
        if !from.is_cancellable() {
            return Err(OrderError::NotCancellable {
                order: order_id,
                state: from.as_str().to_owned(),
            });
        }
        for (_, item) in flatten(&order.product_order_item) {
            if item_state(item) == ItemState::Completed {
                return Err(OrderError::ItemCompleted {
                    order: order_id,
                    item: item.id.clone(),
                });
            }
        }
        let now = self.clock.now();
        // Nothing started: the cancellation is accepted and carried out at once.
        let at_once = from != OrderState::InProgress;
        let to = if at_once {
            OrderState::Cancelled
        } else {
            OrderState::AssessingCancellation
        };
        let follow = to.item_state().unwrap_or(ItemState::Cancelled);
        visit_items(&mut order.product_order_item, &mut |item| {
            if !item_state(item).is_final() {
                item.state = Some(follow);
            }
        });
        order.state = Some(to);
        order.cancellation_reason = request.cancellation_reason.clone();
        if at_once {
            order.cancellation_date = Some(now);
            request.state = Some(TaskStateType::Done);
            request.effective_cancellation_date = Some(now);
        } else {
            request.state = Some(TaskStateType::Acknowledged);
        }
        let document = serde_json::to_value(&order).map_err(TmfError::internal)?;
        self.orders
            .replace_in(txn, ctx, &order_id, document)
            .await?;
        Ok(request)
    }

    async fn patch(
        &self,
        _txn: &DatabaseTransaction,
        _ctx: &RequestContext,
        _id: &str,
        _previous: &CancelProductOrder,
        _requested: CancelProductOrder,
    ) -> Result<CancelProductOrder, OrderError> {
        Err(task_only().into())
    }
}

impl Ordering {
    /// Moves the open cancel request of order `id` along with the order's move to `to`.
    pub(super) async fn follow_cancellation(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        to: OrderState,
        now: DateTime<Utc>,
    ) -> Result<(), OrderError> {
        let state = match to {
            OrderState::PendingCancellation => TaskStateType::InProgress,
            OrderState::Cancelled => TaskStateType::Done,
            // Declined: the order goes back to work.
            _ => TaskStateType::TerminatedWithError,
        };
        let referring = crm_store::relations::referencing(txn, &[id.to_owned()]).await?;
        for (table, request_id) in referring {
            if table != ORDER_TABLE {
                continue;
            }
            let Some(request) = Self::read(&self.cancels, txn, &request_id).await? else {
                continue;
            };
            if !request
                .state
                .is_some_and(|s| matches!(s.as_str(), "acknowledged" | "inProgress"))
            {
                continue;
            }
            let mut request = request;
            request.state = Some(state);
            if state == TaskStateType::Done {
                request.effective_cancellation_date = Some(now);
            }
            let document = serde_json::to_value(&request).map_err(TmfError::internal)?;
            self.cancels
                .replace_in(txn, ctx, &request_id, document)
                .await?;
        }
        Ok(())
    }
}

/// `cancelProductOrder`: a task resource, created and read only; created through the rules.
pub(super) struct CancelApi(pub(super) RuledService<CancelKind, Ordering>);

#[async_trait]
impl ResourceService for CancelApi {
    fn descriptor(&self) -> &ResourceDescriptor {
        self.0.descriptor()
    }

    async fn list(&self, ctx: &RequestContext, query: &ListQuery) -> TmfResult<Page> {
        self.0.list(ctx, query).await
    }

    async fn create(&self, ctx: &RequestContext, body: Json) -> TmfResult<Json> {
        self.0.create(ctx, body).await
    }

    async fn retrieve(&self, ctx: &RequestContext, id: &str) -> TmfResult<Json> {
        self.0.retrieve(ctx, id).await
    }

    async fn patch(
        &self,
        _ctx: &RequestContext,
        _id: &str,
        _patch: PatchDocument,
    ) -> TmfResult<Json> {
        Err(task_only())
    }

    async fn delete(&self, _ctx: &RequestContext, _id: &str) -> TmfResult<()> {
        Err(task_only())
    }

    async fn history(
        &self,
        ctx: &RequestContext,
        id: &str,
        offset: u64,
        limit: u64,
    ) -> TmfResult<Page> {
        self.0.history(ctx, id, offset, limit).await
    }
}
