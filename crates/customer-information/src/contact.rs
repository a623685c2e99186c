//! Contact media checked and normalised at the edge: e-mail syntax, phone and fax numbers
//! in E.164, postal addresses with a country, one preferred medium per type.

use sid_model::{ContactMedium, MediumCharacteristic, PartyRoleContactMedium};
use tmf_apis::{TmfError, TmfResult};
use validator::ValidateEmail;

fn invalid(path: &str, message: impl std::fmt::Display) -> TmfError {
    TmfError::invalid_value(format!("'{path}': {message}"))
}

/// Reads a phone number written in international form (`+44 20 7946 0000`,
/// `0044 20 7946 0000`) and returns it in E.164 (`+442079460000`).
pub fn e164(path: &str, raw: &str) -> TmfResult<String> {
    let trimmed = raw.trim();
    let international = match trimmed.strip_prefix("00") {
        Some(rest) => format!("+{rest}"),
        None => trimmed.to_owned(),
    };
    if !international.starts_with('+') {
        return Err(invalid(
            path,
            format!(
                "'{trimmed}' must be in international form, starting with + and the country code"
            ),
        ));
    }
    let number = phonenumber::parse(None, &international)
        .map_err(|_| invalid(path, format!("'{trimmed}' is not a phone number")))?;
    Ok(number.format().mode(phonenumber::Mode::E164).to_string())
}

/// Checks an e-mail address and lower-cases its domain.
pub fn email(path: &str, raw: &str) -> TmfResult<String> {
    let trimmed = raw.trim();
    if !trimmed.validate_email() {
        return Err(invalid(
            path,
            format!("'{trimmed}' is not an e-mail address"),
        ));
    }
    Ok(match trimmed.rsplit_once('@') {
        Some((local, domain)) => format!("{local}@{}", domain.to_ascii_lowercase()),
        None => trimmed.to_owned(),
    })
}

fn characteristic(path: &str, c: &mut MediumCharacteristic) -> TmfResult<()> {
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
        return Err(invalid(
            &format!("{path}.country"),
            "a postal address needs its country",
        ));
    }
    Ok(())
}

fn one_preferred_per_type<'a>(
    media: impl Iterator<Item = (Option<&'a str>, Option<bool>)>,
) -> TmfResult<()> {
    let mut seen: Vec<String> = Vec::new();
    for (i, (medium_type, preferred)) in media.enumerate() {
        if preferred != Some(true) {
            continue;
        }
        let key = medium_type.unwrap_or_default().to_ascii_lowercase();
        if seen.contains(&key) {
            return Err(invalid(
                &format!("contactMedium[{i}].preferred"),
                format!("only one '{key}' contact medium may be preferred"),
            ));
        }
        seen.push(key);
    }
    Ok(())
}

/// Checks and normalises the contact media of an individual or organization.
pub fn party_media(media: Option<&mut Vec<ContactMedium>>) -> TmfResult<()> {
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
pub fn role_media(media: Option<&mut Vec<PartyRoleContactMedium>>) -> TmfResult<()> {
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
        assert!(
            error
                .message
                .contains("contactMedium[0].characteristic.country"),
            "{}",
            error.message
        );

        let preferred = |t: &str| ContactMedium {
            medium_type: Some(t.into()),
            preferred: Some(true),
            ..ContactMedium::default()
        };
        let mut two = vec![preferred("email"), preferred("phone"), preferred("Email")];
        let error = party_media(Some(&mut two)).expect_err("two preferred e-mails");
        assert!(
            error.message.contains("contactMedium[2].preferred"),
            "{}",
            error.message
        );
    }
}
