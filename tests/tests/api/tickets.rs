//! TMF621 trouble tickets (issue 6 of 7): the CSR's fault call from logging to closure, every
//! status move through the API against the model, the reopening window, append-only signed
//! notes, server-owned fields, reference checks, parents and children, escalation on an
//! injected clock, events, the 360 view and erasure.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use chrono::Duration;
use crm_tests::schema::assert_conforms;
use crm_tests::{TestApp, TestResponse};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use sid_model::{Lifecycle, TroubleTicketStatusType as Status};

const TICKETS: &str = "/tmf-api/troubleTicket/v4/troubleTicket";
const PRODUCTS: &str = "/tmf-api/productInventory/v4/product";
const INTERACTIONS: &str = "/tmf-api/partyInteraction/v4/partyInteraction";
const TMF621: &str = "TMF621-TroubleTicket-v4.0.0.swagger.json";
const MERGE: &str = "application/merge-patch+json";

/// A customer with a product, and a CSR who is also a party (tickets are assigned to parties).
struct Desk {
    app: TestApp,
    party: String,
    customer: String,
    product: String,
    csr_party: String,
    csr_token: String,
}

impl Desk {
    async fn new() -> Self {
        let app = TestApp::new().await;
        let party = app.individual("Ada", "Lovelace").await;
        let customer = app.customer("Ada Lovelace", &party, "active").await;
        let product = app
            .post(
                PRODUCTS,
                &json!({"name": "Broadband 500", "status": "active",
                    "relatedParty": [{"id": customer, "role": "customer", "@referredType": "Customer"}]}),
            )
            .await;
        assert_eq!(product.status, StatusCode::CREATED, "{}", product.text);
        let csr_party = app.individual("Grace", "Hopper").await;
        let csr_token = app.token("csr-grace", &["csr"]);
        Self {
            product: product.id(),
            app,
            party,
            customer,
            csr_party,
            csr_token,
        }
    }

    async fn as_csr(&self, method: Method, uri: &str, body: Option<&Value>) -> TestResponse {
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header("host", "crm.test")
            .header("authorization", format!("Bearer {}", self.csr_token));
        if body.is_some() {
            request = request.header("content-type", MERGE);
        }
        let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
        self.app.send(request.body(body).expect("request")).await
    }

    /// A fault on the customer's product, as a CSR logs it from a call.
    fn fault(&self, severity: &str) -> Value {
        json!({
            "name": "No internet",
            "description": "The customer has had no internet since this morning",
            "severity": severity,
            "ticketType": "incident",
            "channel": {"id": "phone", "name": "phone"},
            "relatedParty": [{"id": self.customer, "role": "customer", "@referredType": "Customer"}],
            "relatedEntity": [{"id": self.product, "role": "affectedProduct", "@referredType": "Product"}],
            "note": [{"text": "Router lights are red"}],
        })
    }

    async fn open(&self, body: &Value) -> Value {
        let created = self.as_csr(Method::POST, TICKETS, Some(body)).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        created.body
    }

    async fn minimal(&self) -> String {
        let created = self
            .app
            .post(
                TICKETS,
                &json!({"description": "d", "severity": "Minor", "ticketType": "incident"}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        created.id()
    }

    async fn patch(&self, id: &str, body: &Value) -> TestResponse {
        self.as_csr(Method::PATCH, &format!("{TICKETS}/{id}"), Some(body))
            .await
    }

    async fn moved(&self, id: &str, status: &str, reason: Option<&str>) -> Value {
        let mut body = json!({"status": status});
        if let Some(reason) = reason {
            body["statusChangeReason"] = json!(reason);
        }
        let response = self.patch(id, &body).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "to {status}: {}",
            response.text
        );
        response.body
    }

    async fn get(&self, id: &str) -> Value {
        let response = self.app.get(&format!("{TICKETS}/{id}")).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text);
        response.body
    }

    async fn view(&self) -> Value {
        let view = self
            .app
            .get(&format!(
                "/tmf-api/customerManagement/v4/customer/{}/view",
                self.customer
            ))
            .await;
        assert_eq!(view.status, StatusCode::OK, "{}", view.text);
        view.body
    }

