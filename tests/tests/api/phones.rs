//! Phone numbers as people write them: every written form of a number (spaces, dashes, dots,
//! parentheses, the `00` international prefix, the national trunk prefix in parentheses
//! after the country code) is stored in E.164 and finds the party through `search.phone`;
//! extensions are kept (`;ext=`); numbers no country has are refused (422 naming the field,
//! 400 in a search).

use std::collections::BTreeSet;

use axum::http::StatusCode;
use crm_tests::{CUSTOMER, INDIVIDUAL, TestApp, item};
use serde_json::{Value, json};

/// Numbers of several countries: the stored form, then forms people write.
const NUMBERS: &[(&str, &str, &[&str])] = &[
    (
        "UK, London",
        "+442079460000",
        &[
            "+44 20 7946 0000",
            "+44 (0)20 7946 0000",
            "+44 (0) 20-7946-0000",
            "0044 20 7946 0000",
            "0044 (0)20 7946 0000",
            "+44.20.7946.0000",
            "+44 (20) 7946 0000",
            "+44 (020) 7946 0000",
            "+442079460000",
        ],
    ),
    (
        "UK, mobile (a range Ofcom keeps for drama)",
        "+447700900789",
        &[
            "+44 (0) 7700 900789",
            "+44 7700 900789",
            "+44-7700-900-789",
            "0044 7700 900 789",
            "+44.7700.900.789",
            "+44 (0)7700-900-789",
            "+44 07700 900789",
        ],
    ),
    (
        "France",
        "+33142685300",
        &[
            "+33 1 42 68 53 00",
            "+33 (0)1 42 68 53 00",
            "+33 (0) 1 42 68 53 00",
            "0033 1 42 68 53 00",
            "+33.1.42.68.53.00",
            "+33-1-42-68-53-00",
            "+33142685300",
        ],
    ),
    (
        "France, mobile",
        "+33612345678",
        &[
            "+33 6 12 34 56 78",
            "+33 (0)6 12 34 56 78",
            "0033 6.12.34.56.78",
        ],
    ),
    (
        "Germany",
        "+4930901820",
        &[
            "+49 30 901820",
            "+49 (0)30 901820",
            "+49 (0) 30 90 18 20",
            "0049 (30) 901820",
            "0049 30 901820",
            "+49-30-901820",
            "+49.30.901820",
        ],
    ),
    (
        "United States",
        "+19735550100",
        &[
            "+1 973 555 0100",
            "+1 (973) 555-0100",
            "+1.973.555.0100",
            "+1-973-555-0100",
            "001 973 555 0100",
            "+19735550100",
        ],
    ),
    (
        "Spain",
        "+34912345678",
        &[
            "+34 912 345 678",
            "+34 91 234 56 78",
            "0034 912 345 678",
            "+34-912-345-678",
            "+34.912.345.678",
        ],
    ),
    (
        "Japan",
        "+81312345678",
        &[
            "+81 3-1234-5678",
            "+81 (0)3-1234-5678",
            "+81 (3) 1234-5678",
            "0081 3 1234 5678",
            "+81.3.1234.5678",
        ],
    ),
    (
        "Italy (the leading 0 is part of the number)",
        "+390612345678",
        &["+39 06 1234 5678", "0039 06 1234 5678", "+39-06-1234-5678"],
    ),
];

/// Percent-encodes a query value (everything but unreserved characters).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn ids(body: &Value) -> BTreeSet<String> {
    body.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn with_phone(given: &str, phone: &str) -> Value {
    json!({"givenName": given, "familyName": "Phone", "contactMedium": [
        {"mediumType": "phone", "characteristic": {"phoneNumber": phone}}
    ]})
}

/// The ids `search.phone=<written>` finds among individuals.
async fn found(app: &TestApp, path: &str, written: &str) -> BTreeSet<String> {
    let uri = format!("{path}?search.phone={}", encode(written));
    let response = app.get(&uri).await;
    response.assert_status(StatusCode::OK, &uri);
    ids(&response.body)
}

#[tokio::test]
async fn every_written_form_is_stored_in_e164_and_finds_the_party_by_every_other() {
    let app = TestApp::new().await;
    for (country, stored, forms) in NUMBERS {
        let mut created = BTreeSet::new();
        for written in *forms {
            let response = app.post(INDIVIDUAL, &with_phone(country, written)).await;
            response.assert_status(StatusCode::CREATED, &format!("{country}: '{written}'"));
            assert_eq!(
                response.body["contactMedium"][0]["characteristic"]["phoneNumber"], *stored,
                "{country}: '{written}' is stored in E.164"
            );
            created.insert(response.id());
        }
        for written in *forms {
            assert_eq!(
                found(&app, INDIVIDUAL, written).await,
                created,
                "{country}: search.phone='{written}' finds every party with the number"
            );
        }
        // The stored form is what attribute filters compare with.
        let uri = format!(
            "{INDIVIDUAL}?contactMedium.characteristic.phoneNumber={}",
            encode(stored)
        );
        assert_eq!(app.total(&uri).await, created.len() as u64, "{uri}");
    }
}

