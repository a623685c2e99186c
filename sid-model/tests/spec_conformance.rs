//! Every type of the crate checked against the definitions of the TMF v4 specifications.
//!
//! `tests/data/tmf-v4-definitions.json` holds the `definitions` of TMF632, TMF629 and TMF669
//! v4.0.0 (and `Note` from TMF621 v4.0.0) as published, less descriptions, events and the
//! `_Update` forms; of the `_Create` forms only the `required` lists are kept. From each
//! definition the test builds a document with every property filled, and checks that the
//! matching Rust type reads it, validates it and writes it back unchanged; that a document
//! with only the required properties is enough; that each required property is really
//! required; that an unknown property is refused; and that a value of the wrong JSON type
//! is refused for every property.

use std::collections::BTreeSet;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use sid_model::*;
use validator::Validate;

const DEFINITIONS: &str = include_str!("data/tmf-v4-definitions.json");

/// Reads a document into `T`, validates it and writes it back.
type Check = fn(&Value) -> Result<Value, String>;

fn check<T: DeserializeOwned + Serialize + Validate>(document: &Value) -> Result<Value, String> {
    let value: T = serde_json::from_value(document.clone()).map_err(|e| e.to_string())?;
    value.validate().map_err(|e| e.to_string())?;
    serde_json::to_value(&value).map_err(|e| e.to_string())
}

/// The Rust type that models each (specification, definition) pair.
fn checks() -> Vec<(&'static str, &'static str, Check)> {
    let mut checks: Vec<(&'static str, &'static str, Check)> = vec![
        (
            "TMF632",
            "AttachmentRefOrValue",
            check::<AttachmentRefOrValue>,
        ),
        ("TMF632", "ContactMedium", check::<ContactMedium>),
        ("TMF632", "Disability", check::<Disability>),
        ("TMF632", "ExternalReference", check::<ExternalReference>),
        ("TMF632", "Individual", check::<Individual>),
        (
            "TMF632",
            "IndividualIdentification",
            check::<IndividualIdentification>,
        ),
        ("TMF632", "LanguageAbility", check::<LanguageAbility>),
        ("TMF632", "Organization", check::<Organization>),
        (
            "TMF632",
            "OrganizationChildRelationship",
            check::<OrganizationChildRelationship>,
        ),
        (
            "TMF632",
            "OrganizationIdentification",
            check::<OrganizationIdentification>,
        ),
        (
            "TMF632",
            "OrganizationParentRelationship",
            check::<OrganizationParentRelationship>,
        ),
        ("TMF632", "OrganizationRef", check::<OrganizationRef>),
        (
            "TMF632",
            "OtherNameIndividual",
            check::<OtherNameIndividual>,
        ),
        (
            "TMF632",
            "OtherNameOrganization",
            check::<OtherNameOrganization>,
        ),
        ("TMF632", "PartyCreditProfile", check::<PartyCreditProfile>),
        ("TMF632", "Quantity", check::<Quantity>),
        ("TMF632", "Skill", check::<Skill>),
        ("TMF632", "TaxDefinition", check::<TaxDefinition>),
        (
            "TMF632",
            "TaxExemptionCertificate",
            check::<TaxExemptionCertificate>,
        ),
        ("TMF629", "Customer", check::<Customer>),
        ("TMF669", "PartyRole", check::<PartyRole>),
        ("TMF621", "Note", check::<Note>),
    ];
    // Definitions that the three specifications share, each checked against every copy.
    for spec in ["TMF632", "TMF629", "TMF669"] {
        checks.extend([
            (spec, "Characteristic", check::<Characteristic> as Check),
            (spec, "EntityRef", check::<EntityRef>),
            (spec, "MediumCharacteristic", check::<MediumCharacteristic>),
            (spec, "RelatedParty", check::<RelatedParty>),
            (spec, "TimePeriod", check::<TimePeriod>),
        ]);
    }
    for spec in ["TMF629", "TMF669"] {
        checks.extend([
            (spec, "AccountRef", check::<AccountRef> as Check),
            (spec, "AgreementRef", check::<AgreementRef>),
            (spec, "ContactMedium", check::<PartyRoleContactMedium>),
            (spec, "CreditProfile", check::<CreditProfile>),
            (spec, "PaymentMethodRef", check::<PaymentMethodRef>),
        ]);
    }
    checks
}

