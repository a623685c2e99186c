//! TMF622 product orders read and written with documents like the examples of the TMF622 user
//! guide: the closed sets of order item actions and order states, and exact money amounts.

use std::str::FromStr;

use crate::support::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use sid_model::*;

/// A price of `tax_included` and `duty_free` euros, with a 20 % tax rate.
fn order_price(price_type: &str, tax_included: Value, duty_free: Value) -> Value {
    json!({
        "name": "Subscription price",
        "priceType": price_type,
        "recurringChargePeriod": "month",
        "price": {
            "taxRate": 0.2,
            "dutyFreeAmount": {"unit": "EUR", "value": duty_free},
            "taxIncludedAmount": {"unit": "EUR", "value": tax_included}
        },
        "productOfferingPrice": {
            "id": "1747",
            "href": "https://host/tmf-api/productCatalogManagement/v4/productOfferingPrice/1747",
            "name": "Regular monthly price"
        }
    })
}

fn order_item(id: &str, action: &str) -> Value {
    json!({
        "id": id,
        "quantity": 1,
        "action": action,
        "productOffering": {
            "id": "14277",
            "href": "https://host/tmf-api/productCatalogManagement/v4/productOffering/14277",
            "name": "TMF25"
        },
        "product": {
            "isBundle": false,
            "productCharacteristic": [
                {"name": "TEL_MSISDN", "valueType": "string", "value": "415 279 7439"}
            ],
            "productSpecification": {
                "id": "14307",
                "href": "https://host/tmf-api/productCatalogManagement/v4/productSpecification/14307",
                "name": "Mobile Line Spec",
                "version": "1"
            }
        },
        "itemPrice": [order_price("recurring", json!(19.99), json!(16.66))],
        "state": "acknowledged",
        "@type": "ProductOrderItem"
    })
}

fn product_order() -> Value {
    json!({
        "id": "3774",
        "href": "https://host/tmf-api/productOrderingManagement/v4/productOrder/3774",
        "category": "B2C product order",
        "description": "Product Order illustration sample",
        "externalId": "PO-456",
        "priority": "1",
        "requestedCompletionDate": "2019-05-02T08:13:59.506Z",
        "requestedStartDate": "2019-05-03T08:13:59.506Z",
        "orderDate": "2019-04-30T08:13:59.506Z",
        "channel": [{"id": "1", "name": "Online channel"}],
        "note": [{
            "id": "1",
            "author": "Jean Pontus",
            "date": "2019-04-30T08:13:59.509Z",
            "text": "This is a TMF product order illustration"
        }],
        "relatedParty": [related_party()],
        "productOrderItem": [order_item("100", "add")],
        "orderTotalPrice": [order_price("recurring", json!(19.99), json!(16.66))],
        "state": "acknowledged",
        "@type": "ProductOrder"
    })
}

fn decimal(text: &str) -> Decimal {
    Decimal::from_str(text).expect("decimal literal")
}

#[test]
fn a_user_guide_order_round_trips_unchanged() {
    let document = product_order();
    let (order, written) = read_and_write::<ProductOrder>(&document);
    assert_eq!(written, document);
    assert_eq!(order.state, Some(ProductOrderStateType::Acknowledged));
    let item = &order.product_order_item[0];
    assert_eq!(item.action, OrderItemActionType::Add);
    assert_eq!(item.state, Some(ProductOrderItemStateType::Acknowledged));
}

#[test]
fn every_order_item_action_of_the_specification_is_accepted() {
    for action in ["add", "modify", "delete", "noChange"] {
        let mut document = product_order();
        set(&mut document, "/productOrderItem/0/action", json!(action));
        let (order, written) = read_and_write::<ProductOrder>(&document);
        assert_eq!(order.product_order_item[0].action.as_str(), action);
        assert_eq!(written["productOrderItem"][0]["action"], json!(action));
    }
}

#[test]
fn an_order_item_action_outside_add_modify_delete_no_change_is_refused() {
    for action in [
        json!("remove"),
        json!("terminate"),
        json!("Add"),
        json!("nochange"),
        json!("no_change"),
        json!("add "),
        json!(""),
        json!(null),
        json!(0),
    ] {
        let mut document = product_order();
        set(&mut document, "/productOrderItem/0/action", action.clone());
        let error = refusal::<ProductOrder>(document);
        let expected = match action.as_str() {
            Some(text) => format!("unknown variant `{text}`"),
            None => "invalid type".to_owned(),
        };
        assert!(error.contains(&expected), "{action}: {error}");
        let mut item = order_item("100", "add");
        set(&mut item, "/action", action.clone());
        refusal::<ProductOrderItem>(item);
    }
    // A sub-item is held to the same actions.
    let mut document = product_order();
    set(
        &mut document,
        "/productOrderItem/0/productOrderItem",
        json!([order_item("100.1", "replace")]),
    );
    let error = refusal::<ProductOrder>(document);
    assert!(error.contains("replace"), "{error}");
}

