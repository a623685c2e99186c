//! Interoperability (TMF630 extension pattern) through the real router: attributes a v4
//! definition does not name are kept and returned as sent, are filterable, and are refused
//! again under `strict_attributes`, and travel through the history and the events; money
//! is exact; references may omit `href` and `@referredType` (every reference attribute:
//! references.rs); TMF683's free strings (`direction`, channel names) stay free.

use std::str::FromStr;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use crm_tests::listener::Listener;
use crm_tests::{CUSTOMER, INDIVIDUAL, ORGANIZATION, PARTY_ROLE, TestApp, TestResponse, item};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::MathematicalOps;
use serde_json::{Value, json};

const MERGE: &str = "application/merge-patch+json";
const JSON_PATCH: &str = "application/json-patch+json";
const BILLING_ACCOUNT: &str = "/tmf-api/accountManagement/v4/billingAccount";
const INTERACTION: &str = "/tmf-api/partyInteraction/v4/partyInteraction";

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// The ids of a list body.
fn ids(body: &Value) -> Vec<String> {
    body.as_array()
        .expect("a list is a JSON array")
        .iter()
        .map(|entry| entry["id"].as_str().expect("id").to_owned())
        .collect()
}

/// The element of a list body with this id.
fn listed<'a>(body: &'a Value, id: &str, what: &str) -> &'a Value {
    body.as_array()
        .expect("a list is a JSON array")
        .iter()
        .find(|entry| entry["id"] == id)
        .unwrap_or_else(|| panic!("{what}: {id} is not listed: {body}"))
}

/// Asserts a TMF Error with `status` whose message names every one of `mentions`.
#[track_caller]
fn refused(response: &TestResponse, status: u16, mentions: &[&str], what: &str) {
    assert_eq!(
        response.status.as_u16(),
        status,
        "{what}: expected {status}; body: {}",
        response.text
    );
    let message = response.assert_tmf_error(status);
    for mention in mentions {
        assert!(
            message.contains(mention),
            "{what}: the message does not name '{mention}': {message}"
        );
    }
}

fn vendor_ext() -> Value {
    json!({"level": 3, "tags": ["a", "b"]})
}

/// One collection with a valid body, and where in it a nested unknown attribute goes.
struct Case {
    path: &'static str,
    body: Value,
    /// JSON pointer of the nested object that receives the unknown attribute.
    parent: &'static str,
    key: &'static str,
    value: Value,
}

impl Case {
    fn pointer(&self) -> String {
        format!("{}/{}", self.parent, self.key)
    }

    /// The body with `vendorExt` at the top and the nested unknown attribute.
    fn extended(&self) -> Value {
        let mut body = self.body.clone();
        body["vendorExt"] = vendor_ext();
        body.pointer_mut(self.parent)
            .and_then(Value::as_object_mut)
            .unwrap_or_else(|| panic!("{}: no object at {}", self.path, self.parent))
            .insert(self.key.to_owned(), self.value.clone());
        body
    }

    /// Asserts both extension attributes are in `returned`, with `vendor_ext` at the top.
    #[track_caller]
    fn assert_kept(&self, returned: &Value, vendor_ext: &Value, what: &str) {
        assert_eq!(
            &returned["vendorExt"], vendor_ext,
            "{} {what}: vendorExt not returned as sent: {returned}",
            self.path
        );
        assert_eq!(
            returned.pointer(&self.pointer()),
            Some(&self.value),
            "{} {what}: nested {} not returned as sent: {returned}",
            self.path,
            self.pointer()
        );
    }
}

