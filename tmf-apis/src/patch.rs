//! Partial updates: RFC 7386 merge patch (`application/merge-patch+json`, and plain
//! `application/json` as TMF630 says) and RFC 6902 JSON Patch (`application/json-patch+json`).

use serde_json::Value;

use crate::error::{ErrorCode, TmfError, TmfResult};

/// A parsed patch document.
#[derive(Debug, Clone, PartialEq)]
pub enum PatchDocument {
    /// RFC 7386 merge patch.
    Merge(Value),
    /// RFC 6902 JSON Patch.
    Json(json_patch::Patch),
}

impl PatchDocument {
    /// A patch that replaces the whole document with `document`.
    pub fn replacement(document: Value) -> Self {
        Self::Json(json_patch::Patch(vec![
            json_patch::PatchOperation::Replace(json_patch::ReplaceOperation {
                path: json_patch::jsonptr::PointerBuf::new(),
                value: document,
            }),
        ]))
    }

    /// Reads a patch body according to its media type (without parameters such as `charset`).
    pub fn parse(media_type: &str, body: &[u8]) -> TmfResult<Self> {
        match media_type {
            "application/json" | "application/merge-patch+json" => {
                let value: Value = crate::body::parse_json(body)?;
                if !value.is_object() {
                    return Err(TmfError::invalid_body(
                        "a merge patch must be a JSON object",
                    ));
                }
                Ok(Self::Merge(value))
            }
            "application/json-patch+json" => {
                let value: Value = crate::body::parse_json(body)?;
                let patch: json_patch::Patch = serde_json::from_value(value).map_err(|e| {
                    TmfError::invalid_body(format!("not a JSON Patch document: {e}"))
                })?;
                Ok(Self::Json(patch))
            }
            other => Err(TmfError::new(
                ErrorCode::UnsupportedMediaType,
                format!(
                    "PATCH accepts application/merge-patch+json, application/json-patch+json or application/json, not '{other}'"
                ),
            )),
        }
    }

    /// Applies the patch to `document`. `id` may not change; `href` is derived, so a
    /// value sent for it is dropped.
    pub fn apply(&self, document: &mut Value) -> TmfResult<()> {
        let id = document.get("id").cloned();
        match self {
            Self::Merge(patch) => json_patch::merge(document, patch),
            Self::Json(patch) => json_patch::patch(document, patch).map_err(|e| {
                TmfError::new(
                    ErrorCode::InvalidValue,
                    format!("the JSON Patch cannot be applied: {e}"),
                )
            })?,
        }
        if document.get("id") != id.as_ref() {
            return Err(TmfError::invalid_body("'id' cannot be changed"));
        }
        if let Value::Object(map) = document {
            map.remove("href");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_sets_and_removes() {
        let patch = PatchDocument::parse(
            "application/merge-patch+json",
            br#"{"name":"B","status":null}"#,
        )
        .expect("parses");
        let mut doc = json!({"id": "1", "name": "A", "status": "active"});
        patch.apply(&mut doc).expect("applies");
        assert_eq!(doc, json!({"id": "1", "name": "B"}));
    }

    #[test]
    fn json_patch_operations() {
        let patch = PatchDocument::parse(
            "application/json-patch+json",
            br#"[{"op":"replace","path":"/name","value":"B"},{"op":"add","path":"/tags/-","value":"x"}]"#,
        )
        .expect("parses");
        let mut doc = json!({"id": "1", "name": "A", "tags": []});
        patch.apply(&mut doc).expect("applies");
        assert_eq!(doc, json!({"id": "1", "name": "B", "tags": ["x"]}));
    }

    #[test]
    fn refusals() {
        let mut doc = json!({"id": "1"});
        let change_id = PatchDocument::parse("application/json", br#"{"id":"2"}"#).expect("parses");
        assert!(change_id.apply(&mut doc).is_err());
        let failing_test = PatchDocument::parse(
            "application/json-patch+json",
            br#"[{"op":"test","path":"/id","value":"9"}]"#,
        )
        .expect("parses");
        assert!(failing_test.apply(&mut json!({"id": "1"})).is_err());
        assert!(PatchDocument::parse("application/json-patch+json", br#"{"op":"x"}"#).is_err());
        assert!(PatchDocument::parse("application/json", br#"[1]"#).is_err());
        assert!(PatchDocument::parse("text/plain", b"x").is_err());
    }
}
