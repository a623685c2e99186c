//! TMF678 customer bills and applied customer billing rates read and written with documents like
//! the examples of the TMF678 user guide: amounts come back exactly as sent (`12.50` stays
//! `12.50`), and the bill states are the closed sets of the specification.
//!
//! The documents are JSON text, read as a request body is: a JSON number keeps its text, so
//! the scale of each amount (`60.00`, `0.20`) is part of what must come back.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sid_model::*;
use validator::Validate;

/// A partially paid monthly bill: 50.00 EUR before a 20 % VAT of 10.00, 60.00 due, of which
/// 47.50 has been paid, 12.50 remaining.
const CUSTOMER_BILL: &str = r#"{
    "id": "CB-2024-000123",
    "href": "https://host/tmf-api/customerBillManagement/v4/customerBill/CB-2024-000123",
    "billDate": "2024-05-01T00:00:00Z",
    "billNo": "INV-2024-05-000123",
    "category": "normal",
    "lastUpdate": "2024-05-20T09:30:00Z",
    "nextBillDate": "2024-06-01T00:00:00Z",
    "paymentDueDate": "2024-05-31T00:00:00Z",
    "runType": "onCycle",
    "amountDue": {"unit": "EUR", "value": 60.00},
    "appliedPayment": [
        {
            "appliedAmount": {"unit": "EUR", "value": 47.50},
            "payment": {
                "id": "PAY-9911",
                "href": "https://host/tmf-api/paymentManagement/v4/payment/PAY-9911",
                "name": "Card payment of 20 May",
                "@referredType": "Payment"
            },
            "@type": "AppliedPayment"
        }
    ],
    "billDocument": [
        {
            "id": "DOC-123",
            "attachmentType": "bill",
            "mimeType": "application/pdf",
            "name": "INV-2024-05-000123.pdf",
            "url": "https://host/documents/INV-2024-05-000123.pdf",
            "size": {"amount": 184.5, "units": "KB"},
            "@type": "Attachment",
            "@referredType": "Document"
        }
    ],
    "billingAccount": {
        "id": "BA-5566",
        "href": "https://host/tmf-api/accountManagement/v4/billingAccount/BA-5566",
        "name": "Jean Dupont - residential",
        "@referredType": "BillingAccount"
    },
    "billingPeriod": {"startDateTime": "2024-04-01T00:00:00Z", "endDateTime": "2024-04-30T23:59:59Z"},
    "financialAccount": {
        "id": "FA-77",
        "href": "https://host/tmf-api/accountManagement/v4/financialAccount/FA-77",
        "name": "Jean Dupont receivables",
        "accountBalance": [
            {
                "balanceType": "receivable balance",
                "amount": {"unit": "EUR", "value": 12.50},
                "validFor": {"startDateTime": "2024-05-20T09:30:00Z"}
            }
        ],
        "@referredType": "FinancialAccount"
    },
    "paymentMethod": {
        "id": "PM-3",
        "href": "https://host/tmf-api/paymentMethods/v4/paymentMethod/PM-3",
        "name": "Visa ending 4242",
        "@referredType": "BankCard"
    },
    "relatedParty": [
        {
            "id": "CUST-1140",
            "href": "https://host/tmf-api/customerManagement/v4/customer/CUST-1140",
            "name": "Jean Dupont",
            "role": "bill receiver",
            "@referredType": "Customer"
        },
        {"id": "ORG-1", "name": "Example Telecom", "role": "bill issuer", "@referredType": "Organization"}
    ],
    "remainingAmount": {"unit": "EUR", "value": 12.50},
    "state": "partiallyPaid",
    "taxExcludedAmount": {"unit": "EUR", "value": 50.00},
    "taxIncludedAmount": {"unit": "EUR", "value": 60.00},
    "taxItem": [
        {"taxCategory": "VAT", "taxRate": 0.20, "taxAmount": {"unit": "EUR", "value": 10.00}}
    ],
    "@baseType": "CustomerBill",
    "@schemaLocation": "https://host/schemas/CustomerBill.schema.json",
    "@type": "CustomerBill"
}"#;

