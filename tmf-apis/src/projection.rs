//! `fields=` projection: a partial representation that always keeps `id`, `href` and `@type`.

use serde_json::{Map, Value};

/// Attributes every partial representation keeps.
const ALWAYS: [&str; 3] = ["id", "href", "@type"];

/// Returns the representation of `document` restricted to `fields` (dotted names select
/// nested attributes; inside lists they select that attribute of every element).
pub fn project(document: &Value, fields: &[String]) -> Value {
    let Value::Object(source) = document else {
        return document.clone();
    };
    let mut out = Map::new();
    for key in ALWAYS {
        if let Some(value) = source.get(key) {
            out.insert(key.to_owned(), value.clone());
        }
    }
    for field in fields {
        let path: Vec<&str> = field.split('.').collect();
        copy_path(source, &mut out, &path);
    }
    Value::Object(out)
}

fn copy_path(source: &Map<String, Value>, target: &mut Map<String, Value>, path: &[&str]) {
    let Some((head, rest)) = path.split_first() else {
        return;
    };
    let Some(value) = source.get(*head) else {
        return;
    };
    if rest.is_empty() {
        target.insert((*head).to_owned(), value.clone());
        return;
    }
    match value {
        Value::Object(inner) => {
            let slot = target
                .entry((*head).to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(slot) = slot {
                copy_path(inner, slot, rest);
            }
        }
        Value::Array(items) => {
            let slot = target
                .entry((*head).to_owned())
                .or_insert_with(|| Value::Array(vec![Value::Object(Map::new()); items.len()]));
            if let Value::Array(slots) = slot {
                for (item, slot) in items.iter().zip(slots.iter_mut()) {
                    if let (Value::Object(item), Value::Object(slot)) = (item, slot) {
                        copy_path(item, slot, rest);
                    }
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_identity_and_selected_fields() {
        let doc = json!({"id": "1", "href": "h", "@type": "Customer", "name": "A", "status": "active",
            "engagedParty": {"id": "p", "name": "P"},
            "contactMedium": [{"mediumType": "email", "preferred": true}, {"mediumType": "phone"}]});
        let projected = project(
            &doc,
            &[
                "name".into(),
                "engagedParty.id".into(),
                "contactMedium.mediumType".into(),
                "missing".into(),
            ],
        );
        assert_eq!(
            projected,
            json!({"id": "1", "href": "h", "@type": "Customer", "name": "A",
                "engagedParty": {"id": "p"},
                "contactMedium": [{"mediumType": "email"}, {"mediumType": "phone"}]})
        );
    }
}
