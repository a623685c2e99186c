//! Contact media checked and normalised at the edge: e-mail syntax, phone and fax numbers
//! in E.164, postal addresses with a country, one preferred medium per type.

use sid_model::{ContactMedium, MediumCharacteristic, PartyRoleContactMedium};
use validator::ValidateEmail;

use crate::error::{ContactError, ContactProblem};

/// The stored form's extension marker (RFC 3966's `ext` parameter): `+19735550100;ext=12`.
const EXTENSION: &str = ";ext=";

/// Numbers Ofcom reserves for drama and documentation, which libphonenumber's metadata
/// does not count as valid: country code and the first digits of the 10-digit national
/// number (07700 900000–900999 and 01632 960000–960999). They are accepted, so that
/// examples and test data can use numbers that reach nobody.
const RESERVED_FOR_FICTION: [(u16, &str); 2] = [(44, "7700900"), (44, "1632960")];

/// Reads a phone number as a person writes it in international form — `+44 20 7946 0000`,
/// `0044 (20) 7946-0000`, `+44 (0) 7700 900789`, `+33 (0)1 42 68 53 00`, `+1.973.555.0100
/// ext. 12` — and returns its stored form: E.164 (`+442079460000`), then `;ext=` and the
/// extension's digits when one is given (`+19735550100;ext=12`, RFC 3966's parameter). The
/// national trunk prefix some write after the country code (`(0)`, or a bare `0`) is dropped
/// when the number is not valid with it. The number must be a valid one of its country
/// (phonenumber's metadata: `+44 12` is not), else a refusal naming `path`. A stored form
/// reads back as itself.
pub fn e164(path: &str, raw: &str) -> Result<String, ContactError> {
    let trimmed = raw.trim();
    let (written, stored_extension) = match find_ignoring_case(trimmed, EXTENSION) {
        Some(at) => {
            let extension = &trimmed[at + EXTENSION.len()..];
            if extension.is_empty()
                || extension.len() > 20
                || !extension.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(ContactError::new(
                    path,
                    ContactProblem::BadExtension {
                        number: trimmed.to_owned(),
                    },
                ));
            }
            (&trimmed[..at], Some(extension.to_owned()))
        }
        None => (trimmed, None),
    };
    let international = match written.strip_prefix("00") {
        Some(rest) => format!("+{rest}"),
        None => written.to_owned(),
    };
    if !international.starts_with('+') {
        return Err(ContactError::new(
            path,
            ContactProblem::NotInternational {
                number: trimmed.to_owned(),
            },
        ));
    }
    let not_a_number = || {
        ContactError::new(
            path,
            ContactProblem::NotAPhoneNumber {
                number: trimmed.to_owned(),
            },
        )
    };
    let mut number = phonenumber::parse(None, &international).map_err(|_| not_a_number())?;
    let extension = stored_extension.or_else(|| number.extension().map(|e| e.to_string()));
    if !acceptable(&number) {
        // `+44 (0) 7700 900789`: the trunk prefix is not part of the number. phonenumber
        // drops it only where the rest is a valid number, so drop it here for the others.
        let code = number.code().value();
        let national = number.national().to_string();
        let prefix = phonenumber::metadata::DATABASE
            .by_code(&code)
            .and_then(|all| all.into_iter().find_map(|meta| meta.national_prefix()))
            .unwrap_or("0")
            .to_owned();
        let without = national
            .strip_prefix(prefix.as_str())
            .filter(|rest| !rest.is_empty())
            .and_then(|rest| phonenumber::parse(None, format!("+{code}{rest}")).ok())
            .filter(acceptable);
        number = without.ok_or_else(|| {
            ContactError::new(
                path,
                ContactProblem::NotOfItsCountry {
                    number: trimmed.to_owned(),
                    code,
                },
            )
        })?;
    }
    let mut stored = number.format().mode(phonenumber::Mode::E164).to_string();
    if let Some(extension) = extension.filter(|e| !e.is_empty()) {
        stored.push_str(EXTENSION);
        stored.push_str(&extension);
    }
    Ok(stored)
}

