//! TMF632 `Organization` and the sub-types only organizations have.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::attachment::AttachmentRefOrValue;
use crate::characteristic::Characteristic;
use crate::contact::ContactMedium;
use crate::extension::{Extensions, Meta};
use crate::party::{ExternalReference, PartyCreditProfile, TaxExemptionCertificate};
use crate::reference::{OrganizationRef, RelatedParty};
use crate::time::TimePeriod;

/// Organization represents a group of people identified by shared interests or purpose, such as
/// a business, department or enterprise (TMF632).
///
/// `tradingName` is required on creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct Organization {
    /// Unique identifier of the organization, assigned by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Hyperlink to access the organization, assigned by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// If value is true, the organization is the head office.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_head_office: Option<bool>,
    /// If value is true, the organization is a legal entity known by a national referential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_legal_entity: Option<bool>,
    /// Organization name (department name for example).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Type of the name: Co, Inc, Ltd, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_type: Option<String>,
    /// Type of Organization (company, department...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_type: Option<String>,
    /// Name that the organization (unit) trades under.
    #[validate(length(min = 1))]
    pub trading_name: String,
    /// Ways of contacting the party: email, phone, postal address, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub contact_medium: Option<Vec<ContactMedium>>,
    /// Credit ratings given to the organization by credit agencies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub credit_rating: Option<Vec<PartyCreditProfile>>,
    /// The period during which the organization exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub exists_during: Option<TimePeriod>,
    /// References to this party in other systems.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_reference: Option<Vec<ExternalReference>>,
    /// Organizations below this one in a structure of organizations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub organization_child_relationship: Option<Vec<OrganizationChildRelationship>>,
    /// Proofs of identity of the organization: registration numbers, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub organization_identification: Option<Vec<OrganizationIdentification>>,
    /// The organization above this one in a structure of organizations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub organization_parent_relationship: Option<OrganizationParentRelationship>,
    /// Other names of the organization, such as a former name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub other_name: Option<Vec<OtherNameOrganization>>,
    /// Additional characteristics of the party as name/value pairs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub party_characteristic: Option<Vec<Characteristic>>,
    /// Other parties or party roles related to this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub related_party: Option<Vec<RelatedParty>>,
    /// Status of the organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrganizationStateType>,
    /// Tax exemptions granted to the party.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub tax_exemption_certificate: Option<Vec<TaxExemptionCertificate>>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// Valid values for the lifecycle state of the organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrganizationStateType {
    /// `initialized`: recorded, not yet validated.
    #[serde(rename = "initialized")]
    Initialized,
    /// `validated`: the organization has been checked.
    #[serde(rename = "validated")]
    Validated,
    /// `closed`: the organization has ceased to exist.
    #[serde(rename = "closed")]
    Closed,
}

impl OrganizationStateType {
    /// The wire spelling of the organization state.
    pub fn as_str(self) -> &'static str {
        match self {
            OrganizationStateType::Initialized => "initialized",
            OrganizationStateType::Validated => "validated",
            OrganizationStateType::Closed => "closed",
        }
    }
}

impl fmt::Display for OrganizationStateType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Represents our registration of information used as proof of identity by an organization.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct OrganizationIdentification {
    /// Identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identification_id: Option<String>,
    /// Type of identification information used to identify the company in a country or
    /// internationally.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identification_type: Option<String>,
    /// Authority which has issued the identifier (chamber of commerce...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuing_authority: Option<String>,
    /// Date at which the identifier was issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuing_date: Option<DateTime<Utc>>,
    /// The scanned document or a reference to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub attachment: Option<AttachmentRefOrValue>,
    /// The period for which the identification information is valid.
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

/// Child references of an organization in a structure of organizations.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct OrganizationChildRelationship {
    /// Type of the relationship. Could be juridical, hierarchical, geographical, functional for
    /// example.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship_type: Option<String>,
    /// The child organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub organization: Option<OrganizationRef>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// Parent references of an organization in a structure of organizations.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct OrganizationParentRelationship {
    /// Type of the relationship. Could be juridical, hierarchical, geographical, functional for
    /// example.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship_type: Option<String>,
    /// The parent organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub organization: Option<OrganizationRef>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// Keeps track of other names, for example the old name of an organization.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct OtherNameOrganization {
    /// Organization name (department name for example).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Type of the name: Co., Inc., Ltd., Pty Ltd., Plc, GmbH, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_type: Option<String>,
    /// The name that the organization trades under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trading_name: Option<String>,
    /// The period during which this name was used.
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

crate::wire::object_only_serde!(
    Organization,
    OrganizationIdentification,
    OrganizationChildRelationship,
    OrganizationParentRelationship,
    OtherNameOrganization
);