    /// The event types written for resource `id`, in commit order.
    async fn events(&self, id: &str) -> Vec<(String, Value)> {
        let rows = self
            .app
            .store
            .connection()
            .query_all_raw(sea_orm::Statement::from_string(
                self.app.store.backend(),
                format!(
                    "SELECT event_type, body FROM event_outbox WHERE resource_id = '{id}' ORDER BY seq"
                ),
            ))
            .await
            .expect("outbox");
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get("", "event_type").expect("type");
                let body: String = row.try_get("", "body").expect("body");
                (kind, serde_json::from_str(&body).expect("JSON"))
            })
            .collect()
    }
}

fn statuses(ticket: &Value) -> Vec<&str> {
    ticket["statusChange"]
        .as_array()
        .expect("history")
        .iter()
        .map(|c| c["status"].as_str().expect("status"))
        .collect()
}

#[tokio::test]
async fn a_fault_call_is_logged_assigned_worked_and_closed_with_full_history() {
    let desk = Desk::new().await;
    let ticket = desk.open(&desk.fault("Major")).await;
    let id = ticket["id"].as_str().expect("id").to_owned();
    assert_conforms(TMF621, "TroubleTicket", &ticket, "created ticket");
    assert_eq!(ticket["status"], "acknowledged");
    assert_eq!(ticket["priority"], "Medium", "from the severity");
    assert!(ticket["creationDate"].is_string());
    assert_eq!(ticket["creationDate"], ticket["lastUpdate"]);
    assert!(
        ticket["expectedResolutionDate"].as_str() > ticket["creationDate"].as_str(),
        "a resolution target: {ticket}"
    );
    assert_eq!(statuses(&ticket), ["acknowledged"]);
    assert_eq!(ticket["note"][0]["author"], "csr-grace");
    assert!(ticket["note"][0]["date"].is_string());

    // The call is recorded as an interaction about the ticket, with the CSR as agent.
    let origin = ticket["relatedEntity"]
        .as_array()
        .expect("entities")
        .iter()
        .find(|e| e["role"] == "originatingInteraction")
        .expect("the call is linked");
    assert_eq!(origin["@referredType"], "PartyInteraction");
    let call = desk
        .app
        .get(&format!(
            "{INTERACTIONS}/{}",
            origin["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(call.status, StatusCode::OK, "{}", call.text);
    assert_eq!(call.body["direction"], "inbound");
    assert_eq!(call.body["channel"][0]["name"], "phone");
    assert_eq!(call.body["interactionItem"][0]["item"]["id"], id.as_str());
    let parties = call.body["relatedParty"].as_array().expect("parties");
    assert!(parties.iter().any(|p| p["id"] == desk.customer.as_str()));
    assert!(
        parties
            .iter()
            .any(|p| p["role"] == "agent" && p["id"] == "csr-grace")
    );

    // Open: in the 360 view.
    let view = desk.view().await;
    assert_eq!(view["openTickets"][0]["id"], id.as_str(), "{view}");

    // Assigned to the CSR (a party), then worked through to closure.
    let mut parties = ticket["relatedParty"].clone();
    parties
        .as_array_mut()
        .expect("parties")
        .push(json!({"id": desk.csr_party, "role": "assignee", "@referredType": "Individual"}));
    let assigned = desk.patch(&id, &json!({"relatedParty": parties})).await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.text);
    assert_eq!(assigned.body["relatedParty"][1]["role"], "assignee");
    assert_eq!(statuses(&assigned.body), ["acknowledged"], "no move");

    desk.moved(&id, "inProgress", Some("line test started"))
        .await;
    desk.moved(
        &id,
        "pending",
        Some("waiting for the customer to restart the router"),
    )
    .await;
    desk.moved(&id, "inProgress", None).await;
    let resolved = desk.moved(&id, "resolved", Some("port reset")).await;
    assert!(resolved["resolutionDate"].is_string());
    assert_eq!(resolved["resolutionDate"], resolved["statusChangeDate"]);
    let closed = desk.moved(&id, "closed", Some("customer confirmed")).await;
    assert_eq!(
        statuses(&closed),
        [
            "acknowledged",
            "inProgress",
            "pending",
            "inProgress",
            "resolved",
            "closed"
        ]
    );
    let reasons: Vec<&Value> = closed["statusChange"]
        .as_array()
        .expect("history")
        .iter()
        .map(|c| &c["changeReason"])
        .collect();
    assert_eq!(reasons[1], "line test started");
    assert_eq!(reasons[3], &Value::Null, "no reason given: none recorded");
    assert_eq!(reasons[5], "customer confirmed");
    assert_conforms(TMF621, "TroubleTicket", &closed, "closed ticket");

    // The audit history has every change, by whom.
    let history = desk
        .app
        .get(&format!("{TICKETS}/{id}/history?limit=100"))
        .await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.text);
    assert_eq!(
        history.body.as_array().map(Vec::len),
        Some(7),
        "{}",
        history.text
    );

    // Closed: gone from the open tickets, still in the timeline.
    let view = desk.view().await;
    assert_eq!(view["openTickets"], json!([]));
    let timeline = desk
        .app
        .get(&format!(
            "/tmf-api/customerManagement/v4/customer/{}/timeline?limit=100",
            desk.customer
        ))
        .await;
    assert_eq!(timeline.status, StatusCode::OK, "{}", timeline.text);
    assert!(
        timeline.text.contains(&id) && timeline.text.contains("PartyInteraction"),
        "{}",
        timeline.text
    );

    // Events: created, changed, status changes, resolved; every one of TMF621's shape.
    let events = desk.events(&id).await;
    let kinds: Vec<&str> = events.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds[0], "TroubleTicketCreateEvent");
    assert_eq!(kinds[1], "TroubleTicketAttributeValueChangeEvent");
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == "TroubleTicketStatusChangeEvent")
            .count(),
        5
    );
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == "TroubleTicketResolvedEvent")
            .count(),
        1
    );
    for (kind, body) in &events {
        // The validators are cached per definition name for the whole run.
        let definition: &'static str = Box::leak(kind.clone().into_boxed_str());
        assert_conforms(TMF621, definition, body, kind);
        assert_eq!(body["event"]["troubleTicket"]["id"], id.as_str());
    }
}

