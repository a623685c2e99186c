//! ISO 4217 currency codes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The active ISO 4217 alphabetic codes (list one: currencies, funds and special codes),
/// sorted so that a code can be found by binary search.
///
/// Withdrawn codes (for example `HRK`, `BGN`, `CUC`, `SLL`, `ZWL`, `ANG`) are absent on purpose:
/// new prices and payments must not be expressed in them.
const ACTIVE_CODES: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", //
    "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", //
    "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUP", //
    "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", //
    "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", //
    "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", //
    "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", //
    "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", //
    "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", //
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", //
    "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", //
    "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", //
    "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VES", "VND", "VUV", "WST", "XAD", //
    "XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XCG", "XDR", "XOF", "XPD", //
    "XPF", "XPT", "XSU", "XTS", "XUA", "XXX", "YER", "ZAR", "ZMW", "ZWG", //
];

/// A text that is not an active ISO 4217 alphabetic currency code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an active ISO 4217 currency code")]
pub struct UnknownCurrency(pub String);

/// An active ISO 4217 alphabetic currency code, such as `EUR`.
///
/// A value of this type is always one of the active codes: it can only be built by parsing,
/// which checks the code against the embedded ISO 4217 list. Codes are upper case; `eur` is
/// refused rather than silently corrected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CurrencyCode(&'static str);

impl CurrencyCode {
    /// The euro.
    pub const EUR: CurrencyCode = CurrencyCode("EUR");
    /// The United States dollar.
    pub const USD: CurrencyCode = CurrencyCode("USD");
    /// The pound sterling.
    pub const GBP: CurrencyCode = CurrencyCode("GBP");

    /// Looks `code` up in the list of active ISO 4217 codes.
    pub fn parse(code: &str) -> Result<Self, UnknownCurrency> {
        ACTIVE_CODES
            .binary_search(&code)
            .map(|index| CurrencyCode(ACTIVE_CODES[index]))
            .map_err(|_| UnknownCurrency(code.to_owned()))
    }

    /// The three-letter code, such as `"EUR"`.
    pub fn as_str(&self) -> &'static str {
        self.0
    }

    /// Every active code, in alphabetical order.
    pub fn all() -> impl Iterator<Item = CurrencyCode> {
        ACTIVE_CODES.iter().map(|code| CurrencyCode(code))
    }
}

impl FromStr for CurrencyCode {
    type Err = UnknownCurrency;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        CurrencyCode::parse(code)
    }
}

impl fmt::Display for CurrencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl AsRef<str> for CurrencyCode {
    fn as_ref(&self) -> &str {
        self.0
    }
}

impl Serialize for CurrencyCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for CurrencyCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CodeVisitor;

        impl serde::de::Visitor<'_> for CodeVisitor {
            type Value = CurrencyCode;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ISO 4217 currency code")
            }

            fn visit_str<E: serde::de::Error>(self, code: &str) -> Result<CurrencyCode, E> {
                CurrencyCode::parse(code).map_err(E::custom)
            }
        }

        deserializer.deserialize_str(CodeVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_list_is_sorted_and_unique() {
        assert!(ACTIVE_CODES.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(
            ACTIVE_CODES
                .iter()
                .all(|code| code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()))
        );
    }

    #[test]
    fn active_codes_parse_and_display_unchanged() {
        for code in ["EUR", "USD", "GBP", "JPY", "CHF", "XAF", "AED", "ZWG"] {
            let parsed: CurrencyCode = code.parse().expect("active code");
            assert_eq!(parsed.to_string(), code);
            assert_eq!(parsed.as_str(), code);
        }
        assert_eq!(CurrencyCode::parse("EUR"), Ok(CurrencyCode::EUR));
        assert_eq!(CurrencyCode::all().count(), ACTIVE_CODES.len());
    }

    #[test]
    fn unknown_withdrawn_and_malformed_codes_are_refused() {
        for code in ["XYZ", "HRK", "eur", "EURO", "EU", ""] {
            assert_eq!(
                CurrencyCode::parse(code),
                Err(UnknownCurrency(code.to_owned()))
            );
        }
    }

    #[test]
    fn serde_uses_the_plain_code_and_names_an_unknown_one() {
        assert_eq!(
            serde_json::to_string(&CurrencyCode::EUR).expect("serialise"),
            r#""EUR""#
        );
        let eur: CurrencyCode = serde_json::from_str(r#""EUR""#).expect("deserialise");
        assert_eq!(eur, CurrencyCode::EUR);

        let error = serde_json::from_str::<CurrencyCode>(r#""ABC""#).expect_err("unknown code");
        assert!(error.to_string().contains("`ABC`"), "{error}");
        assert!(serde_json::from_str::<CurrencyCode>("978").is_err());
    }
}
