//! Serde helpers that carry a [`Decimal`] as a JSON number, for `#[serde(with = "...")]`.
//!
//! TMF amounts are JSON numbers, and an amount must be exactly what the client wrote. The
//! workspace builds `serde_json` with `arbitrary_precision`, so a number keeps its text from
//! the request body onwards; it is parsed here from that text, never through `f64`:
//! `0.1` and `12345678901234.5678` are read exactly, `1e-2` as `0.01`, and a number that a
//! [`Decimal`] cannot hold exactly (more than 28 significant digits, or out of range) is an
//! error naming it, not a rounded amount. A numeric string (`"12.50"`) is accepted too.
//! Writing keeps the decimal's own text (`12.50` stays `12.50`).

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{self, Serialize, Serializer};

/// The key under which `serde_json`'s `arbitrary_precision` hands over a number's text.
const ARBITRARY_PRECISION_TOKEN: &str = "$serde_json::private::Number";

/// Parses a decimal written in plain or scientific notation, exactly: `None` when the text
/// is not a number or its value cannot be held without rounding.
pub(crate) fn parse(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], text[at + 1..].parse::<i64>().ok()?),
        None => (text, 0),
    };
    if mantissa.is_empty() || mantissa.contains(['_', 'e', 'E']) {
        return None;
    }
    let mut value = Decimal::from_str_exact(mantissa).ok()?;
    let scale = i64::from(value.scale()) - exponent;
    if scale >= 0 {
        // Dividing by a power of ten only moves the point: exact while the scale fits.
        value.set_scale(u32::try_from(scale).ok()?).ok()?;
    } else {
        // Multiplying the integer mantissa by a power of ten is exact or overflows.
        value.set_scale(0).ok()?;
        let mut power = Decimal::ONE;
        for _ in 0..(-scale).min(29) {
            power = power.checked_mul(Decimal::TEN)?;
        }
        value = value.checked_mul(power)?;
    }
    Some(value)
}

/// The error for a number that is not an exact decimal.
fn out_of_range<E: de::Error>(text: &str) -> E {
    E::custom(format!(
        "the number {text} cannot be held exactly as a decimal (at most 28 significant digits)"
    ))
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
        // Reached only for a number whose text is the shortest round-trip text of this
        // `f64` (serde_json hands any other over as text), so that text is what was sent.
        if !value.is_finite() {
            return Err(E::invalid_value(de::Unexpected::Float(value), &self));
        }
        // `Debug` writes the shortest round-trip text in the form serde_json compared with
        // (`0.0` stays `0.0`, not `0`; `1e-7` keeps its exponent), so the scale is the one sent.
        let text = format!("{value:?}");
        parse(&text).ok_or_else(|| out_of_range(&text))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Decimal, E> {
        parse(value).ok_or_else(|| E::invalid_value(de::Unexpected::Str(value), &self))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Decimal, A::Error> {
        match map.next_key::<String>()? {
            Some(key) if key == ARBITRARY_PRECISION_TOKEN => {
                let text: String = map.next_value()?;
                parse(&text).ok_or_else(|| out_of_range(&text))
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
    /// Fields using this sit in `#[serde_with::skip_serializing_none]` structs, so `null` is
    /// never written in practice. They also need `default`: serde reads an absent field as
    /// `None` by itself only when no `with` replaces its deserializer.
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

    #[serde_with::skip_serializing_none]
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Amount {
        #[serde(with = "crate::decimal")]
        value: Decimal,
        #[serde(with = "crate::decimal::option", default)]
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
            ("0.0", "0.0"),
            ("1.0", "1.0"),
            ("2.50", "2.50"),
            ("1e-7", "0.0000001"),
            ("0.1", "0.1"),
            ("0.2", "0.2"),
            ("12.5", "12.5"),
            ("19.99", "19.99"),
            ("-3.3", "-3.3"),
            ("1234567.89", "1234567.89"),
        ] {
            let body = format!(r#"{{"value":{json}}}"#);
            let amount: Amount = serde_json::from_str(&body).expect("number");
            assert_eq!(amount.value, dec(text), "{json}");
            assert_eq!(amount.value.to_string(), text);
            // Through a `Value`, as a request body goes (a number that is its own shortest
            // round-trip text is handed over as an `f64` there).
            let value: serde_json::Value = serde_json::from_str(&body).expect("json");
            let amount: Amount = serde_json::from_value(value).expect("number");
            assert_eq!(amount.value.to_string(), text, "{json} through a Value");
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
