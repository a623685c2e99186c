//! The seven resources of TMF666 Account Management, read and written with documents like the
//! examples of the TMF666 user guide.

use crate::support::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use sid_model::*;
use validator::Validate;

fn meta(kind: &str) -> Value {
    json!({
        "@baseType": kind,
        "@schemaLocation": format!("https://host/schemas/{kind}.schema.json"),
        "@type": kind
    })
}

/// `document` with the `@baseType`, `@schemaLocation` and `@type` of `kind`.
fn with_meta(mut document: Value, kind: &str) -> Value {
    let object = document.as_object_mut().expect("object");
    for (key, value) in meta(kind).as_object().expect("object") {
        object.insert(key.clone(), value.clone());
    }
    document
}

fn account_owner() -> Value {
    json!({
        "id": "1140",
        "href": "https://host/tmf-api/customerManagement/v4/customer/1140",
        "name": "Moon Football Club",
        "role": "owner",
        "@baseType": "RelatedParty",
        "@schemaLocation": "https://host/schemas/RelatedParty.schema.json",
        "@type": "RelatedParty",
        "@referredType": "Customer"
    })
}

fn balance(balance_type: &str, unit: &str, value: f64) -> Value {
    with_meta(
        json!({
            "balanceType": balance_type,
            "amount": {"unit": unit, "value": value},
            "validFor": {"startDateTime": "2019-04-01T00:00:00Z", "endDateTime": "2019-04-30T23:59:59Z"}
        }),
        "AccountBalance",
    )
}

fn payment_method() -> Value {
    json!({
        "id": "6879",
        "href": "https://host/tmf-api/paymentMethods/v4/paymentMethod/6879",
        "name": "Direct debit",
        "@baseType": "PaymentMethodRef",
        "@schemaLocation": "https://host/schemas/PaymentMethodRef.schema.json",
        "@type": "PaymentMethodRef",
        "@referredType": "BankAccountDebit"
    })
}

fn account_relationship() -> Value {
    with_meta(
        json!({
            "relationshipType": "aggregatedBy",
            "account": {
                "id": "8840",
                "href": "https://host/tmf-api/accountManagement/v4/partyAccount/8840",
                "description": "Account of the head office",
                "name": "Moon Football Club head office",
                "@baseType": "AccountRef",
                "@schemaLocation": "https://host/schemas/AccountRef.schema.json",
                "@type": "AccountRef",
                "@referredType": "PartyAccount"
            },
            "validFor": {"startDateTime": "2019-01-01T00:00:00Z"}
        }),
        "AccountRelationship",
    )
}

fn contact() -> Value {
    with_meta(
        json!({
            "contactName": "Jane Doe",
            "contactType": "primary",
            "partyRoleType": "accountManager",
            "contactMedium": [contact_medium(), {"mediumType": "email"}],
            "relatedParty": {
                "id": "42",
                "href": "https://host/tmf-api/partyManagement/v4/individual/42",
                "name": "Jane Doe",
                "role": "accountManager",
                "@referredType": "Individual"
            },
            "validFor": period()
        }),
        "Contact",
    )
}

fn tax_exemption() -> Value {
    with_meta(
        json!({
            "certificateNumber": "TX-6611-2019",
            "issuingJurisdiction": "State of New Jersey",
            "reason": "Non-profit sports club",
            "validFor": period()
        }),
        "AccountTaxExemption",
    )
}

fn billing_cycle_properties() -> Value {
    json!({
        "billingDateShift": 0,
        "billingPeriod": "month",
        "chargeDateOffset": 0,
        "creditDateOffset": 0,
        "description": "Monthly cycle, billed on the first day of the month",
        "frequency": "monthly",
        "mailingDateOffset": 2,
        "name": "Monthly on the 1st",
        "paymentDueDateOffset": 30,
        "validFor": {"startDateTime": "2019-01-01T00:00:00Z"}
    })
}

