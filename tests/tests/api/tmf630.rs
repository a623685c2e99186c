//! TMF630 behaviour through the real router: create, retrieve, list (paging, headers,
//! `fields`, filters, sort), patch (merge and JSON Patch), delete, references and hrefs.

use axum::http::{Method, StatusCode};
use crm_tests::{CUSTOMER, INDIVIDUAL, ORGANIZATION, PARTY_ROLE, TestApp};
use serde_json::{Value, json};

fn ids(body: &Value) -> Vec<String> {
    body.as_array()
        .expect("a list is a JSON array")
        .iter()
        .map(|item| item["id"].as_str().expect("id").to_owned())
        .collect()
}

fn names(body: &Value, attribute: &str) -> Vec<String> {
    body.as_array()
        .expect("a list is a JSON array")
        .iter()
        .map(|item| item[attribute].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn create_returns_201_with_location_and_server_assigned_identity() {
    let app = TestApp::new().await;
    let response = app
        .post(
            INDIVIDUAL,
            &json!({"givenName": "Ada", "familyName": "Lovelace"}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    let id = response.id();
    assert!(!id.is_empty());
    let href = format!("http://crm.test{INDIVIDUAL}/{id}");
    assert_eq!(response.body["href"], href);
    assert_eq!(response.header("location"), Some(href.as_str()));
    assert_eq!(response.body["@type"], "Individual");
    assert!(response.header("x-request-id").is_some());

    let fetched = app.get(&format!("{INDIVIDUAL}/{id}")).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.body, response.body);
}

#[tokio::test]
async fn href_follows_forwarded_headers_and_configured_public_url() {
    let app = TestApp::new().await;
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri(INDIVIDUAL)
        .header("host", "internal:8080")
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "crm.example.com")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            json!({"givenName": "A", "familyName": "B"}).to_string(),
        ))
        .expect("request");
    let response = app.send(request).await;
    let href = response.body["href"].as_str().expect("href");
    assert!(
        href.starts_with("https://crm.example.com/tmf-api/party/v4/individual/"),
        "{href}"
    );

    let configured =
        TestApp::with_settings(|s| s.public_url = Some("https://api.operator.net".into())).await;
    let response = configured
        .post(INDIVIDUAL, &json!({"givenName": "A", "familyName": "B"}))
        .await;
    let href = response.body["href"].as_str().expect("href");
    assert!(
        href.starts_with("https://api.operator.net/tmf-api/party/v4/individual/"),
        "{href}"
    );
}

#[tokio::test]
async fn list_is_an_array_with_count_headers_and_paging() {
    let app = TestApp::new().await;
    for i in 0..5 {
        app.individual(&format!("Given{i}"), &format!("Family{i}"))
            .await;
    }
    let all = app.get(INDIVIDUAL).await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(all.header("x-total-count"), Some("5"));
    assert_eq!(all.header("x-result-count"), Some("5"));
    assert_eq!(all.body.as_array().map(Vec::len), Some(5));

    let page = app
        .get(&format!("{INDIVIDUAL}?offset=1&limit=2&sort=familyName"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "a paged list is still 200");
    assert_eq!(page.header("x-total-count"), Some("5"));
    assert_eq!(page.header("x-result-count"), Some("2"));
    assert_eq!(names(&page.body, "familyName"), ["Family1", "Family2"]);

    let beyond = app.get(&format!("{INDIVIDUAL}?offset=10")).await;
    assert_eq!(beyond.body, json!([]));
    assert_eq!(beyond.header("x-total-count"), Some("5"));
    assert_eq!(beyond.header("x-result-count"), Some("0"));

    let empty = app.get(CUSTOMER).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.body, json!([]));
}

#[tokio::test]
async fn fields_projection_keeps_id_href_type_and_what_the_schema_requires() {
    let app = TestApp::new().await;
    let party = app.individual("Grace", "Hopper").await;
    let customer = app.customer("Grace Hopper", &party, "active").await;

    let list = app
        .get(&format!("{CUSTOMER}?fields=name,engagedParty.id"))
        .await;
    let item = &list.body[0];
    let mut keys: Vec<&str> = item
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["@type", "engagedParty", "href", "id", "name"]);
    // engagedParty is required by the Customer schema: kept whole.
    assert_eq!(item["engagedParty"]["id"], json!(party));

    let one = app
        .get(&format!("{CUSTOMER}/{customer}?fields=status"))
        .await;
    let mut keys: Vec<&str> = one
        .body
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["@type", "engagedParty", "href", "id", "status"]);
}

