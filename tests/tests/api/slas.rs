//! TMF623 SLAs (v2.0 brought to the v4 conventions): an SLA's lifecycle and its frozen terms,
//! the expiry job on a moved clock, the rules that refuse (naming what, storing nothing), and
//! measurements reported by an assurance system: a miss records one violation, once, with its
//! event, however often and from however many instances it is sent.

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use crm_store::Clock;
use crm_tests::schema::assert_conforms;
use crm_tests::{TestApp, TestResponse};
use serde_json::{Value, json};

const SLAS: &str = "/tmf-api/slaManagement/v4/sla";
const VIOLATIONS: &str = "/tmf-api/slaManagement/v4/slaViolation";
const MEASUREMENTS: &str = "/tmf-api/slaManagement/v4/slaMeasurement";
const MERGE: &str = "application/merge-patch+json";
const TMF623: &str = "TMF623-SLAManagement-v4-adapted.swagger.json";
const MEASUREMENT_SPEC: &str = "SlaMeasurement-extension.swagger.json";

/// A time as the API writes it.
fn text(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A business customer with a supervisor, a CSR and a monitoring system to act for it.
struct Contract {
    app: TestApp,
    party: String,
    supervisor: String,
    csr: String,
    monitor: String,
}

impl Contract {
    async fn open() -> Self {
        Self::open_with(TestApp::new().await).await
    }

    async fn open_with(app: TestApp) -> Self {
        let party = app.individual("Ada", "Lovelace").await;
        let bearer = |subject: &str, role: &str| format!("Bearer {}", app.token(subject, &[role]));
        Self {
            supervisor: bearer("sup-bob", "supervisor"),
            csr: bearer("csr-anna", "csr"),
            monitor: bearer("nms-1", "integration"),
            party,
            app,
        }
    }

    /// When the SLA's period ends: thirty days after the test clock's now.
    fn end(&self) -> DateTime<Utc> {
        self.start() + Duration::days(365)
    }

    /// When the SLA's period starts: 335 days before the test clock's now, at midnight.
    fn start(&self) -> DateTime<Utc> {
        let day = (self.app.clock.now() - Duration::days(335)).date_naive();
        day.and_hms_opt(0, 0, 0).expect("midnight").and_utc()
    }

    /// An SLA of the customer over a year ending in thirty days, with an availability rule
    /// (at least 99.5 %, tolerance 0.1).
    fn sla(&self) -> Value {
        json!({
            "name": "Business fibre SLA",
            "version": "1",
            "validFor": {"startDateTime": text(self.start()), "endDateTime": text(self.end())},
            "relatedParty": [
                {"id": self.party, "role": "SLAConsumer", "@referredType": "Individual"}
            ],
            "rule": [
                {"id": "availability", "metric": "availability", "unit": "%",
                 "referenceValue": "99.5", "operator": ".ge", "tolerance": "0.1",
                 "consequence": "service review at the next quarterly meeting"}
            ],
        })
    }

    async fn send(
        &self,
        auth: &str,
        method: Method,
        uri: &str,
        body: Option<&Value>,
    ) -> TestResponse {
        self.app
            .send_with(method, uri, &[("Authorization", auth)], body)
            .await
    }

    async fn create(&self, body: &Value) -> TestResponse {
        self.send(&self.supervisor, Method::POST, SLAS, Some(body))
            .await
    }

    async fn move_to(&self, id: &str, state: &str) -> TestResponse {
        self.app
            .patch(&format!("{SLAS}/{id}"), MERGE, &json!({"state": state}))
            .await
    }

    /// An active SLA's id.
    async fn active(&self) -> String {
        let created = self.create(&self.sla()).await;
        created.assert_status(StatusCode::CREATED, "sla");
        let id = created.id();
        for state in ["approved", "active"] {
            self.move_to(&id, state)
                .await
                .assert_status(StatusCode::OK, state);
        }
        id
    }

    /// The period of the `month`-th thirty days of the SLA's year.
    fn month(&self, month: i64) -> (DateTime<Utc>, DateTime<Utc>) {
        let from = self.start() + Duration::days(30 * month);
        (from, from + Duration::days(30))
    }

    fn measurement(&self, sla: &str, value: &str, month: i64) -> Value {
        let (from, to) = self.month(month);
        json!({
            "sla": {"id": sla},
            "metric": "availability",
            "value": value,
            "unit": "%",
            "period": {"startDateTime": text(from), "endDateTime": text(to)},
            "relatedEntity": [{"id": "FIBRE-42", "role": "measured", "@referredType": "Product"}],
        })
    }

    /// The customer's billing account (the one SLA credits are made to).
    async fn billing_account(&self) -> String {
        let created = self
            .app
            .post(
                BILLING_ACCOUNT,
                &json!({"name": "Ada's bills", "relatedParty": [
                    {"id": self.party, "role": "owner", "@referredType": "Individual"}]}),
            )
            .await;
        created.assert_status(StatusCode::CREATED, "billing account");
        created.id()
    }

    async fn report(&self, body: &Value) -> TestResponse {
        self.send(&self.monitor, Method::POST, MEASUREMENTS, Some(body))
            .await
    }
}

#[tokio::test]
async fn an_sla_moves_through_its_lifecycle_and_its_terms_freeze_once_approved() {
    let c = Contract::open().await;
    // CSRs read SLAs; supervisors define them.
    c.send(&c.csr, Method::POST, SLAS, Some(&c.sla()))
        .await
        .assert_tmf_error(403);
    let created = c.create(&c.sla()).await;
    created.assert_status(StatusCode::CREATED, "sla");
    assert_conforms(TMF623, "Sla", &created.body, "created sla");
    assert_eq!(created.body["state"], "inDesign");
    assert_eq!(created.body["approved"], false);
    assert_eq!(
        created.body["relatedParty"][0]["@referredType"],
        "Individual"
    );
    let id = created.id();
    let path = format!("{SLAS}/{id}");
    // A draft changes freely; a move the lifecycle does not allow is a 409 naming the way.
    c.app
        .patch(&path, MERGE, &json!({"version": "2"}))
        .await
        .assert_status(StatusCode::OK, "a draft changes");
    let skipped = c.move_to(&id, "active").await;
    let message = skipped.assert_tmf_error(409);
    assert!(message.contains("approved"), "{message}");
    let approved = c.move_to(&id, "approved").await;
    approved.assert_status(StatusCode::OK, "approved");
    assert_eq!(approved.body["approved"], true);
    assert!(
        approved.body["approvalDate"].is_string(),
        "{}",
        approved.text
    );
    assert_conforms(TMF623, "Sla", &approved.body, "approved sla");
    // The terms are what was approved; the description may still change.
    let changed = c.app.patch(&path, MERGE, &json!({"rule": []})).await;
    let message = changed.assert_tmf_error(409);
    assert!(message.contains("'rule'"), "{message}");
    c.app
        .patch(&path, MERGE, &json!({"description": "Signed on 3 March"}))
        .await
        .assert_status(StatusCode::OK, "the description changes");
    c.app
        .patch(&path, MERGE, &json!({"approved": false}))
        .await
        .assert_tmf_error(422);
    c.move_to(&id, "active")
        .await
        .assert_status(StatusCode::OK, "active");
    // A client expires it only once its period is over.
    let early = c.move_to(&id, "expired").await;
    let message = early.assert_tmf_error(422);
    assert!(message.contains("validFor"), "{message}");
    // Never deleted: a contract ends, it does not vanish.
    c.app.delete(&path).await.assert_tmf_error(405);
    // The CSR sees it in the customer's 360 view.
    let customer = c.app.customer("Ada Lovelace", &c.party, "active").await;
    let view = c
        .app
        .get(&format!("{}/{customer}/view", crm_tests::CUSTOMER))
        .await
        .body;
    assert_eq!(view["slas"][0]["id"], id.as_str(), "{view}");
    let events = c.app.event_types().await;
    for expected in [
        "SlaCreateEvent",
        "SlaStateChangeEvent",
        "SlaAttributeValueChangeEvent",
    ] {
        assert!(
            events.iter().any(|e| e == expected),
            "{expected} in {events:?}"
        );
    }
}

#[tokio::test]
async fn the_expiry_job_expires_an_active_sla_at_the_end_of_its_period_once() {
    let c = Contract::open().await;
    let id = c.active().await;
    let job = c
        .app
        .jobs
        .iter()
        .find(|job| job.name() == "slaExpiry")
        .cloned()
        .expect("the expiry job");
    // The period ends in thirty days.
    assert!(job.run_once().await.expect("a pass").is_empty());
    let end = c.end();
    c.app
        .clock
        .advance(end - c.app.clock.now() + Duration::seconds(1));
    let other = c.app.another_instance().await;
    let other_job = other
        .jobs
        .iter()
        .find(|job| job.name() == "slaExpiry")
        .cloned()
        .expect("the other instance's expiry job");
    let behind = end - other.clock.now() + Duration::seconds(1);
    if behind > Duration::zero() {
        other.clock.advance(behind);
    }
    let (a, b) = tokio::join!(job.run_once(), other_job.run_once());
    let mut expired = a.expect("a pass");
    expired.extend(b.expect("the other pass"));
    assert_eq!(
        expired,
        std::slice::from_ref(&id),
        "expired once, by one instance"
    );
    let stored = c.app.get(&format!("{SLAS}/{id}")).await;
    assert_eq!(stored.body["state"], "expired");
    assert!(job.run_once().await.expect("again").is_empty());
    // Final: nothing moves it any more.
    c.move_to(&id, "active").await.assert_tmf_error(409);
}

#[tokio::test]
async fn each_sla_rule_refuses_naming_what_and_stores_nothing() {
    let c = Contract::open().await;
    let base = c.sla();
    let with = |pointer: &str, value: Value| {
        let mut body = base.clone();
        *body.pointer_mut(pointer).expect("a place in the body") = value;
        body
    };
    let refusals: Vec<(Value, u16, &str)> = vec![
        (with("/relatedParty", json!([])), 422, "SLAConsumer"),
        (
            with(
                "/relatedParty",
                json!([
                    {"id": c.party, "role": "SLAConsumer", "@referredType": "Individual"},
                    {"id": c.party, "role": "slaconsumer", "@referredType": "Individual"}
                ]),
            ),
            422,
            "not 2",
        ),
        (
            with(
                "/relatedParty/0/id",
                json!("00000000-0000-0000-0000-000000000000"),
            ),
            422,
            "relatedParty",
        ),
        (
            with("/rule/0/referenceValue", json!("ninety-nine")),
            422,
            "referenceValue",
        ),
        (
            with("/rule/0/tolerance", json!("a little")),
            422,
            "tolerance",
        ),
        (with("/rule/0/operator", json!(">=")), 400, "operator"),
        (
            with(
                "/rule",
                json!([
                    {"id": "a", "metric": "availability", "referenceValue": "99", "operator": ".ge"},
                    {"id": "a", "metric": "availability", "referenceValue": "98", "operator": ".ge"}
                ]),
            ),
            422,
            "'a'",
        ),
        (with("/name", json!(null)), 400, "name"),
    ];
    for (body, status, named) in refusals {
        let response = c.create(&body).await;
        let message = response.assert_tmf_error(status);
        assert!(message.contains(named), "{named} in {message}");
    }
    let mut active = base.clone();
    active["state"] = json!("active");
    c.create(&active).await.assert_tmf_error(422);
    let mut approved = base.clone();
    approved["approved"] = json!(true);
    c.create(&approved).await.assert_tmf_error(422);
    assert_eq!(c.app.total(SLAS).await, 0, "nothing stored");
    // An SLA without rules is a draft that cannot be approved.
    let mut empty = base.clone();
    empty["rule"] = json!([]);
    let draft = c.create(&empty).await;
    draft.assert_status(StatusCode::CREATED, "a draft without rules");
    let message = c
        .move_to(&draft.id(), "approved")
        .await
        .assert_tmf_error(409);
    assert!(message.contains("without rules"), "{message}");
    // Abandoned drafts are terminated, not deleted.
    c.move_to(&draft.id(), "terminated")
        .await
        .assert_status(StatusCode::OK, "terminated");
}

#[tokio::test]
async fn a_measurement_below_target_records_one_violation_with_its_event_and_retries_change_nothing()
 {
    let c = Contract::open().await;
    let sla = c.active().await;
    // Below 99.5 by more than the 0.1 tolerance: missed.
    let body = c.measurement(&sla, "99.2", 9);
    let reported = c.report(&body).await;
    reported.assert_status(StatusCode::CREATED, "measurement");
    assert_conforms(
        MEASUREMENT_SPEC,
        "SlaMeasurement",
        &reported.body,
        "measurement",
    );
    assert_eq!(
        reported.body["result"][0]["met"], false,
        "{}",
        reported.text
    );
    let violation_id = reported.body["result"][0]["violation"]["id"]
        .as_str()
        .expect("the violation recorded")
        .to_owned();
    let violation = c.app.get(&format!("{VIOLATIONS}/{violation_id}")).await;
    violation.assert_status(StatusCode::OK, "violation");
    assert_conforms(TMF623, "SlaViolation", &violation.body, "violation");
    assert_eq!(violation.body["sla"]["id"], sla.as_str());
    assert_eq!(violation.body["rule"]["id"], "availability");
    assert_eq!(violation.body["violation"]["actualValue"], "99.2");
    assert_eq!(violation.body["violation"]["referenceValue"], "99.5");
    assert_eq!(violation.body["violation"]["operator"], ".ge");
    assert_eq!(violation.body["date"], text(c.month(9).1));
    assert_eq!(violation.body["relatedParty"][0]["id"], c.party.as_str());
    assert_eq!(
        violation.body["relatedEntity"][0]["id"],
        reported.id().as_str()
    );
    let events = c.app.event_types().await;
    assert_eq!(
        events
            .iter()
            .filter(|e| *e == "SLAViolationCreateEvent")
            .count(),
        1,
        "{events:?}"
    );
    // The same measurement again is the stored one; another value for the period a 409.
    let retry = c.report(&body).await;
    retry.assert_status(StatusCode::OK, "a retry");
    assert_eq!(retry.id(), reported.id());
    let mut other = body.clone();
    other["value"] = json!("97");
    c.report(&other).await.assert_tmf_error(409);
    // The same month re-sent with another end overlaps it: a period is measured once.
    let mut overlapping = body.clone();
    overlapping["period"]["endDateTime"] = json!(text(c.month(9).1 - Duration::seconds(1)));
    let message = c.report(&overlapping).await.assert_tmf_error(409);
    assert!(message.contains("overlaps"), "{message}");
    assert_eq!(c.app.total(VIOLATIONS).await, 1);
    // Within the tolerance: met, nothing recorded.
    let met = c.report(&c.measurement(&sla, "99.45", 8)).await;
    met.assert_status(StatusCode::CREATED, "met");
    assert_eq!(met.body["result"][0]["met"], true);
    assert!(met.body["result"][0].get("violation").is_none());
    assert_eq!(c.app.total(VIOLATIONS).await, 1);
    // Clients never write violations.
    c.app
        .post(VIOLATIONS, &violation.body)
        .await
        .assert_tmf_error(405);
    c.app
        .patch(
            &format!("{VIOLATIONS}/{violation_id}"),
            MERGE,
            &json!({"date": "2026-01-01T00:00:00Z"}),
        )
        .await
        .assert_tmf_error(405);
    c.app
        .delete(&format!("{VIOLATIONS}/{violation_id}"))
        .await
        .assert_tmf_error(405);
    let document = c.app.get("/openapi.json").await.body;
    assert!(document["paths"][VIOLATIONS].get("post").is_none());
    assert!(document["paths"][MEASUREMENTS].get("post").is_some());
}

#[tokio::test]
async fn measurements_are_judged_only_by_an_active_sla_with_a_rule_for_them() {
    let c = Contract::open().await;
    let draft = c.create(&c.sla()).await.id();
    let sla = c.active().await;
    let refusals: Vec<(Value, &str, &str)> = vec![
        (c.measurement(&draft, "90", 9), "inDesign", "a draft"),
        (
            c.measurement("00000000-0000-0000-0000-000000000000", "90", 9),
            "does not exist",
            "an unknown SLA",
        ),
        (
            {
                let mut body = c.measurement(&sla, "90", 9);
                body["metric"] = json!("latency");
                body
            },
            "availability",
            "an unknown metric",
        ),
        (c.measurement(&sla, "a lot", 9), "'value'", "not a number"),
        (
            {
                let mut body = c.measurement(&sla, "90", 0);
                body["period"]["startDateTime"] = json!(text(c.start() - Duration::days(1)));
                body
            },
            "validFor",
            "before the SLA",
        ),
        (
            {
                let mut body = c.measurement(&sla, "90", 9);
                body["period"] = json!({"startDateTime": text(c.month(9).0)});
                body
            },
            "both",
            "an open period",
        ),
        (
            {
                let mut body = c.measurement(&sla, "90", 9);
                body["result"] = json!([]);
                body
            },
            "result",
            "a result sent by the client",
        ),
    ];
    for (body, named, what) in refusals {
        let message = c.report(&body).await.assert_tmf_error(422);
        assert!(message.contains(named), "{what}: {named} in {message}");
    }
    // Only monitoring systems report.
    c.send(
        &c.csr,
        Method::POST,
        MEASUREMENTS,
        Some(&c.measurement(&sla, "90", 9)),
    )
    .await
    .assert_tmf_error(403);
    assert_eq!(c.app.total(MEASUREMENTS).await, 0, "nothing stored");
    assert_eq!(c.app.total(VIOLATIONS).await, 0);
}

#[tokio::test]
async fn the_same_miss_reported_by_two_instances_at_once_is_one_violation() {
    let c = Contract::open().await;
    let sla = c.active().await;
    let other = c.app.another_instance().await;
    let body = c.measurement(&sla, "95", 9);
    let auth = [("Authorization", c.monitor.as_str())];
    let (a, b) = tokio::join!(
        c.app
            .send_with(Method::POST, MEASUREMENTS, &auth, Some(&body)),
        other.send_with(Method::POST, MEASUREMENTS, &auth, Some(&body)),
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 201], "{} {}", a.text, b.text);
    assert_eq!(a.id(), b.id());
    assert_eq!(c.app.total(MEASUREMENTS).await, 1);
    assert_eq!(c.app.total(VIOLATIONS).await, 1);
}

