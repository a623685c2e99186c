//! The money rules of bills, rates and payments, over the typed model and exact decimals:
//! one currency per bill (its rates and payments too), no negative amount where TMF678's are
//! positive (a credit is its own rate type), taxes that add up, and a remaining amount that
//! is always the amount due less the payments applied, never below zero.

use rust_decimal::Decimal;
use sid_model::{
    AppliedCustomerBillingRate, AppliedPayment, CustomerBill, CustomerBillStateType as State, Money,
};

use crate::error::BillingError;

/// What a rate does to what its bill asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateType {
    /// `appliedBillingCharge`: a recurring, one-time or usage charge.
    Charge,
    /// `appliedBillingCredit`: a rebate or an alteration; lowers the bill.
    Credit,
    /// `appliedPenaltyCharge`: a late fee, a payment rejection fee.
    Penalty,
}

impl RateType {
    /// Reads TMF678's names.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "appliedBillingCharge" => Some(Self::Charge),
            "appliedBillingCredit" => Some(Self::Credit),
            "appliedPenaltyCharge" => Some(Self::Penalty),
            _ => None,
        }
    }

    /// The rate's amount as it counts towards its bill: credits count negatively.
    pub fn signed(self, amount: Decimal) -> Decimal {
        match self {
            Self::Credit => -amount,
            Self::Charge | Self::Penalty => amount,
        }
    }
}

/// Checks that `money` at `field` is in `currency` and not negative.
fn check_money(
    field: String,
    money: &Money,
    currency: &Money,
    what: &'static str,
) -> Result<(), BillingError> {
    if money.unit != currency.unit {
        return Err(BillingError::Currency {
            field,
            found: money.unit.to_string(),
            expected: currency.unit.to_string(),
            what,
        });
    }
    if money.value.is_sign_negative() && !money.value.is_zero() {
        return Err(BillingError::Negative {
            field,
            value: money.value.to_string(),
        });
    }
    Ok(())
}

fn sum<'a>(
    values: impl IntoIterator<Item = &'a Decimal>,
    field: &str,
) -> Result<Decimal, BillingError> {
    values.into_iter().try_fold(Decimal::ZERO, |total, value| {
        total.checked_add(*value).ok_or_else(|| BillingError::Sum {
            field: field.to_owned(),
            found: "too large".into(),
            expected: "an amount a decimal can hold".into(),
            rule: "the sum of its parts",
        })
    })
}

/// Checks `taxIncluded = taxExcluded + Σ taxes` when both amounts are given.
fn check_taxes(
    excluded: Option<&Money>,
    included: Option<&Money>,
    taxes: &[Decimal],
    field: &str,
    rule: &'static str,
) -> Result<(), BillingError> {
    if let (Some(excluded), Some(included)) = (excluded, included) {
        let expected = sum(std::iter::once(&excluded.value).chain(taxes), field)?;
        if expected != included.value {
            return Err(BillingError::Sum {
                field: field.to_owned(),
                found: included.value.to_string(),
                expected: expected.to_string(),
                rule,
            });
        }
    }
    Ok(())
}