async fn cases(app: &TestApp) -> Vec<Case> {
    let party = app.individual("Ext", "Ension").await;
    let customer = app.customer("Ext Ension", &party, "active").await;
    vec![
        Case {
            path: INDIVIDUAL,
            body: json!({"givenName": "Valid", "familyName": "Body", "contactMedium": [
                {"mediumType": "phone", "characteristic": {"phoneNumber": "+441234567890"}}]}),
            parent: "/contactMedium/0/characteristic",
            key: "planet",
            value: json!("Mars"),
        },
        Case {
            path: ORGANIZATION,
            body: json!({"tradingName": "Valid Org", "contactMedium": [
                {"mediumType": "email", "characteristic": {"emailAddress": "org@example.com"}}]}),
            parent: "/contactMedium/0/characteristic",
            key: "vendorVerified",
            value: json!(true),
        },
        Case {
            path: CUSTOMER,
            body: json!({"name": "Valid", "engagedParty": {"id": party, "@referredType": "Individual"}}),
            parent: "/engagedParty",
            key: "colour",
            value: json!("red"),
        },
        Case {
            path: PARTY_ROLE,
            body: json!({"name": "Valid role", "validFor": {"startDateTime": "2024-01-01T00:00:00Z"}}),
            parent: "/validFor",
            key: "vendorTz",
            value: json!("CET"),
        },
        Case {
            path: BILLING_ACCOUNT,
            body: json!({
                "name": "Main account",
                "relatedParty": [{"id": party, "name": "Owner", "role": "owner", "@referredType": "Individual"}],
                "accountBalance": [{"balanceType": "receivable", "amount": {"unit": "EUR", "value": 42.1},
                    "validFor": {"startDateTime": "2026-01-01T00:00:00Z"}}],
                "creditLimit": {"unit": "EUR", "value": 250}
            }),
            parent: "/relatedParty/0",
            key: "vendorRank",
            value: json!({"tier": 1}),
        },
        Case {
            path: INTERACTION,
            body: crm_tests::phone_call(&customer),
            parent: "/interactionDate",
            key: "vendorTz",
            value: json!("Europe/Paris"),
        },
    ]
}

// ---------------------------------------------------------------------------------------
// 1. Unknown attributes are kept
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn unknown_attributes_are_kept_through_every_operation() {
    let app = TestApp::new().await;
    for case in cases(&app).await {
        let path = case.path;
        let created = app.post(path, &case.extended()).await;
        created.assert_status(StatusCode::CREATED, &format!("POST {path}"));
        case.assert_kept(&created.body, &vendor_ext(), "create");
        let id = created.id();
        let uri = item(path, &id);

        let fetched = app.get(&uri).await;
        fetched.assert_status(StatusCode::OK, &format!("GET {uri}"));
        case.assert_kept(&fetched.body, &vendor_ext(), "retrieve");

        let list = app.get(path).await;
        list.assert_status(StatusCode::OK, &format!("list {path}"));
        case.assert_kept(listed(&list.body, &id, path), &vendor_ext(), "list");

        let projected = app.get(&format!("{path}?fields=vendorExt")).await;
        projected.assert_status(StatusCode::OK, &format!("{path}?fields=vendorExt"));
        let entry = listed(&projected.body, &id, "fields=vendorExt");
        assert_eq!(entry["vendorExt"], vendor_ext(), "{path} fields: {entry}");
        assert_eq!(
            entry["href"], fetched.body["href"],
            "{path} fields keeps href"
        );
        let kept = entry.as_object().expect("object").len();
        let full = fetched.body.as_object().expect("object").len();
        assert!(
            kept < full,
            "{path} fields=vendorExt projected nothing away: {entry}"
        );
        if matches!(path, INDIVIDUAL | ORGANIZATION) {
            assert!(
                entry.get("contactMedium").is_none(),
                "{path} fields=vendorExt keeps contactMedium: {entry}"
            );
        }

        // Merge patch merges into the extension object and adds another attribute.
        let merged = app
            .patch(
                &uri,
                MERGE,
                &json!({"vendorExt": {"level": 4}, "vendorNote": "merged"}),
            )
            .await;
        merged.assert_status(StatusCode::OK, &format!("merge patch {uri}"));
        let after_merge = json!({"level": 4, "tags": ["a", "b"]});
        case.assert_kept(&merged.body, &after_merge, "merge patch");
        assert_eq!(
            merged.body["vendorNote"], "merged",
            "{path}: {}",
            merged.text
        );

        let patched = app
            .patch(
                &uri,
                JSON_PATCH,
                &json!([{"op": "add", "path": "/vendorNote", "value": "x"},
                        {"op": "add", "path": "/vendorExt/tags/-", "value": "c"}]),
            )
            .await;
        patched.assert_status(StatusCode::OK, &format!("JSON Patch {uri}"));
        let after_patch = json!({"level": 4, "tags": ["a", "b", "c"]});
        case.assert_kept(&patched.body, &after_patch, "JSON Patch");
        assert_eq!(patched.body["vendorNote"], "x", "{path}: {}", patched.text);

        let fetched = app.get(&uri).await;
        case.assert_kept(&fetched.body, &after_patch, "retrieve after patches");
        assert_eq!(fetched.body["vendorNote"], "x", "{path}: {}", fetched.text);
    }
}