const ADJUSTMENTS: &str = "/tmf-api/customerBillManagement/v4/billAdjustment";
const BILLING_ACCOUNT: &str = "/tmf-api/accountManagement/v4/billingAccount";
const PRODUCTS: &str = "/tmf-api/productInventory/v4/product";

/// A JSON number from its exact text.
fn number(text: &str) -> Value {
    serde_json::from_str(text).expect("a number")
}

#[tokio::test]
async fn a_breach_proposes_the_credit_its_rule_names_through_billing_once() {
    let c = Contract::open().await;
    let account = c.billing_account().await;
    let product = c
        .app
        .post(
            PRODUCTS,
            &json!({"name": "Fibre 500", "status": "active",
                "productPrice": [{"name": "Monthly fee", "priceType": "recurring",
                    "recurringChargePeriod": "month",
                    "price": {"taxIncludedAmount": {"unit": "EUR", "value": number("40.00")}}}]}),
        )
        .await;
    product.assert_status(StatusCode::CREATED, "product");
    let mut body = c.sla();
    body["rule"] = json!([
        {"id": "availability", "metric": "availability", "unit": "%", "referenceValue": "99.5",
         "operator": ".ge", "consequence": "credit 60.00 EUR"},
        {"id": "latency", "metric": "latency", "unit": "ms", "referenceValue": "20",
         "operator": ".le", "consequence": "credit 5% of recurring"}
    ]);
    // A credit needs the account it is made to; a consequence that begins like a
    // compensation reads as one.
    let message = c.create(&body).await.assert_tmf_error(422);
    assert!(message.contains("billingAccount"), "{message}");
    body["billingAccount"] = json!({"id": account});
    let mut garbled = body.clone();
    garbled["rule"][0]["consequence"] = json!("credit a lot");
    let message = c.create(&garbled).await.assert_tmf_error(422);
    assert!(message.contains("consequence"), "{message}");
    let created = c.create(&body).await;
    created.assert_status(StatusCode::CREATED, "sla with credits");
    assert_eq!(
        created.body["billingAccount"]["@referredType"],
        "BillingAccount"
    );
    let sla = created.id();
    for state in ["approved", "active"] {
        c.move_to(&sla, state)
            .await
            .assert_status(StatusCode::OK, state);
    }

    // Availability missed: 60.00 EUR, above the automatic threshold, waits for a supervisor.
    let missed = c.measurement(&sla, "98", 9);
    let reported = c.report(&missed).await;
    reported.assert_status(StatusCode::CREATED, "missed");
    let violation_id = reported.body["result"][0]["violation"]["id"]
        .as_str()
        .expect("a violation")
        .to_owned();
    let violation = c
        .app
        .get(&format!("{VIOLATIONS}/{violation_id}"))
        .await
        .body;
    assert_eq!(
        violation["compensation"]["@referredType"], "BillAdjustment",
        "{violation}"
    );
    let credit_id = violation["compensation"]["id"]
        .as_str()
        .expect("a credit")
        .to_owned();
    let credit = c.app.get(&format!("{ADJUSTMENTS}/{credit_id}")).await.body;
    assert_eq!(credit["type"], "credit");
    assert_eq!(credit["state"], "proposed", "{credit}");
    assert_eq!(credit["amount"]["value"].to_string(), "60.00");
    assert_eq!(credit["amount"]["unit"], "EUR");
    assert_eq!(credit["billingAccount"]["id"], account.as_str());
    assert_eq!(credit["reasonCode"], "serviceCredit");
    assert_eq!(credit["slaViolation"]["id"], violation_id.as_str());
    assert_eq!(credit["relatedParty"][0]["id"], "system:sla-compensation");
    // A retry proposes nothing more.
    c.report(&missed)
        .await
        .assert_status(StatusCode::OK, "the same measurement");
    assert_eq!(c.app.total(ADJUSTMENTS).await, 1);
    // A supervisor approves it like any other credit: it is applied.
    let approved = c
        .send(
            &c.supervisor,
            Method::PATCH,
            &format!("{ADJUSTMENTS}/{credit_id}"),
            Some(&json!({"state": "approved"})),
        )
        .await;
    approved.assert_status(StatusCode::OK, "approved");
    assert_eq!(approved.body["state"], "applied", "{}", approved.text);

    // Latency missed: 5 % of the product's 40.00 EUR recurring price, 2.00 EUR, under the
    // threshold: applied at once.
    let mut slow = c.measurement(&sla, "35", 9);
    slow["metric"] = json!("latency");
    slow["unit"] = json!("ms");
    slow["relatedEntity"] =
        json!([{"id": product.id(), "role": "measured", "@referredType": "Product"}]);
    let reported = c.report(&slow).await;
    reported.assert_status(StatusCode::CREATED, "slow");
    let violation_id = reported.body["result"][0]["violation"]["id"]
        .as_str()
        .expect("a violation");
    let violation = c
        .app
        .get(&format!("{VIOLATIONS}/{violation_id}"))
        .await
        .body;
    let credit_id = violation["compensation"]["id"].as_str().expect("a credit");
    let credit = c.app.get(&format!("{ADJUSTMENTS}/{credit_id}")).await.body;
    assert_eq!(credit["amount"]["value"].to_string(), "2.00", "{credit}");
    assert_eq!(credit["state"], "applied");
    assert_eq!(credit["approvalMode"], "automatic");
    // Without a product to take the price from, the violation says why nothing was proposed.
    let mut unpriced = c.measurement(&sla, "40", 8);
    unpriced["metric"] = json!("latency");
    unpriced["relatedEntity"] = json!([]);
    let reported = c.report(&unpriced).await;
    let violation_id = reported.body["result"][0]["violation"]["id"]
        .as_str()
        .expect("a violation");
    let violation = c
        .app
        .get(&format!("{VIOLATIONS}/{violation_id}"))
        .await
        .body;
    assert!(violation.get("compensation").is_none());
    let comment = violation["violation"]["comment"]
        .as_str()
        .unwrap_or_default();
    assert!(comment.contains("no compensation proposed"), "{comment}");
    assert_eq!(c.app.total(ADJUSTMENTS).await, 2);
}