fn bill_structure() -> Value {
    let mut cycle = with_meta(billing_cycle_properties(), "BillingCycleSpecification");
    set(&mut cycle, "/id", json!("7745"));
    set(
        &mut cycle,
        "/href",
        json!("https://host/tmf-api/accountManagement/v4/billingCycleSpecification/7745"),
    );
    set(&mut cycle, "/dateShift", json!(0));
    set(&mut cycle, "/isRef", json!(false));
    set(
        &mut cycle,
        "/@referredType",
        json!("BillingCycleSpecification"),
    );
    with_meta(
        json!({
            "cycleSpecification": cycle,
            "format": {
                "id": "6574",
                "href": "https://host/tmf-api/accountManagement/v4/billFormat/6574",
                "description": "Detailed bill with every call",
                "isRef": true,
                "name": "Detailed",
                "@baseType": "BillFormat",
                "@schemaLocation": "https://host/schemas/BillFormat.schema.json",
                "@type": "BillFormat",
                "@referredType": "BillFormat"
            },
            "presentationMedia": [
                {"id": "8421", "isRef": true, "name": "Email", "@referredType": "BillPresentationMedia"},
                {
                    "href": "https://host/tmf-api/accountManagement/v4/billPresentationMedia/8422",
                    "description": "Paper bill sent by post",
                    "isRef": false,
                    "name": "Post mail"
                }
            ]
        }),
        "BillStructure",
    )
}

fn payment_plan() -> Value {
    with_meta(
        json!({
            "numberOfPayments": 3,
            "paymentFrequency": "monthly",
            "planType": "spread",
            "priority": 1,
            "status": "effective",
            "paymentMethod": payment_method(),
            "totalAmount": {"unit": "EUR", "value": 1200.5},
            "validFor": {"startDateTime": "2019-05-01T00:00:00Z", "endDateTime": "2019-07-31T00:00:00Z"}
        }),
        "PaymentPlan",
    )
}

/// A party account of `kind` (`PartyAccount`, `BillingAccount` or `SettlementAccount`), with
/// every property filled.
fn party_account(kind: &str, id: &str) -> Value {
    let path = kind[..1].to_lowercase() + &kind[1..];
    with_meta(
        json!({
            "id": id,
            "href": format!("https://host/tmf-api/accountManagement/v4/{path}/{id}"),
            "accountType": "business",
            "description": "Account of the Moon Football Club",
            "lastModified": "2019-04-18T23:45:44.244Z",
            "name": "Moon Football Club account",
            "paymentStatus": "due",
            "state": "Active",
            "accountBalance": [balance("receivable", "EUR", 1250.75), balance("disputed", "EUR", 0.1)],
            "accountRelationship": [account_relationship()],
            "billStructure": bill_structure(),
            "contact": [contact()],
            "creditLimit": {"unit": "EUR", "value": 5000},
            "defaultPaymentMethod": payment_method(),
            "financialAccount": {
                "id": "1828",
                "href": "https://host/tmf-api/accountManagement/v4/financialAccount/1828",
                "name": "Moon Football Club receivables",
                "accountBalance": balance("receivable", "EUR", 4230.4),
                "@baseType": "FinancialAccountRef",
                "@schemaLocation": "https://host/schemas/FinancialAccountRef.schema.json",
                "@type": "FinancialAccountRef",
                "@referredType": "FinancialAccount"
            },
            "paymentPlan": [payment_plan()],
            "relatedParty": [account_owner()],
            "taxExemption": [tax_exemption()]
        }),
        kind,
    )
}

fn financial_account() -> Value {
    with_meta(
        json!({
            "id": "1828",
            "href": "https://host/tmf-api/accountManagement/v4/financialAccount/1828",
            "accountType": "receivable",
            "description": "Receivables of the Moon Football Club",
            "lastModified": "2019-04-18T23:45:44.244Z",
            "name": "Moon Football Club receivables",
            "state": "Active",
            "accountBalance": [balance("receivable", "EUR", 4230.4)],
            "accountRelationship": [account_relationship()],
            "contact": [contact()],
            "creditLimit": {"unit": "EUR", "value": 20000},
            "relatedParty": [account_owner()],
            "taxExemption": [tax_exemption()]
        }),
        "FinancialAccount",
    )
}

fn billing_cycle_specification() -> Value {
    let mut document = with_meta(billing_cycle_properties(), "BillingCycleSpecification");
    set(&mut document, "/id", json!("7745"));
    set(
        &mut document,
        "/href",
        json!("https://host/tmf-api/accountManagement/v4/billingCycleSpecification/7745"),
    );
    document
}

