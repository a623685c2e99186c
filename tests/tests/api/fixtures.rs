//! The shipped fixtures are valid create bodies: each is posted through the real router.

use axum::http::StatusCode;
use crm_tests::{CUSTOMER, INDIVIDUAL, ORGANIZATION, PARTY_ROLE, TestApp};
use serde_json::Value;

fn fixture(name: &str, ids: &[(&str, &str)]) -> Value {
    let path = format!(
        "{}/../fixtures/party-model/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut text = std::fs::read_to_string(&path).expect("fixture file");
    for (placeholder, id) in ids {
        text = text.replace(&format!("{{{{{placeholder}}}}}"), id);
    }
    serde_json::from_str(&text).expect("fixture is JSON")
}

#[tokio::test]
async fn every_fixture_creates_its_resource() {
    let app = TestApp::new().await;
    let individual = app.post(INDIVIDUAL, &fixture("individual.json", &[])).await;
    assert_eq!(
        individual.status,
        StatusCode::CREATED,
        "{}",
        individual.text
    );
    let organization = app
        .post(ORGANIZATION, &fixture("organization.json", &[]))
        .await;
    assert_eq!(
        organization.status,
        StatusCode::CREATED,
        "{}",
        organization.text
    );
    let (individual, organization) = (individual.id(), organization.id());
    let customer = app
        .post(
            CUSTOMER,
            &fixture(
                "customer.json",
                &[("individual", &individual), ("organization", &organization)],
            ),
        )
        .await;
    assert_eq!(customer.status, StatusCode::CREATED, "{}", customer.text);
    assert_eq!(customer.body["engagedParty"]["id"], individual.as_str());
    let role = app
        .post(
            PARTY_ROLE,
            &fixture(
                "party-role.json",
                &[
                    ("organization", &organization),
                    ("customer", &customer.id()),
                ],
            ),
        )
        .await;
    assert_eq!(role.status, StatusCode::CREATED, "{}", role.text);
}
