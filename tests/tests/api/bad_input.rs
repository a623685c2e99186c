//! Every class of bad input gets a 4xx with a TMF Error body that names the problem, and
//! nothing is stored: each refused create is followed by a list whose `X-Total-Count` is
//! unchanged, each refused patch by a retrieve showing the old state.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use crm_tests::{CUSTOMER, INDIVIDUAL, ORGANIZATION, PARTY_ROLE, TestApp, TestResponse};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

const MERGE: &str = "application/merge-patch+json";
const JSON_PATCH: &str = "application/json-patch+json";
const PATHS: [&str; 4] = [INDIVIDUAL, ORGANIZATION, CUSTOMER, PARTY_ROLE];

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn item(path: &str, id: &str) -> String {
    format!("{path}/{id}")
}

/// `X-Total-Count` of an unfiltered list.
async fn total(app: &TestApp, path: &str) -> u64 {
    let response = app.get(path).await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "list {path}: {}",
        response.text
    );
    response
        .header("x-total-count")
        .expect("a list has X-Total-Count")
        .parse()
        .expect("X-Total-Count is a number")
}

/// The totals of every collection, in `PATHS` order.
async fn totals(app: &TestApp) -> [u64; 4] {
    [
        total(app, INDIVIDUAL).await,
        total(app, ORGANIZATION).await,
        total(app, CUSTOMER).await,
        total(app, PARTY_ROLE).await,
    ]
}

/// Asserts a TMF Error with `status` whose message names every one of `mentions`.
#[track_caller]
fn refused(response: &TestResponse, status: u16, mentions: &[&str], what: &str) -> String {
    assert_eq!(
        response.status.as_u16(),
        status,
        "{what}: expected {status}, got {}; body: {}",
        response.status,
        response.text
    );
    let message = response.assert_tmf_error(status);
    for mention in mentions {
        assert!(
            message.contains(mention),
            "{what}: the message does not name '{mention}': {message}"
        );
    }
    message
}

/// A valid create body for each collection (`party` is an existing individual).
fn valid_body(path: &str, party: &str) -> Value {
    match path {
        INDIVIDUAL => json!({"givenName": "Valid", "familyName": "Body"}),
        ORGANIZATION => json!({"tradingName": "Valid Org"}),
        CUSTOMER => {
            json!({"name": "Valid", "engagedParty": {"id": party, "@referredType": "Individual"}})
        }
        _ => json!({"name": "Valid role"}),
    }
}

/// Creates one resource of each kind and returns their ids, in `PATHS` order.
async fn one_of_each(app: &TestApp) -> [String; 4] {
    let party = app.individual("Ada", "Lovelace").await;
    let mut ids = [party.clone(), String::new(), String::new(), String::new()];
    for (i, path) in PATHS.iter().enumerate().skip(1) {
        let created = app.post(path, &valid_body(path, &party)).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        ids[i] = created.id();
    }
    ids
}

/// The current representation of a resource.
async fn state(app: &TestApp, path: &str, id: &str) -> Value {
    let response = app.get(&item(path, id)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    response.body
}

async fn post_raw(
    app: &TestApp,
    path: &str,
    content_type: Option<&str>,
    body: &str,
) -> TestResponse {
    app.raw(Method::POST, path, content_type, body.to_owned())
        .await
}

async fn patch_raw(
    app: &TestApp,
    uri: &str,
    content_type: Option<&str>,
    body: &str,
) -> TestResponse {
    app.raw(Method::PATCH, uri, content_type, body.to_owned())
        .await
}

// ---------------------------------------------------------------------------------------
// Bodies that are not JSON objects
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn malformed_json_is_400_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let bodies = [
        r#"{"givenName": "Ada", "familyName": "Lovelace""#,
        r#"{"givenName": "Ada", "familyName": "Lovelace"} trailing"#,
        r#"{"givenName": "Ada", "familyName": "Lovelace"}}"#,
        r#"{"givenName": "Ada", "familyName": "Lovelace",}"#,
        r#"{'givenName': 'Ada'}"#,
        r#"{"givenName": "Ada" "familyName": "Lovelace"}"#,
        "{\"givenName\": \"A\u{0}\"",
        "\u{feff}{}",
    ];
    for path in PATHS {
        for body in bodies {
            let response = post_raw(&app, path, Some("application/json"), body).await;
            refused(&response, 400, &["JSON"], &format!("POST {path} {body:?}"));
        }
    }
    assert_eq!(totals(&app).await, [0, 0, 0, 0], "nothing was stored");

    let [party, ..] = one_of_each(&app).await;
    let before = state(&app, INDIVIDUAL, &party).await;
    for media in [MERGE, "application/json", JSON_PATCH] {
        for body in [
            r#"{"familyName": "King""#,
            r#"[{"op": "remove", "path": "/familyName"}"#,
            r#"{"a":1} x"#,
        ] {
            let response = patch_raw(&app, &item(INDIVIDUAL, &party), Some(media), body).await;
            refused(
                &response,
                400,
                &["JSON"],
                &format!("PATCH {media} {body:?}"),
            );
        }
    }
    assert_eq!(
        state(&app, INDIVIDUAL, &party).await,
        before,
        "the patches changed nothing"
    );
}

#[tokio::test]
async fn empty_body_is_400_and_nothing_is_stored() {
    let app = TestApp::new().await;
    for path in PATHS {
        for body in ["", "   ", "\n\t \r\n"] {
            let response = post_raw(&app, path, Some("application/json"), body).await;
            refused(&response, 400, &["empty"], &format!("POST {path} {body:?}"));
        }
    }
    assert_eq!(totals(&app).await, [0, 0, 0, 0]);

    let ids = one_of_each(&app).await;
    for (path, id) in PATHS.iter().zip(&ids) {
        let before = state(&app, path, id).await;
        for media in [MERGE, "application/json", JSON_PATCH] {
            let response = patch_raw(&app, &item(path, id), Some(media), "").await;
            refused(
                &response,
                400,
                &["empty"],
                &format!("PATCH {path} {media} empty"),
            );
        }
        assert_eq!(state(&app, path, id).await, before);
    }
}

#[tokio::test]
async fn a_json_value_that_is_not_an_object_is_400() {
    let app = TestApp::new().await;
    let party = app.individual("Ada", "Lovelace").await;
    let before_totals = totals(&app).await;
    for path in PATHS {
        let valid = valid_body(path, &party);
        for body in [
            json!([valid.clone()]),
            json!([]),
            json!("a string"),
            json!(42),
            json!(true),
            Value::Null,
        ] {
            let response = app.post(path, &body).await;
            refused(&response, 400, &["object"], &format!("POST {path} {body}"));
        }
    }
    assert_eq!(totals(&app).await, before_totals);

    let before = state(&app, INDIVIDUAL, &party).await;
    for media in [MERGE, "application/json"] {
        for body in [
            json!([{"familyName": "King"}]),
            json!("King"),
            json!(1),
            Value::Null,
        ] {
            let response = app.patch(&item(INDIVIDUAL, &party), media, &body).await;
            refused(
                &response,
                400,
                &["object"],
                &format!("merge patch {media} {body}"),
            );
        }
    }
    assert_eq!(state(&app, INDIVIDUAL, &party).await, before);
}

