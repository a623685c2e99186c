//! The four resources of the shared party model, read and written with documents like the
//! examples of the TMF632, TMF629 and TMF669 user guides.

use crate::support::*;
use serde_json::{Value, json};
use sid_model::*;

fn tax_exemption_certificate() -> Value {
    json!({
        "id": "TEC-2020-11",
        "attachment": attachment(),
        "taxDefinition": [{
            "id": "VAT-FR",
            "name": "TVA",
            "taxType": "VAT",
            "@baseType": "TaxDefinition",
            "@schemaLocation": "https://host/schemas/TaxDefinition.schema.json",
            "@type": "TaxDefinition",
            "@referredType": "TaxDefinition"
        }],
        "validFor": period(),
        "@baseType": "TaxExemptionCertificate",
        "@schemaLocation": "https://host/schemas/TaxExemptionCertificate.schema.json",
        "@type": "TaxExemptionCertificate"
    })
}

fn characteristics() -> Value {
    json!([
        {"name": "loyaltyTier", "valueType": "string", "value": "gold"},
        {
            "name": "preferences",
            "valueType": "object",
            "value": {"newsletter": true, "channels": ["sms", "email"]},
            "@baseType": "Characteristic",
            "@schemaLocation": "https://host/schemas/Characteristic.schema.json",
            "@type": "ObjectCharacteristic"
        },
        {"name": "householdSize", "valueType": "integer", "value": 4}
    ])
}

fn individual() -> Value {
    json!({
        "id": "42",
        "href": "https://host/tmf-api/partyManagement/v4/individual/42",
        "aristocraticTitle": "Baroness",
        "birthDate": "1967-09-26T05:00:00Z",
        "countryOfBirth": "United States",
        "deathDate": "2067-09-26T05:00:00Z",
        "familyName": "Doe",
        "familyNamePrefix": "van",
        "formattedName": "Baroness Jane van Doe Jr.",
        "fullName": "Jane Emily Doe",
        "gender": "female",
        "generation": "Jr",
        "givenName": "Jane",
        "legalName": "Jane Emily Doe",
        "location": "Paris",
        "maritalStatus": "married",
        "middleName": "Emily",
        "nationality": "American",
        "placeOfBirth": "Boston",
        "preferredGivenName": "Janie",
        "title": "Dr",
        "contactMedium": [contact_medium(), {"mediumType": "email", "characteristic": {"emailAddress": "jane@example.com"}}],
        "creditRating": [{
            "creditAgencyName": "Experian",
            "creditAgencyType": "externalAgency",
            "ratingReference": "EXP-7733",
            "ratingScore": 720,
            "validFor": period(),
            "@baseType": "PartyCreditProfile",
            "@schemaLocation": "https://host/schemas/PartyCreditProfile.schema.json",
            "@type": "PartyCreditProfile"
        }],
        "disability": [{
            "disabilityCode": "VI",
            "disabilityName": "Visual impairment",
            "validFor": {"startDateTime": "2001-01-01T00:00:00Z"},
            "@baseType": "Disability",
            "@schemaLocation": "https://host/schemas/Disability.schema.json",
            "@type": "Disability"
        }],
        "externalReference": [{
            "externalReferenceType": "facebookId",
            "name": "http://facebook.com/17263635",
            "@baseType": "ExternalReference",
            "@schemaLocation": "https://host/schemas/ExternalReference.schema.json",
            "@type": "ExternalReference"
        }],
        "individualIdentification": [{
            "identificationId": "51DD1234",
            "identificationType": "passport",
            "issuingAuthority": "US Government",
            "issuingDate": "2017-10-22T07:49:25.246Z",
            "attachment": attachment(),
            "validFor": period(),
            "@baseType": "IndividualIdentification",
            "@schemaLocation": "https://host/schemas/IndividualIdentification.schema.json",
            "@type": "IndividualIdentification"
        }],
        "languageAbility": [{
            "isFavouriteLanguage": true,
            "languageCode": "en-US",
            "languageName": "English",
            "listeningProficiency": "advanced",
            "readingProficiency": "advanced",
            "speakingProficiency": "advanced",
            "writingProficiency": "intermediate",
            "validFor": period(),
            "@baseType": "LanguageAbility",
            "@schemaLocation": "https://host/schemas/LanguageAbility.schema.json",
            "@type": "LanguageAbility"
        }],
        "otherName": [{
            "aristocraticTitle": "Baroness",
            "familyName": "Smith",
            "familyNamePrefix": "de",
            "formattedName": "Jane de Smith",
            "fullName": "Jane Smith",
            "generation": "Jr",
            "givenName": "Jane",
            "legalName": "Jane Smith",
            "middleName": "E.",
            "preferredGivenName": "Janie",
            "title": "Ms",
            "validFor": {"startDateTime": "1967-09-26T05:00:00Z", "endDateTime": "1995-06-01T00:00:00Z"},
            "@baseType": "OtherName",
            "@schemaLocation": "https://host/schemas/OtherNameIndividual.schema.json",
            "@type": "OtherNameIndividual"
        }],
        "partyCharacteristic": characteristics(),
        "relatedParty": [related_party()],
        "skill": [{
            "comment": "Renewed every year",
            "evaluatedLevel": "first level",
            "skillCode": "FA-1",
            "skillName": "First aid",
            "validFor": period(),
            "@baseType": "Skill",
            "@schemaLocation": "https://host/schemas/Skill.schema.json",
            "@type": "Skill"
        }],
        "status": "validated",
        "taxExemptionCertificate": [tax_exemption_certificate()],
        "@baseType": "Party",
        "@schemaLocation": "https://host/schemas/Individual.schema.json",
        "@type": "Individual"
    })
}

