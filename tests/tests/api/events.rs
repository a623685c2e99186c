//! Events (issue 4 of 7): the hub on every API, the transactional outbox, and delivery to a
//! real listener on 127.0.0.1, through failures, restarts and competing dispatchers.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use axum::http::StatusCode;
use crm_tests::listener::{Listener, Received};
use crm_tests::schema::assert_conforms;
use crm_tests::{CUSTOMER, INDIVIDUAL, TestApp};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

const PARTY_HUB: &str = "/tmf-api/party/v4/hub";
const CUSTOMER_HUB: &str = "/tmf-api/customerManagement/v4/hub";
const TMF632: &str = "TMF632-PartyManagement-v4.0.0.swagger.json";
const TMF629: &str = "TMF629-CustomerManagement-v4.0.0.swagger.json";
const WAIT: Duration = Duration::from_secs(20);

/// An application whose dispatcher may call 127.0.0.1 and retries fast.
async fn app_with(adjust: impl FnOnce(&mut crm_events::EventSettings)) -> TestApp {
    TestApp::with_settings(|settings| {
        let events = &mut settings.events;
        events.allowed_callback_hosts = vec!["127.0.0.1".into()];
        events.poll_interval_ms = 20;
        events.backoff_base_ms = 20;
        events.backoff_max_ms = 100;
        // Long enough that a slow, loaded run never sees a live claim expire and an event
        // sent twice; the crash test shortens it.
        events.lease_seconds = 30;
        adjust(events);
    })
    .await
}

async fn app() -> TestApp {
    app_with(|_| {}).await
}

async fn subscribe(app: &TestApp, hub: &str, body: Value) -> String {
    let response = app.post(hub, &body).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    response.id()
}

fn event_type(received: &Received) -> &str {
    received.body["eventType"].as_str().unwrap_or_default()
}

fn event_types(received: &[Received]) -> Vec<String> {
    received.iter().map(|r| event_type(r).to_owned()).collect()
}