/// The way from `acknowledged` to each status.
fn path_to(status: Status) -> &'static [&'static str] {
    match status {
        Status::Acknowledged => &[],
        Status::InProgress => &["inProgress"],
        Status::Pending => &["inProgress", "pending"],
        Status::Held => &["inProgress", "held"],
        Status::Resolved => &["inProgress", "resolved"],
        Status::Closed => &["inProgress", "resolved", "closed"],
        Status::Rejected => &["rejected"],
        Status::Cancelled => &["cancelled"],
    }
}

#[tokio::test]
async fn every_status_move_through_the_api_agrees_with_the_lifecycle() {
    let desk = Desk::new().await;
    for from in Status::ALL {
        for to in Status::ALL {
            let id = desk.minimal().await;
            for step in path_to(from) {
                desk.moved(&id, step, None).await;
            }
            let before = desk.get(&id).await;
            let response = desk.patch(&id, &json!({"status": to.as_str()})).await;
            let allowed = from == to || from.next().contains(&to);
            if allowed {
                assert_eq!(
                    response.status,
                    StatusCode::OK,
                    "{from} → {to}: {}",
                    response.text
                );
                assert_eq!(response.body["status"], to.as_str());
                let grew = usize::from(from != to);
                assert_eq!(
                    statuses(&response.body).len(),
                    statuses(&before).len() + grew,
                    "{from} → {to}"
                );
            } else {
                let message = response.assert_tmf_error(409);
                assert!(message.contains("allowed next states"), "{message}");
                assert_eq!(desk.get(&id).await, before, "{from} → {to} left no trace");
            }
        }
    }
}

#[tokio::test]
async fn a_resolved_ticket_reopens_only_within_the_window() {
    let desk = Desk::new().await;
    let id = desk.minimal().await;
    desk.moved(&id, "inProgress", None).await;
    desk.moved(&id, "resolved", None).await;
    desk.app.clock.advance(Duration::hours(100));
    let reopened = desk.moved(&id, "inProgress", Some("fault is back")).await;
    assert!(reopened.get("resolutionDate").is_none(), "{reopened}");
    desk.moved(&id, "resolved", None).await;
    desk.app.clock.advance(Duration::hours(169));
    let late = desk.patch(&id, &json!({"status": "inProgress"})).await;
    let message = late.assert_tmf_error(409);
    assert!(
        message.contains("reopening window of 168 hours"),
        "{message}"
    );
    desk.moved(&id, "closed", None).await;
}