/// Whether a parsed number may be stored: valid by phonenumber's metadata, or in a range
/// reserved for fiction.
fn acceptable(number: &phonenumber::PhoneNumber) -> bool {
    if number.is_valid() {
        return true;
    }
    let national = number.national().to_string();
    national.len() == 10
        && RESERVED_FOR_FICTION
            .iter()
            .any(|(code, start)| number.code().value() == *code && national.starts_with(start))
}

/// Where `needle` (ASCII) starts in `text`, ignoring ASCII case.
fn find_ignoring_case(text: &str, needle: &str) -> Option<usize> {
    text.to_ascii_lowercase().find(needle)
}

/// The search keys of a stored phone number: the number itself and, when it has an
/// extension, the number without it too (a search for the main number finds everyone
/// reached through it; a search naming the extension finds that extension).
pub fn phone_keys(stored: &str) -> Vec<String> {
    let mut keys = vec![stored.to_owned()];
    if let Some(at) = find_ignoring_case(stored, EXTENSION) {
        keys.push(stored[..at].to_owned());
    }
    keys
}

/// Checks an e-mail address and lower-cases its domain.
pub fn email(path: &str, raw: &str) -> Result<String, ContactError> {
    let trimmed = raw.trim();
    if !trimmed.validate_email() {
        return Err(ContactError::new(
            path,
            ContactProblem::NotAnEmail {
                address: trimmed.to_owned(),
            },
        ));
    }
    Ok(match trimmed.rsplit_once('@') {
        Some((local, domain)) => format!("{local}@{}", domain.to_ascii_lowercase()),
        None => trimmed.to_owned(),
    })
}

fn characteristic(path: &str, c: &mut MediumCharacteristic) -> Result<(), ContactError> {
    if let Some(address) = c.email_address.as_deref() {
        c.email_address = Some(email(&format!("{path}.emailAddress"), address)?);
    }
    if let Some(number) = c.phone_number.as_deref() {
        c.phone_number = Some(e164(&format!("{path}.phoneNumber"), number)?);
    }
    if let Some(number) = c.fax_number.as_deref() {
        c.fax_number = Some(e164(&format!("{path}.faxNumber"), number)?);
    }
    let postal = [
        &c.street1,
        &c.street2,
        &c.city,
        &c.post_code,
        &c.state_or_province,
    ]
    .iter()
    .any(|part| part.as_deref().is_some_and(|v| !v.trim().is_empty()));
    if postal && c.country.as_deref().is_none_or(|v| v.trim().is_empty()) {
        return Err(ContactError::new(
            format!("{path}.country"),
            ContactProblem::PostalWithoutCountry,
        ));
    }
    Ok(())
}

fn one_preferred_per_type<'a>(
    media: impl Iterator<Item = (Option<&'a str>, Option<bool>)>,
) -> Result<(), ContactError> {
    let mut seen: Vec<String> = Vec::new();
    for (i, (medium_type, preferred)) in media.enumerate() {
        if preferred != Some(true) {
            continue;
        }
        let key = medium_type.unwrap_or_default().to_ascii_lowercase();
        if seen.contains(&key) {
            return Err(ContactError::new(
                format!("contactMedium[{i}].preferred"),
                ContactProblem::SecondPreferred { medium_type: key },
            ));
        }
        seen.push(key);
    }
    Ok(())
}

/// Checks and normalises the contact media of an individual or organization.
pub fn party_media(media: Option<&mut Vec<ContactMedium>>) -> Result<(), ContactError> {
    let Some(media) = media else {
        return Ok(());
    };
    for (i, medium) in media.iter_mut().enumerate() {
        if let Some(c) = medium.characteristic.as_mut() {
            characteristic(&format!("contactMedium[{i}].characteristic"), c)?;
        }
    }
    one_preferred_per_type(
        media
            .iter()
            .map(|m| (m.medium_type.as_deref(), m.preferred)),
    )
}