#[tokio::test]
async fn a_customer_is_found_by_its_own_number_and_its_party_s_in_any_written_form() {
    let app = TestApp::new().await;
    let party = app
        .post(INDIVIDUAL, &with_phone("Party", "+44 (0) 7700 900789"))
        .await
        .id();
    let customer = app.customer("Party's account", &party, "active").await;
    let with_own = app
        .post(
            CUSTOMER,
            &json!({"name": "Own number", "engagedParty": {"id": party, "@referredType": "Individual"},
                "contactMedium": [{"mediumType": "phone",
                    "characteristic": {"phoneNumber": "+49 (0)30 901820"}}]}),
        )
        .await;
    with_own.assert_status(StatusCode::CREATED, "customer with a phone");
    assert_eq!(
        with_own.body["contactMedium"][0]["characteristic"]["phoneNumber"],
        "+4930901820"
    );
    let with_own = with_own.id();
    for written in ["+447700900789", "0044 7700 900 789", "+44 (0)7700-900-789"] {
        assert_eq!(
            found(&app, CUSTOMER, written).await,
            BTreeSet::from([customer.clone(), with_own.clone()]),
            "customers through their party: '{written}'"
        );
    }
    for written in ["+49 30 901820", "0049 (30) 901820"] {
        assert_eq!(
            found(&app, CUSTOMER, written).await,
            BTreeSet::from([with_own.clone()]),
            "the customer's own number: '{written}'"
        );
    }
}

#[tokio::test]
async fn extensions_are_kept_and_the_main_number_finds_them() {
    let app = TestApp::new().await;
    let mut by_extension = Vec::new();
    for (written, stored) in [
        ("+1 973 555 0100 ext. 12", "+19735550100;ext=12"),
        ("+1 (973) 555-0100 x34", "+19735550100;ext=34"),
        ("+1 973 555 0100", "+19735550100"),
        ("+44 20 7946 0000 ext 7", "+442079460000;ext=7"),
    ] {
        let response = app.post(INDIVIDUAL, &with_phone("Ext", written)).await;
        response.assert_status(StatusCode::CREATED, written);
        assert_eq!(
            response.body["contactMedium"][0]["characteristic"]["phoneNumber"], stored,
            "'{written}'"
        );
        by_extension.push(response.id());
    }
    let [twelve, thirty_four, main, london] = <[String; 4]>::try_from(by_extension).expect("four");
    let all_at_main = BTreeSet::from([twelve.clone(), thirty_four.clone(), main.clone()]);
    for written in ["+19735550100", "+1 973 555 0100", "001 (973) 555-0100"] {
        assert_eq!(
            found(&app, INDIVIDUAL, written).await,
            all_at_main,
            "'{written}'"
        );
    }
    for written in [
        "+1 973 555 0100 ext. 12",
        "+19735550100;ext=12",
        "+1.973.555.0100 x12",
    ] {
        assert_eq!(
            found(&app, INDIVIDUAL, written).await,
            BTreeSet::from([twelve.clone()]),
            "'{written}' names the extension"
        );
    }
    assert_eq!(
        found(&app, INDIVIDUAL, "+44 (0)20 7946 0000").await,
        BTreeSet::from([london.clone()])
    );
    // The stored form reads back as itself when the resource is written again.
    let patched = app
        .patch(
            &item(INDIVIDUAL, &twelve),
            "application/merge-patch+json",
            &json!({"givenName": "Renamed"}),
        )
        .await;
    patched.assert_status(StatusCode::OK, "patch beside a number with an extension");
    assert_eq!(
        patched.body["contactMedium"][0]["characteristic"]["phoneNumber"],
        "+19735550100;ext=12"
    );
    assert_eq!(
        found(&app, INDIVIDUAL, "+19735550100;ext=12").await,
        BTreeSet::from([twelve])
    );
}

#[tokio::test]
async fn impossible_numbers_are_refused_with_422_naming_the_field_and_400_in_a_search() {
    let app = TestApp::new().await;
    let party = app.individual("Kept", "Party").await;
    let impossible = [
        "+44 12",
        "+44 (0) 12",
        "+44 7700 90078",
        "+44 20 7946 000",
        "+33 1 23",
        "+33 (0)1 42 68 53",
        "+49 1",
        "+1 555 0100",
        "+1 (012) 555-0100",
        "+34 12345",
        "+81 3",
        "+999 1234 5678",
        "+1 973 555 0100;ext=",
    ];
    let before = app.total(INDIVIDUAL).await;
    let customers = app.total(CUSTOMER).await;
    for written in impossible {
        for (field, characteristic) in [
            ("phoneNumber", json!({"phoneNumber": written})),
            ("faxNumber", json!({"faxNumber": written})),
        ] {
            let response = app
                .post(
                    INDIVIDUAL,
                    &json!({"givenName": "Bad", "familyName": "Number", "contactMedium": [
                        {"mediumType": "email", "characteristic": {"emailAddress": "bad@example.com"}},
                        {"mediumType": "phone", "characteristic": characteristic}
                    ]}),
                )
                .await;
            let message = response.assert_tmf_error(422);
            let path = format!("contactMedium[1].characteristic.{field}");
            assert!(message.contains(&path), "'{written}' as {field}: {message}");
        }
        let response = app
            .post(
                CUSTOMER,
                &json!({"name": "Bad number", "engagedParty": {"id": party, "@referredType": "Individual"},
                    "contactMedium": [{"mediumType": "phone",
                        "characteristic": {"phoneNumber": written}}]}),
            )
            .await;
        let message = response.assert_tmf_error(422);
        assert!(
            message.contains("contactMedium[0].characteristic.phoneNumber"),
            "customer with '{written}': {message}"
        );
        let uri = format!("{INDIVIDUAL}?search.phone={}", encode(written));
        let response = app.get(&uri).await;
        let message = response.assert_tmf_error(400);
        assert_eq!(response.body["code"], "INVALID_QUERY", "{uri}");
        assert!(message.contains("search.phone"), "{uri}: {message}");
    }
    assert_eq!(app.total(INDIVIDUAL).await, before, "nothing was stored");
    assert_eq!(app.total(CUSTOMER).await, customers, "nothing was stored");
}
