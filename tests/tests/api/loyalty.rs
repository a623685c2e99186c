//! TMF658 Loyalty Management (v4, its defects adapted): a supervisor defines a programme and
//! its rules, a CSR enrols a customer (the account the programme needs is opened with the
//! enrolment), points granted stay as granted, events are taken once per source id, and each
//! response conforms to the adapted definitions; what the CRM relies on is refused naming
//! what, storing nothing.

use axum::http::{Method, StatusCode};
use crm_tests::schema::assert_conforms;
use crm_tests::{TestApp, TestResponse};
use serde_json::{Value, json};

const BASE: &str = "/tmf-api/loyalty/v4";
const TMF658: &str = "TMF658-LoyaltyManagement-v4-adapted.swagger.json";
const MERGE: &str = "application/merge-patch+json";

/// A customer, and the people who act on the programme.
struct Programme {
    app: TestApp,
    party: String,
    customer: String,
    supervisor: String,
    csr: String,
    system: String,
}

impl Programme {
    async fn open() -> Self {
        let app = TestApp::new().await;
        let party = app.individual("Ada", "Lovelace").await;
        let customer = app.customer("Ada Lovelace", &party, "active").await;
        let bearer = |subject: &str, role: &str| format!("Bearer {}", app.token(subject, &[role]));
        Self {
            supervisor: bearer("sup-bob", "supervisor"),
            csr: bearer("csr-anna", "csr"),
            system: bearer("billing-1", "integration"),
            customer,
            party,
            app,
        }
    }

