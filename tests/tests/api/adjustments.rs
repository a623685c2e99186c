//! Adjustments: proposed by a CSR, approved automatically at or below the threshold or by a
//! supervisor who is not the proposer above it, applied as a credit rate with the bill, the
//! balances and the dispute in one transaction, never changed once applied, undone only by one
//! reversal — and the full CSR flow from a dispute on two bill lines to the credit.

use axum::http::{Method, StatusCode};
use crm_tests::TestResponse;
use serde_json::{Value, json};

use crate::billed::{BILLS, Billed, RATES, TICKETS, billed_fixture, eur, number};

const ADJUSTMENTS: &str = "/tmf-api/customerBillManagement/v4/billAdjustment";
const MERGE: &str = "application/merge-patch+json";

/// A billed customer, a CSR and two supervisors.
struct Office {
    billed: Billed,
    csr: String,
    supervisor: String,
    second_supervisor: String,
}

billed_fixture!(Office);

impl Office {
    async fn open() -> Self {
        let billed = Billed::open("Ada", "Byron").await;
        let token = |subject, role| format!("Bearer {}", billed.app.token(subject, &[role]));
        Self {
            csr: token("csr-anna", "csr"),
            supervisor: token("sup-bob", "supervisor"),
            second_supervisor: token("sup-carol", "supervisor"),
            billed,
        }
    }

    async fn send(&self, token: &str, method: Method, uri: &str, body: &Value) -> TestResponse {
        self.app
            .send_with(
                method,
                uri,
                &[("Authorization", token), ("X-Reason", "customer call")],
                Some(body),
            )
            .await
    }

    fn credit(&self, amount: &str, extra: Value) -> Value {
        let mut body = json!({"type": "credit", "amount": eur(amount), "reasonCode": "disputeGranted",
            "glCode": "4100-credits", "bill": {"id": self.bill}});
        if let (Value::Object(body), Value::Object(extra)) = (&mut body, extra) {
            for (key, value) in extra {
                if value.is_null() {
                    body.remove(&key);
                } else {
                    body.insert(key, value);
                }
            }
        }
        body
    }

    fn characteristic<'a>(ticket: &'a Value, name: &str) -> Option<&'a Value> {
        ticket["troubleTicketCharacteristic"]
            .as_array()?
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| &c["value"])
    }
}

