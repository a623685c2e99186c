//! Customer Information Management through the real router: the customer lifecycle.

use axum::http::StatusCode;
use crm_tests::{CUSTOMER, TestApp};
use serde_json::json;
use sid_model::{CustomerStatus, Lifecycle};

const MERGE: &str = "application/merge-patch+json";

/// The allowed steps that lead from `initialized` to `state`.
fn path_to(state: CustomerStatus) -> Vec<CustomerStatus> {
    use CustomerStatus::*;
    match state {
        Initialized => vec![],
        Validated => vec![Validated],
        Active => vec![Active],
        Inactive => vec![Active, Inactive],
        Closed => vec![Closed],
    }
}

#[tokio::test]
async fn every_allowed_and_every_refused_transition_through_the_api() {
    let app = TestApp::new().await;
    let party = app.individual("Life", "Cycle").await;
    for from in CustomerStatus::ALL {
        for to in CustomerStatus::ALL {
            let id = app.customer("Life Cycle", &party, "initialized").await;
            let uri = format!("{CUSTOMER}/{id}");
            for step in path_to(from) {
                let response = app
                    .patch(&uri, MERGE, &json!({"status": step.as_str()}))
                    .await;
                assert_eq!(response.status, StatusCode::OK, "{}", response.text);
            }
            let response = app
                .patch(&uri, MERGE, &json!({"status": to.as_str()}))
                .await;
            let allowed = from == to || from.next().contains(&to);
            if allowed {
                assert_eq!(
                    response.status,
                    StatusCode::OK,
                    "{from:?} → {to:?}: {}",
                    response.text
                );
                assert_eq!(response.body["status"], to.as_str());
            } else {
                let message = response.assert_tmf_error(409);
                for next in from.next() {
                    assert!(
                        message.contains(next.as_str()),
                        "{from:?} → {to:?}: {message}"
                    );
                }
                let stored = app.get(&uri).await;
                assert_eq!(stored.body["status"], from.as_str(), "nothing changed");
            }
        }
    }
}

#[tokio::test]
async fn a_customer_starts_initialized_and_only_in_a_starting_state() {
    let app = TestApp::new().await;
    let party = app.individual("Start", "State").await;
    let created = app
        .post(
            CUSTOMER,
            &json!({"name": "S", "engagedParty": {"id": party, "@referredType": "Individual"}}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.body["status"], "initialized");

    for refused in ["inactive", "closed", "Approved", "sleeping"] {
        let response = app
            .post(
                CUSTOMER,
                &json!({"name": "S", "status": refused,
                    "engagedParty": {"id": party, "@referredType": "Individual"}}),
            )
            .await;
        let message = response.assert_tmf_error(422);
        assert!(message.contains("status"), "{message}");
    }
    assert_eq!(app.get(CUSTOMER).await.header("x-total-count"), Some("1"));

    // Removing the status keeps the current one.
    let uri = format!("{CUSTOMER}/{}", created.id());
    let kept = app.patch(&uri, MERGE, &json!({"status": null})).await;
    assert_eq!(kept.body["status"], "initialized", "{}", kept.text);
    // A state change is in the history.
    app.patch(&uri, MERGE, &json!({"status": "active"})).await;
    let history = app.get(&format!("{uri}/history")).await;
    assert_eq!(
        history.body[0]["changes"],
        json!([{"attribute": "status", "previous": "initialized", "new": "active"}])
    );
}

#[tokio::test]
async fn the_360_view_gathers_the_customer_and_its_party() {
    let app = TestApp::new().await;
    let party = app
        .individual_with_phone("View", "Subject", "+441632960001")
        .await;
    let customer = app.customer("View Subject", &party, "active").await;
    let view = app.get(&format!("{CUSTOMER}/{customer}/view")).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.text);
    assert_eq!(view.body["@type"], "CustomerView");
    assert_eq!(view.body["customer"]["id"], customer.as_str());
    assert_eq!(view.body["customer"]["status"], "active");
    assert_eq!(view.body["party"]["id"], party.as_str());
    assert_eq!(
        view.body["party"]["contactMedium"][0]["characteristic"]["phoneNumber"],
        "+441632960001"
    );
    app.get(&format!("{CUSTOMER}/unknown/view"))
        .await
        .assert_tmf_error(404);
}

