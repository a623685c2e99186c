//! Response-schema conformance against the official TM Forum v4 specification files.
//!
//! Every implemented operation of every resource (create with a rich payload, retrieve,
//! retrieve with `fields=`, list, merge patch, JSON Patch) is called through the real
//! router, and its response body is validated with JSON Schema draft 4 against the
//! resource's definition in its spec (`Individual`, `Organization`, `Customer`,
//! `PartyRole`); error responses are validated against the spec's `Error`. The OpenAPI
//! document served at `/openapi.json` is checked against the router (every served path
//! and method is documented, every documented one is served) and for dangling `$ref`s.
//!
//! The specs are read from `../shared/tmf-specs` beside the repository when it exists (CI),
//! else from the copies shipped in `crates/customer-information/specs`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use axum::body::Body;
use axum::http::{Method, StatusCode};
use crm_tests::schema::{assert_conforms, official_dir, shipped_path, spec, violations};
use crm_tests::{CUSTOMER, INDIVIDUAL, ORGANIZATION, PARTY_ROLE, TestApp, TestResponse};
use serde_json::{Value, json};

const TMF632: &str = "TMF632-PartyManagement-v4.0.0.swagger.json";
const TMF629: &str = "TMF629-CustomerManagement-v4.0.0.swagger.json";
const TMF669: &str = "TMF669-PartyRoleManagement-v4.0.0.swagger.json";
const TMF666: &str = "TMF666-AccountManagement-v4.0.0.swagger.json";
const TMF683: &str = "TMF683-PartyInteraction-v4.0.0.swagger.json";
const TMF620: &str = "TMF620-ProductCatalog-v4.0.0.swagger.json";
const TMF622: &str = "TMF622-ProductOrdering-v4.0.0.swagger.json";
const TMF637: &str = "TMF637-ProductInventory-v4.0.0.swagger.json";
const TMF621: &str = "TMF621-TroubleTicket-v4.0.0.swagger.json";
const TMF678: &str = "TMF678-CustomerBillManagement-v4.0.0.swagger.json";
/// TMF623 v2.0 brought to the v4 conventions (TM Forum published no v4; docs/tmf623-adaptation.md).
const TMF623: &str = "TMF623-SLAManagement-v4-adapted.swagger.json";
/// TMF658 v4 with its defects adapted (docs/tmf658-adaptation.md).
const TMF658: &str = "TMF658-LoyaltyManagement-v4-adapted.swagger.json";
const SPEC_FILES: [&str; 10] = [
    TMF632, TMF629, TMF669, TMF666, TMF683, TMF620, TMF622, TMF637, TMF621, TMF678,
];

const MERGE: &str = "application/merge-patch+json";
const JSON_PATCH: &str = "application/json-patch+json";

/// The resources under test, by type name, with the spec file defining each. The list of
/// resources is the application's own (its registered descriptors); this only says where
/// each is specified, and `every_registered_resource_has_a_conformance_entry` fails naming
/// any registered resource missing here and any entry nothing registers.
const SPECS: [(&str, &str); 42] = [
    ("Individual", TMF632),
    ("Organization", TMF632),
    ("Customer", TMF629),
    ("PartyRole", TMF669),
    ("PartyAccount", TMF666),
    ("BillingAccount", TMF666),
    ("SettlementAccount", TMF666),
    ("FinancialAccount", TMF666),
    ("BillingCycleSpecification", TMF666),
    ("BillFormat", TMF666),
    ("BillPresentationMedia", TMF666),
    ("PartyInteraction", TMF683),
    ("Catalog", TMF620),
    ("Category", TMF620),
    ("ProductSpecification", TMF620),
    ("ProductOffering", TMF620),
    ("ProductOfferingPrice", TMF620),
    ("ProductOrder", TMF622),
    ("CancelProductOrder", TMF622),
    ("Product", TMF637),
    ("TroubleTicket", TMF621),
    ("CustomerBill", TMF678),
    ("AppliedCustomerBillingRate", TMF678),
    ("CustomerBillOnDemand", TMF678),
    ("BillAdjustment", "BillAdjustment-extension.swagger.json"),
    ("Sla", TMF623),
    ("SlaViolation", TMF623),
    ("SlaMeasurement", "SlaMeasurement-extension.swagger.json"),
    ("LoyaltyProgramProductSpec", TMF658),
    ("LoyaltyProgramMember", TMF658),
    ("LoyaltyProgramProduct", TMF658),
    ("LoyaltyAccount", TMF658),
    ("LoyaltyBalance", TMF658),
    ("LoyaltyRule", TMF658),
    ("LoyaltyCondition", TMF658),
    ("LoyaltyAction", TMF658),
    ("LoyaltyEventType", TMF658),
    ("LoyaltyRuleCondition", TMF658),
    ("LoyaltyRuleAction", TMF658),
    ("LoyaltyRuleEventType", TMF658),
    ("LoyaltyEvent", TMF658),
    ("LoyaltyBurn", "LoyaltyBurn-extension.swagger.json"),
];

/// One registered resource: where it is served, its type, and the spec defining it.
struct Resource {
    path: String,
    type_name: &'static str,
    spec: &'static str,
    methods: tmf_apis::Methods,
}

/// The spec file of the resource type `type_name`, if it has a conformance entry.
fn spec_of(type_name: &str) -> Option<&'static str> {
    SPECS
        .iter()
        .find(|(name, _)| *name == type_name)
        .map(|(_, file)| *file)
}

/// Every resource `app` registers, in registration order, with its spec file.
fn resources(app: &TestApp) -> Vec<Resource> {
    app.descriptors
        .iter()
        .map(|descriptor| Resource {
            path: descriptor.collection_path(),
            type_name: descriptor.type_name,
            methods: descriptor.methods,
            spec: spec_of(descriptor.type_name).unwrap_or_else(|| {
                panic!(
                    "{} is registered but has no conformance entry in SPECS",
                    descriptor.type_name
                )
            }),
        })
        .collect()
}

/// The registered resource of type `type_name`.
fn resource(app: &TestApp, type_name: &str) -> Resource {
    resources(app)
        .into_iter()
        .find(|r| r.type_name == type_name)
        .unwrap_or_else(|| panic!("{type_name} is not registered"))
}

// ---------------------------------------------------------------------------------------
// Specs and validators
// ---------------------------------------------------------------------------------------