#[tokio::test]
async fn server_owned_attributes_keep_their_rules_beside_extensions() {
    let app = TestApp::new().await;
    let created = app
        .post(
            INDIVIDUAL,
            &json!({"givenName": "Own", "familyName": "Ed", "vendorExt": vendor_ext()}),
        )
        .await;
    created.assert_status(StatusCode::CREATED, "create");
    let id = created.id();
    assert!(!id.is_empty());
    assert_eq!(created.body["@type"], "Individual");
    assert_eq!(
        created.body["href"],
        format!("http://crm.test{INDIVIDUAL}/{id}")
    );
    // Changing the id is still refused, and the extension does not change that.
    let uri = item(INDIVIDUAL, &id);
    let response = app
        .patch(&uri, MERGE, &json!({"id": "another", "vendorNote": "x"}))
        .await;
    assert!(
        response.status.is_client_error(),
        "changing the id must be refused: {} {}",
        response.status,
        response.text
    );
    let fetched = app.get(&uri).await;
    assert_eq!(fetched.body["id"], id.as_str());
    assert!(
        fetched.body.get("vendorNote").is_none(),
        "a refused patch stored nothing: {}",
        fetched.text
    );
    assert_eq!(fetched.body["vendorExt"], vendor_ext());
}

// ---------------------------------------------------------------------------------------
// 2. Extension attributes are filterable
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn top_level_extension_attributes_filter_by_equality() {
    let app = TestApp::new().await;
    let mut created = Vec::new();
    for flag in [json!(true), json!(false), json!("true"), Value::Null] {
        let mut body = json!({"givenName": "Flag", "familyName": "Ged"});
        if !flag.is_null() {
            body["vendorFlag"] = flag;
        }
        let response = app.post(INDIVIDUAL, &body).await;
        response.assert_status(StatusCode::CREATED, "create");
        created.push(response.id());
    }
    let [boolean_true, boolean_false, string_true, _] =
        <[String; 4]>::try_from(created).expect("four individuals");

    let found = app.get(&format!("{INDIVIDUAL}?vendorFlag=true")).await;
    found.assert_status(StatusCode::OK, "vendorFlag=true");
    let mut found_ids = ids(&found.body);
    found_ids.sort();
    let mut expected = vec![boolean_true.clone(), string_true];
    expected.sort();
    assert_eq!(found_ids, expected, "{}", found.text);
    assert_eq!(found.header("x-total-count"), Some("2"));

    let found = app.get(&format!("{INDIVIDUAL}?vendorFlag=false")).await;
    found.assert_status(StatusCode::OK, "vendorFlag=false");
    assert_eq!(ids(&found.body), vec![boolean_false], "{}", found.text);
    assert!(!ids(&found.body).contains(&boolean_true));
    assert_eq!(found.header("x-total-count"), Some("1"));
}

