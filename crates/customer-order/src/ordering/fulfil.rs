//! Fulfilment: the inventory changes of an order's completed items, made in the transaction
//! that moves the order, through the products' own document service (so their references,
//! history and events are written as for any product).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use crm_store::DatabaseTransaction;
use sid_model::{
    BillingAccountRef, OrderItemActionType, OrderPrice, Product, ProductOffering,
    ProductOfferingRef, ProductOrder, ProductOrderItem, ProductPrice, ProductRefOrValue,
    ProductSpecificationRef, ProductStatusType, RelatedParty, RelatedProductOrderItem,
};
use tmf_apis::{RequestContext, TmfError};

use super::{
    ItemProblem, OrderError, Ordering, customers, decode, flatten, item_state, visit_items,
};
use sid_model::ProductOrderItemStateType as ItemState;

impl Ordering {
    /// Makes the inventory changes of an order's completed items, within `txn`: a product
    /// for each `add` (the item then refers to it), changes for each `modify`, termination
    /// for each `delete`. The products changed are read before anything is written, and each
    /// is written only if it is still as read: a product changed meanwhile is a 409.
    pub(super) async fn fulfil(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        order_id: &str,
        order: &mut ProductOrder,
        now: DateTime<Utc>,
    ) -> Result<(), OrderError> {
        let parties = owners(order);
        let mut completed = Vec::new();
        for (_, item) in flatten(&order.product_order_item) {
            if item_state(item) == ItemState::Completed {
                completed.push(item);
            }
        }
        let mut changed: HashMap<&str, (Product, i64)> = HashMap::new();
        for item in &completed {
            if let OrderItemActionType::Modify | OrderItemActionType::Delete = item.action {
                let product_id = product_id(item);
                let (document, version) = self
                    .products
                    .read_versioned_in(txn, product_id)
                    .await?
                    .ok_or_else(|| {
                    OrderError::item(
                        &item.id,
                        ItemProblem::UnknownProduct {
                            product: product_id.to_owned(),
                        },
                    )
                })?;
                changed.insert(&item.id, (decode(product_id, document)?, version));
            }
        }
        let mut made: HashMap<String, String> = HashMap::new();
        for item in completed {
            let account = item
                .billing_account
                .clone()
                .or_else(|| order.billing_account.clone());
            let link = RelatedProductOrderItem {
                order_item_action: Some(item.action.as_str().to_owned()),
                order_item_id: item.id.clone(),
                product_order_href: None,
                product_order_id: order_id.to_owned(),
                role: None,
                referred_type: None,
                meta: Default::default(),
                extensions: Default::default(),
            };
            let prices = item
                .item_price
                .iter()
                .flatten()
                .map(|price| product_price(price, account.as_ref()))
                .collect::<Result<Vec<_>, _>>()?;
            let value = item.product.as_ref();
            match item.action {
                OrderItemActionType::Add => {
                    let offering_id = item
                        .product_offering
                        .as_ref()
                        .map(|o| o.id.clone())
                        .unwrap_or_default();
                    let offering = Self::read(&self.offerings, txn, &offering_id).await?;
                    let product = new_product(NewProduct {
                        offering_id,
                        offering: offering.as_ref(),
                        value,
                        order_date: order.order_date,
                        now,
                        link,
                        account,
                        prices,
                        parties: parties.clone(),
                    });
                    let document = serde_json::to_value(&product).map_err(TmfError::internal)?;
                    let created = self.products.create_in(txn, ctx, document).await?;
                    let product_id = created["id"].as_str().unwrap_or_default().to_owned();
                    made.insert(item.id.clone(), product_id);
                }
                OrderItemActionType::Modify | OrderItemActionType::Delete => {
                    let product_id = product_id(item);
                    let Some((mut product, version)) = changed.remove(item.id.as_str()) else {
                        continue;
                    };
                    product
                        .product_order_item
                        .get_or_insert_with(Vec::new)
                        .push(link);
                    if item.action == OrderItemActionType::Delete {
                        product.status = ProductStatusType::Terminated;
                        product.termination_date = Some(now);
                    } else {
                        if let Some(offering) = &item.product_offering {
                            let name = match &offering.name {
                                Some(name) => Some(name.clone()),
                                None => Self::read(&self.offerings, txn, &offering.id)
                                    .await?
                                    .map(|o| o.name),
                            };
                            product.product_offering = Some(offering_ref(&offering.id, name));
                        }
                        if account.is_some() {
                            product.billing_account = account;
                        }
                        if !prices.is_empty() {
                            product.product_price = Some(prices);
                        }
                        if let Some(characteristics) =
                            value.and_then(|v| v.product_characteristic.as_ref())
                        {
                            product.product_characteristic = Some(characteristics.clone());
                        }
                    }
                    let document = serde_json::to_value(&product).map_err(TmfError::internal)?;
                    self.products
                        .replace_at_in(txn, ctx, product_id, document, version)
                        .await
                        .map_err(|e| OrderError::item(&item.id, e))?;
                }
                OrderItemActionType::NoChange => {}
            }
        }
        visit_items(&mut order.product_order_item, &mut |item| {
            if let Some(product_id) = made.get(&item.id) {
                let mut value = item.product.take().unwrap_or_default();
                value.id = Some(product_id.clone());
                value.referred_type = Some("Product".into());
                item.product = Some(value);
            }
        });
        Ok(())
    }
}

