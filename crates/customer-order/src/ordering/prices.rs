//! Prices from the catalog: each item is priced from its offering's prices in force, and the
//! order totals them; a client's prices are overwritten, never read.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use crm_store::DatabaseTransaction;
use rust_decimal::Decimal;
use sid_model::{
    Money, OrderItemActionType, OrderPrice, Price, ProductOffering, ProductOfferingPrice,
    ProductOfferingPriceRef, ProductOrder, ProductOrderItem,
};

use super::{ItemProblem, OrderError, Ordering, flatten, visit_items};
use crate::catalog::in_force;
use crate::pricing::{CatalogPrice, Charge, Priced, item_prices, order_total};

/// A price of the catalog, ready to be charged.
struct OfferedPrice {
    price: CatalogPrice,
    reference: ProductOfferingPriceRef,
}

fn charge(pop: &ProductOfferingPrice) -> Result<Charge, ItemProblem> {
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
            return Err(ItemProblem::Unchargeable {
                price: pop.name.clone(),
                price_type: pop.price_type.clone(),
            });
        }
    })
}

/// A computed price as a TMF622 `OrderPrice`: its type, period or unit, amounts and tax
/// rate, and, for an item's price, the name and reference of the catalog price it comes from.
fn order_price(
    priced: &Priced,
    name: Option<&str>,
    pop: Option<&ProductOfferingPriceRef>,
) -> OrderPrice {
    let (recurring_charge_period, unit_of_measure) = match &priced.charge {
        Charge::Recurring { period } => (Some(period.clone()), None),
        Charge::Usage { unit } => (None, Some(unit.clone())),
        Charge::OneTime => (None, None),
    };
    OrderPrice {
        name: name.map(str::to_owned),
        price_type: Some(priced.charge.price_type().to_owned()),
        recurring_charge_period,
        unit_of_measure,
        price: Some(Price {
            tax_rate: priced.tax_rate,
            duty_free_amount: Some(Money::new(priced.currency, priced.duty_free)),
            tax_included_amount: Some(Money::new(priced.currency, priced.tax_included())),
            ..Price::default()
        }),
        product_offering_price: pop.cloned(),
        ..OrderPrice::default()
    }
}

impl Ordering {
    /// The catalog prices of an offering in force at `now` (sellable status, within their
    /// validity), with references to them.
    async fn offered_prices(
        &self,
        txn: &DatabaseTransaction,
        item: &ProductOrderItem,
        offering: &ProductOffering,
        now: DateTime<Utc>,
    ) -> Result<Vec<OfferedPrice>, OrderError> {
        let refuse = |problem| OrderError::item(&item.id, problem);
        let mut out = Vec::new();
        for reference in offering.product_offering_price.iter().flatten() {
            let Some(pop) = Self::read(&self.prices, txn, &reference.id).await? else {
                continue;
            };
            if !in_force(pop.lifecycle_status.as_deref(), pop.valid_for.as_ref(), now) {
                continue;
            }
            let Some(amount) = pop.price.clone() else {
                return Err(refuse(ItemProblem::PriceWithoutAmount {
                    price: pop.name.clone(),
                }));
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
                    charge: charge(&pop).map_err(refuse)?,
                    amount,
                    tax_rate,
                },
                reference: ProductOfferingPriceRef {
                    id: reference.id.clone(),
                    href: None,
                    name: Some(pop.name.clone()),
                    meta: Default::default(),
                    referred_type: None,
                    extensions: Default::default(),
                },
            });
        }
        Ok(out)
    }

    /// Checks every item against the catalog and the inventory and prices it.
    pub(super) async fn price_items(
        &self,
        txn: &DatabaseTransaction,
        order: &mut ProductOrder,
        now: DateTime<Utc>,
    ) -> Result<(), OrderError> {
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
            let offered = self.offered_prices(txn, item, &offering, now).await?;
            let quantity = Decimal::from(item.quantity.unwrap_or(1));
            let catalog: Vec<CatalogPrice> = offered.iter().map(|o| o.price.clone()).collect();
            let prices = item_prices(&catalog, quantity);
            priced.insert(item.id.clone(), prices.into_iter().zip(offered).collect());
        }
        let mut all = Vec::new();
        visit_items(&mut order.product_order_item, &mut |item| {
            let prices = priced.remove(&item.id).unwrap_or_default();
            let item_price: Vec<OrderPrice> = prices
                .iter()
                .map(|(p, o)| order_price(p, Some(&o.price.name), Some(&o.reference)))
                .collect();
            let totals: Vec<OrderPrice> = order_total(prices.iter().map(|(p, _)| p))
                .iter()
                .map(|p| order_price(p, None, None))
                .collect();
            all.extend(prices.into_iter().map(|(p, _)| p));
            item.item_price = Some(item_price).filter(|v| !v.is_empty());
            item.item_total_price = Some(totals).filter(|v| !v.is_empty());
        });
        let totals: Vec<OrderPrice> = order_total(all.iter())
            .iter()
            .map(|p| order_price(p, None, None))
            .collect();
        order.order_total_price = Some(totals).filter(|v| !v.is_empty());
        Ok(())
    }
}