#[tokio::test]
async fn a_dotted_path_into_an_extension_object_filters() {
    let app = TestApp::new().await;
    let mut created = Vec::new();
    for name in ["owner", "tenant", "owner"] {
        let response = app
            .post(
                PARTY_ROLE,
                &json!({"name": format!("Role {name}"), "roleType": {"name": name}}),
            )
            .await;
        response.assert_status(StatusCode::CREATED, "create");
        assert_eq!(response.body["roleType"], json!({"name": name}));
        created.push(response.id());
    }
    let found = app.get(&format!("{PARTY_ROLE}?roleType.name=owner")).await;
    found.assert_status(StatusCode::OK, "roleType.name=owner");
    let mut found_ids = ids(&found.body);
    found_ids.sort();
    let mut expected = vec![created[0].clone(), created[2].clone()];
    expected.sort();
    assert_eq!(found_ids, expected, "{}", found.text);
    assert_eq!(found.header("x-total-count"), Some("2"));

    let found = app.get(&format!("{PARTY_ROLE}?roleType.name=tenant")).await;
    assert_eq!(ids(&found.body), vec![created[1].clone()], "{}", found.text);
    assert_eq!(found.header("x-total-count"), Some("1"));
    let found = app.get(&format!("{PARTY_ROLE}?roleType.name=nobody")).await;
    found.assert_status(StatusCode::OK, "roleType.name=nobody");
    assert_eq!(found.body, json!([]));
    assert_eq!(found.header("x-total-count"), Some("0"));
}

// ---------------------------------------------------------------------------------------
// 3. strict_attributes brings back the refusals
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn strict_attributes_refuses_unknown_attributes_and_stores_nothing() {
    let app = TestApp::with_settings(|s| s.strict_attributes = true).await;
    let party = app.individual("Str", "Ict").await;
    let refusals = [
        (
            INDIVIDUAL,
            json!({"givenName": "A", "familyName": "B", "vendorExt": vendor_ext()}),
            "vendorExt",
        ),
        (
            INDIVIDUAL,
            json!({"givenName": "A", "familyName": "B", "contactMedium": [
                {"mediumType": "phone", "characteristic": {"phoneNumber": "+441234567890", "planet": "Mars"}}]}),
            "planet",
        ),
        (
            CUSTOMER,
            json!({"name": "C", "engagedParty": {"id": party, "@referredType": "Individual", "colour": "red"}}),
            "colour",
        ),
        (
            PARTY_ROLE,
            json!({"name": "R", "validFor": {"startDateTime": "2024-01-01T00:00:00Z", "vendorTz": "CET"}}),
            "vendorTz",
        ),
        (
            BILLING_ACCOUNT,
            json!({"name": "A", "creditLimit": {"unit": "EUR", "value": 1, "vendorRate": 2},
                "relatedParty": [{"id": party, "role": "owner", "@referredType": "Individual"}]}),
            "vendorRate",
        ),
    ];
    for (path, body, attribute) in &refusals {
        let before = app.total(path).await;
        let response = app.post(path, body).await;
        refused(&response, 400, &[attribute], &format!("strict POST {path}"));
        assert_eq!(app.total(path).await, before, "{path}: nothing stored");
    }

    let uri = item(INDIVIDUAL, &party);
    let before = app.get(&uri).await.body;
    let response = app.patch(&uri, MERGE, &json!({"vendorNote": "x"})).await;
    refused(&response, 400, &["vendorNote"], "strict merge patch");
    let response = app
        .patch(
            &uri,
            JSON_PATCH,
            &json!([{"op": "add", "path": "/vendorNote", "value": "x"}]),
        )
        .await;
    refused(&response, 400, &["vendorNote"], "strict JSON Patch");
    let response = app
        .patch(
            &uri,
            MERGE,
            &json!({"contactMedium": [{"mediumType": "email",
                "characteristic": {"emailAddress": "a@example.com", "planet": "Mars"}}]}),
        )
        .await;
    refused(&response, 400, &["planet"], "strict nested merge patch");
    assert_eq!(
        app.get(&uri).await.body,
        before,
        "the patches changed nothing"
    );

    let response = app.get(&format!("{INDIVIDUAL}?vendorFlag=true")).await;
    refused(&response, 400, &["vendorFlag"], "strict filter");
}

// ---------------------------------------------------------------------------------------
// 4. Money is exact
// ---------------------------------------------------------------------------------------