#[test]
fn an_order_item_without_an_action_is_refused() {
    let mut document = product_order();
    remove(&mut document, "/productOrderItem/0/action");
    let error = refusal::<ProductOrder>(document);
    assert!(error.contains("action"), "{error}");
}

#[test]
fn an_unknown_order_state_is_refused() {
    for state in [
        json!("open"),
        json!("Completed"),
        json!("in_progress"),
        json!("InProgress"),
        json!("done"),
        json!("partial "),
        json!(""),
        json!(3),
    ] {
        let mut document = product_order();
        set(&mut document, "/state", state.clone());
        let error = refusal::<ProductOrder>(document);
        let expected = match state.as_str() {
            Some(text) => format!("unknown variant `{text}`"),
            None => "invalid type".to_owned(),
        };
        assert!(error.contains(&expected), "{state}: {error}");
    }
    // `partial` is a state of an order, never of one of its items.
    let mut document = product_order();
    set(&mut document, "/state", json!("partial"));
    let (order, _) = read_and_write::<ProductOrder>(&document);
    assert_eq!(order.state, Some(ProductOrderStateType::Partial));
    set(&mut document, "/productOrderItem/0/state", json!("partial"));
    refusal::<ProductOrder>(document);
}

#[test]
fn an_unknown_cancellation_state_is_refused() {
    let request = json!({
        "productOrder": {
            "id": "3774",
            "href": "https://host/tmf-api/productOrderingManagement/v4/productOrder/3774"
        },
        "cancellationReason": "Duplicate order",
        "requestedCancellationDate": "2019-05-01T08:13:59.506Z",
        "state": "done"
    });
    let (cancel, written) = read_and_write::<CancelProductOrder>(&request);
    assert_eq!(written, request);
    assert_eq!(cancel.state, Some(TaskStateType::Done));
    let mut unknown = request.clone();
    set(&mut unknown, "/state", json!("completed"));
    refusal::<CancelProductOrder>(unknown);
}

#[test]
fn money_amounts_round_trip_exactly() {
    let mut document = product_order();
    set(
        &mut document,
        "/orderTotalPrice",
        json!([
            order_price("recurring", json!(19.99), json!(16.66)),
            order_price("oneTime", json!(0.1), json!(0.08)),
        ]),
    );
    let (order, written) = read_and_write::<ProductOrder>(&document);
    assert_eq!(written, document);

    let totals = order.order_total_price.as_ref().expect("total prices");
    let recurring = totals[0].price.as_ref().expect("price");
    let tax_included = recurring.tax_included_amount.clone().expect("tax included");
    assert_eq!(
        tax_included,
        Money::new(CurrencyCode::EUR, decimal("19.99"))
    );
    assert_eq!(tax_included.value.to_string(), "19.99");
    assert_eq!(recurring.tax_rate, Some(decimal("0.2")));
    let one_time = totals[1].price.as_ref().expect("price");
    let tenth = one_time.tax_included_amount.clone().expect("tax included");
    assert_eq!(tenth.value.to_string(), "0.1");

    // Written as the same JSON numbers, not as their nearest binary fractions.
    let text = serde_json::to_string(&order).expect("serialise");
    assert!(text.contains(r#""value":19.99"#), "{text}");
    assert!(text.contains(r#""value":0.1}"#), "{text}");
    assert!(text.contains(r#""taxRate":0.2"#), "{text}");
    let again: ProductOrder = serde_json::from_str(&text).expect("read back");
    assert_eq!(again, order);

    // Three tenths add up to exactly three tenths.
    let sum = tenth
        .checked_add(&tenth)
        .and_then(|two| two.checked_add(&tenth))
        .expect("same currency");
    assert_eq!(sum.value, decimal("0.3"));
}

#[test]
fn catalog_prices_and_inventory_prices_are_exact_too() {
    let price = json!({
        "name": "Monthly fee",
        "priceType": "recurring",
        "percentage": 0.1,
        "recurringChargePeriodType": "month",
        "recurringChargePeriodLength": 1,
        "price": {"unit": "USD", "value": 19.99},
        "tax": [{"taxCategory": "VAT", "taxRate": 0.2, "taxAmount": {"unit": "USD", "value": 4.5}}]
    });
    let (offering_price, written) = read_and_write::<ProductOfferingPrice>(&price);
    assert_eq!(written, price);
    assert_eq!(
        offering_price.price,
        Some(Money::new(CurrencyCode::USD, decimal("19.99")))
    );
    assert_eq!(offering_price.percentage, Some(decimal("0.1")));

    let document = json!({
        "status": "active",
        "productPrice": [{
            "priceType": "recurring",
            "price": {
                "dutyFreeAmount": {"unit": "EUR", "value": 0.1},
                "taxIncludedAmount": {"unit": "EUR", "value": 0.12}
            }
        }]
    });
    let (product, written) = read_and_write::<Product>(&document);
    assert_eq!(written, document);
    assert_eq!(product.status, ProductStatusType::Active);
    let prices = product.product_price.expect("prices");
    assert_eq!(
        prices[0]
            .price
            .duty_free_amount
            .as_ref()
            .map(|amount| amount.value),
        Some(decimal("0.1"))
    );
}
