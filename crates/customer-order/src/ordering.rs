//! TMF622 Product Ordering v4: `productOrder` and `cancelProductOrder`, and the fulfilment
//! of a completed order into the TMF637 inventory.
//!
//! An order is checked whole before anything is stored: every item has an action; an `add`
//! names an offering that is sellable now; a `modify`, `delete` or `noChange` names a live
//! product of the order's customer; item relationships point at other items of the order and
//! never make an item rely on one that deletes its product. Prices come from the catalog,
//! never from the client. The order and item lifecycles of [`crate::lifecycle`] are enforced
//! on every `PATCH`; dates are the server's. When an order completes (or completes
//! partially), the products of its completed items are created, changed or terminated in the
//! same transaction as the order's own change, so either all of it is stored or none.
//!
//! A `cancelProductOrder` cancels an order whose work has not started at once; an order in
//! progress goes to `assessingCancellation`, and is then moved by `PATCH` to
//! `pendingCancellation` (accepted) or back to `inProgress` (declined), and from
//! `pendingCancellation` to `cancelled`. The cancel request's own state follows.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_trait::async_trait;
pub use chrono::Duration;
use chrono::{DateTime, Utc};
use crm_store::{
    Clock, DatabaseTransaction, DocumentService, DomainService, DomainWrites, Erasure, Reference,
    ResourceKind, Store, StoredType, TypeRegistry,
};
use rust_decimal::Decimal;
use serde_json::{Value as Json, json};
use sid_model::{
    CancelProductOrder, Lifecycle, OrderItemActionType, Product, ProductOffering,
    ProductOfferingPrice, ProductOrder, ProductOrderItem, ProductOrderItemStateType as ItemState,
    ProductOrderStateType as OrderState, TaskStateType,
};
use tmf_apis::body::from_value;
use tmf_apis::catalog::CatalogError;
use tmf_apis::{
    Domain, ErrorCode, ListQuery, Methods, Page, PatchDocument, RequestContext, ResourceDescriptor,
    ResourceService, TmfError, TmfResult,
};

use crate::catalog::{CatalogKind, PARTIES, check_sellable, in_force, reference};
use crate::inventory::ProductKind;
use crate::lifecycle::apply_request;
use crate::pricing::{CatalogPrice, Charge, Priced, item_prices, order_total};

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

fn item_error(item: &ProductOrderItem, message: impl std::fmt::Display) -> TmfError {
    TmfError::invalid_value(format!("productOrderItem '{}': {message}", item.id))
}

