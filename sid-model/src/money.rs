//! An amount of money in an ISO 4217 currency.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::currency::CurrencyCode;
use crate::extension::Extensions;

/// Why an arithmetic operation on [`Money`] was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The two amounts are in different currencies; converting needs an exchange rate,
    /// which is never implied.
    #[error("cannot combine an amount in {left} with an amount in {right}")]
    CurrencyMismatch {
        /// Currency of the left-hand amount.
        left: CurrencyCode,
        /// Currency of the right-hand amount.
        right: CurrencyCode,
    },
    /// The result does not fit in a decimal.
    #[error("the result overflows the range of a decimal amount")]
    Overflow,
}

/// A base / value business entity used to represent money (TMF `Money`):
/// `{"unit": "EUR", "value": 12.5}`.
///
/// The value is an exact decimal, never a binary float; on the wire it is a JSON number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct Money {
    /// Currency (ISO 4217 alphabetic code).
    pub unit: CurrencyCode,
    /// A positive or negative amount in that currency.
    #[serde(with = "crate::decimal")]
    pub value: Decimal,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

impl Money {
    /// An amount of `value` in `unit`.
    pub fn new(unit: CurrencyCode, value: Decimal) -> Self {
        Money {
            unit,
            value,
            extensions: Extensions::default(),
        }
    }

    /// Nothing, in `unit`.
    pub fn zero(unit: CurrencyCode) -> Self {
        Money::new(unit, Decimal::ZERO)
    }

    /// `self + other`, refused when the currencies differ or the sum overflows.
    pub fn checked_add(&self, other: &Money) -> Result<Money, MoneyError> {
        let unit = self.same_unit(other)?;
        let value = self
            .value
            .checked_add(other.value)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(unit, value))
    }

    /// `self - other`, refused when the currencies differ or the difference overflows.
    pub fn checked_sub(&self, other: &Money) -> Result<Money, MoneyError> {
        let unit = self.same_unit(other)?;
        let value = self
            .value
            .checked_sub(other.value)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(unit, value))
    }

    /// Whether the amount is below zero.
    pub fn is_negative(&self) -> bool {
        self.value.is_sign_negative() && !self.value.is_zero()
    }

    fn same_unit(&self, other: &Money) -> Result<CurrencyCode, MoneyError> {
        if self.unit == other.unit {
            Ok(self.unit)
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.unit,
                right: other.unit,
            })
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.value, self.unit)
    }
}