fn bill_format() -> Value {
    with_meta(
        json!({
            "id": "6574",
            "href": "https://host/tmf-api/accountManagement/v4/billFormat/6574",
            "description": "Detailed bill with every call",
            "name": "Detailed"
        }),
        "BillFormat",
    )
}

fn bill_presentation_media() -> Value {
    with_meta(
        json!({
            "id": "8421",
            "href": "https://host/tmf-api/accountManagement/v4/billPresentationMedia/8421",
            "description": "Bill sent as a PDF attachment to the contact's email address",
            "name": "Email"
        }),
        "BillPresentationMedia",
    )
}

/// Checks that `document` is refused with each `(pointer, wrong value)` substitution.
fn assert_wrong_types_refused<T: DeserializeOwned>(document: &Value, cases: &[(&str, Value)]) {
    for (pointer, wrong) in cases {
        let mut changed = document.clone();
        set(&mut changed, pointer, wrong.clone());
        assert!(
            serde_json::from_value::<T>(changed).is_err(),
            "accepted {wrong} at {pointer}"
        );
    }
}

// --- PartyAccount, BillingAccount, SettlementAccount --------------------------------------

/// What the three party accounts share: the same properties, required ones and rules.
fn check_party_account<T>(kind: &str)
where
    T: DeserializeOwned + Serialize + Validate,
{
    // Every property round-trips unchanged.
    let document = party_account(kind, "4180");
    let (_, written) = read_and_write::<T>(&document);
    assert_eq!(written, document, "{kind}");

    // A name and one related party are enough; nothing absent is written.
    let minimal = json!({
        "name": "Moon Football Club account",
        "relatedParty": [{"id": "1140", "name": "Moon Football Club", "@referredType": "Customer"}]
    });
    assert_eq!(read_and_write::<T>(&minimal).1, minimal, "{kind}");

    // Unknown properties are kept, at the top and deep inside, and refused in strict mode.
    for pointer in [
        "/creditRating",
        "/billStructure/format/layout",
        "/accountBalance/0/amount/currency",
        "/financialAccount/accountBalance/validFor/duration",
    ] {
        let mut unknown = party_account(kind, "4180");
        set(&mut unknown, pointer, json!("surprise"));
        let name = pointer.rsplit('/').next().expect("a property");
        assert!(
            kept_unless_strict::<T>(unknown, pointer).contains(name),
            "{kind} {pointer}"
        );
    }

    // What TMF666 requires is required, except what the server completes from the stored
    // target of a reference (a related party's `name` and `@referredType`).
    for pointer in [
        "/name",
        "/relatedParty",
        "/relatedParty/0/id",
        "/accountBalance/0/balanceType",
        "/accountBalance/0/amount",
        "/accountBalance/0/validFor",
        "/accountBalance/0/amount/unit",
        "/accountRelationship/0/relationshipType",
        "/accountRelationship/0/account/id",
        "/contact/0/contactType",
        "/taxExemption/0/issuingJurisdiction",
        "/billStructure/format/isRef",
        "/billStructure/cycleSpecification/name",
        "/financialAccount/id",
        "/defaultPaymentMethod/id",
    ] {
        let mut document = party_account(kind, "4180");
        remove(&mut document, pointer);
        let name = pointer.rsplit('/').next().expect("a property");
        assert!(refusal::<T>(document).contains(name), "{kind} {pointer}");
    }

    // Values of the wrong type are refused.
    assert_wrong_types_refused::<T>(
        &party_account(kind, "4180"),
        &[
            ("/name", json!(4180)),
            ("/lastModified", json!("18/04/2019")),
            ("/relatedParty", json!(account_owner())),
            ("/accountBalance/0/amount/value", json!("a lot")),
            ("/creditLimit", json!(5000)),
            ("/billStructure/presentationMedia", json!({"name": "Email"})),
            ("/billStructure/format/isRef", json!("true")),
            (
                "/billStructure/cycleSpecification/billingDateShift",
                json!(1.5),
            ),
            ("/paymentPlan/0/numberOfPayments", json!("3")),
            ("/contact/0/contactMedium/0/preferred", json!("yes")),
            ("/financialAccount", json!(["1828"])),
        ],
    );

    // Balances, credit limits and payment plans are in ISO 4217 currencies only.
    for pointer in [
        "/accountBalance/1/amount/unit",
        "/creditLimit/unit",
        "/financialAccount/accountBalance/amount/unit",
        "/paymentPlan/0/totalAmount/unit",
    ] {
        let mut document = party_account(kind, "4180");
        set(&mut document, pointer, json!("XYZ"));
        assert!(refusal::<T>(document).contains("XYZ"), "{kind} {pointer}");
        let mut lower_case = party_account(kind, "4180");
        set(&mut lower_case, pointer, json!("eur"));
        assert!(refusal::<T>(lower_case).contains("eur"), "{kind} {pointer}");
    }

    // Rules name the offending property.
    let mut no_party = party_account(kind, "4180");
    set(&mut no_party, "/relatedParty", json!([]));
    let violation = first_violation_of::<T>(no_party);
    assert_eq!(
        (violation.path.as_str(), violation.message.as_str()),
        ("relatedParty", "must not be empty"),
        "{kind}"
    );
    let mut reversed = party_account(kind, "4180");
    set(
        &mut reversed,
        "/accountBalance/1/validFor/endDateTime",
        json!("2019-03-01T00:00:00Z"),
    );
    assert_eq!(
        first_violation_of::<T>(reversed).path,
        "accountBalance[1].validFor.endDateTime",
        "{kind}"
    );
}