/// A monthly subscription charge of 12.50 EUR, billed on the bill above, with 2.50 of VAT and
/// a characteristic of its own.
const APPLIED_CUSTOMER_BILLING_RATE: &str = r#"{
    "id": "ACBR-4001",
    "href": "https://host/tmf-api/customerBillManagement/v4/appliedCustomerBillingRate/ACBR-4001",
    "date": "2024-04-30T23:59:59Z",
    "description": "Fibre 1 Gb/s - monthly fee",
    "isBilled": true,
    "name": "Monthly fee",
    "type": "appliedBillingCharge",
    "appliedTax": [
        {"taxCategory": "VAT", "taxRate": 0.20, "taxAmount": {"unit": "EUR", "value": 2.50}}
    ],
    "bill": {
        "id": "CB-2024-000123",
        "href": "https://host/tmf-api/customerBillManagement/v4/customerBill/CB-2024-000123",
        "@referredType": "CustomerBill"
    },
    "billingAccount": {
        "id": "BA-5566",
        "href": "https://host/tmf-api/accountManagement/v4/billingAccount/BA-5566",
        "name": "Jean Dupont - residential"
    },
    "characteristic": [
        {"name": "chargeType", "valueType": "string", "value": "recurringCharge"},
        {"name": "prorationRatio", "valueType": "number", "value": 1.000}
    ],
    "periodCoverage": {"startDateTime": "2024-04-01T00:00:00Z", "endDateTime": "2024-04-30T23:59:59Z"},
    "product": {
        "id": "PRD-8812",
        "href": "https://host/tmf-api/productInventoryManagement/v4/product/PRD-8812",
        "name": "Fibre 1 Gb/s"
    },
    "taxExcludedAmount": {"unit": "EUR", "value": 12.50},
    "taxIncludedAmount": {"unit": "EUR", "value": 15.00},
    "@type": "AppliedCustomerBillingRate"
}"#;

/// Reads `text` as `T`, validates it, and checks it is written back as sent, to the text.
fn read_exactly<T: DeserializeOwned + Serialize + Validate>(text: &str) -> T {
    let value: T = serde_json::from_str(text).expect("a valid document");
    value.validate().expect("no rule broken");
    let sent: Value = serde_json::from_str(text).expect("JSON");
    let written = serde_json::to_value(&value).expect("serialise");
    assert_eq!(written, sent, "written back unchanged");
    // As text too (a JSON number keeps its text here, so the amounts keep their scale).
    assert_eq!(
        serde_json::to_string(&written).expect("text"),
        serde_json::to_string(&sent).expect("text")
    );
    value
}

fn eur(text: &str) -> Money {
    Money::new(
        CurrencyCode::EUR,
        Decimal::from_str(text).expect("decimal literal"),
    )
}

fn amount(money: Option<&Money>) -> String {
    money.expect("an amount").to_string()
}