crate::wire::object_only_serde!(Money);

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn eur(text: &str) -> Money {
        Money::new(
            CurrencyCode::EUR,
            Decimal::from_str(text).expect("decimal literal"),
        )
    }

    #[test]
    fn point_one_plus_point_two_is_exactly_point_three() {
        let a: Money = serde_json::from_value(json!({"unit": "EUR", "value": 0.1})).expect("0.1");
        let b: Money = serde_json::from_value(json!({"unit": "EUR", "value": 0.2})).expect("0.2");
        let sum = a.checked_add(&b).expect("same currency");
        assert_eq!(sum, eur("0.3"));
        assert_eq!(sum.value.to_string(), "0.3");
        assert_eq!(
            serde_json::to_string(&sum).expect("serialise"),
            r#"{"unit":"EUR","value":0.3}"#
        );
    }

    #[test]
    fn serialises_the_value_as_a_json_number() {
        let money = eur("12.5");
        let value = serde_json::to_value(money).expect("serialise");
        assert_eq!(value, json!({"unit": "EUR", "value": 12.5}));
        assert!(value["value"].is_number());
        assert_eq!(
            serde_json::to_value(eur("100")).expect("int")["value"],
            json!(100)
        );
    }

    #[test]
    fn deserialises_numbers_and_numeric_strings() {
        let from_number: Money =
            serde_json::from_str(r#"{"unit":"USD","value":19.99}"#).expect("number");
        let from_string: Money =
            serde_json::from_str(r#"{"unit":"USD","value":"19.99"}"#).expect("string");
        assert_eq!(from_number, from_string);
        assert_eq!(from_number.value.to_string(), "19.99");
    }

    #[test]
    fn currency_mismatch_is_refused() {
        let usd = Money::new(CurrencyCode::USD, Decimal::ONE);
        assert_eq!(
            eur("1").checked_add(&usd),
            Err(MoneyError::CurrencyMismatch {
                left: CurrencyCode::EUR,
                right: CurrencyCode::USD
            })
        );
        assert!(matches!(
            eur("1").checked_sub(&usd),
            Err(MoneyError::CurrencyMismatch { .. })
        ));
    }

    #[test]
    fn subtraction_is_exact_and_may_go_negative() {
        let difference = eur("0.3").checked_sub(&eur("0.1")).expect("same currency");
        assert_eq!(difference, eur("0.2"));
        let negative = eur("0.1").checked_sub(&eur("0.3")).expect("same currency");
        assert!(negative.is_negative());
        assert!(!Money::zero(CurrencyCode::EUR).is_negative());
    }

    #[test]
    fn overflow_is_refused() {
        let max = Money::new(CurrencyCode::EUR, Decimal::MAX);
        assert_eq!(max.checked_add(&eur("1")), Err(MoneyError::Overflow));
    }

    #[test]
    fn unknown_currency_and_malformed_money_are_refused() {
        let error = serde_json::from_value::<Money>(json!({"unit": "XYZ", "value": 1}))
            .expect_err("unknown currency");
        assert!(error.to_string().contains("XYZ"), "{error}");
        assert!(serde_json::from_value::<Money>(json!({"unit": "EUR"})).is_err());
        assert!(serde_json::from_value::<Money>(json!({"value": 1})).is_err());
        assert!(serde_json::from_value::<Money>(json!({"unit": "EUR", "value": true})).is_err());
        // An extension attribute is kept, not mistaken for the amount.
        let extended: Money =
            serde_json::from_value(json!({"unit": "EUR", "value": 1, "amount": 2})).expect("kept");
        assert_eq!(extended.value, Decimal::ONE);
        assert_eq!(extended.extensions.get("amount"), Some(&json!(2)));
    }

    #[test]
    fn displays_value_then_currency() {
        assert_eq!(eur("12.50").to_string(), "12.50 EUR");
    }

    fn currency() -> impl Strategy<Value = CurrencyCode> {
        prop::sample::select(CurrencyCode::all().collect::<Vec<_>>())
    }

    /// Amounts of up to 15 significant digits (what a JSON number carries exactly), with up
    /// to 4 decimal places.
    fn amount() -> impl Strategy<Value = Decimal> {
        (
            -999_999_999_999_999_i64..=999_999_999_999_999_i64,
            0_u32..=4,
        )
            .prop_map(|(mantissa, scale)| Decimal::new(mantissa, scale))
    }

    proptest! {
        #[test]
        fn addition_is_exact(unit in currency(), a in amount(), b in amount()) {
            let sum = Money::new(unit, a).checked_add(&Money::new(unit, b)).expect("same currency");
            prop_assert_eq!(sum.unit, unit);
            prop_assert_eq!(sum.value, a + b);
            // Exact: taking one operand back off gives the other one exactly.
            prop_assert_eq!(sum.checked_sub(&Money::new(unit, b)).expect("same currency").value, a);
            // Commutative.
            prop_assert_eq!(Money::new(unit, b).checked_add(&Money::new(unit, a)), Ok(sum));
        }

        #[test]
        fn mixing_currencies_is_always_refused(
            left in currency(),
            right in currency(),
            a in amount(),
            b in amount(),
        ) {
            prop_assume!(left != right);
            let expected = Err(MoneyError::CurrencyMismatch { left, right });
            prop_assert_eq!(Money::new(left, a).checked_add(&Money::new(right, b)), expected.clone());
            prop_assert_eq!(Money::new(left, a).checked_sub(&Money::new(right, b)), expected);
        }

        #[test]
        fn json_round_trip_preserves_the_amount(unit in currency(), a in amount()) {
            let money = Money::new(unit, a);
            let text = serde_json::to_string(&money).expect("serialise");
            let back: Money = serde_json::from_str(&text).expect("deserialise");
            prop_assert_eq!(back, money);
        }
    }
}
