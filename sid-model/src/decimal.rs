//! Serde helpers that carry a [`Decimal`] as a JSON number, for `#[serde(with = "...")]`.
//!
//! TMF amounts are JSON numbers. Reading one must not introduce binary floating-point
//! artefacts: a number with a fraction is taken through the shortest text that round-trips
//! its `f64` (so `0.1` stays exactly `0.1`), integers are taken exactly, and a numeric string
//! (`"12.50"`) is accepted too. Writing goes through [`serde_json::Number`], which writes an
//! integer exactly and any other value as the nearest JSON number (exact for up to 15
//! significant digits, which covers every realistic amount).

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{self, Serialize, Serializer};

/// The key under which `serde_json` hands over a number when its `arbitrary_precision`
/// feature is enabled somewhere in the build.
const ARBITRARY_PRECISION_TOKEN: &str = "$serde_json::private::Number";

/// Parses a decimal written in plain or scientific notation.
fn parse(text: &str) -> Option<Decimal> {
    Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .ok()
}

/// Writes `value` as a JSON number.
pub(crate) fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    let number = serde_json::Number::from_str(&value.to_string()).map_err(ser::Error::custom)?;
    number.serialize(serializer)
}

/// Reads a JSON number (or a numeric string) as an exact decimal.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    deserializer.deserialize_any(DecimalVisitor)
}

/// Turns JSON numbers and numeric strings into a [`Decimal`].
struct DecimalVisitor;

impl<'de> Visitor<'de> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal number")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(value))
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<Decimal, E> {
        Decimal::try_from_i128_with_scale(value, 0)
            .map_err(|_| E::custom(format!("the number {value} is too large for a decimal")))
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<Decimal, E> {
        i128::try_from(value)
            .ok()
            .and_then(|value| Decimal::try_from_i128_with_scale(value, 0).ok())
            .ok_or_else(|| E::custom(format!("the number {value} is too large for a decimal")))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Decimal, E> {
        if !value.is_finite() {
            return Err(E::invalid_value(de::Unexpected::Float(value), &self));
        }
        // `f64`'s `Display` writes the shortest text that reads back as the same `f64`:
        // 0.1 is written "0.1", not 0.1000000000000000055511151231257827.
        parse(&value.to_string())
            .ok_or_else(|| E::custom(format!("the number {value} is out of range for a decimal")))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Decimal, E> {
        parse(value).ok_or_else(|| E::invalid_value(de::Unexpected::Str(value), &self))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Decimal, A::Error> {
        match map.next_key::<String>()? {
            Some(key) if key == ARBITRARY_PRECISION_TOKEN => {
                let text: String = map.next_value()?;
                parse(&text).ok_or_else(|| {
                    de::Error::custom(format!("the number {text} is out of range for a decimal"))
                })
            }
            _ => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
        }
    }
}

/// The same conversions for an optional amount; `null` reads as `None`.
pub(crate) mod option {
    use std::fmt;

    use rust_decimal::Decimal;
    use serde::de::{self, Deserializer, Visitor};
    use serde::ser::Serializer;

    /// Writes a present amount as a JSON number and an absent one as `null`.
    ///
    /// Fields using this also carry `skip_serializing_if = "Option::is_none"`, so `null` is
    /// never written in practice.
    pub(crate) fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => super::serialize(value, serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Reads `null` as `None` and anything else as an exact decimal.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        deserializer.deserialize_option(OptionVisitor)
    }

    /// Distinguishes `null` from a number.
    struct OptionVisitor;

    impl<'de> Visitor<'de> for OptionVisitor {
        type Value = Option<Decimal>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a decimal number or null")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(
            self,
            deserializer: D,
        ) -> Result<Self::Value, D::Error> {
            super::deserialize(deserializer).map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use serde_json::json;

    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Amount {
        #[serde(with = "crate::decimal")]
        value: Decimal,
        #[serde(
            with = "crate::decimal::option",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        optional: Option<Decimal>,
    }

    fn read(value: serde_json::Value) -> Result<Amount, serde_json::Error> {
        serde_json::from_value(value)
    }

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).expect("decimal literal")
    }

    #[test]
    fn fractions_are_read_without_float_artefacts() {
        for (json, text) in [
            ("0.1", "0.1"),
            ("0.2", "0.2"),
            ("12.5", "12.5"),
            ("19.99", "19.99"),
            ("-3.3", "-3.3"),
            ("1234567.89", "1234567.89"),
        ] {
            let amount: Amount =
                serde_json::from_str(&format!(r#"{{"value":{json}}}"#)).expect("number");
            assert_eq!(amount.value, dec(text), "{json}");
            assert_eq!(amount.value.to_string(), text);
        }
    }

    #[test]
    fn integers_and_numeric_strings_are_read_exactly() {
        assert_eq!(
            read(json!({"value": 42})).expect("int").value,
            Decimal::from(42)
        );
        assert_eq!(
            read(json!({"value": -7})).expect("neg").value,
            Decimal::from(-7)
        );
        assert_eq!(
            read(json!({"value": "12.50"})).expect("str").value,
            dec("12.50")
        );
        assert_eq!(
            read(json!({"value": "1e3"})).expect("sci").value,
            Decimal::from(1000)
        );
    }

    #[test]
    fn values_are_written_as_json_numbers() {
        let amount = Amount {
            value: dec("12.5"),
            optional: Some(Decimal::from(3)),
        };
        assert_eq!(
            serde_json::to_value(&amount).expect("serialise"),
            json!({"value": 12.5, "optional": 3})
        );
        assert_eq!(
            serde_json::to_string(&amount).expect("text"),
            r#"{"value":12.5,"optional":3}"#
        );
    }

    #[test]
    fn optional_amounts_may_be_absent_or_null() {
        assert_eq!(read(json!({"value": 1})).expect("absent").optional, None);
        assert_eq!(
            read(json!({"value": 1, "optional": null}))
                .expect("null")
                .optional,
            None
        );
        assert_eq!(
            read(json!({"value": 1, "optional": 0.3}))
                .expect("present")
                .optional,
            Some(dec("0.3"))
        );
    }

    #[test]
    fn non_numbers_are_refused() {
        assert!(read(json!({"value": "twelve"})).is_err());
        assert!(read(json!({"value": true})).is_err());
        assert!(read(json!({"value": [1]})).is_err());
        assert!(read(json!({"value": {"amount": 1}})).is_err());
        assert!(read(json!({"value": null})).is_err());
        assert!(read(json!({"value": 1e300})).is_err());
    }
}
