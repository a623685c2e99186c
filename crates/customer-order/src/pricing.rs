//! Prices of order items and of the order, computed from catalog prices with `Decimal`
//! arithmetic; a client's prices are never trusted.
//!
//! Each catalog price of an item's offering gives one item price: the catalog amount times
//! the item's quantity, duty free; tax at the price's rate, rounded to the currency's minor
//! unit (half away from zero) once per price; the tax-included amount is their sum. The
//! order total adds item prices up per price type, recurring charge period, unit of measure
//! and currency, never mixing them.

use rust_decimal::{Decimal, RoundingStrategy};
use sid_model::{CurrencyCode, Money};

/// How a price is charged (`priceType` with its period or unit).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Charge {
    /// Once (`oneTime`).
    OneTime,
    /// Every period (`recurring`, `month`...).
    Recurring {
        /// The period (`month`).
        period: String,
    },
    /// Per unit used (`usage`, `minute`...).
    Usage {
        /// The unit of measure.
        unit: String,
    },
}

impl Charge {
    /// The TMF `priceType`.
    pub fn price_type(&self) -> &'static str {
        match self {
            Self::OneTime => "oneTime",
            Self::Recurring { .. } => "recurring",
            Self::Usage { .. } => "usage",
        }
    }
}

/// A catalog price: an amount per unit of quantity, duty free, with its tax rate in percent.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogPrice {
    /// The price's name.
    pub name: String,
    /// How it is charged.
    pub charge: Charge,
    /// The duty-free amount per unit of quantity.
    pub amount: Money,
    /// The tax rate, in percent (`20` for 20 %).
    pub tax_rate: Decimal,
}

/// A computed price.
#[derive(Debug, Clone, PartialEq)]
pub struct Priced {
    /// How it is charged.
    pub charge: Charge,
    /// The currency.
    pub currency: CurrencyCode,
    /// Duty free.
    pub duty_free: Decimal,
    /// The tax.
    pub tax: Decimal,
    /// The tax rate, in percent (for a total: the rate when all its parts share it).
    pub tax_rate: Option<Decimal>,
}

impl Priced {
    /// Duty free plus tax.
    pub fn tax_included(&self) -> Decimal {
        self.duty_free + self.tax
    }
}

/// Digits after the decimal point of a currency's minor unit (ISO 4217).
pub fn minor_digits(currency: CurrencyCode) -> u32 {
    match currency.as_str() {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        "CLF" | "UYW" => 4,
        _ => 2,
    }
}

fn round(amount: Decimal, currency: CurrencyCode) -> Decimal {
    amount.round_dp_with_strategy(
        minor_digits(currency),
        RoundingStrategy::MidpointAwayFromZero,
    )
}

/// The prices of an item of `quantity` units of an offering with these catalog prices.
pub fn item_prices(prices: &[CatalogPrice], quantity: Decimal) -> Vec<Priced> {
    prices
        .iter()
        .map(|price| {
            let currency = price.amount.unit;
            let duty_free = round(price.amount.value * quantity, currency);
            let tax = round(duty_free * price.tax_rate / Decimal::ONE_HUNDRED, currency);
            Priced {
                charge: price.charge.clone(),
                currency,
                duty_free,
                tax,
                tax_rate: Some(price.tax_rate),
            }
        })
        .collect()
}