fn organization_ref(id: &str, name: &str) -> Value {
    json!({
        "id": id,
        "href": format!("https://host/tmf-api/partyManagement/v4/organization/{id}"),
        "name": name,
        "@baseType": "PartyRef",
        "@schemaLocation": "https://host/schemas/OrganizationRef.schema.json",
        "@type": "OrganizationRef",
        "@referredType": "Organization"
    })
}

fn organization() -> Value {
    json!({
        "id": "128",
        "href": "https://host/tmf-api/partyManagement/v4/organization/128",
        "isHeadOffice": true,
        "isLegalEntity": true,
        "name": "Coffee Do Brazil Sales Department",
        "nameType": "Inc",
        "organizationType": "department",
        "tradingName": "Coffee Do Brazil",
        "contactMedium": [contact_medium()],
        "creditRating": [{"creditAgencyName": "Coface", "ratingScore": 12}],
        "existsDuring": {"startDateTime": "2015-10-22T08:31:52.026Z"},
        "externalReference": [{"externalReferenceType": "registry", "name": "FR-552100554"}],
        "organizationChildRelationship": [{
            "relationshipType": "hierarchical",
            "organization": organization_ref("129", "Coffee Do Brazil Sales Europe"),
            "@baseType": "OrganizationChildRelationship",
            "@schemaLocation": "https://host/schemas/OrganizationChildRelationship.schema.json",
            "@type": "OrganizationChildRelationship"
        }],
        "organizationIdentification": [{
            "identificationId": "552100554",
            "identificationType": "SIREN",
            "issuingAuthority": "Registre du commerce et des sociétés",
            "issuingDate": "2015-10-22T00:00:00Z",
            "attachment": {"id": "att-1", "@referredType": "Document"},
            "validFor": {"startDateTime": "2015-10-22T00:00:00Z"},
            "@baseType": "OrganizationIdentification",
            "@schemaLocation": "https://host/schemas/OrganizationIdentification.schema.json",
            "@type": "OrganizationIdentification"
        }],
        "organizationParentRelationship": {
            "relationshipType": "juridical",
            "organization": organization_ref("1", "Coffee Do Brazil Holding"),
            "@baseType": "OrganizationParentRelationship",
            "@schemaLocation": "https://host/schemas/OrganizationParentRelationship.schema.json",
            "@type": "OrganizationParentRelationship"
        },
        "otherName": [{
            "name": "Café do Brasil",
            "nameType": "Ltd",
            "tradingName": "Café do Brasil",
            "validFor": {"endDateTime": "2015-10-21T23:59:59Z"},
            "@baseType": "OtherName",
            "@schemaLocation": "https://host/schemas/OtherNameOrganization.schema.json",
            "@type": "OtherNameOrganization"
        }],
        "partyCharacteristic": characteristics(),
        "relatedParty": [related_party()],
        "status": "validated",
        "taxExemptionCertificate": [tax_exemption_certificate()],
        "@baseType": "Party",
        "@schemaLocation": "https://host/schemas/Organization.schema.json",
        "@type": "Organization"
    })
}

