//! Search keys of the party model, and the `search.*` filter attributes that use them
//! (documented extension): `search.name` (prefix of any name, ignoring case and accents),
//! `search.phone` (any written form, compared in E.164), `search.email`, and on customers
//! `search.accountId`; a customer is also found by its engaged party's keys.

use crm_store::inherited::{KeyHolder, QualifiedKey};
use sid_model::{ContactMedium, MediumCharacteristic, PartyRoleContactMedium};
use tmf_apis::{FieldCatalog, FieldType};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::contact;
use crate::error::InformationError;

/// Folds a name for search: decomposed, accents removed, lower case, single spaces.
pub fn fold(text: &str) -> String {
    let stripped: String = text
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase();
    stripped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The search attributes of a resource (a customer's index holds its engaged party's keys
/// too: [`CUSTOMER_KEYS`]).
pub(crate) fn add_search_attributes(catalog: &mut FieldCatalog) {
    catalog.insert_search(
        "name",
        FieldType::Search {
            key: "name",
            prefix: true,
        },
    );
    for key in ["phone", "email"] {
        catalog.insert_search(key, FieldType::Search { key, prefix: false });
    }
}

/// A customer is found by its engaged party's name, phone and e-mail as well as its own:
/// it holds copies of the party's keys, rewritten whenever the party changes. Its name keys
/// are also stored qualified by its status, so that `status=active&search.name=ana` is one
/// range of the index however many customers match.
pub const CUSTOMER_KEYS: KeyHolder = KeyHolder {
    stored: crate::resources::CUSTOMER,
    via: ("engagedParty", "party"),
    inherited: &["name", "phone", "email"],
    qualified: &[QualifiedKey {
        key_type: "status:name",
        attribute: "status",
        key: "name",
    }],
};

/// Adds `search.accountId` (customers referred to by an account, directly or through their
/// engaged party).
pub(crate) fn add_account_attribute(catalog: &mut FieldCatalog) {
    catalog.insert_search(
        "accountId",
        FieldType::ReferencedBy {
            table: "account",
            via: Some("engagedParty"),
        },
    );
}

/// Brings a searched value into the form of the keys.
pub(crate) fn normalise(key: &str, value: &str) -> Result<String, InformationError> {
    match key {
        "name" => {
            let folded = fold(value);
            if folded.is_empty() {
                return Err(InformationError::SearchNameWithoutLetter);
            }
            Ok(folded)
        }
        "phone" => contact::e164("search.phone", value).map_err(InformationError::SearchPhone),
        "email" => Ok(value.trim().to_lowercase()),
        _ => Ok(value.to_owned()),
    }
}

/// Name keys: each name, and the full name in both orders.
pub(crate) fn name_keys(
    names: &[Option<&str>],
    full: &[(Option<&str>, Option<&str>)],
) -> Vec<(&'static str, String)> {
    let mut keys: Vec<(&'static str, String)> = names
        .iter()
        .flatten()
        .map(|name| ("name", fold(name)))
        .collect();
    for (first, last) in full {
        if let (Some(first), Some(last)) = (first, last) {
            keys.push(("name", fold(&format!("{first} {last}"))));
            keys.push(("name", fold(&format!("{last} {first}"))));
        }
    }
    keys.retain(|(_, value)| !value.is_empty());
    keys
}

fn characteristic_keys(c: &MediumCharacteristic, keys: &mut Vec<(&'static str, String)>) {
    if let Some(phone) = &c.phone_number {
        keys.extend(
            contact::phone_keys(phone)
                .into_iter()
                .map(|key| ("phone", key)),
        );
    }
    if let Some(email) = &c.email_address {
        keys.push(("email", email.to_lowercase()));
    }
}

/// Contact keys of an individual's or organization's media.
pub(crate) fn party_media_keys(media: Option<&[ContactMedium]>) -> Vec<(&'static str, String)> {
    let mut keys = Vec::new();
    for medium in media.unwrap_or_default() {
        if let Some(c) = &medium.characteristic {
            characteristic_keys(c, &mut keys);
        }
    }
    keys
}

/// Contact keys of a customer's or party role's media.
pub(crate) fn role_media_keys(
    media: Option<&[PartyRoleContactMedium]>,
) -> Vec<(&'static str, String)> {
    let mut keys = Vec::new();
    for medium in media.unwrap_or_default() {
        characteristic_keys(&medium.characteristic, &mut keys);
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_accents_and_spacing() {
        assert_eq!(fold("  Müller-Lüdenscheidt "), "muller-ludenscheidt");
        assert_eq!(fold("ÉLODIE  Ångström"), "elodie angstrom");
        assert_eq!(fold("Đặng"), "đang");
        assert_eq!(fold("ﬁona"), "fiona");
    }

    #[test]
    fn names_are_keyed_in_both_orders() {
        let keys = name_keys(
            &[Some("José"), Some("García")],
            &[(Some("José"), Some("García"))],
        );
        let values: Vec<&str> = keys.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(values, ["jose", "garcia", "jose garcia", "garcia jose"]);
    }

    #[test]
    fn searched_values_take_the_form_of_the_keys() {
        assert_eq!(normalise("name", " JOSÉ ").expect("name"), "jose");
        assert_eq!(
            normalise("phone", "0044 20 7946 0000").expect("phone"),
            "+442079460000"
        );
        assert_eq!(
            normalise("phone", "+44 (0) 7700 900789").expect("phone"),
            "+447700900789"
        );
        assert_eq!(
            normalise("phone", "+1 973 555 0100 ext. 12").expect("phone"),
            "+19735550100;ext=12"
        );
        assert!(normalise("phone", "12345").is_err());
        let impossible: tmf_apis::TmfError =
            normalise("phone", "+44 12").expect_err("impossible").into();
        assert_eq!(impossible.code, tmf_apis::ErrorCode::InvalidQuery);
        assert!(
            impossible.message.contains("search.phone"),
            "{}",
            impossible.message
        );
        assert!(normalise("name", " ").is_err());
    }
}