/// The order total: item prices added up per charge and currency, in a stable order.
pub fn order_total<'a>(items: impl IntoIterator<Item = &'a Priced>) -> Vec<Priced> {
    let mut totals: Vec<Priced> = Vec::new();
    for price in items {
        match totals
            .iter_mut()
            .find(|t| t.charge == price.charge && t.currency == price.currency)
        {
            Some(total) => {
                total.duty_free += price.duty_free;
                total.tax += price.tax;
                if total.tax_rate != price.tax_rate {
                    total.tax_rate = None;
                }
            }
            None => totals.push(price.clone()),
        }
    }
    totals.sort_by(|a, b| {
        (a.charge.clone(), a.currency.as_str()).cmp(&(b.charge.clone(), b.currency.as_str()))
    });
    totals
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn money(unit: &str, value: &str) -> Money {
        Money::new(
            CurrencyCode::parse(unit).expect("currency"),
            Decimal::from_str(value).expect("amount"),
        )
    }

    fn price(name: &str, charge: Charge, unit: &str, value: &str, rate: &str) -> CatalogPrice {
        CatalogPrice {
            name: name.into(),
            charge,
            amount: money(unit, value),
            tax_rate: Decimal::from_str(rate).expect("rate"),
        }
    }

    fn monthly() -> Charge {
        Charge::Recurring {
            period: "month".into(),
        }
    }

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).expect("decimal")
    }

    #[test]
    fn mixed_price_types_and_tax_to_the_cent() {
        let broadband = [
            price("Monthly fee", monthly(), "EUR", "29.99", "20"),
            price("Installation", Charge::OneTime, "EUR", "49.50", "20"),
            price(
                "Calls",
                Charge::Usage {
                    unit: "minute".into(),
                },
                "EUR",
                "0.015",
                "20",
            ),
        ];
        let item = item_prices(&broadband, d("2"));
        assert_eq!(item[0].duty_free, d("59.98"));
        assert_eq!(item[0].tax, d("12.00")); // 11.996
        assert_eq!(item[0].tax_included(), d("71.98"));
        assert_eq!(item[1].duty_free, d("99.00"));
        assert_eq!(item[1].tax, d("19.80"));
        assert_eq!(item[2].duty_free, d("0.03"));
        assert_eq!(item[2].tax, d("0.01")); // 0.006

        let router = item_prices(
            &[price("Router rental", monthly(), "EUR", "3.33", "5.5")],
            d("1"),
        );
        assert_eq!(router[0].tax, d("0.18")); // 0.18315
        let total = order_total(item.iter().chain(router.iter()));
        let monthly_total = total
            .iter()
            .find(|t| t.charge == monthly())
            .expect("monthly");
        assert_eq!(monthly_total.duty_free, d("63.31"));
        assert_eq!(monthly_total.tax, d("12.18"));
        assert_eq!(monthly_total.tax_included(), d("75.49"));
        assert_eq!(monthly_total.tax_rate, None, "20 % and 5.5 % mixed");
        assert_eq!(total.len(), 3);
    }

    #[test]
    fn currencies_and_periods_are_never_mixed() {
        let prices = [
            price("a", monthly(), "EUR", "10", "0"),
            price("b", monthly(), "GBP", "10", "0"),
            price(
                "c",
                Charge::Recurring {
                    period: "year".into(),
                },
                "EUR",
                "10",
                "0",
            ),
        ];
        assert_eq!(order_total(&item_prices(&prices, Decimal::ONE)).len(), 3);
    }

    #[test]
    fn minor_units_follow_the_currency() {
        let yen = item_prices(&[price("a", Charge::OneTime, "JPY", "999.5", "10")], d("1"));
        assert_eq!(yen[0].duty_free, d("1000"));
        assert_eq!(yen[0].tax, d("100"));
        let dinar = item_prices(&[price("a", Charge::OneTime, "KWD", "1.2345", "0")], d("1"));
        assert_eq!(dinar[0].duty_free, d("1.235"));
    }

    proptest! {
        #[test]
        fn totals_are_the_exact_sums_of_their_parts(
            cents in proptest::collection::vec((0i64..1_000_000, 0u32..3, 1i64..5), 1..12)
        ) {
            let rates = [d("0"), d("5.5"), d("20")];
            let mut items = Vec::new();
            for (amount, rate, quantity) in &cents {
                let p = CatalogPrice {
                    name: "p".into(),
                    charge: Charge::OneTime,
                    amount: money("EUR", &Decimal::new(*amount, 2).to_string()),
                    tax_rate: rates[*rate as usize],
                };
                items.extend(item_prices(&[p], Decimal::from(*quantity)));
            }
            let total = order_total(&items);
            prop_assert_eq!(total.len(), 1);
            let duty_free: Decimal = items.iter().map(|p| p.duty_free).sum();
            let tax: Decimal = items.iter().map(|p| p.tax).sum();
            prop_assert_eq!(total[0].duty_free, duty_free);
            prop_assert_eq!(total[0].tax, tax);
            for item in &items {
                prop_assert_eq!(item.duty_free.scale() <= 2, true);
                prop_assert_eq!(item.tax.scale() <= 2, true);
                // Tax is within half a cent of the exact product.
                let exact = item.duty_free * item.tax_rate.unwrap_or_default() / Decimal::ONE_HUNDRED;
                prop_assert!((item.tax - exact).abs() <= d("0.005"));
            }
        }
    }
}