async fn customers_with_statuses(app: &TestApp) -> Vec<String> {
    let mut customers = Vec::new();
    for (name, status) in [
        ("Alice Martin", "active"),
        ("Bob Martin", "inactive"),
        ("Carol Smith", "active"),
        ("Dave Jones", "closed"),
    ] {
        let party = app.individual(name, "X").await;
        customers.push(app.customer(name, &party, status).await);
    }
    customers
}

#[tokio::test]
async fn filters_equality_or_and_nested() {
    let app = TestApp::new().await;
    customers_with_statuses(&app).await;

    let active = app
        .get(&format!("{CUSTOMER}?status=active&sort=name"))
        .await;
    assert_eq!(names(&active.body, "name"), ["Alice Martin", "Carol Smith"]);
    assert_eq!(active.header("x-total-count"), Some("2"));

    let comma = app
        .get(&format!("{CUSTOMER}?status=active,closed&sort=name"))
        .await;
    assert_eq!(
        names(&comma.body, "name"),
        ["Alice Martin", "Carol Smith", "Dave Jones"]
    );
    let repeated = app
        .get(&format!(
            "{CUSTOMER}?status=inactive&status=closed&sort=name"
        ))
        .await;
    assert_eq!(names(&repeated.body, "name"), ["Bob Martin", "Dave Jones"]);

    let and = app
        .get(&format!("{CUSTOMER}?status=active&name=Carol%20Smith"))
        .await;
    assert_eq!(names(&and.body, "name"), ["Carol Smith"]);

    let bob = &repeated.body[0];
    let party = bob["engagedParty"]["id"].as_str().expect("party");
    let nested = app
        .get(&format!("{CUSTOMER}?engagedParty.id={party}"))
        .await;
    assert_eq!(names(&nested.body, "name"), ["Bob Martin"]);

    let ne = app
        .get(&format!("{CUSTOMER}?status.ne=active&sort=-name"))
        .await;
    assert_eq!(names(&ne.body, "name"), ["Dave Jones", "Bob Martin"]);

    let regex = app
        .get(&format!("{CUSTOMER}?name.regex=Martin$&sort=name"))
        .await;
    assert_eq!(regex.status, StatusCode::OK, "{}", regex.text);
    assert_eq!(names(&regex.body, "name"), ["Alice Martin", "Bob Martin"]);

    let by_type = app.get(&format!("{CUSTOMER}?@type=Customer")).await;
    assert_eq!(by_type.header("x-total-count"), Some("4"));
    let other_type = app.get(&format!("{CUSTOMER}?%40type=Other")).await;
    assert_eq!(other_type.header("x-total-count"), Some("0"));
}

#[tokio::test]
async fn filters_inside_lists_match_any_element() {
    let app = TestApp::new().await;
    let with_email = app
        .post(
            INDIVIDUAL,
            &json!({"givenName": "E", "familyName": "Mail", "contactMedium": [
                {"mediumType": "phone", "characteristic": {"phoneNumber": "+442079460002"}},
                {"mediumType": "email", "characteristic": {"emailAddress": "e@example.com"}}
            ]}),
        )
        .await
        .id();
    app.post(
        INDIVIDUAL,
        &json!({"givenName": "P", "familyName": "Hone", "contactMedium": [
            {"mediumType": "phone", "characteristic": {"phoneNumber": "+442079460003"}}
        ]}),
    )
    .await;
    let found = app
        .get(&format!(
            "{INDIVIDUAL}?contactMedium.characteristic.emailAddress=e@example.com"
        ))
        .await;
    assert_eq!(ids(&found.body), std::slice::from_ref(&with_email));
    let phones = app
        .get(&format!("{INDIVIDUAL}?contactMedium.mediumType=phone"))
        .await;
    assert_eq!(phones.header("x-total-count"), Some("2"));
    let no_email = app
        .get(&format!("{INDIVIDUAL}?contactMedium.mediumType.ne=email"))
        .await;
    assert_eq!(no_email.header("x-total-count"), Some("1"));
    assert_ne!(ids(&no_email.body), [with_email]);
}