// ---------------------------------------------------------------------------------------
// Bodies that are objects, but not the resource
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn wrong_types_are_400_naming_the_field_path() {
    let app = TestApp::new().await;
    let party = app.individual("Ada", "Lovelace").await;
    let engaged = json!({"id": party, "@referredType": "Individual"});
    let cases = [
        // string for boolean
        (
            ORGANIZATION,
            json!({"tradingName": "T", "isHeadOffice": "yes"}),
            "isHeadOffice",
        ),
        (
            INDIVIDUAL,
            json!({"givenName": "A", "familyName": "B", "contactMedium": [{"preferred": "true"}]}),
            "contactMedium[0].preferred",
        ),
        (
            INDIVIDUAL,
            json!({"givenName": "A", "familyName": "B", "languageAbility": [{}, {"isFavouriteLanguage": "no"}]}),
            "languageAbility[1].isFavouriteLanguage",
        ),
        // object for string
        (
            INDIVIDUAL,
            json!({"givenName": {"first": "A"}, "familyName": "B"}),
            "givenName",
        ),
        (
            CUSTOMER,
            json!({"name": "C", "engagedParty": {"id": {"value": party}, "@referredType": "Individual"}}),
            "engagedParty.id",
        ),
        (
            PARTY_ROLE,
            json!({"name": "R", "status": {"code": "active"}}),
            "status",
        ),
        // array for object
        (
            CUSTOMER,
            json!({"name": "C", "engagedParty": [engaged.clone()]}),
            "engagedParty",
        ),
        (
            CUSTOMER,
            json!({"name": "C", "engagedParty": engaged.clone(), "validFor": []}),
            "validFor",
        ),
        (
            INDIVIDUAL,
            json!({"givenName": "A", "familyName": "B", "contactMedium": [{"mediumType": "email"}, {"characteristic": ["a@b.c"]}]}),
            "contactMedium[1].characteristic",
        ),
        (
            ORGANIZATION,
            json!({"tradingName": "T", "organizationParentRelationship": [{"organization": {"id": "x"}}]}),
            "organizationParentRelationship",
        ),
        // object or scalar for array
        (
            PARTY_ROLE,
            json!({"name": "R", "characteristic": {"name": "x", "value": 1}}),
            "characteristic",
        ),
        (
            INDIVIDUAL,
            json!({"givenName": "A", "familyName": "B", "relatedParty": "nobody"}),
            "relatedParty",
        ),
        // number for string, string for number
        (
            CUSTOMER,
            json!({"name": 42, "engagedParty": engaged.clone()}),
            "name",
        ),
        (
            PARTY_ROLE,
            json!({"name": "R", "relatedParty": [{"id": 7, "@referredType": "Individual"}]}),
            "relatedParty[0].id",
        ),
        (
            ORGANIZATION,
            json!({"tradingName": "T", "creditRating": [{"ratingScore": "high"}]}),
            "creditRating[0].ratingScore",
        ),
        (
            CUSTOMER,
            json!({"name": "C", "engagedParty": engaged.clone(),
                   "creditProfile": [{"creditProfileDate": "2024-01-01T00:00:00Z", "validFor": {}, "creditScore": 1.5}]}),
            "creditProfile[0].creditScore",
        ),
        // a value outside an enumeration
        (
            INDIVIDUAL,
            json!({"givenName": "A", "familyName": "B", "status": "asleep"}),
            "status",
        ),
        (
            ORGANIZATION,
            json!({"tradingName": "T", "status": true}),
            "status",
        ),
    ];
    let before = totals(&app).await;
    for (path, body, field) in &cases {
        let response = app.post(path, body).await;
        refused(&response, 400, &[field], &format!("POST {path} {body}"));
    }
    assert_eq!(totals(&app).await, before, "nothing was stored");

    let before = state(&app, INDIVIDUAL, &party).await;
    for (body, field) in [
        (json!({"givenName": 5}), "givenName"),
        (
            json!({"contactMedium": [{"preferred": "yes"}]}),
            "contactMedium[0].preferred",
        ),
        (json!({"relatedParty": {"id": "x"}}), "relatedParty"),
    ] {
        let response = app.patch(&item(INDIVIDUAL, &party), MERGE, &body).await;
        refused(&response, 400, &[field], &format!("PATCH {body}"));
    }
    let response = app
        .patch(
            &item(INDIVIDUAL, &party),
            JSON_PATCH,
            &json!([{"op": "replace", "path": "/familyName", "value": ["B"]}]),
        )
        .await;
    refused(
        &response,
        400,
        &["familyName"],
        "JSON Patch replacing a string by an array",
    );
    assert_eq!(state(&app, INDIVIDUAL, &party).await, before);
}

#[tokio::test]
async fn unknown_attributes_are_kept_by_default() {
    let app = TestApp::new().await;
    let party = app.individual("Ada", "Lovelace").await;
    for (path, body, mentions) in unknown_attribute_cases(&party) {
        if mentions.contains(&"organizationParentRelationship.organization") {
            continue; // it refers to an organization 'x' that does not exist
        }
        let created = app.post(path, &body).await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "POST {path} {body}: {}",
            created.text
        );
        let read = app.get(&item(path, &created.id())).await;
        let unknown = mentions[0];
        assert!(
            read.text.contains(&format!("\"{unknown}\"")),
            "{unknown} kept: {}",
            read.text
        );
    }
}

/// Bodies with attributes that the definitions do not name, and what a refusal must name.
fn unknown_attribute_cases(party: &str) -> Vec<(&'static str, Value, Vec<&'static str>)> {
    let engaged = json!({"id": party, "@referredType": "Individual"});
    vec![
        (
            INDIVIDUAL,
            json!({"givenName": "A", "familyName": "B", "nickname": "Al"}),
            vec!["nickname"],
        ),
        (
            INDIVIDUAL,
            json!({"givenName": "A", "familyName": "B", "GivenName": "A"}),
            vec!["GivenName"],
        ),
        (
            INDIVIDUAL,
            json!({"givenName": "A", "familyName": "B", "@foo": "bar"}),
            vec!["@foo"],
        ),
        (
            INDIVIDUAL,
            json!({"givenName": "A", "familyName": "B", "contactMedium": [{"characteristic": {"planet": "Mars"}}]}),
            vec!["planet", "contactMedium[0].characteristic"],
        ),
        (
            ORGANIZATION,
            json!({"tradingName": "T", "employees": 12}),
            vec!["employees"],
        ),
        (
            ORGANIZATION,
            json!({"tradingName": "T", "organizationParentRelationship": {"organization": {"id": "x", "extra": 1}}}),
            vec!["extra", "organizationParentRelationship.organization"],
        ),
        (
            CUSTOMER,
            json!({"name": "C", "engagedParty": {"id": party, "@referredType": "Individual", "colour": "red"}}),
            vec!["colour", "engagedParty"],
        ),
        (
            CUSTOMER,
            json!({"name": "C", "engagedParty": engaged.clone(), "customerRank": 1}),
            vec!["customerRank"],
        ),
        (
            PARTY_ROLE,
            json!({"name": "R", "characteristic": [{"name": "a", "value": 1, "unit": "kg"}]}),
            vec!["unit", "characteristic[0]"],
        ),
        (
            PARTY_ROLE,
            json!({"name": "R", "validFor": {"startDateTime": "2024-01-01T00:00:00Z", "start": "2024-01-01T00:00:00Z"}}),
            vec!["start", "validFor"],
        ),
    ]
}

#[tokio::test]
async fn unknown_attributes_are_400_naming_them_when_strict() {
    let app = TestApp::with_settings(|s| s.strict_attributes = true).await;
    let party = app.individual("Ada", "Lovelace").await;
    let cases = unknown_attribute_cases(&party);
    let before = totals(&app).await;
    for (path, body, mentions) in &cases {
        let response = app.post(path, body).await;
        refused(&response, 400, mentions, &format!("POST {path} {body}"));
    }
    assert_eq!(totals(&app).await, before, "nothing was stored");

    let before = state(&app, INDIVIDUAL, &party).await;
    let response = app
        .patch(&item(INDIVIDUAL, &party), MERGE, &json!({"nickname": "Al"}))
        .await;
    refused(
        &response,
        400,
        &["nickname"],
        "merge patch adding an unknown attribute",
    );
    let response = app
        .patch(
            &item(INDIVIDUAL, &party),
            JSON_PATCH,
            &json!([{"op": "add", "path": "/shoeSize", "value": 42}]),
        )
        .await;
    refused(
        &response,
        400,
        &["shoeSize"],
        "JSON Patch adding an unknown attribute",
    );
    assert_eq!(state(&app, INDIVIDUAL, &party).await, before);
}

