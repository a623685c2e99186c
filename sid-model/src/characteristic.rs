//! Characteristics: name/value pairs that extend an entity.

use crate::extension::{Extensions, Meta};
use serde::{Deserialize, Serialize};
use validator::Validate;

/// Describes a given characteristic of an object or entity through a name/value pair.
///
/// TMF632 uses it as `partyCharacteristic`, TMF629 and TMF669 as `characteristic`. In v4 it
/// has no `id` and no `characteristicRelationship` (those came with later versions); `value`
/// is required and may be any JSON value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct Characteristic {
    /// Name of the characteristic.
    #[validate(length(min = 1))]
    pub name: String,
    /// Data type of the value of the characteristic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_type: Option<String>,
    /// The value of the characteristic.
    pub value: serde_json::Value,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

crate::wire::object_only_serde!(Characteristic);
