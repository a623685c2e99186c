//! Privacy erasure leaves nothing readable (hardening, item 4). A person whose distinctive
//! name, phone number and e-mail address are written into every free-text attribute of
//! everything that refers to them or to their customer (names, descriptions, reasons, notes,
//! contacts, characteristics, extension attributes at the top and nested, status change
//! reasons, and the `X-Reason` of every change, the erasure's own included) is erased; then
//! none of those values can be found anywhere: not through any list, item, history, the
//! customer's view or timeline, nor in the raw text of any row of any table (documents,
//! history, events, search keys, references). What erasure keeps (ids, references, states,
//! dates, amounts, the kinds' non-personal classifications) is still there.

use axum::http::{Method, StatusCode};
use crm_tests::{CUSTOMER, INDIVIDUAL, ORGANIZATION, PARTY_ROLE, TestApp, TestResponse};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

const PHONE: &str = "+44 7700 900123";
const EMAIL: &str = "marsh.puddle@example.com";

/// Every written form of the person's values, compared with text in lower case. None can
/// occur in an id, a timestamp or a UUID: letters, or digits with a `+` or spaces.
const PERSONAL: [&str; 9] = [
    "marshwiggle",
    "puddleglum",
    "marsh.puddle",
    "marsh.puddle@example.com",
    "+447700900123",
    "+44 7700 900123",
    "7700 900123",
    "07700 900123",
    "7700900123",
];

/// The tables that hold documents, history and events, each of which must be scanned.
const TABLES: [&str; 11] = [
    "party",
    "customer",
    "party_role",
    "account",
    "party_interaction",
    "product_catalog",
    "product_order",
    "product_inventory",
    "trouble_ticket",
    "audit_history",
    "event_outbox",
];

const BILLING_ACCOUNT: &str = "/tmf-api/accountManagement/v4/billingAccount";
const PARTY_ACCOUNT: &str = "/tmf-api/accountManagement/v4/partyAccount";
const INTERACTIONS: &str = "/tmf-api/partyInteraction/v4/partyInteraction";
const TICKETS: &str = "/tmf-api/troubleTicket/v4/troubleTicket";
const CATALOG: &str = "/tmf-api/productCatalogManagement/v4";
const ORDERS: &str = "/tmf-api/productOrderingManagement/v4/productOrder";
const PRODUCTS: &str = "/tmf-api/productInventory/v4/product";

/// Sends a request as the test administrator with an `X-Reason`.
async fn send(
    app: &TestApp,
    method: Method,
    uri: &str,
    body: Option<&Value>,
    reason: &str,
) -> TestResponse {
    app.send_with(
        method,
        uri,
        &[("host", "crm.test"), ("x-reason", reason)],
        body,
    )
    .await
}

/// Creates a resource with an `X-Reason`; returns its id.
async fn create(app: &TestApp, uri: &str, body: Value, reason: &str) -> String {
    let response = send(app, Method::POST, uri, Some(&body), reason).await;
    response.assert_status(StatusCode::CREATED, &format!("create {uri}"));
    response.id()
}

/// Patches a resource with an `X-Reason`; returns the new representation.
async fn change(app: &TestApp, uri: &str, body: Value, reason: &str) -> Value {
    let response = send(app, Method::PATCH, uri, Some(&body), reason).await;
    response.assert_status(StatusCode::OK, &format!("patch {uri}"));
    response.body
}

fn period() -> Value {
    json!({"startDateTime": "2026-01-01T00:00:00Z"})
}

fn customer_ref(customer: &str) -> Value {
    json!({"id": customer, "name": "Marshwiggle Puddleglum", "role": "customer", "@referredType": "Customer"})
}

/// What the test created, by the ids it checks afterwards.
struct People {
    party: String,
    customer: String,
    role: String,
    organization: String,
    billing: String,
    party_account: String,
    interaction: String,
    product: String,
    ticket: String,
    order: String,
}

