//! The contract of TMF658 as served: the v4 file with its defects adapted
//! (`specs/TMF658-LoyaltyManagement-v4-adapted.swagger.json`; every adaptation is in
//! `docs/tmf658-adaptation.md`), shipped with the crate: it defines the attributes (for
//! filtering) and the OpenAPI schemas.

use std::sync::{Arc, OnceLock};

use serde_json::Value;

/// TMF658 Loyalty Management v4, adapted.
pub(crate) fn loyalty() -> Arc<Value> {
    static SPEC: OnceLock<Arc<Value>> = OnceLock::new();
    SPEC.get_or_init(|| {
        // The file is part of the build; a parse failure is a defect caught by every test.
        Arc::new(
            serde_json::from_str(include_str!(
                "../specs/TMF658-LoyaltyManagement-v4-adapted.swagger.json"
            ))
            .unwrap_or(Value::Null),
        )
    })
    .clone()
}

/// The `loyaltyBurn` extension.
pub(crate) fn burn() -> Arc<Value> {
    static SPEC: OnceLock<Arc<Value>> = OnceLock::new();
    SPEC.get_or_init(|| {
        Arc::new(
            serde_json::from_str(include_str!("../specs/LoyaltyBurn-extension.swagger.json"))
                .unwrap_or(Value::Null),
        )
    })
    .clone()
}