/// How many rows `table` holds.
async fn rows(app: &TestApp, table: &str) -> i64 {
    let row = app
        .store
        .connection()
        .query_one_raw(sea_orm::Statement::from_string(
            app.store.backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .expect("count")
        .expect("row");
    row.try_get("", "n").expect("n")
}

#[tokio::test]
async fn the_hub_registers_retrieves_and_removes_listeners() {
    let app = app().await;
    let response = app
        .post(
            CUSTOMER_HUB,
            &json!({"callback": "http://127.0.0.1:9/listener", "query": "eventType=CustomerCreateEvent"}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    let id = response.id();
    assert_conforms(TMF629, "EventSubscription", &response.body, "POST hub");
    assert_eq!(response.body["callback"], "http://127.0.0.1:9/listener");
    assert_eq!(response.body["query"], "eventType=CustomerCreateEvent");
    assert!(
        response
            .header("location")
            .is_some_and(|l| l.ends_with(&format!("{CUSTOMER_HUB}/{id}"))),
        "{:?}",
        response.headers
    );

    let read = app.get(&format!("{CUSTOMER_HUB}/{id}")).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    assert_eq!(read.body, response.body);
    // A subscription belongs to its API's hub.
    app.get(&format!("{PARTY_HUB}/{id}"))
        .await
        .assert_tmf_error(404);

    let deleted = app.delete(&format!("{CUSTOMER_HUB}/{id}")).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
    app.get(&format!("{CUSTOMER_HUB}/{id}"))
        .await
        .assert_tmf_error(404);
    app.delete(&format!("{CUSTOMER_HUB}/{id}"))
        .await
        .assert_tmf_error(404);
}

#[tokio::test]
async fn registering_needs_the_integration_or_admin_role() {
    let app = app().await;
    let body = json!({"callback": "http://127.0.0.1:9/listener"}).to_string();
    for (roles, status) in [
        (&["csr"][..], 403),
        (&["supervisor"][..], 403),
        (&["billing-system"][..], 403),
        (&["integration"][..], 201),
        (&["admin"][..], 201),
    ] {
        let token = app.token("someone", roles);
        let response = app
            .send(
                axum::http::Request::post(CUSTOMER_HUB)
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(body.clone()))
                    .expect("request"),
            )
            .await;
        if status == 201 {
            assert_eq!(
                response.status,
                StatusCode::CREATED,
                "{roles:?}: {}",
                response.text
            );
        } else {
            response.assert_tmf_error(status);
        }
    }
    let anonymous = app
        .send_anonymous(
            axum::http::Request::post(CUSTOMER_HUB)
                .header("content-type", "application/json")
                .body(axum::body::Body::from(body))
                .expect("request"),
        )
        .await;
    anonymous.assert_tmf_error(401);
}

#[tokio::test]
async fn bad_subscriptions_are_refused_and_not_stored() {
    let app = app().await;
    for (body, says) in [
        (json!({}), "callback"),
        (json!({"callback": 5}), "callback"),
        (
            json!({"callback": "http://127.0.0.1:9/x", "colour": "red"}),
            "colour",
        ),
        (json!({"callback": "not a url"}), "absolute URL"),
        (json!({"callback": "ftp://127.0.0.1/x"}), "http"),
        (json!({"callback": "http://10.0.0.1/x"}), "allowed"),
        (
            json!({"callback": "http://127.0.0.1:9/x", "query": "eventType=CustomerExplodeEvent"}),
            "CustomerExplodeEvent",
        ),
        (
            json!({"callback": "http://127.0.0.1:9/x", "query": "colour.gt=red"}),
            "colour",
        ),
        (
            json!({"callback": "http://127.0.0.1:9/x", "query": "status.gt=x&validFor.startDateTime=yesterday"}),
            "date-time",
        ),
        (
            json!({"callback": "http://127.0.0.1:9/x", "query": "search.name=ada"}),
            "search",
        ),
        (
            json!({"callback": "http://127.0.0.1:9/x", "secret": "short"}),
            "16",
        ),
    ] {
        let response = app.post(CUSTOMER_HUB, &body).await;
        let message = response.assert_tmf_error(400);
        assert!(message.contains(says), "{body}: {message}");
    }
    assert_eq!(rows(&app, "event_subscription").await, 0);
}

#[tokio::test]
async fn internal_callbacks_are_refused_without_an_allow_list() {
    let app = TestApp::new().await;
    for callback in [
        "http://127.0.0.1:8080/x",
        "http://localhost/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
        "http://192.168.0.10/x",
    ] {
        let message = app
            .post(CUSTOMER_HUB, &json!({ "callback": callback }))
            .await
            .assert_tmf_error(400);
        assert!(message.contains("internal"), "{callback}: {message}");
    }
}

#[tokio::test]
async fn a_listener_receives_spec_valid_events_for_every_change() {
    let app = app().await;
    let listener = Listener::start(0).await;
    subscribe(&app, PARTY_HUB, json!({"callback": listener.callback()})).await;
    let dispatcher = app.dispatcher.start();

    let id = app.individual("Ada", "Lovelace").await;
    let item = format!("{INDIVIDUAL}/{id}");
    let renamed = app
        .patch(
            &item,
            "application/merge-patch+json",
            &json!({"familyName": "Byron"}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
    let validated = app
        .patch(
            &item,
            "application/merge-patch+json",
            &json!({"status": "validated"}),
        )
        .await;
    assert_eq!(validated.status, StatusCode::OK, "{}", validated.text);
    let deleted = app.delete(&item).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);

    let received = listener.wait_for(4, WAIT).await;
    dispatcher.stop().await;
    assert_eq!(
        event_types(&received),
        [
            "IndividualCreateEvent",
            "IndividualAttributeValueChangeEvent",
            "IndividualStateChangeEvent",
            "IndividualDeleteEvent"
        ]
    );
    for event in &received {
        let kind = event_type(event);
        let definition: &'static str = match kind {
            "IndividualCreateEvent" => "IndividualCreateEvent",
            "IndividualAttributeValueChangeEvent" => "IndividualAttributeValueChangeEvent",
            "IndividualStateChangeEvent" => "IndividualStateChangeEvent",
            _ => "IndividualDeleteEvent",
        };
        assert_conforms(TMF632, definition, &event.body, kind);
        assert_conforms(
            TMF632,
            "Individual",
            &event.body["event"]["individual"],
            kind,
        );
        assert_eq!(event.body["event"]["individual"]["id"], id.as_str());
        assert_eq!(event.body["domain"], "party");
        assert!(
            event.body["eventId"]
                .as_str()
                .is_some_and(|e| !e.is_empty())
        );
        assert!(event.body["eventTime"].as_str().is_some());
        assert_eq!(
            event
                .headers
                .get("x-event-id")
                .and_then(|v| v.to_str().ok()),
            event.body["eventId"].as_str()
        );
    }
    assert_eq!(received[1].body["fieldPath"], "familyName");
    assert_eq!(
        received[1].body["event"]["individual"]["familyName"],
        "Byron"
    );
    assert_eq!(
        received[2].body["event"]["individual"]["status"],
        "validated"
    );
    let ids: HashSet<&str> = received
        .iter()
        .filter_map(|r| r.body["eventId"].as_str())
        .collect();
    assert_eq!(ids.len(), 4, "event ids are unique");
}

#[tokio::test]
async fn refused_writes_leave_no_event() {
    let app = app().await;
    let before = rows(&app, "event_outbox").await;
    app.post(INDIVIDUAL, &json!({"givenName": 5}))
        .await
        .assert_tmf_error(400);
    app.post(
        CUSTOMER,
        &json!({"name": "C", "engagedParty": {"id": "missing", "@referredType": "Individual"}}),
    )
    .await
    .assert_tmf_error(422);
    let id = app.individual("Ada", "Lovelace").await;
    let customer = app.customer("Ada", &id, "active").await;
    let after_writes = rows(&app, "event_outbox").await;
    assert_eq!(after_writes - before, 2, "one event per committed create");
    // Deleting a party a customer still engages is refused: no event.
    app.delete(&format!("{INDIVIDUAL}/{id}"))
        .await
        .assert_tmf_error(409);
    // A patch that changes nothing is no event either.
    let same = app
        .patch(
            &format!("{CUSTOMER}/{customer}"),
            "application/merge-patch+json",
            &json!({"name": "Ada"}),
        )
        .await;
    assert_eq!(same.status, StatusCode::OK, "{}", same.text);
    assert_eq!(rows(&app, "event_outbox").await, after_writes);
}

#[tokio::test]
async fn hub_queries_filter_by_event_type_and_attribute() {
    let app = app().await;
    let creations = Listener::start(0).await;
    let validations = Listener::start(0).await;
    let everything = Listener::start(0).await;
    subscribe(
        &app,
        PARTY_HUB,
        json!({"callback": creations.callback(), "query": "eventType = IndividualCreateEvent"}),
    )
    .await;
    subscribe(
        &app,
        PARTY_HUB,
        json!({"callback": validations.callback(), "query": "eventType=IndividualStateChangeEvent&event.individual.status=validated"}),
    )
    .await;
    subscribe(
        &app,
        CUSTOMER_HUB,
        json!({"callback": everything.callback()}),
    )
    .await;
    let dispatcher = app.dispatcher.start();

    let ada = app.individual("Ada", "Lovelace").await;
    let alan = app.individual("Alan", "Turing").await;
    for (id, status) in [(&ada, "validated"), (&alan, "deceaded")] {
        let response = app
            .patch(
                &format!("{INDIVIDUAL}/{id}"),
                "application/merge-patch+json",
                &json!({ "status": status }),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    }
    let customer = app.customer("Ada", &ada, "active").await;

    let created = creations.wait_for(2, WAIT).await;
    let validated = validations.wait_for(1, WAIT).await;
    let customers = everything.wait_for(1, WAIT).await;
    // Let anything that should not arrive have its chance to.
    tokio::time::sleep(Duration::from_millis(300)).await;
    dispatcher.stop().await;

    assert_eq!(
        event_types(&creations.accepted().await),
        ["IndividualCreateEvent"; 2]
    );
    // Order is kept per resource; two resources' events may arrive either way round.
    let mut created_ids: Vec<&str> = created
        .iter()
        .filter_map(|r| r.body["event"]["individual"]["id"].as_str())
        .collect();
    created_ids.sort_unstable();
    let mut expected = [ada.as_str(), alan.as_str()];
    expected.sort_unstable();
    assert_eq!(created_ids, expected);
    assert_eq!(validations.accepted().await.len(), 1);
    assert_eq!(validated[0].body["event"]["individual"]["id"], ada.as_str());
    // The customer hub hears of customers only.
    assert_eq!(
        event_types(&everything.accepted().await),
        ["CustomerCreateEvent"]
    );
    assert_eq!(
        customers[0].body["event"]["customer"]["id"],
        customer.as_str()
    );
    assert_conforms(
        TMF629,
        "CustomerCreateEvent",
        &customers[0].body,
        "customer event",
    );
}

#[tokio::test]
async fn a_failing_listener_receives_everything_in_order_once_it_recovers() {
    let app = app().await;
    let listener = Listener::start(5).await;
    subscribe(&app, PARTY_HUB, json!({"callback": listener.callback()})).await;
    let dispatcher = app.dispatcher.start();

    let first = app.individual("Ada", "Lovelace").await;
    let second = app.individual("Grace", "Hopper").await;
    for round in 0..4 {
        for id in [&first, &second] {
            let response = app
                .patch(
                    &format!("{INDIVIDUAL}/{id}"),
                    "application/merge-patch+json",
                    &json!({ "title": format!("t{round}") }),
                )
                .await;
            assert_eq!(response.status, StatusCode::OK, "{}", response.text);
        }
    }
    let received = listener.wait_for(10, WAIT).await;
    dispatcher.stop().await;
    assert!(listener.requests() >= 15, "the first five were refused");
    assert_eq!(received.len(), 10, "{:?}", event_types(&received));
    for id in [&first, &second] {
        let titles: Vec<Value> = received
            .iter()
            .filter(|r| r.body["event"]["individual"]["id"] == id.as_str())
            .map(|r| r.body["event"]["individual"]["title"].clone())
            .collect();
        assert_eq!(
            titles,
            [
                json!(null),
                json!("t0"),
                json!("t1"),
                json!("t2"),
                json!("t3")
            ],
            "the events of {id} arrive in commit order"
        );
    }
}

#[tokio::test]
async fn deliveries_are_listed_dead_lettered_and_redelivered() {
    let app = app_with(|events| events.max_attempts = 2).await;
    let listener = Listener::start(usize::MAX).await;
    let subscription = subscribe(&app, PARTY_HUB, json!({"callback": listener.callback()})).await;
    let dispatcher = app.dispatcher.start();
    app.individual("Ada", "Lovelace").await;
    app.individual("Grace", "Hopper").await;

    let deliveries = format!("{PARTY_HUB}/{subscription}/delivery");
    let deadline = tokio::time::Instant::now() + WAIT;
    let dead = loop {
        let response = app.get(&format!("{deliveries}?status=dead")).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text);
        // The count and the page are two reads: while deliveries are still failing, one
        // may see them dead and the other not yet.
        if response.body.as_array().is_some_and(|a| a.len() == 2)
            && response.header("x-total-count") == Some("2")
        {
            break response;
        }
        assert!(tokio::time::Instant::now() < deadline, "{}", response.text);
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    for item in dead.body.as_array().expect("list") {
        assert_eq!(item["status"], "dead");
        assert_eq!(item["attempts"], 2);
        assert_eq!(item["eventType"], "IndividualCreateEvent");
        assert_eq!(item["lastResponseStatus"], 503);
        assert!(
            item["lastError"]
                .as_str()
                .is_some_and(|e| e.contains("503"))
        );
    }
    assert_eq!(listener.requests(), 4, "two attempts each, then no more");
    app.get(&format!("{deliveries}?status=lost"))
        .await
        .assert_tmf_error(400);

    listener.refuse(0);
    let first_event = dead.body[0]["eventId"]
        .as_str()
        .expect("event id")
        .to_owned();
    let one = app
        .post(
            &format!("{PARTY_HUB}/{subscription}/redeliver?eventId={first_event}"),
            &json!({}),
        )
        .await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text);
    assert_eq!(one.body["redelivered"], 1);
    let received = listener.wait_for(1, WAIT).await;
    assert_eq!(received[0].body["eventId"], first_event.as_str());
    let rest = app
        .post(&format!("{PARTY_HUB}/{subscription}/redeliver"), &json!({}))
        .await;
    assert_eq!(rest.body["redelivered"], 1, "{}", rest.text);
    let received = listener.wait_for(2, WAIT).await;
    dispatcher.stop().await;
    assert_eq!(received.len(), 2);
    let delivered = app.get(&format!("{deliveries}?status=delivered")).await;
    assert_eq!(
        delivered.header("x-total-count"),
        Some("2"),
        "{}",
        delivered.text
    );
    // Reading deliveries is for those who may read the hub; redelivery for who may write it.
    let csr = app.token("csr-1", &["csr"]);
    let refused = app
        .send(
            axum::http::Request::post(format!("{PARTY_HUB}/{subscription}/redeliver"))
                .header("authorization", format!("Bearer {csr}"))
                .body(axum::body::Body::empty())
                .expect("request"),
        )
        .await;
    refused.assert_tmf_error(403);
}

#[tokio::test]
async fn deliveries_are_signed_with_the_subscription_secret() {
    let app = app().await;
    let listener = Listener::start(0).await;
    let secret = "a-shared-secret-of-the-listener";
    subscribe(
        &app,
        PARTY_HUB,
        json!({"callback": listener.callback(), "secret": secret}),
    )
    .await;
    let unsigned = Listener::start(0).await;
    let plain = subscribe(&app, PARTY_HUB, json!({"callback": unsigned.callback()})).await;
    // The secret is write-only.
    let read = app.get(&format!("{PARTY_HUB}/{plain}")).await;
    assert!(read.body.get("secret").is_none());
    let dispatcher = app.dispatcher.start();
    app.individual("Ada", "Lovelace").await;
    let received = listener.wait_for(1, WAIT).await;
    let plain_received = unsigned.wait_for(1, WAIT).await;
    dispatcher.stop().await;
    let signature = received[0]
        .headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok())
        .expect("signed");
    assert_eq!(signature, crm_events::sign(secret, &received[0].raw));
    assert!(
        plain_received[0]
            .headers
            .get("x-hub-signature-256")
            .is_none()
    );
}

#[tokio::test]
async fn events_survive_a_crash_mid_delivery() {
    // The dead process's claims expire soon enough for its successor to take them over.
    let app = app_with(|events| events.lease_seconds = 2).await;
    let listener = Listener::start(usize::MAX).await;
    subscribe(&app, PARTY_HUB, json!({"callback": listener.callback()})).await;
    let crashed = app.dispatcher.start();
    let mut ids = Vec::new();
    for n in 0..10 {
        ids.push(app.individual(&format!("P{n}"), "Crash").await);
    }
    // The dispatcher is trying (and failing) when the process dies.
    let deadline = tokio::time::Instant::now() + WAIT;
    while listener.requests() < 3 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no delivery attempt"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    crashed.abort();
    // Requests the dead process had already sent are still refused, as it never learns
    // their outcome.
    tokio::time::sleep(Duration::from_millis(200)).await;
    listener.refuse(0);

    // A new process: its own connections, its own dispatcher.
    let restarted = app.another_dispatcher().await.start();
    let received = listener.wait_for(10, WAIT).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    restarted.stop().await;
    let delivered: HashSet<String> = listener
        .accepted()
        .await
        .iter()
        .filter_map(|r| {
            r.body["event"]["individual"]["id"]
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(received.len(), 10, "every committed change, once");
    assert_eq!(delivered, ids.into_iter().collect::<HashSet<_>>());
}

#[tokio::test]
async fn two_dispatchers_deliver_each_event_once_per_subscription() {
    let app = app().await;
    let first = Listener::start(0).await;
    let second = Listener::start(0).await;
    subscribe(&app, PARTY_HUB, json!({"callback": first.callback()})).await;
    subscribe(&app, PARTY_HUB, json!({"callback": second.callback()})).await;
    let one = app.dispatcher.start();
    let other = app.another_dispatcher().await.start();
    let writes = 60;
    for n in 0..writes {
        app.individual(&format!("P{n}"), "Twice").await;
    }
    let a = first.wait_for(writes, WAIT).await;
    let b = second.wait_for(writes, WAIT).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    one.stop().await;
    other.stop().await;
    for (name, received) in [("first", a), ("second", b)] {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for event in &received {
            *seen
                .entry(
                    event.body["eventId"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                )
                .or_default() += 1;
        }
        assert_eq!(seen.len(), writes, "{name}: every event");
        assert!(
            seen.values().all(|n| *n == 1),
            "{name}: an event was delivered twice: {seen:?}"
        );
    }
    assert_eq!(first.accepted().await.len(), writes);
    assert_eq!(second.accepted().await.len(), writes);
}

#[tokio::test]
async fn unregistering_stops_delivery() {
    let app = app().await;
    let listener = Listener::start(0).await;
    let id = subscribe(&app, PARTY_HUB, json!({"callback": listener.callback()})).await;
    let dispatcher = app.dispatcher.start();
    app.individual("Ada", "Lovelace").await;
    listener.wait_for(1, WAIT).await;
    let deleted = app.delete(&format!("{PARTY_HUB}/{id}")).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    app.individual("Grace", "Hopper").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    dispatcher.stop().await;
    assert_eq!(listener.accepted().await.len(), 1);
}

#[tokio::test]
async fn erasure_leaves_no_personal_value_in_events() {
    let app = app().await;
    let listener = Listener::start(0).await;
    let id = app.individual("Zebedee", "Quixotic").await;
    let erased = app
        .post(&format!("{INDIVIDUAL}/{id}/erasure"), &json!({}))
        .await;
    assert_eq!(erased.status, StatusCode::OK, "{}", erased.text);
    // A listener registered now still receives the earlier events, erased.
    subscribe(&app, PARTY_HUB, json!({"callback": listener.callback()})).await;
    let dispatcher = app.dispatcher.start();
    let received = listener.wait_for(2, WAIT).await;
    dispatcher.stop().await;
    assert_eq!(
        event_types(&received),
        [
            "IndividualCreateEvent",
            "IndividualAttributeValueChangeEvent"
        ]
    );
    for event in &received {
        let text = String::from_utf8_lossy(&event.raw);
        assert!(
            !text.contains("Zebedee") && !text.contains("Quixotic"),
            "{text}"
        );
    }
    let rows = app
        .store
        .connection()
        .query_all_raw(sea_orm::Statement::from_string(
            app.store.backend(),
            "SELECT body FROM event_outbox",
        ))
        .await
        .expect("outbox");
    for row in rows {
        let body: String = row.try_get("", "body").expect("body");
        assert!(!body.contains("Zebedee"), "{body}");
    }
}

#[tokio::test]
async fn events_are_published_to_nats_jetstream() {
    let prefix = format!("crmtest{}", uuid::Uuid::now_v7().simple());
    let stream = prefix.to_uppercase();
    let app = app_with(|events| {
        events.nats_url = Some("nats://127.0.0.1:4222".into());
        events.nats_subject_prefix = prefix.clone();
        events.nats_stream = stream.clone();
    })
    .await;
    let client = async_nats::connect("127.0.0.1:4222")
        .await
        .expect("NATS runs on 127.0.0.1:4222");
    let mut subscriber = client
        .subscribe(format!("{prefix}.>"))
        .await
        .expect("subscribe");
    let dispatcher = app.dispatcher.start();
    let id = app.individual("Ada", "Lovelace").await;
    let message = tokio::time::timeout(WAIT, futures_util::StreamExt::next(&mut subscriber))
        .await
        .expect("a message in time")
        .expect("a message");
    dispatcher.stop().await;
    assert_eq!(
        message.subject.as_str(),
        format!("{prefix}.party.IndividualCreateEvent")
    );
    let body: Value = serde_json::from_slice(&message.payload).expect("JSON");
    assert_eq!(body["event"]["individual"]["id"], id.as_str());
    assert_conforms(TMF632, "IndividualCreateEvent", &body, "NATS event");
    let message_id = message
        .headers
        .as_ref()
        .and_then(|h| h.get(async_nats::header::NATS_MESSAGE_ID))
        .map(|v| v.as_str().to_owned());
    assert_eq!(
        message_id.as_deref(),
        body["eventId"].as_str(),
        "{:?}",
        message.headers
    );
    // The stream keeps it for consumers that come later.
    let jetstream = async_nats::jetstream::new(client);
    let mut info = jetstream.get_stream(&stream).await.expect("stream");
    assert_eq!(info.info().await.expect("info").state.messages, 1);
    jetstream.delete_stream(&stream).await.expect("clean up");
}

#[tokio::test]
async fn retention_removes_delivered_events_and_keeps_dead_letters() {
    let app = app_with(|events| {
        events.retention_days = 0;
        events.max_attempts = 1;
    })
    .await;
    let accepting = Listener::start(0).await;
    let refusing = Listener::start(usize::MAX).await;
    subscribe(&app, PARTY_HUB, json!({"callback": accepting.callback()})).await;
    subscribe(&app, CUSTOMER_HUB, json!({"callback": refusing.callback()})).await;
    let dispatcher = app.dispatcher.start();
    let party = app.individual("Ada", "Lovelace").await;
    app.customer("Ada", &party, "active").await;
    accepting.wait_for(1, WAIT).await;
    let deadline = tokio::time::Instant::now() + WAIT;
    while refusing.requests() < 1 {
        assert!(tokio::time::Instant::now() < deadline, "no attempt");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    dispatcher.stop().await;
    assert_eq!(rows(&app, "event_outbox").await, 2);
    app.dispatcher.purge().await.expect("purge");
    // The delivered event is gone; the dead letter and its event stay for redelivery.
    assert_eq!(rows(&app, "event_outbox").await, 1);
    assert_eq!(rows(&app, "event_delivery").await, 1);
}

#[tokio::test]
async fn catalog_events_conform_to_tmf620() {
    let app = app().await;
    let listener = Listener::start(0).await;
    subscribe(
        &app,
        "/tmf-api/productCatalogManagement/v4/hub",
        json!({"callback": listener.callback(), "query": "eventType=ProductOfferingCreateEvent,ProductOfferingStateChangeEvent"}),
    )
    .await;
    let dispatcher = app.dispatcher.start();
    let offering = app
        .post(
            "/tmf-api/productCatalogManagement/v4/productOffering",
            &json!({"name": "Fibre 1G", "lifecycleStatus": "In test"}),
        )
        .await;
    assert_eq!(offering.status, StatusCode::CREATED, "{}", offering.text);
    let launched = app
        .patch(
            &format!(
                "/tmf-api/productCatalogManagement/v4/productOffering/{}",
                offering.id()
            ),
            "application/merge-patch+json",
            &json!({"lifecycleStatus": "Launched"}),
        )
        .await;
    assert_eq!(launched.status, StatusCode::OK, "{}", launched.text);
    let received = listener.wait_for(2, WAIT).await;
    dispatcher.stop().await;
    assert_eq!(
        event_types(&received),
        [
            "ProductOfferingCreateEvent",
            "ProductOfferingStateChangeEvent"
        ]
    );
    const TMF620: &str = "TMF620-ProductCatalog-v4.0.0.swagger.json";
    assert_conforms(
        TMF620,
        "ProductOfferingCreateEvent",
        &received[0].body,
        "create",
    );
    assert_conforms(
        TMF620,
        "ProductOfferingStateChangeEvent",
        &received[1].body,
        "state",
    );
    assert_eq!(received[1].body["domain"], "productCatalogManagement");
    assert_eq!(
        received[1].body["event"]["productOffering"]["lifecycleStatus"],
        "Launched"
    );
}

#[tokio::test]
async fn order_and_inventory_events_conform_to_tmf622_and_tmf637() {
    const TMF622: &str = "TMF622-ProductOrdering-v4.0.0.swagger.json";
    const TMF637: &str = "TMF637-ProductInventory-v4.0.0.swagger.json";
    let app = app().await;
    let orders = Listener::start(0).await;
    let inventory = Listener::start(0).await;
    subscribe(
        &app,
        "/tmf-api/productOrderingManagement/v4/hub",
        json!({"callback": orders.callback()}),
    )
    .await;
    subscribe(
        &app,
        "/tmf-api/productInventory/v4/hub",
        json!({"callback": inventory.callback(), "query": "eventType=ProductCreateEvent,ProductStateChangeEvent"}),
    )
    .await;
    let dispatcher = app.dispatcher.start();
    let party = app.individual("Eve", "Nt").await;
    let customer = app.customer("Eve Nt", &party, "active").await;
    let offering = app
        .post(
            "/tmf-api/productCatalogManagement/v4/productOffering",
            &json!({"name": "TV", "lifecycleStatus": "Launched"}),
        )
        .await;
    let base = "/tmf-api/productOrderingManagement/v4";
    let order = app
        .post(
            &format!("{base}/productOrder"),
            &json!({"relatedParty": [{"id": customer, "role": "customer", "@referredType": "Customer"}],
                "productOrderItem": [{"id": "1", "action": "add", "productOffering": {"id": offering.id()}}]}),
        )
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.text);
    let item = format!("{base}/productOrder/{}", order.id());
    for state in ["inProgress", "completed"] {
        let moved = app
            .patch(
                &item,
                "application/merge-patch+json",
                &json!({ "state": state }),
            )
            .await;
        assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    }
    let product = app.get(&item).await.body["productOrderItem"][0]["product"]["id"]
        .as_str()
        .expect("product")
        .to_owned();
    let ended = app
        .patch(
            &format!("/tmf-api/productInventory/v4/product/{product}"),
            "application/merge-patch+json",
            &json!({"status": "terminated"}),
        )
        .await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.text);
    let order_events = orders.wait_for(5, WAIT).await;
    let product_events = inventory.wait_for(2, WAIT).await;
    dispatcher.stop().await;
    assert_eq!(
        event_types(&order_events),
        [
            "ProductOrderCreateEvent",
            // Each move changes the state, and its items' states (and dates) with it.
            "ProductOrderStateChangeEvent",
            "ProductOrderAttributeValueChangeEvent",
            "ProductOrderStateChangeEvent",
            "ProductOrderAttributeValueChangeEvent"
        ]
    );
    for event in &order_events {
        let event_type = event.body["eventType"].as_str().expect("type").to_owned();
        let definition: &'static str = Box::leak(event_type.into_boxed_str());
        assert_conforms(TMF622, definition, &event.body, definition);
        assert_eq!(event.body["domain"], "productOrderingManagement");
    }
    assert_eq!(
        order_events[3].body["event"]["productOrder"]["state"],
        "completed"
    );
    assert_eq!(
        event_types(&product_events),
        ["ProductCreateEvent", "ProductStateChangeEvent"]
    );
    assert_conforms(
        TMF637,
        "ProductCreateEvent",
        &product_events[0].body,
        "create",
    );
    assert_conforms(
        TMF637,
        "ProductStateChangeEvent",
        &product_events[1].body,
        "status",
    );
    assert_eq!(
        product_events[0].body["event"]["product"]["status"],
        "active"
    );
    assert_eq!(
        product_events[1].body["event"]["product"]["status"],
        "terminated"
    );
}