/// The enumerations, as (specification, definition, reader of one value).
type EnumCheck = fn(&Value) -> Result<Value, String>;

fn check_enum<T: DeserializeOwned + Serialize>(value: &Value) -> Result<Value, String> {
    let read: T = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    serde_json::to_value(read).map_err(|e| e.to_string())
}

fn enum_checks() -> Vec<(&'static str, &'static str, EnumCheck)> {
    vec![
        (
            "TMF632",
            "IndividualStateType",
            check_enum::<IndividualStateType>,
        ),
        (
            "TMF632",
            "OrganizationStateType",
            check_enum::<OrganizationStateType>,
        ),
    ]
}

fn definitions() -> Value {
    serde_json::from_str(DEFINITIONS).expect("the definitions file is JSON")
}

fn definition<'a>(all: &'a Value, spec: &str, name: &str) -> &'a Value {
    all.get(spec)
        .and_then(|defs| defs.get(name))
        .unwrap_or_else(|| panic!("{spec} defines {name}"))
}

fn referenced_name(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

/// A value for `schema` with every property present.
fn full_instance(all: &Value, spec: &str, schema: &Value) -> Value {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = referenced_name(reference);
        if name == "Any" {
            return json!({"anything": ["goes", 1, true, null]});
        }
        return full_instance(all, spec, definition(all, spec, name));
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values[0].clone();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => json!("2024-02-29T13:45:30Z"),
            Some("uri") => json!("https://example.com/schema/Thing.schema.json"),
            _ => json!("some text"),
        },
        Some("integer") => json!(7),
        Some("number") => json!(2.5),
        Some("boolean") => json!(true),
        Some("array") => json!([full_instance(all, spec, &schema["items"])]),
        Some("object") => {
            let properties = schema["properties"].as_object().expect("object properties");
            Value::Object(
                properties
                    .iter()
                    .map(|(name, property)| (name.clone(), full_instance(all, spec, property)))
                    .collect::<Map<_, _>>(),
            )
        }
        other => panic!("unexpected schema type {other:?} in {schema}"),
    }
}

/// Values of the wrong JSON type for `schema`; none where any value is allowed.
fn wrong_instances(schema: &Value) -> Vec<Value> {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        if referenced_name(reference) == "Any" {
            return vec![];
        }
        // An array must not pass for an object, not even an empty one.
        return vec![json!("not an object"), json!([]), json!(["some text"])];
    }
    if schema.get("enum").is_some() {
        return vec![json!("no-such-state"), json!(1)];
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => vec![json!("29/02/2024"), json!(1709214330)],
            _ => vec![json!(42), json!(true), json!({"text": "in an object"})],
        },
        Some("integer") => vec![json!("7"), json!(7.5)],
        Some("number") => vec![json!(true), json!("seven")],
        Some("boolean") => vec![json!("yes"), json!(1)],
        Some("array") => vec![json!({"not": "an array"}), json!("text")],
        _ => vec![],
    }
}