#[tokio::test]
async fn a_csr_reads_an_sla_s_compliance_in_one_request_and_its_standing_in_the_360_view() {
    let c = Contract::open().await;
    let sla = c.active().await;
    for (value, month) in [("99.2", 9), ("99.45", 8), ("99.9", 7)] {
        c.report(&c.measurement(&sla, value, month))
            .await
            .assert_status(StatusCode::CREATED, "measured");
    }
    let report = c
        .send(
            &c.csr,
            Method::GET,
            &format!("{SLAS}/{sla}/report?period=month"),
            None,
        )
        .await;
    report.assert_status(StatusCode::OK, "report");
    let body = &report.body;
    assert_eq!(body["sla"]["id"], sla.as_str());
    assert_eq!(body["period"], "month");
    assert_eq!(body["total"]["judged"], 3, "{body}");
    assert_eq!(body["total"]["met"], 2);
    assert_eq!(body["total"]["breached"], 1);
    assert_eq!(body["total"]["compliance"], "66.67");
    assert_eq!(body["total"]["standing"], "breached");
    assert_eq!(body["total"]["rule"][0]["rule"]["metric"], "availability");
    let periods = body["periods"].as_array().expect("periods");
    let judged: u64 = periods
        .iter()
        .map(|p| p["judged"].as_u64().unwrap_or_default())
        .sum();
    assert_eq!(judged, 3);
    assert!(periods.iter().any(|p| p["standing"] == "breached"));
    assert!(periods.iter().any(|p| p["standing"] == "met"));
    for period in periods {
        let start: DateTime<Utc> = period["validFor"]["startDateTime"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .expect("a start");
        assert_eq!(start.format("%d %H:%M:%S").to_string(), "01 00:00:00");
    }
    assert_eq!(
        body["summary"],
        "2 of 3 judgements met (66.67 %), 1 breached"
    );
    let years = c.app.get(&format!("{SLAS}/{sla}/report?period=year")).await;
    assert_eq!(years.body["total"]["judged"], 3);
    assert!(
        years.body["periods"]
            .as_array()
            .is_some_and(|p| p.len() <= 2)
    );
    c.app
        .get(&format!("{SLAS}/{sla}/report?period=week"))
        .await
        .assert_tmf_error(400);
    c.app
        .get(&format!("{SLAS}/{sla}/report?from=2026-01-01"))
        .await
        .assert_tmf_error(400);
    c.app
        .get(&format!(
            "{SLAS}/00000000-0000-0000-0000-000000000000/report"
        ))
        .await
        .assert_tmf_error(404);
    let document = c.app.get("/openapi.json").await.body;
    assert!(document["paths"][format!("{SLAS}/{{id}}/report")]["get"].is_object());
    // The CSR's picture: the SLA and its one-line standing.
    let customer = c.app.customer("Ada Lovelace", &c.party, "active").await;
    let view = c
        .app
        .get(&format!("{}/{customer}/view", crm_tests::CUSTOMER))
        .await
        .body;
    let slas = &view["slas"];
    assert_eq!(slas[0]["id"], sla.as_str(), "{view}");
    assert_eq!(slas[0]["state"], "active");
    assert_eq!(slas[0]["standing"], "breached");
    assert_eq!(
        slas[0]["summary"],
        "2 of 3 judgements met (66.67 %), 1 breached"
    );
}

const TICKETS: &str = "/tmf-api/troubleTicket/v4/troubleTicket";

impl Contract {
    /// An active SLA with ticket targets: Critical tickets resolved within 4 h, first
    /// answered within 30 min (credit 60.00 EUR when resolution is missed).
    async fn ticket_sla(&self, account: Option<&str>) -> String {
        let mut body = self.sla();
        body["rule"] = json!([
            {"id": "critical-resolution", "metric": "ticketResolutionTime", "unit": "h",
             "referenceValue": "4", "operator": ".le", "severity": "Critical",
             "consequence": if account.is_some() { "credit 60.00 EUR" } else { "a review" }},
            {"id": "first-response", "metric": "ticketFirstResponseTime", "unit": "min",
             "referenceValue": "30", "operator": ".le"}
        ]);
        if let Some(account) = account {
            body["billingAccount"] = json!({"id": account});
        }
        let created = self.create(&body).await;
        created.assert_status(StatusCode::CREATED, "ticket sla");
        let id = created.id();
        for state in ["approved", "active"] {
            self.move_to(&id, state)
                .await
                .assert_status(StatusCode::OK, state);
        }
        id
    }

    async fn ticket(&self, severity: &str) -> String {
        let created = self
            .send(
                &self.csr,
                Method::POST,
                TICKETS,
                Some(&json!({
                    "description": "No sync on the fibre line",
                    "severity": severity,
                    "ticketType": "incident",
                    "relatedParty": [{"id": self.party, "role": "customer", "@referredType": "Individual"}],
                })),
            )
            .await;
        created.assert_status(StatusCode::CREATED, "ticket");
        created.id()
    }

    async fn ticket_to(&self, id: &str, status: &str) -> TestResponse {
        let moved = self
            .send(
                &self.csr,
                Method::PATCH,
                &format!("{TICKETS}/{id}"),
                Some(&json!({"status": status})),
            )
            .await;
        moved.assert_status(StatusCode::OK, status);
        moved
    }

    async fn violations_about(&self, ticket: &str) -> Vec<Value> {
        let all = self.app.get(&format!("{VIOLATIONS}?limit=100")).await.body;
        all.as_array()
            .into_iter()
            .flatten()
            .filter(|v| v["relatedEntity"][0]["id"] == ticket)
            .cloned()
            .collect()
    }
}

#[tokio::test]
async fn a_ticket_resolved_late_records_one_violation_and_its_credit_time_pending_not_counted() {
    let c = Contract::open().await;
    let account = c.billing_account().await;
    c.ticket_sla(Some(&account)).await;
    let hour = Duration::hours(1);

    // 1 h in progress, 5 h pending (not counted), 2 h in progress: 3 h, within 4 h.
    let on_time = c.ticket("Critical").await;
    c.app.clock.advance(Duration::minutes(20));
    c.ticket_to(&on_time, "inProgress").await;
    c.app.clock.advance(hour - Duration::minutes(20));
    c.ticket_to(&on_time, "pending").await;
    c.app.clock.advance(hour * 5);
    c.ticket_to(&on_time, "inProgress").await;
    c.app.clock.advance(hour * 2);
    c.ticket_to(&on_time, "resolved").await;
    assert!(c.violations_about(&on_time).await.is_empty(), "met");

    // 5 h in the provider's hands: missed, once, whatever follows; first answered after 45 min.
    let late = c.ticket("Critical").await;
    c.app.clock.advance(Duration::minutes(45));
    c.ticket_to(&late, "inProgress").await;
    c.app.clock.advance(hour * 4 + Duration::minutes(15));
    c.ticket_to(&late, "resolved").await;
    c.ticket_to(&late, "closed").await;
    let violations = c.violations_about(&late).await;
    assert_eq!(violations.len(), 2, "{violations:?}");
    let resolution = violations
        .iter()
        .find(|v| v["rule"]["id"] == "critical-resolution")
        .expect("the resolution target missed");
    assert_conforms(TMF623, "SlaViolation", resolution, "ticket violation");
    assert_eq!(resolution["violation"]["actualValue"], "5.00");
    assert_eq!(resolution["violation"]["unit"], "h");
    assert_eq!(
        resolution["relatedEntity"][0]["@referredType"],
        "TroubleTicket"
    );
    let credit_id = resolution["compensation"]["id"].as_str().expect("a credit");
    let credit = c.app.get(&format!("{ADJUSTMENTS}/{credit_id}")).await.body;
    assert_eq!(credit["state"], "proposed");
    assert_eq!(credit["amount"]["value"].to_string(), "60.00");
    let response = violations
        .iter()
        .find(|v| v["rule"]["id"] == "first-response")
        .expect("the first response missed");
    assert_eq!(response["violation"]["actualValue"], "45.00");
    assert_eq!(response["violation"]["unit"], "min");
    assert_eq!(c.app.total(ADJUSTMENTS).await, 1);

    // The breaches are in the customer's timeline.
    let customer = c.app.customer("Ada Lovelace", &c.party, "active").await;
    let timeline = c
        .app
        .get(&format!(
            "{}/{customer}/timeline?limit=100",
            crm_tests::CUSTOMER
        ))
        .await
        .body;
    let breaches = timeline
        .as_array()
        .into_iter()
        .flatten()
        .filter(|entry| entry["kind"] == "slaViolation")
        .count();
    assert_eq!(breaches, 2, "{timeline}");

    // A note the ticket is created with is the customer's report, not a first response.
    let reported = c
        .send(
            &c.csr,
            Method::POST,
            TICKETS,
            Some(&json!({
                "description": "No dial tone", "severity": "Minor", "ticketType": "incident",
                "note": [{"text": "Customer reports no dial tone since this morning"}],
                "relatedParty": [{"id": c.party, "role": "customer", "@referredType": "Individual"}],
            })),
        )
        .await;
    reported.assert_status(StatusCode::CREATED, "ticket with a note");
    c.app.clock.advance(hour);
    c.ticket_to(&reported.id(), "inProgress").await;
    let late_answer = c.violations_about(&reported.id()).await;
    assert_eq!(late_answer.len(), 1, "{late_answer:?}");
    assert_eq!(late_answer[0]["violation"]["actualValue"], "60.00");

    // A Minor ticket is not covered by the Critical resolution target.
    let minor = c.ticket("Minor").await;
    c.ticket_to(&minor, "inProgress").await;
    c.app.clock.advance(hour * 9);
    c.ticket_to(&minor, "resolved").await;
    assert!(c.violations_about(&minor).await.is_empty());
}

#[tokio::test]
async fn an_sla_not_active_or_out_of_its_period_covers_no_ticket() {
    let c = Contract::open().await;
    // A draft covers nothing.
    let mut body = c.sla();
    body["rule"] = json!([{"id": "r", "metric": "ticketResolutionTime", "unit": "h",
        "referenceValue": "1", "operator": ".le"}]);
    c.create(&body)
        .await
        .assert_status(StatusCode::CREATED, "draft");
    let ticket = c.ticket("Major").await;
    let uncovered = c.ticket_to(&ticket, "inProgress").await;
    assert!(
        uncovered.body.get("slaStanding").is_none(),
        "{}",
        uncovered.text
    );
    c.app.clock.advance(Duration::hours(3));
    c.ticket_to(&ticket, "resolved").await;
    assert!(c.violations_about(&ticket).await.is_empty(), "a draft");
    // An active SLA whose period has ended covers nothing either.
    let sla = c.ticket_sla(None).await;
    let end = c.end();
    c.app
        .clock
        .advance(end - c.app.clock.now() + Duration::hours(1));
    let late = c.ticket("Critical").await;
    let uncovered = c.ticket_to(&late, "inProgress").await;
    assert!(
        uncovered.body.get("slaStanding").is_none(),
        "{}",
        uncovered.text
    );
    c.app.clock.advance(Duration::hours(9));
    assert!(evaluate(&c.app).await.is_empty());
    c.ticket_to(&late, "resolved").await;
    assert!(
        c.violations_about(&late).await.is_empty(),
        "out of its period"
    );
    let stored = c.app.get(&format!("{SLAS}/{sla}")).await;
    assert_eq!(stored.body["state"], "active");
    // Ticket targets compare durations.
    let mut wrong = c.sla();
    wrong["rule"] = json!([{"id": "r", "metric": "ticketResolutionTime", "unit": "parsecs",
        "referenceValue": "1", "operator": ".le"}]);
    let message = c.create(&wrong).await.assert_tmf_error(422);
    assert!(message.contains("unit"), "{message}");
    wrong["rule"][0]["unit"] = json!("h");
    wrong["rule"][0]["operator"] = json!(".ge");
    let message = c.create(&wrong).await.assert_tmf_error(422);
    assert!(message.contains("operator"), "{message}");
}

#[tokio::test]
async fn an_order_completed_after_its_target_records_one_violation() {
    let c = Contract::open().await;
    const CATALOG: &str = "/tmf-api/productCatalogManagement/v4";
    const ORDERS: &str = "/tmf-api/productOrderingManagement/v4/productOrder";
    let customer = c.app.customer("Ada Lovelace", &c.party, "active").await;
    let price = c
        .app
        .post(
            &format!("{CATALOG}/productOfferingPrice"),
            &json!({"name": "Fibre monthly", "priceType": "recurring",
                "recurringChargePeriodType": "month", "lifecycleStatus": "Launched",
                "price": {"unit": "EUR", "value": number("29.99")}}),
        )
        .await
        .id();
    let offering = c
        .app
        .post(
            &format!("{CATALOG}/productOffering"),
            &json!({"name": "Fibre 500", "lifecycleStatus": "Launched", "isSellable": true,
                "productOfferingPrice": [{"id": price}]}),
        )
        .await;
    offering.assert_status(StatusCode::CREATED, "offering");
    let mut body = c.sla();
    body["rule"] = json!([{"id": "install", "metric": "orderCompletionTime", "unit": "d",
        "referenceValue": "2", "operator": ".le"}]);
    let sla = c.create(&body).await.id();
    for state in ["approved", "active"] {
        c.move_to(&sla, state)
            .await
            .assert_status(StatusCode::OK, state);
    }
    let order = |_: ()| {
        json!({"productOrderItem": [{"id": "1", "action": "add", "quantity": 1,
                "productOffering": {"id": offering.id(), "name": "Fibre 500"}}],
            "relatedParty": [{"id": customer, "role": "customer", "@referredType": "Customer"}]})
    };
    let complete = |id: String| {
        let app = &c.app;
        async move {
            for state in ["inProgress", "completed"] {
                app.patch(&format!("{ORDERS}/{id}"), MERGE, &json!({"state": state}))
                    .await
                    .assert_status(StatusCode::OK, state);
            }
        }
    };
    let late = c.app.post(ORDERS, &order(())).await;
    late.assert_status(StatusCode::CREATED, "late order");
    c.app.clock.advance(Duration::days(3));
    complete(late.id()).await;
    let on_time = c.app.post(ORDERS, &order(())).await;
    on_time.assert_status(StatusCode::CREATED, "order on time");
    c.app.clock.advance(Duration::hours(20));
    complete(on_time.id()).await;
    let violations = c.violations_about(&late.id()).await;
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0]["rule"]["id"], "install");
    assert_eq!(violations[0]["violation"]["actualValue"], "3.00");
    assert_eq!(
        violations[0]["relatedEntity"][0]["@referredType"],
        "ProductOrder"
    );
    assert!(c.violations_about(&on_time.id()).await.is_empty());
    assert_eq!(c.app.total(VIOLATIONS).await, 1);
}