#[tokio::test]
async fn missing_required_fields_are_400_naming_them() {
    let app = TestApp::new().await;
    let party = app.individual("Ada", "Lovelace").await;
    let engaged = json!({"id": party, "@referredType": "Individual"});
    let cases = [
        (INDIVIDUAL, json!({"familyName": "B"}), vec!["givenName"]),
        (INDIVIDUAL, json!({"givenName": "A"}), vec!["familyName"]),
        (
            ORGANIZATION,
            json!({"name": "Org without trading name"}),
            vec!["tradingName"],
        ),
        (ORGANIZATION, json!({}), vec!["tradingName"]),
        (
            CUSTOMER,
            json!({"engagedParty": engaged.clone()}),
            vec!["name"],
        ),
        (CUSTOMER, json!({"name": "C"}), vec!["engagedParty"]),
        (
            CUSTOMER,
            json!({"name": "C", "engagedParty": {"@referredType": "Individual"}}),
            vec!["engagedParty", "id"],
        ),
        (
            CUSTOMER,
            json!({"name": "C", "engagedParty": engaged.clone(), "creditProfile": [{"creditScore": 1, "validFor": {}}]}),
            vec!["creditProfile[0]", "creditProfileDate"],
        ),
        (PARTY_ROLE, json!({"status": "active"}), vec!["name"]),
        (
            PARTY_ROLE,
            json!({"name": "R", "contactMedium": [{"mediumType": "email"}]}),
            vec!["contactMedium[0]", "characteristic"],
        ),
        (
            INDIVIDUAL,
            json!({"givenName": "A", "familyName": "B", "partyCharacteristic": [{"name": "x"}]}),
            vec!["partyCharacteristic[0]", "value"],
        ),
    ];
    let before = totals(&app).await;
    for (path, body, mentions) in &cases {
        let response = app.post(path, body).await;
        refused(&response, 400, mentions, &format!("POST {path} {body}"));
    }
    let response = app.post(INDIVIDUAL, &json!({})).await;
    let message = refused(&response, 400, &[], "POST {} as an individual");
    assert!(
        message.contains("givenName") || message.contains("familyName"),
        "the message names a required field: {message}"
    );
    assert_eq!(totals(&app).await, before, "nothing was stored");
}

#[tokio::test]
async fn blank_ids_are_refused_and_blank_free_text_is_kept() {
    let app = TestApp::new().await;
    let party = app.individual("Ada", "Lovelace").await;
    // An empty string is a string: required free-text attributes may be empty (the specs
    // type them as plain strings), and come back as sent.
    for (path, body, field) in [
        (
            INDIVIDUAL,
            json!({"givenName": "", "familyName": "B"}),
            "givenName",
        ),
        (ORGANIZATION, json!({"tradingName": ""}), "tradingName"),
        (
            CUSTOMER,
            json!({"name": "", "engagedParty": {"id": party, "@referredType": "Individual"}}),
            "name",
        ),
        (PARTY_ROLE, json!({"name": ""}), "name"),
    ] {
        let created = app.post(path, &body).await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "POST {path} {body}: {}",
            created.text
        );
        assert_eq!(created.body[field], "", "POST {path} {body}");
    }
    // An empty id names nothing: refused, and nothing stored.
    let before = totals(&app).await;
    let body = json!({"name": "C", "engagedParty": {"id": "", "@referredType": "Individual"}});
    let response = app.post(CUSTOMER, &body).await;
    assert!(response.status.is_client_error(), "{}", response.text);
    refused(
        &response,
        response.status.as_u16(),
        &["engagedParty.id"],
        &format!("POST {CUSTOMER} {body}"),
    );
    assert_eq!(totals(&app).await, before, "nothing was stored");
}

#[tokio::test]
async fn id_or_href_sent_on_create_is_400() {
    let app = TestApp::new().await;
    let party = app.individual("Ada", "Lovelace").await;
    let before = totals(&app).await;
    for path in PATHS {
        for (attribute, value) in [
            ("id", json!("chosen-by-client")),
            (
                "href",
                json!(format!("http://crm.test{path}/chosen-by-client")),
            ),
            ("id", Value::Null),
        ] {
            let mut body = valid_body(path, &party);
            body[attribute] = value.clone();
            let response = app.post(path, &body).await;
            refused(
                &response,
                400,
                &[&format!("'{attribute}'")],
                &format!("POST {path} with {attribute} = {value}"),
            );
        }
        let response = app.get(&item(path, "chosen-by-client")).await;
        refused(
            &response,
            404,
            &["chosen-by-client"],
            "no resource was stored under the client's id",
        );
    }
    assert_eq!(totals(&app).await, before, "nothing was stored");
}

// ---------------------------------------------------------------------------------------
// References
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn references_to_missing_resources_are_422_naming_the_reference() {
    let app = TestApp::new().await;
    let [party, organization, customer, _role] = one_of_each(&app).await;
    let missing = "00000000-0000-7000-8000-000000000000";
    let cases = [
        (
            CUSTOMER,
            json!({"name": "C", "engagedParty": {"id": missing, "@referredType": "Individual"}}),
            vec!["engagedParty", missing],
        ),
        (
            CUSTOMER,
            json!({"name": "C", "engagedParty": {"id": organization, "@referredType": "Individual"}}),
            vec!["engagedParty", organization.as_str()],
        ),
        (
            CUSTOMER,
            json!({"name": "C", "engagedParty": {"id": party, "@referredType": "Individual"},
                   "relatedParty": [{"id": organization, "@referredType": "Organization"},
                                    {"id": missing, "@referredType": "Organization"}]}),
            vec!["relatedParty[1]", missing],
        ),
        (
            INDIVIDUAL,
            json!({"givenName": "A", "familyName": "B", "relatedParty": [{"id": missing, "@referredType": "Individual"}]}),
            vec!["relatedParty[0]", missing],
        ),
        (
            INDIVIDUAL,
            json!({"givenName": "A", "familyName": "B", "relatedParty": [{"id": customer, "@referredType": "PartyRole"}]}),
            vec!["relatedParty[0]", customer.as_str()],
        ),
        (
            ORGANIZATION,
            json!({"tradingName": "T", "organizationParentRelationship": {"organization": {"id": missing}}}),
            vec!["organizationParentRelationship.organization", missing],
        ),
        (
            ORGANIZATION,
            json!({"tradingName": "T", "organizationParentRelationship": {"organization": {"id": party}}}),
            vec![
                "organizationParentRelationship.organization",
                party.as_str(),
            ],
        ),
        (
            ORGANIZATION,
            json!({"tradingName": "T", "organizationChildRelationship": [{"organization": {"id": organization}}, {"organization": {"id": missing}}]}),
            vec!["organizationChildRelationship[1].organization", missing],
        ),
        (
            PARTY_ROLE,
            json!({"name": "R", "engagedParty": {"id": missing, "@referredType": "Organization"}}),
            vec!["engagedParty", missing],
        ),
        (
            PARTY_ROLE,
            json!({"name": "R", "relatedParty": [{"id": missing, "@referredType": "Customer"}]}),
            vec!["relatedParty[0]", missing],
        ),
    ];
    let before = totals(&app).await;
    for (path, body, mentions) in &cases {
        let response = app.post(path, body).await;
        refused(&response, 422, mentions, &format!("POST {path} {body}"));
    }
    assert_eq!(totals(&app).await, before, "nothing was stored");

    // A patch that would leave a dangling reference changes nothing, reference index included.
    let before = state(&app, CUSTOMER, &customer).await;
    let response = app
        .patch(
            &item(CUSTOMER, &customer),
            MERGE,
            &json!({"engagedParty": {"id": missing}}),
        )
        .await;
    refused(
        &response,
        422,
        &["engagedParty", missing],
        "patch to a missing engaged party",
    );
    assert_eq!(state(&app, CUSTOMER, &customer).await, before);
    let response = app.delete(&item(INDIVIDUAL, &party)).await;
    refused(
        &response,
        409,
        &[],
        "the customer still engages the individual",
    );
}

