//! The official TMF v4 specification files of this crate's APIs, shipped with the crate:
//! they define the resources' attributes (for filtering) and the OpenAPI schemas.

use std::sync::{Arc, OnceLock};

use serde_json::Value;

fn parse(text: &'static str) -> Arc<Value> {
    // The files are part of the build; a parse failure is a defect caught by every test.
    Arc::new(serde_json::from_str(text).unwrap_or(Value::Null))
}

/// TMF632 Party Management v4.0.0.
pub(crate) fn party() -> Arc<Value> {
    static SPEC: OnceLock<Arc<Value>> = OnceLock::new();
    SPEC.get_or_init(|| {
        parse(include_str!(
            "../specs/TMF632-PartyManagement-v4.0.0.swagger.json"
        ))
    })
    .clone()
}

/// TMF629 Customer Management v4.0.0.
pub(crate) fn customer() -> Arc<Value> {
    static SPEC: OnceLock<Arc<Value>> = OnceLock::new();
    SPEC.get_or_init(|| {
        parse(include_str!(
            "../specs/TMF629-CustomerManagement-v4.0.0.swagger.json"
        ))
    })
    .clone()
}

/// TMF669 Party Role Management v4.0.0.
pub(crate) fn party_role() -> Arc<Value> {
    static SPEC: OnceLock<Arc<Value>> = OnceLock::new();
    SPEC.get_or_init(|| {
        parse(include_str!(
            "../specs/TMF669-PartyRoleManagement-v4.0.0.swagger.json"
        ))
    })
    .clone()
}

/// TMF666 Account Management v4.0.0.
pub(crate) fn account() -> Arc<Value> {
    static SPEC: OnceLock<Arc<Value>> = OnceLock::new();
    SPEC.get_or_init(|| {
        parse(include_str!(
            "../specs/TMF666-AccountManagement-v4.0.0.swagger.json"
        ))
    })
    .clone()
}

/// TMF683 Party Interaction v4.0.0.
pub(crate) fn interaction() -> Arc<Value> {
    static SPEC: OnceLock<Arc<Value>> = OnceLock::new();
    SPEC.get_or_init(|| {
        parse(include_str!(
            "../specs/TMF683-PartyInteraction-v4.0.0.swagger.json"
        ))
    })
    .clone()
}
