//! TMF678 bills and rates pushed by a billing system, read by TMF678 clients and CSRs:
//! ingestion rules (each refusal named, nothing stored), idempotent retries, the bill
//! lifecycle through the API (every state × every requested state), payments to the cent,
//! the billing account's receivable balance, and responses valid against the v4 spec.

use axum::http::{Method, StatusCode};
use crm_tests::schema::assert_conforms;
use crm_tests::{TestApp, TestResponse};
use serde_json::{Value, json};
use sid_model::{CustomerBillStateType as State, Lifecycle, check_move};

const TMF678: &str = "TMF678-CustomerBillManagement-v4.0.0.swagger.json";
const BILLS: &str = "/tmf-api/customerBillManagement/v4/customerBill";
const RATES: &str = "/tmf-api/customerBillManagement/v4/appliedCustomerBillingRate";
const BILLING_ACCOUNT: &str = "/tmf-api/accountManagement/v4/billingAccount";
const TICKETS: &str = "/tmf-api/troubleTicket/v4/troubleTicket";
const MERGE: &str = "application/merge-patch+json";

/// A customer with a billing account, and the billing system's and a CSR's tokens.
struct Billing {
    app: TestApp,
    party: String,
    account: String,
    biller: String,
    csr: String,
}

impl Billing {
    async fn open() -> Self {
        let app = TestApp::new().await;
        let party = app.individual("Ada", "Lovelace").await;
        let account = app
            .post(
                BILLING_ACCOUNT,
                &json!({"name": "Ada's bills", "relatedParty": [
                    {"id": party, "role": "owner", "@referredType": "Individual"}]}),
            )
            .await;
        account.assert_status(StatusCode::CREATED, "billing account");
        let biller = format!("Bearer {}", app.token("billing-run", &["billing-system"]));
        let csr = format!("Bearer {}", app.token("csr-anna", &["csr"]));
        Self {
            account: account.id(),
            party,
            app,
            biller,
            csr,
        }
    }

    async fn send(
        &self,
        token: &str,
        method: Method,
        uri: &str,
        body: Option<&Value>,
    ) -> TestResponse {
        self.app
            .send_with(method, uri, &[("Authorization", token)], body)
            .await
    }

    /// Records `bill` as the billing system.
    async fn push(&self, bill: &Value) -> TestResponse {
        self.send(&self.biller, Method::POST, BILLS, Some(bill))
            .await
    }

    /// A bill of 120.00 EUR (100.00 + 20 % tax) numbered `number`, with `extra` merged in.
    fn bill(&self, number: &str, extra: Value) -> Value {
        let mut bill = json!({
            "billNo": number,
            "billingAccount": {"id": self.account},
            "billDate": "2026-11-30T00:00:00Z",
            "paymentDueDate": "2026-12-20T00:00:00Z",
            "category": "normal",
            "runType": "onCycle",
            "amountDue": eur("120.00"),
            "taxExcludedAmount": eur("100.00"),
            "taxIncludedAmount": eur("120.00"),
            "taxItem": [{"taxCategory": "VAT", "taxRate": rate_of("0.20"), "taxAmount": eur("20.00")}],
            "billingPeriod": {"startDateTime": "2026-11-01T00:00:00Z", "endDateTime": "2026-11-30T23:59:59Z"},
        });
        merge(&mut bill, extra);
        bill
    }

    async fn pay(&self, bill: &str, payment: &str, amount: &str) -> TestResponse {
        let body: Value = serde_json::from_str(&format!(
            r#"{{"payment": {{"id": "{payment}"}}, "appliedAmount": {{"unit": "EUR", "value": {amount}}}}}"#
        ))
        .expect("payment");
        self.send(
            &self.biller,
            Method::POST,
            &format!("{BILLS}/{bill}/appliedPayment"),
            Some(&body),
        )
        .await
    }

    async fn receivable(&self) -> Option<String> {
        let account = self
            .app
            .get(&format!("{BILLING_ACCOUNT}/{}", self.account))
            .await;
        account.body["accountBalance"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|b| b["balanceType"] == "receivableBalance")
            .map(|b| b["amount"]["value"].to_string())
    }
}

