//! What the billing tests share: a customer's billing account with a sent bill of 120.00 EUR
//! made of two lines (80.00 and 40.00), pushed by the billing system, and readers of the money
//! it moves.

use axum::http::{Method, StatusCode};
use crm_tests::TestApp;
use serde_json::{Value, json};

pub(crate) const BILLS: &str = "/tmf-api/customerBillManagement/v4/customerBill";
pub(crate) const RATES: &str = "/tmf-api/customerBillManagement/v4/appliedCustomerBillingRate";
pub(crate) const BILLING_ACCOUNT: &str = "/tmf-api/accountManagement/v4/billingAccount";
pub(crate) const TICKETS: &str = "/tmf-api/troubleTicket/v4/troubleTicket";

/// A JSON number from its exact text (a `json!` literal would go through an f64).
pub(crate) fn number(text: &str) -> Value {
    serde_json::from_str(text).expect("a number")
}

/// An amount in euros, exactly as written.
pub(crate) fn eur(value: &str) -> Value {
    json!({"unit": "EUR", "value": number(value)})
}

/// A billed customer.
pub(crate) struct Billed {
    pub(crate) app: TestApp,
    pub(crate) party: String,
    pub(crate) account: String,
    pub(crate) bill: String,
    pub(crate) lines: Vec<String>,
    /// The billing system's bearer header value.
    pub(crate) biller: String,
}

impl Billed {
    pub(crate) async fn open(given: &str, family: &str) -> Self {
        let app = TestApp::new().await;
        let party = app.individual(given, family).await;
        let account = app
            .post(
                BILLING_ACCOUNT,
                &json!({"name": format!("{given}'s bills"), "relatedParty": [
                    {"id": party, "role": "owner", "@referredType": "Individual"}]}),
            )
            .await
            .id();
        let biller = format!("Bearer {}", app.token("billing-run", &["billing-system"]));
        let auth = [("Authorization", biller.as_str())];
        let bill = app
            .send_with(
                Method::POST,
                BILLS,
                &auth,
                Some(&json!({"billNo": "B-1", "billingAccount": {"id": account},
                    "amountDue": eur("120.00"), "taxIncludedAmount": eur("120.00"), "state": "sent"})),
            )
            .await;
        bill.assert_status(StatusCode::CREATED, "bill");
        let mut lines = Vec::new();
        for (name, amount) in [("Fibre 500", "80.00"), ("TV pack", "40.00")] {
            let line = app
                .send_with(
                    Method::POST,
                    RATES,
                    &auth,
                    Some(
                        &json!({"name": name, "type": "appliedBillingCharge", "isBilled": true,
                        "bill": {"id": bill.id()}, "taxIncludedAmount": eur(amount)}),
                    ),
                )
                .await;
            line.assert_status(StatusCode::CREATED, "line");
            lines.push(line.id());
        }
        Self {
            app,
            party,
            account,
            bill: bill.id(),
            lines,
            biller,
        }
    }

    /// The account's balance of `kind` (`disputedBalance`), as its JSON number text.
    pub(crate) async fn balance(&self, kind: &str) -> Option<String> {
        let account = self
            .app
            .get(&format!("{BILLING_ACCOUNT}/{}", self.account))
            .await;
        account.body["accountBalance"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|b| b["balanceType"] == kind)
            .map(|b| b["amount"]["value"].to_string())
    }

    /// The bill's remaining amount, as its JSON number text.
    pub(crate) async fn remaining(&self) -> String {
        self.app.get(&format!("{BILLS}/{}", self.bill)).await.body["remainingAmount"]["value"]
            .to_string()
    }
}

/// A test's own fixture over a [`Billed`] customer reads like one.
macro_rules! billed_fixture {
    ($name:ident) => {
        impl std::ops::Deref for $name {
            type Target = crate::billed::Billed;

            fn deref(&self) -> &Self::Target {
                &self.billed
            }
        }
    };
}

pub(crate) use billed_fixture;
