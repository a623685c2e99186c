//! TMF632 `Individual` and the sub-types only individuals have.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::attachment::AttachmentRefOrValue;
use crate::characteristic::Characteristic;
use crate::contact::ContactMedium;
use crate::extension::{Extensions, Meta};
use crate::party::{ExternalReference, PartyCreditProfile, TaxExemptionCertificate};
use crate::reference::RelatedParty;
use crate::time::TimePeriod;

/// Individual represents a single human being (a man, woman or child): a customer, an employee
/// or any other person the organization needs to store information about (TMF632).
///
/// `givenName` and `familyName` are required on creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct Individual {
    /// Unique identifier of the individual, assigned by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Hyperlink to access the individual, assigned by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Aristocratic title, e.g. Baron, Graf, Earl.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aristocratic_title: Option<String>,
    /// Birth date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<DateTime<Utc>>,
    /// Country where the individual was born.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_of_birth: Option<String>,
    /// Date of death.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub death_date: Option<DateTime<Utc>>,
    /// Contains the non-chosen or inherited name. Also known as last name in the Western
    /// context.
    #[validate(length(min = 1))]
    pub family_name: String,
    /// Family name prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name_prefix: Option<String>,
    /// A fully formatted name in one string with all of its pieces in their proper place and
    /// all of the necessary punctuation. Useful for specific contexts (Chinese, Japanese,
    /// Korean,…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted_name: Option<String>,
    /// Full name flatten (first, middle, and last names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// Gender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    /// Generation, e.g. Sr, Jr, III (the third).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<String>,
    /// First name of the individual.
    #[validate(length(min = 1))]
    pub given_name: String,
    /// Legal name or birth name (name one has for official purposes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_name: Option<String>,
    /// Temporary current location of the individual (if the individual has approved its
    /// sharing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Marital status (married, divorced, widow ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marital_status: Option<String>,
    /// Middle name or initial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Nationality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// Reference to the place where the individual was born.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place_of_birth: Option<String>,
    /// Contains the chosen name by which the individual prefers to be addressed. Note: This
    /// name may be a name other than a given name, such as a nickname.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_given_name: Option<String>,
    /// Title (aristocratic, social, ...), e.g. Pr, Dr, Sir.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Ways of contacting the party: email, phone, postal address, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub contact_medium: Option<Vec<ContactMedium>>,
    /// Credit ratings given to the individual by credit agencies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub credit_rating: Option<Vec<PartyCreditProfile>>,
    /// Disabilities of the individual.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub disability: Option<Vec<Disability>>,
    /// References to this party in other systems.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_reference: Option<Vec<ExternalReference>>,
    /// Proofs of identity: passport, identity card, driving licence, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub individual_identification: Option<Vec<IndividualIdentification>>,
    /// Languages the individual understands or speaks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub language_ability: Option<Vec<LanguageAbility>>,
    /// Other names of the individual, such as a maiden or artist name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub other_name: Option<Vec<OtherNameIndividual>>,
    /// Additional characteristics of the party as name/value pairs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub party_characteristic: Option<Vec<Characteristic>>,
    /// Other parties or party roles related to this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub related_party: Option<Vec<RelatedParty>>,
    /// Skills evaluated for the individual.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub skill: Option<Vec<Skill>>,
    /// Status of the individual.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<IndividualStateType>,
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

/// Valid values for the lifecycle state of the individual.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IndividualStateType {
    /// `initialized`: recorded, not yet validated.
    #[serde(rename = "initialized")]
    Initialized,
    /// `validated`: the identity has been checked.
    #[serde(rename = "validated")]
    Validated,
    /// `deceaded`: the individual has died (the specification spells it so).
    #[serde(rename = "deceaded")]
    Deceaded,
}

impl IndividualStateType {
    /// The wire spelling of the individual state.
    pub fn as_str(self) -> &'static str {
        match self {
            IndividualStateType::Initialized => "initialized",
            IndividualStateType::Validated => "validated",
            IndividualStateType::Deceaded => "deceaded",
        }
    }
}

impl fmt::Display for IndividualStateType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lack or inadequate strength or ability.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct Disability {
    /// Code of the disability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disability_code: Option<String>,
    /// Name of the disability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disability_name: Option<String>,
    /// The period during which the disability applies.
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

/// Represents our registration of information used as proof of identity by an individual
/// (passport, national identity card, drivers license, social security number, birth
/// certificate).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct IndividualIdentification {
    /// Identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identification_id: Option<String>,
    /// Identification type (passport, national identity card, drivers license, social security
    /// number, birth certificate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identification_type: Option<String>,
    /// Authority which has issued the identifier, such as: social security, town hall.
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

/// Ability of an individual to understand or converse in a language.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct LanguageAbility {
    /// A “true” value specifies whether the language is considered by the individual as his
    /// favourite one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_favourite_language: Option<bool>,
    /// Language code (RFC 5646).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_code: Option<String>,
    /// Language name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_name: Option<String>,
    /// Listening proficiency evaluated for this language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listening_proficiency: Option<String>,
    /// Reading proficiency evaluated for this language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading_proficiency: Option<String>,
    /// Speaking proficiency evaluated for this language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaking_proficiency: Option<String>,
    /// Writing proficiency evaluated for this language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writing_proficiency: Option<String>,
    /// The period for which this language ability is valid.
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

/// Keeps track of other names, for example the old name of a woman before marriage or an artist
/// name.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct OtherNameIndividual {
    /// Aristocratic title, e.g. Baron, Graf, Earl.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aristocratic_title: Option<String>,
    /// Contains the non-chosen or inherited name. Also known as last name in the Western
    /// context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Family name prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name_prefix: Option<String>,
    /// A fully formatted name in one string with all of its pieces in their proper place and
    /// all of the necessary punctuation. Useful for specific contexts (Chinese, Japanese,
    /// Korean,…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted_name: Option<String>,
    /// Full name flatten (first, middle, and last names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// Generation, e.g. Sr, Jr, III (the third).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<String>,
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Legal name or birth name (name one has for official purposes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_name: Option<String>,
    /// Middle name or initial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Contains the chosen name by which the person prefers to be addressed. Note: This name
    /// may be a name other than a given name, such as a nickname.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_given_name: Option<String>,
    /// Title (aristocratic, social, ...), e.g. Pr, Dr, Sir.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
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

/// Skills evaluated for an individual with a level and possibly with a limited validity when an
/// obsolescence is defined (Ex: the first-aid certificate first level is limited to one year
/// and an update training is required each year to keep the level).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct Skill {
    /// A free text comment linked to the evaluation done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Level of expertise in a skill evaluated for an individual.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluated_level: Option<String>,
    /// Code of the skill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skill_code: Option<String>,
    /// Name of the skill, such as Java language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skill_name: Option<String>,
    /// The period for which the skill evaluation is valid.
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
    Individual,
    Disability,
    IndividualIdentification,
    LanguageAbility,
    OtherNameIndividual,
    Skill
);
