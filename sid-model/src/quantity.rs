//! Quantities: an amount in a unit.

use crate::extension::Extensions;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use validator::Validate;

/// An amount in a given unit, such as the size of an attachment.
///
/// The amount is an exact decimal carried as a JSON number.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct Quantity {
    /// Numeric value in a given unit.
    #[serde(with = "crate::decimal::option", default)]
    pub amount: Option<Decimal>,
    /// Unit.
    pub units: Option<String>,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

crate::wire::object_only_serde!(Quantity);