#[tokio::test]
async fn notes_are_appended_signed_and_never_rewritten() {
    let desk = Desk::new().await;
    let ticket = desk.open(&desk.fault("Minor")).await;
    let id = ticket["id"].as_str().expect("id").to_owned();
    let first = ticket["note"][0].clone();

    let appended = desk
        .patch(
            &id,
            &json!({"note": [first, {"text": "Called back", "author": "mallory", "date": "2001-01-01T00:00:00Z"}]}),
        )
        .await;
    assert_eq!(appended.status, StatusCode::OK, "{}", appended.text);
    let second = &appended.body["note"][1];
    assert_eq!(second["author"], "csr-grace", "the author is the token's");
    assert_ne!(
        second["date"], "2001-01-01T00:00:00Z",
        "the date is the server's"
    );

    // JSON Patch appends too.
    let response = desk
        .app
        .raw(
            Method::PATCH,
            &format!("{TICKETS}/{id}"),
            Some("application/json-patch+json"),
            json!([{"op": "add", "path": "/note/-", "value": {"text": "Engineer booked"}}])
                .to_string(),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(response.body["note"].as_array().map(Vec::len), Some(3));
    assert_eq!(response.body["note"][2]["author"], "test-admin");

    let mut rewritten = response.body["note"].clone();
    rewritten[0]["text"] = json!("Router lights are green");
    for refused in [
        json!({"note": rewritten}),
        json!({"note": null}),
        json!({"note": [response.body["note"][1]]}),
    ] {
        let response = desk.patch(&id, &refused).await;
        response.assert_tmf_error(422);
    }
    assert_eq!(
        desk.get(&id).await["note"].as_array().map(Vec::len),
        Some(3)
    );
}

#[tokio::test]
async fn bad_tickets_are_refused_and_nothing_is_stored() {
    let desk = Desk::new().await;
    let base = json!({"description": "d", "severity": "Major", "ticketType": "incident"});
    let with = |extra: Value| {
        let mut body = base.clone();
        for (k, v) in extra.as_object().expect("object") {
            body[k] = v.clone();
        }
        body
    };
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            json!({"severity": "Major", "ticketType": "incident"}),
            400,
            "description",
        ),
        (
            json!({"description": "d", "ticketType": "incident"}),
            400,
            "severity",
        ),
        (with(json!({"status": "inProgress"})), 422, "acknowledged"),
        (with(json!({"status": "broken"})), 400, "status"),
        (
            with(json!({"severity": "Apocalyptic"})),
            422,
            "Critical, Major, Minor",
        ),
        (with(json!({"priority": "Yesterday"})), 422, "priority"),
        (
            with(json!({"creationDate": "2020-01-01T00:00:00Z"})),
            422,
            "creationDate",
        ),
        (
            with(json!({"statusChange": [{"status": "closed"}]})),
            422,
            "statusChange",
        ),
        (
            with(json!({"resolutionDate": "2020-01-01T00:00:00Z"})),
            422,
            "resolutionDate",
        ),
        (with(json!({"id": "mine"})), 400, "id"),
        (
            with(json!({"attachment": [{"name": "scan", "mimeType": "pdf"}]})),
            422,
            "attachment[0].mimeType",
        ),
        (
            with(
                json!({"attachment": [{"name": "video", "mimeType": "video/mp4", "size": {"amount": 30, "units": "MB"}}]}),
            ),
            422,
            "attachment[0].size",
        ),
        (
            with(json!({"attachment": [{"name": "x", "size": {"amount": -1, "units": "B"}}]})),
            422,
            "size",
        ),
        (
            with(
                json!({"relatedEntity": [{"id": "nope", "role": "affectedProduct", "@referredType": "Product"}]}),
            ),
            422,
            "relatedEntity[0]",
        ),
        (
            with(
                json!({"relatedEntity": [{"id": desk.product, "role": "x", "@referredType": "Individual"}]}),
            ),
            422,
            "Individual",
        ),
        (
            with(json!({"relatedEntity": [{"id": desk.product, "@referredType": "Product"}]})),
            400,
            "role",
        ),
        (
            with(
                json!({"relatedParty": [{"id": "ghost", "role": "customer", "@referredType": "Individual"}]}),
            ),
            422,
            "relatedParty[0]",
        ),
        (
            with(
                json!({"troubleTicketRelationship": [{"id": "ghost", "relationshipType": "isChild"}]}),
            ),
            422,
            "troubleTicketRelationship[0]",
        ),
        (
            with(json!({"troubleTicketCharacteristic": [{"name": "escalationLevel", "value": 3}]})),
            422,
            "escalationLevel",
        ),
    ];
    for (body, status, named) in cases {
        let response = desk.as_csr(Method::POST, TICKETS, Some(&body)).await;
        let message = response.assert_tmf_error(status);
        assert!(message.contains(named), "{body}: {message}");
    }
    let raw = desk
        .app
        .raw(
            Method::POST,
            TICKETS,
            Some("application/json"),
            "{\"description\": ",
        )
        .await;
    raw.assert_tmf_error(400);
    let listed = desk.app.get(TICKETS).await;
    assert_eq!(listed.header("x-total-count"), Some("0"), "{}", listed.text);
    let calls = desk.app.get(INTERACTIONS).await;
    assert_eq!(
        calls.header("x-total-count"),
        Some("0"),
        "no half-written call"
    );

    // On a stored ticket, the server's fields cannot be changed either.
    let id = desk.minimal().await;
    for (patch, named) in [
        (
            json!({"resolutionDate": "2020-01-01T00:00:00Z"}),
            "resolutionDate",
        ),
        (json!({"statusChange": []}), "statusChange"),
        (
            json!({"creationDate": "2020-01-01T00:00:00Z"}),
            "creationDate",
        ),
        (
            json!({"expectedResolutionDate": "2040-01-01T00:00:00Z"}),
            "expectedResolutionDate",
        ),
        (
            json!({"troubleTicketCharacteristic": [{"name": "escalationLevel", "value": 0}]}),
            "escalationLevel",
        ),
        (
            json!({"troubleTicketRelationship": [{"id": id, "relationshipType": "relatesTo"}]}),
            "itself",
        ),
    ] {
        let message = desk.patch(&id, &patch).await.assert_tmf_error(422);
        assert!(message.contains(named), "{patch}: {message}");
    }
}