#[tokio::test]
async fn with_business_hours_only_working_time_counts() {
    use chrono::{Datelike, Timelike};
    let c = Contract::open().await;
    let mut body = c.sla();
    body["businessHours"] = json!({"timeZone": "UTC", "workingDays": ["mon", "tue", "wed", "thu", "fri"],
        "startTime": "08:00", "endTime": "18:00"});
    body["rule"] = json!([{"id": "resolution", "metric": "ticketResolutionTime", "unit": "h",
        "referenceValue": "4", "operator": ".le"}]);
    let mut wrong = body.clone();
    wrong["businessHours"]["timeZone"] = json!("Mars/Olympus");
    let message = c.create(&wrong).await.assert_tmf_error(422);
    assert!(message.contains("businessHours.timeZone"), "{message}");
    let sla = c.create(&body).await.id();
    for state in ["approved", "active"] {
        c.move_to(&sla, state)
            .await
            .assert_status(StatusCode::OK, state);
    }
    // To the next Friday, 16:00 UTC.
    let now = c.app.clock.now();
    let days = (i64::from(chrono::Weekday::Fri.num_days_from_monday())
        - i64::from(now.weekday().num_days_from_monday()))
    .rem_euclid(7)
        + 7;
    let midnight = now
        - Duration::seconds(i64::from(now.num_seconds_from_midnight()))
        - Duration::nanoseconds(i64::from(now.nanosecond()));
    c.app
        .clock
        .advance(midnight + Duration::days(days) + Duration::hours(16) - now);
    // Friday 16:00 to Monday 09:00: 2 h + 1 h of working time, within the 4 h.
    let friday = c.app.clock.now();
    let weekend = c.ticket("Major").await;
    let moved = c.ticket_to(&weekend, "inProgress").await;
    // Due Monday 10:00 (two hours on Friday, two on Monday), at risk at 80 %: Monday 09:12.
    let resolution = target(&moved.body, "resolution");
    let due = at(&resolution["dueDate"]) - (friday + Duration::hours(66));
    assert!(due.num_seconds().abs() <= 1, "{resolution}");
    let risk = at(&resolution["atRiskDate"]) - (friday + Duration::minutes(65 * 60 + 12));
    assert!(risk.num_seconds().abs() <= 1, "{resolution}");
    // The weekend passes: nothing is due, the evaluator leaves it on track.
    let evaluator = job(&c.app, "slaEvaluation");
    c.app.clock.advance(Duration::hours(64));
    assert!(
        evaluator.run_once().await.expect("a pass").is_empty(),
        "out of hours"
    );
    c.app.clock.advance(Duration::hours(1));
    c.ticket_to(&weekend, "resolved").await;
    assert!(c.violations_about(&weekend).await.is_empty(), "3 h of work");
    // Monday 09:00 to 15:00: six working hours.
    let monday = c.ticket("Major").await;
    c.ticket_to(&monday, "inProgress").await;
    c.app.clock.advance(Duration::hours(6));
    // The evaluator finds it breached while open; its resolution records nothing more.
    assert_eq!(
        evaluator.run_once().await.expect("a pass"),
        std::slice::from_ref(&monday)
    );
    c.ticket_to(&monday, "resolved").await;
    let violations = c.violations_about(&monday).await;
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0]["violation"]["actualValue"], "6.00");
}