/// Posts a billing account whose `creditLimit.value` is the JSON text `value`, as is.
async fn post_credit_limit(app: &TestApp, party: &str, value: &str) -> TestResponse {
    let body = format!(
        r#"{{"name": "Money", "relatedParty": [{{"id": "{party}", "name": "Owner", "role": "owner", "@referredType": "Individual"}}], "creditLimit": {{"unit": "EUR", "value": {value}}}}}"#
    );
    app.raw(
        Method::POST,
        BILLING_ACCOUNT,
        Some("application/json"),
        body,
    )
    .await
}

/// The text of `creditLimit.value` in a response body.
fn credit_limit_text(body: &Value) -> String {
    let value = &body["creditLimit"]["value"];
    assert!(
        value.is_number(),
        "creditLimit.value is not a number: {body}"
    );
    value.to_string()
}

/// Posts `sent`, and asserts create and retrieve both return `expected` as the text.
async fn assert_round_trip(app: &TestApp, party: &str, sent: &str, expected: &str) {
    let created = post_credit_limit(app, party, sent).await;
    created.assert_status(StatusCode::CREATED, &format!("creditLimit {sent}"));
    assert_eq!(
        credit_limit_text(&created.body),
        expected,
        "create with {sent}: {}",
        created.text
    );
    let fetched = app.get(&item(BILLING_ACCOUNT, &created.id())).await;
    assert_eq!(
        credit_limit_text(&fetched.body),
        expected,
        "retrieve after {sent}: {}",
        fetched.text
    );
}

#[tokio::test]
async fn money_amounts_are_exact_decimals() {
    let app = TestApp::new().await;
    let party = app.individual("Mon", "Ey").await;
    for (sent, expected) in [
        ("0.1", "0.1"),
        ("12345678901234.5678", "12345678901234.5678"),
        ("1e-2", "0.01"),
        ("12.50", "12.50"),
        ("0.0", "0.0"),
        ("1.0", "1.0"),
        ("1e-7", "0.0000001"),
    ] {
        assert_round_trip(&app, &party, sent, expected).await;
    }
}

#[tokio::test]
async fn money_a_decimal_cannot_hold_is_400_naming_credit_limit() {
    let app = TestApp::new().await;
    let party = app.individual("Mon", "Ey").await;
    let before = app.total(BILLING_ACCOUNT).await;
    for sent in ["1e40", "0.12345678901234567890123456789012"] {
        let response = post_credit_limit(&app, &party, sent).await;
        refused(
            &response,
            400,
            &["creditLimit"],
            &format!("creditLimit {sent}"),
        );
    }
    assert_eq!(app.total(BILLING_ACCOUNT).await, before, "nothing stored");
}

/// Decimal texts a billing system could send: an optional minus, up to 14 integer digits,
/// up to 4 fraction digits (trailing zeros included: `12.50` must stay `12.50`).
const DECIMAL_TEXT: &str = "-?(0|[1-9][0-9]{0,13})(\\.[0-9]{1,4})?";

#[test]
fn random_decimal_amounts_round_trip_exactly() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let (app, party) = runtime.block_on(async {
        let app = TestApp::new().await;
        let party = app.individual("Prop", "Erty").await;
        (app, party)
    });
    let config = ProptestConfig {
        cases: 32,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(sent in DECIMAL_TEXT, exponent in proptest::option::of(-6i32..=6))| {
        let value = Decimal::from_str(&sent).expect("a valid decimal");
        prop_assume!(!(value.is_zero() && sent.starts_with('-')), "negative zero is no amount");
        match exponent {
            // Plain text comes back as sent, to the letter.
            None => runtime.block_on(assert_round_trip(&app, &party, &sent, &sent)),
            // Scientific notation comes back as the same decimal, in plain notation.
            Some(exponent) => {
                let scientific = format!("{sent}e{exponent}");
                let expected = value * Decimal::TEN.powi(i64::from(exponent));
                let created = runtime.block_on(post_credit_limit(&app, &party, &scientific));
                prop_assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
                let returned = Decimal::from_str(&credit_limit_text(&created.body))
                    .expect("a decimal comes back");
                prop_assert_eq!(returned, expected, "{} came back as {}", scientific, returned);
            }
        }
    });
}