#[tokio::test]
async fn the_timeline_lists_changes_to_everything_related_newest_first_paged() {
    let app = TestApp::new().await;
    let party = app.individual("Time", "Line").await;
    let customer = app.customer("Time Line", &party, "initialized").await;
    let uri = format!("{CUSTOMER}/{customer}");
    app.patch(&uri, MERGE, &json!({"status": "active"})).await;
    let role = app
        .post(
            crm_tests::PARTY_ROLE,
            &json!({"name": "Account manager",
                "relatedParty": [{"id": customer, "@referredType": "Customer", "role": "managedCustomer"}]}),
        )
        .await;
    assert_eq!(role.status, StatusCode::CREATED, "{}", role.text);
    // Unrelated activity stays out.
    let stranger = app.individual("Some", "One").await;
    app.customer("Some One", &stranger, "active").await;

    let timeline = app.get(&format!("{uri}/timeline")).await;
    assert_eq!(timeline.status, StatusCode::OK, "{}", timeline.text);
    assert_eq!(timeline.header("x-total-count"), Some("4"));
    let entries = timeline.body.as_array().expect("array");
    let summary: Vec<(String, String)> = entries
        .iter()
        .map(|e| {
            (
                e["resourceType"].as_str().unwrap_or_default().to_owned(),
                e["action"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("PartyRole".to_owned(), "create".to_owned()),
            ("Customer".to_owned(), "update".to_owned()),
            ("Customer".to_owned(), "create".to_owned()),
            ("Individual".to_owned(), "create".to_owned()),
        ]
    );
    assert!(
        entries
            .iter()
            .all(|e| e["kind"] == "change" && e["@type"] == "TimelineEntry")
    );

    let page = app.get(&format!("{uri}/timeline?offset=1&limit=2")).await;
    assert_eq!(page.header("x-total-count"), Some("4"));
    assert_eq!(page.header("x-result-count"), Some("2"));
    assert_eq!(page.body[0]["action"], "update");
    assert_eq!(page.body[1]["resourceType"], "Customer");
    app.get(&format!("{uri}/timeline?limit=x"))
        .await
        .assert_tmf_error(400);
}

#[tokio::test]
async fn contact_media_are_checked_and_normalised_at_the_edge() {
    let app = TestApp::new().await;
    let created = app
        .post(
            crm_tests::INDIVIDUAL,
            &json!({"givenName": "Norma", "familyName": "Lised", "contactMedium": [
                {"mediumType": "phone", "preferred": true,
                 "characteristic": {"phoneNumber": "0044 (20) 7946-0000", "faxNumber": "+44 20 7946 0001"}},
                {"mediumType": "email", "characteristic": {"emailAddress": "Norma@Example.COM"}},
                {"mediumType": "postalAddress", "characteristic": {"city": "Reading", "country": "GB"}}
            ]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let media = &created.body["contactMedium"];
    assert_eq!(media[0]["characteristic"]["phoneNumber"], "+442079460000");
    assert_eq!(media[0]["characteristic"]["faxNumber"], "+442079460001");
    assert_eq!(
        media[1]["characteristic"]["emailAddress"],
        "Norma@example.com"
    );
    // The normalised number is what filters find.
    let found = app
        .get(&format!(
            "{}?contactMedium.characteristic.phoneNumber=%2B442079460000",
            crm_tests::INDIVIDUAL
        ))
        .await;
    assert_eq!(found.header("x-total-count"), Some("1"));

    let refused = [
        (
            json!({"mediumType": "phone", "characteristic": {"phoneNumber": "020 7946 0000"}}),
            "contactMedium[0].characteristic.phoneNumber",
        ),
        (
            json!({"mediumType": "phone", "characteristic": {"phoneNumber": "+12"}}),
            "contactMedium[0].characteristic.phoneNumber",
        ),
        (
            json!({"mediumType": "email", "characteristic": {"emailAddress": "nobody"}}),
            "contactMedium[0].characteristic.emailAddress",
        ),
        (
            json!({"mediumType": "postalAddress", "characteristic": {"street1": "1 High St", "city": "Reading"}}),
            "contactMedium[0].characteristic.country",
        ),
    ];
    for (medium, path) in refused {
        let response = app
            .post(
                crm_tests::INDIVIDUAL,
                &json!({"givenName": "Bad", "familyName": "Medium", "contactMedium": [medium]}),
            )
            .await;
        let message = response.assert_tmf_error(422);
        assert!(message.contains(path), "{message}");
    }
    let two_preferred = app
        .post(
            crm_tests::INDIVIDUAL,
            &json!({"givenName": "Two", "familyName": "Preferred", "contactMedium": [
                {"mediumType": "email", "preferred": true, "characteristic": {"emailAddress": "a@example.com"}},
                {"mediumType": "email", "preferred": true, "characteristic": {"emailAddress": "b@example.com"}}
            ]}),
        )
        .await;
    two_preferred.assert_tmf_error(422);
    assert_eq!(
        app.get(crm_tests::INDIVIDUAL).await.header("x-total-count"),
        Some("1")
    );

    // Customers' contact media follow the same rules.
    let party = created.id();
    let customer = app
        .post(
            CUSTOMER,
            &json!({"name": "Norma", "engagedParty": {"id": party, "@referredType": "Individual"},
                "contactMedium": [{"mediumType": "phone", "characteristic": {"phoneNumber": "+1 212 555 0100"}}]}),
        )
        .await;
    assert_eq!(customer.status, StatusCode::CREATED, "{}", customer.text);
    assert_eq!(
        customer.body["contactMedium"][0]["characteristic"]["phoneNumber"],
        "+12125550100"
    );
}

const BILLING_ACCOUNT: &str = "/tmf-api/accountManagement/v4/billingAccount";
const INTERACTION: &str = "/tmf-api/partyInteraction/v4/partyInteraction";

fn billing_account(party: &str, state: Option<&str>) -> serde_json::Value {
    let mut body = json!({
        "name": "Main account",
        "relatedParty": [{"id": party, "name": "Owner", "role": "owner", "@referredType": "Individual"}],
        "accountBalance": [{"balanceType": "receivable", "amount": {"unit": "EUR", "value": 42.1},
            "validFor": {"startDateTime": "2026-01-01T00:00:00Z"}}],
        "creditLimit": {"unit": "EUR", "value": 250}
    });
    if let Some(state) = state {
        body["state"] = json!(state);
    }
    body
}

#[tokio::test]
async fn accounts_check_references_states_and_balances() {
    let app = TestApp::new().await;
    let party = app.individual("Account", "Holder").await;
    let created = app
        .post(BILLING_ACCOUNT, &billing_account(&party, None))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.body["state"], "Active", "accounts start active");
    assert_eq!(
        created.body["accountBalance"][0]["amount"]["value"],
        json!(42.1)
    );
    let uri = format!("{BILLING_ACCOUNT}/{}", created.id());

    // The party is held by the account.
    app.delete(&format!("{}/{party}", crm_tests::INDIVIDUAL))
        .await
        .assert_tmf_error(409);
    // References are checked.
    let ghost = app
        .post(BILLING_ACCOUNT, &billing_account("ghost", None))
        .await;
    assert!(ghost.assert_tmf_error(422).contains("relatedParty[0]"));
    // A balance type is a free string (TMF666); amounts are money; states follow the lifecycle.
    let mut odd = billing_account(&party, None);
    odd["accountBalance"][0]["balanceType"] = json!("imaginary");
    let kept = app.post(BILLING_ACCOUNT, &odd).await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.text);
    assert_eq!(kept.body["accountBalance"][0]["balanceType"], "imaginary");
    let removed = app
        .delete(&format!("{BILLING_ACCOUNT}/{}", kept.id()))
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    let mut bad_money = billing_account(&party, None);
    bad_money["creditLimit"]["unit"] = json!("XYZ");
    app.post(BILLING_ACCOUNT, &bad_money)
        .await
        .assert_tmf_error(400);
    app.post(BILLING_ACCOUNT, &billing_account(&party, Some("Closed")))
        .await
        .assert_tmf_error(422);
    assert_eq!(
        app.get(BILLING_ACCOUNT).await.header("x-total-count"),
        Some("1")
    );

    let suspended = app.patch(&uri, MERGE, &json!({"state": "Suspended"})).await;
    assert_eq!(suspended.status, StatusCode::OK, "{}", suspended.text);
    let closed = app.patch(&uri, MERGE, &json!({"state": "Closed"})).await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.text);
    let reopened = app.patch(&uri, MERGE, &json!({"state": "Active"})).await;
    assert!(
        reopened
            .assert_tmf_error(409)
            .contains("none (the state is final)")
    );
    // A supervisor may delete the account; then the party is free.
    assert_eq!(app.delete(&uri).await.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.delete(&format!("{}/{party}", crm_tests::INDIVIDUAL))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn a_csr_finds_the_customer_opens_the_view_logs_the_call_and_sees_it_on_top() {
    let app = TestApp::new().await;
    let party = app
        .individual_with_phone("Call", "Er", "+44 7700 900 555")
        .await;
    let customer = app.customer("Call Er", &party, "active").await;
    app.post(BILLING_ACCOUNT, &billing_account(&party, None))
        .await;

    // Find by phone number, written as the caller says it, normalised.
    let found = app
        .get(&format!(
            "{}?contactMedium.characteristic.phoneNumber=%2B447700900555",
            crm_tests::INDIVIDUAL
        ))
        .await;
    assert_eq!(found.body[0]["id"], party.as_str());
    let customers = app
        .get(&format!("{CUSTOMER}?engagedParty.id={party}"))
        .await;
    assert_eq!(customers.body[0]["id"], customer.as_str());

    // Open the 360 view: party, accounts with balances.
    let view = app.get(&format!("{CUSTOMER}/{customer}/view")).await;
    assert_eq!(view.body["party"]["id"], party.as_str());
    assert_eq!(
        view.body["accounts"][0]["accountBalance"][0]["balanceType"],
        "receivable"
    );
    assert_eq!(view.body["interactions"], json!([]));

    // Log the call as the CSR.
    let csr = app.token("csr.jane", &["csr"]);
    let request = axum::http::Request::builder()
        .method("POST")
        .uri(INTERACTION)
        .header("host", "crm.test")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {csr}"))
        .body(axum::body::Body::from(
            json!({
                "direction": "inbound", "reason": "billing question", "status": "closed",
                "description": "Asked about the last bill",
                "interactionDate": {"startDateTime": "2026-11-23T09:00:00Z", "endDateTime": "2026-11-23T09:05:00Z"},
                "channel": [{"id": "phone", "href": "urn:channel:phone", "name": "Phone"}],
                "relatedParty": [{"id": customer, "href": format!("{CUSTOMER}/{customer}"),
                    "@referredType": "Customer", "role": "customer"}]
            })
            .to_string(),
        ))
        .expect("request");
    let logged = app.send(request).await;
    assert_eq!(logged.status, StatusCode::CREATED, "{}", logged.text);
    assert_eq!(logged.body["channel"][0]["name"], "Phone", "kept as sent");
    let agent = logged.body["relatedParty"]
        .as_array()
        .expect("parties")
        .iter()
        .find(|p| p["role"] == "agent")
        .expect("the CSR is recorded");
    assert_eq!(agent["id"], "csr.jane");

    // It is at the top of the timeline, and in the view.
    let timeline = app.get(&format!("{CUSTOMER}/{customer}/timeline")).await;
    assert_eq!(timeline.body[0]["kind"], "interaction", "{}", timeline.text);
    assert_eq!(timeline.body[0]["resourceId"], logged.id().as_str());
    assert_eq!(timeline.body[0]["actor"]["id"], "csr.jane");
    let view = app.get(&format!("{CUSTOMER}/{customer}/view")).await;
    assert_eq!(view.body["interactions"][0]["id"], logged.id().as_str());

    // Directions and channel names are free strings (TMF683): kept as sent.
    for (field, value) in [
        ("direction", json!("sideways")),
        (
            "channel",
            json!([{"id": "x", "href": "urn:x", "name": "pigeon"}]),
        ),
    ] {
        let mut body = json!({"direction": "inbound", "reason": "r", "status": "open",
            "interactionDate": {"startDateTime": "2026-11-23T09:00:00Z"},
            "channel": [{"id": "phone", "href": "urn:channel:phone", "name": "phone"}]});
        body[field] = value.clone();
        let kept = app.post(INTERACTION, &body).await;
        assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.text);
        assert_eq!(kept.body[field], value, "{field} kept as sent");
    }
}

#[tokio::test]
async fn csrs_search_by_name_prefix_phone_email_and_account_ignoring_case_and_accents() {
    let app = TestApp::new().await;
    let jose = app
        .post(
            crm_tests::INDIVIDUAL,
            &json!({"givenName": "José", "familyName": "García Márquez", "contactMedium": [
                {"mediumType": "phone", "characteristic": {"phoneNumber": "+34 912 345 678"}},
                {"mediumType": "email", "characteristic": {"emailAddress": "Jose@Example.es"}}
            ]}),
        )
        .await
        .id();
    let joanna = app.individual("Joanna", "Smith").await;
    let org = app
        .post(
            crm_tests::ORGANIZATION,
            &json!({"tradingName": "Société Générale Télécom"}),
        )
        .await
        .id();
    let customer = app.customer("Pepe", &jose, "active").await;
    app.customer("Jo Smith", &joanna, "active").await;
    let account = app
        .post(BILLING_ACCOUNT, &billing_account(&jose, None))
        .await
        .id();

    let ids = |body: &serde_json::Value| -> Vec<String> {
        body.as_array()
            .expect("list")
            .iter()
            .map(|i| i["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let individuals = crm_tests::INDIVIDUAL;
    for (query, expected) in [
        ("search.name=jose", vec![jose.clone()]),
        ("search.name=JOSÉ", vec![jose.clone()]),
        ("search.name=garc", vec![jose.clone()]),
        ("search.name=garcia%20marq", vec![jose.clone()]),
        ("search.name=jose%20garcia", vec![jose.clone()]),
        ("search.name=smith%20jo", vec![joanna.clone()]),
        ("search.name=zz", vec![]),
        ("search.phone=0034912345678", vec![jose.clone()]),
        ("search.phone=%2B34%20912%20345%20678", vec![jose.clone()]),
        ("search.email=jose@example.es", vec![jose.clone()]),
        ("search.email=JOSE@EXAMPLE.ES", vec![jose.clone()]),
    ] {
        let response = app.get(&format!("{individuals}?{query}")).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{query}: {}",
            response.text
        );
        assert_eq!(ids(&response.body), expected, "{query}");
    }
    let mut both = ids(&app
        .get(&format!("{individuals}?search.name=jo&sort=givenName"))
        .await
        .body);
    both.sort();
    let mut expected = vec![jose.clone(), joanna.clone()];
    expected.sort();
    assert_eq!(both, expected, "a prefix matches every name it starts");

    let organizations = app
        .get(&format!(
            "{}?search.name=societe%20generale",
            crm_tests::ORGANIZATION
        ))
        .await;
    assert_eq!(ids(&organizations.body), [org]);

    // Customers are found by their own keys and by their engaged party's.
    for (query, expected) in [
        ("search.name=pepe", vec![customer.clone()]),
        ("search.name=garcia", vec![customer.clone()]),
        ("search.phone=%2B34912345678", vec![customer.clone()]),
        ("search.email=jose@example.es", vec![customer.clone()]),
        (
            &format!("search.accountId={account}"),
            vec![customer.clone()],
        ),
        ("search.accountId=nope", vec![]),
        (&format!("id={customer}"), vec![customer.clone()]),
    ] {
        let response = app.get(&format!("{CUSTOMER}?{query}&status=active")).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{query}: {}",
            response.text
        );
        assert_eq!(ids(&response.body), expected, "{query}");
    }

    // Keys follow changes.
    app.patch(
        &format!("{individuals}/{jose}"),
        MERGE,
        &json!({"familyName": "Pérez"}),
    )
    .await;
    assert_eq!(
        ids(&app
            .get(&format!("{individuals}?search.name=garcia"))
            .await
            .body),
        Vec::<String>::new()
    );
    assert_eq!(
        ids(&app
            .get(&format!("{individuals}?search.name=perez"))
            .await
            .body),
        std::slice::from_ref(&jose)
    );

    // Only equality; a phone search needs a phone number.
    app.get(&format!("{individuals}?search.name.regex=x"))
        .await
        .assert_tmf_error(400);
    app.get(&format!("{individuals}?search.name.gt=x"))
        .await
        .assert_tmf_error(400);
    app.get(&format!("{individuals}?search.phone=12"))
        .await
        .assert_tmf_error(400);
    app.get(&format!("{individuals}?sort=search.name"))
        .await
        .assert_tmf_error(400);
    let hostile = app
        .get(&format!("{individuals}?search.name=%27%20OR%201%3D1--"))
        .await;
    assert_eq!(hostile.body, json!([]));
}

#[tokio::test]
async fn a_name_search_narrowed_by_other_filters_pages_and_counts_only_what_matches_them_all() {
    let app = TestApp::new().await;
    let ramona = app.individual("Ramona", "Quist").await;
    let other = app.individual("Otto", "Quist").await;
    let statuses = ["active", "inactive", "active", "validated", "active"];
    let mut active = Vec::new();
    // More matches than a first index read takes, so that paging reads on.
    for n in 0..40 {
        let status = statuses[n % statuses.len()];
        let id = app
            .customer(&format!("Ramona Quist {n:02}"), &ramona, status)
            .await;
        if status == "active" {
            active.push(id);
        }
    }
    let otto = app.customer("Otto Quist", &other, "active").await;
    assert_eq!(active.len(), 24);

    let ids = |body: &serde_json::Value| -> Vec<String> {
        body.as_array()
            .expect("list")
            .iter()
            .map(|i| i["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    // Paged in the order of the matched names, every page counting the same total.
    let mut paged = Vec::new();
    for offset in (0..28).step_by(4) {
        let page = app
            .get(&format!(
                "{CUSTOMER}?status=active&search.name=ramona%20qu&limit=4&offset={offset}"
            ))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert_eq!(page.header("x-total-count"), Some("24"), "offset {offset}");
        for customer in page.body.as_array().expect("list") {
            assert_eq!(customer["status"], "active");
        }
        paged.extend(ids(&page.body));
    }
    assert_eq!(paged, active, "every active Ramona once, in name order");

    // Any other clause narrows the same way: a second search, an attribute, a `!=`.
    for (query, expected) in [
        ("search.name=quist&status=active", {
            let mut all = active.clone();
            all.push(otto.clone());
            all.len()
        }),
        ("search.name=quist&search.accountId=nope", 0),
        ("search.name=otto&status=active", 1),
        ("search.name=ramona&name=Ramona%20Quist%2003", 1),
        ("search.name=ramona&status.ne=active", 16),
        ("search.name=ramona&status=closed", 0),
        ("search.name=ramona&status=active,inactive", 32),
        ("status=inactive", 8),
        ("status=inactive&name=Ramona%20Quist%2001", 1),
    ] {
        let response = app.get(&format!("{CUSTOMER}?{query}")).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{query}: {}",
            response.text
        );
        let total = expected.to_string();
        assert_eq!(
            response.header("x-total-count"),
            Some(total.as_str()),
            "{query}"
        );
        assert_eq!(
            response.body.as_array().map(Vec::len),
            Some(expected),
            "{query}"
        );
    }
    // With a sort the matches are gathered and ordered instead; the total is the same.
    let sorted = app
        .get(&format!(
            "{CUSTOMER}?status=active&search.name=ramona&sort=-name&limit=3"
        ))
        .await;
    assert_eq!(sorted.header("x-total-count"), Some("24"));
    let mut descending = active.clone();
    descending.reverse();
    assert_eq!(ids(&sorted.body), descending[..3]);
}

#[tokio::test]
async fn a_customer_is_found_by_its_engaged_party_s_keys_as_the_party_changes() {
    let app = TestApp::new().await;
    let ada = app
        .individual_with_phone("Ada", "Lovelace", "+44 20 7946 0001")
        .await;
    let mary = app.individual("Mary", "Somerville").await;
    let customer = app.customer("Analytical Engines", &ada, "active").await;
    // A second customer of the same party, in another state.
    let second = app.customer("Difference Engines", &ada, "validated").await;
    // A customer whose own name is its party's: one match, not two.
    let twin = app.individual("Charles", "Babbage").await;
    let babbage = app.customer("Charles Babbage", &twin, "active").await;

    let found = async |query: &str| -> (Vec<String>, Option<String>) {
        let response = app.get(&format!("{CUSTOMER}?{query}")).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{query}: {}",
            response.text
        );
        let ids = response
            .body
            .as_array()
            .expect("list")
            .iter()
            .map(|c| c["id"].as_str().unwrap_or_default().to_owned())
            .collect();
        (ids, response.header("x-total-count").map(str::to_owned))
    };
    let one = |id: &str| (vec![id.to_owned()], Some("1".to_owned()));
    let none = || (Vec::new(), Some("0".to_owned()));
    // Both customers of the party, in id order (they share the matching key).
    let both = (vec![customer.clone(), second.clone()], Some("2".to_owned()));

    for query in [
        "search.name=lovel",
        "search.name=ada%20love",
        "search.phone=%2B442079460001",
    ] {
        assert_eq!(found(query).await, both, "{query}");
    }
    for query in [
        "search.name=lovel&status=active",
        "search.name=analytical&status=active",
    ] {
        assert_eq!(found(query).await, one(&customer), "{query}");
    }
    assert_eq!(found("search.name=lovel&status=inactive").await, none());
    assert_eq!(
        found("search.name=lovel&status=validated").await,
        one(&second)
    );
    assert_eq!(
        found("search.name=charles%20babbage&status=active").await,
        one(&babbage)
    );

    // The party is renamed: the customer is found by the new name only.
    let renamed = app
        .patch(
            &format!("{}/{ada}", crm_tests::INDIVIDUAL),
            MERGE,
            &json!({"familyName": "King"}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
    assert_eq!(found("search.name=lovel").await, none());
    assert_eq!(found("search.name=lovel&status=active").await, none());
    assert_eq!(
        found("search.name=ada%20king&status=validated").await,
        one(&second)
    );
    assert_eq!(
        found("search.name=ada%20king&status=active").await,
        one(&customer)
    );
    assert_eq!(
        found("search.name=analytical&status=active").await,
        one(&customer)
    );
    // A party's rename leaves a customer's own name, the same words, in place.
    app.patch(
        &format!("{}/{twin}", crm_tests::INDIVIDUAL),
        MERGE,
        &json!({"familyName": "Baggage"}),
    )
    .await;
    assert_eq!(
        found("search.name=charles%20babbage&status=active").await,
        one(&babbage)
    );
    assert_eq!(found("search.name=charles%20bagg").await, one(&babbage));

    // The customer's status moves: its qualified keys move with it.
    let uri = format!("{CUSTOMER}/{customer}");
    let moved = app.patch(&uri, MERGE, &json!({"status": "inactive"})).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    assert_eq!(found("search.name=ada%20king&status=active").await, none());
    assert_eq!(
        found("search.name=ada%20king&status=inactive").await,
        one(&customer)
    );
    assert_eq!(found("search.name=king").await, both);

    // The customer engages another party: it leaves the first party's keys.
    let moved = app
        .patch(
            &uri,
            MERGE,
            &json!({"engagedParty": {"id": mary, "@referredType": "Individual"}}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    assert_eq!(found("search.name=king").await, one(&second));
    assert_eq!(found("search.phone=%2B442079460001").await, one(&second));
    assert_eq!(
        found("search.name=somerv&status=inactive").await,
        one(&customer)
    );

    // The party is erased: nothing personal of it finds the customer any more.
    let erased = app.erase(&mary).await;
    assert_eq!(erased.status, StatusCode::OK, "{}", erased.text);
    assert_eq!(found("search.name=somerv").await, none());
    assert_eq!(found("search.name=mary&status=inactive").await, none());
}

#[tokio::test]
async fn erasure_leaves_no_personal_value_anywhere_it_can_be_read_back() {
    let app = TestApp::new().await;
    let personal = [
        "Zelda",
        "Quixotic",
        "zelda.q@example.org",
        "+447700900777",
        "Secret Lane",
        "ZQ-PASS",
    ];
    let party = app
        .post(
            crm_tests::INDIVIDUAL,
            &json!({"givenName": "Zelda", "familyName": "Quixotic", "birthDate": "1990-02-03T00:00:00Z",
                "individualIdentification": [{"identificationType": "passport", "identificationId": "ZQ-PASS"}],
                "contactMedium": [
                    {"mediumType": "email", "characteristic": {"emailAddress": "zelda.q@example.org"}},
                    {"mediumType": "phone", "characteristic": {"phoneNumber": "+447700900777"}},
                    {"mediumType": "postalAddress", "characteristic": {"street1": "1 Secret Lane", "city": "Reading", "country": "GB"}}
                ]}),
        )
        .await
        .id();
    let customer = app.customer("Zelda Q", &party, "active").await;
    app.patch(
        &format!("{CUSTOMER}/{customer}"),
        MERGE,
        &json!({"name": "Zelda Quixotic"}),
    )
    .await;
    let mut account_body = billing_account(&party, None);
    account_body["name"] = json!("Zelda's account");
    account_body["relatedParty"][0]["name"] = json!("Zelda Quixotic");
    account_body["contact"] = json!([{"contactType": "billing", "contactName": "Zelda Quixotic",
        "validFor": {"startDateTime": "2026-01-01T00:00:00Z"},
        "contactMedium": [{"mediumType": "email", "characteristic": {"emailAddress": "zelda.q@example.org"}}]}]);
    let account = app.post(BILLING_ACCOUNT, &account_body).await;
    assert_eq!(account.status, StatusCode::CREATED, "{}", account.text);
    let account = account.id();
    let interaction = app
        .post(
            INTERACTION,
            &json!({"direction": "inbound", "reason": "moving house", "status": "closed",
                "description": "Zelda moves to 1 Secret Lane",
                "note": [{"text": "call back Zelda on +447700900777"}],
                "interactionDate": {"startDateTime": "2026-11-23T09:00:00Z"},
                "channel": [{"id": "phone", "href": "urn:channel:phone", "name": "phone"}],
                "relatedParty": [{"id": customer, "name": "Zelda Quixotic",
                    "@referredType": "Customer", "role": "customer"}]}),
        )
        .await;
    assert_eq!(
        interaction.status,
        StatusCode::CREATED,
        "{}",
        interaction.text
    );
    let interaction = interaction.id();

    // Only a role that may delete may erase.
    let csr = app.token("csr", &["csr"]);
    let refused = app
        .send(
            axum::http::Request::builder()
                .method("POST")
                .uri(format!("{}/{party}/erasure", crm_tests::INDIVIDUAL))
                .header("authorization", format!("Bearer {csr}"))
                .body(axum::body::Body::empty())
                .expect("request"),
        )
        .await;
    refused.assert_tmf_error(403);

    let report = app.erase(&party).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text);
    assert_eq!(
        report.body["erased"].as_array().map(Vec::len),
        Some(4),
        "{}",
        report.text
    );

    let mut readable = Vec::new();
    for uri in [
        format!("{}/{party}", crm_tests::INDIVIDUAL),
        format!("{}/{party}/history", crm_tests::INDIVIDUAL),
        format!("{CUSTOMER}/{customer}"),
        format!("{CUSTOMER}/{customer}/history"),
        format!("{CUSTOMER}/{customer}/view"),
        format!("{CUSTOMER}/{customer}/timeline"),
        format!("{BILLING_ACCOUNT}/{account}"),
        format!("{BILLING_ACCOUNT}/{account}/history"),
        format!("{INTERACTION}/{interaction}"),
        format!("{INTERACTION}/{interaction}/history"),
        crm_tests::INDIVIDUAL.to_owned(),
        CUSTOMER.to_owned(),
        BILLING_ACCOUNT.to_owned(),
        INTERACTION.to_owned(),
    ] {
        let response = app.get(&uri).await;
        assert_eq!(response.status, StatusCode::OK, "{uri}: {}", response.text);
        readable.push((uri, response.text));
    }
    for (uri, text) in &readable {
        for value in personal {
            assert!(!text.contains(value), "{uri} still shows '{value}': {text}");
        }
    }
    for query in [
        "search.name=zelda",
        "search.phone=%2B447700900777",
        "search.email=zelda.q@example.org",
    ] {
        let found = app.get(&format!("{}?{query}", crm_tests::INDIVIDUAL)).await;
        assert_eq!(found.body, json!([]), "{query}");
    }

    // Ids, amounts, states and references are intact.
    let customer_now = app.get(&format!("{CUSTOMER}/{customer}")).await.body;
    assert_eq!(customer_now["engagedParty"]["id"], party.as_str());
    assert_eq!(customer_now["status"], "active");
    let account_now = app.get(&format!("{BILLING_ACCOUNT}/{account}")).await.body;
    assert_eq!(
        account_now["accountBalance"][0]["amount"]["value"],
        json!(42.1)
    );
    assert_eq!(account_now["relatedParty"][0]["id"], party.as_str());
    let interaction_now = app.get(&format!("{INTERACTION}/{interaction}")).await.body;
    // A reason is free text: masked, like every free text of what refers to the person.
    assert_eq!(interaction_now["reason"], "[erased]");
    assert_eq!(
        interaction_now["direction"], "inbound",
        "a value with a meaning is kept"
    );
    assert!(interaction_now.get("description").is_none());
    // The erasure is in the history, without the values.
    let history = app
        .get(&format!("{}/{party}/history", crm_tests::INDIVIDUAL))
        .await;
    assert_eq!(history.body[0]["action"], "erase");
    // Erasing again is harmless.
    let again = app.erase(&party).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    app.erase("nobody").await.assert_tmf_error(404);
}

#[tokio::test]
async fn the_seeded_data_set_is_reproducible_and_searchable() {
    let app = TestApp::new().await;
    let mut batches = Vec::new();
    crm_server::seed(&app.store, 50, 7, 20, |done| batches.push(done))
        .await
        .expect("seed");
    assert_eq!(batches, [20, 40, 50]);
    assert_eq!(
        app.get(crm_tests::INDIVIDUAL).await.header("x-total-count"),
        Some("50")
    );
    assert_eq!(app.get(CUSTOMER).await.header("x-total-count"), Some("50"));
    assert_eq!(
        app.get(BILLING_ACCOUNT).await.header("x-total-count"),
        Some("50")
    );
    let by_phone = app
        .get(&format!("{CUSTOMER}?search.phone=%2B447100000003"))
        .await;
    assert_eq!(
        by_phone.header("x-total-count"),
        Some("1"),
        "{}",
        by_phone.text
    );
    let customer = by_phone.body[0]["id"].as_str().expect("id").to_owned();
    let view = app.get(&format!("{CUSTOMER}/{customer}/view")).await;
    assert_eq!(
        view.body["accounts"].as_array().map(Vec::len),
        Some(1),
        "{}",
        view.text
    );
    // The same seed gives the same data.
    let other = TestApp::new().await;
    crm_server::seed(&other.store, 50, 7, 50, |_| {})
        .await
        .expect("seed");
    let first = app
        .get(&format!("{}?sort=id&limit=5", crm_tests::INDIVIDUAL))
        .await;
    let second = other
        .get(&format!("{}?sort=id&limit=5", crm_tests::INDIVIDUAL))
        .await;
    let strip = |body: &serde_json::Value| {
        body.as_array()
            .expect("list")
            .iter()
            .map(|i| {
                (
                    i["id"].clone(),
                    i["givenName"].clone(),
                    i["familyName"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&first.body), strip(&second.body));
}

#[tokio::test]
async fn interaction_attachments_carry_valid_metadata() {
    let app = TestApp::new().await;
    let body = |attachment: serde_json::Value| {
        json!({"direction": "inbound", "reason": "complaint", "status": "open",
            "interactionDate": {"startDateTime": "2026-11-23T09:00:00Z"},
            "channel": [{"id": "web", "href": "urn:channel:web", "name": "web"}],
            "attachment": [attachment]})
    };
    let ok = app
        .post(
            INTERACTION,
            &body(json!({"name": "photo.jpg", "mimeType": "image/jpeg",
                "size": {"amount": 2.5, "units": "MB"}, "url": "https://files.example.com/photo.jpg"})),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.text);
    for (attachment, field) in [
        (
            json!({"name": "x", "mimeType": "jpeg"}),
            "attachment[0].mimeType",
        ),
        (
            json!({"name": "x", "size": {"amount": -1, "units": "MB"}}),
            "attachment[0].size",
        ),
        (
            json!({"name": "x", "size": {"amount": 1, "units": "parsecs"}}),
            "attachment[0].size",
        ),
    ] {
        let message = app
            .post(INTERACTION, &body(attachment))
            .await
            .assert_tmf_error(422);
        assert!(message.contains(field), "{message}");
    }
    assert_eq!(
        app.get(INTERACTION).await.header("x-total-count"),
        Some("1")
    );
}

#[tokio::test]
async fn bulk_loaded_resources_have_an_empty_history_not_a_404() {
    let app = TestApp::new().await;
    crm_server::seed(&app.store, 1, 3, 1, |_| {})
        .await
        .expect("seed");
    let customer = app.get(CUSTOMER).await.body[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let history = app.get(&format!("{CUSTOMER}/{customer}/history")).await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.text);
    assert_eq!(history.body, json!([]));
    assert_eq!(history.header("x-total-count"), Some("0"));
}

#[tokio::test]
async fn a_broad_name_search_pages_in_name_order_without_duplicates() {
    let app = TestApp::new().await;
    // Mullan Muller matches the prefix by both names (and by both full-name orders).
    let names = [
        ("Zoe", "Müller"),
        ("Mullan", "Muller"),
        ("Ann", "Mullins"),
        ("Bob", "MULL"),
        ("Eve", "Mulder"),
        ("Mull", "Smith"),
    ];
    let mut ids = std::collections::HashMap::new();
    for (given, family) in names {
        ids.insert(app.individual(given, family).await, (given, family));
    }
    // Organizations are another kind in the same table: never counted or listed here.
    app.post(
        crm_tests::ORGANIZATION,
        &json!({"tradingName": "Muller Telecom"}),
    )
    .await;
    let mut seen = Vec::new();
    for offset in 0..4 {
        let page = app
            .get(&format!(
                "{}?search.name=mull&limit=2&offset={}",
                crm_tests::INDIVIDUAL,
                offset * 2
            ))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert_eq!(page.header("x-total-count"), Some("5"), "{}", page.text);
        for item in page.body.as_array().expect("list") {
            seen.push(item["id"].as_str().expect("id").to_owned());
        }
    }
    assert_eq!(seen.len(), 5, "every match once: {seen:?}");
    let unique: std::collections::HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), 5);
    assert!(
        seen.iter().all(|id| ids.contains_key(id)),
        "individuals only"
    );
    let order: Vec<(&str, &str)> = seen.iter().map(|id| ids[id]).collect();
    // In the order of the first matching key: "mull" (Bob MULL, Mull Smith: by id), then
    // "mullan", "muller" (Zoe Müller), "mullins".
    assert_eq!(order[2], ("Mullan", "Muller"), "{order:?}");
    assert_eq!(order[3], ("Zoe", "Müller"), "{order:?}");
    assert_eq!(order[4], ("Ann", "Mullins"), "{order:?}");
    let mut first_two = vec![order[0], order[1]];
    first_two.sort();
    assert_eq!(first_two, [("Bob", "MULL"), ("Mull", "Smith")]);
    // With a sort, the search is ordered by it instead.
    let sorted = app
        .get(&format!(
            "{}?search.name=mull&sort=givenName",
            crm_tests::INDIVIDUAL
        ))
        .await;
    let given: Vec<&str> = sorted
        .body
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|i| i["givenName"].as_str())
        .collect();
    assert_eq!(given, ["Ann", "Bob", "Mull", "Mullan", "Zoe"]);
}
