//! TMF622 Product Ordering v4: `productOrder` and `cancelProductOrder`, and the fulfilment
//! of a completed order into the TMF637 inventory.
//!
//! An order is checked whole before anything is stored: every item has an action; an `add`
//! names an offering that is sellable now; a `modify`, `delete` or `noChange` names a live
//! product of the order's customer; item relationships point at other items of the order and
//! never make an item rely on one that deletes its product. Prices come from the catalog,
//! never from the client. The order and item lifecycles of [`sid_model::order::lifecycle`] are enforced
//! on every `PATCH`; dates are the server's. When an order completes (or completes
//! partially), the products of its completed items are created, changed or terminated in the
//! same transaction as the order's own change, so either all of it is stored or none.
//!
//! A `cancelProductOrder` cancels an order whose work has not started at once; an order in
//! progress goes to `assessingCancellation`, and is then moved by `PATCH` to
//! `pendingCancellation` (accepted) or back to `inProgress` (declined), and from
//! `pendingCancellation` to `cancelled`. The cancel request's own state follows.
//!
//! [`Ordering`] is the rules ([`crm_store::DomainRules`]) of both resources, served by
//! [`crm_store::RuledService`]s: `validate` (what an order must be), `prices` (item and order
//! prices from the catalog), `rules` (creating and moving orders), `fulfil` (the inventory
//! changes of completed items), `cancel` (cancel requests and the orders they move), `kind`
//! (the stored kinds), `error` (why a write is refused, and its TMF error).

mod cancel;
mod error;
mod fulfil;
mod kind;
mod prices;
mod rules;
mod validate;

use std::sync::Arc;

pub use chrono::Duration;
use crm_store::{
    Clock, DatabaseTransaction, DocumentService, ResourceKind, RuledService, Store, StoredType,
    TypeRegistry,
};
use serde_json::Value as Json;
use sid_model::Lifecycle;
use sid_model::{ProductOffering, ProductOfferingPrice, ProductOrder, ProductOrderItem};
use tmf_apis::ResourceService;
use tmf_apis::body::from_value;
use tmf_apis::catalog::CatalogError;

use crate::catalog::CatalogKind;
use crate::inventory::ProductKind;
use sid_model::{ProductOrderItemStateType as ItemState, ProductOrderStateType as OrderState};

use cancel::CancelApi;
pub use error::{ItemProblem, OrderError};
pub use kind::{CancelKind, OrderKind};

/// The table orders and cancel requests are stored in.
pub const ORDER_TABLE: &str = "product_order";

/// The base path of TMF622.
pub const ORDERING_BASE: &str = "/tmf-api/productOrderingManagement/v4/";

/// Where product orders are stored.
pub const PRODUCT_ORDER: StoredType = StoredType {
    table: ORDER_TABLE,
    kind: "ProductOrder",
};

/// Where cancel requests are stored.
pub const CANCEL_PRODUCT_ORDER: StoredType = StoredType {
    table: ORDER_TABLE,
    kind: "CancelProductOrder",
};

/// Types a `billingAccount` may point at.
pub(crate) const BILLING_ACCOUNT: &[&str] = &["BillingAccount"];

/// How ordering behaves where the spec leaves it to the operator.
#[derive(Debug, Clone, Copy)]
pub struct OrderSettings {
    /// The `expectedCompletionDate` of an order that requests no date (or one already past):
    /// its `orderDate` plus this lead time.
    pub lead_time: Duration,
}

impl Default for OrderSettings {
    fn default() -> Self {
        Self {
            lead_time: Duration::days(3),
        }
    }
}

/// Whether a stored order is still open (not finished): the 360 view lists open orders.
pub fn is_open_order(order: &Json) -> bool {
    order["state"]
        .as_str()
        .and_then(OrderState::parse)
        .is_some_and(|state| !state.is_final())
}

/// Every item of an order, nested items included, with its path.
fn flatten(items: &[ProductOrderItem]) -> Vec<(String, &ProductOrderItem)> {
    fn walk<'a>(
        prefix: &str,
        items: &'a [ProductOrderItem],
        out: &mut Vec<(String, &'a ProductOrderItem)>,
    ) {
        for (i, item) in items.iter().enumerate() {
            let path = format!("{prefix}productOrderItem[{i}]");
            if let Some(children) = &item.product_order_item {
                walk(&format!("{path}."), children, out);
            }
            out.push((path, item));
        }
    }
    let mut out = Vec::new();
    walk("", items, &mut out);
    out
}

/// Applies `visit` to every item, nested items included, in the order of [`flatten`].
fn visit_items(items: &mut [ProductOrderItem], visit: &mut impl FnMut(&mut ProductOrderItem)) {
    for item in items {
        if let Some(children) = &mut item.product_order_item {
            visit_items(children, visit);
        }
        visit(item);
    }
}

