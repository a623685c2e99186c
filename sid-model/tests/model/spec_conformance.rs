//! Every type of the crate checked against the definitions of the TMF v4 specifications.
//!
//! `tests/model/data/tmf-v4-definitions.json` holds the `definitions` of TMF632, TMF629, TMF669,
//! TMF666, TMF683, TMF620, TMF622, TMF637, TMF621 and TMF678 v4.0.0 as
//! published, less descriptions, defaults, events, hub subscriptions, `Error` and the `_Update`
//! forms; of the `_Create` forms only the `required` lists are kept (TMF678's
//! `CustomerBillOnDemand_Create` has none, so it is empty). Definitions that none of the
//! modelled resources uses are left out too: TMF632's `Party`, `Attachment` and
//! `AttachmentRef`, TMF666's abstract `Account`, TMF683's `Attachment`, `AttachmentRef`,
//! `EntityValue` and `PartyInteractionStatusExampleType`, TMF620's `Attachment`,
//! `AttachmentRef`, `EntityRef`, `ExportJob`, `ImportJob` and `JobStateType`, TMF622's
//! `CancelOrder`, `EntityRef`, `Place`, `PlaceRef`, `Product` and `ProductRef`, TMF637's
//! `EntityRef`, `Place`, `PlaceRef` and `ProductRef`, and TMF678's `Attachment`,
//! `AttachmentRef`, `Characteristic`, `EntityRef` and `Reference`. (For TMF620, TMF622,
//! TMF637 and TMF678 the modelled resources are `Catalog`, `Category`, `ProductSpecification`,
//! `ProductOffering`, `ProductOfferingPrice`, `ProductOrder`, `CancelProductOrder`, `Product`,
//! `CustomerBill`, `AppliedCustomerBillingRate` and `CustomerBillOnDemand`; the file keeps
//! every definition they reach through `$ref`, and their `_Create` forms.) From each
//! definition the test builds a document with every property filled (a definition that
//! contains itself, such as an order item's sub-items, is filled once and, inside itself, with
//! its required properties only), and checks that the matching Rust type reads it, validates it
//! and writes it back unchanged; that a document with only the required properties is enough;
//! that each required property is really required; that an unknown property is kept (and
//! refused in strict mode); that a value of the wrong JSON type is refused for every property;
//! that an array shorter than its `minItems` is refused; and that an empty required string is
//! refused only where it is an identifier (free text, such as a name, may be empty).

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
        ("TMF621", "RelatedEntity", check::<RelatedEntity>),
        ("TMF621", "StatusChange", check::<StatusChange>),
        ("TMF621", "TroubleTicket", check::<TroubleTicket>),
        (
            "TMF621",
            "TroubleTicketRelationship",
            check::<TroubleTicketRelationship>,
        ),
        ("TMF666", "AccountBalance", check::<AccountBalance>),
        // TMF666 requires the id of an account reference, TMF629 and TMF669 its name.
        ("TMF666", "AccountRef", check::<RelatedAccountRef>),
        (
            "TMF666",
            "AccountRelationship",
            check::<AccountRelationship>,
        ),
        (
            "TMF666",
            "AccountTaxExemption",
            check::<AccountTaxExemption>,
        ),
        ("TMF666", "BillFormat", check::<BillFormat>),
        ("TMF666", "BillFormatRef", check::<BillFormatRef>),
        (
            "TMF666",
            "BillFormatRefOrValue",
            check::<BillFormatRefOrValue>,
        ),
        (
            "TMF666",
            "BillPresentationMedia",
            check::<BillPresentationMedia>,
        ),
        (
            "TMF666",
            "BillPresentationMediaRef",
            check::<BillPresentationMediaRef>,
        ),
        (
            "TMF666",
            "BillPresentationMediaRefOrValue",
            check::<BillPresentationMediaRefOrValue>,
        ),
        ("TMF666", "BillStructure", check::<BillStructure>),
        ("TMF666", "BillingAccount", check::<BillingAccount>),
        (
            "TMF666",
            "BillingCycleSpecification",
            check::<BillingCycleSpecification>,
        ),
        (
            "TMF666",
            "BillingCycleSpecificationRef",
            check::<BillingCycleSpecificationRef>,
        ),
        (
            "TMF666",
            "BillingCycleSpecificationRefOrValue",
            check::<BillingCycleSpecificationRefOrValue>,
        ),
        ("TMF666", "Contact", check::<Contact>),
        // TMF666's contact medium is TMF632's, with every property optional.
        ("TMF666", "ContactMedium", check::<ContactMedium>),
        ("TMF666", "FinancialAccount", check::<FinancialAccount>),
        (
            "TMF666",
            "FinancialAccountRef",
            check::<FinancialAccountRef>,
        ),
        ("TMF666", "Money", check::<Money>),
        ("TMF666", "PartyAccount", check::<PartyAccount>),
        ("TMF666", "PaymentMethodRef", check::<PaymentMethodRef>),
        ("TMF666", "PaymentPlan", check::<PaymentPlan>),
        // TMF666 also requires the name of a related party.
        ("TMF666", "RelatedParty", check::<AccountRelatedParty>),
        ("TMF666", "SettlementAccount", check::<SettlementAccount>),
        (
            "TMF683",
            "AttachmentRefOrValue",
            check::<AttachmentRefOrValue>,
        ),
        ("TMF683", "InteractionItem", check::<InteractionItem>),
        (
            "TMF683",
            "InteractionRelationship",
            check::<InteractionRelationship>,
        ),
        ("TMF683", "Note", check::<Note>),
        ("TMF683", "PartyInteraction", check::<PartyInteraction>),
        ("TMF683", "Quantity", check::<Quantity>),
        ("TMF683", "RelatedChannel", check::<RelatedChannel>),
        (
            "TMF683",
            "RelatedEntityRefOrValue",
            check::<RelatedEntityRefOrValue>,
        ),
        // TMF683 also requires the hyperlink of a related party.
        ("TMF683", "RelatedParty", check::<InteractionRelatedParty>),
        (
            "TMF620",
            "AttachmentRefOrValue",
            check::<AttachmentRefOrValue>,
        ),
        (
            "TMF620",
            "BundledProductOffering",
            check::<BundledProductOffering>,
        ),
        (
            "TMF620",
            "BundledProductOfferingOption",
            check::<BundledProductOfferingOption>,
        ),
        (
            "TMF620",
            "BundledProductOfferingPriceRelationship",
            check::<BundledProductOfferingPriceRelationship>,
        ),
        (
            "TMF620",
            "BundledProductSpecification",
            check::<BundledProductSpecification>,
        ),
        ("TMF620", "Catalog", check::<Catalog>),
        ("TMF620", "Category", check::<Category>),
        ("TMF620", "CategoryRef", check::<CategoryRef>),
        ("TMF620", "ChannelRef", check::<ChannelRef>),
        ("TMF620", "ConstraintRef", check::<ConstraintRef>),
        ("TMF620", "MarketSegmentRef", check::<MarketSegmentRef>),
        ("TMF620", "PlaceRef", check::<PlaceRef>),
        (
            "TMF620",
            "PricingLogicAlgorithm",
            check::<PricingLogicAlgorithm>,
        ),
        ("TMF620", "ProductOffering", check::<ProductOffering>),
        (
            "TMF620",
            "ProductOfferingPrice",
            check::<ProductOfferingPrice>,
        ),
        (
            "TMF620",
            "ProductOfferingPriceRelationship",
            check::<ProductOfferingPriceRelationship>,
        ),
        (
            "TMF620",
            "ProductOfferingTerm",
            check::<ProductOfferingTerm>,
        ),
        (
            "TMF620",
            "ProductSpecification",
            check::<ProductSpecification>,
        ),
        (
            "TMF620",
            "ProductSpecificationCharacteristic",
            check::<ProductSpecificationCharacteristic>,
        ),
        (
            "TMF620",
            "ProductSpecificationCharacteristicRelationship",
            check::<ProductSpecificationCharacteristicRelationship>,
        ),
        (
            "TMF620",
            "ProductSpecificationCharacteristicValue",
            check::<ProductSpecificationCharacteristicValue>,
        ),
        (
            "TMF620",
            "ProductSpecificationCharacteristicValueUse",
            check::<ProductSpecificationCharacteristicValueUse>,
        ),
        (
            "TMF620",
            "ProductSpecificationRelationship",
            check::<ProductSpecificationRelationship>,
        ),
        (
            "TMF620",
            "ResourceCandidateRef",
            check::<ResourceCandidateRef>,
        ),
        (
            "TMF620",
            "ResourceSpecificationRef",
            check::<ResourceSpecificationRef>,
        ),
        ("TMF620", "SLARef", check::<SLARef>),
        (
            "TMF620",
            "ServiceCandidateRef",
            check::<ServiceCandidateRef>,
        ),
        (
            "TMF620",
            "ServiceSpecificationRef",
            check::<ServiceSpecificationRef>,
        ),
        (
            "TMF620",
            "TargetServiceSchema",
            check::<TargetServiceSchema>,
        ),
        ("TMF620", "TaxItem", check::<TaxItem>),
        ("TMF622", "AppointmentRef", check::<AppointmentRef>),
        ("TMF622", "CancelProductOrder", check::<CancelProductOrder>),
        // TMF622 requires the text of a note.
        ("TMF622", "Note", check::<OrderNote>),
        (
            "TMF622",
            "OrderItemRelationship",
            check::<OrderItemRelationship>,
        ),
        ("TMF622", "OrderPrice", check::<OrderPrice>),
        ("TMF622", "OrderTerm", check::<OrderTerm>),
        ("TMF622", "PaymentRef", check::<PaymentRef>),
        (
            "TMF622",
            "ProductOfferingQualificationItemRef",
            check::<ProductOfferingQualificationItemRef>,
        ),
        (
            "TMF622",
            "ProductOfferingQualificationRef",
            check::<ProductOfferingQualificationRef>,
        ),
        ("TMF622", "ProductOrder", check::<ProductOrder>),
        ("TMF622", "ProductOrderItem", check::<ProductOrderItem>),
        ("TMF622", "ProductOrderRef", check::<ProductOrderRef>),
        ("TMF622", "QuoteItemRef", check::<QuoteItemRef>),
        ("TMF622", "QuoteRef", check::<QuoteRef>),
        // TMF622 leaves the hyperlink of a related channel optional, TMF683 requires it.
        ("TMF622", "RelatedChannel", check::<OrderRelatedChannel>),
        ("TMF637", "Product", check::<Product>),
        ("TMF678", "AccountBalance", check::<AccountBalance>),
        // TMF678's is the party model's characteristic under another name.
        (
            "TMF678",
            "AppliedBillingRateCharacteristic",
            check::<AppliedBillingRateCharacteristic>,
        ),
        // TMF678's is TMF620's tax item under another name.
        (
            "TMF678",
            "AppliedBillingTaxRate",
            check::<AppliedBillingTaxRate>,
        ),
        (
            "TMF678",
            "AppliedCustomerBillingRate",
            check::<AppliedCustomerBillingRate>,
        ),
        ("TMF678", "AppliedPayment", check::<AppliedPayment>),
        (
            "TMF678",
            "AttachmentRefOrValue",
            check::<AttachmentRefOrValue>,
        ),
        ("TMF678", "BillRef", check::<BillRef>),
        ("TMF678", "BillingAccountRef", check::<BillingAccountRef>),
        ("TMF678", "CustomerBill", check::<CustomerBill>),
        (
            "TMF678",
            "CustomerBillOnDemand",
            check::<CustomerBillOnDemand>,
        ),
        // TMF678 holds a list of balances, TMF666 one.
        (
            "TMF678",
            "FinancialAccountRef",
            check::<BillFinancialAccountRef>,
        ),
        ("TMF678", "Money", check::<Money>),
        ("TMF678", "PaymentMethodRef", check::<PaymentMethodRef>),
        ("TMF678", "PaymentRef", check::<PaymentRef>),
        ("TMF678", "ProductRef", check::<ProductRef>),
        ("TMF678", "Quantity", check::<Quantity>),
        // TMF678 leaves the `@referredType` of a related party optional.
        ("TMF678", "RelatedPartyRef", check::<RelatedPartyRef>),
        ("TMF678", "TaxItem", check::<TaxItem>),
        ("TMF678", "TimePeriod", check::<TimePeriod>),
    ];
    // Definitions that several specifications share, each checked against every copy.
    for spec in ["TMF632", "TMF629", "TMF669", "TMF621"] {
        checks.push((spec, "RelatedParty", check::<RelatedParty>));
    }
    for spec in ["TMF632", "TMF629", "TMF669"] {
        checks.push((spec, "Characteristic", check::<Characteristic>));
    }
    for spec in ["TMF621", "TMF632"] {
        checks.push((spec, "AttachmentRefOrValue", check::<AttachmentRefOrValue>));
    }
    checks.extend([
        ("TMF621", "ChannelRef", check::<ChannelRef> as Check),
        ("TMF621", "Quantity", check::<Quantity>),
        ("TMF621", "TimePeriod", check::<TimePeriod>),
    ]);
    for spec in ["TMF632", "TMF629", "TMF669", "TMF666"] {
        checks.push((spec, "MediumCharacteristic", check::<MediumCharacteristic>));
    }
    for spec in ["TMF632", "TMF629", "TMF669", "TMF666", "TMF683"] {
        checks.extend([
            (spec, "EntityRef", check::<EntityRef> as Check),
            (spec, "TimePeriod", check::<TimePeriod>),
        ]);
    }
    for spec in ["TMF620", "TMF622", "TMF637"] {
        checks.extend([
            (spec, "Money", check::<Money> as Check),
            (
                spec,
                "ProductOfferingPriceRef",
                check::<ProductOfferingPriceRef>,
            ),
            (spec, "ProductOfferingRef", check::<ProductOfferingRef>),
            (
                spec,
                "ProductSpecificationRef",
                check::<ProductSpecificationRef>,
            ),
            (spec, "Quantity", check::<Quantity>),
            (spec, "RelatedParty", check::<RelatedParty>),
            (spec, "TargetProductSchema", check::<TargetProductSchema>),
            (spec, "TimePeriod", check::<TimePeriod>),
        ]);
    }
    for spec in ["TMF620", "TMF622"] {
        checks.push((spec, "AgreementRef", check::<AgreementRef>));
    }
    for spec in ["TMF622", "TMF637"] {
        checks.extend([
            (spec, "AgreementItemRef", check::<AgreementItemRef> as Check),
            (spec, "BillingAccountRef", check::<BillingAccountRef>),
            (spec, "Characteristic", check::<Characteristic>),
            (spec, "Price", check::<Price>),
            (spec, "PriceAlteration", check::<PriceAlteration>),
            (spec, "ProductPrice", check::<ProductPrice>),
            (spec, "ProductRefOrValue", check::<ProductRefOrValue>),
            (spec, "ProductRelationship", check::<ProductRelationship>),
            (spec, "ProductTerm", check::<ProductTerm>),
            (
                spec,
                "RelatedPlaceRefOrValue",
                check::<RelatedPlaceRefOrValue>,
            ),
            (
                spec,
                "RelatedProductOrderItem",
                check::<RelatedProductOrderItem>,
            ),
            (spec, "ResourceRef", check::<ResourceRef>),
            (spec, "ServiceRef", check::<ServiceRef>),
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
            "TMF621",
            "TroubleTicketStatusType",
            check_enum::<TroubleTicketStatusType>,
        ),
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
        (
            "TMF622",
            "OrderItemActionType",
            check_enum::<OrderItemActionType>,
        ),
        (
            "TMF622",
            "ProductOrderItemStateType",
            check_enum::<ProductOrderItemStateType>,
        ),
        (
            "TMF622",
            "ProductOrderStateType",
            check_enum::<ProductOrderStateType>,
        ),
        (
            "TMF622",
            "ProductStatusType",
            check_enum::<ProductStatusType>,
        ),
        ("TMF622", "TaskStateType", check_enum::<TaskStateType>),
        (
            "TMF637",
            "ProductStatusType",
            check_enum::<ProductStatusType>,
        ),
        // TMF678 names the state of a bill `stateValue`, that of a bill on demand request
        // `StateValues`.
        ("TMF678", "stateValue", check_enum::<CustomerBillStateType>),
        (
            "TMF678",
            "StateValues",
            check_enum::<CustomerBillOnDemandStateType>,
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

/// Properties that the Rust type requires although the specification leaves them optional:
/// an amount of money means nothing without its currency and its value.
const STRICTER_THAN_THE_SPECIFICATION: &[(&str, &str, &[&str])] = &[
    ("TMF666", "Money", &["unit", "value"]),
    ("TMF620", "Money", &["unit", "value"]),
    ("TMF622", "Money", &["unit", "value"]),
    ("TMF637", "Money", &["unit", "value"]),
    ("TMF678", "Money", &["unit", "value"]),
];

/// A document for the definition `name` of `spec` with every property present.
fn full_document(all: &Value, spec: &str, name: &str) -> Value {
    full_instance(
        all,
        spec,
        &json!({"$ref": format!("#/definitions/{name}")}),
        &mut Vec::new(),
    )
}

/// A value for `schema` with every property present, `expanding` naming the definitions being
/// filled around it.
fn full_instance(all: &Value, spec: &str, schema: &Value, expanding: &mut Vec<String>) -> Value {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = referenced_name(reference);
        if name == "Any" {
            return json!({"anything": ["goes", 1, true, null]});
        }
        if name == "Money" {
            // `unit` is a plain string in the specification, but only ISO 4217 codes are money.
            return json!({"unit": "EUR", "value": 2.5});
        }
        if expanding.iter().any(|outer| outer == name) {
            // A definition inside itself (an order item's sub-items, a bundle's products) gets
            // only its required properties, or the document would never end.
            return required_instance(all, spec, name, expanding);
        }
        expanding.push(name.to_owned());
        let value = full_instance(all, spec, definition(all, spec, name), expanding);
        expanding.pop();
        return value;
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
        Some("array") => json!([full_instance(all, spec, &schema["items"], expanding)]),
        Some("object") => {
            let properties = schema["properties"].as_object().expect("object properties");
            Value::Object(
                properties
                    .iter()
                    .map(|(name, property)| {
                        let value = property_instance(all, spec, name, property, expanding);
                        (name.clone(), value)
                    })
                    .collect::<Map<_, _>>(),
            )
        }
        other => panic!("unexpected schema type {other:?} in {schema}"),
    }
}

/// A value for the property `name` of schema `property`.
fn property_instance(
    all: &Value,
    spec: &str,
    name: &str,
    property: &Value,
    expanding: &mut Vec<String>,
) -> Value {
    // Values the model checks beyond the specification's types.
    match name {
        "mimeType" => json!("application/pdf"),
        "units" => json!("MB"),
        _ => full_instance(all, spec, property, expanding),
    }
}

/// A value for the definition `name` of `spec` with only its required properties present.
fn required_instance(all: &Value, spec: &str, name: &str, expanding: &mut Vec<String>) -> Value {
    let properties = definition(all, spec, name)["properties"]
        .as_object()
        .expect("object properties");
    let required = required(all, spec, name);
    Value::Object(
        properties
            .iter()
            .filter(|(property, _)| required.contains(*property))
            .map(|(property, schema)| {
                let value = property_instance(all, spec, property, schema, expanding);
                (property.clone(), value)
            })
            .collect::<Map<_, _>>(),
    )
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
/// requires (the server assigns `id` and `href`); otherwise those the definition requires;
/// plus those of [`STRICTER_THAN_THE_SPECIFICATION`].
fn required(all: &Value, spec: &str, name: &str) -> BTreeSet<String> {
    let create = all[spec].get(format!("{name}_Create"));
    let source = create.unwrap_or_else(|| definition(all, spec, name));
    let mut required: BTreeSet<String> = source
        .get("required")
        .and_then(Value::as_array)
        .map(|names| {
            names
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    for (stricter_spec, stricter_name, properties) in STRICTER_THAN_THE_SPECIFICATION {
        if (*stricter_spec, *stricter_name) == (spec, name) {
            required.extend(properties.iter().map(|property| property.to_string()));
        }
    }
    required
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
        let document = full_document(&all, spec, name);
        let written = check(&document).unwrap_or_else(|e| panic!("{spec} {name}: {e}"));
        assert_eq!(written, document, "{spec} {name} did not round-trip");
    }
}

#[test]
fn a_document_with_only_the_required_properties_is_enough() {
    let all = definitions();
    for (spec, name, check) in checks() {
        let full = full_document(&all, spec, name);
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

/// Whether `property`, required by the definition of `document` beside its `id`, is one the
/// server completes from the target that the `id` names:
/// the `href`, `name` or `@referredType` of a reference (a definition with `id` and
/// `@referredType`; a `…RefOrValue` may carry a value, whose required properties stay required).
fn completed_by_server(definition: &str, document: &Value, property: &str) -> bool {
    let is_reference = document.get("id").is_some()
        && document.get("@referredType").is_some()
        && !definition.ends_with("RefOrValue");
    is_reference && matches!(property, "href" | "name" | "@referredType")
}

#[test]
fn each_required_property_is_required() {
    let all = definitions();
    let mut checked = 0;
    for (spec, name, check) in checks() {
        let full = full_document(&all, spec, name);
        let required = required(&all, spec, name);
        let id_required = required.iter().any(|property| property == "id");
        for property in required.clone() {
            let mut document = full.clone();
            document.as_object_mut().expect("object").remove(&property);
            if id_required && completed_by_server(name, &full, &property) {
                // A reference's `href`, `name` and `@referredType` are completed from the
                // stored target (or kept as given for an external one): a client may omit them.
                assert!(
                    check(&document).is_ok(),
                    "{spec} {name} refused a reference without {property}"
                );
                continue;
            }
            assert!(
                check(&document).is_err(),
                "{spec} {name} accepted a missing {property}"
            );
            checked += 1;
        }
    }
    // Individual 2, Organization 1, Customer 2, PartyRole 1, the seven TMF666 resources 10,
    // PartyInteraction 5, the eight TMF620, TMF622 and TMF637 resources 8, TMF678's
    // AppliedCustomerBillingRate 1, and the sub-types' own.
    assert!(
        checked >= 6 + 10 + 5 + 8 + 1 + 13 + 30 + 80,
        "only {checked} required properties checked"
    );
}

/// Whether the required string `property` of `definition` must not be empty: the identifiers
/// (of references and of order items), a contact medium's type and a currency. Every other
/// required string is free text (a name, a type, a role, a note's text): any string will do.
fn must_not_be_empty(definition: &str, property: &str) -> bool {
    property == "id"
        || property.ends_with("Id")
        || property == "mediumType"
        || definition == "Money"
}

#[test]
fn only_identifiers_must_not_be_empty_among_required_strings() {
    let all = definitions();
    let (mut accepted, mut refused) = (0, 0);
    for (spec, name, check) in checks() {
        let schema = definition(&all, spec, name);
        let full = full_document(&all, spec, name);
        for property in required(&all, spec, name) {
            let property_schema = &schema["properties"][property.as_str()];
            let free_string = property_schema.get("type").and_then(Value::as_str) == Some("string")
                && property_schema.get("format").is_none()
                && property_schema.get("enum").is_none();
            if !free_string {
                continue;
            }
            let mut document = full.clone();
            document[property.as_str()] = json!("");
            if must_not_be_empty(name, &property) {
                assert!(
                    check(&document).is_err(),
                    "{spec} {name} accepted an empty {property}"
                );
                refused += 1;
            } else {
                assert_eq!(
                    check(&document).as_ref(),
                    Ok(&document),
                    "{spec} {name} refused an empty {property}, a free-text string"
                );
                accepted += 1;
            }
        }
    }
    assert!(accepted >= 40, "only {accepted} free-text strings checked");
    assert!(refused >= 40, "only {refused} identifiers checked");
}

#[test]
fn an_unknown_property_is_kept_and_refused_only_in_strict_mode() {
    let all = definitions();
    for (spec, name, check) in checks() {
        let mut document = full_document(&all, spec, name);
        let extension = json!({"vendor": "acme", "flags": [true, 1.25]});
        document
            .as_object_mut()
            .expect("object")
            .insert("unknownProperty".to_owned(), extension.clone());
        let written = check(&document).unwrap_or_else(|e| panic!("{spec} {name}: {e}"));
        assert_eq!(
            written.get("unknownProperty"),
            Some(&extension),
            "{spec} {name}: the extension is written back as sent"
        );
        let error = sid_model::strict_attributes(true, || check(&document)).expect_err(name);
        assert!(error.contains("unknownProperty"), "{spec} {name}: {error}");
    }
}

#[test]
fn a_value_of_the_wrong_type_is_refused() {
    let all = definitions();
    for (spec, name, check) in checks() {
        let schema = definition(&all, spec, name);
        let full = full_document(&all, spec, name);
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
fn an_array_shorter_than_its_minimum_is_refused() {
    let all = definitions();
    let mut checked = 0;
    for (spec, name, check) in checks() {
        let schema = definition(&all, spec, name);
        let full = full_document(&all, spec, name);
        for (property, property_schema) in schema["properties"].as_object().expect("properties") {
            let Some(minimum) = property_schema.get("minItems").and_then(Value::as_u64) else {
                continue;
            };
            let mut document = full.clone();
            let items = document[property.as_str()]
                .as_array_mut()
                .expect("an array property");
            items.truncate(usize::try_from(minimum).expect("a small minimum") - 1);
            assert!(
                check(&document).is_err(),
                "{spec} {name} accepted fewer than {minimum} {property}"
            );
            checked += 1;
        }
    }
    // The `relatedParty` of PartyAccount, BillingAccount and SettlementAccount, and the
    // `productOrderItem` of ProductOrder.
    assert!(checked >= 4, "only {checked} minimums checked");
}

#[test]
fn a_document_must_be_an_object() {
    let all = definitions();
    for (spec, name, check) in checks() {
        let full = full_document(&all, spec, name);
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
