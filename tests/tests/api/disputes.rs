//! Bill disputes as TMF621 trouble tickets of type "Bill Dispute", whose rules the billing
//! crate owns through the subtype hook: the target and the typed characteristics, the amount
//! at most what is undisputed (under concurrency too), the outcome sums, the bill's
//! collections hold and the billing account's disputed balance.

use axum::http::{Method, StatusCode};
use crm_tests::TestResponse;
use serde_json::{Value, json};

use crate::billed::{BILLS, Billed, TICKETS, billed_fixture, number};

const MERGE: &str = "application/merge-patch+json";

/// A customer's billing account with a sent bill of 120.00 EUR and two of its lines.
struct Disputed {
    billed: Billed,
}

billed_fixture!(Disputed);

impl Disputed {
    async fn open() -> Self {
        Self {
            billed: Billed::open("Grace", "Hopper").await,
        }
    }

    fn dispute(&self, target: Value, amount: &str, extra: &[Value]) -> Value {
        let mut characteristics = vec![
            json!({"name": "disputeAmount", "value": number(amount)}),
            json!({"name": "currency", "value": "EUR"}),
            json!({"name": "reasonCode", "value": "pricingError"}),
        ];
        characteristics.extend(extra.iter().cloned());
        json!({
            "description": "The customer says the TV pack was never ordered",
            "severity": "Minor",
            "ticketType": "Bill Dispute",
            "relatedEntity": target,
            "troubleTicketCharacteristic": characteristics,
        })
    }

    fn on_bill(&self) -> Value {
        json!([{"id": self.bill, "role": "disputedBill", "@referredType": "CustomerBill"}])
    }

    async fn raise(&self, body: &Value) -> TestResponse {
        self.app.post(TICKETS, body).await
    }

    async fn bill_state(&self) -> Value {
        self.app.get(&format!("{BILLS}/{}", self.bill)).await.body["state"].clone()
    }

