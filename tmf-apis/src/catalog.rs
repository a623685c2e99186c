//! The attributes of a resource that can be filtered and sorted on, with their types,
//! read from the resource's definition in the official TMF Swagger file.
//!
//! The catalogue is what makes filtering typed (dates compare as dates, amounts as
//! decimals) and safe: a filter may only name an attribute that the spec defines, and
//! the SQL layer only ever splices the catalogue's own attribute names, never the
//! client's text.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

/// The type of a leaf attribute, as far as comparison is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// Compared as text.
    String,
    /// `format: date-time`: compared as an instant.
    DateTime,
    /// `type: number`: compared as a decimal.
    Number,
    /// `type: integer`: compared as a number.
    Integer,
    /// `type: boolean`.
    Boolean,
    /// A search attribute (extension): matched in the resource's search index (which holds
    /// the keys it inherits, such as a customer's engaged party's); `prefix` matches key
    /// prefixes.
    Search {
        /// The kind of key (`name`, `phone`, `email`).
        key: &'static str,
        /// Whether a value matches keys it is a prefix of.
        prefix: bool,
    },
    /// An extension attribute: one that the definition does not name (TMF630's extension
    /// pattern), compared by equality as a JSON scalar (`vendorFlag=true` matches `true` and
    /// `"true"`).
    Extension,
    /// A reverse reference (extension): the resources that a resource of `table` with the
    /// given id refers to (directly, or through this resource's `via` reference).
    ReferencedBy {
        /// The referring table (`account`).
        table: &'static str,
        /// A reference of this resource whose target may be the one referred to.
        via: Option<&'static str>,
    },
}

impl FieldType {
    /// Whether the attribute is answered from an index rather than the document.
    pub fn is_indexed_extension(self) -> bool {
        matches!(self, Self::Search { .. } | Self::ReferencedBy { .. })
    }
}

/// One step of an attribute path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The JSON property name, as the spec spells it.
    pub name: String,
    /// Whether the value of this property is an array (the rest of the path then
    /// applies to each element, and the clause matches when any element matches).
    pub is_array: bool,
}

/// A resolved attribute path: the segments from the resource root to a leaf, and the leaf's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    /// The segments, from the root.
    pub segments: Vec<Segment>,
    /// The leaf type.
    pub field_type: FieldType,
}

impl FieldPath {
    /// The dotted spelling (`contactMedium.characteristic.city`).
    pub fn dotted(&self) -> String {
        self.segments
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(".")
    }

    /// Whether any segment crosses an array.
    pub fn crosses_array(&self) -> bool {
        self.segments.iter().any(|s| s.is_array)
    }
}

/// Errors building a catalogue from a spec file (a defect in the shipped spec, found at start-up).
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The definition named is not in the spec file.
    #[error("definition '{0}' is not in the spec file")]
    UnknownDefinition(String),
}

/// Filterable attributes of one resource.
#[derive(Debug, Clone, Default)]
pub struct FieldCatalog {
    fields: BTreeMap<String, FieldPath>,
}

/// How deep nested objects are followed. TMF resources nest references about three levels.
const MAX_DEPTH: usize = 4;

impl FieldCatalog {
    /// Reads the catalogue of `definition` from a Swagger 2.0 document's `definitions`.
    pub fn from_swagger(spec: &Value, definition: &str) -> Result<Self, CatalogError> {
        let definitions = spec.get("definitions").unwrap_or(&Value::Null);
        let root = definitions
            .get(definition)
            .ok_or_else(|| CatalogError::UnknownDefinition(definition.to_owned()))?;
        let mut catalog = Self::default();
        let mut visiting = HashSet::new();
        visiting.insert(definition.to_owned());
        catalog.walk(definitions, root, &mut Vec::new(), &mut visiting);
        Ok(catalog)
    }

