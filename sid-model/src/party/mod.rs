//! TMF632 parties: individuals, organizations and the sub-types they share.
//!
//! `Individual` and `Organization` are declared here together, each with its own properties
//! and those that TMF632 defines for both; [`individual`] and [`organization`] hold the
//! sub-types only one of them has.

pub mod individual;
pub mod organization;

use chrono::{DateTime, Utc};
use validator::Validate;

use crate::attachment::AttachmentRefOrValue;
use crate::characteristic::Characteristic;
use crate::contact::ContactMedium;
use crate::reference::RelatedParty;
use crate::time::TimePeriod;
use individual::{Disability, IndividualStateType, LanguageAbility, OtherNameIndividual, Skill};
use organization::{
    OrganizationChildRelationship, OrganizationParentRelationship, OrganizationStateType,
    OtherNameOrganization,
};

crate::wire::alike! {
    /// Individual represents a single human being (a man, woman or child): a customer, an employee
    /// or any other person the organization needs to store information about (TMF632).
    ///
    /// `givenName` and `familyName` are required on creation.
    pub struct Individual {
        /// Aristocratic title, e.g. Baron, Graf, Earl.
        aristocratic_title: Option<String>,
        /// Birth date.
        birth_date: Option<DateTime<Utc>>,
        /// Country where the individual was born.
        country_of_birth: Option<String>,
        /// Date of death.
        death_date: Option<DateTime<Utc>>,
        /// Contains the non-chosen or inherited name. Also known as last name in the Western
        /// context.
        family_name: String,
        /// Family name prefix.
        family_name_prefix: Option<String>,
        /// A fully formatted name in one string with all of its pieces in their proper place and
        /// all of the necessary punctuation. Useful for specific contexts (Chinese, Japanese,
        /// Korean,…).
        formatted_name: Option<String>,
        /// Full name flatten (first, middle, and last names).
        full_name: Option<String>,
        /// Gender.
        gender: Option<String>,
        /// Generation, e.g. Sr, Jr, III (the third).
        generation: Option<String>,
        /// First name of the individual.
        given_name: String,
        /// Legal name or birth name (name one has for official purposes).
        legal_name: Option<String>,
        /// Temporary current location of the individual (if the individual has approved its
        /// sharing).
        location: Option<String>,
        /// Marital status (married, divorced, widow ...).
        marital_status: Option<String>,
        /// Middle name or initial.
        middle_name: Option<String>,
        /// Nationality.
        nationality: Option<String>,
        /// Reference to the place where the individual was born.
        place_of_birth: Option<String>,
        /// Contains the chosen name by which the individual prefers to be addressed. Note: This
        /// name may be a name other than a given name, such as a nickname.
        preferred_given_name: Option<String>,
        /// Title (aristocratic, social, ...), e.g. Pr, Dr, Sir.
        title: Option<String>,
        /// Disabilities of the individual.
        #[validate(nested)]
        disability: Option<Vec<Disability>>,
        /// Proofs of identity: passport, identity card, driving licence, ...
        #[validate(nested)]
        individual_identification: Option<Vec<IndividualIdentification>>,
        /// Languages the individual understands or speaks.
        #[validate(nested)]
        language_ability: Option<Vec<LanguageAbility>>,
        /// Other names of the individual, such as a maiden or artist name.
        #[validate(nested)]
        other_name: Option<Vec<OtherNameIndividual>>,
        /// Skills evaluated for the individual.
        #[validate(nested)]
        skill: Option<Vec<Skill>>,
        /// Status of the individual.
        status: Option<IndividualStateType>,
    };

    /// Organization represents a group of people identified by shared interests or purpose, such as
    /// a business, department or enterprise (TMF632).
    ///
    /// `tradingName` is required on creation.
    pub struct Organization {
        /// If value is true, the organization is the head office.
        is_head_office: Option<bool>,
        /// If value is true, the organization is a legal entity known by a national referential.
        is_legal_entity: Option<bool>,
        /// Organization name (department name for example).
        name: Option<String>,
        /// Type of the name: Co, Inc, Ltd, ...
        name_type: Option<String>,
        /// Type of Organization (company, department...).
        organization_type: Option<String>,
        /// Name that the organization (unit) trades under.
        trading_name: String,
        /// The period during which the organization exists.
        #[validate(nested)]
        exists_during: Option<TimePeriod>,
        /// Organizations below this one in a structure of organizations.
        #[validate(nested)]
        organization_child_relationship: Option<Vec<OrganizationChildRelationship>>,
        /// Proofs of identity of the organization: registration numbers, ...
        #[validate(nested)]
        organization_identification: Option<Vec<OrganizationIdentification>>,
        /// The organization above this one in a structure of organizations.
        #[validate(nested)]
        organization_parent_relationship: Option<OrganizationParentRelationship>,
        /// Other names of the organization, such as a former name.
        #[validate(nested)]
        other_name: Option<Vec<OtherNameOrganization>>,
        /// Status of the organization.
        status: Option<OrganizationStateType>,
    };

    fields {
        /// Unique identifier of the party, assigned by the server.
        id: Option<String>,
        /// Hyperlink to access the party, assigned by the server.
        href: Option<String>,
        /// Ways of contacting the party: email, phone, postal address, ...
        #[validate(nested)]
        contact_medium: Option<Vec<ContactMedium>>,
        /// Credit ratings given to the party by credit agencies.
        #[validate(nested)]
        credit_rating: Option<Vec<PartyCreditProfile>>,
        /// References to this party in other systems.
        external_reference: Option<Vec<ExternalReference>>,
        /// Additional characteristics of the party as name/value pairs.
        #[validate(nested)]
        party_characteristic: Option<Vec<Characteristic>>,
        /// Other parties or party roles related to this one.
        #[validate(nested)]
        related_party: Option<Vec<RelatedParty>>,
        /// Tax exemptions granted to the party.
        #[validate(nested)]
        tax_exemption_certificate: Option<Vec<TaxExemptionCertificate>>,
    }
}