/// Checks a bill a billing system records, and completes what follows from it: its
/// `remainingAmount` (the amount due less the payments applied) and its `state` (`new` when
/// not given). `billNo`, `billingAccount` and `amountDue` are required: a bill is known by
/// its number within its account, and what it asks for must be known.
pub fn check_bill(bill: &mut CustomerBill) -> Result<(), BillingError> {
    let required = |field: &str, why| BillingError::Required {
        field: field.to_owned(),
        why,
    };
    if bill.bill_no.is_none() {
        return Err(required(
            "billNo",
            "a bill is known by its number within its billing account",
        ));
    }
    if bill.billing_account.is_none() {
        return Err(required(
            "billingAccount",
            "a bill is known by its number within its billing account",
        ));
    }
    let Some(due) = bill.amount_due.clone() else {
        return Err(required("amountDue", "a bill says what it asks for"));
    };
    check_money("amountDue".into(), &due, &due, "bill")?;
    for (field, money) in [
        ("remainingAmount", &bill.remaining_amount),
        ("taxExcludedAmount", &bill.tax_excluded_amount),
        ("taxIncludedAmount", &bill.tax_included_amount),
    ] {
        if let Some(money) = money {
            check_money(field.into(), money, &due, "bill")?;
        }
    }
    let mut taxes = Vec::new();
    for (i, item) in bill.tax_item.iter().flatten().enumerate() {
        if let Some(amount) = &item.tax_amount {
            check_money(format!("taxItem[{i}].taxAmount"), amount, &due, "bill")?;
            taxes.push(amount.value);
        }
    }
    check_taxes(
        bill.tax_excluded_amount.as_ref(),
        bill.tax_included_amount.as_ref(),
        &taxes,
        "taxIncludedAmount",
        "taxExcludedAmount + Σ taxItem.taxAmount",
    )?;
    let mut paid = Vec::new();
    for (i, payment) in bill.applied_payment.iter().flatten().enumerate() {
        let field = format!("appliedPayment[{i}].appliedAmount");
        let Some(amount) = &payment.applied_amount else {
            return Err(BillingError::Required {
                field,
                why: "a payment applied to a bill says how much of it",
            });
        };
        check_money(field, amount, &due, "bill")?;
        paid.push(amount.value);
    }
    let paid = sum(&paid, "appliedPayment")?;
    let remaining = due.value - paid;
    if remaining.is_sign_negative() && !remaining.is_zero() {
        return Err(BillingError::Overpaid {
            bill: bill.bill_no.clone().unwrap_or_default(),
            applied: paid.to_string(),
            remaining: due.value.to_string(),
        });
    }
    match &bill.remaining_amount {
        Some(given) if given.value != remaining => {
            return Err(BillingError::Sum {
                field: "remainingAmount".into(),
                found: given.value.to_string(),
                expected: remaining.to_string(),
                rule: "amountDue − Σ appliedPayment.appliedAmount",
            });
        }
        Some(_) => {}
        None => bill.remaining_amount = Some(Money::new(due.unit, remaining)),
    }
    let state = *bill.state.get_or_insert(State::New);
    if state == State::Settled && !remaining.is_zero() {
        return Err(BillingError::StateContradicted {
            state,
            why: format!("{remaining} {} remains to be paid", due.unit),
        });
    }
    if state == State::PartiallyPaid && (paid.is_zero() || remaining.is_zero()) {
        return Err(BillingError::StateContradicted {
            state,
            why: format!("{paid} {} of {} is paid", due.unit, due.value),
        });
    }
    Ok(())
}

/// Checks a rate a billing system records, completes `isBilled` (`false` when not given), and
/// returns its type. A billed rate names its bill; one not billed yet names the billing
/// account it waits on, and no bill.
pub fn check_rate(rate: &mut AppliedCustomerBillingRate) -> Result<RateType, BillingError> {
    let Some(name) = rate.r#type.as_deref() else {
        return Err(BillingError::Required {
            field: "type".into(),
            why: "a rate is a charge, a credit or a penalty, and counts towards its bill as one",
        });
    };
    let kind = RateType::parse(name).ok_or_else(|| BillingError::UnknownRateType {
        given: name.to_owned(),
    })?;
    let Some(amount) = rate.tax_included_amount.clone() else {
        return Err(BillingError::Required {
            field: "taxIncludedAmount".into(),
            why: "a rate says what it amounts to",
        });
    };
    check_money("taxIncludedAmount".into(), &amount, &amount, "rate")?;
    if let Some(excluded) = &rate.tax_excluded_amount {
        check_money("taxExcludedAmount".into(), excluded, &amount, "rate")?;
    }
    let mut taxes = Vec::new();
    for (i, tax) in rate.applied_tax.iter().flatten().enumerate() {
        if let Some(money) = &tax.tax_amount {
            check_money(format!("appliedTax[{i}].taxAmount"), money, &amount, "rate")?;
            taxes.push(money.value);
        }
    }
    check_taxes(
        rate.tax_excluded_amount.as_ref(),
        Some(&amount),
        &taxes,
        "taxIncludedAmount",
        "taxExcludedAmount + Σ appliedTax.taxAmount",
    )?;
    let billed = *rate.is_billed.get_or_insert(false);
    match (billed, rate.bill.is_some(), rate.billing_account.is_some()) {
        (true, false, _) => Err(BillingError::Placement {
            field: "bill",
            why: "a billed rate (isBilled true) names its bill",
        }),
        (false, true, _) => Err(BillingError::Placement {
            field: "bill",
            why: "a rate not billed yet (isBilled false) is on no bill: send isBilled true",
        }),
        (false, false, false) => Err(BillingError::Placement {
            field: "billingAccount",
            why: "a rate not billed yet names the billing account it waits on",
        }),
        _ => Ok(kind),
    }
}