/// Checks and normalises the contact media of a customer or party role.
pub fn role_media(media: Option<&mut Vec<PartyRoleContactMedium>>) -> Result<(), ContactError> {
    let Some(media) = media else {
        return Ok(());
    };
    for (i, medium) in media.iter_mut().enumerate() {
        characteristic(
            &format!("contactMedium[{i}].characteristic"),
            &mut medium.characteristic,
        )?;
    }
    one_preferred_per_type(
        media
            .iter()
            .map(|m| (Some(m.medium_type.as_str()), m.preferred)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_become_e164() {
        assert_eq!(e164("p", "+44 20 7946 0000").expect("uk"), "+442079460000");
        assert_eq!(e164("p", "0049 (30) 901820").expect("de"), "+4930901820");
        assert_eq!(e164("p", " +1-212-555-0100 ").expect("us"), "+12125550100");
        assert!(
            e164("p", "020 7946 0000").is_err(),
            "national form is ambiguous"
        );
        assert!(e164("p", "+hello").is_err());
    }

    #[test]
    fn trunk_prefixes_are_dropped_and_extensions_kept() {
        for (written, stored) in [
            ("+44 (0) 7700 900789", "+447700900789"),
            ("+44 07700 900789", "+447700900789"),
            ("+44 (0)20 7946 0000", "+442079460000"),
            ("+44 (020) 7946 0000", "+442079460000"),
            ("+49 (0)30 901820", "+4930901820"),
            ("+33 (0)1 42 68 53 00", "+33142685300"),
            ("+81 (0)3-1234-5678", "+81312345678"),
            ("+39 06 1234 5678", "+390612345678"),
            ("+1 973 555 0100 ext. 12", "+19735550100;ext=12"),
            ("+1 (973) 555-0100 x12", "+19735550100;ext=12"),
            ("+19735550100;ext=12", "+19735550100;ext=12"),
            ("+19735550100;EXT=12", "+19735550100;ext=12"),
        ] {
            assert_eq!(e164("p", written).expect(written), stored, "{written}");
            assert_eq!(
                e164("p", stored).expect(stored),
                stored,
                "{stored} reads back"
            );
        }
        for impossible in [
            "+44 12",
            "+44 (0) 12",
            "+1 555 0100",
            "+33 1 23",
            "+19735550100;ext=",
            "+19735550100;ext=1a",
        ] {
            let error: tmf_apis::TmfError = crate::error::InformationError::from(
                e164("contactMedium[0].characteristic.phoneNumber", impossible)
                    .expect_err(impossible),
            )
            .into();
            assert_eq!(error.code, tmf_apis::ErrorCode::InvalidValue);
            assert!(
                error
                    .message
                    .contains("contactMedium[0].characteristic.phoneNumber"),
                "{}",
                error.message
            );
        }
        assert_eq!(
            phone_keys("+19735550100;ext=12"),
            ["+19735550100;ext=12", "+19735550100"]
        );
        assert_eq!(phone_keys("+442079460000"), ["+442079460000"]);
    }

    #[test]
    fn emails_are_checked() {
        assert_eq!(
            email("e", " Ann@Example.COM ").expect("ok"),
            "Ann@example.com"
        );
        assert!(email("e", "not-an-email").is_err());
        assert!(email("e", "a@").is_err());
    }

    #[test]
    fn postal_addresses_need_a_country_and_one_preferred_per_type() {
        let mut media = vec![ContactMedium {
            medium_type: Some("postalAddress".into()),
            characteristic: Some(MediumCharacteristic {
                city: Some("Reading".into()),
                ..MediumCharacteristic::default()
            }),
            ..ContactMedium::default()
        }];
        let error = party_media(Some(&mut media)).expect_err("no country");
        assert_eq!(error.path, "contactMedium[0].characteristic.country");
        assert_eq!(
            error.to_string(),
            "'contactMedium[0].characteristic.country': a postal address needs its country"
        );

        let preferred = |t: &str| ContactMedium {
            medium_type: Some(t.into()),
            preferred: Some(true),
            ..ContactMedium::default()
        };
        let mut two = vec![preferred("email"), preferred("phone"), preferred("Email")];
        let error = party_media(Some(&mut two)).expect_err("two preferred e-mails");
        assert_eq!(
            error.to_string(),
            "'contactMedium[2].preferred': only one 'email' contact medium may be preferred"
        );
    }
}
