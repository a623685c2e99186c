//! The contract of TMF623 as served: the v2.0 definitions brought to the v4 conventions
//! (`specs/TMF623-SLAManagement-v4-adapted.swagger.json`; every adaptation is in
//! `docs/tmf623-adaptation.md`), shipped with the crate: it defines the SLA's and the
//! violation's attributes (for filtering) and their OpenAPI schemas.

use std::sync::{Arc, OnceLock};

use serde_json::Value;

/// TMF623 SLA Management v2.0, adapted to v4.
pub(crate) fn sla_management() -> Arc<Value> {
    static SPEC: OnceLock<Arc<Value>> = OnceLock::new();
    SPEC.get_or_init(|| {
        // The file is part of the build; a parse failure is a defect caught by every test.
        Arc::new(
            serde_json::from_str(include_str!(
                "../specs/TMF623-SLAManagement-v4-adapted.swagger.json"
            ))
            .unwrap_or(Value::Null),
        )
    })
    .clone()
}