// ---------------------------------------------------------------------------------------
// 5. References without href and @referredType
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_reference_by_id_alone_gets_its_type_and_href() {
    let app = TestApp::new().await;
    let party = app.individual("Ref", "Erence").await;
    let created = app
        .post(
            CUSTOMER,
            &json!({"name": "By id", "engagedParty": {"id": party}}),
        )
        .await;
    created.assert_status(StatusCode::CREATED, "engagedParty by id alone");
    let engaged = &created.body["engagedParty"];
    assert_eq!(engaged["id"], party.as_str(), "{}", created.text);
    assert_eq!(engaged["@referredType"], "Individual", "{}", created.text);
    let href = engaged["href"].as_str().expect("an href is filled in");
    assert!(
        href.ends_with(&format!("/individual/{party}")),
        "href: {href}"
    );
    let fetched = app.get(&item(CUSTOMER, &created.id())).await;
    assert_eq!(fetched.body["engagedParty"], *engaged);
}

#[tokio::test]
async fn a_reference_whose_href_contradicts_its_id_or_is_missing_is_422() {
    let app = TestApp::new().await;
    let party = app.individual("Ref", "Erence").await;
    let other = app.individual("Oth", "Er").await;
    let before = app.total(CUSTOMER).await;
    for (engaged, what) in [
        (json!({"id": party, "href": "x"}), "href x"),
        (
            json!({"id": party, "href": format!("http://crm.test{INDIVIDUAL}/{other}")}),
            "href of another id",
        ),
        (
            json!({"id": party, "@referredType": "Individual",
                "href": format!("http://crm.test{INDIVIDUAL}/{other}")}),
            "typed, href of another id",
        ),
        (json!({"id": "no-such-party"}), "missing id"),
    ] {
        let response = app
            .post(
                CUSTOMER,
                &json!({"name": "Bad ref", "engagedParty": engaged}),
            )
            .await;
        refused(&response, 422, &["engagedParty"], what);
    }
    assert_eq!(app.total(CUSTOMER).await, before, "nothing stored");
}

// ---------------------------------------------------------------------------------------
// 6. Extension attributes in the history and the events
// ---------------------------------------------------------------------------------------

const PARTY_HUB: &str = "/tmf-api/party/v4/hub";
const ACCOUNT_HUB: &str = "/tmf-api/accountManagement/v4/hub";
const WAIT: Duration = Duration::from_secs(20);

/// An application whose dispatcher may call 127.0.0.1 and retries fast.
async fn app_with_events() -> TestApp {
    TestApp::with_settings(|settings| {
        let events = &mut settings.events;
        events.allowed_callback_hosts = vec!["127.0.0.1".into()];
        events.poll_interval_ms = 20;
        events.backoff_base_ms = 20;
        events.backoff_max_ms = 100;
        events.lease_seconds = 30;
    })
    .await
}

/// The events `listener` accepted about the resource `id` (under the payload `key`), waiting
/// until there are `count` of them (at most [`WAIT`]).
async fn events_about(listener: &Listener, key: &str, id: &str, count: usize) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let about: Vec<Value> = listener
            .accepted()
            .await
            .into_iter()
            .map(|received| received.body)
            .filter(|body| body["event"][key]["id"] == id)
            .collect();
        if about.len() >= count || tokio::time::Instant::now() >= deadline {
            return about;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The change of `attribute` in a history entry.
fn change<'a>(entry: &'a Value, attribute: &str) -> Option<&'a Value> {
    entry["changes"]
        .as_array()
        .expect("a history entry lists its changes")
        .iter()
        .find(|change| change["attribute"] == attribute)
}