/// The job `name` of `app`.
fn job(app: &TestApp, name: &str) -> std::sync::Arc<dyn crm_module::Job> {
    app.jobs
        .iter()
        .find(|job| job.name() == name)
        .cloned()
        .unwrap_or_else(|| panic!("the job {name}"))
}

/// One pass of `app`'s SLA evaluator: the resources whose standing changed.
async fn evaluate(app: &TestApp) -> Vec<String> {
    job(app, "slaEvaluation").run_once().await.expect("a pass")
}

/// Moves the clocks of `apps` to `at` (each instance has its own shifted clock).
fn set_clocks(apps: &[&TestApp], at: DateTime<Utc>) {
    for app in apps {
        let behind = at - app.clock.now();
        if behind > Duration::zero() {
            app.clock.advance(behind);
        }
    }
}

/// The target of `rule` among a ticket's or order's `slaTarget`.
fn target<'a>(resource: &'a Value, rule: &str) -> &'a Value {
    resource["slaTarget"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["rule"] == rule)
        .unwrap_or_else(|| panic!("a target of rule {rule} in {resource}"))
}

fn at(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("a date-time, not {value}"))
}

#[tokio::test]
async fn a_ticket_s_standing_moves_on_track_at_risk_breached_with_its_events_and_breaches_once() {
    // Escalation by time comes late here: the SLA's standing is what escalates.
    let app = TestApp::with_settings(|settings| {
        settings.sections.insert(
            "tickets".into(),
            json!({"escalation_minutes": {"Critical": [1000, 2000]}}),
        );
    })
    .await;
    let c = Contract::open_with(app).await;
    let account = c.billing_account().await;
    let sla = c.ticket_sla(Some(&account)).await;
    let evaluator = job(&c.app, "slaEvaluation");
    let other = c.app.another_instance().await;
    let other_evaluator = job(&other, "slaEvaluation");
    let created_at = c.app.clock.now();

    // Critical: resolved within 4 h (at risk from 80 %: 3 h 12 min), answered within 30 min.
    let ticket = c.ticket("Critical").await;
    let path = format!("{TICKETS}/{ticket}");
    let stored = c.app.get(&path).await.body;
    assert_eq!(stored["slaStanding"], "onTrack", "{stored}");
    let resolution = target(&stored, "critical-resolution");
    assert_eq!(resolution["standing"], "onTrack");
    assert_eq!(resolution["sla"]["id"], sla.as_str());
    assert_eq!(resolution["metric"], "ticketResolutionTime");
    let due = at(&resolution["dueDate"]);
    assert!(
        (due - (created_at + Duration::hours(4)))
            .num_seconds()
            .abs()
            <= 1,
        "{resolution}"
    );
    let risk = at(&resolution["atRiskDate"]);
    assert!(
        (risk - (created_at + Duration::minutes(192)))
            .num_seconds()
            .abs()
            <= 1,
        "{resolution}"
    );
    assert_eq!(target(&stored, "first-response")["standing"], "onTrack");
    // A client cannot set the standing: it is the server's.
    let patched = c
        .send(
            &c.csr,
            Method::PATCH,
            &path,
            Some(&json!({"slaStanding": "met", "description": "No sync since 8:00"})),
        )
        .await;
    patched.assert_status(StatusCode::OK, "patched");
    assert_eq!(patched.body["slaStanding"], "onTrack");
    assert!(
        evaluator.run_once().await.expect("a pass").is_empty(),
        "nothing crossed"
    );

    // 25 minutes: the first response is at risk (24 min); the evaluator sees it.
    c.app.clock.advance(Duration::minutes(25));
    assert_eq!(
        evaluator.run_once().await.expect("a pass"),
        std::slice::from_ref(&ticket)
    );
    let stored = c.app.get(&path).await.body;
    assert_eq!(stored["slaStanding"], "atRisk", "{stored}");
    assert_eq!(target(&stored, "first-response")["standing"], "atRisk");
    let listed = c.app.get(&format!("{TICKETS}?slaStanding=atRisk")).await;
    listed.assert_status(StatusCode::OK, "by standing");
    assert_eq!(
        listed.body.as_array().map(Vec::len),
        Some(1),
        "{}",
        listed.text
    );
    // Answered in time: met; the resolution target is still on track.
    let answered = c.ticket_to(&ticket, "inProgress").await;
    assert_eq!(target(&answered.body, "first-response")["standing"], "met");
    assert_eq!(answered.body["slaStanding"], "onTrack");
    assert_eq!(
        c.app.total(&format!("{TICKETS}?slaStanding=atRisk")).await,
        0
    );

    // Pending from 1 h to 3 h: the clock stops, nothing is due meanwhile.
    c.app.clock.advance(Duration::minutes(35));
    let waiting = c.ticket_to(&ticket, "pending").await;
    assert_eq!(
        target(&waiting.body, "critical-resolution")["clockStopped"],
        true
    );
    c.app.clock.advance(Duration::hours(2));
    assert!(
        evaluator.run_once().await.expect("a pass").is_empty(),
        "stopped"
    );
    let back = c.ticket_to(&ticket, "inProgress").await;
    let resolution = target(&back.body, "critical-resolution");
    let due = at(&resolution["dueDate"]);
    assert!(
        (due - (c.app.clock.now() + Duration::hours(3)))
            .num_seconds()
            .abs()
            <= 1,
        "1 h counted, 3 h left: {resolution}"
    );

    // 3 h 15 min counted: at risk, and the escalation job escalates it.
    c.app.clock.advance(Duration::minutes(135));
    assert_eq!(
        evaluator.run_once().await.expect("a pass"),
        std::slice::from_ref(&ticket)
    );
    let stored = c.app.get(&path).await.body;
    assert_eq!(stored["slaStanding"], "atRisk", "{stored}");
    assert_eq!(
        c.app.total(&format!("{TICKETS}?slaStanding=atRisk")).await,
        1
    );
    let customer = c.app.customer("Ada Lovelace", &c.party, "active").await;
    let view = c
        .app
        .get(&format!("{}/{customer}/view", crm_tests::CUSTOMER))
        .await
        .body;
    assert_eq!(view["openTickets"][0]["slaStanding"], "atRisk", "{view}");
    assert_eq!(
        c.app.escalator().run_once().await.expect("escalation"),
        std::slice::from_ref(&ticket)
    );
    let escalated = c.app.get(&path).await.body;
    assert_eq!(escalated["priority"], "Critical", "High + 1: {escalated}");
    assert!(
        escalated.to_string().contains("SLA standing is atRisk"),
        "{escalated}"
    );

    // 4 h 15 min counted: breached. Two instances and repeated passes: one violation.
    c.app.clock.advance(Duration::hours(1));
    set_clocks(&[&other], c.app.clock.now());
    let (a, b) = tokio::join!(evaluator.run_once(), other_evaluator.run_once());
    let mut moved = a.expect("a pass");
    moved.extend(b.expect("the other pass"));
    assert_eq!(
        moved,
        std::slice::from_ref(&ticket),
        "moved once, by one instance"
    );
    for _ in 0..3 {
        assert!(evaluator.run_once().await.expect("again").is_empty());
        assert!(other_evaluator.run_once().await.expect("again").is_empty());
    }
    let stored = c.app.get(&path).await.body;
    assert_eq!(stored["slaStanding"], "breached", "{stored}");
    let breached = target(&stored, "critical-resolution");
    assert_eq!(breached["standing"], "breached");
    let violations = c.violations_about(&ticket).await;
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(breached["slaViolation"]["id"], violations[0]["id"]);
    assert_eq!(violations[0]["rule"]["id"], "critical-resolution");
    assert_eq!(violations[0]["violation"]["actualValue"], "4.25");
    assert_conforms(
        TMF623,
        "SlaViolation",
        &violations[0],
        "violation of an open ticket",
    );
    let credit_id = violations[0]["compensation"]["id"]
        .as_str()
        .expect("a credit");
    let credit = c.app.get(&format!("{ADJUSTMENTS}/{credit_id}")).await.body;
    assert_eq!(credit["state"], "proposed");
    assert_eq!(credit["amount"]["value"].to_string(), "60.00");

    // The breach is in the ticket's own history, by the evaluator, saying why.
    let history = c.app.get(&format!("{path}/history?limit=100")).await.body;
    let breach = history
        .as_array()
        .into_iter()
        .flatten()
        .find(|entry| {
            entry["actor"]["id"] == "system:sla-evaluator"
                && entry["changes"].to_string().contains("breached")
        })
        .unwrap_or_else(|| panic!("the breach in the ticket's history: {history}"));
    assert_eq!(
        breach["reason"], "an SLA target crossed a threshold",
        "{breach}"
    );

    // Resolved late: the breach is not recorded again.
    let resolved = c.ticket_to(&ticket, "resolved").await;
    assert_eq!(resolved.body["slaStanding"], "breached");
    assert_eq!(c.violations_about(&ticket).await.len(), 1);
    assert_eq!(c.app.total(ADJUSTMENTS).await, 1);
    let events = c.app.event_types().await;
    assert_eq!(
        events
            .iter()
            .filter(|e| *e == "SLAViolationCreateEvent")
            .count(),
        1,
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| e == "TroubleTicketAttributeValueChangeEvent"),
        "the standing's changes are events: {events:?}"
    );
    // The CSR sees the SLA's standing in the customer's 360 view.
    let view = c
        .app
        .get(&format!("{}/{customer}/view", crm_tests::CUSTOMER))
        .await
        .body;
    assert_eq!(view["slas"][0]["id"], sla.as_str(), "{view}");
    assert_eq!(view["slas"][0]["standing"], "breached", "{view}");
    // The compliance report counts the ticket's targets: one met, one breached.
    let report = c.app.get(&format!("{SLAS}/{sla}/report")).await;
    report.assert_status(StatusCode::OK, "report");
    assert_eq!(
        report.body["summary"], "1 of 2 judgements met (50.00 %), 1 breached",
        "{}",
        report.text
    );
    let rules = report.body["total"]["rule"].as_array().expect("rules");
    let of = |id: &str| {
        rules
            .iter()
            .find(|r| r["rule"]["id"] == id)
            .expect("the rule")
    };
    assert_eq!(of("critical-resolution")["breached"], 1);
    assert_eq!(of("first-response")["met"], 1);
}