#[tokio::test]
async fn dates_compare_as_instants_and_sort_as_instants() {
    let app = TestApp::new().await;
    for (name, birth) in [
        ("Early", "1950-06-01T00:00:00Z"),
        // 1990-01-01T01:00:00+02:00 is 1989-12-31T23:00:00Z: before 1990 as an instant.
        ("Offset", "1990-01-01T01:00:00+02:00"),
        ("Late", "2001-03-04T05:06:07.5Z"),
    ] {
        let response = app
            .post(
                INDIVIDUAL,
                &json!({"givenName": name, "familyName": "D", "birthDate": birth}),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    }
    let after = app
        .get(&format!(
            "{INDIVIDUAL}?birthDate.gte=1990-01-01T00:00:00Z&sort=birthDate"
        ))
        .await;
    assert_eq!(names(&after.body, "givenName"), ["Late"]);
    let before = app
        .get(&format!(
            "{INDIVIDUAL}?birthDate.lt=1990-01-01&sort=-birthDate"
        ))
        .await;
    assert_eq!(names(&before.body, "givenName"), ["Offset", "Early"]);
    let between = app
        .get(&format!(
            "{INDIVIDUAL}?birthDate.gt=1950-06-01T00:00:00Z&birthDate.lte=2001-03-04T05:06:07.5Z&sort=birthDate"
        ))
        .await;
    assert_eq!(names(&between.body, "givenName"), ["Offset", "Late"]);
    let sorted = app.get(&format!("{INDIVIDUAL}?sort=-birthDate")).await;
    assert_eq!(
        names(&sorted.body, "givenName"),
        ["Late", "Offset", "Early"]
    );
}

#[tokio::test]
async fn booleans_filter_as_booleans() {
    let app = TestApp::new().await;
    for (name, head_office) in [("Head", true), ("Branch", false)] {
        let response = app
            .post(
                ORGANIZATION,
                &json!({"tradingName": name, "isHeadOffice": head_office}),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    }
    let heads = app.get(&format!("{ORGANIZATION}?isHeadOffice=true")).await;
    assert_eq!(names(&heads.body, "tradingName"), ["Head"]);
    let branches = app.get(&format!("{ORGANIZATION}?isHeadOffice=false")).await;
    assert_eq!(names(&branches.body, "tradingName"), ["Branch"]);
}

#[tokio::test]
async fn merge_patch_and_json_patch_return_the_whole_resource() {
    let app = TestApp::new().await;
    let party = app.individual("Alan", "Turing").await;
    let customer = app.customer("Alan Turing", &party, "initialized").await;
    let uri = format!("{CUSTOMER}/{customer}");

    for media in ["application/merge-patch+json", "application/json"] {
        let patched = app
            .patch(
                &uri,
                media,
                &json!({"status": "active", "statusReason": null}),
            )
            .await;
        assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
        assert_eq!(patched.body["status"], "active");
        assert_eq!(
            patched.body["name"], "Alan Turing",
            "the whole resource comes back"
        );
        assert_eq!(patched.body["id"], customer);
        assert!(patched.body["href"].as_str().is_some());
    }
    let merged = app
        .patch(
            &uri,
            "application/merge-patch+json",
            &json!({"statusReason": "verified"}),
        )
        .await;
    assert_eq!(merged.body["statusReason"], "verified");
    let removed = app
        .patch(
            &uri,
            "application/merge-patch+json",
            &json!({"statusReason": null}),
        )
        .await;
    assert!(removed.body.get("statusReason").is_none(), "null removes");

    let json_patch = app
        .patch(
            &uri,
            "application/json-patch+json",
            &json!([
                {"op": "test", "path": "/status", "value": "active"},
                {"op": "replace", "path": "/name", "value": "A. M. Turing"},
                {"op": "add", "path": "/characteristic", "value": [{"name": "segment", "value": "gold"}]}
            ]),
        )
        .await;
    assert_eq!(json_patch.status, StatusCode::OK, "{}", json_patch.text);
    assert_eq!(json_patch.body["name"], "A. M. Turing");
    assert_eq!(json_patch.body["characteristic"][0]["value"], "gold");

    let fetched = app.get(&uri).await;
    assert_eq!(fetched.body, json_patch.body, "the patch is stored");

    // A patch echoing id and href unchanged is accepted.
    let echo = app
        .patch(
            &uri,
            "application/merge-patch+json",
            &json!({"id": customer, "href": fetched.body["href"], "status": "inactive"}),
        )
        .await;
    assert_eq!(echo.status, StatusCode::OK, "{}", echo.text);
}

#[tokio::test]
async fn patch_checks_references_again() {
    let app = TestApp::new().await;
    let party = app.individual("Ref", "Check").await;
    let customer = app.customer("Ref Check", &party, "active").await;
    let uri = format!("{CUSTOMER}/{customer}");
    let response = app
        .patch(
            &uri,
            "application/merge-patch+json",
            &json!({"relatedParty": [{"id": "missing", "@referredType": "Organization", "role": "reseller"}]}),
        )
        .await;
    let message = response.assert_tmf_error(422);
    assert!(message.contains("relatedParty[0]"), "{message}");
    assert!(
        app.get(&uri).await.body.get("relatedParty").is_none(),
        "nothing stored"
    );

    let other = app.individual("Other", "Party").await;
    let moved = app
        .patch(
            &uri,
            "application/merge-patch+json",
            &json!({"engagedParty": {"id": other, "@referredType": "Individual"}}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    // The old party is free to go; the new one is held.
    assert_eq!(
        app.delete(&format!("{INDIVIDUAL}/{party}")).await.status,
        StatusCode::NO_CONTENT
    );
    app.delete(&format!("{INDIVIDUAL}/{other}"))
        .await
        .assert_tmf_error(409);
}

#[tokio::test]
async fn delete_is_204_then_404_and_referenced_parties_are_kept() {
    let app = TestApp::new().await;
    let party = app.individual("Del", "Ete").await;
    let customer = app.customer("Del Ete", &party, "active").await;

    let refused = app.delete(&format!("{INDIVIDUAL}/{party}")).await;
    let message = refused.assert_tmf_error(409);
    assert!(message.contains(&customer), "{message}");
    assert_eq!(
        app.get(&format!("{INDIVIDUAL}/{party}")).await.status,
        StatusCode::OK
    );

    let deleted = app.delete(&format!("{CUSTOMER}/{customer}")).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert!(deleted.text.is_empty());
    app.get(&format!("{CUSTOMER}/{customer}"))
        .await
        .assert_tmf_error(404);
    app.delete(&format!("{CUSTOMER}/{customer}"))
        .await
        .assert_tmf_error(404);

    assert_eq!(
        app.delete(&format!("{INDIVIDUAL}/{party}")).await.status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn one_party_store_for_every_reference() {
    let app = TestApp::new().await;
    let organization = app
        .post(ORGANIZATION, &json!({"tradingName": "Acme Telecom"}))
        .await
        .id();
    let person = app.individual("Pat", "Reseller").await;
    let customer = app
        .post(
            CUSTOMER,
            &json!({
                "name": "Acme",
                "engagedParty": {"id": organization, "@referredType": "Organization"},
                "relatedParty": [{"id": person, "@referredType": "Individual", "role": "contact"}]
            }),
        )
        .await;
    assert_eq!(customer.status, StatusCode::CREATED, "{}", customer.text);

    // An organization id is not an individual.
    let wrong_kind = app
        .post(
            CUSTOMER,
            &json!({"name": "X", "engagedParty": {"id": organization, "@referredType": "Individual"}}),
        )
        .await;
    wrong_kind.assert_tmf_error(422);

    // A party role may engage the same party and relate to the customer.
    let role = app
        .post(
            PARTY_ROLE,
            &json!({
                "name": "Reseller",
                "engagedParty": {"id": person, "@referredType": "Individual"},
                "relatedParty": [{"id": customer.id(), "@referredType": "Customer"}]
            }),
        )
        .await;
    assert_eq!(role.status, StatusCode::CREATED, "{}", role.text);
    app.delete(&format!("{CUSTOMER}/{}", customer.id()))
        .await
        .assert_tmf_error(409);
    app.delete(&format!("{ORGANIZATION}/{organization}"))
        .await
        .assert_tmf_error(409);

    // Individuals and organizations are listed apart though stored together.
    assert_eq!(app.get(INDIVIDUAL).await.header("x-total-count"), Some("1"));
    assert_eq!(
        app.get(ORGANIZATION).await.header("x-total-count"),
        Some("1")
    );
    app.get(&format!("{INDIVIDUAL}/{organization}"))
        .await
        .assert_tmf_error(404);
}

#[tokio::test]
async fn health_and_openapi_are_served() {
    let app = TestApp::new().await;
    let health = app.get("/health").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body["status"], "up");
    let openapi = app.get("/openapi.json").await;
    assert_eq!(openapi.status, StatusCode::OK);
    assert!(
        openapi.body["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3."))
    );
    assert!(openapi.body["paths"][INDIVIDUAL]["get"].is_object());
    assert!(openapi.body["components"]["schemas"]["Individual"].is_object());
}