#[tokio::test]
async fn extension_attributes_are_in_the_history_and_the_events() {
    let app = app_with_events().await;
    let listener = Listener::start(0).await;
    for hub in [PARTY_HUB, ACCOUNT_HUB] {
        let subscribed = app
            .post(hub, &json!({"callback": listener.callback()}))
            .await;
        subscribed.assert_status(StatusCode::CREATED, &format!("subscribe {hub}"));
    }
    let dispatcher = app.dispatcher.start();
    let level = |n: u32| json!({ "level": n });
    for case in cases(&app).await {
        let (key, top) = match case.path {
            INDIVIDUAL => ("individual", "contactMedium"),
            BILLING_ACCOUNT => ("billingAccount", "relatedParty"),
            _ => continue,
        };
        let path = case.path;
        let mut body = case.extended();
        body["vendorExt"] = level(3);
        let created = app.post(path, &body).await;
        created.assert_status(StatusCode::CREATED, &format!("POST {path}"));
        case.assert_kept(&created.body, &level(3), "create");
        let id = created.id();
        let uri = item(path, &id);
        let merged = app
            .patch(&uri, MERGE, &json!({"vendorExt": level(4)}))
            .await;
        merged.assert_status(StatusCode::OK, &format!("merge patch {uri}"));
        case.assert_kept(&merged.body, &level(4), "merge patch");

        // The history, newest first: the update, then the create.
        let history = app.get(&format!("{uri}/history")).await;
        history.assert_status(StatusCode::OK, &format!("{uri}/history"));
        let entries = history.body.as_array().expect("a history is a list");
        let actions: Vec<&str> = entries
            .iter()
            .map(|entry| entry["action"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(actions, ["update", "create"], "{path}: {}", history.text);
        let (update, create) = (&entries[0], &entries[1]);
        assert_eq!(
            change(create, "vendorExt"),
            Some(&json!({"attribute": "vendorExt", "previous": null, "new": level(3)})),
            "{path} create: {create}"
        );
        let nested = change(create, top)
            .unwrap_or_else(|| panic!("{path} create records {top}: {create}"))
            .clone();
        assert_eq!(nested["previous"], Value::Null, "{path} create: {nested}");
        let below_top = case.pointer().replacen(&format!("/{top}"), "", 1);
        assert_eq!(
            nested["new"].pointer(&below_top),
            Some(&case.value),
            "{path} create records the nested extension: {nested}"
        );
        assert_eq!(
            change(update, "vendorExt"),
            Some(&json!({"attribute": "vendorExt", "previous": level(3), "new": level(4)})),
            "{path} update: {update}"
        );
        assert!(
            change(update, top).is_none(),
            "{path} update: {top} did not change: {update}"
        );

        // The create event and the attribute-value-change event carry both extensions.
        let events = events_about(&listener, key, &id, 2).await;
        let types: Vec<&str> = events
            .iter()
            .map(|event| event["eventType"].as_str().unwrap_or_default())
            .collect();
        let type_name = created.body["@type"].as_str().expect("@type").to_owned();
        assert_eq!(
            types,
            [
                format!("{type_name}CreateEvent"),
                format!("{type_name}AttributeValueChangeEvent")
            ],
            "{path}: {events:?}"
        );
        case.assert_kept(&events[0]["event"][key], &level(3), "create event");
        case.assert_kept(&events[1]["event"][key], &level(4), "change event");
        if let Some(party) = events[0]["event"][key]["relatedParty"].get(0) {
            // References inside an event's resource are linked as in responses.
            let href = party["href"].as_str().unwrap_or_default();
            assert!(
                href.ends_with(&format!("/{}", party["id"].as_str().unwrap_or("?"))),
                "{party}"
            );
        }
        let field_path = events[1]["fieldPath"].as_str().unwrap_or_default();
        assert!(
            field_path.split(',').any(|field| field == "vendorExt"),
            "{path}: fieldPath {field_path:?}"
        );
    }
    dispatcher.stop().await;
}

// ---------------------------------------------------------------------------------------
// 7. Free strings stay free (TMF683)
// ---------------------------------------------------------------------------------------

fn interaction(direction: &str, channel: Value, customer: Option<&str>) -> Value {
    let mut body = json!({
        "direction": direction,
        "reason": "a question",
        "status": "open",
        "interactionDate": {"startDateTime": "2026-11-23T10:00:00Z"},
        "channel": channel
    });
    if let Some(customer) = customer {
        body["relatedParty"] =
            json!([{"id": customer, "@referredType": "Customer", "role": "customer"}]);
    }
    body
}

#[tokio::test]
async fn an_unknown_direction_and_channel_are_kept_as_sent() {
    let app = TestApp::new().await;
    let channel = json!([{"id": "555", "name": "Carrier pigeon"}]);
    let created = app
        .post(INTERACTION, &interaction("inbounds", channel, None))
        .await;
    created.assert_status(StatusCode::CREATED, "direction inbounds, pigeon");
    let fetched = app.get(&item(INTERACTION, &created.id())).await;
    fetched.assert_status(StatusCode::OK, "retrieve");
    for (what, body) in [("create", &created.body), ("retrieve", &fetched.body)] {
        assert_eq!(body["direction"], "inbounds", "{what}: {body}");
        let channels = body["channel"].as_array().expect("channel is a list");
        assert_eq!(channels.len(), 1, "{what}: {body}");
        assert_eq!(channels[0]["id"], "555", "{what}: {body}");
        assert_eq!(channels[0]["name"], "Carrier pigeon", "{what}: {body}");
        // TMF683 requires href on a RelatedChannel: the server completes it.
        assert!(
            channels[0]["href"].as_str().is_some_and(|h| !h.is_empty()),
            "{what}: the channel has an href: {body}"
        );
    }
}

#[tokio::test]
async fn an_inbound_interaction_is_on_the_customer_timeline_as_inbound() {
    let app = TestApp::new().await;
    let party = app.individual("Time", "Line").await;
    let customer = app.customer("Time Line", &party, "active").await;
    let channel = json!([{"id": "phone", "href": "urn:channel:phone", "name": "phone"}]);
    let created = app
        .post(
            INTERACTION,
            &interaction("inbound", channel, Some(&customer)),
        )
        .await;
    created.assert_status(StatusCode::CREATED, "inbound interaction");
    let id = created.id();

    let timeline = app
        .get(&item(CUSTOMER, &format!("{customer}/timeline")))
        .await;
    timeline.assert_status(StatusCode::OK, "timeline");
    // Nothing was cut: the timeline and the view say so, with the bound they apply.
    assert_eq!(timeline.header("x-related-complete"), Some("true"));
    assert_eq!(timeline.header("x-related-limit"), Some("1000"));
    let entry = &timeline.body[0];
    assert_eq!(entry["kind"], "interaction", "{}", timeline.text);
    assert_eq!(entry["resourceType"], "PartyInteraction", "{entry}");
    assert_eq!(entry["resourceId"], id.as_str(), "{entry}");
    assert_eq!(entry["action"], "create", "{entry}");
    assert_eq!(
        change(entry, "direction"),
        Some(&json!({"attribute": "direction", "previous": null, "new": "inbound"})),
        "{entry}"
    );
    let view = app.get(&item(CUSTOMER, &format!("{customer}/view"))).await;
    view.assert_status(StatusCode::OK, "view");
    assert_eq!(view.body["complete"], true, "{}", view.text);
    assert_eq!(view.body["relatedLimit"], 1000);
    assert_eq!(
        view.body["interactions"][0]["id"],
        id.as_str(),
        "{}",
        view.text
    );
    assert_eq!(
        view.body["interactions"][0]["direction"], "inbound",
        "{}",
        view.text
    );
    // References in the view are linked as in every response.
    let parties = view.body["interactions"][0]["relatedParty"]
        .as_array()
        .expect("the interaction's parties");
    let the_customer = parties
        .iter()
        .find(|p| p["id"] == customer.as_str())
        .expect("the customer takes part");
    let href = the_customer["href"].as_str().expect("a linked reference");
    assert!(href.ends_with(&format!("/customer/{customer}")), "{href}");
}