#[test]
fn a_customer_bill_keeps_its_amounts_exactly() {
    let bill: CustomerBill = read_exactly(CUSTOMER_BILL);
    let text = serde_json::to_string(&bill).expect("text");
    assert!(
        text.contains(r#""remainingAmount":{"unit":"EUR","value":12.50}"#),
        "{text}"
    );
    assert!(text.contains(r#""taxRate":0.20"#), "{text}");
    assert_eq!(bill.bill_no.as_deref(), Some("INV-2024-05-000123"));
    assert_eq!(bill.state, Some(CustomerBillStateType::PartiallyPaid));
    assert_eq!(amount(bill.amount_due.as_ref()), "60.00 EUR");
    assert_eq!(amount(bill.remaining_amount.as_ref()), "12.50 EUR");
    assert_eq!(amount(bill.tax_excluded_amount.as_ref()), "50.00 EUR");
    assert_eq!(amount(bill.tax_included_amount.as_ref()), "60.00 EUR");

    let taxes = bill.tax_item.as_deref().expect("tax items");
    assert_eq!(
        taxes[0].tax_rate.map(|rate| rate.to_string()).as_deref(),
        Some("0.20")
    );
    assert_eq!(amount(taxes[0].tax_amount.as_ref()), "10.00 EUR");

    let payments = bill.applied_payment.as_deref().expect("applied payments");
    assert_eq!(amount(payments[0].applied_amount.as_ref()), "47.50 EUR");
    assert_eq!(
        payments[0]
            .payment
            .as_ref()
            .map(|payment| payment.id.as_str()),
        Some("PAY-9911")
    );

    // The amounts add up exactly: excluded + tax = included, due - paid = remaining.
    let excluded = bill.tax_excluded_amount.as_ref().expect("excluded");
    let tax = taxes[0].tax_amount.as_ref().expect("tax");
    assert_eq!(excluded.checked_add(tax), Ok(eur("60.00")));
    let due = bill.amount_due.as_ref().expect("due");
    let paid = payments[0].applied_amount.as_ref().expect("paid");
    assert_eq!(
        due.checked_sub(paid).map(|left| left.to_string()),
        Ok("12.50 EUR".to_owned())
    );

    let balances = bill
        .financial_account
        .as_ref()
        .and_then(|account| account.account_balance.as_deref())
        .expect("a list of balances");
    assert_eq!(balances[0].amount.to_string(), "12.50 EUR");
    assert_eq!(
        bill.billing_account
            .as_ref()
            .map(|account| account.id.as_str()),
        Some("BA-5566")
    );
    assert_eq!(bill.related_party.as_ref().map(Vec::len), Some(2));
}

#[test]
fn an_applied_customer_billing_rate_keeps_its_amounts_exactly() {
    let rate: AppliedCustomerBillingRate = read_exactly(APPLIED_CUSTOMER_BILLING_RATE);
    assert_eq!(rate.id, "ACBR-4001");
    assert_eq!(rate.r#type.as_deref(), Some("appliedBillingCharge"));
    assert_eq!(rate.is_billed, Some(true));
    assert_eq!(
        rate.bill.as_ref().map(|bill| bill.id.as_str()),
        Some("CB-2024-000123")
    );
    assert_eq!(amount(rate.tax_excluded_amount.as_ref()), "12.50 EUR");
    assert_eq!(amount(rate.tax_included_amount.as_ref()), "15.00 EUR");

    let tax = &rate.applied_tax.as_deref().expect("applied taxes")[0];
    assert_eq!(
        tax.tax_rate.map(|rate| rate.to_string()).as_deref(),
        Some("0.20")
    );
    assert_eq!(amount(tax.tax_amount.as_ref()), "2.50 EUR");
    let excluded = rate.tax_excluded_amount.as_ref().expect("excluded");
    assert_eq!(
        excluded.checked_add(tax.tax_amount.as_ref().expect("tax")),
        Ok(eur("15.00"))
    );

    let characteristics = rate.characteristic.as_deref().expect("characteristics");
    assert_eq!(characteristics[0].name, "chargeType");
    assert_eq!(characteristics[0].value, "recurringCharge");
    assert_eq!(characteristics[1].value.to_string(), "1.000");
    assert_eq!(
        rate.product.as_ref().map(|product| product.id.as_str()),
        Some("PRD-8812")
    );
}

#[test]
fn an_applied_customer_billing_rate_needs_an_identifier() {
    let mut document: Value = serde_json::from_str(APPLIED_CUSTOMER_BILLING_RATE).expect("JSON");
    document.as_object_mut().expect("object").remove("id");
    assert!(serde_json::from_value::<AppliedCustomerBillingRate>(document.clone()).is_err());
    document["id"] = "".into();
    let rate: AppliedCustomerBillingRate = serde_json::from_value(document).expect("well-formed");
    let violation = first_violation(&rate.validate().expect_err("an empty id"));
    assert_eq!(violation.path, "id");
}

#[test]
fn a_bill_reference_has_no_name_and_an_amount_no_float() {
    // A `name` is not a property of a `BillRef`: it is kept as an extension attribute.
    let bill: BillRef =
        serde_json::from_str(r#"{"id": "CB-1", "name": "April"}"#).expect("kept as extension");
    assert_eq!(
        bill.extensions.get("name").and_then(Value::as_str),
        Some("April")
    );
    // An amount is a number of an ISO 4217 currency, held exactly.
    let payment: AppliedPayment =
        serde_json::from_str(r#"{"appliedAmount": {"unit": "EUR", "value": 0.10}}"#).expect("read");
    assert_eq!(amount(payment.applied_amount.as_ref()), "0.10 EUR");
    for wrong in [
        r#"{"appliedAmount": {"unit": "EURO", "value": 1}}"#,
        r#"{"appliedAmount": {"value": 1}}"#,
        r#"{"appliedAmount": {"unit": "EUR"}}"#,
    ] {
        assert!(
            serde_json::from_str::<AppliedPayment>(wrong).is_err(),
            "{wrong}"
        );
    }
}

#[test]
fn a_bill_on_demand_request_has_one_related_party_and_its_own_states() {
    let request: CustomerBillOnDemand = read_exactly(
        r#"{
            "name": "Closing bill",
            "description": "Bill the account before it is closed",
            "lastUpdate": "2024-05-20T09:30:00Z",
            "billingAccount": {"id": "BA-5566"},
            "relatedParty": {"id": "CUST-1140", "role": "requester", "@referredType": "Customer"},
            "state": "inProgress"
        }"#,
    );
    assert_eq!(
        request.state,
        Some(CustomerBillOnDemandStateType::InProgress)
    );
    assert_eq!(request.last_update.as_deref(), Some("2024-05-20T09:30:00Z"));
    assert_eq!(
        request
            .related_party
            .as_ref()
            .map(|party| party.id.as_str()),
        Some("CUST-1140")
    );
    // A list of related parties, or a bill's state, is not a bill on demand request's.
    for wrong in [
        r#"{"relatedParty": [{"id": "CUST-1140"}]}"#,
        r#"{"state": "new"}"#,
    ] {
        assert!(
            serde_json::from_str::<CustomerBillOnDemand>(wrong).is_err(),
            "{wrong}"
        );
    }
    // Nothing is required.
    let empty: CustomerBillOnDemand = read_exactly("{}");
    assert_eq!(empty, CustomerBillOnDemand::default());
}

#[test]
fn bill_states_follow_the_billing_lifecycle() {
    use CustomerBillStateType::*;
    assert_eq!(
        CustomerBillStateType::ALL.map(CustomerBillStateType::as_str),
        [
            "new",
            "onHold",
            "validated",
            "sent",
            "partiallyPaid",
            "settled"
        ]
    );
    // A billing system pushes bills in whatever state they are in.
    for state in CustomerBillStateType::ALL {
        assert!(check_create(state).is_ok(), "{state}");
    }
    assert!(check_move(New, Sent).is_ok());
    assert!(check_move(PartiallyPaid, Settled).is_ok());
    assert!(check_move(OnHold, Validated).is_ok());
    assert!(check_move(Sent, Validated).is_err());
    let refused = check_move(Settled, OnHold).expect_err("settled is final");
    assert_eq!(
        refused.to_string(),
        "CustomerBill cannot go from 'settled' to 'onHold'; allowed next states: none (the state is final)"
    );
    assert!(serde_json::from_str::<CustomerBillStateType>(r#""OnHold""#).is_err());

    use CustomerBillOnDemandStateType as OnDemand;
    assert!(check_create(OnDemand::InProgress).is_ok());
    assert!(check_create(OnDemand::Done).is_err());
    assert!(check_move(OnDemand::InProgress, OnDemand::TerminatedWithError).is_ok());
    assert!(check_move(OnDemand::Rejected, OnDemand::InProgress).is_err());
}