    async fn send(
        &self,
        auth: &str,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> TestResponse {
        self.app
            .send_with(
                method,
                &format!("{BASE}/{path}"),
                &[("Authorization", auth)],
                body,
            )
            .await
    }

    /// Creates `body` at `path` as `auth`, expecting 201 and a body that conforms to
    /// `definition`.
    async fn created(
        &self,
        auth: &str,
        path: &str,
        definition: &'static str,
        body: Value,
    ) -> Value {
        let created = self.send(auth, Method::POST, path, Some(&body)).await;
        created.assert_status(StatusCode::CREATED, path);
        assert_conforms(TMF658, definition, &created.body, path);
        created.body
    }

    async fn program(&self, needs_account: bool) -> String {
        let program = self
            .created(
                &self.supervisor,
                "loyaltyProgramProductSpec",
                "LoyaltyProgramProductSpec",
                json!({"name": "Fibre Rewards", "productNumber": "LP-1",
                    "lifeCycleStatus": "active", "needsLoyaltyAccount": needs_account,
                    "validFor": {"startDateTime": "2026-01-01T00:00:00Z"}}),
            )
            .await;
        program["id"].as_str().expect("an id").to_owned()
    }

    async fn member(&self) -> String {
        let member = self
            .created(
                &self.csr,
                "loyaltyProgramMember",
                "LoyaltyProgramMember",
                json!({"name": "Ada Lovelace", "status": "active",
                    "validFor": {"startDateTime": "2026-01-01T00:00:00Z"},
                    "relatedParty": [{"id": self.customer, "role": "customer", "@referredType": "Customer"}]}),
            )
            .await;
        member["id"].as_str().expect("an id").to_owned()
    }
}

#[tokio::test]
async fn a_customer_is_enrolled_and_the_account_the_programme_needs_is_opened() {
    let p = Programme::open().await;
    // CSRs enrol; they do not define programmes.
    p.send(
        &p.csr,
        Method::POST,
        "loyaltyProgramProductSpec",
        Some(&json!({"name": "X", "productNumber": "X-1"})),
    )
    .await
    .assert_tmf_error(403);
    let program = p.program(true).await;
    let member = p.member().await;
    let enrolment = p
        .created(
            &p.csr,
            "loyaltyProgramProduct",
            "LoyaltyProgramProduct",
            json!({"name": "Ada in Fibre Rewards", "productStatus": "activated",
                "loyaltyProgramMember": {"id": member},
                "loyaltyProgramProductSpec": {"id": program}}),
        )
        .await;
    let account = enrolment["loyaltyAccount"]["id"]
        .as_str()
        .expect("an account opened with the enrolment");
    let stored = p.app.get(&format!("{BASE}/loyaltyAccount/{account}")).await;
    stored.assert_status(StatusCode::OK, "the account");
    assert_conforms(TMF658, "LoyaltyAccount", &stored.body, "account");
    assert_eq!(stored.body["loyaltyProgramProduct"]["id"], enrolment["id"]);
    // The account is the server's: clients read it only.
    p.send(
        &p.supervisor,
        Method::POST,
        "loyaltyAccount",
        Some(&json!({})),
    )
    .await
    .assert_tmf_error(405);
    // An enrolment in a programme without accounts opens none.
    let plain = p.program(false).await;
    let other = p
        .created(
            &p.csr,
            "loyaltyProgramProduct",
            "LoyaltyProgramProduct",
            json!({"loyaltyProgramMember": {"id": member}, "loyaltyProgramProductSpec": {"id": plain}}),
        )
        .await;
    assert!(other.get("loyaltyAccount").is_none(), "{other}");
    assert_eq!(p.app.total(&format!("{BASE}/loyaltyAccount")).await, 1);
    // An enrolment keeps its member and programme.
    let path = format!(
        "{BASE}/loyaltyProgramProduct/{}",
        other["id"].as_str().expect("id")
    );
    p.app
        .patch(
            &path,
            MERGE,
            &json!({"loyaltyProgramProductSpec": {"id": program}}),
        )
        .await
        .assert_tmf_error(422);
    p.app
        .patch(&path, MERGE, &json!({"productStatus": "disconnected"}))
        .await
        .assert_status(StatusCode::OK, "disconnected");
    // The CSR sees the membership in the customer's 360 view.
    let view = p
        .app
        .get(&format!("{}/{}/view", crm_tests::CUSTOMER, p.customer))
        .await
        .body;
    assert_eq!(view["loyalty"][0]["id"], member.as_str(), "{view}");
    // Members are found by the customer they are.
    let listed = p
        .app
        .get(&format!(
            "{BASE}/loyaltyProgramMember?relatedParty.id={}",
            p.customer
        ))
        .await;
    assert_eq!(
        listed.body.as_array().map(Vec::len),
        Some(1),
        "{}",
        listed.text
    );
}

#[tokio::test]
async fn a_member_is_exactly_one_stored_customer() {
    let p = Programme::open().await;
    let refusals = [
        (json!({"name": "Nobody"}), 422, "relatedParty"),
        (
            json!({"relatedParty": [{"id": p.customer, "role": "friend", "@referredType": "Customer"}]}),
            422,
            "customer",
        ),
        (
            json!({"relatedParty": [{"id": "00000000-0000-0000-0000-000000000000", "role": "customer", "@referredType": "Customer"}]}),
            422,
            "relatedParty",
        ),
        (json!({"relatedParty": "Ada"}), 400, "relatedParty"),
    ];
    for (body, status, named) in refusals {
        let refused = p
            .send(&p.csr, Method::POST, "loyaltyProgramMember", Some(&body))
            .await;
        let message = refused.assert_tmf_error(status);
        assert!(message.contains(named), "{body}: {message}");
    }
    assert_eq!(
        p.app.total(&format!("{BASE}/loyaltyProgramMember")).await,
        0
    );
    // The v4 file's capitalised ValidFor is read as validFor.
    let spelled = p
        .created(
            &p.csr,
            "loyaltyProgramMember",
            "LoyaltyProgramMember",
            json!({"ValidFor": {"startDateTime": "2026-02-01T00:00:00Z"},
                "relatedParty": [{"id": p.customer, "role": "Customer", "@referredType": "Customer"}]}),
        )
        .await;
    assert_eq!(
        spelled["validFor"]["startDateTime"], "2026-02-01T00:00:00Z",
        "{spelled}"
    );
    assert!(spelled.get("ValidFor").is_none(), "{spelled}");
    let member = p.member().await;
    let changed = p
        .app
        .patch(
            &format!("{BASE}/loyaltyProgramMember/{member}"),
            MERGE,
            &json!({"status": "suspended"}),
        )
        .await;
    changed.assert_status(StatusCode::OK, "suspended");
    assert_eq!(
        changed.body["validFor"]["startDateTime"],
        "2026-01-01T00:00:00Z"
    );
}

#[tokio::test]
async fn points_granted_stay_as_granted() {
    let p = Programme::open().await;
    let member = p.member().await;
    let balance = |value: Value| {
        json!({"loyaltyProgramMember": {"id": member}, "quantity": {"unit": "PTS", "value": value},
            "validFor": {"startDateTime": "2026-12-01T00:00:00Z", "endDateTime": "2027-12-01T00:00:00Z"}})
    };
    // Supervisors grant points; CSRs do not.
    p.send(
        &p.csr,
        Method::POST,
        "loyaltyBalance",
        Some(&balance(json!(500))),
    )
    .await
    .assert_tmf_error(403);
    for (value, status) in [(json!(0), 422), (json!(-5), 422), (json!("many"), 400)] {
        p.send(
            &p.supervisor,
            Method::POST,
            "loyaltyBalance",
            Some(&balance(value.clone())),
        )
        .await
        .assert_tmf_error(status);
    }
    let granted = p
        .created(
            &p.supervisor,
            "loyaltyBalance",
            "LoyaltyBalance",
            balance(json!(500.25)),
        )
        .await;
    assert_eq!(granted["quantity"]["value"].to_string(), "500.25");
    let path = format!(
        "{BASE}/loyaltyBalance/{}",
        granted["id"].as_str().expect("id")
    );
    let message = p
        .app
        .patch(
            &path,
            MERGE,
            &json!({"quantity": {"unit": "PTS", "value": 9000}}),
        )
        .await
        .assert_tmf_error(422);
    assert!(message.contains("quantity"), "{message}");
    p.app
        .patch(
            &path,
            MERGE,
            &json!({"validFor": {"startDateTime": "2026-12-01T00:00:00Z", "endDateTime": "2028-12-01T00:00:00Z"}}),
        )
        .await
        .assert_status(StatusCode::OK, "the window moves");
    // Never deleted: points are reversed, not removed.
    p.app.delete(&path).await.assert_tmf_error(405);
    let listed = p
        .app
        .get(&format!(
            "{BASE}/loyaltyBalance?loyaltyProgramMember.id={member}"
        ))
        .await;
    assert_eq!(listed.body[0]["quantity"]["value"].to_string(), "500.25");
}

#[tokio::test]
async fn rules_link_conditions_actions_and_event_types_that_exist() {
    let p = Programme::open().await;
    let sup = p.supervisor.clone();
    let event_type = p
        .created(
            &sup,
            "loyaltyEventType",
            "LoyaltyEventType",
            json!({"eventType": "BillPaid"}),
        )
        .await;
    let condition = p
        .created(
            &sup,
            "loyaltyCondition",
            "LoyaltyCondition",
            json!({"attribute": "amountDue.value", "operator": ".ge", "value": "10"}),
        )
        .await;
    let action = p
        .created(
            &sup,
            "loyaltyAction",
            "LoyaltyAction",
            json!({"action": "POST", "endpoint": "/loyaltyBalance", "actionType": "earn",
                "actionAttributes": {"pointsPerUnit": 1, "amount": "amount.value"}}),
        )
        .await;
    let rule = p
        .created(
            &sup,
            "loyaltyRule",
            "LoyaltyRule",
            json!({"commonName": "A point a euro paid", "isCNF": true,
                "loyaltyEventType": [{"id": event_type["id"]}],
                "loyaltyCondition": [{"id": condition["id"]}],
                "loyaltyAction": [{"id": action["id"]}]}),
        )
        .await;
    assert_eq!(rule["isCNF"], true);
    for (path, definition, target, linked) in [
        (
            "loyaltyRuleCondition",
            "LoyaltyRuleCondition",
            "loyaltyCondition",
            &condition,
        ),
        (
            "loyaltyRuleAction",
            "LoyaltyRuleAction",
            "loyaltyAction",
            &action,
        ),
        (
            "loyaltyRuleEventType",
            "LoyaltyRuleEventType",
            "loyaltyEventType",
            &event_type,
        ),
    ] {
        let link = p
            .created(
                &sup,
                path,
                definition,
                json!({"loyaltyRule": {"id": rule["id"]}, target: {"id": linked["id"]}}),
            )
            .await;
        // Links are created and deleted, never changed.
        let item = format!("{BASE}/{path}/{}", link["id"].as_str().expect("id"));
        p.app
            .patch(&item, MERGE, &json!({}))
            .await
            .assert_tmf_error(405);
        // A link to nothing is refused.
        let refused = p
            .send(
                &sup,
                Method::POST,
                path,
                Some(&json!({"loyaltyRule": {"id": rule["id"]}, target: {"id": "missing"}})),
            )
            .await;
        let message = refused.assert_tmf_error(422);
        assert!(message.contains(target), "{message}");
        p.app
            .delete(&item)
            .await
            .assert_status(StatusCode::NO_CONTENT, "unlinked");
    }
    // A rule naming a condition that does not exist is refused.
    let refused = p
        .send(
            &sup,
            Method::POST,
            "loyaltyRule",
            Some(&json!({"loyaltyCondition": [{"id": "missing"}]})),
        )
        .await;
    refused.assert_tmf_error(422);
}

#[tokio::test]
async fn an_event_is_taken_once_per_source_id() {
    let p = Programme::open().await;
    let member = p.member().await;
    let event = json!({"eventType": "PartnerPurchase", "eventId": "PAY-2026-0042",
        "eventTime": "2026-12-06T10:00:00Z", "memberId": member,
        "event": {"amount": {"unit": "EUR", "value": 42.5}}});
    // CSRs do not report business events; operators' systems do.
    p.send(&p.csr, Method::POST, "loyaltyEvent", Some(&event))
        .await
        .assert_tmf_error(403);
    let first = p
        .created(&p.system, "loyaltyEvent", "LoyaltyEvent", event.clone())
        .await;
    // Sent again (a retry after a timeout): the stored one, nothing new.
    let again = p
        .send(&p.system, Method::POST, "loyaltyEvent", Some(&event))
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(again.body["id"], first["id"]);
    // The same source id with other content is a conflict.
    let mut other = event.clone();
    other["event"]["amount"]["value"] = json!(99);
    p.send(&p.system, Method::POST, "loyaltyEvent", Some(&other))
        .await
        .assert_tmf_error(409);
    p.send(
        &p.system,
        Method::POST,
        "loyaltyEvent",
        Some(&json!({"eventId": "X"})),
    )
    .await
    .assert_tmf_error(422);
    assert_eq!(p.app.total(&format!("{BASE}/loyaltyEvent")).await, 1);
    // A received event is a fact: never changed.
    let path = format!("{BASE}/loyaltyEvent/{}", first["id"].as_str().expect("id"));
    p.app
        .patch(&path, MERGE, &json!({"eventType": "x"}))
        .await
        .assert_tmf_error(405);
}

#[tokio::test]
async fn erasing_the_person_erases_their_membership() {
    let p = Programme::open().await;
    let member = p.member().await;
    let erased = p.app.erase(&p.party).await;
    assert!(erased.status.is_success(), "{}", erased.text);
    let stored = p
        .app
        .get(&format!("{BASE}/loyaltyProgramMember/{member}"))
        .await
        .body;
    // The name goes (the model allows none); the membership and its customer stay.
    assert!(stored.get("name").is_none(), "{stored}");
    assert_eq!(stored["status"], "active");
    assert_eq!(stored["relatedParty"][0]["id"], p.customer.as_str());
}

impl Programme {
    /// A rule listening for `event_type`, with `conditions` and `actions` created for it.
    async fn rule(&self, event_type: &str, conditions: Vec<Value>, actions: Vec<Value>) -> String {
        let sup = self.supervisor.clone();
        let id = |v: Value| json!({"id": v["id"]});
        let kind = self
            .created(
                &sup,
                "loyaltyEventType",
                "LoyaltyEventType",
                json!({"eventType": event_type}),
            )
            .await;
        let mut condition_refs = Vec::new();
        for condition in conditions {
            condition_refs.push(id(self
                .created(&sup, "loyaltyCondition", "LoyaltyCondition", condition)
                .await));
        }
        let mut action_refs = Vec::new();
        for action in actions {
            action_refs.push(id(self
                .created(&sup, "loyaltyAction", "LoyaltyAction", action)
                .await));
        }
        let rule = self
            .created(
                &sup,
                "loyaltyRule",
                "LoyaltyRule",
                json!({"commonName": format!("on {event_type}"),
                    "loyaltyEventType": [id(kind)],
                    "loyaltyCondition": condition_refs,
                    "loyaltyAction": action_refs}),
            )
            .await;
        rule["id"].as_str().expect("id").to_owned()
    }