/// The properties that a document must have: for a resource, those its `_Create` form
/// requires (the server assigns `id` and `href`); otherwise those the definition requires.
fn required(all: &Value, spec: &str, name: &str) -> BTreeSet<String> {
    let create = all[spec].get(format!("{name}_Create"));
    let source = create.unwrap_or_else(|| definition(all, spec, name));
    source
        .get("required")
        .and_then(Value::as_array)
        .map(|names| {
            names
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_definition_of_the_specifications_is_modelled() {
    let all = definitions();
    let covered: BTreeSet<(String, String)> = checks()
        .iter()
        .map(|(spec, name, _)| (spec.to_string(), name.to_string()))
        .chain(
            enum_checks()
                .iter()
                .map(|(spec, name, _)| (spec.to_string(), name.to_string())),
        )
        .collect();
    for (spec, defs) in all.as_object().expect("specs") {
        for name in defs.as_object().expect("definitions").keys() {
            if name == "Any" || name.ends_with("_Create") {
                continue;
            }
            assert!(
                covered.contains(&(spec.clone(), name.clone())),
                "{spec} {name} has no Rust type"
            );
        }
    }
}

#[test]
fn a_document_with_every_property_round_trips_unchanged() {
    let all = definitions();
    for (spec, name, check) in checks() {
        let document = full_instance(&all, spec, definition(&all, spec, name));
        let written = check(&document).unwrap_or_else(|e| panic!("{spec} {name}: {e}"));
        assert_eq!(written, document, "{spec} {name} did not round-trip");
    }
}

#[test]
fn a_document_with_only_the_required_properties_is_enough() {
    let all = definitions();
    for (spec, name, check) in checks() {
        let full = full_instance(&all, spec, definition(&all, spec, name));
        let required = required(&all, spec, name);
        let minimal: Map<String, Value> = full
            .as_object()
            .expect("object")
            .iter()
            .filter(|(property, _)| required.contains(*property))
            .map(|(property, value)| (property.clone(), value.clone()))
            .collect();
        let minimal = Value::Object(minimal);
        let written = check(&minimal).unwrap_or_else(|e| panic!("{spec} {name}: {e}"));
        assert_eq!(
            written, minimal,
            "{spec} {name}: absent properties must stay absent"
        );
    }
}

#[test]
fn each_required_property_is_required() {
    let all = definitions();
    let mut checked = 0;
    for (spec, name, check) in checks() {
        let full = full_instance(&all, spec, definition(&all, spec, name));
        for property in required(&all, spec, name) {
            let mut document = full.clone();
            document.as_object_mut().expect("object").remove(&property);
            assert!(
                check(&document).is_err(),
                "{spec} {name} accepted a missing {property}"
            );
            checked += 1;
        }
    }
    // Individual 2, Organization 1, Customer 2, PartyRole 1, and the sub-types' own.
    assert!(
        checked >= 6 + 13,
        "only {checked} required properties checked"
    );
}

#[test]
fn an_unknown_property_is_refused() {
    let all = definitions();
    for (spec, name, check) in checks() {
        let mut document = full_instance(&all, spec, definition(&all, spec, name));
        document
            .as_object_mut()
            .expect("object")
            .insert("unknownProperty".to_owned(), json!("surprise"));
        let error = check(&document).expect_err(name);
        assert!(error.contains("unknownProperty"), "{spec} {name}: {error}");
    }
}

#[test]
fn a_value_of_the_wrong_type_is_refused() {
    let all = definitions();
    for (spec, name, check) in checks() {
        let schema = definition(&all, spec, name);
        let full = full_instance(&all, spec, schema);
        for (property, property_schema) in schema["properties"].as_object().expect("properties") {
            for wrong in wrong_instances(property_schema) {
                let mut document = full.clone();
                document[property.as_str()] = wrong.clone();
                assert!(
                    check(&document).is_err(),
                    "{spec} {name} accepted {wrong} as {property}"
                );
            }
        }
    }
}

#[test]
fn a_document_must_be_an_object() {
    let all = definitions();
    for (spec, name, check) in checks() {
        let full = full_instance(&all, spec, definition(&all, spec, name));
        let fields_in_order: Vec<Value> = full
            .as_object()
            .expect("object")
            .values()
            .cloned()
            .collect();
        for wrong in [
            json!([]),
            Value::Array(fields_in_order),
            json!("text"),
            json!(null),
        ] {
            assert!(check(&wrong).is_err(), "{spec} {name} accepted {wrong}");
        }
    }
}

#[test]
fn enumerations_use_the_exact_spellings_of_the_specification() {
    let all = definitions();
    for (spec, name, check) in enum_checks() {
        let values = definition(&all, spec, name)["enum"]
            .as_array()
            .expect("enum values");
        for value in values {
            assert_eq!(check(value).as_ref(), Ok(value), "{spec} {name} {value}");
        }
        assert!(
            check(&json!("Validated")).is_err(),
            "{name} must be case-sensitive"
        );
        assert!(check(&json!("unknown")).is_err());
    }
}