/// Creates the person, their customer and everything that can refer to either, with the
/// person's values in every free-text attribute and every reason.
async fn populate(app: &TestApp) -> People {
    let party = create(
        app,
        INDIVIDUAL,
        json!({
            "givenName": "Marshwiggle", "familyName": "Puddleglum",
            "formattedName": "Marshwiggle Puddleglum", "birthDate": "1950-04-01T00:00:00Z",
            "contactMedium": [
                {"mediumType": "phone", "preferred": true,
                    "characteristic": {"phoneNumber": PHONE, "vendorNote": "Marshwiggle's mobile"}},
                {"mediumType": "email", "characteristic": {"emailAddress": EMAIL}},
                {"mediumType": "postalAddress", "characteristic":
                    {"street1": "1 Marshwiggle Lane", "city": "Puddleglum Fen", "country": "GB"}}
            ],
            "partyCharacteristic": [{"name": "nickname", "value": "Puddleglum"}],
            "externalReference": [{"externalReferenceType": "owl", "name": "Marshwiggle"}],
            "vendorNote": "Marshwiggle prefers calls",
            "vendorProfile": {"remark": "Puddleglum on 07700 900123", "tags": ["Marshwiggle"]}
        }),
        "Marshwiggle Puddleglum walked into the shop",
    )
    .await;
    change(
        app,
        &format!("{INDIVIDUAL}/{party}"),
        json!({"formattedName": "Mr Marshwiggle Puddleglum"}),
        "Marshwiggle asked to correct his name",
    )
    .await;

    let customer = create(
        app,
        CUSTOMER,
        json!({
            "name": "Marshwiggle Puddleglum", "status": "active",
            "statusReason": "Marshwiggle signed up",
            "engagedParty": {"id": party, "name": "Marshwiggle Puddleglum", "@referredType": "Individual"},
            "contactMedium": [
                {"mediumType": "email", "characteristic": {"emailAddress": EMAIL}},
                {"mediumType": "phone", "characteristic": {"phoneNumber": PHONE}}
            ],
            "characteristic": [{"name": "nickname", "valueType": "string", "value": "Puddleglum",
                "vendorNote": "Marshwiggle chose it"}],
            "creditProfile": [{"creditProfileDate": "2026-01-01T00:00:00Z", "creditScore": 700,
                "validFor": period()}],
            "vendorNote": "Marshwiggle pays on time",
            "vendorDetails": {"remark": "Puddleglum likes owls", "contact": EMAIL}
        }),
        "Marshwiggle became a customer",
    )
    .await;
    change(
        app,
        &format!("{CUSTOMER}/{customer}"),
        json!({"statusReason": "Puddleglum renewed", "name": "Marshwiggle P."}),
        "Puddleglum called about his contract",
    )
    .await;

    let role = create(
        app,
        PARTY_ROLE,
        json!({
            "name": "Marshwiggle the guide", "statusReason": "Puddleglum volunteered",
            "engagedParty": {"id": party, "@referredType": "Individual"},
            "relatedParty": [customer_ref(&customer)],
            "contactMedium": [{"mediumType": "phone", "characteristic": {"phoneNumber": PHONE}}],
            "vendorNote": "Marshwiggle guides travellers"
        }),
        "Marshwiggle takes a role",
    )
    .await;

    let organization = create(
        app,
        ORGANIZATION,
        json!({
            "tradingName": "Owl Parliament", "name": "Owl Parliament Ltd",
            "relatedParty": [{"id": party, "name": "Marshwiggle Puddleglum", "role": "contact",
                "@referredType": "Individual"}]
        }),
        "Marshwiggle is their contact",
    )
    .await;

    let billing = create(
        app,
        BILLING_ACCOUNT,
        json!({
            "name": "Marshwiggle's bills", "description": "Puddleglum pays by card",
            "relatedParty": [{"id": customer, "name": "Marshwiggle Puddleglum", "role": "owner",
                "@referredType": "Customer"}],
            "accountBalance": [{"balanceType": "receivable", "amount": {"unit": "EUR", "value": 42.1},
                "validFor": period()}],
            "creditLimit": {"unit": "EUR", "value": 250},
            "contact": [{"contactType": "billing", "contactName": "Marshwiggle Puddleglum",
                "validFor": period(),
                "contactMedium": [{"mediumType": "email", "characteristic": {"emailAddress": EMAIL}},
                    {"mediumType": "phone", "characteristic": {"phoneNumber": PHONE}}]}],
            "taxExemption": [{"issuingJurisdiction": "Puddleglum county",
                "certificateNumber": "MARSHWIGGLE-1", "reason": "Marshwiggle is exempt",
                "validFor": period()}],
            "paymentPlan": [{"planType": "monthly", "status": "active", "numberOfPayments": 3,
                "totalAmount": {"unit": "EUR", "value": 30}}],
            "vendorNote": "Marshwiggle asked for paper bills"
        }),
        "Marshwiggle opened an account",
    )
    .await;
    change(
        app,
        &format!("{BILLING_ACCOUNT}/{billing}"),
        json!({"description": "Puddleglum pays by transfer"}),
        "Marshwiggle changed how he pays",
    )
    .await;

    let party_account = create(
        app,
        PARTY_ACCOUNT,
        json!({
            "name": "Puddleglum's deposits", "description": "Marshwiggle's deposit",
            "relatedParty": [{"id": party, "name": "Marshwiggle Puddleglum", "role": "owner",
                "@referredType": "Individual"}],
            "contact": [{"contactType": "primary", "contactName": "Marshwiggle",
                "validFor": period(),
                "relatedParty": {"id": party, "name": "Marshwiggle Puddleglum", "role": "contact",
                    "@referredType": "Individual"}}]
        }),
        "Marshwiggle deposits",
    )
    .await;

    let interaction = create(
        app,
        INTERACTIONS,
        json!({
            "description": "Marshwiggle Puddleglum called about a bill",
            "reason": "Marshwiggle billing question", "direction": "inbound", "status": "open",
            "interactionDate": {"startDateTime": "2026-11-23T10:00:00Z"},
            "channel": [{"id": "ch-phone", "href": "urn:channel:phone", "name": "phone", "role": "contact"}],
            "relatedParty": [customer_ref(&customer)],
            "note": [{"text": format!("Call back Marshwiggle on {PHONE}")}],
            "interactionItem": [{
                "reason": "Puddleglum's bill is too high",
                "resolution": "Marshwiggle accepted a credit",
                "item": {"id": billing, "href": format!("urn:crm:BillingAccount:{billing}"),
                    "name": "Marshwiggle's bills", "role": "billingAccount",
                    "@referredType": "BillingAccount"},
                "note": [{"text": "Marshwiggle was polite"}],
                "vendorNote": "Puddleglum item"
            }],
            "vendorNote": "Marshwiggle sounded glum"
        }),
        "Marshwiggle called",
    )
    .await;
    change(
        app,
        &format!("{INTERACTIONS}/{interaction}"),
        json!({"status": "completed", "description": "Marshwiggle was helped"}),
        "Marshwiggle hung up",
    )
    .await;

    let product = create(
        app,
        PRODUCTS,
        json!({
            "name": "Marshwiggle's broadband", "description": "Puddleglum's line", "status": "active",
            "productSerialNumber": "PUDDLEGLUM-1",
            "relatedParty": [customer_ref(&customer)],
            "productCharacteristic": [{"name": "installAddress", "value": "1 Marshwiggle Lane"}],
            "vendorNote": "Marshwiggle's router"
        }),
        "Marshwiggle's line was registered",
    )
    .await;

    let ticket = create(
        app,
        TICKETS,
        json!({
            "name": "Marshwiggle's line is down",
            "description": format!("Puddleglum reports no dial tone on {PHONE}"),
            "severity": "Major", "ticketType": "incident",
            "statusChangeReason": "Opened for Marshwiggle",
            "channel": {"id": "phone", "name": "phone"},
            "relatedParty": [customer_ref(&customer)],
            "relatedEntity": [{"id": product, "role": "affectedProduct",
                "name": "Marshwiggle's broadband", "@referredType": "Product"}],
            "note": [{"text": format!("Marshwiggle can be reached at {EMAIL}")}],
            "troubleTicketCharacteristic": [{"name": "contactHint", "value": "ask for Marshwiggle"}],
            "vendorNote": "Marshwiggle", "vendorDetails": {"nested": {"remark": "Puddleglum"}}
        }),
        "Marshwiggle reported a fault",
    )
    .await;
    let uri = format!("{TICKETS}/{ticket}");
    change(
        app,
        &uri,
        json!({"status": "inProgress", "statusChangeReason": "Called Marshwiggle back"}),
        "Called Marshwiggle back",
    )
    .await;
    let pending = change(
        app,
        &uri,
        json!({"status": "pending", "statusChangeReason": "Waiting for Puddleglum"}),
        "Waiting for Puddleglum",
    )
    .await;
    let mut notes = pending["note"].as_array().cloned().unwrap_or_default();
    notes.push(json!({"text": format!("Puddleglum wrote from {EMAIL}")}));
    change(
        app,
        &uri,
        json!({"note": notes}),
        "Marshwiggle sent an e-mail",
    )
    .await;

    let order = order(app, &customer, &billing).await;
    People {
        party,
        customer,
        role,
        organization,
        billing,
        party_account,
        interaction,
        product,
        ticket,
        order,
    }
}