#[test]
fn party_account_follows_tmf666() {
    check_party_account::<PartyAccount>("PartyAccount");
}

#[test]
fn billing_account_follows_tmf666() {
    check_party_account::<BillingAccount>("BillingAccount");
}

#[test]
fn settlement_account_follows_tmf666() {
    check_party_account::<SettlementAccount>("SettlementAccount");
}

#[test]
fn billing_account_amounts_are_exact_decimals() {
    let (account, _) = read_and_write::<BillingAccount>(&party_account("BillingAccount", "4180"));
    let balances = account.account_balance.expect("balances");
    assert_eq!(balances[0].amount.unit, CurrencyCode::EUR);
    assert_eq!(balances[0].amount.value.to_string(), "1250.75");
    let total = balances[0]
        .amount
        .checked_add(&balances[1].amount)
        .expect("same currency");
    assert_eq!(total.value.to_string(), "1250.85");
    assert_eq!(
        account.credit_limit.map(|limit| limit.value.to_string()),
        Some("5000".to_owned())
    );
    let structure = account.bill_structure.expect("a bill structure");
    assert!(!structure.cycle_specification.expect("a cycle").is_ref);
    assert_eq!(structure.presentation_media.expect("media").len(), 2);
}

#[test]
fn the_three_party_accounts_share_one_wire_form() {
    // The three resources have the same properties: a document of one is a document of the
    // others, and the `@type` says which one was meant.
    let document = party_account("SettlementAccount", "9001");
    let (settlement, _) = read_and_write::<SettlementAccount>(&document);
    let (as_billing, written) = read_and_write::<BillingAccount>(&document);
    assert_eq!(written, document);
    assert_eq!(settlement.meta.r#type.as_deref(), Some("SettlementAccount"));
    assert_eq!(as_billing.meta.r#type.as_deref(), Some("SettlementAccount"));
}

// --- FinancialAccount ---------------------------------------------------------------------

#[test]
fn financial_account_round_trips_every_property() {
    let document = financial_account();
    let (account, written) = read_and_write::<FinancialAccount>(&document);
    assert_eq!(written, document);
    assert_eq!(account.name, "Moon Football Club receivables");
    let owner = &account.related_party.expect("related parties")[0];
    assert_eq!(
        (owner.name.as_deref(), owner.referred_type.as_deref()),
        (Some("Moon Football Club"), Some("Customer"))
    );
}

#[test]
fn financial_account_needs_only_a_name() {
    let minimal = json!({"name": "Moon Football Club receivables"});
    assert_eq!(read_and_write::<FinancialAccount>(&minimal).1, minimal);
    let mut unnamed = financial_account();
    remove(&mut unnamed, "/name");
    assert!(refusal::<FinancialAccount>(unnamed).contains("name"));
    let mut balance_without_amount = financial_account();
    remove(&mut balance_without_amount, "/accountBalance/0/amount");
    assert!(refusal::<FinancialAccount>(balance_without_amount).contains("amount"));
}

#[test]
fn financial_account_keeps_unknown_properties_and_wrong_types() {
    // A financial account has no bill structure, payment plan or payment status.
    for property in ["billStructure", "paymentPlan", "paymentStatus"] {
        let mut document = financial_account();
        let pointer = format!("/{property}");
        set(&mut document, &pointer, json!({}));
        assert!(kept_unless_strict::<FinancialAccount>(document, &pointer).contains(property));
    }
    assert_wrong_types_refused::<FinancialAccount>(
        &financial_account(),
        &[
            ("/name", json!(["receivables"])),
            ("/state", json!(1)),
            ("/accountBalance", json!(balance("receivable", "EUR", 1.0))),
            ("/accountBalance/0/validFor/startDateTime", json!("April")),
            ("/relatedParty/0/id", json!(1140)),
            ("/taxExemption/0/validFor", json!("2019")),
        ],
    );
}

#[test]
fn financial_account_refuses_a_balance_in_an_unknown_currency() {
    let mut document = financial_account();
    set(&mut document, "/accountBalance/0/amount/unit", json!("XYZ"));
    assert!(refusal::<FinancialAccount>(document).contains("XYZ"));
    let mut no_value = financial_account();
    remove(&mut no_value, "/creditLimit/value");
    assert!(refusal::<FinancialAccount>(no_value).contains("value"));
}

// --- BillingCycleSpecification ------------------------------------------------------------

#[test]
fn billing_cycle_specification_round_trips_every_property() {
    let document = billing_cycle_specification();
    let (cycle, written) = read_and_write::<BillingCycleSpecification>(&document);
    assert_eq!(written, document);
    assert_eq!(cycle.payment_due_date_offset, Some(30));
    assert_eq!(cycle.frequency.as_deref(), Some("monthly"));
}

#[test]
fn billing_cycle_specification_needs_only_a_name() {
    let minimal = json!({"name": "Monthly on the 1st"});
    assert_eq!(
        read_and_write::<BillingCycleSpecification>(&minimal).1,
        minimal
    );
    let mut unnamed = billing_cycle_specification();
    remove(&mut unnamed, "/name");
    assert!(refusal::<BillingCycleSpecification>(unnamed).contains("name"));
}

#[test]
fn billing_cycle_specification_keeps_unknown_properties_and_wrong_types() {
    // `dateShift` and `isRef` belong to the reference forms, not to the resource.
    for property in ["dateShift", "isRef", "@referredType"] {
        let mut document = billing_cycle_specification();
        let pointer = format!("/{property}");
        set(&mut document, &pointer, json!(true));
        assert!(
            kept_unless_strict::<BillingCycleSpecification>(document, &pointer).contains(property)
        );
    }
    assert_wrong_types_refused::<BillingCycleSpecification>(
        &billing_cycle_specification(),
        &[
            ("/name", json!(null)),
            ("/billingDateShift", json!("0")),
            ("/mailingDateOffset", json!(2.5)),
            ("/paymentDueDateOffset", json!(true)),
            ("/billingPeriod", json!(1)),
            ("/validFor", json!(["2019-01-01T00:00:00Z"])),
        ],
    );
    let mut reversed = billing_cycle_specification();
    set(
        &mut reversed,
        "/validFor/endDateTime",
        json!("2018-01-01T00:00:00Z"),
    );
    assert_eq!(
        first_violation_of::<BillingCycleSpecification>(reversed).path,
        "validFor.endDateTime"
    );
}

// --- BillFormat ---------------------------------------------------------------------------

#[test]
fn bill_format_round_trips_every_property() {
    let document = bill_format();
    let (format, written) = read_and_write::<BillFormat>(&document);
    assert_eq!(written, document);
    assert_eq!(format.name, "Detailed");
}

#[test]
fn bill_format_needs_only_a_name() {
    let minimal = json!({"name": "Detailed"});
    assert_eq!(read_and_write::<BillFormat>(&minimal).1, minimal);
    let mut unnamed = bill_format();
    remove(&mut unnamed, "/name");
    assert!(refusal::<BillFormat>(unnamed).contains("name"));
    // A name is free text: an empty one is accepted.
    let mut empty = bill_format();
    set(&mut empty, "/name", json!(""));
    assert_eq!(read_and_write::<BillFormat>(&empty).1, empty);
}

#[test]
fn bill_format_keeps_unknown_properties_and_wrong_types() {
    let mut unknown = bill_format();
    set(&mut unknown, "/isRef", json!(false));
    assert!(kept_unless_strict::<BillFormat>(unknown, "/isRef").contains("isRef"));
    assert_wrong_types_refused::<BillFormat>(
        &bill_format(),
        &[
            ("/name", json!(6574)),
            ("/description", json!({"text": "Detailed"})),
            ("/id", json!(6574)),
            ("/@type", json!(["BillFormat"])),
        ],
    );
}

// --- BillPresentationMedia ----------------------------------------------------------------

#[test]
fn bill_presentation_media_round_trips_every_property() {
    let document = bill_presentation_media();
    let (media, written) = read_and_write::<BillPresentationMedia>(&document);
    assert_eq!(written, document);
    assert_eq!(media.id.as_deref(), Some("8421"));
}

#[test]
fn bill_presentation_media_needs_only_a_name() {
    let minimal = json!({"name": "Email"});
    assert_eq!(read_and_write::<BillPresentationMedia>(&minimal).1, minimal);
    let mut unnamed = bill_presentation_media();
    remove(&mut unnamed, "/name");
    assert!(refusal::<BillPresentationMedia>(unnamed).contains("name"));
}

#[test]
fn bill_presentation_media_keeps_unknown_properties_and_wrong_types() {
    let mut unknown = bill_presentation_media();
    set(&mut unknown, "/channel", json!("email"));
    assert!(kept_unless_strict::<BillPresentationMedia>(unknown, "/channel").contains("channel"));
    assert_wrong_types_refused::<BillPresentationMedia>(
        &bill_presentation_media(),
        &[
            ("/name", json!(true)),
            ("/href", json!(8421)),
            ("/@schemaLocation", json!({"uri": "x"})),
        ],
    );
    assert!(serde_json::from_value::<BillPresentationMedia>(json!(["Email"])).is_err());
}

// --- The forms that TMF666 and the party model define differently --------------------------

#[test]
fn account_references_follow_their_own_specification() {
    // TMF666 requires the id of an account reference and leaves its name optional...
    let by_id = json!({"id": "8840", "@referredType": "PartyAccount"});
    assert_eq!(read_and_write::<RelatedAccountRef>(&by_id).1, by_id);
    assert!(refusal::<RelatedAccountRef>(json!({"name": "Head office"})).contains("id"));
    // ...TMF629 and TMF669 the other way round.
    assert!(serde_json::from_value::<AccountRef>(by_id.clone()).is_err());

    let reference: RelatedAccountRef = serde_json::from_value(by_id).expect("by id");
    assert_eq!(
        AccountRef::try_from(reference.clone()),
        Err(MissingReferenceField("name"))
    );
    let named = RelatedAccountRef {
        name: Some("Head office".to_owned()),
        ..reference
    };
    let party_role_form = AccountRef::try_from(named.clone()).expect("named");
    assert_eq!(party_role_form.id.as_deref(), Some("8840"));
    assert_eq!(RelatedAccountRef::try_from(party_role_form), Ok(named));
}

#[test]
fn related_parties_of_accounts_may_come_with_only_an_id() {
    // TMF666 requires `name` and `@referredType`: the server completes them from the stored
    // party, so the model accepts a reference with only its `id`, exactly as TMF629 writes it.
    let party: AccountRelatedParty =
        serde_json::from_value(json!({"id": "1140"})).expect("id only");
    assert_eq!((party.name, party.referred_type), (None, None));
    let named: RelatedParty = serde_json::from_value(
        json!({"id": "1140", "name": "Moon Football Club", "@referredType": "Customer"}),
    )
    .expect("TMF629");
    let account_form: AccountRelatedParty = named.clone();
    assert_eq!(account_form.name.as_deref(), Some("Moon Football Club"));
}
