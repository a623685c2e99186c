//! What the resource tests share: documents of common sub-types and helpers that read, edit
//! and check documents.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use sid_model::{Violation, first_violation};
use validator::Validate;

pub(crate) fn period() -> Value {
    json!({"startDateTime": "2018-04-12T00:00:00Z", "endDateTime": "2028-04-11T00:00:00Z"})
}

pub(crate) fn attachment() -> Value {
    json!({
        "id": "att-4455",
        "href": "https://host/documentManagement/v4/attachment/att-4455",
        "attachmentType": "passportScan",
        "content": "SGVsbG8gd29ybGQ=",
        "description": "Scan of the passport",
        "mimeType": "image/png",
        "name": "passport.png",
        "url": "https://host/documents/passport.png",
        "size": {"amount": 300.5, "units": "KB"},
        "validFor": period(),
        "@baseType": "Attachment",
        "@schemaLocation": "https://host/schemas/Attachment.schema.json",
        "@type": "Attachment",
        "@referredType": "Document"
    })
}

pub(crate) fn medium_characteristic() -> Value {
    json!({
        "city": "Morristown",
        "contactType": "home",
        "country": "USA",
        "emailAddress": "jane.doe@example.com",
        "faxNumber": "+1-973-555-0199",
        "phoneNumber": "+1-973-555-0100",
        "postCode": "07960",
        "socialNetworkId": "@janedoe",
        "stateOrProvince": "New Jersey",
        "street1": "240 Headquarters Plaza",
        "street2": "East Tower, 10th Floor",
        "@baseType": "MediumCharacteristic",
        "@schemaLocation": "https://host/schemas/MediumCharacteristic.schema.json",
        "@type": "MediumCharacteristic"
    })
}

pub(crate) fn contact_medium() -> Value {
    json!({
        "mediumType": "postalAddress",
        "preferred": true,
        "characteristic": medium_characteristic(),
        "validFor": period(),
        "@baseType": "ContactMedium",
        "@schemaLocation": "https://host/schemas/ContactMedium.schema.json",
        "@type": "ContactMedium"
    })
}

pub(crate) fn related_party() -> Value {
    json!({
        "id": "8877",
        "href": "https://host/tmf-api/partyManagement/v4/individual/8877",
        "name": "John Doe",
        "role": "spouse",
        "@baseType": "RelatedParty",
        "@schemaLocation": "https://host/schemas/RelatedParty.schema.json",
        "@type": "RelatedParty",
        "@referredType": "Individual"
    })
}

/// Reads `document` as `T`, checks it validates, and returns it with what it writes back.
pub(crate) fn read_and_write<T: DeserializeOwned + Serialize + Validate>(
    document: &Value,
) -> (T, Value) {
    let value: T = serde_json::from_value(document.clone()).expect("a valid document");
    value.validate().expect("no rule broken");
    let written = serde_json::to_value(&value).expect("serialise");
    (value, written)
}

/// The error of reading `document` as `T`, which must fail.
pub(crate) fn refusal<T: DeserializeOwned>(document: Value) -> String {
    serde_json::from_value::<T>(document)
        .map(|_| ())
        .expect_err("refused")
        .to_string()
}

/// Checks that `document`, which holds an attribute beyond `T`'s definition at `pointer`, is
/// read with that attribute kept (written back at the same place, unchanged), and refused in
/// strict mode; returns the strict mode's error.
pub(crate) fn kept_unless_strict<T: DeserializeOwned + Serialize>(
    document: Value,
    pointer: &str,
) -> String {
    let sent = document
        .pointer(pointer)
        .cloned()
        .expect("the extension is in the document");
    let value: T = serde_json::from_value(document.clone()).expect("an extension is kept");
    let written = serde_json::to_value(&value).expect("serialise");
    assert_eq!(
        written.pointer(pointer),
        Some(&sent),
        "{pointer} is written back as sent"
    );
    sid_model::strict_attributes(true, || {
        serde_json::from_value::<T>(document)
            .map(|_| ())
            .expect_err("refused in strict mode")
            .to_string()
    })
}

/// Sets the value at `pointer`, whose parent must exist.
pub(crate) fn set(document: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer with a parent");
    let target = document.pointer_mut(parent).expect("parent exists");
    match target {
        Value::Object(object) => {
            object.insert(key.to_owned(), value);
        }
        Value::Array(items) => items[key.parse::<usize>().expect("index")] = value,
        _ => panic!("{parent} is neither an object nor an array"),
    }
}

/// Removes the property at `pointer`, which must be there.
pub(crate) fn remove(document: &mut Value, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer with a parent");
    document
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .expect("parent object")
        .remove(key)
        .expect("the property was there");
}

/// The first rule that `document`, well-formed as `T`, breaks.
pub(crate) fn first_violation_of<T: DeserializeOwned + Validate>(document: Value) -> Violation {
    let value: T = serde_json::from_value(document).expect("well-formed");
    first_violation(&value.validate().expect_err("a rule is broken"))
}
