//! Retried creates: a client that sends a create again with the same `Idempotency-Key` and
//! body gets what the first one stored (200), and nothing is written; the same key with
//! another body is refused (422); keys are the caller's own. Shown on trouble tickets, whose
//! writes go through the ruled service every domain with rules uses.

use axum::http::{Method, StatusCode};
use crm_tests::TestApp;
use serde_json::json;

const TICKETS: &str = "/tmf-api/troubleTicket/v4/troubleTicket";

fn ticket(description: &str) -> serde_json::Value {
    json!({"description": description, "severity": "Minor", "ticketType": "incident"})
}

#[tokio::test]
async fn a_retried_create_returns_the_first_and_writes_nothing() {
    let app = TestApp::new().await;
    let key = [("Idempotency-Key", "retry-7f3a")];
    let first = app
        .send_with(Method::POST, TICKETS, &key, Some(&ticket("no dial tone")))
        .await;
    first.assert_status(StatusCode::CREATED, "first");
    let again = app
        .send_with(Method::POST, TICKETS, &key, Some(&ticket("no dial tone")))
        .await;
    again.assert_status(StatusCode::OK, "a retry is answered as a read");
    assert_eq!(again.body, first.body, "the stored resource, unchanged");
    assert_eq!(again.header("etag"), first.header("etag"));
    assert_eq!(app.total(TICKETS).await, 1);
    // One create event, one history entry.
    let history = app.get(&format!("{TICKETS}/{}/history", first.id())).await;
    assert_eq!(
        history.body.as_array().map(Vec::len),
        Some(1),
        "{}",
        history.text
    );
}

#[tokio::test]
async fn a_key_reused_for_another_body_is_refused_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let key = [("Idempotency-Key", "k-1")];
    app.send_with(Method::POST, TICKETS, &key, Some(&ticket("first")))
        .await
        .assert_status(StatusCode::CREATED, "first");
    let reused = app
        .send_with(Method::POST, TICKETS, &key, Some(&ticket("second")))
        .await;
    let message = reused.assert_tmf_error(422);
    assert!(message.contains("Idempotency-Key 'k-1'"), "{message}");
    assert_eq!(app.total(TICKETS).await, 1);
}

#[tokio::test]
async fn keys_are_the_callers_own_and_creates_without_one_are_each_new() {
    let app = TestApp::new().await;
    let body = ticket("same words");
    let mine = app
        .send_with(
            Method::POST,
            TICKETS,
            &[("Idempotency-Key", "k")],
            Some(&body),
        )
        .await;
    mine.assert_status(StatusCode::CREATED, "mine");
    let other = format!("Bearer {}", app.token("another-client", &["admin"]));
    let theirs = app
        .send_with(
            Method::POST,
            TICKETS,
            &[("Idempotency-Key", "k"), ("Authorization", &other)],
            Some(&body),
        )
        .await;
    theirs.assert_status(StatusCode::CREATED, "another caller's key is another key");
    assert_ne!(theirs.id(), mine.id());
    for _ in 0..2 {
        app.post(TICKETS, &body)
            .await
            .assert_status(StatusCode::CREATED, "no key: a new ticket");
    }
    assert_eq!(app.total(TICKETS).await, 4);
}

#[tokio::test]
async fn concurrent_retries_store_one_resource() {
    let app = TestApp::new().await;
    let other = app.another_instance().await;
    let body = ticket("sent three times at once");
    let key = [("Idempotency-Key", "race")];
    let (a, b, c) = tokio::join!(
        app.send_with(Method::POST, TICKETS, &key, Some(&body)),
        other.send_with(Method::POST, TICKETS, &key, Some(&body)),
        app.send_with(Method::POST, TICKETS, &key, Some(&body)),
    );
    let statuses: Vec<u16> = [&a, &b, &c].iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "one create: {statuses:?} {} {} {}",
        a.text,
        b.text,
        c.text
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        2,
        "{statuses:?}"
    );
    assert_eq!(a.id(), b.id());
    assert_eq!(b.id(), c.id());
    assert_eq!(app.total(TICKETS).await, 1);
}

#[tokio::test]
async fn a_key_that_is_not_usable_text_is_a_400() {
    let app = TestApp::new().await;
    let long = "k".repeat(256);
    for key in [long.as_str(), "   "] {
        let refused = app
            .send_with(
                Method::POST,
                TICKETS,
                &[("Idempotency-Key", key)],
                Some(&ticket("x")),
            )
            .await;
        let message = refused.assert_tmf_error(400);
        assert!(message.contains("Idempotency-Key"), "{message}");
    }
    assert_eq!(app.total(TICKETS).await, 0);
}
