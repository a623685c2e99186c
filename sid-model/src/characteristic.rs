//! Characteristics: name/value pairs that extend an entity.

crate::wire::wire! {
    /// Describes a given characteristic of an object or entity through a name/value pair.
    ///
    /// TMF632 uses it as `partyCharacteristic`, TMF629 and TMF669 as `characteristic`. In v4 it
    /// has no `id` and no `characteristicRelationship` (those came with later versions); `value`
    /// is required and may be any JSON value.
    pub struct Characteristic {
        /// Name of the characteristic.
        name: String,
        /// Data type of the value of the characteristic.
        value_type: Option<String>,
        /// The value of the characteristic.
        value: serde_json::Value,
    }
}