/// A catalog (about nobody), and an order of the customer's with the person's values in its
/// free text, moved to completion (which puts its product into the inventory).
async fn order(app: &TestApp, customer: &str, billing: &str) -> String {
    let specification = create(
        app,
        &format!("{CATALOG}/productSpecification"),
        json!({"name": "FTTH access", "lifecycleStatus": "Launched"}),
        "catalog set-up",
    )
    .await;
    let price = create(
        app,
        &format!("{CATALOG}/productOfferingPrice"),
        json!({"name": "Fibre 500 monthly", "priceType": "recurring",
            "recurringChargePeriodType": "month", "lifecycleStatus": "Launched",
            "price": {"unit": "EUR", "value": 29.99},
            "tax": [{"taxCategory": "VAT", "taxRate": 20}]}),
        "catalog set-up",
    )
    .await;
    let offering = create(
        app,
        &format!("{CATALOG}/productOffering"),
        json!({"name": "Fibre 500", "lifecycleStatus": "Launched", "isSellable": true,
            "productSpecification": {"id": specification},
            "productOfferingPrice": [{"id": price}]}),
        "catalog set-up",
    )
    .await;
    let order = create(
        app,
        ORDERS,
        json!({
            "description": "Broadband for Marshwiggle", "category": "residential",
            "relatedParty": [customer_ref(customer)],
            "billingAccount": {"id": billing, "name": "Marshwiggle's bills"},
            "note": [{"text": format!("Marshwiggle wants a morning install, call {PHONE}")}],
            "notificationContact": EMAIL,
            "productOrderItem": [{
                "id": "1", "action": "add", "quantity": 1,
                "productOffering": {"id": offering, "name": "Fibre 500"},
                "product": {"name": "Marshwiggle's fibre",
                    "productCharacteristic": [{"name": "installAddress",
                        "value": "1 Marshwiggle Lane, Puddleglum Fen"}],
                    "vendorNote": "Puddleglum"},
                "vendorNote": "Marshwiggle item note"
            }],
            "vendorNote": "Marshwiggle order note"
        }),
        "Marshwiggle ordered fibre",
    )
    .await;
    for state in ["inProgress", "completed"] {
        change(
            app,
            &format!("{ORDERS}/{order}"),
            json!({"state": state}),
            &format!("Marshwiggle's order is {state}"),
        )
        .await;
    }
    // A second order, cancelled with a reason naming him, and a ticket that refers only to
    // that order: erasure reaches them through the person's own order.
    let second = create(
        app,
        ORDERS,
        json!({"relatedParty": [customer_ref(customer)],
            "productOrderItem": [{"id": "1", "action": "add", "quantity": 1,
                "productOffering": {"id": offering}}]}),
        "Marshwiggle ordered again",
    )
    .await;
    create(
        app,
        "/tmf-api/productOrderingManagement/v4/cancelProductOrder",
        json!({"productOrder": {"id": second, "@referredType": "ProductOrder"},
            "cancellationReason": "Marshwiggle changed his mind"}),
        "Puddleglum asked to cancel",
    )
    .await;
    create(
        app,
        TICKETS,
        json!({"description": "Puddleglum complains about the cancelled order",
            "severity": "Major", "ticketType": "complaint",
            "relatedEntity": [{"id": second, "role": "cancelledOrder",
                "@referredType": "ProductOrder"}]}),
        "Marshwiggle complained",
    )
    .await;
    order
}