/// Asserts the status and that the body is a TMF Error conforming to the spec's `Error`.
#[track_caller]
fn assert_error_conforms(response: &TestResponse, status: u16, file: &'static str, what: &str) {
    assert_eq!(
        response.status.as_u16(),
        status,
        "{what}: unexpected status; body: {}",
        response.text
    );
    assert!(
        response.body.is_object(),
        "{what}: an error body must be a JSON object, got: {}",
        response.text
    );
    assert_conforms(file, "Error", &response.body, what);
    assert_eq!(response.body["status"], status.to_string(), "{what}");
    assert_eq!(response.body["@type"], "Error", "{what}");
    assert!(
        response.body["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{what}: the error names no problem: {}",
        response.text
    );
}

#[track_caller]
fn assert_status(response: &TestResponse, status: StatusCode, what: &str) {
    assert_eq!(
        response.status, status,
        "{what}: unexpected status; body: {}",
        response.text
    );
}

/// Asserts that every attribute sent comes back unchanged.
#[track_caller]
///
/// A reference to a stored resource comes back completed: with the `@referredType` the
/// server found and the `href` it derives, whatever `href` it was sent with. So objects with
/// an `id` are compared without those two, and every returned `href` must name its id.
fn assert_echoes(sent: &Value, returned: &Value, what: &str) {
    for (key, value) in sent.as_object().expect("payloads are objects") {
        assert_eq!(
            without_reference_hrefs(&returned[key]),
            without_reference_hrefs(value),
            "{what}: attribute '{key}' was not returned as sent; body: {returned}"
        );
        assert_references_linked(&returned[key], what);
    }
}

/// `value` with the `href` and `@referredType` of every reference inside it removed.
fn without_reference_hrefs(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let is_reference = map.contains_key("id");
            Value::Object(
                map.iter()
                    .filter(|(key, _)| {
                        !(is_reference && matches!(key.as_str(), "href" | "@referredType"))
                    })
                    .map(|(key, inner)| (key.clone(), without_reference_hrefs(inner)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(without_reference_hrefs).collect()),
        other => other.clone(),
    }
}

/// Every reference inside `value` with an `href` the server derived (under its own base)
/// has one naming its id; an external reference keeps the `href` it was sent with.
fn assert_references_linked(value: &Value, what: &str) {
    match value {
        Value::Object(map) => {
            if let (Some(Value::String(id)), Some(Value::String(href))) =
                (map.get("id"), map.get("href"))
                && href.starts_with("http://crm.test/")
            {
                assert!(
                    href.ends_with(id.as_str()),
                    "{what}: reference {value}: href names another id"
                );
            }
            map.values()
                .for_each(|inner| assert_references_linked(inner, what));
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| assert_references_linked(item, what)),
        _ => {}
    }
}

fn item(path: &str, id: &str) -> String {
    format!("{path}/{id}")
}

// ---------------------------------------------------------------------------------------
// Rich payloads
// ---------------------------------------------------------------------------------------

fn period() -> Value {
    json!({"startDateTime": "2024-01-01T00:00:00Z", "endDateTime": "2030-12-31T23:59:59Z"})
}

/// A TMF632 contact medium (every property optional) with every property filled.
fn party_contact_media() -> Value {
    json!([
        {
            "mediumType": "email",
            "preferred": true,
            "characteristic": {
                "emailAddress": "ada@example.com",
                "contactType": "home",
                "@type": "MediumCharacteristic"
            },
            "validFor": period(),
            "@baseType": "ContactMedium",
            "@schemaLocation": "https://schemas.example.com/ContactMedium.json",
            "@type": "ContactMedium"
        },
        {
            "mediumType": "postalAddress",
            "preferred": false,
            "characteristic": {
                "street1": "12 St James's Square",
                "street2": "Flat 2",
                "city": "London",
                "postCode": "SW1Y 4JH",
                "stateOrProvince": "Greater London",
                "country": "GB",
                "contactType": "billing"
            }
        },
        {
            "mediumType": "telephone",
            "characteristic": {
                "phoneNumber": "+442079460000",
                "faxNumber": "+442079460001",
                "socialNetworkId": "@ada"
            }
        }
    ])
}

/// A TMF629/TMF669 contact medium (`mediumType` and `characteristic` required).
fn role_contact_media() -> Value {
    json!([
        {
            "mediumType": "email",
            "preferred": true,
            "characteristic": {"emailAddress": "billing@example.com", "contactType": "billing"},
            "validFor": period(),
            "@type": "ContactMedium"
        },
        {
            "mediumType": "telephone",
            "characteristic": {"phoneNumber": "+33123456789", "contactType": "mobile"}
        }
    ])
}

fn characteristics() -> Value {
    json!([
        {"name": "segment", "valueType": "string", "value": "gold", "@type": "Characteristic"},
        {"name": "loyaltyPoints", "valueType": "integer", "value": 1200},
        {"name": "preferences", "valueType": "object", "value": {"newsletter": true, "channels": ["email", "sms"]}},
        {"name": "vip", "valueType": "boolean", "value": false}
    ])
}

fn external_references() -> Value {
    json!([
        {"externalReferenceType": "legacyCrm", "name": "CRM-000123", "@type": "ExternalReference"},
        {"externalReferenceType": "billingSystem", "name": "BILL-987"}
    ])
}

fn credit_ratings() -> Value {
    json!([{
        "creditAgencyName": "Experian",
        "creditAgencyType": "external",
        "ratingReference": "EXP-2024-1",
        "ratingScore": 742,
        "validFor": period(),
        "@type": "PartyCreditProfile"
    }])
}

fn attachment(name: &str) -> Value {
    json!({
        "attachmentType": "scan",
        "description": "scanned document",
        "mimeType": "application/pdf",
        "name": name,
        "url": format!("https://documents.example.com/{name}"),
        "size": {"amount": 1.5, "units": "MB"},
        "validFor": period(),
        "@type": "Attachment"
    })
}

fn tax_exemptions() -> Value {
    json!([{
        "id": "TAX-EX-1",
        "attachment": attachment("exemption.pdf"),
        "taxDefinition": [{"id": "VAT", "name": "Value added tax", "taxType": "sales", "@referredType": "TaxDefinition"}],
        "validFor": period()
    }])
}

fn individual_payload(organization: &str) -> Value {
    json!({
        "givenName": "Ada",
        "familyName": "Lovelace",
        "middleName": "Augusta",
        "aristocraticTitle": "Countess",
        "birthDate": "1815-12-10T00:00:00Z",
        "countryOfBirth": "United Kingdom",
        "deathDate": "1852-11-27T00:00:00Z",
        "familyNamePrefix": "King-Noel",
        "formattedName": "Ada Lovelace",
        "fullName": "Augusta Ada King",
        "gender": "female",
        "generation": "I",
        "legalName": "Augusta Ada King, Countess of Lovelace",
        "location": "London",
        "maritalStatus": "married",
        "nationality": "British",
        "placeOfBirth": "London",
        "preferredGivenName": "Ada",
        "title": "Countess",
        "status": "validated",
        "contactMedium": party_contact_media(),
        "creditRating": credit_ratings(),
        "disability": [{"disabilityCode": "VIS-1", "disabilityName": "Low vision", "validFor": period()}],
        "externalReference": external_references(),
        "individualIdentification": [{
            "identificationId": "P1234567",
            "identificationType": "passport",
            "issuingAuthority": "HM Passport Office",
            "issuingDate": "2020-06-01T00:00:00Z",
            "attachment": attachment("passport.pdf"),
            "validFor": period()
        }],
        "languageAbility": [{
            "languageCode": "en-GB",
            "languageName": "English",
            "isFavouriteLanguage": true,
            "listeningProficiency": "native",
            "readingProficiency": "native",
            "speakingProficiency": "native",
            "writingProficiency": "native",
            "validFor": period()
        }],
        "otherName": [{
            "givenName": "Augusta",
            "familyName": "Byron",
            "fullName": "Augusta Ada Byron",
            "title": "Hon.",
            "validFor": {"endDateTime": "1835-07-08T00:00:00Z"}
        }],
        "partyCharacteristic": characteristics(),
        "relatedParty": [{
            "id": organization,
            "name": "Analytical Engines Ltd",
            "role": "employer",
            "@referredType": "Organization"
        }],
        "skill": [{
            "skillCode": "MATH",
            "skillName": "Mathematics",
            "evaluatedLevel": "expert",
            "comment": "wrote the first program",
            "validFor": period()
        }],
        "taxExemptionCertificate": tax_exemptions(),
        "@baseType": "Party",
        "@schemaLocation": "https://schemas.example.com/Individual.json",
        "@type": "Individual"
    })
}

fn organization_payload(parent: &str, child: &str, individual: &str) -> Value {
    json!({
        "tradingName": "Analytical Engines",
        "name": "Analytical Engines Ltd",
        "nameType": "Ltd",
        "organizationType": "company",
        "isHeadOffice": true,
        "isLegalEntity": true,
        "status": "validated",
        "contactMedium": party_contact_media(),
        "creditRating": credit_ratings(),
        "existsDuring": {"startDateTime": "1990-01-01T00:00:00Z"},
        "externalReference": external_references(),
        "organizationChildRelationship": [{
            "relationshipType": "hierarchical",
            "organization": {"id": child, "name": "Engines R&D", "@referredType": "Organization"}
        }],
        "organizationIdentification": [{
            "identificationId": "GB123456789",
            "identificationType": "companyRegistration",
            "issuingAuthority": "Companies House",
            "issuingDate": "1990-01-02T00:00:00Z",
            "attachment": attachment("registration.pdf"),
            "validFor": period()
        }],
        "organizationParentRelationship": {
            "relationshipType": "juridical",
            "organization": {"id": parent, "name": "Engines Holding"}
        },
        "otherName": [{"name": "Babbage & Co", "nameType": "Co", "tradingName": "Babbage", "validFor": period()}],
        "partyCharacteristic": characteristics(),
        "relatedParty": [{"id": individual, "role": "director", "@referredType": "Individual"}],
        "taxExemptionCertificate": tax_exemptions(),
        "@baseType": "Party",
        "@schemaLocation": "https://schemas.example.com/Organization.json",
        "@type": "Organization"
    })
}

fn role_payload(name: &str, engaged: &Value, related: &Value) -> Value {
    json!({
        "name": name,
        "status": "validated",
        "statusReason": "identity checked",
        "account": [{
            "id": "ACC-1",
            "href": "https://billing.example.com/account/ACC-1",
            "name": "Main billing account",
            "description": "pays every invoice",
            "@referredType": "BillingAccount"
        }],
        "agreement": [{"id": "AGR-1", "name": "Framework agreement", "@referredType": "Agreement"}],
        "characteristic": characteristics(),
        "contactMedium": role_contact_media(),
        "creditProfile": [{
            "creditProfileDate": "2024-02-01T00:00:00Z",
            "creditRiskRating": 2,
            "creditScore": 720,
            "validFor": period(),
            "@type": "CreditProfile"
        }],
        "engagedParty": engaged,
        "paymentMethod": [{"id": "PM-1", "name": "Direct debit", "@referredType": "BankAccountDebit"}],
        "relatedParty": [related],
        "validFor": period(),
        "@baseType": "PartyRole",
        "@schemaLocation": "https://schemas.example.com/Role.json"
    })
}

async fn organization(app: &TestApp, trading_name: &str) -> String {
    let response = app
        .post(ORGANIZATION, &json!({"tradingName": trading_name}))
        .await;
    assert_status(&response, StatusCode::CREATED, "create organization");
    response.id()
}

// ---------------------------------------------------------------------------------------
// The operations of one resource, each response validated
// ---------------------------------------------------------------------------------------

/// `payload` with extension attributes (TMF630): an object `vendorExt` at the top, tagged
/// with `tag`, and `vendorNested` in the first nested object (or first object of a list).
fn with_extensions(payload: &Value, tag: &str) -> Value {
    let mut extended = payload.clone();
    let map = extended.as_object_mut().expect("payloads are objects");
    let nested = map.values_mut().find_map(|value| match value {
        Value::Object(object) => Some(object),
        Value::Array(items) => items.iter_mut().find_map(Value::as_object_mut),
        _ => None,
    });
    if let Some(object) = nested {
        object.insert(
            "vendorNested".into(),
            json!({"since": "4.1", "weight": 0.25}),
        );
    }
    map.insert(
        "vendorExt".into(),
        json!({"tag": tag, "level": 2, "flags": [true, 12.50]}),
    );
    extended
}

/// Removes the attribute `name` wherever it is inside `value`.
fn without_key(value: &mut Value, name: &str) {
    match value {
        Value::Object(map) => {
            map.remove(name);
            map.values_mut().for_each(|inner| without_key(inner, name));
        }
        Value::Array(items) => items.iter_mut().for_each(|item| without_key(item, name)),
        _ => {}
    }
}

/// With `strict_attributes`, the extended `payload` is a 400 naming its extension attribute,
/// at the top and nested, and nothing is stored. (The body is refused as it is read, before
/// its references are checked, so a fresh server without the payload's targets will do.)
async fn check_strict_refusal(resource: &Resource, payload: &Value) {
    let strict = TestApp::with_settings(|s| s.strict_attributes = true).await;
    let mut nested_only = payload.clone();
    nested_only
        .as_object_mut()
        .expect("payloads are objects")
        .remove("vendorExt");
    let nested = nested_only.to_string().contains("vendorNested");
    let mut top_only = payload.clone();
    without_key(&mut top_only, "vendorNested");
    for (body, name) in [(&top_only, "vendorExt"), (&nested_only, "vendorNested")] {
        if name == "vendorNested" && !nested {
            continue;
        }
        let refused = strict.post(&resource.path, body).await;
        let message = refused.assert_tmf_error(400);
        assert!(message.contains(name), "strict: {name} named: {message}");
    }
    assert_eq!(
        strict.total(&resource.path).await,
        0,
        "strict: nothing stored"
    );
}

/// Creates the resource from `payload` (with extension attributes added), and checks every
/// operation's response against the resource definition: create, retrieve, retrieve with
/// `fields`, list (with and without `fields`, and filtered on an extension attribute), merge
/// patch (both media types) and JSON Patch. The extension attributes come back exactly as
/// sent wherever the resource does.
async fn check_operations(
    app: &TestApp,
    resource: &Resource,
    payload: &Value,
    fields: &[&str],
    merge_patch: &Value,
    json_patch: &Value,
) -> String {
    let (file, def) = (resource.spec, resource.type_name);
    let tag = format!("{def}-{}", uuid::Uuid::now_v7());
    let payload = &with_extensions(payload, &tag);
    check_strict_refusal(resource, payload).await;

    let created = app.post(&resource.path, payload).await;
    assert_status(&created, StatusCode::CREATED, "create");
    assert_conforms(file, def, &created.body, "create (201)");
    assert_echoes(payload, &created.body, "create");
    let id = created.id();
    assert!(!id.is_empty(), "create returned no id: {}", created.text);
    assert_eq!(
        created.header("location"),
        created.body["href"].as_str(),
        "Location must be the href"
    );
    assert_eq!(created.body["@type"], def, "@type");

    let retrieved = app.get(&item(&resource.path, &id)).await;
    assert_status(&retrieved, StatusCode::OK, "retrieve");
    assert_conforms(file, def, &retrieved.body, "retrieve (200)");
    assert_eq!(
        retrieved.body, created.body,
        "retrieve returns what create did"
    );

    let projected = app
        .get(&format!(
            "{}?fields={}",
            item(&resource.path, &id),
            fields.join(",")
        ))
        .await;
    assert_status(&projected, StatusCode::OK, "retrieve with fields");
    assert_conforms(file, def, &projected.body, "retrieve with fields= (200)");
    let spec = crm_tests::schema::spec(file);
    let required: Vec<&str> = spec
        .pointer(&format!("/definitions/{def}/required"))
        .and_then(serde_json::Value::as_array)
        .map(|names| names.iter().filter_map(|n| n.as_str()).collect())
        .unwrap_or_default();
    let expected_keys: BTreeSet<&str> = ["id", "href", "@type"]
        .into_iter()
        .chain(fields.iter().map(|f| f.split('.').next().unwrap_or(f)))
        .chain(
            required
                .iter()
                .copied()
                .filter(|r| created.body.get(*r).is_some()),
        )
        .collect();
    let returned_keys: BTreeSet<&str> = projected
        .body
        .as_object()
        .expect("a projection is an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        returned_keys, expected_keys,
        "fields= returns exactly the asked attributes plus id, href, @type and what the schema requires"
    );
    // Naming no attribute of the resource still gives a valid representation.
    let unknown = app
        .get(&format!("{}?fields=__main__", item(&resource.path, &id)))
        .await;
    assert_status(&unknown, StatusCode::OK, "retrieve with fields=__main__");
    assert_conforms(
        file,
        def,
        &unknown.body,
        "retrieve with fields=__main__ (200)",
    );

    // An extension attribute is filterable by equality, reaching into an extension object.
    let filtered = app
        .get(&format!("{}?vendorExt.tag={tag}", resource.path))
        .await;
    assert_status(&filtered, StatusCode::OK, "list filtered on an extension");
    assert_eq!(
        filtered.body,
        json!([created.body.clone()]),
        "the filter on vendorExt.tag finds exactly the resource"
    );
    let projected = app
        .get(&format!("{}?fields=vendorExt", item(&resource.path, &id)))
        .await;
    assert_eq!(
        projected.body["vendorExt"], payload["vendorExt"],
        "fields=vendorExt"
    );

    // Each test creates more than one resource of the kind: the list has several elements.
    let listed = app.get(&resource.path).await;
    assert_status(&listed, StatusCode::OK, "list");
    let items = listed.body.as_array().expect("a list is a JSON array");
    assert!(
        items.iter().any(|i| i["id"] == id.as_str()),
        "the created resource is listed"
    );
    assert!(
        items.len() >= 2,
        "the list has several elements: {}",
        listed.text
    );
    for (i, element) in items.iter().enumerate() {
        assert_conforms(file, def, element, &format!("list element [{i}]"));
    }
    assert_eq!(
        listed.header("x-result-count"),
        Some(items.len().to_string().as_str())
    );

    let listed = app
        .get(&format!("{}?fields={}", &resource.path, fields.join(",")))
        .await;
    assert_status(&listed, StatusCode::OK, "list with fields");
    let items = listed.body.as_array().expect("a list is a JSON array");
    assert!(!items.is_empty());
    for (i, element) in items.iter().enumerate() {
        assert_conforms(
            file,
            def,
            element,
            &format!("list with fields= element [{i}]"),
        );
    }

    for media_type in [MERGE, "application/json"] {
        // Each patch also sets an extension attribute, which comes back and is recorded.
        let mut merge_patch = merge_patch.clone();
        merge_patch["vendorPatch"] = json!({"media": media_type});
        let merge_patch = &merge_patch;
        let patched = app
            .patch(&item(&resource.path, &id), media_type, merge_patch)
            .await;
        assert_status(&patched, StatusCode::OK, &format!("patch ({media_type})"));
        assert_conforms(
            file,
            def,
            &patched.body,
            &format!("patch with {media_type} (200)"),
        );
        for (key, value) in merge_patch.as_object().expect("merge patch object") {
            if value.is_null() {
                assert!(
                    patched.body.get(key).is_none(),
                    "merge patch null removes '{key}'"
                );
            } else if !value.is_object() {
                assert_eq!(&patched.body[key], value, "merge patch sets '{key}'");
            }
        }
        assert_eq!(patched.body["id"], id.as_str());
        assert_eq!(
            patched.body["vendorPatch"],
            json!({"media": media_type}),
            "an extension attribute set by a {media_type} patch"
        );
        let after = app.get(&item(&resource.path, &id)).await;
        assert_eq!(
            after.body, patched.body,
            "patch returns the stored resource"
        );
    }

    let mut json_patch = json_patch.clone();
    json_patch
        .as_array_mut()
        .expect("a JSON Patch is a list")
        .push(json!({"op": "add", "path": "/vendorJsonPatch", "value": [1, "two"]}));
    let patched = app
        .patch(&item(&resource.path, &id), JSON_PATCH, &json_patch)
        .await;
    assert_status(&patched, StatusCode::OK, "patch (json-patch)");
    assert_conforms(file, def, &patched.body, "patch with JSON Patch (200)");
    assert_eq!(patched.body["id"], id.as_str());
    let after = app.get(&item(&resource.path, &id)).await;
    assert_eq!(
        after.body, patched.body,
        "JSON Patch returns the stored resource"
    );
    assert_eq!(patched.body["vendorJsonPatch"], json!([1, "two"]));
    assert_eq!(
        patched.body["vendorExt"], payload["vendorExt"],
        "kept through patches"
    );

    // The history records the extension attributes like any other.
    let history = app
        .get(&format!("{}/history", item(&resource.path, &id)))
        .await;
    assert_status(&history, StatusCode::OK, "history");
    let recorded = |attribute: &str| -> Vec<Value> {
        history
            .body
            .as_array()
            .expect("a history is a list")
            .iter()
            .flat_map(|entry| entry["changes"].as_array().cloned().unwrap_or_default())
            .filter(|change| change["attribute"] == attribute)
            .map(|change| change["new"].clone())
            .collect()
    };
    assert!(
        recorded("vendorExt").contains(&payload["vendorExt"]),
        "history of vendorExt: {}",
        history.text
    );
    assert!(
        recorded("vendorPatch").contains(&json!({"media": MERGE})),
        "history of vendorPatch: {}",
        history.text
    );
    assert!(
        recorded("vendorJsonPatch").contains(&json!([1, "two"])),
        "history of vendorJsonPatch: {}",
        history.text
    );

    id
}

#[tokio::test]
async fn individual_operations_conform_to_tmf632() {
    let app = TestApp::new().await;
    let employer = organization(&app, "Analytical Engines").await;
    app.individual("Charles", "Babbage").await;
    let id = check_operations(
        &app,
        &resource(&app, "Individual"),
        &individual_payload(&employer),
        &[
            "givenName",
            "familyName",
            "contactMedium.mediumType",
            "status",
        ],
        &json!({"middleName": null, "nationality": "English", "status": "deceaded",
                "partyCharacteristic": [{"name": "segment", "value": "platinum"}]}),
        &json!([
            {"op": "test", "path": "/givenName", "value": "Ada"},
            {"op": "add", "path": "/contactMedium/-", "value": {
                "mediumType": "email", "characteristic": {"emailAddress": "ada@engines.example"}}},
            {"op": "replace", "path": "/familyName", "value": "King"},
            {"op": "remove", "path": "/skill"}
        ]),
    )
    .await;
    let final_state = app.get(&item(INDIVIDUAL, &id)).await;
    assert_eq!(final_state.body["familyName"], "King");
    assert_eq!(
        final_state.body["contactMedium"].as_array().map(Vec::len),
        Some(4)
    );
    assert!(final_state.body.get("skill").is_none());
}

#[tokio::test]
async fn organization_operations_conform_to_tmf632() {
    let app = TestApp::new().await;
    let parent = organization(&app, "Engines Holding").await;
    let child = organization(&app, "Engines R&D").await;
    let director = app.individual("Charles", "Babbage").await;
    let id = check_operations(
        &app,
        &resource(&app, "Organization"),
        &organization_payload(&parent, &child, &director),
        &[
            "tradingName",
            "status",
            "existsDuring.startDateTime",
            "isHeadOffice",
        ],
        &json!({"nameType": null, "isHeadOffice": false, "status": "closed",
                "existsDuring": {"endDateTime": "2040-01-01T00:00:00Z"}}),
        &json!([
            {"op": "replace", "path": "/tradingName", "value": "Difference Engines"},
            {"op": "add", "path": "/externalReference/0", "value": {"name": "NEW-1"}},
            {"op": "remove", "path": "/organizationChildRelationship"}
        ]),
    )
    .await;
    let final_state = app.get(&item(ORGANIZATION, &id)).await;
    assert_eq!(final_state.body["tradingName"], "Difference Engines");
    assert_eq!(
        final_state.body["existsDuring"],
        json!({"startDateTime": "1990-01-01T00:00:00Z", "endDateTime": "2040-01-01T00:00:00Z"})
    );
}

#[tokio::test]
async fn customer_operations_conform_to_tmf629() {
    let app = TestApp::new().await;
    let party = app.individual("Grace", "Hopper").await;
    let company = organization(&app, "Navy").await;
    app.customer("Someone else", &party, "active").await;
    let payload = role_payload(
        "Grace Hopper",
        &json!({"id": party, "name": "Grace Hopper", "@referredType": "Individual"}),
        &json!({"id": company, "role": "employer", "@referredType": "Organization"}),
    );
    // `engagedParty` is required by the Customer definition: a partial representation
    // conforms to it only if it keeps it.
    let id = check_operations(
        &app,
        &resource(&app, "Customer"),
        &payload,
        &["name", "status", "engagedParty", "validFor"],
        &json!({"statusReason": null, "status": "active",
                "validFor": {"endDateTime": "2031-01-01T00:00:00Z"}}),
        &json!([
            {"op": "replace", "path": "/name", "value": "Rear Admiral Hopper"},
            {"op": "add", "path": "/characteristic/-", "value": {"name": "rank", "value": "RADM"}},
            {"op": "remove", "path": "/paymentMethod"}
        ]),
    )
    .await;
    let final_state = app.get(&item(CUSTOMER, &id)).await;
    assert_eq!(final_state.body["name"], "Rear Admiral Hopper");
    assert!(final_state.body.get("paymentMethod").is_none());
}

#[tokio::test]
async fn party_role_operations_conform_to_tmf669() {
    let app = TestApp::new().await;
    let company = organization(&app, "Reseller Ltd").await;
    let contact = app.individual("Alan", "Turing").await;
    let payload = role_payload(
        "Reseller",
        &json!({"id": company, "name": "Reseller Ltd", "@referredType": "Organization"}),
        &json!({"id": contact, "role": "account manager", "@referredType": "Individual"}),
    );
    app.post(PARTY_ROLE, &json!({"name": "Supplier"})).await;
    let id = check_operations(
        &app,
        &resource(&app, "PartyRole"),
        &payload,
        &["name", "status", "engagedParty", "contactMedium"],
        &json!({"statusReason": null, "status": "active", "engagedParty": {"name": "Reseller"}}),
        &json!([
            {"op": "replace", "path": "/status", "value": "suspended"},
            {"op": "remove", "path": "/engagedParty"},
            {"op": "add", "path": "/agreement/-", "value": {"id": "AGR-2"}}
        ]),
    )
    .await;
    let final_state = app.get(&item(PARTY_ROLE, &id)).await;
    assert_eq!(final_state.body["status"], "suspended");
    assert!(final_state.body.get("engagedParty").is_none());
}

#[tokio::test]
async fn minimal_resources_conform_too() {
    let app = TestApp::new().await;
    let party = app.individual("Min", "Imal").await;
    for (resource, body) in [
        (
            &resource(&app, "Individual"),
            json!({"givenName": "A", "familyName": "B"}),
        ),
        (&resource(&app, "Organization"), json!({"tradingName": "T"})),
        (
            &resource(&app, "Customer"),
            json!({"name": "C", "engagedParty": {"id": party, "@referredType": "Individual"}}),
        ),
        (&resource(&app, "PartyRole"), json!({"name": "R"})),
    ] {
        let created = app.post(&resource.path, &body).await;
        assert_status(&created, StatusCode::CREATED, resource.type_name);
        assert_conforms(
            resource.spec,
            resource.type_name,
            &created.body,
            &format!("minimal {} create", resource.type_name),
        );
    }
}

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn error_responses_conform_to_the_error_definition() {
    let app = TestApp::new().await;
    let party = app.individual("Err", "Or").await;
    let company = organization(&app, "Err Inc").await;
    let customer = app.customer("Err customer", &party, "active").await;
    let role = app
        .post(
            PARTY_ROLE,
            &json!({"name": "Reseller", "engagedParty": {"id": company, "@referredType": "Organization"}}),
        )
        .await
        .id();
    // Something referring to each resource, so that deleting it is a conflict.
    let referrer = app
        .post(
            INDIVIDUAL,
            &json!({"givenName": "Ref", "familyName": "Errer", "relatedParty": [
                {"id": customer, "@referredType": "Customer"},
                {"id": role, "@referredType": "PartyRole"}
            ]}),
        )
        .await;
    assert_status(&referrer, StatusCode::CREATED, "referrer");

    let existing: [(&Resource, &str, Value); 4] = [
        (
            &resource(&app, "Individual"),
            party.as_str(),
            json!({"givenName": "X", "familyName": "Y"}),
        ),
        (
            &resource(&app, "Organization"),
            company.as_str(),
            json!({"tradingName": "X"}),
        ),
        (
            &resource(&app, "Customer"),
            customer.as_str(),
            json!({"name": "X", "engagedParty": {"id": party, "@referredType": "Individual"}}),
        ),
        (
            &resource(&app, "PartyRole"),
            role.as_str(),
            json!({"name": "X"}),
        ),
    ];
    for (resource, id, valid) in existing {
        let file = resource.spec;
        let name = resource.type_name;
        let unknown = item(&resource.path, "00000000-0000-0000-0000-000000000000");

        let r = app.get(&unknown).await;
        assert_error_conforms(&r, 404, file, &format!("{name}: retrieve unknown id"));
        let r = app.patch(&unknown, MERGE, &json!({"status": "x"})).await;
        assert_error_conforms(&r, 404, file, &format!("{name}: patch unknown id"));
        let r = app.delete(&unknown).await;
        assert_error_conforms(&r, 404, file, &format!("{name}: delete unknown id"));
        let r = app.get(&format!("{}/nothing/here", resource.path)).await;
        assert_error_conforms(&r, 404, file, &format!("{name}: unknown route"));

        let r = app
            .raw(
                Method::POST,
                &resource.path,
                Some("application/json"),
                "{\"broken\": ",
            )
            .await;
        assert_error_conforms(&r, 400, file, &format!("{name}: malformed JSON"));
        let r = app
            .get(&format!("{}?noSuchAttribute.gt=1", resource.path))
            .await;
        assert_error_conforms(&r, 400, file, &format!("{name}: bad filter"));
        let r = app
            .patch(&item(&resource.path, id), MERGE, &json!({"id": "other"}))
            .await;
        assert_error_conforms(&r, 400, file, &format!("{name}: patch changing id"));

        let mut dangling = valid.clone();
        dangling["relatedParty"] = json!([{"id": "missing-party", "@referredType": "Individual"}]);
        let r = app.post(&resource.path, &dangling).await;
        assert_error_conforms(&r, 422, file, &format!("{name}: dangling relatedParty"));
        let r = app
            .patch(
                &item(&resource.path, id),
                JSON_PATCH,
                &json!([{"op": "test", "path": "/id", "value": "not-this-one"}]),
            )
            .await;
        assert_error_conforms(&r, 422, file, &format!("{name}: failing JSON Patch test"));

        let r = app.delete(&item(&resource.path, id)).await;
        assert_error_conforms(&r, 409, file, &format!("{name}: delete while referenced"));

        let r = app
            .raw(
                Method::PUT,
                &item(&resource.path, id),
                Some("application/json"),
                valid.to_string(),
            )
            .await;
        assert_error_conforms(&r, 405, file, &format!("{name}: PUT on an item"));
        let r = app.delete(&resource.path).await;
        assert_error_conforms(&r, 405, file, &format!("{name}: DELETE on the collection"));

        let r = app
            .raw(
                Method::POST,
                &resource.path,
                Some("text/plain"),
                valid.to_string(),
            )
            .await;
        assert_error_conforms(&r, 415, file, &format!("{name}: POST as text/plain"));
        let r = app
            .raw(
                Method::PATCH,
                &item(&resource.path, id),
                Some("application/xml"),
                "<status>x</status>",
            )
            .await;
        assert_error_conforms(&r, 415, file, &format!("{name}: PATCH as application/xml"));

        let r = app
            .send_anonymous(
                axum::http::Request::builder()
                    .uri(&resource.path)
                    .header("host", "crm.test")
                    .body(Body::empty())
                    .expect("request"),
            )
            .await;
        assert_error_conforms(&r, 401, file, &format!("{name}: list without a token"));
    }
    let oversized = TestApp::with_settings(|s| s.body_limit_bytes = 256).await;
    // A record only the server writes answers every POST with 405, large or not.
    for resource in resources(&app).into_iter().filter(|r| r.methods.create) {
        let r = oversized
            .post(&resource.path, &json!({"name": "x".repeat(1000)}))
            .await;
        assert_error_conforms(
            &r,
            413,
            resource.spec,
            &format!("{}: oversized body", resource.type_name),
        );
    }
}

// ---------------------------------------------------------------------------------------
// The validation itself is effective
// ---------------------------------------------------------------------------------------

#[test]
fn schema_validation_rejects_non_conforming_documents() {
    // Without this, a validator that accepts everything would make every test above pass.
    assert!(
        !violations(TMF632, "Individual", &json!({"givenName": "A"})).is_empty(),
        "id is required"
    );
    assert!(
        !violations(TMF632, "Individual", &json!({"id": "1", "givenName": 5})).is_empty(),
        "givenName is a string"
    );
    assert!(
        !violations(
            TMF632,
            "Individual",
            &json!({"id": "1", "contactMedium": [{"validFor": {"startDateTime": "yesterday"}}]})
        )
        .is_empty(),
        "nested definitions are followed and date-time formats are checked"
    );
    assert!(
        !violations(
            TMF632,
            "Individual",
            &json!({"id": "1", "status": "asleep"})
        )
        .is_empty(),
        "status is an enumeration"
    );
    assert!(
        !violations(TMF629, "Customer", &json!({"id": "1", "name": "C"})).is_empty(),
        "engagedParty is required"
    );
    assert!(
        !violations(
            TMF629,
            "Customer",
            &json!({"id": "1", "engagedParty": {"id": "p"}})
        )
        .is_empty(),
        "RelatedParty requires @referredType"
    );
    assert!(
        !violations(
            TMF669,
            "PartyRole",
            &json!({"contactMedium": [{"mediumType": "email"}]})
        )
        .is_empty(),
        "a party role's contact medium requires characteristic"
    );
    assert!(
        !violations(TMF629, "Error", &json!({"code": "X"})).is_empty(),
        "Error requires reason"
    );
    assert!(violations(TMF629, "Error", &json!({"code": "X", "reason": "Y"})).is_empty());
    assert!(violations(TMF632, "Individual", &json!({"id": "1"})).is_empty());
}

// ---------------------------------------------------------------------------------------
// The spec files
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn every_registered_resource_has_a_conformance_entry() {
    // A resource registered without an entry in SPECS would escape every check here; an entry
    // for a resource nothing registers is stale.
    let app = TestApp::new().await;
    let registered: BTreeSet<&str> = app.descriptors.iter().map(|d| d.type_name).collect();
    let entries: BTreeSet<&str> = SPECS.iter().map(|(name, _)| *name).collect();
    assert_eq!(entries.len(), SPECS.len(), "SPECS names a type twice");
    let missing: Vec<&str> = registered.difference(&entries).copied().collect();
    let stale: Vec<&str> = entries.difference(&registered).copied().collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "registered resources without a conformance entry in SPECS: {missing:?}; \
         entries in SPECS for no registered resource: {stale:?}"
    );
    for (name, file) in SPECS {
        assert!(
            spec(file)["definitions"][name].is_object(),
            "{file} defines no {name}"
        );
    }
}

#[tokio::test]
async fn shipped_specs_are_byte_identical_to_the_official_files() {
    let official = official_dir();
    let registered = resources(&TestApp::new().await);
    for file in SPEC_FILES {
        let path = shipped_path(file).unwrap_or_else(|| panic!("the product ships no {file}"));
        let shipped =
            std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let document: Value = serde_json::from_slice(&shipped)
            .unwrap_or_else(|e| panic!("shipped {file} is not JSON: {e}"));
        assert_eq!(document["swagger"], "2.0", "{file}");
        assert!(
            document["info"]["version"]
                .as_str()
                .is_some_and(|v| v.starts_with("4.0")),
            "{file} is not a v4.0 spec: {}",
            document["info"]["version"]
        );
        let base_path = document["basePath"].as_str().expect("basePath");
        assert!(
            registered
                .iter()
                .any(|r| r.spec == file && r.path.starts_with(base_path)),
            "{file}: basePath {base_path} serves none of the resources"
        );
        if official.is_dir() {
            let reference = std::fs::read(official.join(file))
                .unwrap_or_else(|e| panic!("official {file} missing: {e}"));
            assert!(
                shipped == reference,
                "{} differs from the official file ({} vs {} bytes)",
                path.display(),
                shipped.len(),
                reference.len()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// The OpenAPI document
// ---------------------------------------------------------------------------------------

/// Methods with API semantics. `OPTIONS` is not one (its handling is checked in
/// `bad_input.rs`); `HEAD` is implied by `GET`.
const PROBED: [&str; 6] = ["GET", "POST", "PUT", "PATCH", "DELETE", "TRACE"];

/// Whether the router serves `method` on `path`: neither 405 nor the fallback's 404.
async fn served(app: &TestApp, method: &str, path: &str) -> bool {
    let method = Method::from_bytes(method.as_bytes()).expect("method");
    let response = app
        .raw(
            method.clone(),
            path,
            Some("application/json"),
            Body::from("{}"),
        )
        .await;
    assert!(
        !response.status.is_server_error(),
        "{method} {path} gave {}: {}",
        response.status,
        response.text
    );
    let fallback = response.status == StatusCode::NOT_FOUND
        && response.body["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("no resource is served"));
    response.status != StatusCode::METHOD_NOT_ALLOWED && !fallback
}

async fn openapi(app: &TestApp) -> Value {
    let response = app.get("/openapi.json").await;
    assert_status(&response, StatusCode::OK, "/openapi.json");
    assert!(response.body.is_object(), "{}", response.text);
    response.body
}

/// An operation expected in the OpenAPI document: method, success status, operationId verb.
type Documented = (&'static str, &'static str, &'static str);

/// The methods documented on a path item.
fn documented_methods(path_item: &Value) -> BTreeSet<String> {
    path_item
        .as_object()
        .map(|item| {
            item.keys()
                .filter(|k| {
                    [
                        "get", "put", "post", "delete", "options", "head", "patch", "trace",
                    ]
                    .contains(&k.as_str())
                })
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn openapi_documents_every_route_the_router_serves() {
    let app = TestApp::new().await;
    let document = openapi(&app).await;
    let paths = document["paths"].as_object().expect("paths");

    // The required operations of every registered resource, with their success responses
    // and schemas.
    for resource in resources(&app) {
        let name = resource.type_name;
        let collection = resource.path.to_owned();
        let item_template = format!("{}/{{id}}", resource.path);
        // A task resource is created and read, never patched or deleted; a bill is never
        // deleted: the descriptor says which item methods are served.
        let mut item_operations: Vec<Documented> = vec![("get", "200", "retrieve")];
        if resource.methods.patch {
            item_operations.push(("patch", "200", "patch"));
        }
        if resource.methods.delete {
            item_operations.push(("delete", "204", "delete"));
        }
        // A replacement where the spec defines one (TMF658's `updateLoyaltyCondition`).
        if resource.methods.put {
            item_operations.push(("put", "200", "update"));
        }
        let item_operations = item_operations.as_slice();
        // A record only the server writes is read, never created by clients.
        let collection_operations: &[Documented] = if resource.methods.create {
            &[("get", "200", "list"), ("post", "201", "create")]
        } else {
            &[("get", "200", "list")]
        };
        let expected: [(&str, &[Documented]); 2] = [
            (&collection, collection_operations),
            (&item_template, item_operations),
        ];
        for (path, operations) in expected {
            let documented = paths
                .get(path)
                .unwrap_or_else(|| panic!("/openapi.json does not document {path}"));
            let methods = documented_methods(documented);
            let expected_methods: BTreeSet<String> =
                operations.iter().map(|(m, _, _)| (*m).to_owned()).collect();
            assert_eq!(methods, expected_methods, "operations of {path}");
            for (method, success, verb) in operations {
                let operation = &documented[*method];
                assert_eq!(
                    operation["operationId"],
                    format!("{verb}{name}"),
                    "{method} {path}"
                );
                assert!(
                    operation["responses"].get(*success).is_some(),
                    "{method} {path} documents no {success}: {operation}"
                );
            }
        }
        let resource_ref = format!("#/components/schemas/{name}");
        assert_eq!(
            paths[&collection]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
                ["items"]["$ref"],
            resource_ref.as_str()
        );
        if !resource.methods.create {
            continue;
        }
        assert_eq!(
            paths[&collection]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
                ["$ref"],
            resource_ref.as_str()
        );
        // A resource the spec serves read-only is recorded (an extension) as itself.
        let create = format!("{name}_Create");
        let create = match spec(resource.spec)["definitions"].get(&create) {
            Some(_) => create,
            None => name.to_owned(),
        };
        assert_eq!(
            paths[&collection]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            format!("#/components/schemas/{create}")
        );
        assert_eq!(
            paths[&item_template]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
                ["$ref"],
            resource_ref.as_str()
        );
        if !resource.methods.patch {
            continue;
        }
        for media in [MERGE, "application/json", JSON_PATCH] {
            assert!(
                paths[&item_template]["patch"]["requestBody"]["content"]
                    .get(media)
                    .is_some(),
                "PATCH {item_template} documents no {media} body"
            );
        }
    }

    // Served and documented agree, method by method, on every documented path and on every
    // route shape a resource may have (collection, item, item sub-resources).
    let existing = app.individual("Open", "Api").await;
    let mut templates: BTreeSet<String> = paths.keys().cloned().collect();
    for resource in resources(&app) {
        for shape in ["", "/{id}", "/{id}/history", "/{id}/{id}", "/{id}/events"] {
            templates.insert(format!("{}{shape}", resource.path));
        }
    }
    let mut disagreements = Vec::new();
    for template in &templates {
        let documented = paths
            .get(template)
            .map(documented_methods)
            .unwrap_or_default();
        let concrete = template.replace("{id}", &existing);
        // Whether the id exists does not matter: a handler's 404 is told from the fallback's.
        for method in PROBED {
            let is_served = served(&app, method, &concrete).await;
            let is_documented = documented.contains(&method.to_ascii_lowercase());
            if is_served != is_documented {
                disagreements.push(format!(
                    "{method} {template}: served = {is_served}, documented = {is_documented}"
                ));
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "the router and /openapi.json disagree:\n  {}",
        disagreements.join("\n  ")
    );
}

fn collect_refs(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "$ref" {
                    if let Some(reference) = child.as_str() {
                        out.push((at.to_owned(), reference.to_owned()));
                    }
                } else {
                    collect_refs(child, &format!("{at}/{key}"), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect_refs(child, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn every_ref_in_openapi_resolves_to_a_component_schema() {
    let app = TestApp::new().await;
    let document = openapi(&app).await;
    let schemas = document["components"]["schemas"]
        .as_object()
        .expect("components.schemas");
    let mut refs = Vec::new();
    collect_refs(&document, "#", &mut refs);
    assert!(
        refs.len() > 50,
        "the document holds references: {}",
        refs.len()
    );
    let dangling: Vec<String> = refs
        .iter()
        .filter(|(_, reference)| {
            reference
                .strip_prefix("#/components/schemas/")
                .is_none_or(|name| !schemas.contains_key(name))
        })
        .map(|(at, reference)| format!("{at} -> {reference}"))
        .collect();
    assert!(
        dangling.is_empty(),
        "{} $ref(s) in /openapi.json resolve to no components.schemas entry:\n  {}",
        dangling.len(),
        dangling.join("\n  ")
    );
}

fn required_set(schema: &Value) -> BTreeSet<String> {
    schema["required"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn property_set(schema: &Value) -> BTreeSet<String> {
    schema["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// The `$ref` target name of a property schema (directly or through `items`).
fn ref_target(schema: &Value) -> Option<String> {
    schema["$ref"]
        .as_str()
        .or_else(|| schema["items"]["$ref"].as_str())
        .map(|r| r.rsplit('/').next().unwrap_or(r).to_owned())
}

/// Compares a spec definition with the component the OpenAPI document publishes for it,
/// following references in both in parallel (so a renamed component is found by reference).
fn compare_definition(
    definitions: &Value,
    spec_name: &str,
    schemas: &Value,
    component_name: &str,
    label: &str,
    seen: &mut BTreeSet<(String, String)>,
    mismatches: &mut BTreeMap<String, String>,
) {
    if !seen.insert((spec_name.to_owned(), component_name.to_owned())) {
        return;
    }
    let spec_definition = &definitions[spec_name];
    let component = &schemas[component_name];
    if component.is_null() {
        mismatches.insert(
            format!("{label} {spec_name}"),
            format!("component '{component_name}' missing from components.schemas"),
        );
        return;
    }
    let (want_req, got_req) = (required_set(spec_definition), required_set(component));
    let (want_props, got_props) = (property_set(spec_definition), property_set(component));
    if want_req != got_req || want_props != got_props {
        mismatches.insert(
            format!("{label} {spec_name} (published as {component_name})"),
            format!(
                "required {want_req:?} in the spec, {got_req:?} in /openapi.json; \
                 properties {want_props:?} vs {got_props:?}"
            ),
        );
    }
    let Some(properties) = spec_definition["properties"].as_object() else {
        return;
    };
    for (property, property_schema) in properties {
        let (Some(spec_target), Some(component_target)) = (
            ref_target(property_schema),
            ref_target(&component["properties"][property]),
        ) else {
            continue;
        };
        compare_definition(
            definitions,
            &spec_target,
            schemas,
            &component_target,
            label,
            seen,
            mismatches,
        );
    }
}

#[tokio::test]
async fn openapi_schemas_are_each_resources_own_spec_definitions() {
    // Several specs define a type of the same name (ContactMedium is in TMF632, TMF629 and
    // TMF669, with different required properties). Each resource's schemas in the OpenAPI
    // document, reached through its operations, must be the ones of the resource's own spec.
    let app = TestApp::new().await;
    let document = openapi(&app).await;
    let schemas = &document["components"]["schemas"];
    let mut mismatches: BTreeMap<String, String> = BTreeMap::new();
    for resource in resources(&app) {
        let spec = spec(resource.spec);
        let definitions = &spec["definitions"];
        let collection = &document["paths"][&resource.path];
        let item = &document["paths"][format!("{}/{{id}}", resource.path)];
        let published = [
            (
                resource.type_name.to_owned(),
                item["get"]["responses"]["200"]["content"]["application/json"]["schema"].clone(),
            ),
            (
                format!("{}_Create", resource.type_name),
                collection["post"]["requestBody"]["content"]["application/json"]["schema"].clone(),
            ),
            (
                format!("{}_Update", resource.type_name),
                item["patch"]["requestBody"]["content"]["application/merge-patch+json"]["schema"]
                    .clone(),
            ),
        ];
        for (spec_name, schema) in published {
            if !resource.methods.patch && spec_name.ends_with("_Update") {
                // A task, or a resource served read-only: no update.
                continue;
            }
            if !resource.methods.create && spec_name.ends_with("_Create") {
                // A record only the server writes: no create.
                continue;
            }
            // A resource the spec serves read-only is recorded (an extension) as itself.
            let spec_name = match definitions.get(&spec_name) {
                None if spec_name.ends_with("_Create") => resource.type_name.to_owned(),
                _ => spec_name,
            };
            let label = format!("{} ({})", resource.type_name, resource.spec);
            let Some(component) = ref_target(&schema) else {
                mismatches.insert(format!("{label} {spec_name}"), "no schema reference".into());
                continue;
            };
            compare_definition(
                definitions,
                &spec_name,
                schemas,
                &component,
                &label,
                &mut BTreeSet::new(),
                &mut mismatches,
            );
        }
    }
    assert!(
        mismatches.is_empty(),
        "/openapi.json schemas differ from the resources' own spec definitions:\n  {}",
        mismatches
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

// ---------------------------------------------------------------------------------------
// TMF666 accounts and TMF683 interactions
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn account_and_interaction_operations_conform_to_tmf666_and_tmf683() {
    let app = TestApp::new().await;
    let party = app.individual("Acc", "Ount").await;
    let customer = app.customer("Acc Ount", &party, "active").await;
    let period =
        json!({"startDateTime": "2024-01-01T00:00:00Z", "endDateTime": "2030-12-31T23:59:59Z"});

    let mut settings = Vec::new();
    for (type_name, body) in [
        (
            "BillingCycleSpecification",
            json!({"name": "Monthly", "billingPeriod": "month",
            "frequency": "monthly", "billingDateShift": 0, "paymentDueDateOffset": 14, "validFor": period}),
        ),
        (
            "BillFormat",
            json!({"name": "Detailed", "description": "itemised bill"}),
        ),
        (
            "BillPresentationMedia",
            json!({"name": "E-bill", "description": "PDF by e-mail"}),
        ),
    ] {
        // check_operations wants a list of several elements.
        assert_status(
            &app.post(&resource(&app, type_name).path, &body).await,
            StatusCode::CREATED,
            type_name,
        );
        let id = check_operations(
            &app,
            &resource(&app, type_name),
            &body,
            &["name"],
            &json!({"description": "changed"}),
            &json!([{"op": "replace", "path": "/name", "value": "Renamed"}]),
        )
        .await;
        settings.push(id);
    }
    let ledger = json!({"name": "Ledger", "accountType": "receivable", "state": "Active",
            "relatedParty": [{"id": customer, "name": "Acc Ount", "role": "owner", "@referredType": "Customer"}],
            "accountBalance": [{"balanceType": "receivable", "amount": {"unit": "EUR", "value": 12.5}, "validFor": period}],
            "creditLimit": {"unit": "EUR", "value": 500}});
    let listed = app
        .post(&resource(&app, "FinancialAccount").path, &ledger)
        .await;
    assert_status(&listed, StatusCode::CREATED, "FinancialAccount");
    let financial = check_operations(
        &app,
        &resource(&app, "FinancialAccount"),
        &ledger,
        &["name", "state"],
        &json!({"state": "Suspended"}),
        &json!([{"op": "add", "path": "/description", "value": "main ledger"}]),
    )
    .await;
    for type_name in ["PartyAccount", "BillingAccount", "SettlementAccount"] {
        let body = json!({
            "name": format!("{type_name} of Acc"),
            "accountType": "residential",
            "description": "main account",
            "state": "Active",
            "paymentStatus": "paid",
            "relatedParty": [{"id": party, "name": "Acc Ount", "role": "owner", "@referredType": "Individual"}],
            "accountBalance": [
                {"balanceType": "deposit", "amount": {"unit": "EUR", "value": 50}, "validFor": period},
                {"balanceType": "disputed", "amount": {"unit": "EUR", "value": 0.1}, "validFor": period}
            ],
            "creditLimit": {"unit": "EUR", "value": 1000},
            "financialAccount": {"id": financial, "name": "Ledger"},
            "billStructure": {
                "cycleSpecification": {"id": settings[0], "isRef": true, "name": "Monthly"},
                "format": {"id": settings[1], "isRef": true, "name": "Detailed"},
                "presentationMedia": [{"id": settings[2], "isRef": true, "name": "E-bill"}]
            },
            "contact": [{"contactType": "billing", "contactName": "Acc Ount", "validFor": period,
                "contactMedium": [{"mediumType": "email", "characteristic": {"emailAddress": "acc@example.com"}}]}],
            "taxExemption": [{"issuingJurisdiction": "GB", "reason": "charity", "validFor": period}]
        });
        assert_status(
            &app.post(&resource(&app, type_name).path, &body).await,
            StatusCode::CREATED,
            type_name,
        );
        check_operations(
            &app,
            &resource(&app, type_name),
            &body,
            &["name", "state", "relatedParty"],
            &json!({"state": "Suspended", "description": null}),
            &json!([{"op": "replace", "path": "/name", "value": "Renamed account"}]),
        )
        .await;
    }
    let interaction = crm_tests::phone_call(&customer);
    assert_status(
        &app.post(&resource(&app, "PartyInteraction").path, &interaction)
            .await,
        StatusCode::CREATED,
        "PartyInteraction",
    );
    check_operations(
        &app,
        &resource(&app, "PartyInteraction"),
        &interaction,
        &[
            "status",
            "direction",
            "reason",
            "channel",
            "interactionDate",
        ],
        &json!({"status": "closed"}),
        &json!([{"op": "replace", "path": "/reason", "value": "fault resolved"}]),
    )
    .await;
}

#[tokio::test]
async fn catalog_operations_conform_to_tmf620() {
    let app = TestApp::new().await;
    let period =
        json!({"startDateTime": "2024-01-01T00:00:00Z", "endDateTime": "2030-12-31T23:59:59Z"});
    let party = app.individual("Product", "Manager").await;
    let mut ids = HashMap::new();
    let bodies = [
        (
            "ProductSpecification",
            json!({"name": "Fibre access", "brand": "Acme", "productNumber": "FTTH-1G",
                "lifecycleStatus": "In design", "isBundle": false, "validFor": period,
                "productSpecCharacteristic": [{"name": "downloadSpeed", "valueType": "number",
                    "configurable": true,
                    "productSpecCharacteristicValue": [{"value": 1000, "unitOfMeasure": "Mbps", "isDefault": true}]}],
                "relatedParty": [{"id": party, "role": "owner", "@referredType": "Individual"}]}),
        ),
        (
            "ProductOfferingPrice",
            json!({"name": "Monthly fee", "priceType": "recurring",
                "recurringChargePeriodType": "month", "recurringChargePeriodLength": 1,
                "price": {"unit": "EUR", "value": 29.99},
                "tax": [{"taxCategory": "VAT", "taxRate": 20}], "validFor": period,
                "lifecycleStatus": "Launched"}),
        ),
        (
            "Category",
            json!({"name": "Broadband", "isRoot": true, "lifecycleStatus": "Launched", "validFor": period}),
        ),
    ];
    for (type_name, body) in bodies {
        assert_status(
            &app.post(&resource(&app, type_name).path, &body).await,
            StatusCode::CREATED,
            type_name,
        );
        let id = check_operations(
            &app,
            &resource(&app, type_name),
            &body,
            &["name", "lifecycleStatus"],
            &json!({"description": "changed"}),
            &json!([{"op": "replace", "path": "/name", "value": "Renamed"}]),
        )
        .await;
        ids.insert(type_name, id);
    }
    let offering = json!({"name": "Fibre 1G", "isSellable": true, "isBundle": false,
        "lifecycleStatus": "Launched", "validFor": period,
        "productSpecification": {"id": ids["ProductSpecification"]},
        "productOfferingPrice": [{"id": ids["ProductOfferingPrice"], "name": "Monthly fee"}],
        "category": [{"id": ids["Category"], "name": "Broadband"}]});
    assert_status(
        &app.post(&resource(&app, "ProductOffering").path, &offering)
            .await,
        StatusCode::CREATED,
        "offering",
    );
    check_operations(
        &app,
        &resource(&app, "ProductOffering"),
        &offering,
        &["name", "lifecycleStatus"],
        &json!({"lifecycleStatus": "Retired"}),
        &json!([{"op": "add", "path": "/description", "value": "1 Gbit/s fibre"}]),
    )
    .await;
    let catalog = json!({"name": "Consumer", "catalogType": "product", "lifecycleStatus": "Launched",
        "validFor": period, "category": [{"id": ids["Category"], "name": "Broadband"}],
        "relatedParty": [{"id": party, "role": "owner", "@referredType": "Individual"}]});
    assert_status(
        &app.post(&resource(&app, "Catalog").path, &catalog).await,
        StatusCode::CREATED,
        "catalog",
    );
    check_operations(
        &app,
        &resource(&app, "Catalog"),
        &catalog,
        &["name", "lifecycleStatus"],
        &json!({"lifecycleStatus": "Retired"}),
        &json!([{"op": "add", "path": "/description", "value": "consumer offers"}]),
    )
    .await;
}

#[tokio::test]
async fn ordering_and_inventory_operations_conform_to_tmf622_and_tmf637() {
    let app = TestApp::new().await;
    let party = app.individual("Ord", "Er").await;
    let customer = app.customer("Ord Er", &party, "active").await;
    let catalog = "/tmf-api/productCatalogManagement/v4";
    let price = app
        .post(
            &format!("{catalog}/productOfferingPrice"),
            &json!({"name": "Monthly", "priceType": "recurring", "recurringChargePeriodType": "month",
                "lifecycleStatus": "Launched", "price": {"unit": "EUR", "value": 20},
                "tax": [{"taxCategory": "VAT", "taxRate": 21}]}),
        )
        .await;
    assert_status(&price, StatusCode::CREATED, "price");
    let offering = app
        .post(
            &format!("{catalog}/productOffering"),
            &json!({"name": "Mobile 20G", "lifecycleStatus": "Launched",
                "productOfferingPrice": [{"id": price.id(), "name": "Monthly"}]}),
        )
        .await;
    assert_status(&offering, StatusCode::CREATED, "offering");
    let [orders, cancels, products] = [
        resource(&app, "ProductOrder"),
        resource(&app, "CancelProductOrder"),
        resource(&app, "Product"),
    ];
    let order = json!({
        "externalId": "PO-1", "priority": "1", "category": "B2C", "description": "new line",
        "requestedCompletionDate": "2030-01-01T00:00:00Z",
        "relatedParty": [{"id": customer, "name": "Ord Er", "role": "customer", "@referredType": "Customer"}],
        "channel": [{"id": "web", "name": "Web shop", "role": "sales"}],
        "note": [{"text": "please call before"}],
        "productOrderItem": [
            {"id": "1", "action": "add", "quantity": 2,
             "productOffering": {"id": offering.id(), "name": "Mobile 20G"},
             "product": {"productCharacteristic": [{"name": "msisdn", "value": "+4930123456"}]},
             "productOrderItem": [{"id": "1.1", "action": "add",
                 "productOffering": {"id": offering.id()}}]},
            {"id": "2", "action": "add", "productOffering": {"id": offering.id()},
             "productOrderItemRelationship": [{"id": "1", "relationshipType": "reliesOn"}]}
        ]
    });
    let created = app.post(&orders.path, &order).await;
    assert_status(&created, StatusCode::CREATED, "create order");
    assert_conforms(TMF622, "ProductOrder", &created.body, "create order");
    assert_eq!(created.header("location"), created.body["href"].as_str());
    assert_eq!(created.body["@type"], "ProductOrder");
    let id = created.id();
    let retrieved = app.get(&item(&orders.path, &id)).await;
    assert_conforms(TMF622, "ProductOrder", &retrieved.body, "retrieve order");
    assert_eq!(retrieved.body, created.body);
    let listed = app
        .get(&format!("{}?state=acknowledged", orders.path))
        .await;
    assert_status(&listed, StatusCode::OK, "list orders");
    for order in listed.body.as_array().expect("list") {
        assert_conforms(TMF622, "ProductOrder", order, "list orders");
    }
    let patched = app
        .patch(
            &item(&orders.path, &id),
            MERGE,
            &json!({"description": "new line, urgent"}),
        )
        .await;
    assert_status(&patched, StatusCode::OK, "merge patch order");
    assert_conforms(TMF622, "ProductOrder", &patched.body, "merge patch order");
    let patched = app
        .patch(
            &item(&orders.path, &id),
            JSON_PATCH,
            &json!([{"op": "replace", "path": "/state", "value": "inProgress"}]),
        )
        .await;
    assert_status(&patched, StatusCode::OK, "JSON patch order");
    assert_conforms(TMF622, "ProductOrder", &patched.body, "JSON patch order");
    let refused = app
        .patch(
            &item(&orders.path, &id),
            MERGE,
            &json!({"state": "acknowledged"}),
        )
        .await;
    assert_error_conforms(&refused, 409, TMF622, "illegal move");
    let refused = app
        .post(
            &orders.path,
            &json!({"productOrderItem": [{"id": "1", "action": "add", "productOffering": {"id": "none"}}]}),
        )
        .await;
    assert_error_conforms(&refused, 422, TMF622, "unknown offering");

    let cancel = app
        .post(
            &cancels.path,
            &json!({"productOrder": {"id": id, "@referredType": "ProductOrder"},
                "cancellationReason": "duplicate", "requestedCancellationDate": "2030-01-01T00:00:00Z"}),
        )
        .await;
    assert_status(&cancel, StatusCode::CREATED, "create cancel request");
    assert_conforms(
        TMF622,
        "CancelProductOrder",
        &cancel.body,
        "create cancel request",
    );
    let request = app.get(&item(&cancels.path, &cancel.id())).await;
    assert_conforms(
        TMF622,
        "CancelProductOrder",
        &request.body,
        "retrieve cancel request",
    );
    let listed = app.get(&cancels.path).await;
    for request in listed.body.as_array().expect("list") {
        assert_conforms(
            TMF622,
            "CancelProductOrder",
            request,
            "list cancel requests",
        );
    }
    // Declined, then completed: the inventory is filled.
    for state in ["inProgress", "completed"] {
        let moved = app
            .patch(&item(&orders.path, &id), MERGE, &json!({ "state": state }))
            .await;
        assert_status(&moved, StatusCode::OK, state);
        assert_conforms(TMF622, "ProductOrder", &moved.body, state);
    }
    let listed = app.get(&products.path).await;
    assert_status(&listed, StatusCode::OK, "list products");
    assert_eq!(
        listed.body.as_array().map(Vec::len),
        Some(3),
        "one per add item"
    );
    for product in listed.body.as_array().expect("list") {
        assert_conforms(TMF637, "Product", product, "list products");
    }
    let product_id = listed.body[0]["id"].as_str().expect("id").to_owned();
    let product = app.get(&item(&products.path, &product_id)).await;
    assert_conforms(TMF637, "Product", &product.body, "retrieve product");
    let patched = app
        .patch(
            &item(&products.path, &product_id),
            MERGE,
            &json!({"status": "suspended"}),
        )
        .await;
    assert_status(&patched, StatusCode::OK, "patch product");
    assert_conforms(TMF637, "Product", &patched.body, "patch product");
    let loaded = app
        .post(
            &products.path,
            &json!({"name": "Legacy line", "status": "active",
                "relatedParty": [{"id": customer, "role": "customer", "@referredType": "Customer"}]}),
        )
        .await;
    assert_status(&loaded, StatusCode::CREATED, "create product");
    assert_conforms(TMF637, "Product", &loaded.body, "create product");
    let refused = app
        .post(&products.path, &json!({"name": "No status"}))
        .await;
    assert_error_conforms(&refused, 400, TMF637, "product without status");
}

#[tokio::test]
async fn trouble_ticket_operations_conform_to_tmf621() {
    let app = TestApp::new().await;
    let party = app.individual("Tick", "Et").await;
    let customer = app.customer("Tick Et", &party, "active").await;
    let product = app
        .post(
            &resource(&app, "Product").path,
            &json!({"name": "Fibre 500", "status": "active",
                "relatedParty": [{"id": customer, "role": "customer", "@referredType": "Customer"}]}),
        )
        .await;
    assert_status(&product, StatusCode::CREATED, "product");
    let tickets = resource(&app, "TroubleTicket");
    let first = app
        .post(
            &tickets.path,
            &json!({"description": "Line down", "severity": "Critical", "ticketType": "incident"}),
        )
        .await;
    assert_status(&first, StatusCode::CREATED, "first ticket");
    assert_conforms(TMF621, "TroubleTicket", &first.body, "minimal ticket");
    let payload = json!({
        "name": "No sync on the fibre line",
        "description": "The customer's router shows no sync since this morning",
        "severity": "Major",
        "priority": "High",
        "ticketType": "incident",
        "externalId": "NOC-4711",
        "requestedResolutionDate": "2030-01-01T00:00:00Z",
        "relatedParty": [{"id": customer, "name": "Tick Et", "role": "customer", "@referredType": "Customer"}],
        "relatedEntity": [{"id": product.id(), "name": "Fibre 500", "role": "affectedProduct", "@referredType": "Product"}],
        "attachment": [{"name": "router.jpg", "mimeType": "image/jpeg", "size": {"amount": 2.5, "units": "MB"},
            "url": "https://files.example.com/router.jpg", "attachmentType": "picture"}],
        "troubleTicketRelationship": [{"id": first.id(), "relationshipType": "isChild"}],
        "troubleTicketCharacteristic": [{"name": "outageArea", "valueType": "string", "value": "Berlin-Mitte"}],
    });
    let id = check_operations(
        &app,
        &tickets,
        &payload,
        &["status", "severity", "relatedParty"],
        &json!({"description": "No sync; the customer restarted the router", "priority": "Critical"}),
        &json!([{"op": "replace", "path": "/status", "value": "inProgress"}]),
    )
    .await;
    let ticket = app.get(&item(&tickets.path, &id)).await;
    assert_eq!(ticket.body["status"], "inProgress");
    assert_eq!(
        ticket.body["statusChange"].as_array().map(Vec::len),
        Some(2)
    );

    let refused = app
        .patch(
            &item(&tickets.path, &id),
            MERGE,
            &json!({"status": "closed"}),
        )
        .await;
    assert_error_conforms(&refused, 409, TMF621, "illegal move");
    let refused = app
        .post(
            &tickets.path,
            &json!({"description": "x", "severity": "Minor", "ticketType": "incident",
                "relatedEntity": [{"id": "none", "role": "affectedProduct", "@referredType": "Product"}]}),
        )
        .await;
    assert_error_conforms(&refused, 422, TMF621, "unknown product");
    let refused = app
        .post(
            &tickets.path,
            &json!({"severity": "Minor", "ticketType": "incident"}),
        )
        .await;
    assert_error_conforms(&refused, 400, TMF621, "no description");
    let missing = app.get(&item(&tickets.path, "nope")).await;
    assert_error_conforms(&missing, 404, TMF621, "unknown ticket");
}