#[tokio::test]
async fn breaches_are_recorded_once_across_interrupted_passes_and_instances() {
    let c = Contract::open().await;
    c.ticket_sla(None).await;
    let mut tickets = Vec::new();
    for _ in 0..6 {
        tickets.push(c.ticket("Critical").await);
    }
    // Answered at once, so only the resolution target is left to breach.
    for ticket in &tickets {
        c.ticket_to(ticket, "inProgress").await;
    }
    c.app.clock.advance(Duration::hours(5));
    let other = c.app.another_instance().await;
    set_clocks(&[&other], c.app.clock.now());
    // Passes stopped at any point (a crash, a restart): what they did is whole, the rest is
    // left for the next pass.
    for millis in [0, 1, 2, 5, 10] {
        let evaluator = job(&c.app, "slaEvaluation");
        let pass = tokio::spawn(async move { evaluator.run_once().await });
        tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
        pass.abort();
        let _ = pass.await;
    }
    let (here, there) = (job(&c.app, "slaEvaluation"), job(&other, "slaEvaluation"));
    let (a, b) = tokio::join!(here.run_once(), there.run_once());
    a.expect("a pass");
    b.expect("the other pass");
    for ticket in &tickets {
        let violations = c.violations_about(ticket).await;
        assert_eq!(violations.len(), 1, "{ticket}: {violations:?}");
        let stored = c.app.get(&format!("{TICKETS}/{ticket}")).await.body;
        assert_eq!(stored["slaStanding"], "breached", "{stored}");
    }
    assert_eq!(c.app.total(VIOLATIONS).await, 6);
    assert_eq!(
        c.app
            .total(&format!("{TICKETS}?slaStanding=breached"))
            .await,
        6
    );
}