/// What the API gives back: every list of every resource, every item and its whole history,
/// and the customer's view and timeline.
async fn readable(app: &TestApp, customer: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for descriptor in &app.descriptors {
        let collection = descriptor.collection_path();
        let uri = format!("{collection}?limit=1000");
        let list = app.get(&uri).await;
        list.assert_status(StatusCode::OK, &uri);
        let ids: Vec<String> = list
            .body
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|item| item["id"].as_str().map(str::to_owned))
            .collect();
        out.push((uri, list.text));
        for id in ids {
            for uri in [
                format!("{collection}/{id}"),
                format!("{collection}/{id}/history?limit=1000"),
            ] {
                let response = app.get(&uri).await;
                response.assert_status(StatusCode::OK, &uri);
                out.push((uri, response.text));
            }
        }
    }
    for uri in [
        format!("{CUSTOMER}/{customer}/view"),
        format!("{CUSTOMER}/{customer}/timeline?limit=1000"),
    ] {
        let response = app.get(&uri).await;
        response.assert_status(StatusCode::OK, &uri);
        out.push((uri, response.text));
    }
    out
}

/// The raw text of every row of every table of the database, as `(table, row)`: every column
/// cast to text, so that no column can be missed.
async fn rows(app: &TestApp) -> Vec<(String, String)> {
    let connection = app.store.connection();
    let backend = app.store.backend();
    let query = |sql: String| Statement::from_string(backend, sql);
    let tables_sql = match backend {
        DbBackend::Postgres => "SELECT table_name::text AS name FROM information_schema.tables \
            WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            .to_owned(),
        _ => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            .to_owned(),
    };
    let tables: Vec<String> = connection
        .query_all_raw(query(tables_sql))
        .await
        .expect("tables")
        .iter()
        .map(|row| row.try_get("", "name").expect("table name"))
        .collect();
    for table in TABLES {
        assert!(
            tables.iter().any(|t| t == table),
            "no table {table}: {tables:?}"
        );
    }
    let mut out = Vec::new();
    for table in tables {
        let select = match backend {
            DbBackend::Postgres => format!("SELECT t::text AS line FROM \"{table}\" t"),
            _ => {
                let columns: Vec<String> = connection
                    .query_all_raw(query(format!(
                        "SELECT name FROM pragma_table_info('{table}')"
                    )))
                    .await
                    .expect("columns")
                    .iter()
                    .map(|row| row.try_get("", "name").expect("column name"))
                    .collect();
                let line = columns
                    .iter()
                    .map(|column| format!("COALESCE(CAST(\"{column}\" AS TEXT), '')"))
                    .collect::<Vec<_>>()
                    .join(" || char(31) || ");
                format!("SELECT {line} AS line FROM \"{table}\"")
            }
        };
        for row in connection
            .query_all_raw(query(select))
            .await
            .unwrap_or_else(|e| panic!("read {table}: {e}"))
        {
            let line: String = row.try_get("", "line").expect("row text");
            out.push((table.clone(), line));
        }
    }
    out
}

