//! The official TMF678 v4 specification file, shipped with the crate: it defines the bill's,
//! the rate's and the bill-on-demand's attributes (for filtering) and their OpenAPI schemas.

use std::sync::{Arc, OnceLock};

use serde_json::Value;

/// TMF678 Customer Bill Management v4.0.0.
pub(crate) fn customer_bill() -> Arc<Value> {
    static SPEC: OnceLock<Arc<Value>> = OnceLock::new();
    SPEC.get_or_init(|| {
        // The file is part of the build; a parse failure is a defect caught by every test.
        Arc::new(
            serde_json::from_str(include_str!(
                "../specs/TMF678-CustomerBillManagement-v4.0.0.swagger.json"
            ))
            .unwrap_or(Value::Null),
        )
    })
    .clone()
}
