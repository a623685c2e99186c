//! Conditional requests (RFC 9110): `ETag` on retrieve, create and patch; `If-Match` on
//! `PATCH` and `DELETE` (412 on a mismatch, 428 without one when the server requires it);
//! `If-None-Match` on retrieve (304); and concurrent read-modify-write that loses nothing.

use axum::http::{Method, StatusCode};
use crm_tests::{CUSTOMER, INDIVIDUAL, TestApp, TestResponse, item};
use serde_json::{Value, json};

const MERGE: &str = "application/merge-patch+json";
const TICKETS: &str = "/tmf-api/troubleTicket/v4/troubleTicket";

/// Sends `method uri` with `headers` (and a merge-patch `body`).
async fn send(
    app: &TestApp,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> TestResponse {
    app.send_with(method, uri, headers, body).await
}

fn etag(response: &TestResponse) -> String {
    response
        .header("etag")
        .unwrap_or_else(|| panic!("an ETag: {}", response.text))
        .to_owned()
}

async fn a_customer(app: &TestApp) -> String {
    let party = app.individual("Etta", "Tagg").await;
    app.customer("Etta Tagg", &party, "active").await
}

#[tokio::test]
async fn create_retrieve_and_patch_carry_a_strong_etag_of_the_stored_version() {
    let app = TestApp::new().await;
    let party = app.individual("Etta", "Tagg").await;
    let created = app
        .post(
            CUSTOMER,
            &json!({"name": "Etta", "engagedParty": {"id": party}}),
        )
        .await;
    created.assert_status(StatusCode::CREATED, "create");
    assert_eq!(etag(&created), "\"v1\"");
    let uri = item(CUSTOMER, &created.id());
    assert_eq!(etag(&app.get(&uri).await), "\"v1\"");
    let patched = app.patch(&uri, MERGE, &json!({"description": "d"})).await;
    patched.assert_status(StatusCode::OK, "patch");
    assert_eq!(etag(&patched), "\"v2\"");
    assert_eq!(etag(&app.get(&uri).await), "\"v2\"");
    // Every kind: an individual too, and a ticket (a domain's own writes).
    let individual = app.get(&item(INDIVIDUAL, &party)).await;
    assert_eq!(etag(&individual), "\"v1\"");
    let ticket = app
        .post(
            TICKETS,
            &json!({"description": "d", "severity": "Major", "ticketType": "incident"}),
        )
        .await;
    ticket.assert_status(StatusCode::CREATED, "ticket");
    assert_eq!(etag(&ticket), "\"v1\"");
}

#[tokio::test]
async fn if_none_match_on_the_current_version_is_304() {
    let app = TestApp::new().await;
    let uri = item(CUSTOMER, &a_customer(&app).await);
    let current = etag(&app.get(&uri).await);
    for header in [current.as_str(), "*", "\"v0\", \"v1\"", "W/\"v1\""] {
        let response = send(&app, Method::GET, &uri, &[("if-none-match", header)], None).await;
        assert_eq!(response.status, StatusCode::NOT_MODIFIED, "{header}");
        assert!(response.text.is_empty(), "a 304 has no body");
        assert_eq!(etag(&response), current);
    }
    let stale = send(
        &app,
        Method::GET,
        &uri,
        &[("if-none-match", "\"v7\"")],
        None,
    )
    .await;
    stale.assert_status(StatusCode::OK, "a stale copy gets the resource");
    assert_eq!(stale.body["id"], uri.rsplit('/').next().unwrap_or_default());
}

#[tokio::test]
async fn if_match_on_another_version_is_412_and_changes_nothing() {
    let app = TestApp::new().await;
    let uri = item(CUSTOMER, &a_customer(&app).await);
    let before = app.get(&uri).await;
    for stale in ["\"v9\"", "W/\"v1\"", "\"bogus\""] {
        let refused = send(
            &app,
            Method::PATCH,
            &uri,
            &[("if-match", stale)],
            Some(&json!({"description": "lost"})),
        )
        .await;
        let message = refused.assert_tmf_error(412);
        assert!(
            message.contains("\"v1\""),
            "names the stored version: {message}"
        );
        let deleted = send(&app, Method::DELETE, &uri, &[("if-match", stale)], None).await;
        deleted.assert_tmf_error(412);
    }
    let after = app.get(&uri).await;
    assert_eq!(after.body, before.body, "nothing changed");
    assert_eq!(etag(&after), "\"v1\"");
    // The current tag, a list holding it, and `*` all apply.
    for (tag, version) in [("\"v1\"", 2), ("\"v0\", \"v2\"", 3), ("*", 4)] {
        let patched = send(
            &app,
            Method::PATCH,
            &uri,
            &[("if-match", tag)],
            Some(&json!({"description": format!("v{version}")})),
        )
        .await;
        patched.assert_status(StatusCode::OK, tag);
        assert_eq!(etag(&patched), format!("\"v{version}\""));
    }
    let deleted = send(&app, Method::DELETE, &uri, &[("if-match", "\"v4\"")], None).await;
    deleted.assert_status(StatusCode::NO_CONTENT, "delete of the current version");
}

#[tokio::test]
async fn a_domain_write_honours_if_match_too() {
    let app = TestApp::new().await;
    let ticket = app
        .post(
            TICKETS,
            &json!({"description": "d", "severity": "Major", "ticketType": "incident"}),
        )
        .await;
    let uri = item(TICKETS, &ticket.id());
    let stale = send(
        &app,
        Method::PATCH,
        &uri,
        &[("if-match", "\"v5\"")],
        Some(&json!({"status": "inProgress"})),
    )
    .await;
    stale.assert_tmf_error(412);
    assert_eq!(app.get(&uri).await.body["status"], "acknowledged");
    let current = send(
        &app,
        Method::PATCH,
        &uri,
        &[("if-match", "\"v1\"")],
        Some(&json!({"status": "inProgress"})),
    )
    .await;
    current.assert_status(StatusCode::OK, "current version");
    assert_eq!(etag(&current), "\"v2\"");
}

#[tokio::test]
async fn two_clients_adding_notes_race_and_the_loser_is_told_412_not_422() {
    let app = TestApp::new().await;
    let ticket = app
        .post(
            TICKETS,
            &json!({"description": "d", "severity": "Major", "ticketType": "incident",
                    "note": [{"text": "first"}]}),
        )
        .await;
    let uri = item(TICKETS, &ticket.id());
    let read = app.get(&uri).await;
    let (tag, notes) = (etag(&read), read.body["note"].clone());
    let with = |text: &str| {
        let mut notes = notes.as_array().cloned().unwrap_or_default();
        notes.push(json!({"text": text}));
        json!({"note": notes})
    };
    let winner = send(
        &app,
        Method::PATCH,
        &uri,
        &[("if-match", &tag)],
        Some(&with("from A")),
    )
    .await;
    winner.assert_status(StatusCode::OK, "the first writer");
    let loser = send(
        &app,
        Method::PATCH,
        &uri,
        &[("if-match", &tag)],
        Some(&with("from B")),
    )
    .await;
    loser.assert_tmf_error(412);
    let notes = app.get(&uri).await.body["note"].clone();
    assert_eq!(notes.as_array().map(Vec::len), Some(2), "{notes}");
}

#[tokio::test]
async fn require_if_match_makes_a_write_without_one_428() {
    let app = TestApp::with_settings(|s| s.require_if_match = true).await;
    let uri = item(CUSTOMER, &a_customer(&app).await);
    let patched = send(
        &app,
        Method::PATCH,
        &uri,
        &[],
        Some(&json!({"description": "blind"})),
    )
    .await;
    let message = patched.assert_tmf_error(428);
    assert!(message.contains("If-Match"), "{message}");
    send(&app, Method::DELETE, &uri, &[], None)
        .await
        .assert_tmf_error(428);
    assert!(app.get(&uri).await.body.get("description").is_none());
    let tag = etag(&app.get(&uri).await);
    let patched = send(
        &app,
        Method::PATCH,
        &uri,
        &[("if-match", &tag)],
        Some(&json!({"description": "seen"})),
    )
    .await;
    patched.assert_status(StatusCode::OK, "with If-Match");
    let tag = etag(&patched);
    send(&app, Method::DELETE, &uri, &[("if-match", &tag)], None)
        .await
        .assert_status(StatusCode::NO_CONTENT, "delete with If-Match");
}

/// One client adding its characteristic the merge-patch way (read, append, write back), with
/// `If-Match`, retrying on 412; returns how many 412s it saw.
async fn add_characteristic(app: &TestApp, uri: &str, name: &str) -> u32 {
    let mut refusals = 0;
    loop {
        let read = app.get(uri).await;
        read.assert_status(StatusCode::OK, "read");
        let mut list = read.body["characteristic"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        list.push(json!({"name": name, "value": "1"}));
        let written = send(
            app,
            Method::PATCH,
            uri,
            &[("if-match", &etag(&read))],
            Some(&json!({"characteristic": list})),
        )
        .await;
        match written.status {
            StatusCode::OK => return refusals,
            StatusCode::PRECONDITION_FAILED => refusals += 1,
            other => panic!("{name}: {other} {}", written.text),
        }
        assert!(refusals < 200, "{name} never got through");
    }
}

#[tokio::test]
async fn concurrent_read_modify_write_from_two_instances_loses_nothing() {
    let first = TestApp::new().await;
    let second = first.another_instance().await;
    let uri = item(CUSTOMER, &a_customer(&first).await);
    let clients = 8;
    let rounds = 5;
    let mut tasks = Vec::new();
    for client in 0..clients {
        let (app, uri) = (if client % 2 == 0 { &first } else { &second }, uri.clone());
        tasks.push(async move {
            let mut refusals = 0;
            for round in 0..rounds {
                refusals += add_characteristic(app, &uri, &format!("c{client}-{round}")).await;
            }
            refusals
        });
    }
    let refusals: u32 = futures_util::future::join_all(tasks)
        .await
        .into_iter()
        .sum();
    let stored = first.get(&uri).await;
    let names: Vec<&str> = stored.body["characteristic"]
        .as_array()
        .expect("characteristics")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        names.len(),
        clients * rounds,
        "every acknowledged change is there ({refusals} refused with 412 and retried): {names:?}"
    );
    for client in 0..clients {
        for round in 0..rounds {
            assert!(names.contains(&format!("c{client}-{round}").as_str()));
        }
    }
    assert_eq!(
        etag(&stored),
        format!("\"v{}\"", 1 + clients * rounds),
        "one version per change"
    );
}

#[tokio::test]
async fn the_served_openapi_document_declares_the_preconditions() {
    let app = TestApp::new().await;
    let document = app.get("/openapi.json").await;
    document.assert_status(StatusCode::OK, "openapi");
    let item = &document.body["paths"][format!("{CUSTOMER}/{{id}}")];
    let names = |operation: &str| -> Vec<String> {
        item[operation]["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .filter_map(|p| p["name"].as_str().map(str::to_owned))
            .collect()
    };
    assert!(names("patch").contains(&"If-Match".to_owned()));
    assert!(names("delete").contains(&"If-Match".to_owned()));
    assert!(names("get").contains(&"If-None-Match".to_owned()));
    for (operation, status) in [
        ("patch", "412"),
        ("patch", "428"),
        ("delete", "412"),
        ("get", "304"),
    ] {
        assert!(
            item[operation]["responses"].get(status).is_some(),
            "{operation} declares {status}"
        );
    }
    assert!(
        item["get"]["responses"]["200"]["headers"]
            .get("ETag")
            .is_some()
    );
}

#[tokio::test]
async fn a_patch_that_changes_nothing_keeps_the_version_and_writes_no_history() {
    let app = TestApp::new().await;
    let uri = item(CUSTOMER, &a_customer(&app).await);
    let changed = app.patch(&uri, MERGE, &json!({"description": "d"})).await;
    assert_eq!(etag(&changed), "\"v2\"");
    for body in [json!({"description": "d"}), json!({})] {
        let same = app.patch(&uri, MERGE, &body).await;
        same.assert_status(StatusCode::OK, "a patch that changes nothing");
        assert_eq!(etag(&same), "\"v2\"", "{body}");
    }
    let history = app.get(&format!("{uri}/history")).await;
    let actions: Vec<&str> = history
        .body
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|entry| entry["action"].as_str())
        .collect();
    assert_eq!(actions, ["update", "create"], "{}", history.text);
}