crate::wire::alike! {
    /// Represents our registration of information used as proof of identity by an individual
    /// (passport, national identity card, drivers license, social security number, birth
    /// certificate).
    #[derive(Default)]
    pub struct IndividualIdentification;

    /// Represents our registration of information used as proof of identity by an organization.
    #[derive(Default)]
    pub struct OrganizationIdentification;

    fields {
        /// Identifier.
        identification_id: Option<String>,
        /// Identification type: passport, national identity card, drivers license, social security
        /// number or birth certificate for an individual; the type of information used to identify
        /// a company in a country or internationally for an organization.
        identification_type: Option<String>,
        /// Authority which has issued the identifier, such as: social security, town hall, chamber
        /// of commerce.
        issuing_authority: Option<String>,
        /// Date at which the identifier was issued.
        issuing_date: Option<DateTime<Utc>>,
        /// The scanned document or a reference to it.
        #[validate(nested)]
        attachment: Option<AttachmentRefOrValue>,
        /// The period for which the identification information is valid.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }
}

crate::wire::wire! {
    /// A reference to the party in another system.
    #[derive(Default)]
    pub struct ExternalReference {
        /// Type of the external reference.
        external_reference_type: Option<String>,
        /// External reference name.
        name: Option<String>,
    }

    /// A credit rating of a party, given by a credit agency.
    #[derive(Default)]
    pub struct PartyCreditProfile {
        /// Name of the credit agency giving the score.
        credit_agency_name: Option<String>,
        /// Type of the credit agency giving the score.
        credit_agency_type: Option<String>,
        /// Reference corresponding to the credit rating.
        rating_reference: Option<String>,
        /// A measure of a party’s creditworthiness calculated on the basis of a combination of
        /// factors such as their income and credit history.
        rating_score: Option<i64>,
        /// The period for which the credit rating is valid.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }

    /// A tax exemption certificate represents a tax exemption granted to a party (individual or
    /// organization) by a tax jurisdiction, which may be a city, a state, a country, ...
    #[derive(Default)]
    pub struct TaxExemptionCertificate {
        /// Unique identifier of the certificate of the tax exemption.
        id: Option<String>,
        /// The scanned document or a reference to it.
        #[validate(nested)]
        attachment: Option<AttachmentRefOrValue>,
        /// The taxes the party is exempted from.
        tax_definition: Option<Vec<TaxDefinition>>,
        /// The period for which the exemption is valid.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }

    /// A reference to a tax definition: a tax levied by an authorized tax jurisdiction.
    #[derive(Default)]
    pub struct TaxDefinition @referredType {
        /// Unique identifier of the tax.
        id: Option<String>,
        /// Tax name.
        name: Option<String>,
        /// Type of the tax.
        tax_type: Option<String>,
    }
}
