//! The official TMF621 v4 specification file, shipped with the crate: it defines the
//! ticket's attributes (for filtering), its events and its OpenAPI schemas.

use std::sync::{Arc, OnceLock};

use serde_json::Value;

/// TMF621 Trouble Ticket Management v4.0.0.
pub(crate) fn trouble_ticket() -> Arc<Value> {
    static SPEC: OnceLock<Arc<Value>> = OnceLock::new();
    SPEC.get_or_init(|| {
        // The file is part of the build; a parse failure is a defect caught by every test.
        Arc::new(
            serde_json::from_str(include_str!(
                "../specs/TMF621-TroubleTicket-v4.0.0.swagger.json"
            ))
            .unwrap_or(Value::Null),
        )
    })
    .clone()
}