/// `error`, about `item`: its status (a 409 lost race, a 503 outage, a 422) is kept.
fn about_item(item: &ProductOrderItem, mut error: TmfError) -> TmfError {
    error.message = format!("productOrderItem '{}': {}", item.id, error.message);
    error
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

/// The checks of an order that need nothing but the order: ids, actions, relationships.
fn check_shape(order: &ProductOrder) -> TmfResult<()> {
    if order.product_order_item.is_empty() {
        return Err(TmfError::invalid_value(
            "'productOrderItem': an order needs at least one item",
        ));
    }
    let items = flatten(&order.product_order_item);
    let mut by_id: HashMap<&str, &ProductOrderItem> = HashMap::new();
    for (_, item) in &items {
        if by_id.insert(item.id.as_str(), item).is_some() {
            return Err(item_error(
                item,
                "the id is used by another item of the order",
            ));
        }
    }
    let mut products = HashSet::new();
    for (_, item) in &items {
        if item.state.is_some_and(|s| s.as_str() != "acknowledged") {
            return Err(item_error(
                item,
                "'state' is set by the server; an item starts acknowledged",
            ));
        }
        if item.quantity.is_some_and(|q| q < 1) {
            return Err(item_error(item, "'quantity' must be at least 1"));
        }
        let product_id = item.product.as_ref().and_then(|p| p.id.as_deref());
        match item.action {
            OrderItemActionType::Add => {
                if item.product_offering.is_none() {
                    return Err(item_error(
                        item,
                        "an 'add' names the productOffering to add",
                    ));
                }
                if product_id.is_some() {
                    return Err(item_error(
                        item,
                        "an 'add' makes a new product; 'product.id' must not be given",
                    ));
                }
            }
            action => {
                let Some(product_id) = product_id else {
                    return Err(item_error(
                        item,
                        format!(
                            "a '{}' names the existing product in 'product.id'",
                            action.as_str()
                        ),
                    ));
                };
                if !products.insert(product_id) {
                    return Err(item_error(
                        item,
                        format!("product '{product_id}' is already the subject of another item"),
                    ));
                }
            }
        }
        for relationship in item.product_order_item_relationship.iter().flatten() {
            let Some(target_id) = relationship.id.as_deref() else {
                return Err(item_error(
                    item,
                    "a productOrderItemRelationship needs the 'id' of the related item",
                ));
            };
            let Some(target) = by_id.get(target_id) else {
                return Err(item_error(
                    item,
                    format!("it relates to item '{target_id}', which is not in the order"),
                ));
            };
            if target_id == item.id {
                return Err(item_error(item, "an item cannot relate to itself"));
            }
            if target.action == OrderItemActionType::Delete
                && matches!(
                    item.action,
                    OrderItemActionType::Add | OrderItemActionType::Modify
                )
            {
                return Err(item_error(
                    item,
                    format!("it relates to item '{target_id}', which deletes its product"),
                ));
            }
        }
    }
    if order.state.is_some_and(|s| s.as_str() != "acknowledged") {
        return Err(TmfError::invalid_value(
            "'state': set by the server; an order starts acknowledged",
        ));
    }
    Ok(())
}

/// The attributes of an order only the server writes.
const SERVER_SET: [&str; 6] = [
    "orderDate",
    "completionDate",
    "expectedCompletionDate",
    "cancellationDate",
    "cancellationReason",
    "orderTotalPrice",
];

/// An item without its state, to compare what a client may not change.
fn without_state(item: &Json) -> Json {
    let mut item = item.clone();
    if let Json::Object(map) = &mut item {
        map.remove("state");
        if let Some(Json::Array(children)) = map.get_mut("productOrderItem") {
            for child in children.iter_mut() {
                *child = without_state(child);
            }
        }
    }
    item
}

/// A price of the catalog, ready to be charged.
struct OfferedPrice {
    price: CatalogPrice,
    reference: Json,
}

fn charge(pop: &ProductOfferingPrice) -> TmfResult<Charge> {
    let kind = pop
        .price_type
        .as_deref()
        .unwrap_or("")
        .replace([' ', '_', '-'], "")
        .to_ascii_lowercase();
    Ok(match kind.as_str() {
        "recurring" => Charge::Recurring {
            period: pop
                .recurring_charge_period_type
                .clone()
                .unwrap_or_else(|| "month".into()),
        },
        "onetime" => Charge::OneTime,
        "usage" => Charge::Usage {
            unit: pop
                .unit_of_measure
                .as_ref()
                .and_then(|q| q.units.clone())
                .unwrap_or_else(|| "unit".into()),
        },
        _ => {
            return Err(TmfError::invalid_value(format!(
                "product offering price '{}' has priceType {:?}, which an order cannot charge (recurring, oneTime, usage)",
                pop.name, pop.price_type
            )));
        }
    })
}

fn order_price(priced: &Priced, name: Option<&str>, pop: Option<&Json>) -> Json {
    let money = |value: Decimal| json!({"unit": priced.currency.as_str(), "value": value});
    let mut price = json!({
        "dutyFreeAmount": money(priced.duty_free),
        "taxIncludedAmount": money(priced.tax_included()),
    });
    if let Some(rate) = priced.tax_rate {
        price["taxRate"] = json!(rate);
    }
    let mut out = json!({"priceType": priced.charge.price_type(), "price": price});
    match &priced.charge {
        Charge::Recurring { period } => out["recurringChargePeriod"] = json!(period),
        Charge::Usage { unit } => out["unitOfMeasure"] = json!(unit),
        Charge::OneTime => {}
    }
    if let Some(name) = name {
        out["name"] = json!(name);
    }
    if let Some(pop) = pop {
        out["productOfferingPrice"] = pop.clone();
    }
    out
}

/// The services of TMF622 and TMF637 over one store, with the order logic between them.
pub struct Ordering {
    store: Store,
    settings: OrderSettings,
    clock: Arc<dyn Clock>,
    orders: Arc<DocumentService<OrderKind>>,
    cancels: Arc<DocumentService<CancelKind>>,
    products: Arc<DocumentService<ProductKind>>,
    offerings: DocumentService<CatalogKind<ProductOffering>>,
    prices: DocumentService<CatalogKind<ProductOfferingPrice>>,
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
            store: store.clone(),
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
        })
    }

    /// The `productOrder`, `cancelProductOrder` and `product` services.
    pub fn services(self: &Arc<Self>) -> Vec<Arc<dyn ResourceService>> {
        vec![
            Arc::new(DomainService::new(
                self.orders.clone(),
                Arc::new(OrderWrites(self.clone())),
            )),
            Arc::new(CancelApi(self.clone())),
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

    async fn read<K: ResourceKind>(
        service: &DocumentService<K>,
        txn: &DatabaseTransaction,
        id: &str,
    ) -> TmfResult<Option<K::Model>> {
        service
            .read_in(txn, id)
            .await?
            .map(|document| {
                from_value(document).map_err(|e| {
                    TmfError::internal(format!("stored {id} unreadable: {}", e.message))
                })
            })
            .transpose()
    }

    /// The catalog prices of an offering in force at `now` (sellable status, within their
    /// validity), with references to them.
    async fn offered_prices(
        &self,
        txn: &DatabaseTransaction,
        offering: &ProductOffering,
        now: DateTime<Utc>,
    ) -> TmfResult<Vec<OfferedPrice>> {
        let mut out = Vec::new();
        for reference in offering.product_offering_price.iter().flatten() {
            let Some(pop) = Self::read(&self.prices, txn, &reference.id).await? else {
                continue;
            };
            if !in_force(pop.lifecycle_status.as_deref(), pop.valid_for.as_ref(), now) {
                continue;
            }
            let Some(amount) = pop.price.clone() else {
                return Err(TmfError::invalid_value(format!(
                    "product offering price '{}' has no price amount",
                    pop.name
                )));
            };
            let tax_rate = pop
                .tax
                .iter()
                .flatten()
                .filter_map(|tax| tax.tax_rate)
                .sum::<Decimal>();
            out.push(OfferedPrice {
                price: CatalogPrice {
                    name: pop.name.clone(),
                    charge: charge(&pop)?,
                    amount,
                    tax_rate,
                },
                reference: json!({"id": reference.id, "name": pop.name}),
            });
        }
        Ok(out)
    }

    /// Reads an item's offering and checks it can be sold now.
    async fn sellable_offering(
        &self,
        txn: &DatabaseTransaction,
        item: &ProductOrderItem,
        id: &str,
        now: DateTime<Utc>,
    ) -> TmfResult<ProductOffering> {
        let offering = Self::read(&self.offerings, txn, id).await?.ok_or_else(|| {
            TmfError::reference_not_found(format!(
                "productOrderItem '{}': productOffering '{id}' does not exist",
                item.id
            ))
        })?;
        check_sellable(&offering, now).map_err(|e| item_error(item, e.message))?;
        Ok(offering)
    }

    /// Reads the product an item acts on and checks it is live and the customer's.
    async fn owned_product(
        &self,
        txn: &DatabaseTransaction,
        order: &ProductOrder,
        item: &ProductOrderItem,
        id: &str,
    ) -> TmfResult<Product> {
        let product = Self::read(&self.products, txn, id).await?.ok_or_else(|| {
            TmfError::reference_not_found(format!(
                "productOrderItem '{}': product '{id}' does not exist",
                item.id
            ))
        })?;
        let customers = customers(order);
        if customers.is_empty() {
            return Err(item_error(
                item,
                "an order that acts on existing products names its customer (a relatedParty with role 'customer')",
            ));
        }
        let owned = product
            .related_party
            .iter()
            .flatten()
            .any(|party| customers.contains(&party.id.as_str()));
        if !owned {
            return Err(item_error(
                item,
                format!("product '{id}' does not belong to the order's customer"),
            ));
        }
        if product.status.is_final() {
            return Err(item_error(
                item,
                format!("product '{id}' is {}", product.status.as_str()),
            ));
        }
        Ok(product)
    }

    /// Checks every item against the catalog and the inventory and prices it.
    async fn price_items(
        &self,
        txn: &DatabaseTransaction,
        order: &mut ProductOrder,
        now: DateTime<Utc>,
    ) -> TmfResult<()> {
        let mut priced: HashMap<String, Vec<(Priced, OfferedPrice)>> = HashMap::new();
        for (_, item) in flatten(&order.product_order_item) {
            let product_id = item.product.as_ref().and_then(|p| p.id.clone());
            let offering = match (&item.action, &product_id) {
                (OrderItemActionType::Add, _) => {
                    let id = item
                        .product_offering
                        .as_ref()
                        .map(|o| o.id.clone())
                        .unwrap_or_default();
                    Some(self.sellable_offering(txn, item, &id, now).await?)
                }
                (action, Some(product_id)) => {
                    let product = self.owned_product(txn, order, item, product_id).await?;
                    match (action, &item.product_offering, &product.product_offering) {
                        (OrderItemActionType::Modify, Some(new), _) => {
                            Some(self.sellable_offering(txn, item, &new.id, now).await?)
                        }
                        (OrderItemActionType::Modify, None, Some(current)) => {
                            Self::read(&self.offerings, txn, &current.id).await?
                        }
                        _ => None,
                    }
                }
                (_, None) => None,
            };
            let Some(offering) = offering else { continue };
            let offered = self
                .offered_prices(txn, &offering, now)
                .await
                .map_err(|e| about_item(item, e))?;
            let quantity = Decimal::from(item.quantity.unwrap_or(1));
            let catalog: Vec<CatalogPrice> = offered.iter().map(|o| o.price.clone()).collect();
            let prices = item_prices(&catalog, quantity);
            priced.insert(item.id.clone(), prices.into_iter().zip(offered).collect());
        }
        let mut all = Vec::new();
        let mut failure = None;
        visit_items(&mut order.product_order_item, &mut |item| {
            let prices = priced.remove(&item.id).unwrap_or_default();
            let item_price: Vec<Json> = prices
                .iter()
                .map(|(p, o)| order_price(p, Some(&o.price.name), Some(&o.reference)))
                .collect();
            let totals: Vec<Json> = order_total(prices.iter().map(|(p, _)| p))
                .iter()
                .map(|p| order_price(p, None, None))
                .collect();
            all.extend(prices.into_iter().map(|(p, _)| p));
            match (
                from_value(Json::Array(item_price)),
                from_value(Json::Array(totals)),
            ) {
                (Ok(item_price), Ok(totals)) => {
                    item.item_price = Some(item_price).filter(|v: &Vec<_>| !v.is_empty());
                    item.item_total_price = Some(totals).filter(|v: &Vec<_>| !v.is_empty());
                }
                (Err(e), _) | (_, Err(e)) => failure = Some(e),
            }
        });
        if let Some(error) = failure {
            return Err(TmfError::internal(error.message));
        }
        let totals: Vec<Json> = order_total(all.iter())
            .iter()
            .map(|p| order_price(p, None, None))
            .collect();
        order.order_total_price =
            Some(from_value(Json::Array(totals)).map_err(|e| TmfError::internal(e.message))?)
                .filter(|v: &Vec<_>| !v.is_empty());
        Ok(())
    }

    async fn create_order(&self, ctx: &RequestContext, body: Json) -> TmfResult<Json> {
        crm_store::refuse_server_assigned(&body)?;
        let mut order: ProductOrder =
            sid_model::strict_attributes(ctx.strict_attributes, || from_value(body))?;
        check_shape(&order)?;
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
        stamp_notes(ctx, &[], &mut order, now)?;
        self.store
            .write(async |txn| {
                self.price_items(txn, &mut order, now).await?;
                let document = serde_json::to_value(&order).map_err(TmfError::internal)?;
                self.orders.create_in(txn, ctx, document).await
            })
            .await
    }

    async fn patch_order(
        &self,
        ctx: &RequestContext,
        id: &str,
        patch: PatchDocument,
    ) -> TmfResult<Json> {
        self.store
            .write(async |txn| self.patch_order_in(txn, ctx, id, patch).await)
            .await
    }

    async fn patch_order_in(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        patch: PatchDocument,
    ) -> TmfResult<Json> {
        let (current, requested) = self
            .orders
            .requested_in(txn, ctx, id, &patch, &SERVER_SET)
            .await?;
        let before_items = current["productOrderItem"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let after_items = requested["productOrderItem"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if before_items.len() != after_items.len()
            || before_items
                .iter()
                .zip(&after_items)
                .any(|(a, b)| without_state(a) != without_state(b))
        {
            return Err(TmfError::invalid_value(
                "'productOrderItem': items cannot be added, removed or changed once ordered, except their state",
            ));
        }
        let previous: ProductOrder = from_value(current).map_err(|e| {
            TmfError::internal(format!("stored order {id} unreadable: {}", e.message))
        })?;
        let mut order: ProductOrder =
            sid_model::strict_attributes(ctx.strict_attributes, || from_value(requested))?;
        let now = self.clock.now();
        stamp_notes(
            ctx,
            previous.note.as_deref().unwrap_or_default(),
            &mut order,
            now,
        )?;

        let from = order_state(&previous);
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
        let document = serde_json::to_value(&order).map_err(TmfError::internal)?;
        self.orders.replace_in(txn, ctx, id, document).await
    }

    /// Moves the open cancel request of order `id` along with the order's move to `to`.
    async fn follow_cancellation(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        to: OrderState,
        now: DateTime<Utc>,
    ) -> TmfResult<()> {
        let state = match to {
            OrderState::PendingCancellation => "inProgress",
            OrderState::Cancelled => "done",
            // Declined: the order goes back to work.
            _ => "terminatedWithError",
        };
        let referring = crm_store::relations::referencing(txn, &[id.to_owned()]).await?;
        for (table, request_id) in referring {
            if table != ORDER_TABLE {
                continue;
            }
            let Some(request) = self.cancels.read_in(txn, &request_id).await? else {
                continue;
            };
            if !matches!(
                request["state"].as_str(),
                Some("acknowledged" | "inProgress")
            ) {
                continue;
            }
            let mut change = json!({"state": state});
            if state == "done" {
                change["effectiveCancellationDate"] = json!(now);
            }
            self.cancels
                .update_in(txn, ctx, &request_id, PatchDocument::Merge(change))
                .await?;
        }
        Ok(())
    }

    /// Makes the inventory changes of an order's completed items, within `txn`: a product
    /// for each `add` (the item then refers to it), changes for each `modify`, termination
    /// for each `delete`.
    async fn fulfil(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        order_id: &str,
        order: &mut ProductOrder,
        now: DateTime<Utc>,
    ) -> TmfResult<()> {
        let parties: Vec<Json> = {
            let customers = customers(order);
            let parties = order.related_party.iter().flatten();
            let chosen: Vec<_> = if customers.is_empty() {
                parties.collect()
            } else {
                parties
                    .filter(|p| customers.contains(&p.id.as_str()))
                    .collect()
            };
            chosen
                .into_iter()
                .map(|p| serde_json::to_value(p).map_err(TmfError::internal))
                .collect::<TmfResult<_>>()?
        };
        let order_account = order.billing_account.clone();
        let order_date = order.order_date;
        let mut made: HashMap<String, String> = HashMap::new();
        for (_, item) in flatten(&order.product_order_item) {
            if item_state(item) != ItemState::Completed {
                continue;
            }
            let account = item
                .billing_account
                .clone()
                .or_else(|| order_account.clone())
                .map(|a| serde_json::to_value(a).map_err(TmfError::internal))
                .transpose()?;
            let link = json!({
                "orderItemId": item.id,
                "productOrderId": order_id,
                "orderItemAction": item.action.as_str(),
            });
            let prices: Vec<Json> = item
                .item_price
                .iter()
                .flatten()
                .map(|price| {
                    let mut price = serde_json::to_value(price).map_err(TmfError::internal)?;
                    if let (Some(account), Json::Object(map)) = (&account, &mut price) {
                        map.insert("billingAccount".into(), account.clone());
                    }
                    Ok(price)
                })
                .collect::<TmfResult<_>>()?;
            let value = item.product.as_ref();
            match item.action {
                OrderItemActionType::Add => {
                    let offering_id = item
                        .product_offering
                        .as_ref()
                        .map(|o| o.id.clone())
                        .unwrap_or_default();
                    let offering = Self::read(&self.offerings, txn, &offering_id).await?;
                    let mut product = json!({
                        "name": offering.as_ref().map(|o| o.name.clone()),
                        "status": "active",
                        "startDate": now,
                        "orderDate": order_date,
                        "productOffering": {"id": offering_id, "name": offering.as_ref().map(|o| o.name.clone())},
                        "productOrderItem": [link],
                    });
                    if let Some(specification) = offering
                        .as_ref()
                        .and_then(|o| o.product_specification.as_ref())
                    {
                        product["productSpecification"] =
                            json!({"id": specification.id, "name": specification.name});
                    }
                    if let Some(account) = &account {
                        product["billingAccount"] = account.clone();
                    }
                    if !parties.is_empty() {
                        product["relatedParty"] = json!(parties);
                    }
                    if !prices.is_empty() {
                        product["productPrice"] = json!(prices);
                    }
                    if let Some(value) = value {
                        if let Some(characteristics) = &value.product_characteristic {
                            product["productCharacteristic"] =
                                serde_json::to_value(characteristics)
                                    .map_err(TmfError::internal)?;
                        }
                        if let Some(place) = &value.place {
                            product["place"] =
                                serde_json::to_value(place).map_err(TmfError::internal)?;
                        }
                        if let Some(description) = &value.description {
                            product["description"] = json!(description);
                        }
                    }
                    strip_nulls(&mut product);
                    let created = self.products.create_in(txn, ctx, product).await?;
                    let product_id = created["id"].as_str().unwrap_or_default().to_owned();
                    made.insert(item.id.clone(), product_id);
                }
                OrderItemActionType::Modify | OrderItemActionType::Delete => {
                    let product_id = value.and_then(|v| v.id.clone()).unwrap_or_default();
                    let current =
                        self.products
                            .load_in(txn, &product_id)
                            .await?
                            .ok_or_else(|| {
                                item_error(item, format!("product '{product_id}' does not exist"))
                            })?;
                    let mut links = current["productOrderItem"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default();
                    links.push(link);
                    let mut change = json!({"productOrderItem": links});
                    if item.action == OrderItemActionType::Delete {
                        change["status"] = json!("terminated");
                        change["terminationDate"] = json!(now);
                    } else {
                        if let Some(offering) = &item.product_offering {
                            change["productOffering"] =
                                json!({"id": offering.id, "name": offering.name});
                        }
                        if let Some(account) = &account {
                            change["billingAccount"] = account.clone();
                        }
                        if !prices.is_empty() {
                            change["productPrice"] = json!(prices);
                        }
                        if let Some(characteristics) =
                            value.and_then(|v| v.product_characteristic.as_ref())
                        {
                            change["productCharacteristic"] = serde_json::to_value(characteristics)
                                .map_err(TmfError::internal)?;
                        }
                    }
                    strip_nulls(&mut change);
                    self.products
                        .update_in(txn, ctx, &product_id, PatchDocument::Merge(change))
                        .await
                        .map_err(|e| about_item(item, e))?;
                }
                OrderItemActionType::NoChange => {}
            }
        }
        let mut failure = None;
        visit_items(&mut order.product_order_item, &mut |item| {
            if let Some(product_id) = made.get(&item.id) {
                let mut value = item
                    .product
                    .as_ref()
                    .map(serde_json::to_value)
                    .transpose()
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| json!({}));
                value["id"] = json!(product_id);
                value["@referredType"] = json!("Product");
                match from_value(value) {
                    Ok(product) => item.product = Some(product),
                    Err(e) => failure = Some(e),
                }
            }
        });
        match failure {
            Some(error) => Err(TmfError::internal(error.message)),
            None => Ok(()),
        }
    }

    async fn cancel_order(&self, ctx: &RequestContext, body: Json) -> TmfResult<Json> {
        crm_store::refuse_server_assigned(&body)?;
        let mut request: CancelProductOrder = from_value(body)?;
        if request.state.is_some_and(|s| s.as_str() != "acknowledged") {
            return Err(TmfError::invalid_value(
                "'state': set by the server; a cancel request starts acknowledged",
            ));
        }
        if request.effective_cancellation_date.is_some() {
            return Err(TmfError::invalid_value(
                "'effectiveCancellationDate' is set by the server",
            ));
        }
        let order_id = request.product_order.id.clone();
        self.store
            .write(async |txn| {
                let document = self.orders.load_in(txn, &order_id).await?.ok_or_else(|| {
                    TmfError::reference_not_found(format!(
                        "'productOrder': ProductOrder '{order_id}' does not exist"
                    ))
                })?;
                let mut order: ProductOrder = from_value(document)
                    .map_err(|e| TmfError::internal(format!("stored order unreadable: {}", e.message)))?;
                let from = order_state(&order);
                if !from.is_cancellable() {
                    return Err(TmfError::conflict(format!(
                        "ProductOrder '{order_id}' is {from}; only an order that is acknowledged, pending, held or in progress can be cancelled"
                    )));
                }
                for (_, item) in flatten(&order.product_order_item) {
                    if item_state(item) == ItemState::Completed {
                        return Err(TmfError::conflict(format!(
                            "ProductOrder '{order_id}' cannot be cancelled: its item '{}' is completed",
                            item.id
                        )));
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
                let created = self
                    .cancels
                    .create_in(txn, ctx, serde_json::to_value(&request).map_err(TmfError::internal)?)
                    .await?;
                let document = serde_json::to_value(&order).map_err(TmfError::internal)?;
                self.orders.replace_in(txn, ctx, &order_id, document).await?;
                Ok(created)
            })
            .await
    }
}

/// Removes `null` members (from absent optional values) before a document is admitted.
fn strip_nulls(value: &mut Json) {
    if let Json::Object(map) = value {
        map.retain(|_, v| !v.is_null());
        for inner in map.values_mut() {
            strip_nulls(inner);
        }
    }
}

/// Notes are appended, never changed: the stored ones must be kept as they are, and new ones
/// are dated and signed by the acting identity.
fn stamp_notes(
    ctx: &RequestContext,
    stored: &[sid_model::OrderNote],
    order: &mut ProductOrder,
    now: DateTime<Utc>,
) -> TmfResult<()> {
    tmf_apis::notes::append_only(stored, &mut order.note, |note| {
        note.date = Some(now);
        note.author = Some(ctx.actor.subject.clone());
        if note.id.is_none() {
            note.id = Some(crm_store::new_id());
        }
    })
}

/// The TMF622 `productOrder` resource as stored.
pub struct OrderKind {
    descriptor: ResourceDescriptor,
}

impl OrderKind {
    fn new() -> Result<Self, CatalogError> {
        Ok(Self {
            descriptor: ResourceDescriptor::from_spec(
                crate::spec::ordering(),
                ORDERING_BASE,
                "productOrder",
                "ProductOrder",
                Domain::Order,
            )?,
        })
    }
}

impl ResourceKind for OrderKind {
    type Model = ProductOrder;

    fn descriptor(&self) -> &ResourceDescriptor {
        &self.descriptor
    }

    fn stored_type(&self) -> StoredType {
        PRODUCT_ORDER
    }

    fn references(&self, order: &ProductOrder) -> Vec<Reference> {
        let mut out = Vec::new();
        for (i, party) in order.related_party.iter().flatten().enumerate() {
            out.push(reference(
                format!("relatedParty[{i}]"),
                &party.id,
                party.referred_type.as_deref(),
                PARTIES,
            ));
        }
        if let Some(account) = &order.billing_account {
            out.push(reference(
                "billingAccount".into(),
                &account.id,
                None,
                BILLING_ACCOUNT,
            ));
        }
        for (path, item) in flatten(&order.product_order_item) {
            if let Some(offering) = &item.product_offering {
                out.push(reference(
                    format!("{path}.productOffering"),
                    &offering.id,
                    None,
                    &["ProductOffering"],
                ));
            }
            if let Some(id) = item.product.as_ref().and_then(|p| p.id.as_deref()) {
                out.push(reference(format!("{path}.product"), id, None, &["Product"]));
            }
            if let Some(account) = &item.billing_account {
                out.push(reference(
                    format!("{path}.billingAccount"),
                    &account.id,
                    None,
                    BILLING_ACCOUNT,
                ));
            }
        }
        out
    }

    /// Orders keep their states, dates, prices (computed from the catalog: price types,
    /// periods, amounts), items (actions, quantities, references, the names of their
    /// characteristics) and references, with names masked; notes, descriptions, contacts,
    /// cancellation reasons, characteristic values and all other text are removed.
    fn erasure(&self) -> Option<Erasure> {
        Some(Erasure {
            keep: &[
                "category",
                "priority",
                "externalId",
                "action",
                "priceType",
                "recurringChargePeriod",
                "unitOfMeasure",
                "relationshipType",
                "productCharacteristic.name",
                "productCharacteristic.valueType",
                "quoteId",
                "productOfferingQualificationId",
            ],
            erase: &[],
        })
    }
}

/// The TMF622 `cancelProductOrder` task resource as stored.
pub struct CancelKind {
    descriptor: ResourceDescriptor,
}

impl CancelKind {
    fn new() -> Result<Self, CatalogError> {
        let mut descriptor = ResourceDescriptor::from_spec(
            crate::spec::ordering(),
            ORDERING_BASE,
            "cancelProductOrder",
            "CancelProductOrder",
            Domain::Order,
        )?;
        descriptor.methods = Methods::TASK;
        Ok(Self { descriptor })
    }
}

impl ResourceKind for CancelKind {
    type Model = CancelProductOrder;

    fn descriptor(&self) -> &ResourceDescriptor {
        &self.descriptor
    }

    fn stored_type(&self) -> StoredType {
        CANCEL_PRODUCT_ORDER
    }

    fn references(&self, request: &CancelProductOrder) -> Vec<Reference> {
        vec![reference(
            "productOrder".into(),
            &request.product_order.id,
            None,
            &["ProductOrder"],
        )]
    }

    /// Erasure keeps the request's state, dates and the order it cancels; its
    /// `cancellationReason` (free text) goes.
    fn erasure(&self) -> Option<Erasure> {
        Some(Erasure {
            keep: &[],
            erase: &[],
        })
    }
}

/// `productOrder`: reads from the store, writes through [`Ordering`].
struct OrderWrites(Arc<Ordering>);

#[async_trait]
impl DomainWrites for OrderWrites {
    async fn create(&self, ctx: &RequestContext, body: Json) -> TmfResult<Json> {
        self.0.create_order(ctx, body).await
    }

    async fn patch(&self, ctx: &RequestContext, id: &str, patch: PatchDocument) -> TmfResult<Json> {
        self.0.patch_order(ctx, id, patch).await
    }
}

/// `cancelProductOrder`: a task resource, created and read only.
struct CancelApi(Arc<Ordering>);

fn task_only() -> TmfError {
    TmfError::new(
        ErrorCode::MethodNotAllowed,
        "a cancelProductOrder is a task: it is created and read, never changed or deleted",
    )
}

#[async_trait]
impl ResourceService for CancelApi {
    fn descriptor(&self) -> &ResourceDescriptor {
        self.0.cancels.descriptor()
    }

    async fn list(&self, ctx: &RequestContext, query: &ListQuery) -> TmfResult<Page> {
        self.0.cancels.list(ctx, query).await
    }

    async fn create(&self, ctx: &RequestContext, body: Json) -> TmfResult<Json> {
        self.0.cancel_order(ctx, body).await
    }

    async fn retrieve(&self, ctx: &RequestContext, id: &str) -> TmfResult<Json> {
        self.0.cancels.retrieve(ctx, id).await
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
        self.0.cancels.history(ctx, id, offset, limit).await
    }
}
