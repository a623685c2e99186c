//! What every wire struct shares beyond its own properties: the TMF630 meta-properties
//! (`@type`, `@baseType`, `@schemaLocation`) and the extension attributes.
//!
//! TMF630's extension pattern lets a client send attributes that the v4 definition does not
//! name (a vendor's attributes, or those of another release of the API, announced by
//! `@type`/`@schemaLocation` or not). Every wire struct flattens an [`Extensions`] map last,
//! so such attributes are kept, at every level, exactly as sent and written back out beside
//! the defined ones. The attributes the definition names are fields of the struct and keep
//! their types and rules: an extension attribute can never shadow one of them.
//!
//! An operator who wants the old strictness (an unknown attribute is a typo to refuse) reads
//! bodies inside [`strict_attributes`]: every extension attribute is then an error naming it.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The sub-classing meta-properties of TMF630, which every TMF entity and most nested
/// objects carry: flattened into the wire structs, so the three are written once.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Meta {
    /// When sub-classing, the name of the super-class.
    #[serde(rename = "@baseType")]
    pub base_type: Option<String>,
    /// A URI to a JSON-Schema file that defines additional attributes and relationships.
    #[serde(rename = "@schemaLocation")]
    pub schema_location: Option<String>,
    /// When sub-classing, the name of the sub-class.
    #[serde(rename = "@type")]
    pub r#type: Option<String>,
}

impl Meta {
    /// Meta-properties naming only the sub-class (`@type`).
    pub fn of_type(name: impl Into<String>) -> Self {
        Self {
            r#type: Some(name.into()),
            ..Self::default()
        }
    }
}

/// The attributes of an object that its definition does not name, kept as sent.
///
/// Serialised flat beside the defined attributes; read from whatever the defined fields
/// leave over.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(transparent)]
pub struct Extensions(pub Map<String, Value>);

impl Extensions {
    /// Whether the object carried no extension attribute.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The extension attribute `name`, if sent.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }
}

thread_local! {
    static STRICT: Cell<bool> = const { Cell::new(false) };
}

/// Runs `read` (a deserialisation) with extension attributes refused when `strict` is true:
/// the first one is an error naming it (`unknown attribute 'vendorFlag'`). The setting is
/// scoped to this call on this thread, so servers with different settings can share a process.
pub fn strict_attributes<R>(strict: bool, read: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            STRICT.with(|flag| flag.set(self.0));
        }
    }
    let _restore = Restore(STRICT.with(|flag| flag.replace(strict)));
    read()
}

impl<'de> Deserialize<'de> for Extensions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ExtensionsVisitor)
    }
}

/// Collects the left-over attributes, or refuses the first one in strict mode.
struct ExtensionsVisitor;

impl<'de> Visitor<'de> for ExtensionsVisitor {
    type Value = Extensions;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("extension attributes")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Extensions, A::Error> {
        let strict = STRICT.with(Cell::get);
        let mut attributes = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            if strict {
                return Err(de::Error::custom(format!(
                    "unknown attribute '{name}' (extension attributes are refused: \
                     strict_attributes is on)"
                )));
            }
            let value: Value = map.next_value()?;
            attributes.insert(name, value);
        }
        Ok(Extensions(attributes))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::time::TimePeriod;
    use crate::{Characteristic, RelatedParty};

    use super::*;

    #[test]
    fn attributes_beyond_the_definition_are_kept_at_every_level() {
        let sent = json!({
            "id": "42", "@referredType": "Individual", "@type": "RelatedPartyRef",
            "roleType": {"name": "owner", "weight": 0.5},
            "vendorFlag": true
        });
        let party: RelatedParty = serde_json::from_value(sent.clone()).expect("read");
        assert_eq!(party.meta.r#type.as_deref(), Some("RelatedPartyRef"));
        assert_eq!(party.extensions.get("vendorFlag"), Some(&json!(true)));
        assert_eq!(serde_json::to_value(&party).expect("write"), sent);
    }

    #[test]
    fn a_defined_attribute_keeps_its_type() {
        let error = serde_json::from_value::<TimePeriod>(json!({"startDateTime": "soon"}))
            .expect_err("not a date");
        assert!(!error.to_string().contains("extension"), "{error}");
    }

    #[test]
    fn strict_mode_refuses_the_first_extension_by_name() {
        let body = json!({"name": "colour", "value": "red", "shade": "dark"});
        let error = strict_attributes(true, || {
            serde_json::from_value::<Characteristic>(body.clone()).expect_err("strict")
        });
        assert!(error.to_string().contains("'shade'"), "{error}");
        let lenient: Characteristic = serde_json::from_value(body).expect("lenient again");
        assert_eq!(lenient.extensions.get("shade"), Some(&json!("dark")));
    }
}