#[tokio::test]
async fn a_csr_takes_a_dispute_on_two_lines_to_a_credit_a_supervisor_approves() {
    let office = Office::open().await;
    // The customer disputes two lines of the bill.
    let dispute = office
        .send(
            &office.csr,
            Method::POST,
            TICKETS,
            &json!({
                "description": "Charged for a TV pack never ordered, and the fibre was down a week",
                "severity": "Minor", "ticketType": "Bill Dispute",
                "relatedEntity": [
                    {"id": office.lines[0], "role": "disputedItem", "@referredType": "AppliedCustomerBillingRate"},
                    {"id": office.lines[1], "role": "disputedItem", "@referredType": "AppliedCustomerBillingRate"}],
                "troubleTicketCharacteristic": [
                    {"name": "disputeAmount", "value": number("60.00")},
                    {"name": "currency", "value": "EUR"},
                    {"name": "reasonCode", "value": "serviceNotReceived"}]}),
        )
        .await;
    dispute.assert_status(StatusCode::CREATED, "dispute");
    let dispute_id = dispute.id();
    assert_eq!(
        office.balance("disputedBalance").await.as_deref(),
        Some("60.00")
    );
    // The CSR proposes a partial grant: above the threshold, so it waits for a supervisor.
    let proposed = office
        .send(
            &office.csr,
            Method::POST,
            ADJUSTMENTS,
            &office.credit("55.00", json!({"dispute": {"id": dispute_id}})),
        )
        .await;
    proposed.assert_status(StatusCode::CREATED, "proposed");
    assert_eq!(proposed.body["state"], "proposed");
    assert_eq!(
        proposed.body["billingAccount"]["id"],
        office.account.as_str()
    );
    assert_eq!(proposed.body["relatedParty"][0]["id"], "csr-anna");
    let id = proposed.id();
    let path = format!("{ADJUSTMENTS}/{id}");
    // A CSR cannot approve it.
    let by_csr = office
        .send(
            &office.csr,
            Method::PATCH,
            &path,
            &json!({"state": "approved"}),
        )
        .await;
    let message = by_csr.assert_tmf_error(403);
    assert!(message.contains("supervisor"), "{message}");
    assert_eq!(office.remaining().await, "120.00", "nothing moved");
    // A supervisor approves: the credit is applied in the same transaction.
    let approved = office
        .send(
            &office.supervisor,
            Method::PATCH,
            &path,
            &json!({"state": "approved"}),
        )
        .await;
    approved.assert_status(StatusCode::OK, "approved");
    assert_eq!(approved.body["state"], "applied");
    assert_eq!(approved.body["approvalMode"], "maker-checker");
    let roles: Vec<(&str, &str)> = approved.body["relatedParty"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p["role"].as_str().unwrap_or(""),
                p["id"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(roles, [("proposer", "csr-anna"), ("approver", "sup-bob")]);
    let rate_id = approved.body["appliedRate"]["id"]
        .as_str()
        .expect("a rate")
        .to_owned();
    let rate = office.app.get(&format!("{RATES}/{rate_id}")).await;
    assert_eq!(rate.body["type"], "appliedBillingCredit");
    assert_eq!(rate.body["isBilled"], false);
    assert_eq!(rate.body["billingAccount"]["id"], office.account.as_str());
    assert_eq!(rate.body["taxIncludedAmount"]["value"].to_string(), "55.00");
    assert!(rate.text.contains(&dispute_id) && rate.text.contains(&id));
    assert_eq!(office.remaining().await, "65.00");
    assert_eq!(
        office.balance("receivableBalance").await.as_deref(),
        Some("65.00")
    );
    let ticket = office
        .app
        .get(&format!("{TICKETS}/{dispute_id}"))
        .await
        .body;
    assert_eq!(
        Office::characteristic(&ticket, "grantedAmount")
            .map(Value::to_string)
            .as_deref(),
        Some("55.00")
    );
    // The CSR's picture: the open dispute, the disputed balance, the applied credit.
    let customer = office
        .app
        .customer("Ada Byron", &office.party, "active")
        .await;
    let view = office
        .app
        .get(&format!("{}/{customer}/view", crm_tests::CUSTOMER))
        .await
        .body;
    let disputes = &view["disputes"];
    assert_eq!(disputes["open"][0]["id"], dispute_id.as_str(), "{disputes}");
    assert_eq!(disputes["open"][0]["disputeAmount"].to_string(), "60.00");
    assert_eq!(disputes["open"][0]["grantedAmount"].to_string(), "55.00");
    assert_eq!(disputes["disputedBalance"][0]["value"].to_string(), "60.00");
    assert_eq!(disputes["recentAdjustments"][0]["id"], id.as_str());
    assert_eq!(disputes["recentAdjustments"][0]["state"], "applied");
    assert_eq!(view["bills"]["recent"][0]["state"], "onHold");
    let timeline = office
        .app
        .get(&format!("{}/{customer}/timeline", crm_tests::CUSTOMER))
        .await
        .body;
    assert!(
        timeline
            .as_array()
            .into_iter()
            .flatten()
            .any(|e| e["kind"] == "adjustment"),
        "{timeline}"
    );
    // The rest is denied and the dispute resolved: the hold and the disputed balance go.
    let mut characteristics = ticket["troubleTicketCharacteristic"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    characteristics.push(json!({"name": "deniedAmount", "value": number("5.00")}));
    for status in ["inProgress", "resolved"] {
        office
            .send(
                &office.csr,
                Method::PATCH,
                &format!("{TICKETS}/{dispute_id}"),
                &json!({"status": status, "troubleTicketCharacteristic": characteristics}),
            )
            .await
            .assert_status(StatusCode::OK, status);
    }
    assert_eq!(
        office.balance("disputedBalance").await.as_deref(),
        Some("0.00")
    );
    let bill = office
        .app
        .get(&format!("{BILLS}/{}", office.bill))
        .await
        .body;
    assert_eq!(bill["state"], "sent");
    // The events the billing system needs, and who did what, with why.
    let types = office.app.event_types().await;
    for expected in [
        "BillAdjustmentCreateEvent",
        "BillAdjustmentStateChangeEvent",
        "BillAdjustmentAppliedEvent",
    ] {
        assert!(
            types.iter().any(|t| t == expected),
            "{expected} in {types:?}"
        );
    }
    let history = office.app.get(&format!("{path}/history")).await.body;
    let entries: Vec<(&str, &str)> = history
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["actor"]["id"].as_str().unwrap_or(""),
                e["reason"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(
        entries.contains(&("sup-bob", "customer call")),
        "{entries:?}"
    );
    assert!(
        entries.contains(&("csr-anna", "customer call")),
        "{entries:?}"
    );
}

#[tokio::test]
async fn nobody_approves_their_own_adjustment_above_the_threshold_admins_included() {
    let office = Office::open().await;
    for (who, roles) in [("sup-dave", &["supervisor"][..]), ("root", &["admin"][..])] {
        let token = format!("Bearer {}", office.app.token(who, roles));
        let proposed = office
            .send(
                &token,
                Method::POST,
                ADJUSTMENTS,
                &office.credit("50.01", json!({})),
            )
            .await;
        proposed.assert_status(StatusCode::CREATED, "proposed");
        let own = office
            .send(
                &token,
                Method::PATCH,
                &format!("{ADJUSTMENTS}/{}", proposed.id()),
                &json!({"state": "approved"}),
            )
            .await;
        let message = own.assert_tmf_error(403);
        assert!(message.contains("maker-checker"), "{message}");
    }
    assert_eq!(office.remaining().await, "120.00");
    // At or below the threshold, approval is immediate and recorded as automatic.
    let goodwill = office
        .send(
            &office.csr,
            Method::POST,
            ADJUSTMENTS,
            &office.credit("50.00", json!({"reasonCode": "goodwill", "bill": null, "billingAccount": {"id": office.account}})),
        )
        .await;
    goodwill.assert_status(StatusCode::CREATED, "goodwill");
    assert_eq!(goodwill.body["state"], "applied");
    assert_eq!(goodwill.body["approvalMode"], "automatic");
    assert_eq!(
        office.remaining().await,
        "120.00",
        "an account credit waits for the next bill"
    );
}

#[tokio::test]
async fn an_applied_adjustment_is_never_changed_only_reversed_once() {
    let office = Office::open().await;
    let applied = office
        .send(
            &office.csr,
            Method::POST,
            ADJUSTMENTS,
            &office.credit("20.00", json!({})),
        )
        .await;
    applied.assert_status(StatusCode::CREATED, "applied at once");
    let id = applied.id();
    assert_eq!(office.remaining().await, "100.00");
    let path = format!("{ADJUSTMENTS}/{id}");
    office
        .app
        .patch(&path, MERGE, &json!({"amount": eur("10.00")}))
        .await
        .assert_tmf_error(409);
    office.app.delete(&path).await.assert_tmf_error(405);
    let reversal = json!({"type": "credit", "amount": eur("20.00"), "reasonCode": "reversal",
        "reversalOf": {"id": id}});
    let reversed = office
        .send(&office.csr, Method::POST, ADJUSTMENTS, &reversal)
        .await;
    reversed.assert_status(StatusCode::CREATED, "reversal");
    assert_eq!(reversed.body["state"], "applied");
    assert_eq!(office.remaining().await, "120.00", "the money moved back");
    let original = office.app.get(&path).await.body;
    assert_eq!(original["state"], "reversed");
    assert_eq!(original["reversedBy"]["id"], reversed.id().as_str());
    let back_rate = office
        .app
        .get(&format!(
            "{RATES}/{}",
            reversed.body["appliedRate"]["id"].as_str().expect("rate")
        ))
        .await;
    assert_eq!(back_rate.body["type"], "appliedBillingCharge");
    // One reversal per adjustment: the same request is the same reversal, another a conflict.
    let again = office
        .send(&office.csr, Method::POST, ADJUSTMENTS, &reversal)
        .await;
    again.assert_status(StatusCode::OK, "the same reversal");
    assert_eq!(again.id(), reversed.id());
    let other = json!({"type": "credit", "amount": eur("20.00"), "reasonCode": "reversal",
        "reversalOf": {"id": id}, "description": "again"});
    office
        .send(&office.csr, Method::POST, ADJUSTMENTS, &other)
        .await
        .assert_tmf_error(409);
    assert_eq!(office.remaining().await, "120.00");
}

#[tokio::test]
async fn each_adjustment_rule_refuses_naming_what_and_moves_nothing() {
    let office = Office::open().await;
    let mut usd = office.credit("10.00", json!({}));
    usd["amount"]["unit"] = json!("USD");
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            office.credit("0", json!({})),
            422,
            "'amount' must be positive",
        ),
        (
            office.credit("10.00", json!({"reasonCode": "because"})),
            422,
            "'reasonCode'",
        ),
        (
            office.credit("10.00", json!({"glCode": "9999"})),
            422,
            "'glCode'",
        ),
        (usd, 422, "bill"),
        (
            office.credit(
                "10.00",
                json!({"taxExcludedAmount": eur("8.00"),
            "taxItem": [{"taxAmount": eur("1.00")}]}),
            ),
            422,
            "taxExcludedAmount",
        ),
        (office.credit("130.00", json!({"glCode": null})), 403, ""),
        (
            office.credit("10.00", json!({"bill": null})),
            422,
            "'billingAccount'",
        ),
        (
            office.credit("10.00", json!({"dispute": {"id": "no-such-ticket"}})),
            422,
            "'dispute'",
        ),
        (
            office.credit("10.00", json!({"state": "applied"})),
            422,
            "state",
        ),
    ];
    for (body, status, named) in cases {
        let refused = office
            .send(&office.csr, Method::POST, ADJUSTMENTS, &body)
            .await;
        if status == 403 {
            // Above the threshold a credit larger than the bill is only proposed; approving
            // it is refused for the remaining amount.
            refused.assert_status(StatusCode::CREATED, "proposed");
            let approve = office
                .send(
                    &office.supervisor,
                    Method::PATCH,
                    &format!("{ADJUSTMENTS}/{}", refused.id()),
                    &json!({"state": "approved"}),
                )
                .await;
            let message = approve.assert_tmf_error(422);
            assert!(message.contains("remains to be paid"), "{message}");
            continue;
        }
        let message = refused.assert_tmf_error(status);
        assert!(message.contains(named), "{named}: {message}");
    }
    assert_eq!(office.remaining().await, "120.00");
    assert_eq!(office.app.total(RATES).await, 2, "no credit rate");
}

#[tokio::test]
async fn two_approvals_racing_apply_the_adjustment_once() {
    let office = Office::open().await;
    let other = office.app.another_instance().await;
    let proposed = office
        .send(
            &office.csr,
            Method::POST,
            ADJUSTMENTS,
            &office.credit("60.00", json!({})),
        )
        .await;
    proposed.assert_status(StatusCode::CREATED, "proposed");
    let path = format!("{ADJUSTMENTS}/{}", proposed.id());
    let approve = json!({"state": "approved"});
    let first = [("Authorization", office.supervisor.as_str())];
    let second = [("Authorization", office.second_supervisor.as_str())];
    let (a, b) = tokio::join!(
        office
            .app
            .send_with(Method::PATCH, &path, &first, Some(&approve)),
        other.send_with(Method::PATCH, &path, &second, Some(&approve)),
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{} {}", a.text, b.text);
    assert_eq!(office.remaining().await, "60.00", "applied once");
    assert_eq!(office.app.total(RATES).await, 3, "one credit rate");
}

/// A small deterministic generator for the sequences below (xorshift64*).
pub(crate) struct Dice(pub(crate) u64);

impl Dice {
    pub(crate) fn roll(&mut self, sides: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % sides.max(1)
    }

    fn cents(&mut self, most: u64) -> String {
        let cents = 1 + self.roll(most);
        format!("{}.{:02}", cents / 100, cents % 100)
    }
}

fn decimal(value: &Value) -> rust_decimal::Decimal {
    let text = match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    text.parse().unwrap_or_default()
}

/// The invariants every sequence keeps: each dispute's outcome within what it disputes, the
/// disputed balance the sum of the open disputes, the bill's remaining amount never negative
/// and equal to what is due less payments and adjustments, the receivable balance with it.
async fn assert_money_invariants(office: &Office, disputes: &[String], step: &str) {
    use rust_decimal::Decimal;
    let mut open_total = Decimal::ZERO;
    for id in disputes {
        let ticket = office.app.get(&format!("{TICKETS}/{id}")).await.body;
        let amount = |name| {
            Office::characteristic(&ticket, name)
                .map(decimal)
                .unwrap_or_default()
        };
        let disputed = amount("disputeAmount");
        let settled = amount("grantedAmount") + amount("deniedAmount") + amount("writtenOffAmount");
        assert!(
            settled <= disputed,
            "{step}: {settled} settled of {disputed} disputed"
        );
        if matches!(
            ticket["status"].as_str(),
            Some("acknowledged" | "inProgress" | "pending" | "held")
        ) {
            open_total += disputed;
        }
    }
    let disputed_balance = office
        .balance("disputedBalance")
        .await
        .map(|v| decimal(&Value::String(v)));
    assert_eq!(
        disputed_balance.unwrap_or_default(),
        open_total,
        "{step}: disputed balance"
    );
    let bill = office
        .app
        .get(&format!("{BILLS}/{}", office.bill))
        .await
        .body;
    let remaining = decimal(&bill["remainingAmount"]["value"]);
    assert!(remaining >= Decimal::ZERO, "{step}: remaining {remaining}");
    let paid: Decimal = bill["appliedPayment"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| decimal(&p["appliedAmount"]["value"]))
        .sum();
    let adjusted: Decimal = bill["appliedAdjustment"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| decimal(&a["owedDelta"]))
        .sum();
    assert_eq!(
        remaining,
        decimal(&bill["amountDue"]["value"]) - paid + adjusted,
        "{step}: remaining"
    );
    let receivable = office
        .balance("receivableBalance")
        .await
        .map(|v| decimal(&Value::String(v)));
    let expected = match bill["state"].as_str() {
        Some("settled") => Decimal::ZERO,
        _ => remaining,
    };
    assert_eq!(
        receivable.unwrap_or(expected),
        expected,
        "{step}: receivable balance"
    );
}

#[tokio::test]
async fn random_sequences_of_disputes_adjustments_and_reversals_keep_every_cent() {
    // How many of each operation succeeded, over every sequence: each kind must have run.
    let mut succeeded = [0_u32; 7];
    for seed in [7_u64, 42, 1_234_567, 99_991] {
        let office = Office::open().await;
        let mut dice = Dice(seed);
        let mut disputes: Vec<String> = Vec::new();
        let mut adjustments: Vec<String> = Vec::new();
        for step in 0..14 {
            let roll = dice.roll(7);
            let label = format!("seed {seed} step {step} op {roll}");
            let response = match roll {
                0 | 1 => {
                    let target = match dice.roll(3) {
                        0 => json!([{"id": office.bill, "role": "disputedBill"}]),
                        n => json!([{"id": office.lines[n as usize - 1], "role": "disputedItem"}]),
                    };
                    let body = json!({"description": "random", "severity": "Minor",
                        "ticketType": "Bill Dispute", "relatedEntity": target,
                        "troubleTicketCharacteristic": [
                            {"name": "disputeAmount", "value": number(&dice.cents(6_000))},
                            {"name": "currency", "value": "EUR"},
                            {"name": "reasonCode", "value": "billingError"}]});
                    let raised = office.send(&office.csr, Method::POST, TICKETS, &body).await;
                    if raised.status == StatusCode::CREATED {
                        disputes.push(raised.id());
                    }
                    raised
                }
                2 | 3 if !disputes.is_empty() => {
                    let dispute = disputes[dice.roll(disputes.len() as u64) as usize].clone();
                    let kind = if dice.roll(2) == 0 {
                        "credit"
                    } else {
                        "writeOff"
                    };
                    let body = office.credit(
                        &dice.cents(4_000),
                        json!({"type": kind, "dispute": {"id": dispute}}),
                    );
                    let proposed = office
                        .send(&office.csr, Method::POST, ADJUSTMENTS, &body)
                        .await;
                    if proposed.status == StatusCode::CREATED {
                        adjustments.push(proposed.id());
                        if proposed.body["state"] == "proposed" {
                            office
                                .send(
                                    &office.supervisor,
                                    Method::PATCH,
                                    &format!("{ADJUSTMENTS}/{}", proposed.id()),
                                    &json!({"state": "approved"}),
                                )
                                .await
                        } else {
                            proposed
                        }
                    } else {
                        proposed
                    }
                }
                4 if !disputes.is_empty() => {
                    let dispute = &disputes[dice.roll(disputes.len() as u64) as usize];
                    let ticket = office.app.get(&format!("{TICKETS}/{dispute}")).await.body;
                    let mut characteristics = ticket["troubleTicketCharacteristic"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default();
                    let amount = |name| {
                        Office::characteristic(&ticket, name)
                            .map(decimal)
                            .unwrap_or_default()
                    };
                    let rest = amount("disputeAmount")
                        - amount("grantedAmount")
                        - amount("deniedAmount")
                        - amount("writtenOffAmount");
                    characteristics.retain(|c| c["name"] != "deniedAmount");
                    let denied = amount("deniedAmount") + rest;
                    characteristics.push(
                        json!({"name": "deniedAmount", "value": number(&denied.to_string())}),
                    );
                    let status = if dice.roll(2) == 0 {
                        "inProgress"
                    } else {
                        "cancelled"
                    };
                    office
                        .send(&office.csr, Method::PATCH, &format!("{TICKETS}/{dispute}"),
                            &json!({"status": status, "troubleTicketCharacteristic": characteristics}))
                        .await
                }
                5 if !adjustments.is_empty() => {
                    let original = &adjustments[dice.roll(adjustments.len() as u64) as usize];
                    let stored = office
                        .app
                        .get(&format!("{ADJUSTMENTS}/{original}"))
                        .await
                        .body;
                    let body = json!({"type": stored["type"], "amount": stored["amount"],
                        "reasonCode": "reversal", "reversalOf": {"id": original}});
                    let reversal = office
                        .send(&office.csr, Method::POST, ADJUSTMENTS, &body)
                        .await;
                    if reversal.body["state"] == "proposed" {
                        office
                            .send(
                                &office.supervisor,
                                Method::PATCH,
                                &format!("{ADJUSTMENTS}/{}", reversal.id()),
                                &json!({"state": "approved"}),
                            )
                            .await
                    } else {
                        reversal
                    }
                }
                _ => {
                    let biller = format!(
                        "Bearer {}",
                        office.app.token("billing-run", &["billing-system"])
                    );
                    let body = json!({"payment": {"id": format!("p-{seed}-{step}")},
                        "appliedAmount": eur(&dice.cents(3_000))});
                    office
                        .send(
                            &biller,
                            Method::POST,
                            &format!("{BILLS}/{}/appliedPayment", office.bill),
                            &body,
                        )
                        .await
                }
            };
            assert!(
                response.status.is_success() || response.status.is_client_error(),
                "{label}: {} {}",
                response.status,
                response.text
            );
            if response.status.is_success() {
                succeeded[roll as usize] += 1;
            }
            assert_money_invariants(&office, &disputes, &label).await;
        }
    }
    let kinds = [
        succeeded[0] + succeeded[1],
        succeeded[2] + succeeded[3],
        succeeded[4],
        succeeded[5],
        succeeded[6],
    ];
    assert!(
        kinds.iter().all(|n| *n > 0),
        "disputes, adjustments, workings, reversals, payments: {kinds:?}"
    );
}

#[tokio::test]
async fn a_reversal_racing_the_approval_of_its_original_keeps_the_bill_consistent() {
    let office = Office::open().await;
    let other = office.app.another_instance().await;
    let proposed = office
        .send(
            &office.csr,
            Method::POST,
            ADJUSTMENTS,
            &office.credit("60.00", json!({})),
        )
        .await;
    let id = proposed.id();
    let approve = json!({"state": "approved"});
    let reversal = json!({"type": "credit", "amount": eur("60.00"), "reasonCode": "reversal",
        "reversalOf": {"id": id}});
    let supervisor = [("Authorization", office.supervisor.as_str())];
    let second = [("Authorization", office.second_supervisor.as_str())];
    let path = format!("{ADJUSTMENTS}/{id}");
    let (approved, reversed) = tokio::join!(
        office
            .app
            .send_with(Method::PATCH, &path, &supervisor, Some(&approve)),
        other.send_with(Method::POST, ADJUSTMENTS, &second, Some(&reversal)),
    );
    approved.assert_status(StatusCode::OK, "approved");
    let original = office.app.get(&path).await.body;
    match reversed.status.as_u16() {
        // The reversal came first: nothing applied yet to reverse.
        409 => {
            assert_eq!(original["state"], "applied");
            assert_eq!(office.remaining().await, "60.00");
        }
        // After: proposed (above the threshold), to be approved by another supervisor.
        201 => {
            assert_eq!(reversed.body["state"], "proposed");
            office
                .send(
                    &office.supervisor,
                    Method::PATCH,
                    &format!("{ADJUSTMENTS}/{}", reversed.id()),
                    &approve,
                )
                .await
                .assert_status(StatusCode::OK, "reversal approved");
            assert_eq!(office.app.get(&path).await.body["state"], "reversed");
            assert_eq!(office.remaining().await, "120.00");
        }
        other => panic!("{other}: {}", reversed.text),
    }
    assert_money_invariants(&office, &[], "after the race").await;
}
