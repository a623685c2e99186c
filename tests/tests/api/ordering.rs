//! TMF622 product ordering and TMF637 inventory (issue 5 of 7): validation of orders
//! against the catalog and the inventory, catalog pricing to the cent, the enforced order
//! and item lifecycles (every move, through the API, against the model), cancellation,
//! atomic fulfilment into the inventory, and the customer 360 view.

use std::str::FromStr;

use axum::http::StatusCode;
use crm_store::Clock;
use crm_tests::{TestApp, TestResponse, on_postgres};
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use sid_model::order::lifecycle::apply_request;
use sid_model::{
    Lifecycle, ProductOrderItemStateType as ItemState, ProductOrderStateType as OrderState,
};

const CATALOG: &str = "/tmf-api/productCatalogManagement/v4";
const ORDERS: &str = "/tmf-api/productOrderingManagement/v4/productOrder";
const CANCELS: &str = "/tmf-api/productOrderingManagement/v4/cancelProductOrder";
const PRODUCTS: &str = "/tmf-api/productInventory/v4/product";
const BILLING_ACCOUNT: &str = "/tmf-api/accountManagement/v4/billingAccount";
const MERGE: &str = "application/merge-patch+json";

/// A customer with a billing account, and a launched broadband offering with a monthly
/// and a one-time price, both taxed at 20 %.
struct Shop {
    app: TestApp,
    party: String,
    customer: String,
    account: String,
    offering: String,
    monthly: String,
    setup: String,
}

async fn created(response: TestResponse, what: &str) -> String {
    assert_eq!(
        response.status,
        StatusCode::CREATED,
        "{what}: {}",
        response.text
    );
    response.id()
}

async fn offering(app: &TestApp, name: &str, prices: &[&str], status: &str) -> String {
    let prices: Vec<Value> = prices.iter().map(|id| json!({"id": id})).collect();
    created(
        app.post(
            &format!("{CATALOG}/productOffering"),
            &json!({"name": name, "lifecycleStatus": status, "productOfferingPrice": prices}),
        )
        .await,
        name,
    )
    .await
}

async fn price(app: &TestApp, body: Value) -> String {
    created(
        app.post(&format!("{CATALOG}/productOfferingPrice"), &body)
            .await,
        "price",
    )
    .await
}

impl Shop {
    async fn open() -> Self {
        let app = TestApp::new().await;
        let party = app.individual("Ada", "Lovelace").await;
        let customer = app.customer("Ada Lovelace", &party, "active").await;
        let account = created(
            app.post(
                BILLING_ACCOUNT,
                &json!({"name": "Ada's bills", "relatedParty": [
                    {"id": party, "name": "Ada Lovelace", "role": "owner", "@referredType": "Individual"}]}),
            )
            .await,
            "billing account",
        )
        .await;
        let specification = created(
            app.post(
                &format!("{CATALOG}/productSpecification"),
                &json!({"name": "FTTH access", "lifecycleStatus": "Launched"}),
            )
            .await,
            "specification",
        )
        .await;
        let monthly = price(
            &app,
            json!({"name": "Fibre 500 monthly", "priceType": "recurring",
                "recurringChargePeriodType": "month", "lifecycleStatus": "Launched",
                "price": {"unit": "EUR", "value": 29.99},
                "tax": [{"taxCategory": "VAT", "taxRate": 20}]}),
        )
        .await;
        let setup = price(
            &app,
            json!({"name": "Installation", "priceType": "oneTime", "lifecycleStatus": "Launched",
                "price": {"unit": "EUR", "value": 49}, "tax": [{"taxCategory": "VAT", "taxRate": 20}]}),
        )
        .await;
        let offering = created(
            app.post(
                &format!("{CATALOG}/productOffering"),
                &json!({"name": "Fibre 500", "lifecycleStatus": "Launched", "isSellable": true,
                    "productSpecification": {"id": specification},
                    "productOfferingPrice": [{"id": monthly}, {"id": setup}]}),
            )
            .await,
            "offering",
        )
        .await;
        Self {
            app,
            party,
            customer,
            account,
            offering,
            monthly,
            setup,
        }
    }

    fn buyer(&self) -> Value {
        json!([{"id": self.customer, "role": "customer", "@referredType": "Customer"}])
    }

    /// An order adding the broadband offering `count` times, one item each.
    fn order(&self, count: usize) -> Value {
        let items: Vec<Value> = (1..=count)
            .map(|i| {
                json!({"id": i.to_string(), "action": "add", "quantity": 1,
                    "productOffering": {"id": self.offering, "name": "Fibre 500"},
                    "product": {"productCharacteristic": [{"name": "speed", "value": "500M"}]}})
            })
            .collect();
        json!({"productOrderItem": items, "relatedParty": self.buyer(),
            "billingAccount": {"id": self.account}, "description": "broadband for Ada"})
    }

    async fn place(&self, order: &Value) -> Value {
        let response = self.app.post(ORDERS, order).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
        response.body
    }

    async fn set_state(&self, id: &str, state: &str) -> TestResponse {
        self.app
            .patch(&format!("{ORDERS}/{id}"), MERGE, &json!({"state": state}))
            .await
    }

    /// Moves an order through `states`, each move expected to succeed.
    async fn drive(&self, id: &str, states: &[&str]) {
        for state in states {
            let moved = self.set_state(id, state).await;
            assert_eq!(moved.status, StatusCode::OK, "→ {state}: {}", moved.text);
        }
    }

    async fn cancel(&self, id: &str) -> TestResponse {
        self.app
            .post(
                CANCELS,
                &json!({"productOrder": {"id": id, "@referredType": "ProductOrder"},
                    "cancellationReason": "customer changed their mind"}),
            )
            .await
    }

    async fn count(&self, path: &str) -> u64 {
        let listed = self.app.get(path).await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
        listed
            .header("x-total-count")
            .and_then(|v| v.parse().ok())
            .expect("X-Total-Count")
    }
}

fn amount(money: &Value) -> Decimal {
    let text = money["value"].to_string();
    Decimal::from_str(text.trim_matches('"')).unwrap_or_else(|e| panic!("{money}: {e}"))
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).expect("decimal")
}