    async fn work(&self, id: &str, status: &str, outcome: &[Value]) -> TestResponse {
        let ticket = self.app.get(&format!("{TICKETS}/{id}")).await.body;
        let mut characteristics = ticket["troubleTicketCharacteristic"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        characteristics.extend(outcome.iter().cloned());
        self.app
            .patch(
                &format!("{TICKETS}/{id}"),
                MERGE,
                &json!({"status": status, "troubleTicketCharacteristic": characteristics}),
            )
            .await
    }
}

#[tokio::test]
async fn a_dispute_holds_the_bill_and_moves_the_disputed_balance_until_it_is_worked() {
    let d = Disputed::open().await;
    let raised = d.raise(&d.dispute(d.on_bill(), "30.00", &[])).await;
    raised.assert_status(StatusCode::CREATED, "dispute");
    let id = raised.id();
    assert_eq!(d.bill_state().await, "onHold", "a collections hold");
    assert_eq!(d.balance("disputedBalance").await.as_deref(), Some("30.00"));
    // Worked: more than disputed is refused, resolving before the amounts add up too.
    d.work(&id, "inProgress", &[])
        .await
        .assert_status(StatusCode::OK, "in progress");
    let over = d
        .work(
            &id,
            "inProgress",
            &[json!({"name": "grantedAmount", "value": number("31.00")})],
        )
        .await;
    let message = over.assert_tmf_error(422);
    assert!(
        message.contains("more than the disputed 30.00"),
        "{message}"
    );
    let early = d
        .work(
            &id,
            "resolved",
            &[json!({"name": "grantedAmount", "value": number("10.00")})],
        )
        .await;
    let message = early.assert_tmf_error(422);
    assert!(message.contains("adds up to the disputed"), "{message}");
    let resolved = d
        .work(
            &id,
            "resolved",
            &[
                json!({"name": "grantedAmount", "value": number("10.00")}),
                json!({"name": "deniedAmount", "value": number("20.00")}),
            ],
        )
        .await;
    resolved.assert_status(StatusCode::OK, "resolved");
    assert_eq!(
        d.bill_state().await,
        "sent",
        "the hold is released to the state it had"
    );
    assert_eq!(d.balance("disputedBalance").await.as_deref(), Some("0.00"));
    // What was disputed cannot change afterwards.
    let changed = d
        .app
        .patch(
            &format!("{TICKETS}/{id}"),
            MERGE,
            &d.dispute(d.on_bill(), "29.00", &[]),
        )
        .await;
    changed.assert_tmf_error(422);
}

#[tokio::test]
async fn each_dispute_rule_refuses_naming_what_and_stores_nothing() {
    let d = Disputed::open().await;
    let on_items = json!([
        {"id": d.lines[0], "role": "disputedItem", "@referredType": "AppliedCustomerBillingRate"},
        {"id": d.lines[1], "role": "disputedItem", "@referredType": "AppliedCustomerBillingRate"},
    ]);
    let mut usd = d.dispute(d.on_bill(), "10.00", &[]);
    usd["troubleTicketCharacteristic"][1]["value"] = json!("USD");
    let mut no_reason = d.dispute(d.on_bill(), "10.00", &[]);
    no_reason["troubleTicketCharacteristic"][2]["value"] = json!("tooExpensive");
    let both = json!([
        {"id": d.bill, "role": "disputedBill"},
        {"id": d.lines[0], "role": "disputedItem"},
    ]);
    let cases: Vec<(Value, &str)> = vec![
        (
            d.dispute(d.on_bill(), "0", &[]),
            "'disputeAmount' must be positive",
        ),
        (
            d.dispute(d.on_bill(), "120.01", &[]),
            "still undisputed on bill",
        ),
        (d.dispute(on_items, "120.01", &[]), "still undisputed"),
        (usd, "'currency' is USD"),
        (no_reason, "'reasonCode' is 'tooExpensive'"),
        (d.dispute(both, "1.00", &[]), "'relatedEntity'"),
        (
            d.dispute(
                json!([{"id": "no-such-bill", "role": "disputedBill"}]),
                "1.00",
                &[],
            ),
            "does not exist",
        ),
        (
            d.dispute(
                d.on_bill(),
                "10.00",
                &[json!({"name": "grantedAmount", "value": 10})],
            ),
            "'grantedAmount'",
        ),
        (
            json!({"description": "x", "severity": "Minor", "ticketType": "Bill Dispute",
                "relatedEntity": d.on_bill()}),
            "'disputeAmount'",
        ),
    ];
    for (body, named) in cases {
        let refused = d.raise(&body).await;
        let message = refused.assert_tmf_error(422);
        assert!(message.contains(named), "{named}: {message}");
    }
    assert_eq!(d.app.total(TICKETS).await, 0, "nothing stored");
    assert_eq!(d.bill_state().await, "sent", "no hold");
    assert_eq!(d.balance("disputedBalance").await, None);
}

#[tokio::test]
async fn disputes_share_what_is_undisputed_on_a_bill_and_its_items() {
    let d = Disputed::open().await;
    let item = |i: usize| json!([{"id": d.lines[i], "role": "disputedItem"}]);
    d.raise(&d.dispute(item(1), "40.00", &[]))
        .await
        .assert_status(StatusCode::CREATED, "the whole TV pack");
    // The TV pack is fully disputed; the fibre line still has 80.00.
    d.raise(&d.dispute(item(1), "0.01", &[]))
        .await
        .assert_tmf_error(422);
    d.raise(&d.dispute(item(0), "80.00", &[]))
        .await
        .assert_status(StatusCode::CREATED, "the fibre line");
    // Nothing is left undisputed on the bill.
    d.raise(&d.dispute(d.on_bill(), "0.01", &[]))
        .await
        .assert_tmf_error(422);
    assert_eq!(
        d.balance("disputedBalance").await.as_deref(),
        Some("120.00")
    );
    assert_eq!(d.app.total(TICKETS).await, 2);
}

#[tokio::test]
async fn two_disputes_racing_for_the_last_euro_one_wins() {
    let d = Disputed::open().await;
    let other = d.app.another_instance().await;
    let body = d.dispute(d.on_bill(), "70.00", &[]);
    let (a, b) = tokio::join!(d.app.post(TICKETS, &body), other.post(TICKETS, &body));
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 422], "{} {}", a.text, b.text);
    assert_eq!(d.app.total(TICKETS).await, 1);
    assert_eq!(d.balance("disputedBalance").await.as_deref(), Some("70.00"));
}

#[tokio::test]
async fn cancelling_releases_the_hold_and_the_balance_and_retries_are_one_dispute() {
    let d = Disputed::open().await;
    let body = d.dispute(d.on_bill(), "15.00", &[]);
    let auth = [
        ("Authorization", d.biller.as_str()),
        ("Idempotency-Key", "dispute-77"),
    ];
    let first = d
        .app
        .send_with(Method::POST, TICKETS, &auth, Some(&body))
        .await;
    let retry = d
        .app
        .send_with(Method::POST, TICKETS, &auth, Some(&body))
        .await;
    first.assert_status(StatusCode::CREATED, "raised by the billing system");
    retry.assert_status(StatusCode::OK, "the same dispute");
    assert_eq!(first.id(), retry.id());
    assert_eq!(d.balance("disputedBalance").await.as_deref(), Some("15.00"));
    let cancelled = d
        .app
        .patch(
            &format!("{TICKETS}/{}", first.id()),
            MERGE,
            &json!({"status": "cancelled"}),
        )
        .await;
    cancelled.assert_status(StatusCode::OK, "cancelled");
    assert_eq!(d.bill_state().await, "sent");
    assert_eq!(d.balance("disputedBalance").await.as_deref(), Some("0.00"));
    // A bill a CSR held stays held when its dispute ends.
    d.app
        .patch(
            &format!("{BILLS}/{}", d.bill),
            MERGE,
            &json!({"state": "onHold"}),
        )
        .await
        .assert_status(StatusCode::OK, "held");
    let second = d.raise(&d.dispute(d.on_bill(), "5.00", &[])).await;
    second.assert_status(StatusCode::CREATED, "second");
    d.app
        .patch(
            &format!("{TICKETS}/{}", second.id()),
            MERGE,
            &json!({"status": "cancelled"}),
        )
        .await
        .assert_status(StatusCode::OK, "cancelled");
    assert_eq!(d.bill_state().await, "onHold");
}