    async fn balances_of(&self, member: &str) -> Vec<Value> {
        self.app
            .get(&format!(
                "{BASE}/loyaltyBalance?loyaltyProgramMember.id={member}&limit=100"
            ))
            .await
            .body
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

#[tokio::test]
async fn events_earn_what_the_rules_say_once_each_traceable() {
    let p = Programme::open().await;
    let member = p.member().await;
    // A point a euro paid, from 10 euros; 100 points an order completed.
    let per_euro = p
        .rule(
            "PartnerPurchase",
            vec![json!({"attribute": "amount.value", "operator": ">=", "value": "10"})],
            vec![
                json!({"action": "POST", "endpoint": "/loyaltyBalance", "actionType": "earn",
                "actionAttributes": {"pointsPerUnit": "1", "amount": "amount.value"}}),
            ],
        )
        .await;
    let per_order = p
        .rule(
            "SurveyCompleted",
            vec![],
            vec![
                json!({"action": "POST", "endpoint": "/loyaltyBalance", "actionType": "earn",
                "actionAttributes": {"points": 100}}),
            ],
        )
        .await;
    let paid = |id: &str, value: Value| {
        json!({"eventType": "PartnerPurchase", "eventId": id, "memberId": member,
            "eventTime": "2026-12-06T10:00:00Z",
            "event": {"amount": {"unit": "EUR", "value": value}}})
    };
    let event = p
        .created(
            &p.system,
            "loyaltyEvent",
            "LoyaltyEvent",
            paid("PAY-1", json!(42.75)),
        )
        .await;
    let balances = p.balances_of(&member).await;
    assert_eq!(balances.len(), 1, "{balances:?}");
    let earned = &balances[0];
    assert_conforms(TMF658, "LoyaltyBalance", earned, "earned balance");
    assert_eq!(
        earned["quantity"],
        json!({"unit": "PTS", "value": 42}),
        "whole points, down"
    );
    assert_eq!(
        earned["loyaltyEvent"]["id"], event["id"],
        "traceable to its event"
    );
    assert_eq!(earned["loyaltyEvent"]["eventId"], "PAY-1");
    assert_eq!(
        earned["loyaltyRule"]["id"],
        per_euro.as_str(),
        "and to its rule"
    );
    assert_eq!(earned["validFor"]["startDateTime"], "2026-12-06T10:00:00Z");
    assert_eq!(earned["validFor"]["endDateTime"], "2027-12-06T10:00:00Z");
    // A retry earns nothing more; a payment below the condition earns nothing.
    let again = p
        .send(
            &p.system,
            Method::POST,
            "loyaltyEvent",
            Some(&paid("PAY-1", json!(42.75))),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    p.created(
        &p.system,
        "loyaltyEvent",
        "LoyaltyEvent",
        paid("PAY-2", json!(5)),
    )
    .await;
    assert_eq!(p.balances_of(&member).await.len(), 1);
    // Another event type earns by its own rule; one no rule listens for earns nothing.
    p.created(
        &p.system,
        "loyaltyEvent",
        "LoyaltyEvent",
        json!({"eventType": "SurveyCompleted", "eventId": "ORD-9", "memberId": member}),
    )
    .await;
    p.created(
        &p.system,
        "loyaltyEvent",
        "LoyaltyEvent",
        json!({"eventType": "Birthday", "eventId": "B-1", "memberId": member}),
    )
    .await;
    let balances = p.balances_of(&member).await;
    assert_eq!(balances.len(), 2, "{balances:?}");
    assert!(
        balances
            .iter()
            .any(|b| b["loyaltyRule"]["id"] == per_order.as_str()
                && b["quantity"]["value"] == json!(100))
    );
    // An event about no member is refused, and earns nothing.
    let refused = p
        .send(
            &p.system,
            Method::POST,
            "loyaltyEvent",
            Some(
                &json!({"eventType": "SurveyCompleted", "eventId": "ORD-10", "memberId": "nobody"}),
            ),
        )
        .await;
    let message = refused.assert_tmf_error(422);
    assert!(message.contains("memberId"), "{message}");
    p.send(
        &p.system,
        Method::POST,
        "loyaltyEvent",
        Some(&json!({"eventType": "SurveyCompleted", "memberId": member})),
    )
    .await
    .assert_tmf_error(422);
    assert_eq!(p.balances_of(&member).await.len(), 2);
}

#[tokio::test]
async fn what_the_crm_would_act_on_must_read() {
    let p = Programme::open().await;
    let sup = p.supervisor.clone();
    let message = p
        .send(
            &sup,
            Method::POST,
            "loyaltyCondition",
            Some(&json!({"attribute": "amount.value", "operator": "roughly", "value": "10"})),
        )
        .await
        .assert_tmf_error(422);
    assert!(message.contains("operator"), "{message}");
    for attributes in [
        json!({}),
        json!({"points": -5}),
        json!({"pointsPerUnit": 2}),
    ] {
        let message = p
            .send(
                &sup,
                Method::POST,
                "loyaltyAction",
                Some(
                    &json!({"action": "POST", "endpoint": "/x", "actionType": "earn",
                    "actionAttributes": attributes}),
                ),
            )
            .await
            .assert_tmf_error(422);
        assert!(message.contains("actionAttributes"), "{message}");
    }
    // Other action types are the programme's words, kept as given.
    p.created(
        &sup,
        "loyaltyAction",
        "LoyaltyAction",
        json!({"action": "POST", "endpoint": "https://partner.example/notify", "actionType": "notify"}),
    )
    .await;
    assert_eq!(p.app.total(&format!("{BASE}/loyaltyCondition")).await, 0);
}

#[tokio::test]
async fn an_sla_breach_worth_points_grants_them_to_the_member() {
    const SLAS: &str = "/tmf-api/slaManagement/v4/sla";
    const MEASUREMENTS: &str = "/tmf-api/slaManagement/v4/slaMeasurement";
    let p = Programme::open().await;
    let member = p.member().await;
    let party = p
        .app
        .get(&format!("{}/{}", crm_tests::CUSTOMER, p.customer))
        .await
        .body["engagedParty"]["id"]
        .as_str()
        .expect("the customer's party")
        .to_owned();
    let start = "2026-01-01T00:00:00Z";
    let sla = p
        .app
        .send_with(
            Method::POST,
            SLAS,
            &[("Authorization", &p.supervisor)],
            Some(&json!({"name": "Gold", "validFor": {"startDateTime": start, "endDateTime": "2030-01-01T00:00:00Z"},
                "relatedParty": [{"id": party, "role": "SLAConsumer", "@referredType": "Individual"}],
                "rule": [{"id": "availability", "metric": "availability", "unit": "%",
                    "referenceValue": "99.5", "operator": ".ge", "consequence": "points 500"}]})),
        )
        .await;
    sla.assert_status(StatusCode::CREATED, "sla");
    for state in ["approved", "active"] {
        p.app
            .patch(
                &format!("{SLAS}/{}", sla.id()),
                MERGE,
                &json!({"state": state}),
            )
            .await
            .assert_status(StatusCode::OK, state);
    }
    let measured = p
        .app
        .send_with(
            Method::POST,
            MEASUREMENTS,
            &[("Authorization", &p.system)],
            Some(&json!({"sla": {"id": sla.id()}, "metric": "availability", "value": "98.1", "unit": "%",
                "period": {"startDateTime": "2026-03-01T00:00:00Z", "endDateTime": "2026-04-01T00:00:00Z"}})),
        )
        .await;
    measured.assert_status(StatusCode::CREATED, "measurement");
    let violations = p
        .app
        .get("/tmf-api/slaManagement/v4/slaViolation")
        .await
        .body;
    let compensation = &violations[0]["compensation"];
    assert_eq!(
        compensation["@referredType"], "LoyaltyBalance",
        "{violations}"
    );
    let balances = p.balances_of(&member).await;
    assert_eq!(balances.len(), 1, "{balances:?}");
    assert_eq!(balances[0]["id"], compensation["id"]);
    assert_eq!(
        balances[0]["quantity"],
        json!({"unit": "PTS", "value": 500})
    );
    assert_eq!(balances[0]["slaViolation"]["id"], violations[0]["id"]);
}

#[tokio::test]
async fn points_expire_once_at_the_end_of_their_window_and_the_view_says_what_expires_when() {
    use chrono::Duration;
    use crm_store::Clock;
    let p = Programme::open().await;
    let member = p.member().await;
    let now = p.app.clock.now();
    let grant = |days: i64, value: u32| {
        json!({"loyaltyProgramMember": {"id": member}, "quantity": {"unit": "PTS", "value": value},
            "validFor": {"startDateTime": now, "endDateTime": now + Duration::days(days)}})
    };
    let soon = p
        .created(
            &p.supervisor,
            "loyaltyBalance",
            "LoyaltyBalance",
            grant(10, 200),
        )
        .await;
    p.created(
        &p.supervisor,
        "loyaltyBalance",
        "LoyaltyBalance",
        grant(100, 300),
    )
    .await;
    assert_eq!(
        soon["remaining"],
        json!({"unit": "PTS", "value": 200}),
        "{soon}"
    );
    assert_eq!(soon["state"], "active");
    let path = format!("{BASE}/loyaltyBalance/{}", soon["id"].as_str().expect("id"));
    // What is left is the server's.
    p.app
        .patch(
            &path,
            MERGE,
            &json!({"remaining": {"unit": "PTS", "value": 9000}}),
        )
        .await
        .assert_tmf_error(422);
    let view = format!("{}/{}/view", crm_tests::CUSTOMER, p.customer);
    let before = p.app.get(&view).await.body;
    assert_eq!(
        before["loyalty"][0]["points"],
        json!({"unit": "PTS", "value": 500}),
        "{before}"
    );
    let expiring = before["loyalty"][0]["expiringSoon"]
        .as_array()
        .expect("a list");
    assert_eq!(expiring.len(), 1, "{before}");
    assert_eq!(expiring[0]["quantity"]["value"], json!(200));
    let job = |app: &TestApp| {
        app.jobs
            .iter()
            .find(|job| job.name() == "loyaltyExpiry")
            .cloned()
            .expect("the expiry job")
    };
    assert!(job(&p.app).run_once().await.expect("a pass").is_empty());
    // Eleven days on, on two instances at once: expired once.
    p.app.clock.advance(Duration::days(11));
    let other = p.app.another_instance().await;
    let behind = p.app.clock.now() - other.clock.now();
    if behind > Duration::zero() {
        other.clock.advance(behind);
    }
    let (here, there) = (job(&p.app), job(&other));
    let (a, b) = tokio::join!(here.run_once(), there.run_once());
    let mut expired = a.expect("a pass");
    expired.extend(b.expect("the other pass"));
    assert_eq!(expired, [soon["id"].as_str().expect("id").to_owned()]);
    assert!(here.run_once().await.expect("again").is_empty());
    let stored = p.app.get(&path).await.body;
    assert_conforms(TMF658, "LoyaltyBalance", &stored, "expired balance");
    assert_eq!(stored["state"], "expired");
    assert_eq!(stored["remaining"], json!({"unit": "PTS", "value": 0}));
    assert_eq!(
        stored["expiredQuantity"],
        json!({"unit": "PTS", "value": 200})
    );
    assert_eq!(
        stored["quantity"],
        json!({"unit": "PTS", "value": 200}),
        "granted stays"
    );
    let after = p.app.get(&view).await.body;
    assert_eq!(
        after["loyalty"][0]["points"],
        json!({"unit": "PTS", "value": 300}),
        "{after}"
    );
    assert_eq!(after["loyalty"][0]["expiringSoon"], json!([]));
    let events = p.app.event_types().await;
    for expected in ["LoyaltyBalanceStateChangeEvent", "LoyaltyExpiryEvent"] {
        assert!(
            events.iter().any(|e| e == expected),
            "{expected} in {events:?}"
        );
    }
    assert_eq!(
        events.iter().filter(|e| *e == "LoyaltyExpiryEvent").count(),
        1,
        "expired once: {events:?}"
    );
}

impl Programme {
    /// The customer's billing account.
    async fn billing_account(&self) -> String {
        let created = self
            .app
            .post(
                "/tmf-api/accountManagement/v4/billingAccount",
                &json!({"name": "Ada's bills", "relatedParty": [
                    {"id": self.customer, "role": "owner", "@referredType": "Customer"}]}),
            )
            .await;
        created.assert_status(StatusCode::CREATED, "billing account");
        created.id()
    }

    /// Grants `points` ending in `days` days.
    async fn grant(&self, member: &str, points: u32, days: i64) -> String {
        use crm_store::Clock;
        let now = self.app.clock.now();
        let granted = self
            .created(
                &self.supervisor,
                "loyaltyBalance",
                "LoyaltyBalance",
                json!({"loyaltyProgramMember": {"id": member},
                    "quantity": {"unit": "PTS", "value": points},
                    "validFor": {"startDateTime": now - chrono::Duration::days(1),
                                 "endDateTime": now + chrono::Duration::days(days)}}),
            )
            .await;
        granted["id"].as_str().expect("id").to_owned()
    }

    fn burn(&self, member: &str, account: &str, points: u32) -> Value {
        json!({"loyaltyProgramMember": {"id": member}, "billingAccount": {"id": account},
            "quantity": {"unit": "PTS", "value": points}, "currency": "EUR"})
    }
}

const BURN_SPEC: &str = "LoyaltyBurn-extension.swagger.json";

#[tokio::test]
async fn points_burn_into_a_credit_spending_what_expires_first() {
    let p = Programme::open().await;
    let member = p.member().await;
    let account = p.billing_account().await;
    let later = p.grant(&member, 3000, 300).await;
    let sooner = p.grant(&member, 1000, 30).await;
    // 1,500 points at 0.01 EUR: 15.00 EUR, within the approval threshold: applied at once.
    let burned = p
        .send(
            &p.csr,
            Method::POST,
            "loyaltyBurn",
            Some(&p.burn(&member, &account, 1500)),
        )
        .await;
    burned.assert_status(StatusCode::CREATED, "burn");
    assert_conforms(BURN_SPEC, "LoyaltyBurn", &burned.body, "burn");
    assert_eq!(burned.body["creditAmount"]["unit"], "EUR");
    assert_eq!(burned.body["creditAmount"]["value"].to_string(), "15.00");
    let consumed = burned.body["consumed"].as_array().expect("what was spent");
    assert_eq!(consumed.len(), 2, "{}", burned.text);
    assert_eq!(
        consumed[0]["loyaltyBalance"]["id"],
        sooner.as_str(),
        "what expires first"
    );
    assert_eq!(consumed[0]["quantity"]["value"], json!(1000));
    assert_eq!(consumed[1]["loyaltyBalance"]["id"], later.as_str());
    assert_eq!(consumed[1]["quantity"]["value"], json!(500));
    let remaining = |id: String| {
        let app = &p.app;
        async move {
            app.get(&format!("{BASE}/loyaltyBalance/{id}")).await.body["remaining"]["value"].clone()
        }
    };
    assert_eq!(remaining(sooner.clone()).await, json!(0));
    assert_eq!(remaining(later.clone()).await, json!(2500));
    let credit_id = burned.body["credit"]["id"].as_str().expect("a credit");
    let credit = p
        .app
        .get(&format!(
            "/tmf-api/customerBillManagement/v4/billAdjustment/{credit_id}"
        ))
        .await
        .body;
    assert_eq!(credit["type"], "credit", "{credit}");
    assert_eq!(credit["reasonCode"], "loyaltyRedemption");
    assert_eq!(credit["amount"]["value"].to_string(), "15.00");
    assert_eq!(credit["loyaltyBurn"]["id"], burned.body["id"]);
    // More than is left is refused, and spends nothing.
    let refused = p
        .send(
            &p.csr,
            Method::POST,
            "loyaltyBurn",
            Some(&p.burn(&member, &account, 2501)),
        )
        .await;
    let message = refused.assert_tmf_error(422);
    assert!(message.contains("2500"), "{message}");
    assert_eq!(remaining(later.clone()).await, json!(2500));
    // A currency without a rate, a burn of nothing: refused naming what.
    let mut yen = p.burn(&member, &account, 100);
    yen["currency"] = json!("JPY");
    let message = p
        .send(&p.csr, Method::POST, "loyaltyBurn", Some(&yen))
        .await
        .assert_tmf_error(422);
    assert!(message.contains("currency"), "{message}");
    p.send(
        &p.csr,
        Method::POST,
        "loyaltyBurn",
        Some(&p.burn(&member, &account, 0)),
    )
    .await
    .assert_tmf_error(422);
    // A large burn is a credit a supervisor approves: 2,500 points are 25.00 EUR, within;
    // the view shows what is left.
    let view = p
        .app
        .get(&format!("{}/{}/view", crm_tests::CUSTOMER, p.customer))
        .await
        .body;
    assert_eq!(view["loyalty"][0]["points"]["value"], json!(2500), "{view}");
    assert_eq!(p.app.total(&format!("{BASE}/loyaltyBurn")).await, 1);
    assert_eq!(burned.body["state"], "completed");

    // The credit reversed gives the points back, to the balances they came from, once.
    let reversal = json!({"type": "credit", "amount": credit["amount"], "reasonCode": "reversal",
        "reversalOf": {"id": credit_id}});
    let reversed = p
        .app
        .post(
            "/tmf-api/customerBillManagement/v4/billAdjustment",
            &reversal,
        )
        .await;
    reversed.assert_status(StatusCode::CREATED, "reversal");
    assert_eq!(remaining(sooner.clone()).await, json!(1000));
    assert_eq!(remaining(later.clone()).await, json!(3000));
    let burn = p
        .app
        .get(&format!(
            "{BASE}/loyaltyBurn/{}",
            burned.body["id"].as_str().expect("id")
        ))
        .await
        .body;
    assert_eq!(burn["state"], "reversed", "{burn}");
    let again = p
        .app
        .post(
            "/tmf-api/customerBillManagement/v4/billAdjustment",
            &reversal,
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::OK,
        "the same reversal: {}",
        again.text
    );
    assert_eq!(
        remaining(later.clone()).await,
        json!(3000),
        "given back once"
    );
}

#[tokio::test]
async fn fifty_burns_at_once_spend_each_point_once() {
    let p = Programme::open().await;
    let member = p.member().await;
    let account = p.billing_account().await;
    p.grant(&member, 400, 30).await;
    p.grant(&member, 600, 60).await;
    // 1,000 points; fifty burns of 100 at once: exactly ten succeed.
    let burns = (0..50).map(|_| {
        let body = p.burn(&member, &account, 100);
        let app = &p.app;
        let auth = p.csr.clone();
        async move {
            app.send_with(
                Method::POST,
                &format!("{BASE}/loyaltyBurn"),
                &[("Authorization", &auth)],
                Some(&body),
            )
            .await
        }
    });
    let results = futures_util::future::join_all(burns).await;
    let made = results
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    let refused = results
        .iter()
        .filter(|r| r.status == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    let others: Vec<String> = results
        .iter()
        .filter(|r| !matches!(r.status.as_u16(), 201 | 422))
        .map(|r| r.text.clone())
        .collect();
    assert_eq!((made, refused), (10, 40), "{others:?}");
    let balances = p
        .app
        .get(&format!(
            "{BASE}/loyaltyBalance?loyaltyProgramMember.id={member}"
        ))
        .await
        .body;
    for balance in balances.as_array().expect("balances") {
        assert_eq!(balance["remaining"]["value"], json!(0), "{balance}");
    }
    assert_eq!(p.app.total(&format!("{BASE}/loyaltyBurn")).await, 10);
    assert_eq!(
        p.app
            .total("/tmf-api/customerBillManagement/v4/billAdjustment")
            .await,
        10
    );
}

/// One balance as the model of the sequence test knows it.
struct Held {
    id: String,
    end: chrono::DateTime<chrono::Utc>,
    remaining: i64,
    expired: i64,
    is_expired: bool,
}

#[tokio::test]
async fn random_earns_burns_expiries_and_reversals_keep_every_point() {
    use crate::adjustments::Dice;
    use chrono::Duration;
    use crm_store::Clock;
    let mut ran = [0_u32; 4];
    for seed in [3_u64, 77, 4_242, 990_001] {
        let p = Programme::open().await;
        let member = p.member().await;
        let account = p.billing_account().await;
        let mut dice = Dice(seed);
        // Every point is earned by an event: a point a unit purchased.
        p.rule(
            "PartnerPurchase",
            vec![],
            vec![
                json!({"action": "POST", "endpoint": "/loyaltyBalance", "actionType": "earn",
                "actionAttributes": {"pointsPerUnit": "1", "amount": "amount.value"}}),
            ],
        )
        .await;
        let mut held: Vec<Held> = Vec::new();
        // Completed burns: their credit, and what each took from which balance.
        let mut burns: Vec<(String, Vec<(String, i64)>)> = Vec::new();
        for step in 0..12 {
            let label = format!("seed {seed} step {step}");
            let now = p.app.clock.now();
            match dice.roll(4) {
                0 => {
                    let points = 100 + dice.roll(900) as i64;
                    let days = 1 + dice.roll(20) as i64;
                    // Earned long enough ago that its window ends in `days` days.
                    let earned_at = now - Duration::days(365 - days);
                    let event = p
                        .created(
                            &p.system,
                            "loyaltyEvent",
                            "LoyaltyEvent",
                            json!({"eventType": "PartnerPurchase",
                                "eventId": format!("{seed}-{step}"), "memberId": member,
                                "eventTime": earned_at,
                                "event": {"amount": {"unit": "EUR", "value": points}}}),
                        )
                        .await;
                    let id = p
                        .balances_of(&member)
                        .await
                        .into_iter()
                        .find(|b| b["loyaltyEvent"]["id"] == event["id"])
                        .and_then(|b| b["id"].as_str().map(str::to_owned))
                        .expect("the balance the event earned");
                    held.push(Held {
                        id,
                        end: earned_at + Duration::days(365),
                        remaining: points,
                        expired: 0,
                        is_expired: false,
                    });
                    ran[0] += 1;
                }
                1 => {
                    let points = 50 + dice.roll(1_500) as i64;
                    let mut live: Vec<&mut Held> = held
                        .iter_mut()
                        .filter(|h| !h.is_expired && h.end > now && h.remaining > 0)
                        .collect();
                    live.sort_by(|a, b| (a.end, &a.id).cmp(&(b.end, &b.id)));
                    let available: i64 = live.iter().map(|h| h.remaining).sum();
                    let burned = p
                        .send(
                            &p.csr,
                            Method::POST,
                            "loyaltyBurn",
                            Some(&p.burn(&member, &account, points as u32)),
                        )
                        .await;
                    if available < points {
                        burned.assert_tmf_error(422);
                        continue;
                    }
                    burned.assert_status(StatusCode::CREATED, &label);
                    let mut left = points;
                    let mut took = Vec::new();
                    for h in live {
                        let take = h.remaining.min(left);
                        if take == 0 {
                            break;
                        }
                        h.remaining -= take;
                        left -= take;
                        took.push((h.id.clone(), take));
                    }
                    let consumed: Vec<(String, i64)> = burned.body["consumed"]
                        .as_array()
                        .expect("consumed")
                        .iter()
                        .map(|c| {
                            (
                                c["loyaltyBalance"]["id"].as_str().expect("id").to_owned(),
                                c["quantity"]["value"].as_i64().expect("whole points"),
                            )
                        })
                        .collect();
                    assert_eq!(consumed, took, "{label}: what expires first, first");
                    let credit = burned.body["credit"]["id"]
                        .as_str()
                        .expect("credit")
                        .to_owned();
                    burns.push((credit, took));
                    ran[1] += 1;
                }
                2 => {
                    p.app
                        .clock
                        .advance(Duration::days(1 + dice.roll(10) as i64));
                    let now = p.app.clock.now();
                    let job = p
                        .app
                        .jobs
                        .iter()
                        .find(|job| job.name() == "loyaltyExpiry")
                        .cloned()
                        .expect("the expiry job");
                    job.run_once().await.expect("a pass");
                    for h in held.iter_mut().filter(|h| !h.is_expired && h.end <= now) {
                        h.is_expired = true;
                        h.expired += h.remaining;
                        h.remaining = 0;
                    }
                    ran[2] += 1;
                }
                _ if !burns.is_empty() => {
                    let (credit, took) = burns.remove(dice.roll(burns.len() as u64) as usize);
                    let stored = p
                        .app
                        .get(&format!(
                            "/tmf-api/customerBillManagement/v4/billAdjustment/{credit}"
                        ))
                        .await
                        .body;
                    let reversed = p
                        .app
                        .post(
                            "/tmf-api/customerBillManagement/v4/billAdjustment",
                            &json!({"type": "credit", "amount": stored["amount"],
                                "reasonCode": "reversal", "reversalOf": {"id": credit}}),
                        )
                        .await;
                    reversed.assert_status(StatusCode::CREATED, &label);
                    for (id, take) in took {
                        let h = held
                            .iter_mut()
                            .find(|h| h.id == id)
                            .expect("a held balance");
                        match h.is_expired {
                            true => h.expired += take,
                            false => h.remaining += take,
                        }
                    }
                    ran[3] += 1;
                }
                _ => continue,
            }
            // Every balance as the model says: never below nothing, never above what was
            // granted, expired points where they went.
            let stored = p.balances_of(&member).await;
            assert_eq!(stored.len(), held.len(), "{label}");
            for h in &held {
                let balance = stored
                    .iter()
                    .find(|b| b["id"] == h.id.as_str())
                    .unwrap_or_else(|| panic!("{label}: balance {}", h.id));
                // Every point is traceable to the event that earned it.
                assert!(
                    balance["loyaltyEvent"]["id"].is_string(),
                    "{label}: {balance}"
                );
                let remaining = balance["remaining"]["value"].as_i64().expect("remaining");
                let granted = balance["quantity"]["value"].as_i64().expect("quantity");
                assert!((0..=granted).contains(&remaining), "{label}: {balance}");
                assert_eq!(remaining, h.remaining, "{label}: remaining of {balance}");
                assert_eq!(
                    balance["expiredQuantity"]["value"].as_i64().unwrap_or(0),
                    h.expired,
                    "{label}: expired of {balance}"
                );
            }
            // The member's points in the view are what is left of the active balances.
            let live: i64 = held
                .iter()
                .filter(|h| !h.is_expired && h.end > p.app.clock.now())
                .map(|h| h.remaining)
                .sum();
            let view = p
                .app
                .get(&format!("{}/{}/view", crm_tests::CUSTOMER, p.customer))
                .await
                .body;
            assert_eq!(
                view["loyalty"][0]["points"]["value"],
                json!(live),
                "{label}"
            );
        }
    }
    assert!(ran.iter().all(|n| *n > 0), "every operation ran: {ran:?}");
}

#[tokio::test]
async fn a_bill_paid_and_an_order_completed_earn_for_the_customer_s_membership() {
    const ORDERS: &str = "/tmf-api/productOrderingManagement/v4/productOrder";
    let p = Programme::open().await;
    let member = p.member().await;
    let account = p.billing_account().await;
    // A point a euro paid; 100 points an order completed.
    p.rule(
        "BillPaid",
        vec![],
        vec![
            json!({"action": "POST", "endpoint": "/loyaltyBalance", "actionType": "earn",
            "actionAttributes": {"pointsPerUnit": "1", "amount": "amount.value"}}),
        ],
    )
    .await;
    p.rule(
        "OrderCompleted",
        vec![],
        vec![
            json!({"action": "POST", "endpoint": "/loyaltyBalance", "actionType": "earn",
            "actionAttributes": {"points": "100"}}),
        ],
    )
    .await;
    let bill = p.bill(&account, "B-1", "100.00", "20.00", "120.00").await;
    p.pay(&bill, "PAY-7", "70.50")
        .await
        .assert_status(StatusCode::CREATED, "paid");
    // The same payment again (a retry) earns nothing more.
    assert_eq!(p.pay(&bill, "PAY-7", "70.50").await.status, StatusCode::OK);
    let balances = p.balances_of(&member).await;
    assert_eq!(balances.len(), 1, "{balances:?}");
    assert_eq!(balances[0]["quantity"]["value"], json!(70), "{balances:?}");
    let event = p
        .app
        .get(&format!(
            "{BASE}/loyaltyEvent/{}",
            balances[0]["loyaltyEvent"]["id"]
                .as_str()
                .expect("its event")
        ))
        .await
        .body;
    assert_eq!(event["eventType"], "BillPaid");
    assert_eq!(event["eventId"], format!("BillPaid:{bill}:PAY-7"));
    assert_eq!(event["memberId"], member.as_str());

    // An order of the customer completed.
    let offering = p
        .app
        .post(
            "/tmf-api/productCatalogManagement/v4/productOffering",
            &json!({"name": "Fibre 500", "lifecycleStatus": "Launched", "isSellable": true}),
        )
        .await;
    offering.assert_status(StatusCode::CREATED, "offering");
    let order = p
        .app
        .post(
            ORDERS,
            &json!({"productOrderItem": [{"id": "1", "action": "add", "quantity": 1,
                    "productOffering": {"id": offering.id(), "name": "Fibre 500"}}],
                "relatedParty": [{"id": p.customer, "role": "customer", "@referredType": "Customer"}]}),
        )
        .await;
    order.assert_status(StatusCode::CREATED, "order");
    for state in ["inProgress", "completed"] {
        p.app
            .patch(
                &format!("{ORDERS}/{}", order.id()),
                MERGE,
                &json!({"state": state}),
            )
            .await
            .assert_status(StatusCode::OK, state);
    }
    let balances = p.balances_of(&member).await;
    assert_eq!(balances.len(), 2, "{balances:?}");
    assert!(
        balances
            .iter()
            .any(|b| b["quantity"]["value"] == json!(100)),
        "{balances:?}"
    );
}

#[tokio::test]
async fn a_customer_enrols_earns_from_a_bill_settled_climbs_a_tier_and_burns_into_an_approved_credit()
 {
    const ADJUSTMENTS: &str = "/tmf-api/customerBillManagement/v4/billAdjustment";
    let p = Programme::open().await;
    let program = p.program(true).await;
    let member = p.member().await;
    p.created(
        &p.csr,
        "loyaltyProgramProduct",
        "LoyaltyProgramProduct",
        json!({"loyaltyProgramMember": {"id": member}, "loyaltyProgramProductSpec": {"id": program}}),
    )
    .await;
    let account = p.billing_account().await;
    // Ten points a euro paid, multiplied by the member's tier.
    p.rule(
        "BillPaid",
        vec![],
        vec![
            json!({"action": "POST", "endpoint": "/loyaltyBalance", "actionType": "earn",
            "actionAttributes": {"pointsPerUnit": "10", "amount": "amount.value", "byTier": true}}),
        ],
    )
    .await;
    let bill = p.bill(&account, "B-9", "500.00", "100.00", "600.00").await;
    // The bill settled: 600 EUR paid lifts the member to silver (1.25) before the rule
    // judges the payment: 600 × 10 × 1.25 points.
    let paid = p.pay(&bill, "PAY-600", "600.00").await;
    paid.assert_status(StatusCode::CREATED, "settled");
    assert_eq!(paid.body["state"], "settled", "{}", paid.text);
    let balances = p.balances_of(&member).await;
    assert_eq!(balances.len(), 1, "{balances:?}");
    assert_eq!(balances[0]["quantity"]["value"], json!(7500));
    let stored = p
        .app
        .get(&format!("{BASE}/loyaltyProgramMember/{member}"))
        .await
        .body;
    assert_eq!(stored["tier"]["name"], "silver", "{stored}");
    assert_eq!(
        stored["tier"]["paidInWindow"]["value"].to_string(),
        "600.00"
    );
    // 6,000 points are 60.00 EUR, over the 50.00 threshold: the credit waits for a
    // supervisor.
    let burned = p
        .send(
            &p.csr,
            Method::POST,
            "loyaltyBurn",
            Some(&p.burn(&member, &account, 6000)),
        )
        .await;
    burned.assert_status(StatusCode::CREATED, "burn");
    let credit = format!(
        "{ADJUSTMENTS}/{}",
        burned.body["credit"]["id"].as_str().expect("a credit")
    );
    assert_eq!(p.app.get(&credit).await.body["state"], "proposed");
    let approved = p
        .app
        .send_with(
            Method::PATCH,
            &credit,
            &[("Authorization", &p.supervisor)],
            Some(&json!({"state": "approved"})),
        )
        .await;
    approved.assert_status(StatusCode::OK, "approved");
    assert_eq!(approved.body["state"], "applied");
    // The CSR sees the balance and the tier in one request.
    let view = p
        .app
        .get(&format!("{}/{}/view", crm_tests::CUSTOMER, p.customer))
        .await
        .body;
    assert_eq!(view["loyalty"][0]["points"]["value"], json!(1500), "{view}");
    assert_eq!(view["loyalty"][0]["tier"]["name"], "silver", "{view}");
    // Each step is a business event, under the names TMF630 gives them.
    let events = p.app.event_types().await;
    for expected in [
        "LoyaltyProgramMemberCreateEvent",
        "LoyaltyAccountCreateEvent",
        "LoyaltyBalanceCreateEvent",
        "LoyaltyEarnEvent",
        "LoyaltyTierChangeEvent",
        "LoyaltyBurnEvent",
    ] {
        assert!(
            events.iter().any(|e| e == expected),
            "{expected} in {events:?}"
        );
    }
    // A year on, the payment has left the window: the tier falls, with no event of the member.
    p.app.clock.advance(chrono::Duration::days(366));
    let review = p
        .app
        .jobs
        .iter()
        .find(|job| job.name() == "loyaltyTierReview")
        .cloned()
        .expect("the tier review job");
    assert_eq!(
        review.run_once().await.expect("a pass"),
        std::slice::from_ref(&member)
    );
    let stored = p
        .app
        .get(&format!("{BASE}/loyaltyProgramMember/{member}"))
        .await
        .body;
    assert_eq!(stored["tier"]["name"], "bronze", "{stored}");
    assert!(review.run_once().await.expect("again").is_empty());
    let events = p.app.event_types().await;
    assert_eq!(
        events
            .iter()
            .filter(|e| *e == "LoyaltyTierChangeEvent")
            .count(),
        2,
        "{events:?}"
    );
}

#[tokio::test]
async fn the_same_event_delivered_twenty_times_at_once_earns_once() {
    let p = Programme::open().await;
    let member = p.member().await;
    p.rule(
        "PartnerPurchase",
        vec![],
        vec![
            json!({"action": "POST", "endpoint": "/loyaltyBalance", "actionType": "earn",
            "actionAttributes": {"points": "250"}}),
        ],
    )
    .await;
    let event = json!({"eventType": "PartnerPurchase", "eventId": "PAY-RETRIED", "memberId": member,
        "event": {"amount": {"unit": "EUR", "value": 25}}});
    let deliveries = (0..20).map(|_| {
        let app = &p.app;
        let auth = p.system.clone();
        let body = event.clone();
        async move {
            app.send_with(
                Method::POST,
                &format!("{BASE}/loyaltyEvent"),
                &[("Authorization", &auth)],
                Some(&body),
            )
            .await
        }
    });
    let results = futures_util::future::join_all(deliveries).await;
    let created = results
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    let replayed = results
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    let others: Vec<&str> = results
        .iter()
        .filter(|r| !matches!(r.status.as_u16(), 200 | 201))
        .map(|r| r.text.as_str())
        .collect();
    assert_eq!((created, replayed), (1, 19), "{others:?}");
    let ids: std::collections::BTreeSet<String> =
        results.iter().map(|r| r.body["id"].to_string()).collect();
    assert_eq!(ids.len(), 1, "every delivery answers with the one event");
    let balances = p.balances_of(&member).await;
    assert_eq!(balances.len(), 1, "{balances:?}");
    assert_eq!(balances[0]["quantity"]["value"], json!(250));
}

#[tokio::test]
async fn a_membership_anniversary_earns_once_however_many_instances_run() {
    use chrono::Duration;
    use crm_store::Clock;
    let p = Programme::open().await;
    // The member joined on 2026-01-01 (Programme::member).
    let member = p.member().await;
    p.rule(
        "TenureAnniversary",
        vec![json!({"attribute": "years", "operator": ">=", "value": "1"})],
        vec![
            json!({"action": "POST", "endpoint": "/loyaltyBalance", "actionType": "earn",
            "actionAttributes": {"points": "1000"}}),
        ],
    )
    .await;
    let job = |app: &TestApp| {
        app.jobs
            .iter()
            .find(|job| job.name() == "loyaltyTenure")
            .cloned()
            .expect("the tenure job")
    };
    assert!(job(&p.app).run_once().await.expect("a pass").is_empty());
    let anniversary: chrono::DateTime<chrono::Utc> =
        "2027-01-01T00:00:00Z".parse().expect("a time");
    let ahead = anniversary - p.app.clock.now() + Duration::hours(1);
    if ahead > Duration::zero() {
        p.app.clock.advance(ahead);
    }
    let other = p.app.another_instance().await;
    let behind = p.app.clock.now() - other.clock.now();
    if behind > Duration::zero() {
        other.clock.advance(behind);
    }
    let (here, there) = (job(&p.app), job(&other));
    let (a, b) = tokio::join!(here.run_once(), there.run_once());
    let mut celebrated = a.expect("a pass");
    celebrated.extend(b.expect("the other pass"));
    assert!(celebrated.contains(&member), "{celebrated:?}");
    assert!(here.run_once().await.expect("again").is_empty());
    let balances = p.balances_of(&member).await;
    assert_eq!(balances.len(), 1, "{balances:?}");
    assert_eq!(balances[0]["quantity"]["value"], json!(1000));
    let event = p
        .app
        .get(&format!(
            "{BASE}/loyaltyEvent/{}",
            balances[0]["loyaltyEvent"]["id"]
                .as_str()
                .expect("its event")
        ))
        .await
        .body;
    assert_eq!(event["eventType"], "TenureAnniversary");
    assert_eq!(event["event"]["years"], json!(1));
    // The tier the member stands in was computed with the anniversary: bronze, nothing paid.
    let stored = p
        .app
        .get(&format!("{BASE}/loyaltyProgramMember/{member}"))
        .await
        .body;
    assert_eq!(stored["tier"]["name"], "bronze", "{stored}");
    assert_eq!(stored["tier"]["tenureDays"], json!(365));
    // A client cannot set the tier.
    p.app
        .patch(
            &format!("{BASE}/loyaltyProgramMember/{member}"),
            MERGE,
            &json!({"tier": {"name": "platinum"}}),
        )
        .await
        .assert_tmf_error(422);
}

#[tokio::test]
async fn conditions_actions_and_event_types_are_replaced_whole_by_put() {
    let p = Programme::open().await;
    let condition = p
        .created(
            &p.supervisor,
            "loyaltyCondition",
            "LoyaltyCondition",
            json!({"attribute": "amount.value", "operator": ">=", "value": "10", "note": "old"}),
        )
        .await;
    let path = format!("loyaltyCondition/{}", condition["id"].as_str().expect("id"));
    let put = |body: Value| {
        let app = &p.app;
        let uri = format!("{BASE}/{path}");
        let auth = p.supervisor.clone();
        async move {
            app.send_with(Method::PUT, &uri, &[("Authorization", &auth)], Some(&body))
                .await
        }
    };
    let replaced = put(json!({"attribute": "amount.value", "operator": ">", "value": "20"})).await;
    replaced.assert_status(StatusCode::OK, "replaced");
    assert_conforms(
        TMF658,
        "LoyaltyCondition",
        &replaced.body,
        "replaced condition",
    );
    assert_eq!(replaced.body["operator"], ">");
    assert!(
        replaced.body.get("note").is_none(),
        "a replacement: {}",
        replaced.text
    );
    assert_eq!(replaced.body["id"], condition["id"]);
    assert!(replaced.header("etag").is_some());
    // The same rules as every write: what the CRM acts on must read; what it requires.
    put(json!({"attribute": "x", "operator": "roughly", "value": "1"}))
        .await
        .assert_tmf_error(422);
    put(json!({"operator": ">", "value": "1"}))
        .await
        .assert_tmf_error(400);
    put(json!({"id": "other", "attribute": "x", "operator": ">", "value": "1"}))
        .await
        .assert_tmf_error(422);
    // CSRs read the programme; they do not change it.
    p.app
        .send_with(
            Method::PUT,
            &format!("{BASE}/{path}"),
            &[("Authorization", &p.csr)],
            Some(&json!({"attribute": "x", "operator": ">", "value": "1"})),
        )
        .await
        .assert_tmf_error(403);
    assert_eq!(
        p.app.get(&format!("{BASE}/{path}")).await.body["value"],
        "20"
    );
    // Links, balances and events are not replaced.
    p.app
        .send_with(
            Method::PUT,
            &format!("{BASE}/loyaltyBalance/x"),
            &[("Authorization", &p.supervisor)],
            Some(&json!({})),
        )
        .await
        .assert_tmf_error(405);
    // The served contract says so.
    let openapi = p.app.get("/openapi.json").await.body;
    assert!(
        openapi
            .pointer("/paths/~1tmf-api~1loyalty~1v4~1loyaltyCondition~1{id}/put")
            .is_some()
    );
    assert!(
        openapi
            .pointer("/paths/~1tmf-api~1loyalty~1v4~1loyaltyBalance~1{id}/put")
            .is_none()
    );
}

#[tokio::test]
async fn points_are_safe_from_what_a_client_could_try() {
    const ADJUSTMENTS: &str = "/tmf-api/customerBillManagement/v4/billAdjustment";
    let p = Programme::open().await;
    let member = p.member().await;
    let account = p.billing_account().await;
    let pts = p.grant(&member, 10_000, 60).await;
    // A balance in another unit is not burned as points.
    p.created(
        &p.supervisor,
        "loyaltyBalance",
        "LoyaltyBalance",
        json!({"loyaltyProgramMember": {"id": member}, "quantity": {"unit": "MILES", "value": 5000}}),
    )
    .await;
    // What the product records itself cannot be reported (it counts for tiers).
    let message = p
        .send(
            &p.system,
            Method::POST,
            "loyaltyEvent",
            Some(
                &json!({"eventType": "BillPaid", "eventId": "FAKE-1", "memberId": member,
                "event": {"amount": {"unit": "EUR", "value": 1000000}}}),
            ),
        )
        .await
        .assert_tmf_error(422);
    assert!(message.contains("eventType"), "{message}");
    // Points go to the member's own customer's account only.
    let stranger = p.app.individual("Eve", "Stranger").await;
    let other_account = p
        .app
        .post(
            "/tmf-api/accountManagement/v4/billingAccount",
            &json!({"name": "Eve's bills", "relatedParty": [
                {"id": stranger, "role": "owner", "@referredType": "Individual"}]}),
        )
        .await
        .id();
    let message = p
        .send(
            &p.csr,
            Method::POST,
            "loyaltyBurn",
            Some(&p.burn(&member, &other_account, 100)),
        )
        .await
        .assert_tmf_error(422);
    assert!(message.contains("billingAccount"), "{message}");
    // 6,000 points (60.00 EUR) wait for a supervisor; rejected, the points come back.
    let burned = p
        .send(
            &p.csr,
            Method::POST,
            "loyaltyBurn",
            Some(&p.burn(&member, &account, 6000)),
        )
        .await;
    burned.assert_status(StatusCode::CREATED, "burn");
    let consumed = burned.body["consumed"].as_array().expect("consumed");
    assert_eq!(
        consumed.len(),
        1,
        "only the points balance: {}",
        burned.text
    );
    assert_eq!(consumed[0]["loyaltyBalance"]["id"], pts.as_str());
    let credit = burned.body["credit"]["id"]
        .as_str()
        .expect("credit")
        .to_owned();
    // A credit naming the burn, made by a client, is refused: only the server names it.
    let forged = p
        .app
        .send_with(
            Method::POST,
            ADJUSTMENTS,
            &[("Authorization", &p.csr)],
            Some(
                &json!({"type": "credit", "amount": {"unit": "EUR", "value": 0.01},
                "reasonCode": "goodwill", "billingAccount": {"id": account},
                "loyaltyBurn": {"id": burned.body["id"]}}),
            ),
        )
        .await;
    let message = forged.assert_tmf_error(422);
    assert!(message.contains("loyaltyBurn"), "{message}");
    let remaining = || {
        let app = &p.app;
        let uri = format!("{BASE}/loyaltyBalance/{pts}");
        async move { app.get(&uri).await.body["remaining"]["value"].clone() }
    };
    assert_eq!(remaining().await, json!(4000));
    p.app
        .send_with(
            Method::PATCH,
            &format!("{ADJUSTMENTS}/{credit}"),
            &[("Authorization", &p.supervisor)],
            Some(&json!({"state": "rejected"})),
        )
        .await
        .assert_status(StatusCode::OK, "rejected");
    assert_eq!(remaining().await, json!(10000), "the points came back");
    let burn = p
        .app
        .get(&format!(
            "{BASE}/loyaltyBurn/{}",
            burned.body["id"].as_str().expect("id")
        ))
        .await
        .body;
    assert_eq!(burn["state"], "reversed", "{burn}");
}

const BILLS: &str = "/tmf-api/customerBillManagement/v4/customerBill";

impl Programme {
    /// The billing system's bearer.
    fn biller(&self) -> String {
        format!(
            "Bearer {}",
            self.app.token("billing-run", &["billing-system"])
        )
    }

    /// A bill `number` on `account` of `excluded` plus 20 % tax (EUR, written as "100.00"),
    /// recorded by the billing system.
    async fn bill(
        &self,
        account: &str,
        number: &str,
        excluded: &str,
        tax: &str,
        due: &str,
    ) -> String {
        let amount = |value: &str| -> Value {
            serde_json::from_str(&format!(r#"{{"unit": "EUR", "value": {value}}}"#))
                .expect("an amount")
        };
        let bill = self
            .app
            .send_with(
                Method::POST,
                BILLS,
                &[("Authorization", &self.biller())],
                Some(&json!({"billNo": number, "billingAccount": {"id": account},
                    "billDate": "2026-11-30T00:00:00Z", "paymentDueDate": "2026-12-20T00:00:00Z",
                    "category": "normal", "runType": "onCycle",
                    "amountDue": amount(due), "taxExcludedAmount": amount(excluded),
                    "taxIncludedAmount": amount(due),
                    "taxItem": [{"taxCategory": "VAT", "taxRate": 0.20, "taxAmount": amount(tax)}],
                    "billingPeriod": {"startDateTime": "2026-11-01T00:00:00Z",
                                      "endDateTime": "2026-11-30T23:59:59Z"}})),
            )
            .await;
        bill.assert_status(StatusCode::CREATED, "bill");
        bill.id()
    }

    /// The billing system applies `payment` of `value` EUR to `bill`.
    async fn pay(&self, bill: &str, payment: &str, value: &str) -> TestResponse {
        let body: Value = serde_json::from_str(&format!(
            r#"{{"payment": {{"id": "{payment}"}}, "appliedAmount": {{"unit": "EUR", "value": {value}}}}}"#
        ))
        .expect("a payment");
        self.app
            .send_with(
                Method::POST,
                &format!("{BILLS}/{bill}/appliedPayment"),
                &[("Authorization", &self.biller())],
                Some(&body),
            )
            .await
    }
}