#[tokio::test]
async fn an_open_order_shows_its_standing_and_breaches_before_it_completes() {
    let c = Contract::open().await;
    const CATALOG: &str = "/tmf-api/productCatalogManagement/v4";
    const ORDERS: &str = "/tmf-api/productOrderingManagement/v4/productOrder";
    let customer = c.app.customer("Ada Lovelace", &c.party, "active").await;
    let offering = c
        .app
        .post(
            &format!("{CATALOG}/productOffering"),
            &json!({"name": "Fibre 500", "lifecycleStatus": "Launched", "isSellable": true}),
        )
        .await;
    offering.assert_status(StatusCode::CREATED, "offering");
    let mut body = c.sla();
    body["rule"] = json!([{"id": "install", "metric": "orderCompletionTime", "unit": "d",
        "referenceValue": "2", "operator": ".le"}]);
    let sla = c.create(&body).await.id();
    for state in ["approved", "active"] {
        c.move_to(&sla, state)
            .await
            .assert_status(StatusCode::OK, state);
    }
    let order = c
        .app
        .post(
            ORDERS,
            &json!({"productOrderItem": [{"id": "1", "action": "add", "quantity": 1,
                    "productOffering": {"id": offering.id(), "name": "Fibre 500"}}],
                "relatedParty": [{"id": customer, "role": "customer", "@referredType": "Customer"}]}),
        )
        .await;
    order.assert_status(StatusCode::CREATED, "order");
    assert_eq!(order.body["slaStanding"], "onTrack", "{}", order.text);
    let install = target(&order.body, "install");
    let ordered = at(&order.body["orderDate"]);
    let due = at(&install["dueDate"]) - (ordered + Duration::days(2));
    assert!(due.num_seconds().abs() <= 1, "{install}");
    let evaluator = job(&c.app, "slaEvaluation");
    c.app.clock.advance(Duration::hours(40));
    assert_eq!(evaluator.run_once().await.expect("a pass"), [order.id()]);
    let path = format!("{ORDERS}/{}", order.id());
    assert_eq!(c.app.get(&path).await.body["slaStanding"], "atRisk");
    c.app.clock.advance(Duration::hours(9));
    assert_eq!(evaluator.run_once().await.expect("a pass"), [order.id()]);
    let stored = c.app.get(&path).await.body;
    assert_eq!(stored["slaStanding"], "breached", "{stored}");
    assert_eq!(c.violations_about(&order.id()).await.len(), 1);
    // Completed later still: one violation.
    for state in ["inProgress", "completed"] {
        c.app
            .patch(&path, MERGE, &json!({"state": state}))
            .await
            .assert_status(StatusCode::OK, state);
    }
    assert_eq!(c.violations_about(&order.id()).await.len(), 1);
    assert_eq!(
        c.app
            .total("/tmf-api/productOrderingManagement/v4/productOrder?slaStanding=breached")
            .await,
        1
    );
}