/// The properties that TMF629 `Customer` and TMF669 `PartyRole` share, with `name`.
fn party_role_properties(name: &str) -> Value {
    json!({
        "name": name,
        "status": "Approved",
        "statusReason": "Account details checked",
        "account": [{
            "id": "1828",
            "href": "https://host/tmf-api/accountManagement/v4/partyAccount/1828",
            "description": "Main billing account",
            "name": "Moon Billing Account",
            "@baseType": "AccountRef",
            "@schemaLocation": "https://host/schemas/AccountRef.schema.json",
            "@type": "AccountRef",
            "@referredType": "PartyAccount"
        }],
        "agreement": [{
            "id": "3180",
            "href": "https://host/tmf-api/agreementManagement/v4/agreement/3180",
            "name": "Summer Contract Agreement",
            "@baseType": "AgreementRef",
            "@schemaLocation": "https://host/schemas/AgreementRef.schema.json",
            "@type": "AgreementRef",
            "@referredType": "Agreement"
        }],
        "characteristic": characteristics(),
        "contactMedium": [contact_medium()],
        "creditProfile": [{
            "creditProfileDate": "2019-04-18T23:45:44.244Z",
            "creditRiskRating": 4,
            "creditScore": 820,
            "validFor": period(),
            "@baseType": "CreditProfile",
            "@schemaLocation": "https://host/schemas/CreditProfile.schema.json",
            "@type": "CreditProfile"
        }],
        "engagedParty": {
            "id": "42",
            "href": "https://host/tmf-api/partyManagement/v4/individual/42",
            "name": "Jane Doe",
            "role": "customer",
            "@referredType": "Individual"
        },
        "paymentMethod": [{
            "id": "6879",
            "href": "https://host/tmf-api/paymentMethods/v4/paymentMethod/6879",
            "name": "Default bank transfer",
            "@baseType": "PaymentMethodRef",
            "@schemaLocation": "https://host/schemas/PaymentMethodRef.schema.json",
            "@type": "PaymentMethodRef",
            "@referredType": "BankTransfer"
        }],
        "relatedParty": [related_party()],
        "validFor": {"startDateTime": "2019-04-18T23:45:44.244Z"}
    })
}

fn with_meta(mut document: Value, id: &str, href: &str, kind: &str) -> Value {
    let object = document.as_object_mut().expect("object");
    object.insert("id".to_owned(), json!(id));
    object.insert("href".to_owned(), json!(href));
    object.insert("@baseType".to_owned(), json!("PartyRole"));
    object.insert(
        "@schemaLocation".to_owned(),
        json!(format!("https://host/schemas/{kind}.schema.json")),
    );
    object.insert("@type".to_owned(), json!(kind));
    document
}

fn customer() -> Value {
    with_meta(
        party_role_properties("Moon Football Club"),
        "1140",
        "https://host/tmf-api/customerManagement/v4/customer/1140",
        "Customer",
    )
}

fn party_role() -> Value {
    with_meta(
        party_role_properties("Wholesale reseller"),
        "8801",
        "https://host/tmf-api/partyRoleManagement/v4/partyRole/8801",
        "PartyRole",
    )
}

