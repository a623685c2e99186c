//! Contact media: the ways a party can be reached.
//!
//! The v4 specifications disagree on one point: TMF632 makes every property of
//! `ContactMedium` optional, while TMF629 and TMF669 require `mediumType` and
//! `characteristic`. Both forms are kept, each exact for its APIs: [`ContactMedium`] for
//! individuals and organizations, [`PartyRoleContactMedium`] for customers and party roles,
//! with conversions between them. TMF666 uses the TMF632 form for the contacts of an account.

use validator::Validate;

use crate::time::TimePeriod;

crate::wire::wire! {
    /// A contact medium as TMF632 (and TMF666) define it: a way the party can be contacted (all
    /// properties optional).
    #[derive(Default)]
    pub struct ContactMedium {
        /// Type of the contact medium, such as: email address, telephone number, postal address.
        medium_type: Option<String>,
        /// If true, indicates that is the preferred contact medium.
        preferred: Option<bool>,
        /// Any additional characteristic(s) of this contact medium.
        characteristic: Option<MediumCharacteristic>,
        /// The time period that the contact medium is valid for.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }

    /// A contact medium as TMF629 and TMF669 define it: `mediumType` and `characteristic` are
    /// required.
    pub struct PartyRoleContactMedium {
        /// Type of the contact medium, such as: email address, telephone number, postal address.
        #[validate(length(min = 1))]
        medium_type: String,
        /// If true, indicates that is the preferred contact medium.
        preferred: Option<bool>,
        /// Any additional characteristic(s) of this contact medium.
        characteristic: MediumCharacteristic,
        /// The time period that the contact medium is valid for.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }

    /// Describes the contact medium characteristics that could be used to contact a party (an
    /// individual or an organization).
    #[derive(Default)]
    pub struct MediumCharacteristic {
        /// The city.
        city: Option<String>,
        /// The type of contact, for example a phone number such as mobile, fixed home or fixed
        /// office, or a postal address such as a shipping or installation address.
        contact_type: Option<String>,
        /// The country.
        country: Option<String>,
        /// Full email address in standard format.
        email_address: Option<String>,
        /// The fax number of the contact.
        fax_number: Option<String>,
        /// The primary phone number of the contact.
        phone_number: Option<String>,
        /// Postcode.
        post_code: Option<String>,
        /// Identifier as a member of a social network.
        social_network_id: Option<String>,
        /// State or province.
        state_or_province: Option<String>,
        /// Describes the street.
        street1: Option<String>,
        /// Complementary street description.
        street2: Option<String>,
    }
}

/// Why a TMF632 [`ContactMedium`] cannot be used where TMF629 or TMF669 expect one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a party role's contact medium requires `{0}`")]
pub struct MissingContactMediumField(pub &'static str);

impl From<PartyRoleContactMedium> for ContactMedium {
    fn from(medium: PartyRoleContactMedium) -> Self {
        ContactMedium {
            medium_type: Some(medium.medium_type),
            preferred: medium.preferred,
            characteristic: Some(medium.characteristic),
            valid_for: medium.valid_for,
            meta: medium.meta,
            extensions: medium.extensions,
        }
    }
}

impl TryFrom<ContactMedium> for PartyRoleContactMedium {
    type Error = MissingContactMediumField;

    fn try_from(medium: ContactMedium) -> Result<Self, Self::Error> {
        Ok(PartyRoleContactMedium {
            medium_type: medium
                .medium_type
                .ok_or(MissingContactMediumField("mediumType"))?,
            preferred: medium.preferred,
            characteristic: medium
                .characteristic
                .ok_or(MissingContactMediumField("characteristic"))?,
            valid_for: medium.valid_for,
            meta: medium.meta,
            extensions: medium.extensions,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn tmf632_contact_medium_may_omit_everything() {
        let medium: ContactMedium = serde_json::from_value(json!({})).expect("all optional");
        assert_eq!(medium.medium_type, None);
        assert_eq!(serde_json::to_value(&medium).expect("serialise"), json!({}));
    }

    #[test]
    fn party_role_contact_medium_requires_type_and_characteristic() {
        assert!(
            serde_json::from_value::<PartyRoleContactMedium>(json!({"mediumType": "email"}))
                .is_err()
        );
        assert!(
            serde_json::from_value::<PartyRoleContactMedium>(json!({"characteristic": {}}))
                .is_err()
        );
        let medium: PartyRoleContactMedium = serde_json::from_value(json!({
            "mediumType": "email",
            "characteristic": {"emailAddress": "jane@example.com"}
        }))
        .expect("both present");
        assert_eq!(
            medium.characteristic.email_address.as_deref(),
            Some("jane@example.com")
        );
    }

    #[test]
    fn the_two_forms_convert_when_the_required_properties_are_present() {
        let wire = json!({
            "mediumType": "email",
            "preferred": true,
            "characteristic": {"emailAddress": "jane@example.com"},
            "validFor": {"startDateTime": "2024-01-01T00:00:00Z"},
            "@type": "ContactMedium"
        });
        let role: PartyRoleContactMedium = serde_json::from_value(wire.clone()).expect("role form");
        let party = ContactMedium::from(role.clone());
        assert_eq!(serde_json::to_value(&party).expect("serialise"), wire);
        assert_eq!(PartyRoleContactMedium::try_from(party), Ok(role));

        let no_type = ContactMedium {
            characteristic: Some(MediumCharacteristic::default()),
            ..ContactMedium::default()
        };
        assert_eq!(
            PartyRoleContactMedium::try_from(no_type),
            Err(MissingContactMediumField("mediumType"))
        );
    }
}
