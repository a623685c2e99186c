//! TMF620 product catalog (issue 5 of 7, first part): lifecycles, server-set `lastUpdate`,
//! references between catalog entities, and who may write the catalog.

use axum::http::StatusCode;
use crm_tests::TestApp;
use serde_json::json;

const BASE: &str = "/tmf-api/productCatalogManagement/v4";

fn path(resource: &str) -> String {
    format!("{BASE}/{resource}")
}

#[tokio::test]
async fn an_offering_moves_through_its_lifecycle_and_nowhere_else() {
    let app = TestApp::new().await;
    let created = app
        .post(&path("productOffering"), &json!({"name": "Fibre 1G"}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.body["lifecycleStatus"], "In design", "the default");
    let item = format!("{}/{}", path("productOffering"), created.id());
    for (to, status) in [
        ("Launched", 409),
        ("In test", 200),
        ("Launched", 200),
        ("In design", 409),
        ("Retired", 200),
        ("Launched", 409),
        ("Obsolete", 200),
        ("Retired", 409),
        ("Sold out", 422),
    ] {
        let moved = app
            .patch(
                &item,
                "application/merge-patch+json",
                &json!({ "lifecycleStatus": to }),
            )
            .await;
        if status == 200 {
            assert_eq!(moved.status, StatusCode::OK, "→ {to}: {}", moved.text);
            assert_eq!(moved.body["lifecycleStatus"], to);
        } else {
            let message = moved.assert_tmf_error(status);
            assert!(message.contains(to), "{message}");
        }
    }
    for (start, status) in [("Retired", 422), ("Obsolete", 422), ("Launched", 201)] {
        let response = app
            .post(
                &path("productOffering"),
                &json!({"name": "Imported", "lifecycleStatus": start}),
            )
            .await;
        assert_eq!(
            response.status.as_u16(),
            status,
            "{start}: {}",
            response.text
        );
    }
}

#[tokio::test]
async fn last_update_belongs_to_the_server() {
    let app = TestApp::new().await;
    let created = app
        .post(
            &path("category"),
            &json!({"name": "Mobile", "lastUpdate": "2001-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let first = created.body["lastUpdate"].as_str().expect("set").to_owned();
    assert!(
        !first.starts_with("2001"),
        "the client's value is replaced: {first}"
    );
    let item = format!("{}/{}", path("category"), created.id());
    let same = app
        .patch(
            &item,
            "application/merge-patch+json",
            &json!({"name": "Mobile"}),
        )
        .await;
    assert_eq!(same.body["lastUpdate"], first.as_str(), "nothing changed");
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let changed = app
        .patch(
            &item,
            "application/merge-patch+json",
            &json!({"description": "phones and plans"}),
        )
        .await;
    let second = changed.body["lastUpdate"].as_str().expect("set");
    assert!(second > first.as_str(), "{second} after {first}");
}

#[tokio::test]
async fn catalog_references_are_checked_and_protect_what_they_point_at() {
    let app = TestApp::new().await;
    let missing = app
        .post(
            &path("productOffering"),
            &json!({"name": "Ghost", "productSpecification": {"id": "nope"}}),
        )
        .await
        .assert_tmf_error(422);
    assert!(missing.contains("productSpecification"), "{missing}");
    // A price is not a specification.
    let price = app
        .post(
            &path("productOfferingPrice"),
            &json!({"name": "Monthly", "priceType": "recurring", "price": {"unit": "EUR", "value": 10}}),
        )
        .await
        .id();
    app.post(
        &path("productOffering"),
        &json!({"name": "Wrong", "productSpecification": {"id": price}}),
    )
    .await
    .assert_tmf_error(422);
    let offering = app
        .post(
            &path("productOffering"),
            &json!({"name": "Fibre", "productOfferingPrice": [{"id": price}]}),
        )
        .await;
    assert_eq!(offering.status, StatusCode::CREATED, "{}", offering.text);
    let refused = app
        .delete(&format!("{}/{price}", path("productOfferingPrice")))
        .await
        .assert_tmf_error(409);
    assert!(refused.contains("productOfferingPrice[0]"), "{refused}");
    let deleted = app
        .delete(&format!("{}/{}", path("productOffering"), offering.id()))
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let deleted = app
        .delete(&format!("{}/{price}", path("productOfferingPrice")))
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn the_catalog_is_written_by_integration_and_read_by_everyone() {
    let app = TestApp::new().await;
    for (role, status) in [("csr", 403), ("supervisor", 403), ("integration", 201)] {
        let token = app.token("someone", &[role]);
        let response = app
            .send(
                axum::http::Request::post(path("category"))
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(json!({"name": "TV"}).to_string()))
                    .expect("request"),
            )
            .await;
        assert_eq!(
            response.status.as_u16(),
            status,
            "{role}: {}",
            response.text
        );
    }
    let token = app.token("csr-1", &["csr"]);
    let read = app
        .send(
            axum::http::Request::get(format!("{}?lifecycleStatus=In%20design", path("category")))
                .header("authorization", format!("Bearer {token}"))
                .body(axum::body::Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    assert_eq!(read.header("x-total-count"), Some("1"));
}

/// A customer, and an order for one item of `offering` by that customer.
async fn order_for(app: &TestApp, offering: &str) -> serde_json::Value {
    let party = app.individual("Grace", "Hopper").await;
    let customer = app.customer("Grace Hopper", &party, "active").await;
    json!({"relatedParty": [{"id": customer, "role": "customer", "@referredType": "Customer"}],
        "productOrderItem": [{"id": "1", "action": "add", "quantity": 1,
            "productOffering": {"id": offering}}]})
}

/// An offering valid from `start` to `end` (each optional), launched.
async fn valid_offering(
    app: &TestApp,
    name: &str,
    start: Option<chrono::DateTime<chrono::Utc>>,
    end: Option<chrono::DateTime<chrono::Utc>>,
) -> String {
    let mut period = json!({});
    if let Some(start) = start {
        period["startDateTime"] = json!(start.to_rfc3339());
    }
    if let Some(end) = end {
        period["endDateTime"] = json!(end.to_rfc3339());
    }
    let created = app
        .post(
            &path("productOffering"),
            &json!({"name": name, "lifecycleStatus": "Launched", "isSellable": true,
                "validFor": period}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    created.id()
}

const ORDERS: &str = "/tmf-api/productOrderingManagement/v4/productOrder";

#[tokio::test]
async fn validity_windows_are_judged_by_the_rules_clock() {
    let app = TestApp::new().await;
    let now = chrono::Utc::now();
    let day = chrono::Duration::days(1);
    // Sellable from ten days on, and sellable until five days on.
    let coming = valid_offering(&app, "Fibre to come", Some(now + day * 10), None).await;
    let ending = valid_offering(&app, "Copper ending", Some(now - day), Some(now + day * 5)).await;
    let coming_order = order_for(&app, &coming).await;
    let ending_order = order_for(&app, &ending).await;

    let early = app.post(ORDERS, &coming_order).await;
    let message = early.assert_tmf_error(422);
    assert!(
        message.contains("Fibre to come") && message.contains("not valid"),
        "{message}"
    );
    let meanwhile = app.post(ORDERS, &ending_order).await;
    assert_eq!(meanwhile.status, StatusCode::CREATED, "{}", meanwhile.text);

    // Six days later by the rules' clock (the wall clock has not moved): the ending offering
    // has ended, the coming one has still not begun.
    app.clock.advance(day * 6);
    let ended = app.post(ORDERS, &ending_order).await;
    let message = ended.assert_tmf_error(422);
    assert!(
        message.contains("Copper ending") && message.contains("not valid"),
        "{message}"
    );
    let still_early = app.post(ORDERS, &coming_order).await;
    still_early.assert_tmf_error(422);

    // Past its start by the clock: the coming offering sells.
    app.clock.advance(day * 5);
    let sold = app.post(ORDERS, &coming_order).await;
    assert_eq!(sold.status, StatusCode::CREATED, "{}", sold.text);
}