// --- Individual ---------------------------------------------------------------------------

#[test]
fn individual_round_trips_every_property() {
    let document = individual();
    let (individual, written) = read_and_write::<Individual>(&document);
    assert_eq!(written, document);
    assert_eq!(individual.given_name, "Jane");
    assert_eq!(individual.family_name, "Doe");
    assert_eq!(individual.status, Some(IndividualStateType::Validated));
    assert_eq!(individual.meta.r#type.as_deref(), Some("Individual"));
    let size = individual
        .individual_identification
        .as_ref()
        .expect("identifications")[0]
        .attachment
        .as_ref()
        .and_then(|attachment| attachment.size.as_ref())
        .and_then(|size| size.amount);
    assert_eq!(
        size.map(|amount| amount.to_string()).as_deref(),
        Some("300.5")
    );
}

#[test]
fn individual_needs_only_its_names() {
    let document = json!({"givenName": "Jane", "familyName": "Doe"});
    let (individual, written) = read_and_write::<Individual>(&document);
    assert_eq!(written, document);
    assert_eq!(individual.id, None);
    assert_eq!(individual.contact_medium, None);
}

#[test]
fn individual_keeps_unknown_properties_at_any_depth() {
    let mut top = individual();
    set(&mut top, "/nickname", json!("JD"));
    assert!(kept_unless_strict::<Individual>(top, "/nickname").contains("nickname"));

    let mut nested = individual();
    set(
        &mut nested,
        "/contactMedium/0/characteristic/floor",
        json!(3),
    );
    assert!(
        kept_unless_strict::<Individual>(nested, "/contactMedium/0/characteristic/floor")
            .contains("floor")
    );
}

#[test]
fn individual_refuses_a_missing_name() {
    for name in ["givenName", "familyName"] {
        let mut document = individual();
        remove(&mut document, &format!("/{name}"));
        assert!(refusal::<Individual>(document).contains(name));
    }
}

#[test]
fn individual_refuses_wrong_types() {
    for (pointer, wrong) in [
        ("/givenName", json!(42)),
        ("/birthDate", json!("26/09/1967")),
        ("/status", json!("deceased")),
        ("/contactMedium", json!({"mediumType": "email"})),
        ("/languageAbility/0/isFavouriteLanguage", json!("yes")),
        ("/creditRating/0/ratingScore", json!(720.5)),
        ("/relatedParty/0", json!({"id": 8877})),
    ] {
        let mut document = individual();
        set(&mut document, pointer, wrong.clone());
        assert!(
            serde_json::from_value::<Individual>(document).is_err(),
            "accepted {wrong} at {pointer}"
        );
    }
}

#[test]
fn individual_rules_name_the_offending_property() {
    let mut document = individual();
    set(
        &mut document,
        "/contactMedium/1/validFor",
        json!({
            "startDateTime": "2020-01-02T00:00:00Z",
            "endDateTime": "2020-01-01T00:00:00Z"
        }),
    );
    let violation = first_violation_of::<Individual>(document);
    assert_eq!(violation.path, "contactMedium[1].validFor.endDateTime");

    // A name is free text, as in the specification: an empty one is a string like any other.
    let mut empty_names = individual();
    set(&mut empty_names, "/givenName", json!(""));
    set(&mut empty_names, "/familyName", json!(""));
    let (read, written) = read_and_write::<Individual>(&empty_names);
    assert_eq!(
        (read.given_name.as_str(), read.family_name.as_str()),
        ("", "")
    );
    assert_eq!(written, empty_names);

    let mut deep = individual();
    set(
        &mut deep,
        "/individualIdentification/0/attachment/validFor/startDateTime",
        json!("2030-01-01T00:00:00Z"),
    );
    assert_eq!(
        first_violation_of::<Individual>(deep).path,
        "individualIdentification[0].attachment.validFor.endDateTime"
    );
}

// --- Organization -------------------------------------------------------------------------

#[test]
fn organization_round_trips_every_property() {
    let document = organization();
    let (organization, written) = read_and_write::<Organization>(&document);
    assert_eq!(written, document);
    assert_eq!(organization.trading_name, "Coffee Do Brazil");
    assert_eq!(organization.status, Some(OrganizationStateType::Validated));
    let parent = organization
        .organization_parent_relationship
        .expect("a parent");
    assert_eq!(parent.organization.map(|org| org.id).as_deref(), Some("1"));
}

#[test]
fn organization_needs_only_its_trading_name() {
    let document = json!({"tradingName": "Coffee Do Brazil"});
    assert_eq!(read_and_write::<Organization>(&document).1, document);
    assert!(refusal::<Organization>(json!({"name": "Coffee Do Brazil"})).contains("tradingName"));
}

#[test]
fn organization_keeps_unknown_properties_and_wrong_types() {
    let mut unknown = organization();
    set(
        &mut unknown,
        "/organizationParentRelationship/organization/vatNumber",
        json!("FR1"),
    );
    assert!(
        kept_unless_strict::<Organization>(
            unknown,
            "/organizationParentRelationship/organization/vatNumber"
        )
        .contains("vatNumber")
    );

    for (pointer, wrong) in [
        ("/tradingName", json!(["Coffee"])),
        ("/isLegalEntity", json!("true")),
        ("/existsDuring", json!("since 2015")),
        // TMF632 has one parent relationship, not a list.
        ("/organizationParentRelationship", json!([])),
        (
            "/organizationChildRelationship/0/organization",
            json!({"name": "no id"}),
        ),
        ("/status", json!("Validated")),
    ] {
        let mut document = organization();
        set(&mut document, pointer, wrong.clone());
        assert!(
            serde_json::from_value::<Organization>(document).is_err(),
            "accepted {wrong} at {pointer}"
        );
    }
}

#[test]
fn organization_rules_name_the_offending_property() {
    let mut document = organization();
    set(
        &mut document,
        "/organizationChildRelationship/0/organization/id",
        json!(""),
    );
    assert_eq!(
        first_violation_of::<Organization>(document).path,
        "organizationChildRelationship[0].organization.id"
    );
    let mut reversed = organization();
    set(
        &mut reversed,
        "/existsDuring/endDateTime",
        json!("2000-01-01T00:00:00Z"),
    );
    assert_eq!(
        first_violation_of::<Organization>(reversed).path,
        "existsDuring.endDateTime"
    );
}

// --- Customer -----------------------------------------------------------------------------

#[test]
fn customer_round_trips_every_property() {
    let document = customer();
    let (customer, written) = read_and_write::<Customer>(&document);
    assert_eq!(written, document);
    assert_eq!(customer.name, "Moon Football Club");
    assert_eq!(
        customer.engaged_party.referred_type.as_deref(),
        Some("Individual")
    );
    assert_eq!(
        customer.contact_medium.expect("contact media")[0].medium_type,
        "postalAddress"
    );
}

#[test]
fn customer_needs_a_name_and_an_engaged_party() {
    let minimal = json!({
        "name": "Moon Football Club",
        "engagedParty": {"id": "42", "@referredType": "Organization"}
    });
    assert_eq!(read_and_write::<Customer>(&minimal).1, minimal);
    for property in ["name", "engagedParty"] {
        let mut document = customer();
        remove(&mut document, &format!("/{property}"));
        assert!(refusal::<Customer>(document).contains(property));
    }
    // `@referredType` may be left out: the server infers it from the stored party.
    let mut no_referred_type = customer();
    remove(&mut no_referred_type, "/engagedParty/@referredType");
    let (read, _) = read_and_write::<Customer>(&no_referred_type);
    assert_eq!(read.engaged_party.referred_type, None);
}

#[test]
fn customer_contact_medium_follows_tmf629() {
    // TMF629 requires mediumType and characteristic, which TMF632 leaves optional.
    for property in ["mediumType", "characteristic"] {
        let mut document = customer();
        remove(&mut document, &format!("/contactMedium/0/{property}"));
        assert!(refusal::<Customer>(document).contains(property));
    }
}

#[test]
fn customer_keeps_unknown_properties_and_wrong_types() {
    let mut unknown = customer();
    set(&mut unknown, "/segment", json!("residential"));
    assert!(kept_unless_strict::<Customer>(unknown, "/segment").contains("segment"));
    let mut nested = customer();
    set(&mut nested, "/creditProfile/0/riskLevel", json!("low"));
    assert!(
        kept_unless_strict::<Customer>(nested, "/creditProfile/0/riskLevel").contains("riskLevel")
    );

    for (pointer, wrong) in [
        ("/name", json!(1140)),
        ("/engagedParty", json!("42")),
        ("/account/0/name", json!(null)),
        ("/creditProfile/0/creditScore", json!("820")),
        ("/creditProfile/0/creditProfileDate", json!(20190418)),
        ("/validFor/startDateTime", json!("yesterday")),
    ] {
        let mut document = customer();
        set(&mut document, pointer, wrong.clone());
        assert!(
            serde_json::from_value::<Customer>(document).is_err(),
            "accepted {wrong} at {pointer}"
        );
    }
}

#[test]
fn customer_rules_name_the_offending_property() {
    let mut document = customer();
    set(&mut document, "/engagedParty/id", json!(""));
    assert_eq!(
        first_violation_of::<Customer>(document).path,
        "engagedParty.id"
    );

    let mut reversed = customer();
    set(
        &mut reversed,
        "/creditProfile/0/validFor/endDateTime",
        json!("2000-01-01T00:00:00Z"),
    );
    assert_eq!(
        first_violation_of::<Customer>(reversed).path,
        "creditProfile[0].validFor.endDateTime"
    );
}

// --- PartyRole ----------------------------------------------------------------------------

#[test]
fn party_role_round_trips_every_property() {
    let document = party_role();
    let (role, written) = read_and_write::<PartyRole>(&document);
    assert_eq!(written, document);
    assert_eq!(role.name, "Wholesale reseller");
    assert_eq!(
        role.engaged_party.map(|party| party.id).as_deref(),
        Some("42")
    );
}

#[test]
fn party_role_needs_only_a_name() {
    let document = json!({"name": "Wholesale reseller"});
    assert_eq!(read_and_write::<PartyRole>(&document).1, document);
    let mut unnamed = party_role();
    remove(&mut unnamed, "/name");
    assert!(refusal::<PartyRole>(unnamed).contains("name"));
}

#[test]
fn party_role_keeps_unknown_properties_and_wrong_types() {
    let mut unknown = party_role();
    set(&mut unknown, "/partyRoleSpecification", json!({"id": "1"}));
    assert!(
        kept_unless_strict::<PartyRole>(unknown, "/partyRoleSpecification")
            .contains("partyRoleSpecification")
    );

    for (pointer, wrong) in [
        ("/name", json!(false)),
        ("/status", json!(3)),
        ("/paymentMethod", json!({"id": "6879"})),
        ("/agreement/0/id", json!(3180)),
        ("/contactMedium/0/preferred", json!("yes")),
    ] {
        let mut document = party_role();
        set(&mut document, pointer, wrong.clone());
        assert!(
            serde_json::from_value::<PartyRole>(document).is_err(),
            "accepted {wrong} at {pointer}"
        );
    }
}

#[test]
fn party_role_rules_name_the_offending_property() {
    // Names are free text: an empty one, of the role or of an account, is accepted.
    let mut empty_names = party_role();
    set(&mut empty_names, "/name", json!(""));
    set(&mut empty_names, "/account/0/name", json!(""));
    assert_eq!(read_and_write::<PartyRole>(&empty_names).1, empty_names);

    let mut bad_agreement = party_role();
    set(&mut bad_agreement, "/agreement/0/id", json!(""));
    assert_eq!(
        first_violation_of::<PartyRole>(bad_agreement).path,
        "agreement[0].id"
    );
}