/// The id of the existing product an item acts on (checked present when the order was made).
fn product_id(item: &ProductOrderItem) -> &str {
    item.product
        .as_ref()
        .and_then(|p| p.id.as_deref())
        .unwrap_or_default()
}

/// The parties a new product belongs to: the order's customers, or all its parties when it
/// names no customer.
fn owners(order: &ProductOrder) -> Vec<RelatedParty> {
    let customers = customers(order);
    order
        .related_party
        .iter()
        .flatten()
        .filter(|p| customers.is_empty() || customers.contains(&p.id.as_str()))
        .cloned()
        .collect()
}

/// A reference to the offering `id`.
fn offering_ref(id: &str, name: Option<String>) -> ProductOfferingRef {
    ProductOfferingRef {
        id: id.to_owned(),
        href: None,
        name,
        referred_type: None,
        meta: Default::default(),
        extensions: Default::default(),
    }
}

/// The price a product is charged, from its item's price, billed to `account` when given.
fn product_price(
    price: &OrderPrice,
    account: Option<&BillingAccountRef>,
) -> Result<ProductPrice, OrderError> {
    let (Some(price_type), Some(amounts)) = (&price.price_type, &price.price) else {
        return Err(OrderError::Unreadable {
            what: "an item price".into(),
            reason: "it has no priceType or no price".into(),
        });
    };
    Ok(ProductPrice {
        description: price.description.clone(),
        name: price.name.clone(),
        price_type: price_type.clone(),
        recurring_charge_period: price.recurring_charge_period.clone(),
        unit_of_measure: price.unit_of_measure.clone(),
        billing_account: account.cloned().or_else(|| price.billing_account.clone()),
        price: amounts.clone(),
        product_offering_price: price.product_offering_price.clone(),
        product_price_alteration: price.price_alteration.clone(),
        meta: price.meta.clone(),
        extensions: price.extensions.clone(),
    })
}

/// What a new product is made of.
struct NewProduct<'a> {
    offering_id: String,
    offering: Option<&'a ProductOffering>,
    /// The product as the item gives it (its characteristics, place, description).
    value: Option<&'a ProductRefOrValue>,
    order_date: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    link: RelatedProductOrderItem,
    account: Option<BillingAccountRef>,
    prices: Vec<ProductPrice>,
    parties: Vec<RelatedParty>,
}

/// The active product an `add` item makes.
fn new_product(new: NewProduct<'_>) -> Product {
    let offering_name = new.offering.map(|o| o.name.clone());
    let specification = new
        .offering
        .and_then(|o| o.product_specification.as_ref())
        .map(|specification| ProductSpecificationRef {
            id: specification.id.clone(),
            href: None,
            name: specification.name.clone(),
            version: None,
            target_product_schema: None,
            referred_type: None,
            meta: Default::default(),
            extensions: Default::default(),
        });
    Product {
        status: ProductStatusType::Active,
        id: None,
        href: None,
        description: new.value.and_then(|v| v.description.clone()),
        is_bundle: None,
        is_customer_visible: None,
        name: offering_name.clone(),
        order_date: new.order_date,
        product_serial_number: None,
        start_date: Some(new.now),
        termination_date: None,
        agreement: None,
        billing_account: new.account,
        place: new.value.and_then(|v| v.place.clone()),
        product: None,
        product_characteristic: new.value.and_then(|v| v.product_characteristic.clone()),
        product_offering: Some(offering_ref(&new.offering_id, offering_name)),
        product_order_item: Some(vec![new.link]),
        product_price: Some(new.prices).filter(|prices| !prices.is_empty()),
        product_relationship: None,
        product_specification: specification,
        product_term: None,
        realizing_resource: None,
        realizing_service: None,
        related_party: Some(new.parties).filter(|parties| !parties.is_empty()),
        meta: Default::default(),
        extensions: Default::default(),
    }
}