/// The personal values found in `text`.
fn personal_in(text: &str) -> Vec<&'static str> {
    let text = text.to_lowercase();
    PERSONAL
        .into_iter()
        .filter(|value| text.contains(value))
        .collect()
}

#[tokio::test]
async fn erasing_a_person_leaves_none_of_their_values_anywhere() {
    let app = TestApp::new().await;
    let people = populate(&app).await;

    // The scan sees what is there: before the erasure, the person is in every kind of row.
    let before = rows(&app).await;
    for table in [
        "party",
        "customer",
        "party_role",
        "account",
        "party_interaction",
        "product_order",
        "product_inventory",
        "trouble_ticket",
        "audit_history",
        "event_outbox",
        "search_key",
    ] {
        assert!(
            before
                .iter()
                .any(|(t, line)| t == table && !personal_in(line).is_empty()),
            "the scan finds nothing personal in {table} before the erasure"
        );
    }
    let before_api = readable(&app, &people.customer).await;
    assert!(
        before_api
            .iter()
            .any(|(_, text)| !personal_in(text).is_empty())
    );
    let order_before = app.get(&format!("{ORDERS}/{}", people.order)).await.body;

    let report = send(
        &app,
        Method::POST,
        &format!("{INDIVIDUAL}/{}/erasure", people.party),
        None,
        "GDPR request by Marshwiggle Puddleglum",
    )
    .await;
    report.assert_status(StatusCode::OK, "erasure");
    let erased: Vec<&str> = report.body["erased"]
        .as_array()
        .expect("erased")
        .iter()
        .filter_map(|e| e["id"].as_str())
        .collect();
    for id in [
        &people.party,
        &people.customer,
        &people.role,
        &people.organization,
        &people.billing,
        &people.party_account,
        &people.interaction,
        &people.product,
        &people.ticket,
        &people.order,
    ] {
        assert!(
            erased.contains(&id.as_str()),
            "{id} not erased: {}",
            report.text
        );
    }

    // Nothing through the API.
    let mut found = Vec::new();
    for (uri, text) in readable(&app, &people.customer).await {
        let values = personal_in(&text);
        if !values.is_empty() {
            found.push(format!("{uri} shows {values:?}: {text}"));
        }
    }
    // Nothing in any row of any table.
    for (table, line) in rows(&app).await {
        let values = personal_in(&line);
        if !values.is_empty() {
            found.push(format!("{table} holds {values:?}: {line}"));
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n\n"));

    // Searches find nothing.
    for query in [
        "search.name=marshwiggle",
        "search.phone=%2B447700900123",
        "search.email=marsh.puddle@example.com",
    ] {
        for collection in [INDIVIDUAL, CUSTOMER] {
            let hits = app.get(&format!("{collection}?{query}")).await;
            assert_eq!(hits.body, json!([]), "{collection}?{query}");
        }
    }

    // What erasure keeps is intact: ids, references, states, dates, amounts.
    let get = |uri: String| {
        let app = &app;
        async move {
            let response = app.get(&uri).await;
            response.assert_status(StatusCode::OK, &uri);
            response.body
        }
    };
    let customer = get(format!("{CUSTOMER}/{}", people.customer)).await;
    assert_eq!(customer["status"], "active");
    assert_eq!(customer["engagedParty"]["id"], people.party.as_str());
    assert_eq!(customer["name"], "[erased]", "a required name is masked");
    assert!(customer.get("contactMedium").is_none(), "{customer}");
    assert_eq!(customer["creditProfile"][0]["creditScore"], 700);
    let organization = get(format!("{ORGANIZATION}/{}", people.organization)).await;
    assert_eq!(
        organization["tradingName"], "Owl Parliament",
        "not a person's"
    );
    assert_eq!(organization["relatedParty"][0]["id"], people.party.as_str());
    let account = get(format!("{BILLING_ACCOUNT}/{}", people.billing)).await;
    assert_eq!(account["accountBalance"][0]["amount"]["value"], json!(42.1));
    assert_eq!(account["accountBalance"][0]["balanceType"], "receivable");
    assert_eq!(account["creditLimit"], json!({"unit": "EUR", "value": 250}));
    assert_eq!(account["relatedParty"][0]["id"], people.customer.as_str());
    assert!(account.get("contact").is_none(), "{account}");
    let interaction = get(format!("{INTERACTIONS}/{}", people.interaction)).await;
    assert_eq!(interaction["direction"], "inbound");
    assert_eq!(interaction["status"], "completed");
    assert_eq!(interaction["reason"], "[erased]");
    assert_eq!(
        interaction["interactionItem"][0]["item"]["id"],
        people.billing.as_str()
    );
    let ticket = get(format!("{TICKETS}/{}", people.ticket)).await;
    assert_eq!(ticket["status"], "pending");
    assert_eq!(ticket["severity"], "Major");
    assert_eq!(ticket["description"], "[erased]");
    assert!(ticket.get("note").is_none(), "{ticket}");
    let statuses: Vec<&str> = ticket["statusChange"]
        .as_array()
        .expect("statusChange")
        .iter()
        .map(|change| {
            assert!(change.get("changeReason").is_none(), "{change}");
            assert!(change["changeDate"].is_string(), "{change}");
            change["status"].as_str().expect("status")
        })
        .collect();
    assert_eq!(statuses, ["acknowledged", "inProgress", "pending"]);
    assert_eq!(ticket["relatedEntity"][0]["id"], people.product.as_str());
    let order = get(format!("{ORDERS}/{}", people.order)).await;
    assert_eq!(order["state"], "completed");
    assert_eq!(order["orderTotalPrice"], order_before["orderTotalPrice"]);
    assert_eq!(order["productOrderItem"][0]["action"], "add");
    assert_eq!(
        order["productOrderItem"][0]["product"]["productCharacteristic"][0]["name"],
        "installAddress"
    );

    // Every reason given is kept only as the fact that one was given, the erasure's too.
    let history = get(format!("{INDIVIDUAL}/{}/history", people.party)).await;
    let entries = history.as_array().expect("history");
    assert_eq!(entries[0]["action"], "erase");
    for entry in entries {
        assert_eq!(entry["reason"], "[erased]", "{entry}");
    }

    // Erasing again changes nothing and still finds nothing.
    let again = send(
        &app,
        Method::POST,
        &format!("{INDIVIDUAL}/{}/erasure", people.party),
        None,
        "Marshwiggle again",
    )
    .await;
    again.assert_status(StatusCode::OK, "erasure again");
    assert_eq!(
        get(format!("{ORDERS}/{}", people.order)).await,
        order,
        "idempotent"
    );
    for (table, line) in rows(&app).await {
        assert!(personal_in(&line).is_empty(), "{table}: {line}");
    }
}
