//! Characteristics: name/value pairs that extend an entity.

use serde::{Deserialize, Serialize};
use validator::Validate;

/// Describes a given characteristic of an object or entity through a name/value pair.
///
/// TMF632 uses it as `partyCharacteristic`, TMF629 and TMF669 as `characteristic`. In v4 it
/// has no `id` and no `characteristicRelationship` (those came with later versions); `value`
/// is required and may be any JSON value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct Characteristic {
    /// Name of the characteristic.
    #[validate(length(min = 1))]
    pub name: String,
    /// Data type of the value of the characteristic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_type: Option<String>,
    /// The value of the characteristic.
    pub value: serde_json::Value,
    /// When sub-classing, the name of the super-class.
    #[serde(rename = "@baseType", default, skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    /// A URI to a JSON-Schema file that defines additional attributes and relationships.
    #[serde(
        rename = "@schemaLocation",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub schema_location: Option<String>,
    /// When sub-classing, the name of the sub-class.
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
}

crate::wire::object_only_serde!(Characteristic);