#[tokio::test]
async fn a_parent_closes_only_after_its_children() {
    let desk = Desk::new().await;
    let parent = desk.minimal().await;
    let child = desk
        .open(
            &json!({"description": "street cabinet", "severity": "Minor", "ticketType": "incident",
            "troubleTicketRelationship": [{"id": parent, "relationshipType": "isChild"}]}),
        )
        .await;
    let child = child["id"].as_str().expect("id").to_owned();
    let adopted = desk
        .open(&json!({"description": "second line", "severity": "Minor", "ticketType": "incident"}))
        .await;
    let adopted = adopted["id"].as_str().expect("id").to_owned();
    desk.patch(
        &parent,
        &json!({"troubleTicketRelationship": [{"id": adopted, "relationshipType": "isParent"}]}),
    )
    .await;
    for step in ["inProgress", "resolved"] {
        desk.moved(&parent, step, None).await;
    }
    let refused = desk.patch(&parent, &json!({"status": "closed"})).await;
    let message = refused.assert_tmf_error(409);
    assert!(
        message.contains(&child) || message.contains(&adopted),
        "{message}"
    );

    for step in ["inProgress", "resolved", "closed"] {
        desk.moved(&child, step, None).await;
    }
    let still = desk.patch(&parent, &json!({"status": "closed"})).await;
    assert!(still.assert_tmf_error(409).contains(&adopted));
    desk.moved(&adopted, "cancelled", Some("duplicate of the parent"))
        .await;
    desk.moved(&parent, "closed", None).await;

    // A ticket that others name cannot be deleted from under them.
    let delete = desk.app.delete(&format!("{TICKETS}/{parent}")).await;
    delete.assert_tmf_error(409);
}