/// An amount in `unit` whose value is the JSON number text `value`, exactly (a `json!`
/// literal would go through an f64: 120.00 would be sent as 120.0).
fn money(unit: &str, value: &str) -> Value {
    serde_json::from_str(&format!(r#"{{"unit": "{unit}", "value": {value}}}"#)).expect("money")
}

fn eur(value: &str) -> Value {
    money("EUR", value)
}

fn rate_of(value: &str) -> Value {
    serde_json::from_str(value).expect("a number")
}

fn merge(target: &mut Value, extra: Value) {
    if let (Value::Object(target), Value::Object(extra)) = (target, extra) {
        for (key, value) in extra {
            if value.is_null() {
                target.remove(&key);
            } else {
                target.insert(key, value);
            }
        }
    }
}

#[tokio::test]
async fn a_billing_system_pushes_a_bill_and_a_tmf678_client_reads_it() {
    let billing = Billing::open().await;
    let pushed = billing.push(&billing.bill("B-2026-11", json!({}))).await;
    pushed.assert_status(StatusCode::CREATED, "bill");
    assert_conforms(TMF678, "CustomerBill", &pushed.body, "pushed bill");
    assert_eq!(pushed.body["state"], "new");
    assert_eq!(
        pushed.body["remainingAmount"]["value"].to_string(),
        "120.00"
    );
    assert_eq!(pushed.body["taxItem"][0]["taxRate"].to_string(), "0.20");
    assert!(pushed.body["lastUpdate"].is_string());
    assert!(
        pushed
            .header("location")
            .is_some_and(|l| l.ends_with(&pushed.id()))
    );
    let id = pushed.id();
    let read = billing
        .send(&billing.biller, Method::GET, &format!("{BILLS}/{id}"), None)
        .await;
    assert_eq!(read.body, pushed.body);
    assert_conforms(TMF678, "CustomerBill", &read.body, "read bill");
    // Lists filter by account, state, dates and amounts, and project with id and href kept.
    for query in [
        format!("billingAccount.id={}", billing.account),
        "state=new".to_owned(),
        "billDate.gte=2026-11-01T00:00:00Z".to_owned(),
        "amountDue.value.gt=100".to_owned(),
        "billNo=B-2026-11".to_owned(),
    ] {
        let list = billing.app.get(&format!("{BILLS}?{query}")).await;
        list.assert_status(StatusCode::OK, &query);
        assert_eq!(list.header("x-total-count"), Some("1"), "{query}");
        assert_eq!(list.body[0]["id"], id.as_str(), "{query}");
    }
    let none = billing.app.get(&format!("{BILLS}?state=settled")).await;
    assert_eq!(none.header("x-total-count"), Some("0"));
    let projected = billing.app.get(&format!("{BILLS}?fields=state")).await;
    assert_eq!(projected.body[0]["state"], "new");
    assert!(projected.body[0]["id"].is_string() && projected.body[0]["href"].is_string());
    assert!(projected.body[0].get("amountDue").is_none());
    // The billing account's receivable balance follows.
    assert_eq!(billing.receivable().await.as_deref(), Some("120.00"));
    // A CSR reads bills but does not record them; bills are never deleted.
    let by_csr = billing
        .send(
            &billing.csr,
            Method::POST,
            BILLS,
            Some(&billing.bill("B-X", json!({}))),
        )
        .await;
    by_csr.assert_tmf_error(403);
    let deleted = billing.app.delete(&format!("{BILLS}/{id}")).await;
    deleted.assert_tmf_error(405);
    assert_eq!(billing.app.total(BILLS).await, 1);
}

#[tokio::test]
async fn each_ingestion_rule_refuses_naming_the_field_and_stores_nothing() {
    let billing = Billing::open().await;
    let usd = money("USD", "20.00");
    let cases: Vec<(Value, u16, &str)> = vec![
        (json!({"billNo": null}), 422, "'billNo'"),
        (json!({"billingAccount": null}), 422, "'billingAccount'"),
        (json!({"amountDue": null}), 422, "'amountDue'"),
        (
            json!({"billingAccount": {"id": "no-such-account"}}),
            422,
            "'billingAccount': BillingAccount 'no-such-account'",
        ),
        (
            json!({"taxItem": [{"taxAmount": usd}]}),
            422,
            "'taxItem[0].taxAmount' is in USD",
        ),
        (
            json!({"taxIncludedAmount": eur("120.01")}),
            422,
            "'taxIncludedAmount' is 120.01",
        ),
        (
            json!({"amountDue": eur("-1")}),
            422,
            "'amountDue' must not be negative",
        ),
        (
            json!({"remainingAmount": eur("100")}),
            422,
            "'remainingAmount' is 100",
        ),
        (
            json!({"appliedPayment": [{"payment": {"id": "p"}, "appliedAmount": eur("130")}]}),
            422,
            "more than",
        ),
        (json!({"state": "settled"}), 422, "'state' is settled"),
        (json!({"state": "paid"}), 400, "state"),
        (
            json!({"amountDue": {"unit": "EUR", "value": "twelve"}}),
            400,
            "amountDue",
        ),
        (
            json!({"amountDue": {"unit": "XXY", "value": 1}}),
            400,
            "unit",
        ),
        (json!({"id": "mine"}), 400, "'id'"),
    ];
    for (extra, status, named) in cases {
        let sent = billing.bill("B-1", extra.clone());
        let refused = billing.push(&sent).await;
        let message = refused.assert_tmf_error(status);
        assert!(message.contains(named), "{extra}: {message}");
    }
    assert_eq!(billing.app.total(BILLS).await, 0, "nothing was stored");
    assert_eq!(billing.receivable().await, None, "no balance moved");
}

#[tokio::test]
async fn a_bill_sent_again_is_the_stored_one_and_a_changed_one_a_conflict() {
    let billing = Billing::open().await;
    let bill = billing.bill("B-7", json!({}));
    let first = billing.push(&bill).await;
    first.assert_status(StatusCode::CREATED, "first");
    let again = billing.push(&bill).await;
    again.assert_status(StatusCode::OK, "retry");
    assert_eq!(again.body, first.body);
    let changed = billing
        .push(&billing.bill("B-7", json!({"category": "duplicate"})))
        .await;
    let message = changed.assert_tmf_error(409);
    assert!(message.contains("billNo 'B-7'"), "{message}");
    // The same number on another account is another bill.
    let other = billing
        .app
        .post(
            BILLING_ACCOUNT,
            &json!({"name": "second account", "relatedParty": [
            {"id": billing.party, "role": "owner", "@referredType": "Individual"}]}),
        )
        .await;
    other.assert_status(StatusCode::CREATED, "second account");
    let elsewhere = billing
        .push(&billing.bill("B-7", json!({"billingAccount": {"id": other.id()}})))
        .await;
    elsewhere.assert_status(StatusCode::CREATED, "same number, other account");
    assert_eq!(billing.app.total(BILLS).await, 2);
}

#[tokio::test]
async fn the_same_bill_three_times_at_once_from_two_connections_is_one_bill() {
    let billing = Billing::open().await;
    let other = billing.app.another_instance().await;
    let bill = billing.bill("B-RACE", json!({}));
    let header = [("Authorization", billing.biller.as_str())];
    let (a, b, c) = tokio::join!(
        billing
            .app
            .send_with(Method::POST, BILLS, &header, Some(&bill)),
        other.send_with(Method::POST, BILLS, &header, Some(&bill)),
        other.send_with(Method::POST, BILLS, &header, Some(&bill)),
    );
    let mut statuses = vec![a.status.as_u16(), b.status.as_u16(), c.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [200, 200, 201],
        "{} {} {}",
        a.text,
        b.text,
        c.text
    );
    assert_eq!(a.id(), b.id());
    assert_eq!(b.id(), c.id());
    assert_eq!(billing.app.total(BILLS).await, 1);
    assert_eq!(billing.receivable().await.as_deref(), Some("120.00"));
}

/// A bill recorded in `state`: paid 40.00 of 120.00 when partially paid, in full when
/// settled.
async fn bill_in(billing: &Billing, number: &str, state: State) -> String {
    let paid = match state {
        State::PartiallyPaid => json!([{"payment": {"id": "p1"}, "appliedAmount": eur("40.00")}]),
        State::Settled => json!([{"payment": {"id": "p1"}, "appliedAmount": eur("120.00")}]),
        _ => json!(null),
    };
    let pushed = billing
        .push(&billing.bill(
            number,
            json!({"state": state.as_str(), "appliedPayment": paid}),
        ))
        .await;
    pushed.assert_status(StatusCode::CREATED, state.as_str());
    pushed.id()
}

#[tokio::test]
async fn every_state_times_every_requested_state_through_the_api() {
    let billing = Billing::open().await;
    for from in State::ALL {
        for to in State::ALL {
            let id = bill_in(&billing, &format!("B-{from}-{to}"), from).await;
            let before = billing.app.get(&format!("{BILLS}/{id}")).await.body;
            let moved = billing
                .send(
                    &billing.biller,
                    Method::PATCH,
                    &format!("{BILLS}/{id}"),
                    Some(&json!({"state": to.as_str()})),
                )
                .await;
            let remaining = before["remainingAmount"]["value"].to_string();
            let paid = before["appliedPayment"].as_array().map_or(0, Vec::len);
            if from == to {
                moved.assert_status(StatusCode::OK, "staying");
                assert_eq!(
                    moved.body["lastUpdate"], before["lastUpdate"],
                    "{from} → {to}"
                );
                let history = billing.app.get(&format!("{BILLS}/{id}/history")).await;
                assert_eq!(
                    history.body.as_array().map(Vec::len),
                    Some(1),
                    "no history row"
                );
            } else if check_move(from, to).is_err() {
                let message = moved.assert_tmf_error(409);
                assert!(
                    message.contains("allowed next states"),
                    "{from} → {to}: {message}"
                );
                for allowed in from.next() {
                    assert!(
                        message.contains(allowed.as_str()),
                        "{from} → {to}: {message}"
                    );
                }
            } else if (to == State::Settled && remaining != "0.00")
                || (to == State::PartiallyPaid && paid == 0)
            {
                moved.assert_tmf_error(422);
            } else {
                moved.assert_status(StatusCode::OK, &format!("{from} → {to}"));
                assert_eq!(moved.body["state"], to.as_str());
                continue;
            }
            let after = billing.app.get(&format!("{BILLS}/{id}")).await.body;
            assert_eq!(
                after, before,
                "{from} → {to}: a refused move changes nothing"
            );
        }
    }
}

#[tokio::test]
async fn a_patch_changes_the_state_alone_and_a_csr_only_holds() {
    let billing = Billing::open().await;
    let id = bill_in(&billing, "B-H", State::Sent).await;
    let path = format!("{BILLS}/{id}");
    let refused = billing
        .app
        .patch(&path, MERGE, &json!({"category": "interim"}))
        .await;
    let message = refused.assert_tmf_error(422);
    assert!(message.contains("'category'"), "{message}");
    let csr_settles = billing
        .send(
            &billing.csr,
            Method::PATCH,
            &path,
            Some(&json!({"state": "validated"})),
        )
        .await;
    csr_settles.assert_tmf_error(409);
    let csr_moves = billing
        .send(
            &billing.csr,
            Method::PATCH,
            &path,
            Some(&json!({"state": "partiallyPaid"})),
        )
        .await;
    let message = csr_moves.assert_tmf_error(403);
    assert!(message.contains("on hold"), "{message}");
    let held = billing
        .send(
            &billing.csr,
            Method::PATCH,
            &path,
            Some(&json!({"state": "onHold"})),
        )
        .await;
    held.assert_status(StatusCode::OK, "a CSR holds");
    assert_eq!(held.body["state"], "onHold");
    let released = billing
        .send(
            &billing.csr,
            Method::PATCH,
            &path,
            Some(&json!({"state": "sent"})),
        )
        .await;
    released.assert_status(StatusCode::OK, "and releases");
    // Every change is in the history with its actor.
    let history = billing.app.get(&format!("{path}/history")).await;
    let actors: Vec<&str> = history
        .body
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| entry["actor"]["id"].as_str())
        .collect();
    assert!(
        actors.contains(&"csr-anna") && actors.contains(&"billing-run"),
        "{}",
        history.text
    );
}

#[tokio::test]
async fn payments_move_the_remaining_amount_the_state_and_the_balance_to_the_cent() {
    let billing = Billing::open().await;
    let id = bill_in(&billing, "B-P", State::Sent).await;
    let first = billing.pay(&id, "pay-1", "40.10").await;
    first.assert_status(StatusCode::CREATED, "first payment");
    assert_eq!(first.body["remainingAmount"]["value"].to_string(), "79.90");
    assert_eq!(first.body["state"], "partiallyPaid");
    assert_conforms(TMF678, "CustomerBill", &first.body, "paid bill");
    assert_eq!(billing.receivable().await.as_deref(), Some("79.90"));
    let retry = billing.pay(&id, "pay-1", "40.10").await;
    retry.assert_status(StatusCode::OK, "a retried payment");
    assert_eq!(retry.body["remainingAmount"]["value"].to_string(), "79.90");
    billing
        .pay(&id, "pay-1", "40.11")
        .await
        .assert_tmf_error(409);
    let over = billing.pay(&id, "pay-2", "79.91").await;
    let message = over.assert_tmf_error(422);
    assert!(message.contains("79.90"), "{message}");
    billing.pay(&id, "pay-3", "0").await.assert_tmf_error(422);
    let usd: Value = json!({"payment": {"id": "pay-4"}, "appliedAmount": money("USD", "1")});
    billing
        .send(
            &billing.biller,
            Method::POST,
            &format!("{BILLS}/{id}/appliedPayment"),
            Some(&usd),
        )
        .await
        .assert_tmf_error(422);
    let last = billing.pay(&id, "pay-2", "79.90").await;
    last.assert_status(StatusCode::CREATED, "the rest");
    assert_eq!(last.body["state"], "settled");
    assert_eq!(last.body["remainingAmount"]["value"].to_string(), "0.00");
    assert_eq!(
        last.body["appliedPayment"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(billing.receivable().await.as_deref(), Some("0.00"));
    // A settled bill is final.
    billing
        .app
        .patch(&format!("{BILLS}/{id}"), MERGE, &json!({"state": "onHold"}))
        .await
        .assert_tmf_error(409);
    billing
        .pay("no-such-bill", "p", "1")
        .await
        .assert_tmf_error(404);
    let by_csr = billing
        .send(
            &billing.csr,
            Method::POST,
            &format!("{BILLS}/{id}/appliedPayment"),
            Some(&json!({"payment": {"id": "x"}, "appliedAmount": eur("1")})),
        )
        .await;
    by_csr.assert_tmf_error(403);
}

#[tokio::test]
async fn rates_are_billed_or_wait_on_the_account_and_a_bill_lists_its_lines() {
    let billing = Billing::open().await;
    let bill = billing.push(&billing.bill("B-L", json!({}))).await.id();
    let line = |extra: Value| {
        let mut rate = json!({
            "name": "Fibre 500 monthly fee",
            "type": "appliedBillingCharge",
            "date": "2026-11-30T00:00:00Z",
            "taxExcludedAmount": eur("50.00"),
            "taxIncludedAmount": eur("60.00"),
            "appliedTax": [{"taxCategory": "VAT", "taxRate": rate_of("0.20"), "taxAmount": eur("10.00")}],
            "characteristic": [{"name": "chargeType", "value": "recurring"}],
            "periodCoverage": {"startDateTime": "2026-11-01T00:00:00Z", "endDateTime": "2026-11-30T23:59:59Z"},
        });
        merge(&mut rate, extra);
        rate
    };
    let push = |rate: Value| {
        let billing = &billing;
        async move {
            billing
                .send(&billing.biller, Method::POST, RATES, Some(&rate))
                .await
        }
    };
    let billed = push(line(
        json!({"isBilled": true, "bill": {"id": bill}, "externalId": "R-1"}),
    ))
    .await;
    billed.assert_status(StatusCode::CREATED, "billed rate");
    assert_conforms(
        TMF678,
        "AppliedCustomerBillingRate",
        &billed.body,
        "billed rate",
    );
    assert_eq!(
        billed.body["billingAccount"]["id"],
        billing.account.as_str(),
        "the bill's account"
    );
    let waiting = push(line(
        json!({"billingAccount": {"id": billing.account}, "type": "appliedBillingCredit",
        "taxExcludedAmount": null, "appliedTax": null, "taxIncludedAmount": eur("5.00")}),
    ))
    .await;
    waiting.assert_status(StatusCode::CREATED, "unbilled credit");
    assert_eq!(
        waiting.body["isBilled"], false,
        "isBilled is always present"
    );
    assert!(waiting.body.get("bill").is_none());
    // A bill's lines, and an account's unbilled rates.
    let lines = billing.app.get(&format!("{RATES}?bill.id={bill}")).await;
    assert_eq!(lines.header("x-total-count"), Some("1"));
    assert_eq!(lines.body[0]["id"], billed.id());
    let unbilled = billing.app.get(&format!("{RATES}?isBilled=false")).await;
    assert_eq!(unbilled.header("x-total-count"), Some("1"));
    // Retries by the billing system's id.
    let again = push(line(
        json!({"isBilled": true, "bill": {"id": bill}, "externalId": "R-1"}),
    ))
    .await;
    again.assert_status(StatusCode::OK, "retried rate");
    assert_eq!(again.id(), billed.id());
    let changed = push(line(
        json!({"isBilled": true, "bill": {"id": bill}, "externalId": "R-1", "name": "other"}),
    ))
    .await;
    let message = changed.assert_tmf_error(409);
    assert!(message.contains("externalId 'R-1'"), "{message}");
    // Refusals, each named.
    for (extra, status, named) in [
        (json!({"isBilled": true}), 422, "'bill'"),
        (json!({"bill": {"id": bill}}), 422, "'bill'"),
        (json!({}), 422, "'billingAccount'"),
        (
            json!({"isBilled": true, "bill": {"id": "no-such-bill"}}),
            422,
            "bill",
        ),
        (
            json!({"billingAccount": {"id": billing.account}, "type": "discount"}),
            422,
            "'type'",
        ),
        (
            json!({"billingAccount": {"id": billing.account}, "taxIncludedAmount": eur("61.00")}),
            422,
            "'taxIncludedAmount' is 61",
        ),
        (
            json!({"isBilled": true, "bill": {"id": bill}, "taxExcludedAmount": money("USD", "50.00"),
            "appliedTax": [{"taxAmount": money("USD", "10.00")}], "taxIncludedAmount": money("USD", "60.00")}),
            422,
            "in USD",
        ),
        (
            json!({"isBilled": true, "bill": {"id": bill}, "taxExcludedAmount": eur("60.00"),
            "appliedTax": [{"taxAmount": eur("1.00")}], "taxIncludedAmount": eur("61.00")}),
            422,
            "more than its taxIncludedAmount",
        ),
    ] {
        let refused = push(line(extra.clone())).await;
        let message = refused.assert_tmf_error(status);
        assert!(message.contains(named), "{extra}: {message}");
    }
    assert_eq!(billing.app.total(RATES).await, 2, "nothing else was stored");
    // Rates are read-only in TMF678.
    billing
        .app
        .patch(
            &format!("{RATES}/{}", billed.id()),
            MERGE,
            &json!({"name": "x"}),
        )
        .await
        .assert_tmf_error(405);
}

#[tokio::test]
async fn tickets_refer_to_bills_and_their_lines_checked() {
    let billing = Billing::open().await;
    let bill = billing.push(&billing.bill("B-T", json!({}))).await.id();
    let ticket = |entity: Value| {
        json!({"description": "Why is my bill so high?", "severity": "Minor", "ticketType": "inquiry",
            "relatedEntity": [entity]})
    };
    let about = billing
        .app
        .post(
            TICKETS,
            &ticket(json!({"id": bill, "role": "disputedBill", "@referredType": "CustomerBill"})),
        )
        .await;
    about.assert_status(StatusCode::CREATED, "ticket about a bill");
    let inferred = billing
        .app
        .post(
            TICKETS,
            &ticket(json!({"id": bill, "role": "disputedBill"})),
        )
        .await;
    inferred.assert_status(StatusCode::CREATED, "type inferred");
    assert_eq!(
        inferred.body["relatedEntity"][0]["@referredType"],
        "CustomerBill"
    );
    let missing = billing
        .app
        .post(TICKETS, &ticket(json!({"id": "no-such-bill", "role": "disputedBill", "@referredType": "CustomerBill"})))
        .await;
    missing.assert_tmf_error(422);
    let rate = billing
        .app
        .post(TICKETS, &ticket(json!({"id": "no-such-rate", "role": "disputedItem", "@referredType": "AppliedCustomerBillingRate"})))
        .await;
    rate.assert_tmf_error(422);
}

const ON_DEMAND: &str = "/tmf-api/customerBillManagement/v4/customerBillOnDemand";

impl Billing {
    /// Records a rate waiting on the account: `type`, amount all taxes included.
    async fn unbilled(&self, kind: &str, amount: &str) -> String {
        let rate = json!({
            "type": kind,
            "name": kind,
            "billingAccount": {"id": self.account},
            "taxIncludedAmount": eur(amount),
            "periodCoverage": {"startDateTime": "2026-12-01T00:00:00Z", "endDateTime": "2026-12-05T00:00:00Z"},
        });
        let pushed = self
            .send(&self.biller, Method::POST, RATES, Some(&rate))
            .await;
        pushed.assert_status(StatusCode::CREATED, "unbilled rate");
        pushed.id()
    }
}

#[tokio::test]
async fn a_bill_on_demand_is_produced_from_the_unbilled_rates_through_a_restart() {
    let billing = Billing::open().await;
    let charge = billing.unbilled("appliedBillingCharge", "60.00").await;
    let credit = billing.unbilled("appliedBillingCredit", "5.00").await;
    let asked = billing
        .send(
            &billing.csr,
            Method::POST,
            ON_DEMAND,
            Some(&json!({"name": "bill now", "billingAccount": {"id": billing.account}})),
        )
        .await;
    asked.assert_status(StatusCode::CREATED, "request");
    assert_conforms(TMF678, "CustomerBillOnDemand", &asked.body, "request");
    assert_eq!(asked.body["state"], "inProgress");
    let id = asked.id();
    // The server restarts before the job ran: another instance over the same database.
    let restarted = billing.app.another_instance().await;
    let job = restarted
        .jobs
        .iter()
        .find(|job| job.name() == "billOnDemand")
        .expect("the job")
        .clone();
    let changed = job.run_once().await.expect("a pass");
    assert_eq!(changed, std::slice::from_ref(&id));
    let done = billing.app.get(&format!("{ON_DEMAND}/{id}")).await;
    assert_eq!(done.body["state"], "done", "{}", done.text);
    assert_conforms(TMF678, "CustomerBillOnDemand", &done.body, "done");
    let bill_id = done.body["customerBill"]["id"]
        .as_str()
        .expect("bill")
        .to_owned();
    let bill = billing.app.get(&format!("{BILLS}/{bill_id}")).await;
    assert_eq!(bill.body["amountDue"]["value"].to_string(), "55.00");
    assert_eq!(bill.body["state"], "new");
    assert_eq!(bill.body["runType"], "offCycle");
    assert_eq!(
        bill.body["billingPeriod"]["startDateTime"],
        "2026-12-01T00:00:00Z"
    );
    for rate in [&charge, &credit] {
        let rate = billing.app.get(&format!("{RATES}/{rate}")).await;
        assert_eq!(rate.body["isBilled"], true);
        assert_eq!(rate.body["bill"]["id"], bill_id.as_str());
    }
    assert_eq!(billing.receivable().await.as_deref(), Some("55.00"));
    // A second pass, on either instance, finds nothing to do.
    assert!(job.run_once().await.expect("again").is_empty());
    // With nothing left unbilled, the next request is rejected, saying why.
    let again = billing
        .send(
            &billing.csr,
            Method::POST,
            ON_DEMAND,
            Some(&json!({"billingAccount": {"id": billing.account}})),
        )
        .await;
    job.run_once().await.expect("a pass");
    let rejected = billing
        .app
        .get(&format!("{ON_DEMAND}/{}", again.id()))
        .await;
    assert_eq!(rejected.body["state"], "rejected");
    assert!(
        rejected.body["stateReason"]
            .as_str()
            .is_some_and(|r| r.contains("no unbilled rates")),
        "{}",
        rejected.text
    );
    // Lists filter by state.
    let listed = billing.app.get(&format!("{ON_DEMAND}?state=done")).await;
    assert_eq!(listed.header("x-total-count"), Some("1"));
}

#[tokio::test]
async fn a_request_names_its_account_or_a_party_owning_one() {
    let billing = Billing::open().await;
    let by_party = billing
        .send(
            &billing.csr,
            Method::POST,
            ON_DEMAND,
            Some(&json!({"relatedParty": {"id": billing.party, "role": "customer", "@referredType": "Individual"}})),
        )
        .await;
    by_party.assert_status(StatusCode::CREATED, "by party");
    assert_eq!(
        by_party.body["billingAccount"]["id"],
        billing.account.as_str()
    );
    for (body, status, named) in [
        (json!({}), 422, "'billingAccount'"),
        (
            json!({"billingAccount": {"id": "nope"}}),
            422,
            "'billingAccount'",
        ),
        (
            json!({"billingAccount": {"id": billing.account}, "state": "done"}),
            422,
            "inProgress",
        ),
        (
            json!({"billingAccount": {"id": billing.account}, "customerBill": {"id": "x"}}),
            422,
            "'customerBill'",
        ),
    ] {
        let refused = billing
            .send(&billing.csr, Method::POST, ON_DEMAND, Some(&body))
            .await;
        let message = refused.assert_tmf_error(status);
        assert!(message.contains(named), "{body}: {message}");
    }
    assert_eq!(billing.app.total(ON_DEMAND).await, 1);
    // A task: never changed or deleted.
    billing
        .app
        .patch(
            &format!("{ON_DEMAND}/{}", by_party.id()),
            MERGE,
            &json!({"name": "x"}),
        )
        .await
        .assert_tmf_error(405);
}

#[tokio::test]
async fn the_csr_sees_the_customer_s_bills_and_balance_in_the_360_view_and_timeline() {
    let billing = Billing::open().await;
    let customer = billing
        .app
        .customer("Ada Lovelace", &billing.party, "active")
        .await;
    let older = billing
        .push(&billing.bill("B-10", json!({"billDate": "2026-10-31T00:00:00Z"})))
        .await
        .id();
    let newer = billing.push(&billing.bill("B-11", json!({}))).await.id();
    billing
        .pay(&older, "pay-10", "120.00")
        .await
        .assert_status(StatusCode::CREATED, "paid");
    let view = billing
        .app
        .get(&format!("{}/{customer}/view", crm_tests::CUSTOMER))
        .await;
    view.assert_status(StatusCode::OK, "view");
    let bills = &view.body["bills"];
    assert_eq!(
        bills["recent"][0]["id"],
        newer.as_str(),
        "newest first: {bills}"
    );
    assert_eq!(bills["recent"][1]["id"], older.as_str());
    assert_eq!(bills["recent"][1]["state"], "settled");
    assert_eq!(bills["recent"][0]["paymentDueDate"], "2026-12-20T00:00:00Z");
    assert_eq!(
        bills["recent"][0]["remainingAmount"]["value"].to_string(),
        "120.00"
    );
    assert_eq!(bills["receivableBalance"][0]["value"].to_string(), "120.00");
    assert_eq!(bills["complete"], true);
    let timeline = billing
        .app
        .get(&format!("{}/{customer}/timeline", crm_tests::CUSTOMER))
        .await;
    let bill_entries: Vec<&Value> = timeline
        .body
        .as_array()
        .into_iter()
        .flatten()
        .filter(|entry| entry["kind"] == "bill")
        .collect();
    // Two bills issued and one payment.
    assert_eq!(bill_entries.len(), 3, "{}", timeline.text);
    assert!(
        bill_entries
            .iter()
            .any(|e| e["action"] == "update" && e["resourceId"] == older.as_str())
    );
}

#[tokio::test]
async fn bills_rates_and_requests_emit_their_events() {
    let billing = Billing::open().await;
    let bill = billing.push(&billing.bill("B-E", json!({}))).await.id();
    billing.unbilled("appliedBillingCharge", "1.00").await;
    billing
        .app
        .patch(
            &format!("{BILLS}/{bill}"),
            MERGE,
            &json!({"state": "onHold"}),
        )
        .await
        .assert_status(StatusCode::OK, "held");
    billing
        .send(
            &billing.csr,
            Method::POST,
            ON_DEMAND,
            Some(&json!({"billingAccount": {"id": billing.account}})),
        )
        .await
        .assert_status(StatusCode::CREATED, "request");
    let types = billing.app.event_types().await;
    for expected in [
        "CustomerBillCreateEvent",
        "CustomerBillStateChangeEvent",
        "AppliedCustomerBillingRateCreateEvent",
        "CustomerBillOnDemandCreateEvent",
    ] {
        assert!(
            types.iter().any(|t| t == expected),
            "{expected} in {types:?}"
        );
    }
}

#[tokio::test]
async fn concurrent_payments_never_take_a_bill_below_zero() {
    let billing = Billing::open().await;
    let other = billing.app.another_instance().await;
    let id = bill_in(&billing, "B-C", State::Sent).await;
    // Ten payments of 20.00 race for a bill of 120.00 from two instances: six fit.
    let payments = (0..10).map(|i| {
        let app = if i % 2 == 0 { &billing.app } else { &other };
        let body: Value =
            json!({"payment": {"id": format!("pay-{i}")}, "appliedAmount": eur("20.00")});
        let uri = format!("{BILLS}/{id}/appliedPayment");
        let biller = billing.biller.clone();
        async move {
            app.send_with(
                Method::POST,
                &uri,
                &[("Authorization", biller.as_str())],
                Some(&body),
            )
            .await
        }
    });
    let results = futures_util::future::join_all(payments).await;
    let applied = results
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    let refused = results.iter().filter(|r| r.status.as_u16() == 422).count();
    assert_eq!(
        (applied, refused),
        (6, 4),
        "{:?}",
        results.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
    let bill = billing.app.get(&format!("{BILLS}/{id}")).await;
    assert_eq!(bill.body["remainingAmount"]["value"].to_string(), "0.00");
    assert_eq!(bill.body["state"], "settled");
    assert_eq!(
        bill.body["appliedPayment"].as_array().map(Vec::len),
        Some(6)
    );
    assert_eq!(billing.receivable().await.as_deref(), Some("0.00"));
}