#[tokio::test]
async fn a_referred_type_that_is_not_allowed_is_422() {
    let app = TestApp::new().await;
    let [party, organization, customer, role] = one_of_each(&app).await;
    // `@referredType` is a free string: a name this product does not store (`individual`,
    // `Spaceship`, ``) is kept as sent, and the id is looked up among the allowed types.
    for (path, body, pointer, kept) in [
        (
            CUSTOMER,
            json!({"name": "C", "engagedParty": {"id": party, "@referredType": "individual"}}),
            "/engagedParty/@referredType",
            "individual",
        ),
        (
            CUSTOMER,
            json!({"name": "C", "engagedParty": {"id": party, "@referredType": "Individual"},
                   "relatedParty": [{"id": organization, "@referredType": "Spaceship"}]}),
            "/relatedParty/0/@referredType",
            "Spaceship",
        ),
        (
            INDIVIDUAL,
            json!({"givenName": "A", "familyName": "B", "relatedParty": [{"id": party, "@referredType": "Individual"},
                                                                         {"id": party, "@referredType": ""}]}),
            "/relatedParty/1/@referredType",
            "",
        ),
    ] {
        let created = app.post(path, &body).await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "POST {path} {body}: {}",
            created.text
        );
        assert_eq!(
            created.body.pointer(pointer),
            Some(&json!(kept)),
            "{}",
            created.text
        );
    }
    // A type this product stores, but not one the attribute allows, is refused.
    let cases = [
        (
            CUSTOMER,
            json!({"name": "C", "engagedParty": {"id": customer, "@referredType": "Customer"}}),
            vec!["engagedParty", "@referredType", "Customer"],
        ),
        (
            CUSTOMER,
            json!({"name": "C", "engagedParty": {"id": role, "@referredType": "PartyRole"}}),
            vec!["engagedParty", "PartyRole"],
        ),
        (
            PARTY_ROLE,
            json!({"name": "R", "engagedParty": {"id": customer, "@referredType": "Customer"}}),
            vec!["engagedParty", "Customer"],
        ),
    ];
    let before = totals(&app).await;
    for (path, body, mentions) in &cases {
        let response = app.post(path, body).await;
        refused(&response, 422, mentions, &format!("POST {path} {body}"));
    }
    assert_eq!(totals(&app).await, before, "nothing was stored");
}