#[tokio::test]
async fn an_sla_that_ends_stops_watching_what_it_covered() {
    let c = Contract::open().await;
    let sla = c.ticket_sla(None).await;
    let ticket = c.ticket("Critical").await;
    let path = format!("{TICKETS}/{ticket}");
    assert_eq!(c.app.get(&path).await.body["slaStanding"], "onTrack");
    c.send(
        &c.supervisor,
        Method::PATCH,
        &format!("{SLAS}/{sla}"),
        Some(&json!({"state": "terminated"})),
    )
    .await
    .assert_status(StatusCode::OK, "terminated");
    // Its targets come due, but nothing covers the ticket any more.
    c.app.clock.advance(Duration::hours(6));
    let evaluator = job(&c.app, "slaEvaluation");
    assert_eq!(
        evaluator.run_once().await.expect("a pass"),
        std::slice::from_ref(&ticket)
    );
    let stored = c.app.get(&path).await.body;
    assert!(stored.get("slaStanding").is_none(), "{stored}");
    assert!(stored.get("slaTarget").is_none(), "{stored}");
    assert!(c.violations_about(&ticket).await.is_empty());
    assert!(evaluator.run_once().await.expect("again").is_empty());
}

#[tokio::test]
async fn an_sla_activated_later_covers_the_open_tickets_at_the_next_pass() {
    let c = Contract::open().await;
    let ticket = c.ticket("Critical").await;
    let path = format!("{TICKETS}/{ticket}");
    assert!(c.app.get(&path).await.body.get("slaStanding").is_none());
    c.app.clock.advance(Duration::hours(1));
    c.ticket_sla(None).await;
    let evaluator = job(&c.app, "slaEvaluation");
    assert_eq!(
        evaluator.run_once().await.expect("a pass"),
        std::slice::from_ref(&ticket)
    );
    let stored = c.app.get(&path).await.body;
    assert_eq!(
        stored["slaStanding"], "breached",
        "first response missed: {stored}"
    );
    assert_eq!(target(&stored, "first-response")["standing"], "breached");
    // The hour before the SLA counts: the ticket has been in the provider's hands since.
    let resolution = target(&stored, "critical-resolution");
    assert_eq!(resolution["standing"], "onTrack");
    let due = at(&resolution["dueDate"]) - (c.app.clock.now() + Duration::hours(3));
    assert!(due.num_seconds().abs() <= 1, "{resolution}");
    assert!(evaluator.run_once().await.expect("again").is_empty());
}

#[tokio::test]
async fn an_escalation_neither_answers_a_ticket_nor_moves_it_to_another_rule() {
    let c = Contract::open().await;
    let mut body = c.sla();
    body["rule"] = json!([
        {"id": "first-response", "metric": "ticketFirstResponseTime", "unit": "min",
         "referenceValue": "45", "operator": ".le"},
        {"id": "high", "metric": "ticketResolutionTime", "unit": "h",
         "referenceValue": "8", "operator": ".le", "priority": "High"},
        {"id": "critical", "metric": "ticketResolutionTime", "unit": "h",
         "referenceValue": "1", "operator": ".le", "priority": "Critical"}
    ]);
    let sla = c.create(&body).await.id();
    for state in ["approved", "active"] {
        c.move_to(&sla, state)
            .await
            .assert_status(StatusCode::OK, state);
    }
    // A Critical ticket starts at priority High; escalated at 30 min (a note, priority raised).
    let ticket = c.ticket("Critical").await;
    let path = format!("{TICKETS}/{ticket}");
    c.app.clock.advance(Duration::minutes(31));
    assert_eq!(
        c.app.escalator().run_once().await.expect("escalation"),
        std::slice::from_ref(&ticket)
    );
    assert_eq!(c.app.get(&path).await.body["priority"], "Critical");
    // The next write assesses the ticket again: the escalation's note is not an answer, and
    // the ticket stays under the High rule.
    let escalated = c
        .send(
            &c.csr,
            Method::PATCH,
            &path,
            Some(&json!({"description": "No sync, all day"})),
        )
        .await;
    escalated.assert_status(StatusCode::OK, "described");
    let escalated = escalated.body;
    assert_eq!(
        target(&escalated, "first-response")["standing"],
        "onTrack",
        "{escalated}"
    );
    let rules: Vec<&Value> = escalated["slaTarget"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| &t["rule"])
        .collect();
    assert_eq!(
        rules,
        [&json!("first-response"), &json!("high")],
        "{escalated}"
    );
    assert!(c.violations_about(&ticket).await.is_empty());
}

#[tokio::test]
async fn a_ticket_cancelled_after_its_due_time_but_before_a_pass_is_still_a_breach() {
    let c = Contract::open().await;
    c.ticket_sla(None).await;
    let ticket = c.ticket("Critical").await;
    c.ticket_to(&ticket, "inProgress").await;
    c.app.clock.advance(Duration::hours(5));
    let cancelled = c.ticket_to(&ticket, "cancelled").await;
    assert_eq!(
        cancelled.body["slaStanding"], "breached",
        "{}",
        cancelled.text
    );
    let violations = c.violations_about(&ticket).await;
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0]["rule"]["id"], "critical-resolution");
    // One cancelled in time is no longer watched, and nothing is recorded.
    let early = c.ticket("Critical").await;
    c.ticket_to(&early, "inProgress").await;
    c.app.clock.advance(Duration::hours(1));
    let dropped = c.ticket_to(&early, "cancelled").await;
    assert_eq!(target(&dropped.body, "first-response")["standing"], "met");
    assert_eq!(dropped.body["slaTarget"].as_array().map(Vec::len), Some(1));
    c.app.clock.advance(Duration::hours(9));
    assert!(evaluate(&c.app).await.is_empty());
    assert!(c.violations_about(&early).await.is_empty());
}
