//! Why a bill, a rate, a payment or a request for a bill on demand is refused, in billing's
//! words, and the one place those reasons become TMF errors.

use crm_store::lifecycle_error;
use sid_model::lifecycle::LifecycleError;
use sid_model::{CustomerBillOnDemandStateType, CustomerBillStateType};
use tmf_apis::{ErrorCode, TmfError};

/// Why a billing write is refused.
#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    /// An attribute a billing system must send with a bill or a rate.
    #[error("'{field}' is required: {why}")]
    Required {
        /// The attribute's path.
        field: String,
        /// Why the CRM needs it.
        why: &'static str,
    },
    /// A negative amount where TMF678's amounts are positive (a credit is its own rate type).
    #[error("'{field}' must not be negative: {value}")]
    Negative {
        /// The amount's path.
        field: String,
        /// The amount sent.
        value: String,
    },
    /// An amount in another currency than the bill's (or the rate's).
    #[error("'{field}' is in {found}, but the {what} is in {expected}: one currency per bill")]
    Currency {
        /// The amount's path.
        field: String,
        /// Its currency.
        found: String,
        /// The currency it must be in.
        expected: String,
        /// Whose currency that is (`bill`, `rate`).
        what: &'static str,
    },
    /// Amounts that do not add up.
    #[error("'{field}' is {found}, but {rule} gives {expected}")]
    Sum {
        /// The amount's path.
        field: String,
        /// The amount sent.
        found: String,
        /// What it must be.
        expected: String,
        /// The rule (`taxExcludedAmount + Σ taxItem.taxAmount`).
        rule: &'static str,
    },
    /// A state the amounts contradict.
    #[error("'state' is {state}, but {why}")]
    StateContradicted {
        /// The state sent.
        state: CustomerBillStateType,
        /// What contradicts it.
        why: String,
    },
    /// A rate type that is none of TMF678's three.
    #[error(
        "'type' is '{given}': a rate is an appliedBillingCharge, an appliedBillingCredit or an appliedPenaltyCharge"
    )]
    UnknownRateType {
        /// The type sent.
        given: String,
    },
    /// A rate whose `isBilled` and `bill`/`billingAccount` disagree.
    #[error("'{field}': {why}")]
    Placement {
        /// The attribute at fault.
        field: &'static str,
        /// Why.
        why: &'static str,
    },
    /// A billed rate whose billing account is not its bill's.
    #[error(
        "'billingAccount' is '{rate}', but the rate's bill '{bill}' is for billing account '{expected}'"
    )]
    AccountMismatch {
        /// The rate's account.
        rate: String,
        /// The bill.
        bill: String,
        /// The bill's account.
        expected: String,
    },
    /// Rates attached to a bill that add up to more than the bill.
    #[error(
        "'bill': the rates of bill '{bill}' would add up to {total}, more than its taxIncludedAmount {amount}"
    )]
    ExceedsBill {
        /// The bill.
        bill: String,
        /// What its rates would add up to.
        total: String,
        /// The bill's amount, all taxes included.
        amount: String,
    },
    /// A write only the billing system (or an administrator) makes.
    #[error("{what} is the billing system's to do (role billing-system)")]
    BillingSystemOnly {
        /// What was attempted.
        what: String,
    },
    /// A patch of a bill that changes more than its state.
    #[error(
        "'{attribute}': a customerBill is changed through its 'state' only (TMF678 CustomerBill_Update)"
    )]
    StateOnly {
        /// The attribute changed.
        attribute: String,
    },
    /// A move of a bill's state the lifecycle does not allow.
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError<CustomerBillStateType>),
    /// A state a request for a bill on demand cannot be created in.
    #[error(transparent)]
    OnDemandLifecycle(#[from] LifecycleError<CustomerBillOnDemandStateType>),
    /// A payment that would take the bill's remaining amount below zero.
    #[error(
        "'appliedAmount' is {applied}, more than the {remaining} that remains to be paid on bill '{bill}'"
    )]
    Overpaid {
        /// The bill.
        bill: String,
        /// What the payment applies.
        applied: String,
        /// What remains to be paid.
        remaining: String,
    },
    /// A payment already applied to the bill, sent again with another amount.
    #[error("payment '{payment}' is already applied to bill '{bill}' with another amount")]
    PaymentReused {
        /// The payment.
        payment: String,
        /// The bill.
        bill: String,
    },
    /// A bill that does not exist.
    #[error("CustomerBill '{0}' does not exist")]
    UnknownBill(String),
    /// A request for a bill on demand whose billing account cannot be found.
    #[error("'{field}': {why}")]
    NoAccount {
        /// The attribute at fault.
        field: &'static str,
        /// Why.
        why: String,
    },
    /// A stored document that no longer reads as its type: a fault of ours (500).
    #[error("stored {what} unreadable: {reason}")]
    Unreadable {
        /// What was read.
        what: String,
        /// Why it could not be.
        reason: String,
    },
    /// Refused by the store or another layer, already a TMF error: kept as it is (a lost race
    /// stays a 409, an outage a 503).
    #[error(transparent)]
    Store(#[from] TmfError),
}

impl From<BillingError> for TmfError {
    fn from(error: BillingError) -> Self {
        let message = error.to_string();
        match error {
            BillingError::Required { .. }
            | BillingError::Negative { .. }
            | BillingError::Currency { .. }
            | BillingError::Sum { .. }
            | BillingError::StateContradicted { .. }
            | BillingError::UnknownRateType { .. }
            | BillingError::Placement { .. }
            | BillingError::AccountMismatch { .. }
            | BillingError::ExceedsBill { .. }
            | BillingError::StateOnly { .. }
            | BillingError::Overpaid { .. }
            | BillingError::NoAccount { .. } => TmfError::invalid_value(message),
            BillingError::BillingSystemOnly { .. } => TmfError::new(ErrorCode::Forbidden, message),
            BillingError::Lifecycle(refused) => lifecycle_error(refused),
            BillingError::OnDemandLifecycle(refused) => lifecycle_error(refused),
            BillingError::PaymentReused { .. } => TmfError::conflict(message),
            BillingError::UnknownBill(id) => TmfError::not_found("CustomerBill", &id),
            BillingError::Unreadable { .. } => TmfError::internal(message),
            BillingError::Store(error) => error,
        }
    }
}