// ---------------------------------------------------------------------------------------
// Media types and sizes
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn wrong_or_missing_content_type_is_415() {
    let app = TestApp::new().await;
    let ids = one_of_each(&app).await;
    let before = totals(&app).await;
    for path in PATHS {
        let body = valid_body(path, &ids[0]).to_string();
        for content_type in [
            None,
            Some("text/plain"),
            Some("application/xml"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
            Some("text/json"),
            Some(""),
        ] {
            let response = post_raw(&app, path, content_type, &body).await;
            refused(
                &response,
                415,
                &["application/json"],
                &format!("POST {path} with Content-Type {content_type:?}"),
            );
        }
    }
    assert_eq!(totals(&app).await, before, "nothing was stored");

    for (path, id) in PATHS.iter().zip(&ids) {
        let before = state(&app, path, id).await;
        for content_type in [
            None,
            Some("text/plain"),
            Some("application/xml"),
            Some("application/x-www-form-urlencoded"),
            Some("application/patch+json"),
        ] {
            let response = patch_raw(
                &app,
                &item(path, id),
                content_type,
                r#"{"status": "changed"}"#,
            )
            .await;
            refused(
                &response,
                415,
                &["application/json"],
                &format!("PATCH {path} with Content-Type {content_type:?}"),
            );
        }
        assert_eq!(
            state(&app, path, id).await,
            before,
            "the patches changed nothing"
        );
    }
}

#[tokio::test]
async fn an_oversized_body_is_413() {
    let app = TestApp::with_settings(|s| s.body_limit_bytes = 1024).await;
    let small = app
        .post(INDIVIDUAL, &json!({"givenName": "A", "familyName": "B"}))
        .await;
    assert_eq!(
        small.status,
        StatusCode::CREATED,
        "a small body passes: {}",
        small.text
    );
    let id = small.id();
    let before_totals = totals(&app).await;

    let huge = "x".repeat(2048);
    for path in PATHS {
        let body = json!({"givenName": huge, "familyName": "B", "tradingName": huge, "name": huge});
        let response = app.post(path, &body).await;
        refused(&response, 413, &[], &format!("POST {path} of 2 KiB"));
    }
    let response = post_raw(
        &app,
        INDIVIDUAL,
        Some("application/json"),
        &" ".repeat(5000),
    )
    .await;
    refused(&response, 413, &[], "POST of 5000 spaces");
    assert_eq!(totals(&app).await, before_totals, "nothing was stored");

    let before = state(&app, INDIVIDUAL, &id).await;
    for media in [MERGE, JSON_PATCH] {
        let body = if media == MERGE {
            json!({"familyName": huge})
        } else {
            json!([{"op": "replace", "path": "/familyName", "value": huge}])
        };
        let response = app.patch(&item(INDIVIDUAL, &id), media, &body).await;
        refused(&response, 413, &[], &format!("PATCH {media} of 2 KiB"));
    }
    assert_eq!(state(&app, INDIVIDUAL, &id).await, before);
}

// ---------------------------------------------------------------------------------------
// Routes and methods
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn an_unknown_route_is_404() {
    let app = TestApp::new().await;
    for uri in [
        "/",
        "/nope",
        "/tmf-api",
        "/tmf-api/party/v4/",
        "/tmf-api/party/v4/individuals",
        "/tmf-api/party/v5/individual",
        "/tmf-api/party/v4/Individual",
        "/tmf-api/party/v4/individual/",
        "/tmf-api/party/v4/individual/some-id/extra",
        "/tmf-api/customerManagement/v4/customer/x/y/z",
        "/tmf-api/partyRoleManagement/v4/hubs",
    ] {
        let response = app.get(uri).await;
        refused(&response, 404, &[], &format!("GET {uri}"));
    }
    let response = app
        .post(
            "/tmf-api/party/v4/individuals",
            &json!({"givenName": "A", "familyName": "B"}),
        )
        .await;
    refused(
        &response,
        404,
        &["/tmf-api/party/v4/individuals"],
        "POST to an unknown route",
    );
    let response = app
        .post(
            "/tmf-api/party/v4/individual/",
            &json!({"givenName": "A", "familyName": "B"}),
        )
        .await;
    refused(&response, 404, &[], "POST with a trailing slash");
    assert_eq!(totals(&app).await, [0, 0, 0, 0], "nothing was stored");
}

#[tokio::test]
async fn a_method_that_is_not_allowed_is_405_with_allow() {
    let app = TestApp::new().await;
    let ids = one_of_each(&app).await;
    let before_totals = totals(&app).await;
    for (path, id) in PATHS.iter().zip(&ids) {
        let before = state(&app, path, id).await;
        let body = valid_body(path, &ids[0]).to_string();
        let cases: [(Method, String, &[&str]); 6] = [
            (Method::PUT, item(path, id), &["GET", "PATCH", "DELETE"]),
            (Method::POST, item(path, id), &["GET", "PATCH", "DELETE"]),
            (Method::DELETE, (*path).to_owned(), &["GET", "POST"]),
            (Method::PATCH, (*path).to_owned(), &["GET", "POST"]),
            (Method::PUT, (*path).to_owned(), &["GET", "POST"]),
            (Method::TRACE, item(path, id), &["GET", "PATCH", "DELETE"]),
        ];
        for (method, uri, allowed) in cases {
            let response = app
                .raw(
                    method.clone(),
                    &uri,
                    Some("application/json"),
                    Body::from(body.clone()),
                )
                .await;
            let what = format!("{method} {uri}");
            refused(&response, 405, &[], &what);
            if let Some(allow) = response.header("allow") {
                let listed: Vec<String> = allow
                    .split(',')
                    .map(|m| m.trim().to_ascii_uppercase())
                    .collect();
                for method_allowed in allowed {
                    assert!(
                        listed.iter().any(|m| m == method_allowed),
                        "{what}: Allow '{allow}' lacks {method_allowed}"
                    );
                }
                assert!(
                    !listed.iter().any(|m| m == method.as_str()),
                    "{what}: Allow '{allow}' lists the refused method"
                );
            }
        }
        assert_eq!(state(&app, path, id).await, before, "nothing changed");
    }
    assert_eq!(totals(&app).await, before_totals, "nothing was stored");
}

#[tokio::test]
async fn options_is_not_answered_as_a_bare_200_when_cors_is_not_configured() {
    // No CORS origin is configured (the default): OPTIONS is no operation of any resource,
    // so it is a method not allowed on a resource path and an unknown route elsewhere,
    // each with a TMF Error body.
    let app = TestApp::new().await;
    let ids = one_of_each(&app).await;
    let mut problems = Vec::new();
    let mut uris: Vec<(String, u16)> = Vec::new();
    for (path, id) in PATHS.iter().zip(&ids) {
        uris.push(((*path).to_owned(), 405));
        uris.push((item(path, id), 405));
    }
    uris.push(("/nope".to_owned(), 404));
    uris.push(("/tmf-api/party/v4/individuals".to_owned(), 404));
    for (uri, expected) in &uris {
        let response = app.raw(Method::OPTIONS, uri, None, Body::empty()).await;
        let is_tmf_error = response.body["@type"] == "Error"
            && response.body["status"]
                .as_str()
                .is_some_and(|status| status.parse() == Ok(*expected));
        if response.status.as_u16() != *expected || !is_tmf_error {
            problems.push(format!(
                "OPTIONS {uri}: expected {expected} with a TMF Error, got {} {:?}",
                response.status, response.text
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------
// Patches
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_patch_that_changes_id_is_400() {
    let app = TestApp::new().await;
    let ids = one_of_each(&app).await;
    for (path, id) in PATHS.iter().zip(&ids) {
        let before = state(&app, path, id).await;
        let uri = item(path, id);
        for (media, body) in [
            (MERGE, json!({"id": "another-id"})),
            (
                "application/json",
                json!({"id": "another-id", "status": "x"}),
            ),
            (MERGE, json!({"id": null})),
            (MERGE, json!({"id": 42})),
            (
                JSON_PATCH,
                json!([{"op": "replace", "path": "/id", "value": "another-id"}]),
            ),
            (JSON_PATCH, json!([{"op": "remove", "path": "/id"}])),
            (
                JSON_PATCH,
                json!([{"op": "move", "from": "/id", "path": "/status"}]),
            ),
        ] {
            let response = app.patch(&uri, media, &body).await;
            refused(
                &response,
                400,
                &["id"],
                &format!("PATCH {path} {media} {body}"),
            );
        }
        assert_eq!(
            state(&app, path, id).await,
            before,
            "the resource is unchanged"
        );
        let response = app.get(&item(path, "another-id")).await;
        refused(&response, 404, &[], "nothing under the new id");
    }
}

#[tokio::test]
async fn a_patch_that_removes_a_required_field_is_400() {
    let app = TestApp::new().await;
    let [party, organization, customer, role] = one_of_each(&app).await;
    let cases = [
        (
            INDIVIDUAL,
            &party,
            MERGE,
            json!({"familyName": null}),
            vec!["familyName"],
        ),
        (
            INDIVIDUAL,
            &party,
            JSON_PATCH,
            json!([{"op": "remove", "path": "/givenName"}]),
            vec!["givenName"],
        ),
        (
            ORGANIZATION,
            &organization,
            "application/json",
            json!({"tradingName": null}),
            vec!["tradingName"],
        ),
        (
            CUSTOMER,
            &customer,
            MERGE,
            json!({"name": null}),
            vec!["name"],
        ),
        (
            CUSTOMER,
            &customer,
            MERGE,
            json!({"engagedParty": null}),
            vec!["engagedParty"],
        ),
        (
            CUSTOMER,
            &customer,
            MERGE,
            json!({"engagedParty": {"id": null}}),
            vec!["engagedParty", "id"],
        ),
        (
            PARTY_ROLE,
            &role,
            MERGE,
            json!({"name": null}),
            vec!["name"],
        ),
    ];
    for (path, id, media, body, mentions) in &cases {
        let before = state(&app, path, id).await;
        let response = app.patch(&item(path, id), media, body).await;
        refused(
            &response,
            400,
            mentions,
            &format!("PATCH {path} {media} {body}"),
        );
        assert_eq!(
            state(&app, path, id).await,
            before,
            "the resource is unchanged"
        );
    }
}

#[tokio::test]
async fn a_json_patch_whose_test_fails_is_422_and_changes_nothing() {
    let app = TestApp::new().await;
    let ids = one_of_each(&app).await;
    let party = &ids[0];
    let before = state(&app, INDIVIDUAL, party).await;
    for body in [
        json!([{"op": "test", "path": "/givenName", "value": "Nope"},
               {"op": "replace", "path": "/familyName", "value": "Changed"}]),
        json!([{"op": "replace", "path": "/familyName", "value": "Changed"},
               {"op": "test", "path": "/givenName", "value": "Nope"}]),
        json!([{"op": "test", "path": "/nickname", "value": "x"}]),
        json!([{"op": "replace", "path": "/familyName", "value": "Changed"},
               {"op": "remove", "path": "/doesNotExist"}]),
        json!([{"op": "replace", "path": "/contactMedium/3/mediumType", "value": "x"}]),
        json!([{"op": "copy", "from": "/nothing", "path": "/middleName"}]),
    ] {
        let response = app.patch(&item(INDIVIDUAL, party), JSON_PATCH, &body).await;
        refused(
            &response,
            422,
            &["JSON Patch"],
            &format!("JSON Patch {body}"),
        );
        assert_eq!(
            state(&app, INDIVIDUAL, party).await,
            before,
            "a failed JSON Patch applies none of its operations: {body}"
        );
    }
    for (path, id) in PATHS.iter().zip(&ids).skip(1) {
        let before = state(&app, path, id).await;
        let response = app
            .patch(
                &item(path, id),
                JSON_PATCH,
                &json!([{"op": "test", "path": "/id", "value": "someone-else"}]),
            )
            .await;
        refused(&response, 422, &[], &format!("JSON Patch test on {path}"));
        assert_eq!(state(&app, path, id).await, before);
    }
}

#[tokio::test]
async fn a_json_patch_body_that_is_not_a_json_patch_is_400() {
    let app = TestApp::new().await;
    let party = app.individual("Ada", "Lovelace").await;
    let before = state(&app, INDIVIDUAL, &party).await;
    for body in [
        json!({"op": "replace", "path": "/familyName", "value": "King"}),
        json!({"familyName": "King"}),
        json!([{"op": "frobnicate", "path": "/familyName"}]),
        json!([{"op": "replace", "value": "King"}]),
        json!([{"op": "replace", "path": "/familyName"}]),
        json!([{"op": "move", "path": "/familyName"}]),
        json!([1, 2]),
        json!([[]]),
        json!("replace"),
        json!(null),
    ] {
        let response = app
            .patch(&item(INDIVIDUAL, &party), JSON_PATCH, &body)
            .await;
        refused(
            &response,
            400,
            &["JSON Patch"],
            &format!("JSON Patch body {body}"),
        );
    }
    assert_eq!(state(&app, INDIVIDUAL, &party).await, before);
}

// ---------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn an_invalid_date_is_400_naming_the_field() {
    let app = TestApp::new().await;
    let party = app.individual("Ada", "Lovelace").await;
    let engaged = json!({"id": party, "@referredType": "Individual"});
    let customer = |valid_for: Value| json!({"name": "C", "engagedParty": engaged.clone(), "validFor": valid_for});
    let cases = [
        (
            CUSTOMER,
            customer(json!({"startDateTime": "not-a-date"})),
            "validFor.startDateTime",
        ),
        (
            CUSTOMER,
            customer(json!({"startDateTime": "2024-13-45T00:00:00Z"})),
            "validFor.startDateTime",
        ),
        (
            CUSTOMER,
            customer(json!({"startDateTime": "2024-02-30T00:00:00Z"})),
            "validFor.startDateTime",
        ),
        (
            CUSTOMER,
            customer(json!({"startDateTime": "2024-01-01T25:00:00Z"})),
            "validFor.startDateTime",
        ),
        (
            CUSTOMER,
            customer(json!({"startDateTime": ""})),
            "validFor.startDateTime",
        ),
        (
            CUSTOMER,
            customer(json!({"endDateTime": "tomorrow"})),
            "validFor.endDateTime",
        ),
        (
            CUSTOMER,
            customer(json!({"endDateTime": 1_700_000_000})),
            "validFor.endDateTime",
        ),
        (
            PARTY_ROLE,
            json!({"name": "R", "validFor": {"startDateTime": "01/02/2024"}}),
            "validFor.startDateTime",
        ),
        (
            INDIVIDUAL,
            json!({"givenName": "A", "familyName": "B", "contactMedium": [{"validFor": {"startDateTime": "soon"}}]}),
            "contactMedium[0].validFor.startDateTime",
        ),
        (
            INDIVIDUAL,
            json!({"givenName": "A", "familyName": "B", "birthDate": "yesterday"}),
            "birthDate",
        ),
        (
            ORGANIZATION,
            json!({"tradingName": "T", "existsDuring": {"startDateTime": "1990"}}),
            "existsDuring.startDateTime",
        ),
    ];
    let before = totals(&app).await;
    for (path, body, field) in &cases {
        let response = app.post(path, body).await;
        refused(&response, 400, &[field], &format!("POST {path} {body}"));
    }
    assert_eq!(totals(&app).await, before, "nothing was stored");

    let id = app.customer("C", &party, "active").await;
    let before = state(&app, CUSTOMER, &id).await;
    let response = app
        .patch(
            &item(CUSTOMER, &id),
            MERGE,
            &json!({"validFor": {"startDateTime": "whenever"}}),
        )
        .await;
    refused(
        &response,
        400,
        &["validFor.startDateTime"],
        "patch with an invalid date",
    );
    assert_eq!(state(&app, CUSTOMER, &id).await, before);
}

#[tokio::test]
async fn an_end_before_the_start_is_422_naming_the_end() {
    let app = TestApp::new().await;
    let party = app.individual("Ada", "Lovelace").await;
    let reversed =
        json!({"startDateTime": "2025-01-01T00:00:00Z", "endDateTime": "2024-01-01T00:00:00Z"});
    let cases = [
        (
            CUSTOMER,
            json!({"name": "C", "engagedParty": {"id": party, "@referredType": "Individual"}, "validFor": reversed}),
            "validFor.endDateTime",
        ),
        (
            PARTY_ROLE,
            json!({"name": "R", "validFor": reversed}),
            "validFor.endDateTime",
        ),
        (
            INDIVIDUAL,
            json!({"givenName": "A", "familyName": "B", "contactMedium": [{"mediumType": "email"}, {"validFor": reversed}]}),
            "contactMedium[1].validFor.endDateTime",
        ),
        (
            ORGANIZATION,
            json!({"tradingName": "T", "existsDuring": reversed}),
            "existsDuring.endDateTime",
        ),
        (
            CUSTOMER,
            json!({"name": "C", "engagedParty": {"id": party, "@referredType": "Individual"},
                   "creditProfile": [{"creditProfileDate": "2024-01-01T00:00:00Z", "validFor": reversed}]}),
            "creditProfile[0].validFor.endDateTime",
        ),
    ];
    let before = totals(&app).await;
    for (path, body, field) in &cases {
        let response = app.post(path, body).await;
        refused(&response, 422, &[field], &format!("POST {path} {body}"));
    }
    assert_eq!(totals(&app).await, before, "nothing was stored");

    let created = app
        .post(
            CUSTOMER,
            &json!({"name": "C", "engagedParty": {"id": party, "@referredType": "Individual"},
                    "validFor": {"startDateTime": "2024-01-01T00:00:00Z"}}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.id();
    let before = state(&app, CUSTOMER, &id).await;
    let response = app
        .patch(
            &item(CUSTOMER, &id),
            MERGE,
            &json!({"validFor": {"endDateTime": "2000-01-01T00:00:00Z"}}),
        )
        .await;
    refused(
        &response,
        422,
        &["validFor.endDateTime"],
        "patch ending before the start",
    );
    assert_eq!(state(&app, CUSTOMER, &id).await, before);
}

// ---------------------------------------------------------------------------------------
// Hostile list queries
// ---------------------------------------------------------------------------------------

/// Two of each resource, so that a filter that leaks would show.
async fn seed(app: &TestApp) -> [String; 4] {
    let ids = one_of_each(app).await;
    let party = &ids[0];
    app.individual("Grace", "Hopper").await;
    app.post(
        ORGANIZATION,
        &json!({"tradingName": "Other Org", "name": "Other Org Ltd", "isHeadOffice": true}),
    )
    .await;
    app.customer("Other customer", party, "active").await;
    app.post(PARTY_ROLE, &json!({"name": "Other role"})).await;
    ids
}

/// The row count of a table, read underneath the API.
async fn rows(app: &TestApp, table: &str) -> i64 {
    let backend = app.store.backend();
    let row = app
        .store
        .connection()
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .unwrap_or_else(|e| panic!("table {table} is readable: {e}"))
        .expect("a count row");
    row.try_get::<i64>("", "n").expect("a count")
}

/// The name-like attribute of each collection.
fn name_attribute(path: &str) -> &'static str {
    match path {
        INDIVIDUAL => "givenName",
        ORGANIZATION => "tradingName",
        _ => "name",
    }
}

#[track_caller]
fn assert_no_server_error(response: &TestResponse, what: &str) {
    assert!(
        !response.status.is_server_error(),
        "{what}: {} {}",
        response.status,
        response.text
    );
}

/// What is wrong with the answer to a hostile query that may be refused (400) or run
/// (200, a list), but never fail on the server.
fn hostile_outcome(uri: &str, response: &TestResponse) -> Option<String> {
    let acceptable = match response.status {
        StatusCode::OK => response.body.is_array(),
        StatusCode::BAD_REQUEST => {
            response.body["@type"] == "Error" && response.body["status"] == "400"
        }
        _ => false,
    };
    (!acceptable).then(|| {
        format!(
            "GET {uri}: expected 200 with a list or 400 with a TMF Error, got {} {}",
            response.status, response.text
        )
    })
}

#[tokio::test]
async fn sql_injection_in_filters_returns_an_empty_list_and_leaves_the_tables_intact() {
    let app = TestApp::new().await;
    let ids = seed(&app).await;
    let before = totals(&app).await;
    let tables = ["party", "customer", "party_role", "entity_ref"];
    let mut rows_before = Vec::new();
    for table in tables {
        rows_before.push(rows(&app, table).await);
    }
    let injections = [
        "x'%20OR%20'1'='1",
        "%27%3B%20DROP%20TABLE%20party%3B--",
        "%27%3B%20DROP%20TABLE%20customer%3B--",
        "%27%3B%20DELETE%20FROM%20entity_ref%3B--",
        "%27%20OR%201%3D1--",
        "%27)%20OR%20(%271%27%3D%271",
        "x%22%20OR%20%221%22%3D%221",
        "1%20OR%201%3D1",
        "%27%20UNION%20SELECT%20body%20FROM%20party--",
        "x'%7C%7C'",
        "%5C'%20OR%201%3D1--",
        "x%27%20OR%20body%20IS%20NOT%20NULL%20--",
    ];
    for path in PATHS {
        let attribute = name_attribute(path);
        for injection in injections {
            for key in [attribute.to_owned(), format!("{attribute}.eq")] {
                let uri = format!("{path}?{key}={injection}");
                let response = app.get(&uri).await;
                assert_eq!(response.status, StatusCode::OK, "{uri}: {}", response.text);
                assert_eq!(response.body, json!([]), "{uri} must match nothing");
                assert_eq!(response.header("x-total-count"), Some("0"), "{uri}");
            }
        }
        // The same through a regular expression (only those that are valid ones).
        for injection in [
            "x'%20OR%20'1'='1",
            "%27%3B%20DROP%20TABLE%20party%3B--",
            "%27%3B%20DROP%20TABLE%20customer%3B--",
            "%27%20OR%201%3D1--",
        ] {
            let uri = format!("{path}?{attribute}.regex={injection}");
            let response = app.get(&uri).await;
            assert_eq!(response.status, StatusCode::OK, "{uri}: {}", response.text);
            assert_eq!(response.body, json!([]), "{uri} must match nothing");
            assert_eq!(response.header("x-total-count"), Some("0"), "{uri}");
        }
        // Injection through a second, OR-ed value, and through a list attribute.
        let uri = format!(
            "{path}?{attribute}=nobody,x'%20OR%20'1'='1&relatedParty.id=%27%20OR%201%3D1--"
        );
        let response = app.get(&uri).await;
        assert_eq!(response.status, StatusCode::OK, "{uri}: {}", response.text);
        assert_eq!(response.body, json!([]), "{uri}");
    }
    assert_eq!(totals(&app).await, before, "every table is intact");
    for (table, count) in tables.iter().zip(&rows_before) {
        assert_eq!(rows(&app, table).await, *count, "table {table} is intact");
    }
    for (path, id) in PATHS.iter().zip(&ids) {
        state(&app, path, id).await;
    }
}

#[tokio::test]
async fn injection_in_keys_sort_and_fields_is_refused_or_harmless() {
    let app = TestApp::new().await;
    seed(&app).await;
    let before = totals(&app).await;
    for path in PATHS {
        let attribute = name_attribute(path);
        for query in [
            format!("{attribute}'%20OR%20'1'='1=x"),
            format!("{attribute}%3BDROP%20TABLE%20party=x"),
            "id)%20OR%20(1=1=x".to_owned(),
            format!("sort={attribute}%3B%20DROP%20TABLE%20party"),
            format!("sort={attribute}%20DESC%2C%20(SELECT%201)"),
            format!("sort=-{attribute}'--"),
            "sort=1".to_owned(),
        ] {
            let uri = format!("{path}?{query}");
            let response = app.get(&uri).await;
            refused(&response, 400, &[], &uri);
        }
        // A plain name the definition does not have is an extension attribute: compared
        // as JSON, it matches nothing here (and names no column).
        let uri = format!("{path}?body=x");
        let response = app.get(&uri).await;
        assert_eq!(response.status, StatusCode::OK, "{uri}: {}", response.text);
        assert_eq!(response.body, json!([]), "{uri}");
        let uri =
            format!("{path}?fields={attribute}'%20OR%201=1,%27%3B%20DROP%20TABLE%20party%3B--");
        let response = app.get(&uri).await;
        assert_no_server_error(&response, &uri);
    }
    assert_eq!(totals(&app).await, before, "every table is intact");
}

#[tokio::test]
async fn unknown_attributes_and_operators_in_filters_are_400() {
    // By default an attribute the definition does not name filters on an extension
    // attribute; with `strict_attributes` it is refused, as are bad operators either way.
    let lenient = TestApp::new().await;
    seed(&lenient).await;
    for uri in [
        format!("{INDIVIDUAL}?shoeSize=42"),
        format!("{INDIVIDUAL}?tradingName=x"),
        format!("{ORGANIZATION}?givenName=Ada"),
    ] {
        let response = lenient.get(&uri).await;
        assert_eq!(response.status, StatusCode::OK, "{uri}: {}", response.text);
        assert_eq!(response.body, json!([]), "{uri}");
    }
    let app = TestApp::with_settings(|s| s.strict_attributes = true).await;
    seed(&app).await;
    let cases = [
        (INDIVIDUAL, "shoeSize=42", "shoeSize"),
        (INDIVIDUAL, "givenName.first=Ada", "givenName.first"),
        (INDIVIDUAL, "givenName.like=A%25", "givenName.like"),
        (INDIVIDUAL, "givenName.contains=A", "givenName.contains"),
        (INDIVIDUAL, "givenName.in=Ada,Grace", "givenName.in"),
        (INDIVIDUAL, "givenName.gt.lt=A", "givenName.gt"),
        (INDIVIDUAL, "givenName.=A", "givenName."),
        (INDIVIDUAL, "givenName.EQ=Ada", "givenName.EQ"),
        (INDIVIDUAL, ".eq=Ada", ""),
        (INDIVIDUAL, "tradingName=x", "tradingName"),
        (ORGANIZATION, "givenName=Ada", "givenName"),
        (ORGANIZATION, "isHeadOffice=yes", "isHeadOffice"),
        (ORGANIZATION, "isHeadOffice.regex=t", "isHeadOffice"),
        (CUSTOMER, "engagedParty.nickname=x", "engagedParty.nickname"),
        (PARTY_ROLE, "name.between=a,b", "name.between"),
        (PARTY_ROLE, "name.gt=a,b", "name.gt"),
    ];
    for (path, query, mention) in cases {
        let uri = format!("{path}?{query}");
        let response = app.get(&uri).await;
        let mentions: &[&str] = if mention.is_empty() { &[] } else { &[mention] };
        refused(&response, 400, mentions, &uri);
    }
}

#[tokio::test]
async fn bad_regular_expressions_are_400() {
    let app = TestApp::new().await;
    seed(&app).await;
    let long = "a".repeat(201);
    for path in PATHS {
        let attribute = name_attribute(path);
        for regex in [
            long.as_str(),
            "(",
            "%5Ba-",
            "a%7B2,1%7D",
            "(%3F%3C%3Da)b",
            "*",
            "%5C",
        ] {
            let uri = format!("{path}?{attribute}.regex={regex}");
            let response = app.get(&uri).await;
            refused(&response, 400, &[attribute], &uri);
        }
        let uri = format!("{path}?{attribute}.regex=(a%2B)%2B%24");
        let response = app.get(&uri).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "a harmless regex: {}",
            response.text
        );
    }
}

#[tokio::test]
async fn regular_expressions_the_database_may_not_know_never_give_a_5xx() {
    let app = TestApp::new().await;
    seed(&app).await;
    let mut problems = Vec::new();
    for path in PATHS {
        let attribute = name_attribute(path);
        for regex in [
            "%5Cp%7BL%7D%2B",             // \p{L}+
            "%5CpL",                      // \pL
            "a%7B300%7D",                 // a{300}
            "%5Cz",                       // \z
            "(%3FU)a%2B",                 // (?U)a+
            "(%3Fx)%20a%20b",             // (?x) a b
            "%5B%5B%3Aalpha%3A%5D%5D",    // [[:alpha:]]
            "%5Cd%2B",                    // \d+
            "(%3Fi)ADA",                  // (?i)ADA
            "%5Cx%7B41%7D",               // \x{41}
            "%5BA-Z%26%26%5BAEIOU%5D%5D", // [A-Z&&[AEIOU]]
            "(%3FP%3Cn%3EA)",             // (?P<n>A)
        ] {
            let uri = format!("{path}?{attribute}.regex={regex}");
            let response = app.get(&uri).await;
            problems.extend(hostile_outcome(&uri, &response));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test]
async fn bad_paging_is_400() {
    let app = TestApp::new().await;
    seed(&app).await;
    for path in PATHS {
        for (query, mention) in [
            ("limit=-1", "limit"),
            ("limit=99999999999999999999999", "limit"),
            ("limit=1001", "limit"),
            ("limit=huge", "limit"),
            ("limit=1.5", "limit"),
            ("limit=", "limit"),
            ("limit=0x10", "limit"),
            ("offset=abc", "offset"),
            ("offset=-1", "offset"),
            ("offset=", "offset"),
            ("offset=99999999999999999999", "offset"),
        ] {
            let uri = format!("{path}?{query}");
            let response = app.get(&uri).await;
            refused(&response, 400, &[mention], &uri);
        }
        let uri = format!("{path}?offset=18446744073709551615");
        let response = app.get(&uri).await;
        assert_eq!(response.status, StatusCode::OK, "{uri}: {}", response.text);
        assert_eq!(response.body, json!([]), "{uri}");
        assert_eq!(response.header("x-total-count"), Some("2"), "{uri}");
    }
}

#[tokio::test]
async fn too_many_clauses_values_or_characters_are_400() {
    let app = TestApp::new().await;
    seed(&app).await;
    let clauses = (0..17)
        .map(|i| format!("givenName.ne=x{i}"))
        .collect::<Vec<_>>()
        .join("&");
    let response = app.get(&format!("{INDIVIDUAL}?{clauses}")).await;
    refused(&response, 400, &["clauses"], "17 clauses");

    let values = (0..51)
        .map(|i| format!("v{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let response = app.get(&format!("{CUSTOMER}?name={values}")).await;
    refused(&response, 400, &["values"], "51 OR-ed values");

    let repeated = (0..51)
        .map(|i| format!("name=v{i}"))
        .collect::<Vec<_>>()
        .join("&");
    let response = app.get(&format!("{PARTY_ROLE}?{repeated}")).await;
    refused(&response, 400, &["values"], "51 repeated keys");

    let long = format!("{ORGANIZATION}?tradingName={}", "x".repeat(5000));
    let response = app.get(&long).await;
    refused(&response, 400, &[], "a 5000-character query");
}

#[tokio::test]
async fn a_date_filter_that_is_not_a_date_is_400() {
    let app = TestApp::new().await;
    seed(&app).await;
    for (path, query, mention) in [
        (INDIVIDUAL, "birthDate.gt=yesterday", "birthDate"),
        (INDIVIDUAL, "birthDate=2024-13-01", "birthDate"),
        (INDIVIDUAL, "birthDate.lt=01/02/2024", "birthDate"),
        (INDIVIDUAL, "birthDate.gte=", "birthDate"),
        (
            INDIVIDUAL,
            "contactMedium.validFor.startDateTime.gt=x'%20OR%20'1'='1",
            "contactMedium.validFor.startDateTime",
        ),
        (
            ORGANIZATION,
            "existsDuring.startDateTime.lte=1990-02-30",
            "existsDuring.startDateTime",
        ),
        (
            CUSTOMER,
            "validFor.startDateTime.gte=notadate",
            "validFor.startDateTime",
        ),
        (
            CUSTOMER,
            "creditProfile.creditProfileDate=now",
            "creditProfile.creditProfileDate",
        ),
        (
            PARTY_ROLE,
            "validFor.endDateTime.lt=2024-01-01T25:00:00Z",
            "validFor.endDateTime",
        ),
        (
            INDIVIDUAL,
            "creditRating.ratingScore.gt=high",
            "creditRating.ratingScore",
        ),
    ] {
        let uri = format!("{path}?{query}");
        let response = app.get(&uri).await;
        refused(&response, 400, &[mention], &uri);
    }
}

#[tokio::test]
async fn dates_and_texts_the_database_may_refuse_never_give_a_5xx() {
    let app = TestApp::new().await;
    seed(&app).await;
    let mut problems = Vec::new();
    for (path, query) in [
        (INDIVIDUAL, "birthDate.gt=200000-01-01"),
        (INDIVIDUAL, "birthDate.lt=0000-01-01"),
        (INDIVIDUAL, "birthDate.lt=-0001-01-01T00:00:00Z"),
        (
            CUSTOMER,
            "validFor.startDateTime.gte=9999-12-31T23:59:59%2B14:00",
        ),
        (INDIVIDUAL, "givenName=a%00b"),
        (ORGANIZATION, "tradingName.regex=a%00"),
        (CUSTOMER, "name=%FF%FE"),
        (PARTY_ROLE, "name=%F0%9F%92%A3"),
        (
            INDIVIDUAL,
            "creditRating.ratingScore.gt=79228162514264337593543950335",
        ),
        (
            INDIVIDUAL,
            "creditRating.ratingScore.lt=-0.0000000000000000000000000001",
        ),
    ] {
        let uri = format!("{path}?{query}");
        let response = app.get(&uri).await;
        problems.extend(hostile_outcome(&uri, &response));
        // A value the database refuses is named in our words, never the database's.
        if response.status.is_client_error()
            && let Some(message) = response.body["message"].as_str()
            && message.contains("database")
        {
            assert!(message.contains("SQLSTATE"), "{uri}: {message}");
        }
    }
    // Storing one: a NUL character PostgreSQL's JSONB cannot hold, named without its text.
    let stored = app
        .post(ORGANIZATION, &json!({"tradingName": "Null\u{0}Corp"}))
        .await;
    if crm_tests::on_postgres() {
        let message = stored.assert_tmf_error(422);
        assert!(
            message.contains("SQLSTATE") && !message.contains("unsupported Unicode"),
            "{message}"
        );
    } else {
        assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.text);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test]
async fn sort_on_an_unknown_attribute_is_400() {
    let app = TestApp::new().await;
    seed(&app).await;
    for (path, sort, mention) in [
        (INDIVIDUAL, "shoeSize", "shoeSize"),
        (INDIVIDUAL, "-shoeSize", "shoeSize"),
        (INDIVIDUAL, "givenName,nope", "nope"),
        (
            INDIVIDUAL,
            "contactMedium.mediumType",
            "contactMedium.mediumType",
        ),
        (ORGANIZATION, "givenName", "givenName"),
        (CUSTOMER, "relatedParty.id", "relatedParty.id"),
        (CUSTOMER, "-", ""),
        (PARTY_ROLE, "%2B", ""),
        (PARTY_ROLE, "name%20DESC", "name DESC"),
    ] {
        let uri = format!("{path}?sort={sort}");
        let response = app.get(&uri).await;
        let mentions: &[&str] = if mention.is_empty() { &[] } else { &[mention] };
        refused(&response, 400, mentions, &uri);
    }
}

// ---------------------------------------------------------------------------------------
// Deletes and unknown ids
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn deleting_a_party_still_referenced_is_409_and_it_survives() {
    let app = TestApp::new().await;
    let party = app.individual("Ada", "Lovelace").await;
    let customer = app.customer("Ada's account", &party, "active").await;
    let before = state(&app, INDIVIDUAL, &party).await;

    let response = app.delete(&item(INDIVIDUAL, &party)).await;
    refused(
        &response,
        409,
        &[&party, &customer, "engagedParty"],
        "delete an engaged individual",
    );
    assert_eq!(
        state(&app, INDIVIDUAL, &party).await,
        before,
        "the individual is still there"
    );
    assert_eq!(total(&app, INDIVIDUAL).await, 1);
    assert_eq!(
        state(&app, CUSTOMER, &customer).await["engagedParty"]["id"],
        party.as_str()
    );

    // An organization that is a parent, and one that is a related party of a party role.
    let parent = app
        .post(ORGANIZATION, &json!({"tradingName": "Parent"}))
        .await
        .id();
    let child = app
        .post(
            ORGANIZATION,
            &json!({"tradingName": "Child", "organizationParentRelationship": {"organization": {"id": parent}}}),
        )
        .await;
    assert_eq!(child.status, StatusCode::CREATED, "{}", child.text);
    let response = app.delete(&item(ORGANIZATION, &parent)).await;
    refused(
        &response,
        409,
        &[&parent, "organizationParentRelationship"],
        "delete a parent organization",
    );
    state(&app, ORGANIZATION, &parent).await;

    let role = app
        .post(
            PARTY_ROLE,
            &json!({"name": "Partner", "relatedParty": [{"id": customer, "@referredType": "Customer"}]}),
        )
        .await;
    assert_eq!(role.status, StatusCode::CREATED, "{}", role.text);
    let response = app.delete(&item(CUSTOMER, &customer)).await;
    refused(
        &response,
        409,
        &[&customer, "relatedParty[0]"],
        "delete a customer a role relates to",
    );
    state(&app, CUSTOMER, &customer).await;

    // Once the references are gone, the deletes go through.
    assert_eq!(
        app.delete(&item(PARTY_ROLE, &role.id())).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.delete(&item(CUSTOMER, &customer)).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.delete(&item(INDIVIDUAL, &party)).await.status,
        StatusCode::NO_CONTENT
    );
    refused(
        &app.get(&item(INDIVIDUAL, &party)).await,
        404,
        &[&party],
        "deleted",
    );
}

#[tokio::test]
async fn unknown_ids_are_404() {
    let app = TestApp::new().await;
    let ids = one_of_each(&app).await;
    let before = totals(&app).await;
    let long = "z".repeat(300);
    for path in PATHS {
        for id in [
            "00000000-0000-7000-8000-000000000000",
            "does-not-exist",
            long.as_str(),
            "x'%20OR%20'1'='1",
            "%27%3B%20DROP%20TABLE%20party%3B--",
        ] {
            let uri = item(path, id);
            refused(&app.get(&uri).await, 404, &[], &format!("GET {uri}"));
            let response = app.patch(&uri, MERGE, &json!({"status": "x"})).await;
            refused(&response, 404, &[], &format!("PATCH {uri}"));
            let response = app
                .patch(
                    &uri,
                    JSON_PATCH,
                    &json!([{"op": "replace", "path": "/status", "value": "x"}]),
                )
                .await;
            refused(&response, 404, &[], &format!("JSON PATCH {uri}"));
            refused(&app.delete(&uri).await, 404, &[], &format!("DELETE {uri}"));
        }
        let uri = item(path, "does-not-exist");
        let message = refused(
            &app.get(&uri).await,
            404,
            &["does-not-exist"],
            "the message names the id",
        );
        assert!(!message.is_empty());
    }
    // The id of one kind is unknown to the others, even those sharing its table.
    for (i, id) in ids.iter().enumerate() {
        for (j, path) in PATHS.iter().enumerate() {
            if i != j {
                let uri = item(path, id);
                refused(&app.get(&uri).await, 404, &[id], &format!("GET {uri}"));
                let response = app.patch(&uri, MERGE, &json!({"status": "x"})).await;
                refused(&response, 404, &[id], &format!("PATCH {uri}"));
                refused(
                    &app.delete(&uri).await,
                    404,
                    &[id],
                    &format!("DELETE {uri}"),
                );
            }
        }
    }
    assert_eq!(totals(&app).await, before, "nothing was created or deleted");
}