/// The (priceType, duty free, tax included) of each price in `prices`.
fn prices(prices: &Value) -> Vec<(String, Decimal, Decimal)> {
    let mut out: Vec<_> = prices
        .as_array()
        .expect("prices")
        .iter()
        .map(|p| {
            assert_eq!(p["price"]["dutyFreeAmount"]["unit"], "EUR");
            (
                p["priceType"].as_str().expect("priceType").to_owned(),
                amount(&p["price"]["dutyFreeAmount"]),
                amount(&p["price"]["taxIncludedAmount"]),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn a_csr_orders_broadband_and_the_customer_holds_it() {
    let shop = Shop::open().await;
    let app = &shop.app;
    let csr = app.token("csr-7", &["csr"]);
    let placed = app
        .send(
            axum::http::Request::post(ORDERS)
                .header("authorization", format!("Bearer {csr}"))
                .header("content-type", "application/json")
                .body(axum::body::Body::from(shop.order(1).to_string()))
                .expect("request"),
        )
        .await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.text);
    let order = placed.body;
    let id = order["id"].as_str().expect("id").to_owned();
    assert_eq!(order["state"], "acknowledged");
    assert_eq!(order["productOrderItem"][0]["state"], "acknowledged");
    assert!(order["orderDate"].is_string(), "orderDate set");
    assert!(order["expectedCompletionDate"].is_string());
    assert!(order.get("completionDate").is_none());
    assert_eq!(
        prices(&order["productOrderItem"][0]["itemPrice"]),
        [
            ("oneTime".into(), dec("49.00"), dec("58.80")),
            ("recurring".into(), dec("29.99"), dec("35.99")),
        ]
    );
    assert_eq!(
        order["productOrderItem"][0]["itemPrice"]
            .as_array()
            .expect("item prices")
            .iter()
            .find(|p| p["priceType"] == "recurring")
            .expect("recurring")["recurringChargePeriod"],
        "month"
    );

    // Open while in progress: the 360 view lists it.
    let view = app
        .get(&format!(
            "/tmf-api/customerManagement/v4/customer/{}/view",
            shop.customer
        ))
        .await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.text);
    assert_eq!(view.body["openOrders"][0]["id"], id.as_str());
    assert_eq!(view.body["products"], json!([]));

    shop.drive(&id, &["inProgress", "completed"]).await;
    let order = app.get(&format!("{ORDERS}/{id}")).await.body;
    assert_eq!(order["state"], "completed");
    assert_eq!(order["productOrderItem"][0]["state"], "completed");
    assert!(order["completionDate"].is_string());
    let product_id = order["productOrderItem"][0]["product"]["id"]
        .as_str()
        .expect("the item refers to the product it made")
        .to_owned();

    let product = app.get(&format!("{PRODUCTS}/{product_id}")).await;
    assert_eq!(product.status, StatusCode::OK, "{}", product.text);
    let product = product.body;
    assert_eq!(product["status"], "active");
    assert_eq!(product["name"], "Fibre 500");
    assert!(product["startDate"].is_string());
    assert_eq!(product["billingAccount"]["id"], shop.account.as_str());
    assert_eq!(product["productOffering"]["id"], shop.offering.as_str());
    let buyer = &product["relatedParty"][0];
    assert_eq!(buyer["id"], shop.customer.as_str());
    assert_eq!(
        (&buyer["role"], &buyer["@referredType"]),
        (&json!("customer"), &json!("Customer"))
    );
    let href = buyer["href"]
        .as_str()
        .expect("a reference to a stored customer is linked");
    assert!(
        href.ends_with(&format!("/customer/{}", shop.customer)),
        "{href}"
    );
    assert_eq!(
        product["productCharacteristic"],
        json!([{"name": "speed", "value": "500M"}])
    );
    assert_eq!(
        prices(&product["productPrice"]),
        [
            ("oneTime".into(), dec("49.00"), dec("58.80")),
            ("recurring".into(), dec("29.99"), dec("35.99")),
        ]
    );
    assert_eq!(
        product["productPrice"][0]["billingAccount"]["id"],
        shop.account.as_str()
    );
    assert_eq!(
        product["productOrderItem"],
        json!([{"orderItemId": "1", "productOrderId": id, "orderItemAction": "add",
            "@referredType": "ProductOrder"}])
    );

    let view = app
        .get(&format!(
            "/tmf-api/customerManagement/v4/customer/{}/view",
            shop.customer
        ))
        .await;
    assert_eq!(view.body["products"][0]["id"], product_id.as_str());
    assert_eq!(
        view.body["openOrders"],
        json!([]),
        "a completed order is not open"
    );
}

#[tokio::test]
async fn order_totals_add_up_per_price_type_to_the_cent() {
    let shop = Shop::open().await;
    let app = &shop.app;
    // 3 × 0.335 per minute at 19 %: 1.005 → 1.01 duty free (half away from zero).
    let usage = price(
        app,
        json!({"name": "Calls", "priceType": "usage", "lifecycleStatus": "Active",
            "unitOfMeasure": {"amount": 1, "units": "minute"},
            "price": {"unit": "EUR", "value": 0.335}, "tax": [{"taxRate": 19}]}),
    )
    .await;
    let voice = offering(app, "Voice", &[&usage, &shop.monthly], "Launched").await;
    let mut order = shop.order(2);
    order["productOrderItem"][1]["productOffering"]["id"] = json!(voice);
    order["productOrderItem"][1]["quantity"] = json!(3);
    order["orderTotalPrice"] = json!([{"priceType": "recurring",
        "price": {"taxIncludedAmount": {"unit": "EUR", "value": 0.01}}}]);
    order["productOrderItem"][0]["itemPrice"] = json!([{"priceType": "recurring",
        "price": {"taxIncludedAmount": {"unit": "EUR", "value": 0.01}}}]);
    let placed = shop.place(&order).await;
    assert_eq!(
        prices(&placed["productOrderItem"][1]["itemPrice"]),
        [
            // 3 × 29.99 = 89.97; tax 17.994 → 17.99.
            ("recurring".into(), dec("89.97"), dec("107.96")),
            // 1.005 → 1.01; tax 0.1919 → 0.19.
            ("usage".into(), dec("1.01"), dec("1.20")),
        ]
    );
    assert_eq!(
        prices(&placed["orderTotalPrice"]),
        [
            ("oneTime".into(), dec("49.00"), dec("58.80")),
            // 29.99 + 89.97 = 119.96; 6.00 + 17.99 = 23.99.
            ("recurring".into(), dec("119.96"), dec("143.95")),
            ("usage".into(), dec("1.01"), dec("1.20")),
        ],
        "the client's prices are replaced by the catalog's"
    );
    assert_eq!(
        prices(&placed["productOrderItem"][0]["itemPrice"]),
        [
            ("oneTime".into(), dec("49.00"), dec("58.80")),
            ("recurring".into(), dec("29.99"), dec("35.99")),
        ]
    );
    // Prices not in force (in design, or expired) are not charged.
    let draft = price(
        app,
        json!({"name": "Next year's price", "priceType": "recurring", "lifecycleStatus": "In design",
            "price": {"unit": "EUR", "value": 99}}),
    )
    .await;
    let expired = price(
        app,
        json!({"name": "Old price", "priceType": "recurring", "lifecycleStatus": "Launched",
            "validFor": {"startDateTime": "2020-01-01T00:00:00Z", "endDateTime": "2021-01-01T00:00:00Z"},
            "price": {"unit": "EUR", "value": 10}}),
    )
    .await;
    let lite = offering(app, "Lite", &[&draft, &expired, &shop.setup], "Active").await;
    let mut order = shop.order(1);
    order["productOrderItem"][0]["productOffering"]["id"] = json!(lite);
    let placed = shop.place(&order).await;
    assert_eq!(
        prices(&placed["orderTotalPrice"]),
        [("oneTime".into(), dec("49.00"), dec("58.80"))]
    );
}

#[tokio::test]
async fn invalid_orders_are_refused_naming_the_item_and_nothing_is_stored() {
    let shop = Shop::open().await;
    let app = &shop.app;
    let stranger_party = app.individual("Eve", "Stranger").await;
    let stranger = app.customer("Eve", &stranger_party, "active").await;
    let draft = offering(app, "Fibre 10G", &[], "In design").await;
    let retired = offering(app, "Copper", &[], "Launched").await;
    let moved = app
        .patch(
            &format!("{CATALOG}/productOffering/{retired}"),
            MERGE,
            &json!({"lifecycleStatus": "Retired"}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);

    // A product of the stranger's, to be (wrongly) modified by Ada's order.
    let mut theirs = shop.order(1);
    theirs["relatedParty"] =
        json!([{"id": stranger, "role": "customer", "@referredType": "Customer"}]);
    let theirs = shop.place(&theirs).await;
    let theirs_id = theirs["id"].as_str().expect("id").to_owned();
    shop.drive(&theirs_id, &["inProgress", "completed"]).await;
    let their_product = app.get(&format!("{ORDERS}/{theirs_id}")).await.body["productOrderItem"][0]
        ["product"]["id"]
        .clone();
    let orders_before = shop.count(ORDERS).await;

    let item = |change: Value| {
        let mut order = shop.order(1);
        let target = &mut order["productOrderItem"][0];
        for (key, value) in change.as_object().expect("object") {
            if value.is_null() {
                target.as_object_mut().expect("item").remove(key);
            } else {
                target[key] = value.clone();
            }
        }
        order
    };
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        ("no action", item(json!({"action": null})), 400, "action"),
        (
            "unknown action",
            item(json!({"action": "upgrade"})),
            400,
            "action",
        ),
        (
            "unknown offering",
            item(json!({"productOffering": {"id": "nope"}})),
            422,
            "'1'",
        ),
        (
            "offering in design",
            item(json!({"productOffering": {"id": draft}})),
            422,
            "Fibre 10G",
        ),
        (
            "retired offering",
            item(json!({"productOffering": {"id": retired}})),
            422,
            "Copper",
        ),
        (
            "add without offering",
            item(json!({"productOffering": null})),
            422,
            "'1'",
        ),
        (
            "modify without product",
            item(json!({"action": "modify"})),
            422,
            "product.id",
        ),
        (
            "modify a missing product",
            item(json!({"action": "modify", "product": {"id": "missing"}})),
            422,
            "missing",
        ),
        (
            "modify another customer's product",
            item(json!({"action": "modify", "product": {"id": their_product}})),
            422,
            "customer",
        ),
        (
            "relationship to a missing item",
            item(
                json!({"productOrderItemRelationship": [{"id": "9", "relationshipType": "reliesOn"}]}),
            ),
            422,
            "'9'",
        ),
        (
            "zero quantity",
            item(json!({"quantity": 0})),
            422,
            "quantity",
        ),
        (
            "state from the client",
            item(json!({"state": "completed"})),
            422,
            "state",
        ),
    ];
    for (case, order, status, names) in cases {
        let refused = app.post(ORDERS, &order).await;
        let message = refused.assert_tmf_error(status);
        assert!(message.contains(names), "{case}: {message}");
        if status == 422 && !case.contains("state") {
            assert!(message.contains("productOrderItem"), "{case}: {message}");
        }
    }

    let mut duplicate = shop.order(2);
    duplicate["productOrderItem"][1]["id"] = json!("1");
    assert!(
        app.post(ORDERS, &duplicate)
            .await
            .assert_tmf_error(422)
            .contains("'1'")
    );

    // An add that relies on an item deleting its product is inconsistent.
    let mut order = shop.order(2);
    order["productOrderItem"][1] =
        json!({"id": "2", "action": "delete", "product": {"id": their_product}});
    order["productOrderItem"][0]["productOrderItemRelationship"] =
        json!([{"id": "2", "relationshipType": "reliesOn"}]);
    assert!(
        app.post(ORDERS, &order)
            .await
            .assert_tmf_error(422)
            .contains("deletes")
    );

    let mut order = shop.order(1);
    order["billingAccount"] = json!({"id": "no-such-account"});
    assert!(
        app.post(ORDERS, &order)
            .await
            .assert_tmf_error(422)
            .contains("no-such-account")
    );
    let mut order = shop.order(1);
    order["relatedParty"] =
        json!([{"id": "ghost", "role": "customer", "@referredType": "Customer"}]);
    assert!(
        app.post(ORDERS, &order)
            .await
            .assert_tmf_error(422)
            .contains("ghost")
    );
    let mut order = shop.order(1);
    order["productOrderItem"] = json!([]);
    app.post(ORDERS, &order).await.assert_tmf_error(422);

    assert_eq!(
        shop.count(ORDERS).await,
        orders_before,
        "nothing was stored"
    );
    assert_eq!(shop.count(PRODUCTS).await, 1);
}

/// How to bring a one-item order to each state, from acknowledged.
fn path_to(state: OrderState) -> Vec<&'static str> {
    use OrderState::*;
    match state {
        Acknowledged => vec![],
        InProgress => vec!["inProgress"],
        Pending => vec!["pending"],
        Held => vec!["held"],
        Rejected => vec!["rejected"],
        Completed => vec!["inProgress", "completed"],
        Failed => vec!["inProgress", "failed"],
        // Through a cancel request (below).
        AssessingCancellation | PendingCancellation | Cancelled => vec!["inProgress"],
        Partial => unreachable!("needs two items"),
    }
}

#[tokio::test]
async fn every_order_move_through_the_api_follows_the_model() {
    let shop = Shop::open().await;
    let states: Vec<OrderState> = OrderState::ALL
        .iter()
        .copied()
        .filter(|s| *s != OrderState::Partial)
        .collect();
    for from in &states {
        for to in OrderState::ALL.iter() {
            let order = shop.place(&shop.order(1)).await;
            let id = order["id"].as_str().expect("id").to_owned();
            shop.drive(&id, &path_to(*from)).await;
            if from.is_cancelling() || *from == OrderState::Cancelled {
                assert_eq!(shop.cancel(&id).await.status, StatusCode::CREATED);
                if *from != OrderState::AssessingCancellation {
                    shop.drive(&id, &["pendingCancellation"]).await;
                }
                if *from == OrderState::Cancelled {
                    shop.drive(&id, &["cancelled"]).await;
                }
            }
            let before = shop.app.get(&format!("{ORDERS}/{id}")).await.body;
            assert_eq!(before["state"], from.as_str());
            let item = ItemState::parse(
                before["productOrderItem"][0]["state"]
                    .as_str()
                    .expect("item state"),
            )
            .expect("known item state");
            let expected = apply_request(
                *from,
                &[item],
                Some(*to).filter(|t| t != from),
                &[None],
                &["1"],
            );
            let moved = shop.set_state(&id, to.as_str()).await;
            match expected {
                Ok((state, items)) => {
                    assert_eq!(
                        moved.status,
                        StatusCode::OK,
                        "{from} → {to}: {}",
                        moved.text
                    );
                    assert_eq!(moved.body["state"], state.as_str(), "{from} → {to}");
                    assert_eq!(
                        moved.body["productOrderItem"][0]["state"],
                        items[0].as_str()
                    );
                }
                Err(_refused) => {
                    // Every refusal of a move is a conflict with the order's state.
                    let message = moved.assert_tmf_error(409);
                    assert!(message.contains(to.as_str()), "{from} → {to}: {message}");
                    let after = shop.app.get(&format!("{ORDERS}/{id}")).await.body;
                    assert_eq!(after, before, "a refused move changes nothing");
                }
            }
        }
    }
}

#[tokio::test]
async fn items_move_on_their_own_and_the_order_follows() {
    let shop = Shop::open().await;
    let order = shop.place(&shop.order(2)).await;
    let id = order["id"].as_str().expect("id").to_owned();
    let item_states = |states: [&str; 2]| {
        json!([
            {"op": "replace", "path": "/productOrderItem/0/state", "value": states[0]},
            {"op": "replace", "path": "/productOrderItem/1/state", "value": states[1]},
        ])
    };
    let patch = |body: Value| {
        let app = &shop.app;
        let id = id.clone();
        async move {
            app.patch(
                &format!("{ORDERS}/{id}"),
                "application/json-patch+json",
                &body,
            )
            .await
        }
    };
    let moved = patch(item_states(["inProgress", "acknowledged"])).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    assert_eq!(moved.body["state"], "inProgress", "work started");
    let refused = patch(item_states(["acknowledged", "acknowledged"])).await;
    assert!(
        refused
            .assert_tmf_error(409)
            .contains("productOrderItem '1'")
    );
    let moved = patch(item_states(["completed", "inProgress"])).await;
    assert_eq!(moved.body["state"], "inProgress");
    let moved = patch(item_states(["completed", "failed"])).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    assert_eq!(moved.body["state"], "partial", "one completed, one failed");
    assert!(moved.body["completionDate"].is_string());
    // A partial order fulfils its completed items only.
    assert_eq!(shop.count(PRODUCTS).await, 1);
    assert!(moved.body["productOrderItem"][0]["product"]["id"].is_string());
    assert!(
        moved.body["productOrderItem"][1].get("product").is_none()
            || moved.body["productOrderItem"][1]["product"]
                .get("id")
                .is_none()
    );

    // An order with a failed item cannot be declared completed.
    let order = shop.place(&shop.order(2)).await;
    let id = order["id"].as_str().expect("id").to_owned();
    shop.drive(&id, &["inProgress"]).await;
    let moved = shop
        .app
        .patch(
            &format!("{ORDERS}/{id}"),
            "application/json-patch+json",
            &json!([{"op": "replace", "path": "/productOrderItem/1/state", "value": "failed"}]),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    assert!(
        shop.set_state(&id, "completed")
            .await
            .assert_tmf_error(409)
            .contains("partial")
    );

    // Items, server dates and prices are not the client's to change.
    for change in [
        json!({"orderDate": "2001-01-01T00:00:00Z"}),
        json!({"completionDate": "2001-01-01T00:00:00Z"}),
        json!({"orderTotalPrice": []}),
        json!({"productOrderItem": [{"id": "1", "action": "delete", "product": {"id": "x"}}]}),
    ] {
        let refused = shop
            .app
            .patch(&format!("{ORDERS}/{id}"), MERGE, &change)
            .await;
        refused.assert_tmf_error(422);
    }
    // Notes are appended, dated and signed; never rewritten.
    let noted = shop
        .app
        .patch(
            &format!("{ORDERS}/{id}"),
            MERGE,
            &json!({"note": [{"text": "customer called"}]}),
        )
        .await;
    assert_eq!(noted.status, StatusCode::OK, "{}", noted.text);
    assert_eq!(noted.body["note"][0]["author"], "test-admin");
    assert!(noted.body["note"][0]["date"].is_string());
    let rewritten = shop
        .app
        .patch(
            &format!("{ORDERS}/{id}"),
            MERGE,
            &json!({"note": [{"text": "nothing happened"}]}),
        )
        .await;
    assert!(rewritten.assert_tmf_error(422).contains("note"));
}

#[tokio::test]
async fn cancellation_follows_its_rules() {
    let shop = Shop::open().await;
    let app = &shop.app;

    // Not started: cancelled at once.
    let order = shop.place(&shop.order(1)).await;
    let id = order["id"].as_str().expect("id").to_owned();
    let request = shop.cancel(&id).await;
    assert_eq!(request.status, StatusCode::CREATED, "{}", request.text);
    assert_eq!(request.body["state"], "done");
    assert!(request.body["effectiveCancellationDate"].is_string());
    let order = app.get(&format!("{ORDERS}/{id}")).await.body;
    assert_eq!(order["state"], "cancelled");
    assert_eq!(order["productOrderItem"][0]["state"], "cancelled");
    assert!(order["cancellationDate"].is_string());
    assert_eq!(order["cancellationReason"], "customer changed their mind");
    shop.cancel(&id).await.assert_tmf_error(409);

    // In progress: assessed, accepted, carried out; the request follows the order.
    let order = shop.place(&shop.order(1)).await;
    let id = order["id"].as_str().expect("id").to_owned();
    shop.drive(&id, &["inProgress"]).await;
    let request = shop.cancel(&id).await;
    assert_eq!(request.body["state"], "acknowledged", "{}", request.text);
    let request_path = format!("{CANCELS}/{}", request.id());
    let order = app.get(&format!("{ORDERS}/{id}")).await.body;
    assert_eq!(order["state"], "assessingCancellation");
    assert_eq!(
        order["productOrderItem"][0]["state"],
        "assessingCancellation"
    );
    shop.cancel(&id).await.assert_tmf_error(409);
    shop.set_state(&id, "completed").await.assert_tmf_error(409);
    shop.drive(&id, &["pendingCancellation"]).await;
    assert_eq!(app.get(&request_path).await.body["state"], "inProgress");
    shop.drive(&id, &["cancelled"]).await;
    let request = app.get(&request_path).await.body;
    assert_eq!(request["state"], "done");
    assert!(request["effectiveCancellationDate"].is_string());
    assert_eq!(
        shop.count(PRODUCTS).await,
        0,
        "a cancelled order makes nothing"
    );

    // Declined: back to work, the request ends in error.
    let order = shop.place(&shop.order(1)).await;
    let id = order["id"].as_str().expect("id").to_owned();
    shop.drive(&id, &["inProgress"]).await;
    let request = shop.cancel(&id).await;
    let request_path = format!("{CANCELS}/{}", request.id());
    shop.drive(&id, &["inProgress"]).await;
    assert_eq!(
        app.get(&request_path).await.body["state"],
        "terminatedWithError"
    );
    shop.drive(&id, &["completed"]).await;

    // A completed order cannot be cancelled; nothing is stored for the refusal.
    let requests = shop.count(CANCELS).await;
    let refused = shop.cancel(&id).await;
    assert!(refused.assert_tmf_error(409).contains("completed"));
    assert_eq!(shop.count(CANCELS).await, requests);
    // Nor can an order with a completed item.
    let order = shop.place(&shop.order(2)).await;
    let id = order["id"].as_str().expect("id").to_owned();
    shop.drive(&id, &["inProgress"]).await;
    app.patch(
        &format!("{ORDERS}/{id}"),
        "application/json-patch+json",
        &json!([{"op": "replace", "path": "/productOrderItem/0/state", "value": "completed"}]),
    )
    .await;
    assert!(shop.cancel(&id).await.assert_tmf_error(409).contains("'1'"));
    // A cancel request is a task: no PATCH, no DELETE; its order must exist.
    let patched = app
        .patch(&request_path, MERGE, &json!({"state": "done"}))
        .await;
    patched.assert_tmf_error(405);
    app.delete(&request_path).await.assert_tmf_error(405);
    shop.cancel("no-such-order").await.assert_tmf_error(422);
    let direct = shop.set_state(&id, "cancelled").await;
    direct.assert_tmf_error(409);
}

#[tokio::test]
async fn modify_and_delete_orders_change_and_terminate_the_product() {
    let shop = Shop::open().await;
    let app = &shop.app;
    let order = shop.place(&shop.order(1)).await;
    let id = order["id"].as_str().expect("id").to_owned();
    shop.drive(&id, &["inProgress", "completed"]).await;
    let product =
        app.get(&format!("{ORDERS}/{id}")).await.body["productOrderItem"][0]["product"]["id"]
            .as_str()
            .expect("product")
            .to_owned();

    let premium_price = price(
        app,
        json!({"name": "Fibre 1G monthly", "priceType": "recurring", "recurringChargePeriodType": "month",
            "lifecycleStatus": "Launched", "price": {"unit": "EUR", "value": 45}, "tax": [{"taxRate": 20}]}),
    )
    .await;
    let premium = offering(app, "Fibre 1G", &[&premium_price], "Launched").await;
    let upgrade = shop
        .place(&json!({"relatedParty": shop.buyer(), "productOrderItem": [{"id": "1", "action": "modify",
            "product": {"id": product, "productCharacteristic": [{"name": "speed", "value": "1G"}]},
            "productOffering": {"id": premium}}]}))
        .await;
    assert_eq!(
        prices(&upgrade["orderTotalPrice"]),
        [("recurring".into(), dec("45"), dec("54"))]
    );
    let upgrade_id = upgrade["id"].as_str().expect("id").to_owned();
    shop.drive(&upgrade_id, &["inProgress", "completed"]).await;
    let changed = app.get(&format!("{PRODUCTS}/{product}")).await.body;
    assert_eq!(changed["productOffering"]["id"], premium.as_str());
    assert_eq!(changed["productCharacteristic"][0]["value"], "1G");
    assert_eq!(
        prices(&changed["productPrice"]),
        [("recurring".into(), dec("45"), dec("54"))]
    );
    assert_eq!(
        changed["billingAccount"]["id"],
        shop.account.as_str(),
        "kept"
    );
    assert_eq!(
        changed["productOrderItem"].as_array().expect("links").len(),
        2
    );
    assert_eq!(changed["productOrderItem"][1]["orderItemAction"], "modify");

    let stop = shop
        .place(&json!({"relatedParty": shop.buyer(), "productOrderItem": [
            {"id": "1", "action": "delete", "product": {"id": product}}]}))
        .await;
    let stop_id = stop["id"].as_str().expect("id").to_owned();
    shop.drive(&stop_id, &["inProgress", "completed"]).await;
    let ended = app.get(&format!("{PRODUCTS}/{product}")).await.body;
    assert_eq!(ended["status"], "terminated");
    assert!(ended["terminationDate"].is_string());
    // A terminated product cannot be ordered against again.
    let again = app
        .post(
            ORDERS,
            &json!({"relatedParty": shop.buyer(), "productOrderItem": [
            {"id": "1", "action": "delete", "product": {"id": product}}]}),
        )
        .await;
    assert!(again.assert_tmf_error(422).contains("terminated"));
    // The 360 view still lists the customer's products, ended ones included.
    let view = app
        .get(&format!(
            "/tmf-api/customerManagement/v4/customer/{}/view",
            shop.customer
        ))
        .await;
    assert_eq!(view.body["products"][0]["status"], "terminated");
}

/// Makes the second product insert of any transaction fail, as a storage fault would.
async fn inject_inventory_failure(app: &TestApp, on: bool) {
    let connection = app.store.connection();
    let statements: Vec<&str> = match (on_postgres(), on) {
        (false, true) => vec![
            "CREATE TRIGGER fail_second_product BEFORE INSERT ON product_inventory \
             WHEN (SELECT COUNT(*) FROM product_inventory) >= 1 \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
        ],
        (false, false) => vec!["DROP TRIGGER fail_second_product"],
        (true, true) => vec![
            "CREATE FUNCTION fail_second_product() RETURNS trigger AS $$ BEGIN \
             IF (SELECT COUNT(*) FROM product_inventory) >= 1 THEN RAISE EXCEPTION 'injected failure'; END IF; \
             RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER fail_second_product BEFORE INSERT ON product_inventory \
             FOR EACH ROW EXECUTE FUNCTION fail_second_product()",
        ],
        (true, false) => vec!["DROP TRIGGER fail_second_product ON product_inventory"],
    };
    for statement in statements {
        connection
            .execute_unprepared(statement)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
}

#[tokio::test]
async fn a_failure_during_fulfilment_leaves_neither_order_nor_inventory_changed() {
    let shop = Shop::open().await;
    let app = &shop.app;
    let order = shop.place(&shop.order(2)).await;
    let id = order["id"].as_str().expect("id").to_owned();
    shop.drive(&id, &["inProgress"]).await;
    let before = app.get(&format!("{ORDERS}/{id}")).await.body;
    let history_before = app.get(&format!("{ORDERS}/{id}/history")).await.body;

    inject_inventory_failure(app, true).await;
    let failed = shop.set_state(&id, "completed").await;
    assert!(failed.status.is_server_error(), "{}", failed.text);
    assert_eq!(failed.body["@type"], "Error");
    assert_eq!(
        shop.count(PRODUCTS).await,
        0,
        "the first product was rolled back too"
    );
    assert_eq!(app.get(&format!("{ORDERS}/{id}")).await.body, before);
    assert_eq!(
        app.get(&format!("{ORDERS}/{id}/history")).await.body,
        history_before
    );

    inject_inventory_failure(app, false).await;
    let completed = shop.set_state(&id, "completed").await;
    assert_eq!(completed.status, StatusCode::OK, "{}", completed.text);
    assert_eq!(
        shop.count(PRODUCTS).await,
        2,
        "exactly one product per add item"
    );
    let listed = app
        .get(&format!("{PRODUCTS}?productOrderItem.productOrderId={id}"))
        .await;
    assert_eq!(
        listed.body.as_array().map(Vec::len),
        Some(2),
        "{}",
        listed.text
    );
}

/// Runs `statements` (trigger definitions and removals) on the test database.
async fn execute(app: &TestApp, statements: &[String]) {
    for statement in statements {
        app.store
            .connection()
            .execute_unprepared(statement)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
}

/// Makes every product insert bump the version of `product`, as a concurrent write of it
/// would between the fulfilment's reading of it and its writing.
async fn bump_product_on_insert(app: &TestApp, product: &str, on: bool) {
    let statements = match (on_postgres(), on) {
        (false, true) => vec![format!(
            "CREATE TRIGGER bump_product AFTER INSERT ON product_inventory \
             WHEN NEW.id <> '{product}' \
             BEGIN UPDATE product_inventory SET version = version + 1 WHERE id = '{product}'; END"
        )],
        (false, false) => vec!["DROP TRIGGER bump_product".to_owned()],
        (true, true) => vec![
            format!(
                "CREATE FUNCTION bump_product() RETURNS trigger AS $$ BEGIN \
                 UPDATE product_inventory SET version = version + 1 WHERE id = '{product}'; \
                 RETURN NEW; END $$ LANGUAGE plpgsql"
            ),
            format!(
                "CREATE TRIGGER bump_product AFTER INSERT ON product_inventory \
                 FOR EACH ROW WHEN (NEW.id <> '{product}') EXECUTE FUNCTION bump_product()"
            ),
        ],
        (true, false) => vec![
            "DROP TRIGGER bump_product ON product_inventory".to_owned(),
            "DROP FUNCTION bump_product()".to_owned(),
        ],
    };
    execute(app, &statements).await;
}

#[tokio::test]
async fn a_product_changed_during_fulfilment_is_a_conflict_and_nothing_is_written() {
    let shop = Shop::open().await;
    let app = &shop.app;
    let first = shop.place(&shop.order(1)).await;
    let first_id = first["id"].as_str().expect("id").to_owned();
    shop.drive(&first_id, &["inProgress", "completed"]).await;
    let product =
        app.get(&format!("{ORDERS}/{first_id}")).await.body["productOrderItem"][0]["product"]["id"]
            .as_str()
            .expect("product")
            .to_owned();
    let mut order = shop.order(1);
    order["productOrderItem"]
        .as_array_mut()
        .expect("items")
        .push(json!({"id": "2", "action": "modify",
            "product": {"id": product, "productCharacteristic": [{"name": "speed", "value": "1G"}]}}));
    let second = shop.place(&order).await;
    let id = second["id"].as_str().expect("id").to_owned();
    shop.drive(&id, &["inProgress"]).await;
    let before = app.get(&format!("{ORDERS}/{id}")).await.body;
    let product_before = app.get(&format!("{PRODUCTS}/{product}")).await;

    // The add item's product is written first; its insert changes the product the modify
    // item read, so the modify's write finds it at another version.
    bump_product_on_insert(app, &product, true).await;
    let lost = shop.set_state(&id, "completed").await;
    let message = lost.assert_tmf_error(409);
    assert!(
        message.contains(&format!("Product '{product}' was changed concurrently")),
        "a lost race inside fulfilment stays a 409 in the store's words: {message}"
    );
    assert_eq!(
        shop.count(PRODUCTS).await,
        1,
        "the new product was rolled back"
    );
    assert_eq!(app.get(&format!("{ORDERS}/{id}")).await.body, before);
    let product_after = app.get(&format!("{PRODUCTS}/{product}")).await;
    assert_eq!(product_after.body, product_before.body);
    assert_eq!(
        product_after.header("etag"),
        product_before.header("etag"),
        "the bump was rolled back with the rest"
    );

    bump_product_on_insert(app, &product, false).await;
    let completed = shop.set_state(&id, "completed").await;
    assert_eq!(completed.status, StatusCode::OK, "{}", completed.text);
    let changed = app.get(&format!("{PRODUCTS}/{product}")).await.body;
    assert_eq!(changed["productCharacteristic"][0]["value"], "1G");
    assert_eq!(shop.count(PRODUCTS).await, 2);
}

/// Makes every product insert fail as lock contention does: on PostgreSQL with a
/// serialization failure (SQLSTATE 40001); on SQLite, whose triggers can raise only a
/// constraint error, with the words SQLite reports contention in ("database is locked"),
/// which the store reads as contention when no code says so.
async fn contend_on_product_insert(app: &TestApp, on: bool) {
    let statements: Vec<String> = match (on_postgres(), on) {
        (false, true) => vec![
            "CREATE TRIGGER contend_product BEFORE INSERT ON product_inventory \
             BEGIN SELECT RAISE(ABORT, 'database is locked'); END"
                .to_owned(),
        ],
        (false, false) => vec!["DROP TRIGGER contend_product".to_owned()],
        (true, true) => vec![
            "CREATE FUNCTION contend_product() RETURNS trigger AS $$ BEGIN \
             RAISE EXCEPTION 'injected contention' USING ERRCODE = '40001'; END $$ LANGUAGE plpgsql"
                .to_owned(),
            "CREATE TRIGGER contend_product BEFORE INSERT ON product_inventory \
             FOR EACH ROW EXECUTE FUNCTION contend_product()"
                .to_owned(),
        ],
        (true, false) => vec![
            "DROP TRIGGER contend_product ON product_inventory".to_owned(),
            "DROP FUNCTION contend_product()".to_owned(),
        ],
    };
    execute(app, &statements).await;
}

#[tokio::test]
async fn contention_during_fulfilment_is_a_503_to_retry_and_nothing_is_written() {
    let shop = Shop::open().await;
    let app = &shop.app;
    let order = shop.place(&shop.order(1)).await;
    let id = order["id"].as_str().expect("id").to_owned();
    shop.drive(&id, &["inProgress"]).await;
    let before = app.get(&format!("{ORDERS}/{id}")).await.body;

    contend_on_product_insert(app, true).await;
    let busy = shop.set_state(&id, "completed").await;
    let message = busy.assert_tmf_error(503);
    assert!(message.contains("retry"), "{message}");
    assert!(
        busy.header("retry-after").is_some(),
        "a 503 says when to retry"
    );
    assert_eq!(shop.count(PRODUCTS).await, 0);
    assert_eq!(app.get(&format!("{ORDERS}/{id}")).await.body, before);

    contend_on_product_insert(app, false).await;
    let completed = shop.set_state(&id, "completed").await;
    assert_eq!(completed.status, StatusCode::OK, "{}", completed.text);
    assert_eq!(shop.count(PRODUCTS).await, 1);
}

#[tokio::test]
async fn erasing_the_customer_s_person_masks_their_orders_and_products() {
    let shop = Shop::open().await;
    let app = &shop.app;
    let mut order = shop.order(1);
    order["relatedParty"][0]["name"] = json!("Ada Lovelace");
    order["note"] = json!([{"text": "Ada asks for a call on +44 20 7946 0000"}]);
    let order = shop.place(&order).await;
    let id = order["id"].as_str().expect("id").to_owned();
    shop.drive(&id, &["inProgress", "completed"]).await;

    let report = app.erase(&shop.party).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text);
    let erased = app.get(&format!("{ORDERS}/{id}")).await.body;
    assert!(erased.get("note").is_none(), "{erased}");
    assert!(erased.get("description").is_none(), "{erased}");
    assert_eq!(erased["relatedParty"][0]["name"], "[erased]");
    assert_eq!(erased["relatedParty"][0]["id"], shop.customer.as_str());
    assert_eq!(
        erased["state"], "completed",
        "states, dates and prices are kept"
    );
    assert_eq!(erased["orderTotalPrice"], order["orderTotalPrice"]);
    let product_id = erased["productOrderItem"][0]["product"]["id"]
        .as_str()
        .expect("product");
    let product = app.get(&format!("{PRODUCTS}/{product_id}")).await.body;
    assert_eq!(product["relatedParty"][0]["name"], "[erased]");
    assert_eq!(product["status"], "active");
    let text = format!("{erased}{product}");
    assert!(
        !text.contains("Lovelace") && !text.contains("7946 0000"),
        "{text}"
    );
}

/// Reads an RFC 3339 date-time attribute.
fn instant(value: &Value) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(value.as_str().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{value}: {e}"))
        .with_timezone(&chrono::Utc)
}

#[tokio::test]
async fn order_dates_sellability_and_catalog_stamps_follow_the_injected_clock() {
    let shop = Shop::open().await;
    let real_now = chrono::Utc::now();
    // An offering sellable only from 200 days on: not yet.
    let from = real_now + chrono::Duration::days(200);
    let future = created(
        shop.app
            .post(
                &format!("{CATALOG}/productOffering"),
                &json!({"name": "Fibre next year", "lifecycleStatus": "Active", "isSellable": true,
                    "validFor": {"startDateTime": from.to_rfc3339()},
                    "productOfferingPrice": [{"id": shop.setup}]}),
            )
            .await,
        "future offering",
    )
    .await;
    let mut order = shop.order(1);
    order["productOrderItem"][0]["productOffering"]["id"] = json!(future);
    let early = shop.app.post(ORDERS, &order).await;
    assert!(
        early.assert_tmf_error(422).contains("productOrderItem"),
        "{}",
        early.text
    );

    // 400 days later by the rules' clock: sellable, and every date is the clock's.
    shop.app.clock.advance(chrono::Duration::days(400));
    let later = real_now + chrono::Duration::days(399);
    let placed = shop.place(&order).await;
    let ordered = instant(&placed["orderDate"]);
    assert!(ordered > later, "orderDate {ordered}");
    assert_eq!(
        instant(&placed["expectedCompletionDate"]) - ordered,
        chrono::Duration::hours(72),
        "the lead time counts from the clock's order date"
    );
    let id = placed["id"].as_str().expect("id").to_owned();
    shop.drive(&id, &["inProgress", "completed"]).await;
    let completed = shop.app.get(&format!("{ORDERS}/{id}")).await.body;
    let product_id = completed["productOrderItem"][0]["product"]["id"]
        .as_str()
        .expect("the item's product")
        .to_owned();
    let product = shop.app.get(&format!("{PRODUCTS}/{product_id}")).await.body;
    assert!(instant(&product["startDate"]) > later, "{product}");
    let specification = shop
        .app
        .post(
            &format!("{CATALOG}/productSpecification"),
            &json!({"name": "Stamped later"}),
        )
        .await;
    assert!(
        instant(&specification.body["lastUpdate"]) > later,
        "{}",
        specification.text
    );
}

/// Asserts `at` is an instant of the rules' clock between `before` and `after` (read from it
/// around the request that set it), and far from the wall clock's.
fn on_the_clock(
    at: chrono::DateTime<chrono::Utc>,
    before: chrono::DateTime<chrono::Utc>,
    after: chrono::DateTime<chrono::Utc>,
    what: &str,
) {
    assert!(
        before <= at && at <= after,
        "{what}: {at} not within {before} … {after}"
    );
    assert!(
        at - chrono::Utc::now() > chrono::Duration::days(1),
        "{what}: {at} is the wall clock's"
    );
}

#[tokio::test]
async fn the_lead_time_is_judged_by_the_rules_clock_not_the_wall_clock() {
    let shop = Shop::open().await;
    shop.app.clock.advance(chrono::Duration::days(10));
    let lead_time = chrono::Duration::hours(72); // the default `orders.lead_time_hours`
    // Five days ahead by the wall clock, five days past by the rules' clock: the date is
    // not kept, the lead time counts from the clock's order date.
    let past = chrono::Utc::now() + chrono::Duration::days(5);
    let mut order = shop.order(1);
    order["requestedCompletionDate"] = json!(past.to_rfc3339());
    let before = shop.app.clock.now();
    let placed = shop.place(&order).await;
    let after = shop.app.clock.now();
    let ordered = instant(&placed["orderDate"]);
    on_the_clock(ordered, before, after, "orderDate");
    assert_eq!(
        instant(&placed["expectedCompletionDate"]),
        ordered + lead_time,
        "a requested date already past by the clock gives the lead time"
    );
    // A date ahead of the rules' clock is kept.
    let ahead = shop.app.clock.now() + chrono::Duration::days(5);
    order["requestedCompletionDate"] = json!(ahead.to_rfc3339());
    let placed = shop.place(&order).await;
    assert_eq!(
        instant(&placed["expectedCompletionDate"]),
        instant(&json!(ahead.to_rfc3339())),
        "a requested date ahead of the clock is the expected one"
    );
}

#[tokio::test]
async fn the_inventory_dates_its_products_by_the_rules_clock() {
    let shop = Shop::open().await;
    shop.app.clock.advance(chrono::Duration::days(30));
    let order = shop.place(&shop.order(1)).await;
    let id = order["id"].as_str().expect("id").to_owned();
    shop.drive(&id, &["inProgress"]).await;
    let before = shop.app.clock.now();
    shop.drive(&id, &["completed"]).await;
    let after = shop.app.clock.now();
    let completed = shop.app.get(&format!("{ORDERS}/{id}")).await.body;
    on_the_clock(
        instant(&completed["completionDate"]),
        before,
        after,
        "completionDate",
    );
    let product_id = completed["productOrderItem"][0]["product"]["id"]
        .as_str()
        .expect("the item's product")
        .to_owned();
    let product = shop.app.get(&format!("{PRODUCTS}/{product_id}")).await.body;
    assert_eq!(product["status"], "active");
    on_the_clock(instant(&product["startDate"]), before, after, "startDate");

    // Termination a week later by the clock.
    shop.app.clock.advance(chrono::Duration::days(7));
    let stop = shop
        .place(&json!({"relatedParty": shop.buyer(), "productOrderItem": [
            {"id": "1", "action": "delete", "product": {"id": product_id}}]}))
        .await;
    let stop_id = stop["id"].as_str().expect("id").to_owned();
    shop.drive(&stop_id, &["inProgress"]).await;
    let before = shop.app.clock.now();
    shop.drive(&stop_id, &["completed"]).await;
    let after = shop.app.clock.now();
    let ended = shop.app.get(&format!("{PRODUCTS}/{product_id}")).await.body;
    assert_eq!(ended["status"], "terminated");
    on_the_clock(
        instant(&ended["terminationDate"]),
        before,
        after,
        "terminationDate",
    );
    assert_eq!(
        instant(&ended["startDate"]),
        instant(&product["startDate"]),
        "the start date stays"
    );

    // A product loaded through the API, active with no dates, starts at the clock's now.
    let before = shop.app.clock.now();
    let loaded = shop
        .app
        .post(
            PRODUCTS,
            &json!({"name": "Legacy line", "status": "active", "relatedParty": shop.buyer()}),
        )
        .await;
    let after = shop.app.clock.now();
    assert_eq!(loaded.status, StatusCode::CREATED, "{}", loaded.text);
    on_the_clock(
        instant(&loaded.body["startDate"]),
        before,
        after,
        "startDate",
    );
}