    fn walk(
        &mut self,
        definitions: &Value,
        schema: &Value,
        prefix: &mut Vec<Segment>,
        visiting: &mut HashSet<String>,
    ) {
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            return;
        };
        for (name, property) in properties {
            if !is_plain_name(name) {
                // Only names that can never be mistaken for syntax enter the catalogue.
                continue;
            }
            let (property, is_array) = match property.get("type").and_then(Value::as_str) {
                Some("array") => (property.get("items").unwrap_or(&Value::Null), true),
                _ => (property, false),
            };
            prefix.push(Segment {
                name: name.clone(),
                is_array,
            });
            if let Some(reference) = property.get("$ref").and_then(Value::as_str) {
                let target = reference.trim_start_matches("#/definitions/");
                let target_schema = definitions.get(target);
                if let Some(field_type) = target_schema.and_then(leaf_type) {
                    // A named scalar type, such as a state enumeration.
                    let path = FieldPath {
                        segments: prefix.clone(),
                        field_type,
                    };
                    self.fields.insert(path.dotted(), path);
                } else if let Some(target_schema) = target_schema
                    && prefix.len() < MAX_DEPTH
                    && !visiting.contains(target)
                {
                    visiting.insert(target.to_owned());
                    self.walk(definitions, target_schema, prefix, visiting);
                    visiting.remove(target);
                }
            } else if let Some(field_type) = leaf_type(property) {
                let path = FieldPath {
                    segments: prefix.clone(),
                    field_type,
                };
                self.fields.insert(path.dotted(), path);
            } else if property.get("properties").is_some() && prefix.len() < MAX_DEPTH {
                self.walk(definitions, property, prefix, visiting);
            }
            prefix.pop();
        }
    }

    /// Adds or replaces an attribute (for attributes a resource carries beyond its spec definition).
    pub fn insert(&mut self, path: FieldPath) {
        self.fields.insert(path.dotted(), path);
    }

    /// Adds an extension attribute `search.{name}` of the given type.
    pub fn insert_search(&mut self, name: &str, field_type: FieldType) {
        self.insert(FieldPath {
            segments: vec![
                Segment {
                    name: "search".into(),
                    is_array: false,
                },
                Segment {
                    name: name.into(),
                    is_array: false,
                },
            ],
            field_type,
        });
    }

    /// Looks an attribute up by its dotted name.
    pub fn resolve(&self, dotted: &str) -> Option<&FieldPath> {
        self.fields.get(dotted)
    }

    /// Whether `name` is an attribute of the definition itself (a leaf or an object).
    pub fn names_attribute(&self, name: &str) -> bool {
        self.fields
            .range(name.to_owned()..)
            .next()
            .is_some_and(|(key, _)| {
                key == name
                    || key
                        .strip_prefix(name)
                        .is_some_and(|rest| rest.starts_with('.'))
            })
    }

    /// The path of an extension attribute (`vendorFlag`, `roleType.name`): a dotted name of
    /// plain segments whose first segment the definition does not name; `None` otherwise.
    pub fn extension(&self, dotted: &str) -> Option<FieldPath> {
        let segments: Vec<&str> = dotted.split('.').collect();
        let plain = segments.len() <= MAX_DEPTH && segments.iter().all(|s| is_plain_name(s));
        if !plain || self.names_attribute(segments[0]) {
            return None;
        }
        Some(FieldPath {
            segments: segments
                .into_iter()
                .map(|name| Segment {
                    name: name.to_owned(),
                    is_array: false,
                })
                .collect(),
            field_type: FieldType::Extension,
        })
    }

    /// All attributes, by dotted name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &FieldPath)> {
        self.fields.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of attributes.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether the catalogue is empty.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

/// Whether an attribute name is plain: ASCII letters, digits, `@` and `_`.
pub fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '@' || c == '_')
}

fn leaf_type(schema: &Value) -> Option<FieldType> {
    match schema.get("type").and_then(Value::as_str)? {
        "string" => Some(match schema.get("format").and_then(Value::as_str) {
            Some("date-time") | Some("date") => FieldType::DateTime,
            _ => FieldType::String,
        }),
        "number" => Some(FieldType::Number),
        "integer" => Some(FieldType::Integer),
        "boolean" => Some(FieldType::Boolean),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Value {
        json!({"definitions": {
            "Thing": {"properties": {
                "id": {"type": "string"},
                "validFor": {"$ref": "#/definitions/TimePeriod"},
                "relatedParty": {"type": "array", "items": {"$ref": "#/definitions/RelatedParty"}},
                "amount": {"type": "number"},
                "active": {"type": "boolean"},
                "parent": {"$ref": "#/definitions/Thing"},
                "status": {"$ref": "#/definitions/StateType"}
            }},
            "StateType": {"type": "string", "enum": ["a", "b"]},
            "TimePeriod": {"properties": {
                "startDateTime": {"type": "string", "format": "date-time"}
            }},
            "RelatedParty": {"properties": {"id": {"type": "string"}, "@referredType": {"type": "string"}}}
        }})
    }

    #[test]
    fn walks_references_arrays_and_types() {
        let catalog = FieldCatalog::from_swagger(&spec(), "Thing").expect("catalog");
        let start = catalog.resolve("validFor.startDateTime").expect("nested");
        assert_eq!(start.field_type, FieldType::DateTime);
        assert!(!start.crosses_array());
        let party = catalog.resolve("relatedParty.id").expect("array");
        assert!(party.segments[0].is_array);
        assert_eq!(
            catalog.resolve("amount").map(|p| p.field_type),
            Some(FieldType::Number)
        );
        assert_eq!(
            catalog.resolve("active").map(|p| p.field_type),
            Some(FieldType::Boolean)
        );
        assert!(catalog.resolve("parent.id").is_none(), "cycles are cut");
        assert_eq!(
            catalog.resolve("status").map(|p| p.field_type),
            Some(FieldType::String)
        );
        assert!(catalog.resolve("unknown").is_none());
    }

    #[test]
    fn unknown_definition_is_an_error() {
        assert!(FieldCatalog::from_swagger(&spec(), "Nope").is_err());
    }
}