#[tokio::test]
async fn a_dispute_raised_without_naming_anyone_is_one_of_the_customer_s_tickets() {
    let d = Disputed::open().await;
    let items = json!([
        {"id": d.lines[0], "role": "disputedItem"},
        {"id": d.lines[1], "role": "disputedItem", "@referredType": "AppliedCustomerBillingRate"}
    ]);
    let raised = d.raise(&d.dispute(items, "25.00", &[])).await;
    raised.assert_status(StatusCode::CREATED, "a dispute on two lines");
    let id = raised.id();
    // The account's holder is named as the dispute's customer.
    let customers: Vec<&Value> = raised.body["relatedParty"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["role"] == "customer")
        .collect();
    assert_eq!(customers.len(), 1, "{}", raised.text);
    assert_eq!(customers[0]["id"], d.party.as_str());
    assert_eq!(customers[0]["@referredType"], "Individual");
    let found = d
        .app
        .get(&format!("{TICKETS}?relatedParty.id={}", d.party))
        .await;
    assert_eq!(found.body[0]["id"], id.as_str(), "{}", found.text);
    // The CSR sees it in the 360 view and the timeline.
    let customer = d.app.customer("Grace Hopper", &d.party, "active").await;
    let view = d
        .app
        .get(&format!("{}/{customer}/view", crm_tests::CUSTOMER))
        .await
        .body;
    assert_eq!(view["openTickets"][0]["id"], id.as_str(), "{view}");
    assert_eq!(view["disputes"]["open"][0]["id"], id.as_str(), "{view}");
    let timeline = d
        .app
        .get(&format!("{}/{customer}/timeline", crm_tests::CUSTOMER))
        .await
        .body;
    assert!(
        timeline.as_array().into_iter().flatten().any(|entry| {
            entry["resourceType"] == "TroubleTicket"
                && entry["resourceId"] == id.as_str()
                && entry["action"] == "create"
        }),
        "{timeline}"
    );
    // A dispute that names its customer keeps what it says.
    let named = d
        .raise(&{
            let mut body = d.dispute(d.on_bill(), "5.00", &[]);
            body["relatedParty"] =
                json!([{"id": d.party, "role": "Customer", "@referredType": "Individual"}]);
            body
        })
        .await;
    named.assert_status(StatusCode::CREATED, "named");
    assert_eq!(named.body["relatedParty"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_dispute_stays_a_dispute_so_its_balance_and_hold_always_follow_it() {
    let d = Disputed::open().await;
    let raised = d.raise(&d.dispute(d.on_bill(), "30.00", &[])).await;
    raised.assert_status(StatusCode::CREATED, "dispute");
    let id = raised.id();
    let changed = d
        .app
        .patch(
            &format!("{TICKETS}/{id}"),
            MERGE,
            &json!({"ticketType": "complaint"}),
        )
        .await;
    let message = changed.assert_tmf_error(422);
    assert!(message.contains("'ticketType'"), "{message}");
    let stored = d.app.get(&format!("{TICKETS}/{id}")).await.body;
    assert_eq!(stored["ticketType"], "Bill Dispute");
    assert_eq!(d.balance("disputedBalance").await.as_deref(), Some("30.00"));
    assert_eq!(d.bill_state().await, "onHold");
    // A ticket may become a dispute: it is judged as a new one.
    let complaint = d
        .raise(
            &json!({"description": "The bill is too high", "severity": "Minor",
            "ticketType": "complaint"}),
        )
        .await;
    complaint.assert_status(StatusCode::CREATED, "complaint");
    let mut body = d.dispute(d.on_bill(), "95.00", &[]);
    body.as_object_mut()
        .expect("an object")
        .remove("description");
    let message = d
        .app
        .patch(&format!("{TICKETS}/{}", complaint.id()), MERGE, &body)
        .await
        .assert_tmf_error(422);
    assert!(
        message.contains("undisputed") || message.contains("disputeAmount"),
        "{message}"
    );
    body["troubleTicketCharacteristic"][0]["value"] = number("90.00");
    d.app
        .patch(&format!("{TICKETS}/{}", complaint.id()), MERGE, &body)
        .await
        .assert_status(StatusCode::OK, "now a dispute");
    assert_eq!(
        d.balance("disputedBalance").await.as_deref(),
        Some("120.00")
    );
}