#[tokio::test]
async fn an_over_age_ticket_escalates_by_itself_once_per_level() {
    let desk = Desk::new().await;
    let urgent = desk.open(&desk.fault("Critical")).await;
    let urgent = urgent["id"].as_str().expect("id").to_owned();
    let waiting = desk.open(&desk.fault("Critical")).await;
    let waiting = waiting["id"].as_str().expect("id").to_owned();
    desk.moved(&waiting, "inProgress", None).await;
    desk.moved(&waiting, "pending", Some("customer away")).await;
    let minor = desk.minimal().await;

    assert!(
        desk.app
            .escalator()
            .run_once()
            .await
            .expect("pass")
            .is_empty()
    );
    desk.app.clock.advance(Duration::minutes(31));
    assert_eq!(
        desk.app.escalator().run_once().await.expect("pass"),
        vec![urgent.clone()],
        "only the critical ticket in the provider's hands"
    );
    let escalated = desk.get(&urgent).await;
    assert_eq!(escalated["priority"], "Critical", "raised from High");
    let level = escalated["troubleTicketCharacteristic"]
        .as_array()
        .expect("characteristics")
        .iter()
        .find(|c| c["name"] == "escalationLevel")
        .expect("the level is recorded")["value"]
        .clone();
    assert_eq!(level, 1);
    let note = escalated["note"].as_array().expect("notes").last().cloned();
    assert_eq!(
        note.as_ref().map(|n| n["author"].clone()),
        Some(json!("system:ticket-escalation"))
    );
    assert_eq!(
        desk.get(&waiting).await["priority"],
        "High",
        "pending: clock stopped"
    );
    assert_eq!(desk.get(&minor).await["priority"], "Low");

    // Again at once: nothing new. A new job (as after a restart) agrees.
    assert!(
        desk.app
            .escalator()
            .run_once()
            .await
            .expect("pass")
            .is_empty()
    );
    desk.app.clock.advance(Duration::minutes(90));
    let again = desk.app.escalator().run_once().await.expect("pass");
    assert_eq!(again, vec![urgent.clone()], "level 2 at two hours");
    let escalated = desk.get(&urgent).await;
    assert_eq!(escalated["priority"], "Critical", "the top stays the top");

    let events = desk.events(&urgent).await;
    let escalations: Vec<&Value> = events
        .iter()
        .filter(|(k, _)| k == "TroubleTicketEscalationEvent")
        .map(|(_, body)| body)
        .collect();
    assert_eq!(escalations.len(), 2);
    assert_eq!(
        escalations[0]["event"]["troubleTicket"]["id"],
        urgent.as_str()
    );
    assert_eq!(escalations[0]["domain"], "troubleTicket");

    // A client cannot undo an escalation.
    let refused = desk
        .patch(&urgent, &json!({"troubleTicketCharacteristic": []}))
        .await;
    refused.assert_tmf_error(422);
}

#[tokio::test]
async fn the_escalation_job_runs_in_the_background() {
    let app = TestApp::with_settings(|settings| {
        settings.sections.insert(
            "tickets".into(),
            json!({"escalation_interval_secs": 1, "escalation_minutes": {"Critical": [0]}}),
        );
    })
    .await;
    let created = app
        .post(
            TICKETS,
            &json!({"description": "core router down", "severity": "Critical", "ticketType": "incident"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.id();
    let job = app.escalator().start();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let ticket = app.get(&format!("{TICKETS}/{id}")).await.body;
        if ticket["priority"] == "Critical" {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never escalated: {ticket}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    job.stop().await;
}

#[tokio::test]
async fn erasing_the_customer_leaves_what_happened_and_removes_what_was_said() {
    let desk = Desk::new().await;
    let ticket = desk.open(&desk.fault("Major")).await;
    let id = ticket["id"].as_str().expect("id").to_owned();
    desk.moved(
        &id,
        "inProgress",
        Some("Ada says her neighbour Bob has it too"),
    )
    .await;
    let report = desk.app.erase(&desk.party).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text);
    let erased = desk.get(&id).await;
    assert_eq!(erased["description"], "[erased]");
    assert!(erased.get("note").is_none(), "{erased}");
    assert!(erased.get("name").is_none(), "{erased}");
    assert_eq!(erased["status"], "inProgress");
    assert_eq!(statuses(&erased), ["acknowledged", "inProgress"]);
    assert_eq!(erased["relatedParty"][0]["id"], desk.customer.as_str());
    assert!(!erased.to_string().contains("Router lights"), "{erased}");
}