fn item_state(item: &ProductOrderItem) -> ItemState {
    item.state.unwrap_or(ItemState::INITIAL)
}

fn order_state(order: &ProductOrder) -> OrderState {
    order.state.unwrap_or(OrderState::INITIAL)
}

/// The ids of the order's customers: its parties with the role `customer`.
fn customers(order: &ProductOrder) -> Vec<&str> {
    order
        .related_party
        .iter()
        .flatten()
        .filter(|party| {
            party
                .role
                .as_deref()
                .is_some_and(|role| role.eq_ignore_ascii_case("customer"))
        })
        .map(|party| party.id.as_str())
        .collect()
}

/// The services of TMF622 and TMF637 over one store, with the order logic between them: the
/// rules of orders and of cancel requests.
pub struct Ordering {
    settings: OrderSettings,
    clock: Arc<dyn Clock>,
    orders: Arc<DocumentService<OrderKind>>,
    cancels: Arc<DocumentService<CancelKind>>,
    products: Arc<DocumentService<ProductKind>>,
    offerings: DocumentService<CatalogKind<ProductOffering>>,
    prices: DocumentService<CatalogKind<ProductOfferingPrice>>,
    /// The rules other domains add to every order (the SLA domain's completion targets).
    type_rules: Vec<Arc<dyn crm_module::SubtypeRules>>,
}

impl std::fmt::Debug for Ordering {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ordering")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Ordering {
    /// The ordering services over `store`, reading "now" from `clock`.
    pub fn new(
        store: &Store,
        registry: &Arc<TypeRegistry>,
        settings: OrderSettings,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, CatalogError> {
        Ok(Self {
            settings,
            clock: clock.clone(),
            orders: Arc::new(DocumentService::new(
                OrderKind::new()?,
                store.clone(),
                registry.clone(),
            )),
            cancels: Arc::new(DocumentService::new(
                CancelKind::new()?,
                store.clone(),
                registry.clone(),
            )),
            products: Arc::new(DocumentService::new(
                ProductKind::new(clock.clone())?,
                store.clone(),
                registry.clone(),
            )),
            offerings: DocumentService::new(
                CatalogKind::new("productOffering", "ProductOffering", clock.clone())?,
                store.clone(),
                registry.clone(),
            ),
            prices: DocumentService::new(
                CatalogKind::new("productOfferingPrice", "ProductOfferingPrice", clock)?,
                store.clone(),
                registry.clone(),
            ),
            type_rules: Vec::new(),
        })
    }

    /// The same services, every order also obeying `rules` (offered by other domains through
    /// the module contract), after this domain's own.
    pub fn with_type_rules(mut self, rules: Vec<Arc<dyn crm_module::SubtypeRules>>) -> Self {
        self.type_rules = rules;
        self
    }

    /// Applies the other domains' rules to `order` (`previous`: the stored order, `None` on
    /// create), inside the write's transaction.
    pub(crate) async fn apply_type_rules(
        &self,
        txn: &crm_store::DatabaseTransaction,
        ctx: &tmf_apis::RequestContext,
        previous: Option<&ProductOrder>,
        order: ProductOrder,
    ) -> Result<ProductOrder, OrderError> {
        Ok(crm_module::apply_rules(&self.type_rules, txn, ctx, previous, order).await?)
    }

    /// The `productOrder`, `cancelProductOrder` and `product` services.
    pub fn services(self: &Arc<Self>) -> Vec<Arc<dyn ResourceService>> {
        vec![
            Arc::new(RuledService::new(self.orders.clone(), self.clone())),
            Arc::new(CancelApi(RuledService::new(
                self.cancels.clone(),
                self.clone(),
            ))),
            self.products.clone(),
        ]
    }

    /// What privacy erasure walks: orders, their cancel requests and products hold parties'
    /// names, notes and reasons.
    pub fn erasers(&self) -> Vec<Arc<dyn crm_store::Erasable>> {
        vec![
            self.orders.clone(),
            self.cancels.clone(),
            self.products.clone(),
        ]
    }

    /// The stored resource `id` of `service`'s kind, read within `txn`, typed.
    async fn read<K: ResourceKind>(
        service: &DocumentService<K>,
        txn: &DatabaseTransaction,
        id: &str,
    ) -> Result<Option<K::Model>, OrderError> {
        service
            .read_in(txn, id)
            .await?
            .map(|document| decode(id, document))
            .transpose()
    }
}

/// A stored document as its typed model.
fn decode<T: serde::de::DeserializeOwned>(id: &str, document: Json) -> Result<T, OrderError> {
    from_value(document).map_err(|e| OrderError::Unreadable {
        what: id.to_owned(),
        reason: e.message,
    })
}
