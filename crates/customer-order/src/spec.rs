//! The official TMF v4 specification files of this crate's APIs, shipped with the crate:
//! they define the resources' attributes (for filtering) and the OpenAPI schemas.

use std::sync::{Arc, OnceLock};

use serde_json::Value;

fn parse(text: &'static str) -> Arc<Value> {
    // The files are part of the build; a parse failure is a defect caught by every test.
    Arc::new(serde_json::from_str(text).unwrap_or(Value::Null))
}

/// TMF620 Product Catalog Management v4.0.0.
pub(crate) fn catalog() -> Arc<Value> {
    static SPEC: OnceLock<Arc<Value>> = OnceLock::new();
    SPEC.get_or_init(|| {
        parse(include_str!(
            "../specs/TMF620-ProductCatalog-v4.0.0.swagger.json"
        ))
    })
    .clone()
}

/// TMF622 Product Ordering Management v4.0.0.
pub(crate) fn ordering() -> Arc<Value> {
    static SPEC: OnceLock<Arc<Value>> = OnceLock::new();
    SPEC.get_or_init(|| {
        parse(include_str!(
            "../specs/TMF622-ProductOrdering-v4.0.0.swagger.json"
        ))
    })
    .clone()
}

/// TMF637 Product Inventory Management v4.0.0.
pub(crate) fn inventory() -> Arc<Value> {
    static SPEC: OnceLock<Arc<Value>> = OnceLock::new();
    SPEC.get_or_init(|| {
        parse(include_str!(
            "../specs/TMF637-ProductInventory-v4.0.0.swagger.json"
        ))
    })
    .clone()
}
