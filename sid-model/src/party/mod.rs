//! TMF632 parties: individuals, organizations and the sub-types they share.

pub mod individual;
pub mod organization;

use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::attachment::AttachmentRefOrValue;
use crate::extension::{Extensions, Meta};
use crate::time::TimePeriod;

/// A reference to the party in another system.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct ExternalReference {
    /// Type of the external reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_reference_type: Option<String>,
    /// External reference name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A credit rating of a party, given by a credit agency.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct PartyCreditProfile {
    /// Name of the credit agency giving the score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_agency_name: Option<String>,
    /// Type of the credit agency giving the score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_agency_type: Option<String>,
    /// Reference corresponding to the credit rating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating_reference: Option<String>,
    /// A measure of a party’s creditworthiness calculated on the basis of a combination of
    /// factors such as their income and credit history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating_score: Option<i64>,
    /// The period for which the credit rating is valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub valid_for: Option<TimePeriod>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A tax exemption certificate represents a tax exemption granted to a party (individual or
/// organization) by a tax jurisdiction, which may be a city, a state, a country, ...
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct TaxExemptionCertificate {
    /// Unique identifier of the certificate of the tax exemption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The scanned document or a reference to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub attachment: Option<AttachmentRefOrValue>,
    /// The taxes the party is exempted from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_definition: Option<Vec<TaxDefinition>>,
    /// The period for which the exemption is valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub valid_for: Option<TimePeriod>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A reference to a tax definition: a tax levied by an authorized tax jurisdiction.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct TaxDefinition {
    /// Unique identifier of the tax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Tax name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Type of the tax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_type: Option<String>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// The actual type of the target instance, when needed for disambiguation.
    #[serde(
        rename = "@referredType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub referred_type: Option<String>,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

crate::wire::object_only_serde!(
    ExternalReference,
    PartyCreditProfile,
    TaxExemptionCertificate,
    TaxDefinition
);