/// What a payment did to a bill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// Appended to the bill's payments.
    New,
    /// Already applied, with the same amount: nothing changes.
    Again,
}

/// Applies `payment` to `bill` (checked with [`check_bill`]): appended to `appliedPayment`,
/// lowering `remainingAmount`, and moving the state: `settled` when nothing remains,
/// `partiallyPaid` from `new`, `validated` or `sent` otherwise (a bill on hold stays on hold
/// until it is settled). A payment is known by its id within the bill: applied again with the
/// same amount, it changes nothing; with another amount it is refused.
pub fn apply_payment(
    bill_id: &str,
    bill: &mut CustomerBill,
    payment: AppliedPayment,
) -> Result<Applied, BillingError> {
    let required = |field: &str, why| BillingError::Required {
        field: field.to_owned(),
        why,
    };
    let Some(payment_ref) = payment.payment.as_ref() else {
        return Err(required(
            "payment",
            "a payment applied to a bill is known by its id",
        ));
    };
    let Some(amount) = payment.applied_amount.clone() else {
        return Err(required(
            "appliedAmount",
            "a payment says how much of it the bill takes",
        ));
    };
    let remaining = bill
        .remaining_amount
        .clone()
        .ok_or_else(|| BillingError::Unreadable {
            what: format!("CustomerBill {bill_id}"),
            reason: "no remainingAmount".into(),
        })?;
    check_money("appliedAmount".into(), &amount, &remaining, "bill")?;
    if amount.value.is_zero() {
        return Err(BillingError::Negative {
            field: "appliedAmount".into(),
            value: "0 (a payment applies a positive amount)".into(),
        });
    }
    if let Some(earlier) = bill
        .applied_payment
        .iter()
        .flatten()
        .find(|p| p.payment.as_ref().is_some_and(|r| r.id == payment_ref.id))
    {
        return match earlier.applied_amount.as_ref().map(|m| m.value) == Some(amount.value) {
            true => Ok(Applied::Again),
            false => Err(BillingError::PaymentReused {
                payment: payment_ref.id.clone(),
                bill: bill_id.to_owned(),
            }),
        };
    }
    if amount.value > remaining.value {
        return Err(BillingError::Overpaid {
            bill: bill_id.to_owned(),
            applied: amount.value.to_string(),
            remaining: remaining.value.to_string(),
        });
    }
    let left = remaining.value - amount.value;
    bill.remaining_amount = Some(Money::new(remaining.unit, left));
    bill.applied_payment
        .get_or_insert_with(Vec::new)
        .push(payment);
    let state = bill.state.unwrap_or(State::New);
    bill.state = Some(if left.is_zero() {
        State::Settled
    } else if matches!(state, State::New | State::Validated | State::Sent) {
        State::PartiallyPaid
    } else {
        state
    });
    Ok(Applied::New)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn bill(due: &str) -> CustomerBill {
        let mut bill: CustomerBill = serde_json::from_value(json!({
            "billNo": "B-1",
            "billingAccount": {"id": "a-1"},
            "amountDue": {"unit": "EUR", "value": Decimal::from_str(due).expect("decimal")},
        }))
        .expect("bill");
        check_bill(&mut bill).expect("a valid bill");
        bill
    }

    fn payment(id: &str, value: Decimal) -> AppliedPayment {
        serde_json::from_value(json!({
            "payment": {"id": id},
            "appliedAmount": {"unit": "EUR", "value": value},
        }))
        .expect("payment")
    }

    #[test]
    fn a_bill_s_remaining_amount_and_state_follow_from_it() {
        let bill = bill("60.00");
        assert_eq!(
            bill.remaining_amount.map(|m| m.value.to_string()),
            Some("60.00".into())
        );
        assert_eq!(bill.state, Some(State::New));
    }

    #[test]
    fn taxes_must_add_up_to_the_cent() {
        let mut bill: CustomerBill = serde_json::from_value(json!({
            "billNo": "B-1", "billingAccount": {"id": "a"},
            "amountDue": {"unit": "EUR", "value": 60.00},
            "taxExcludedAmount": {"unit": "EUR", "value": 50.00},
            "taxIncludedAmount": {"unit": "EUR", "value": 60.01},
            "taxItem": [{"taxRate": 0.2, "taxAmount": {"unit": "EUR", "value": 10.00}}],
        }))
        .expect("bill");
        let refused = check_bill(&mut bill).expect_err("off by a cent");
        assert!(
            refused.to_string().contains("'taxIncludedAmount' is 60.01"),
            "{refused}"
        );
    }

    proptest! {
            /// Any sequence of payments keeps remainingAmount = amountDue − Σ payments ≥ 0; a
            /// payment that would go below zero is refused and changes nothing.
            #[test]
            fn payments_keep_the_remaining_amount_to_the_cent(
                due_cents in 0i64..10_000_000,
                payments in proptest::collection::vec(1i64..5_000_000, 0..20),
            ) {
                let due = Decimal::new(due_cents, 2);
                let mut bill = bill(&due.to_string());
                let mut applied = Decimal::ZERO;
                for (i, cents) in payments.into_iter().enumerate() {
                    let amount = Decimal::new(cents, 2);
                    let before = bill.clone();
                    match apply_payment("b", &mut bill, payment(&format!("p{i}"), amount)) {
                        Ok(Applied::New) => applied += amount,
                        Ok(Applied::Again) => prop_assert!(false, "a new payment id"),
                        Err(BillingError::Overpaid { .. }) => {
                            prop_assert!(amount > due - applied);
                            prop_assert_eq!(&bill, &before, "a refused payment changes nothing");
                        }
                        Err(other) => prop_assert!(false, "{other}"),
                    }
                    let remaining = bill.remaining_amount.as_ref().expect("remaining").value;
                    prop_assert_eq!(remaining, due - applied);
                    prop_assert!(!remaining.is_sign_negative() || remaining.is_zero());
                    let state = bill.state.expect("state");
                    prop_assert_eq!(state == State::Settled, remaining.is_zero() && !applied.is_zero());
                }
            }

            /// A payment sent again (a retry) changes nothing.
            #[test]
            fn a_payment_applied_twice_counts_once(cents in 1i64..100_000) {
                let mut bill = bill("1000.00");
                let amount = Decimal::new(cents, 2);
                prop_assert_eq!(apply_payment("b", &mut bill, payment("p", amount)).expect("applied"), Applied::New);
                let once = bill.clone();
                prop_assert_eq!(apply_payment("b", &mut bill, payment("p", amount)).expect("again"), Applied::Again);
                prop_assert_eq!(&bill, &once);
                let other = amount + Decimal::new(1, 2);
    let reused = matches!(
                    apply_payment("b", &mut bill, payment("p", other)),
                    Err(BillingError::PaymentReused { .. })
                );
                prop_assert!(reused, "the same payment id with another amount is refused");
            }
        }
}
