//! TMF678 Customer Bill Management: the bills produced for a billing account (`CustomerBill`),
//! the charges, credits and penalties they are made of (`AppliedCustomerBillingRate`), and
//! requests to produce a bill on demand (`CustomerBillOnDemand`), with every sub-type and
//! reference they use.
//!
//! TMF678 v4.0.0 defines some types under the same name as other specifications but
//! differently, or under a different name but identically; each Rust type here is exact for
//! TMF678:
//!
//! - its `FinancialAccountRef` holds a *list* of account balances, where TMF666's holds one:
//!   [`BillFinancialAccountRef`] (TMF666's form stays
//!   [`FinancialAccountRef`](crate::account::FinancialAccountRef));
//! - its `RelatedPartyRef` has the properties of the party model's [`RelatedParty`] and leaves
//!   `@referredType` optional, which the server completes anyway: [`RelatedPartyRef`], the
//!   same type;
//! - its `AppliedBillingRateCharacteristic` is the party model's [`Characteristic`] under
//!   another name: [`AppliedBillingRateCharacteristic`], the same type;
//! - its `AppliedBillingTaxRate` is TMF620's [`TaxItem`] under another name (`taxCategory`,
//!   an exact `taxRate`, a `taxAmount`): [`AppliedBillingTaxRate`], the same type;
//! - its two state enumerations are named `stateValue` (the state of a bill: `new`, `onHold`,
//!   `validated`, `sent`, `partiallyPaid`, `settled`) and `StateValues` (the state of a
//!   request for a bill on demand: `inProgress`, `rejected`, `done`, `terminatedWithError`),
//!   names too close to tell apart and unfit for Rust: they are [`CustomerBillStateType`] and
//!   [`CustomerBillOnDemandStateType`].
//!
//! `AccountBalance` (TMF666), `AttachmentRefOrValue`, `BillingAccountRef` (TMF622 and TMF637),
//! `PaymentMethodRef`, `PaymentRef` (TMF622), `Quantity`, `TaxItem` (TMF620) and `TimePeriod`
//! are identical to the types of the same name already in this crate and are reused. So is
//! [`Money`], which is stricter than TMF678's `Money`: both `unit` (an ISO 4217 code) and
//! `value` must be present. Every amount is a `Money` and every tax rate an exact decimal,
//! never a binary float: `12.50` is read, and written back, as `12.50`.
//!
//! Quirks of the specification, kept as published:
//!
//! - `BillRef` has no `name` (every other reference has one);
//! - the `relatedParty` of a `CustomerBillOnDemand` is one reference, not a list as on a
//!   `CustomerBill`;
//! - the `lastUpdate` of a `CustomerBillOnDemand` is a plain string, not a `date-time` as on
//!   a `CustomerBill`;
//! - `CustomerBillOnDemand_Create` requires nothing, and `AppliedCustomerBillingRate`, which
//!   is only ever read, requires its `id`.
//!
//! The definitions that none of the three resources uses (`Attachment`, `AttachmentRef`,
//! `Characteristic`, `EntityRef` and `Reference`) are not modelled, nor is `CustomerBill_Update`
//! (a `PATCH` of a bill carries its `state` only).

use chrono::{DateTime, Utc};
use validator::Validate;

use crate::account::AccountBalance;
use crate::attachment::AttachmentRefOrValue;
use crate::catalog::price::TaxItem;
use crate::characteristic::Characteristic;
use crate::lifecycle::Lifecycle;
use crate::money::Money;
use crate::order::reference::PaymentRef;
use crate::product::BillingAccountRef;
use crate::reference::{PaymentMethodRef, RelatedParty};
use crate::time::TimePeriod;

crate::wire::wire! {
    /// A customer bill, aka invoice (TMF678 `CustomerBill`): produced periodically for a billing
    /// account, according to its billing cycle, or as the result of an event, with the amounts
    /// due, the taxes, the payments applied to it and the documents that present it.
    ///
    /// Bills are produced by the billing system, never created through the API: no property
    /// is required.
    #[derive(Default)]
    pub struct CustomerBill {
        /// Unique identifier of the bill.
        id: Option<String>,
        /// Bill unique reference.
        href: Option<String>,
        /// Bill date.
        bill_date: Option<DateTime<Utc>>,
        /// Bill reference known by the customer or the party and displayed on the bill; may
        /// differ from the id.
        bill_no: Option<String>,
        /// Category of the bill produced: normal, duplicate, interim, last, trial customer or
        /// credit note, for example.
        category: Option<String>,
        /// Date of the bill's last update.
        last_update: Option<DateTime<Utc>>,
        /// Approximate date of the next bill production, for information (only for an onCycle
        /// bill).
        next_bill_date: Option<DateTime<Utc>>,
        /// Date at which the amount due should have been paid.
        payment_due_date: Option<DateTime<Utc>>,
        /// `onCycle` (the bill comes from a cycle run) or `offCycle` (from another event, such
        /// as a customer request or an account closure).
        run_type: Option<String>,
        /// The amount to pay.
        #[validate(nested)]
        amount_due: Option<Money>,
        /// The parts of incoming payments assigned to the bill (lettering).
        #[validate(nested)]
        applied_payment: Option<Vec<AppliedPayment>>,
        /// The documents presenting the bill, which can be downloaded from their url.
        #[validate(nested)]
        bill_document: Option<Vec<AttachmentRefOrValue>>,
        /// The billing account the bill is for.
        #[validate(nested)]
        billing_account: Option<BillingAccountRef>,
        /// The period the bill covers.
        #[validate(nested)]
        billing_period: Option<TimePeriod>,
        /// The financial account that records the bill as a debit, with its balances.
        #[validate(nested)]
        financial_account: Option<BillFinancialAccountRef>,
        /// The means of payment the call of payment is built with.
        #[validate(nested)]
        payment_method: Option<PaymentMethodRef>,
        /// Parties playing a role on the bill: the operator that produced it, the bill
        /// receiver, the payer...
        #[validate(nested)]
        related_party: Option<Vec<RelatedPartyRef>>,
        /// What remains to be paid of the amount due.
        #[validate(nested)]
        remaining_amount: Option<Money>,
        /// The lifecycle state of the bill.
        state: Option<CustomerBillStateType>,
        /// The amount of the bill, all taxes excluded.
        #[validate(nested)]
        tax_excluded_amount: Option<Money>,
        /// The amount of the bill, all taxes included.
        #[validate(nested)]
        tax_included_amount: Option<Money>,
        /// The taxes of the bill, one per tax rate and tax type.
        #[validate(nested)]
        tax_item: Option<Vec<TaxItem>>,
    }

    /// A charge, credit or penalty applied to a customer (TMF678 `AppliedCustomerBillingRate`),
    /// rated before or during the billing process and displayed on a bill, or still waiting on
    /// the billing account to be billed.
    ///
    /// Applied billing rates are produced by the billing system and only ever read: `id` is
    /// required.
    pub struct AppliedCustomerBillingRate {
        /// Unique identifier of the applied billing rate.
        #[validate(length(min = 1))]
        id: String,
        /// Reference of the applied billing rate.
        href: Option<String>,
        /// Creation date of the applied billing rate.
        date: Option<DateTime<Utc>>,
        /// Additional data to be displayed on the bill for this applied billing rate.
        description: Option<String>,
        /// Whether the rate is billed: if so `bill` should be given, otherwise
        /// `billingAccount`.
        is_billed: Option<bool>,
        /// Name of the applied billing rate.
        name: Option<String>,
        /// Type of the applied billing rate: `appliedBillingCharge` (any charge except taxes:
        /// recurring, one time, usage), `appliedBillingCredit` (a rebate, a product alteration)
        /// or `appliedPenaltyCharge` (late fees, payment rejection fees...).
        r#type: Option<String>,
        /// The taxes applied to the rate.
        #[validate(nested)]
        applied_tax: Option<Vec<AppliedBillingTaxRate>>,
        /// The bill the rate is on, when it is billed.
        #[validate(nested)]
        bill: Option<BillRef>,
        /// The billing account the rate waits on, when it is not billed yet.
        #[validate(nested)]
        billing_account: Option<BillingAccountRef>,
        /// The characteristics of the rate, which depend on its type (service type, line of
        /// business...).
        #[validate(nested)]
        characteristic: Option<Vec<AppliedBillingRateCharacteristic>>,
        /// The period a recurring charge covers (for a one-time charge, its start and end are
        /// the same).
        #[validate(nested)]
        period_coverage: Option<TimePeriod>,
        /// The product the rate is for.
        #[validate(nested)]
        product: Option<ProductRef>,
        /// The amount of the rate, all taxes excluded.
        #[validate(nested)]
        tax_excluded_amount: Option<Money>,
        /// The amount of the rate, all taxes included.
        #[validate(nested)]
        tax_included_amount: Option<Money>,
    }

    /// A request to produce a customer bill in real time, on demand (TMF678
    /// `CustomerBillOnDemand`).
    ///
    /// No property is required on creation.
    #[derive(Default)]
    pub struct CustomerBillOnDemand {
        /// Unique identifier of the request, given by the server.
        id: Option<String>,
        /// Reference of the request.
        href: Option<String>,
        /// Additional data describing the request.
        description: Option<String>,
        /// When the request was last updated: a plain string in the specification, not a
        /// `date-time`, so kept as sent.
        last_update: Option<String>,
        /// Friendly name to identify the request.
        name: Option<String>,
        /// The billing account to bill.
        #[validate(nested)]
        billing_account: Option<BillingAccountRef>,
        /// The bill produced for the request.
        #[validate(nested)]
        customer_bill: Option<BillRef>,
        /// The party the request is for: one reference, not a list.
        #[validate(nested)]
        related_party: Option<RelatedPartyRef>,
        /// The lifecycle state of the request.
        state: Option<CustomerBillOnDemandStateType>,
    }

    /// The part of an incoming payment assigned to a bill by the lettering process, automatically
    /// or by hand (TMF678 `AppliedPayment`).
    #[derive(Default)]
    pub struct AppliedPayment {
        /// The amount of the payment assigned to the bill.
        #[validate(nested)]
        applied_amount: Option<Money>,
        /// The payment.
        #[validate(nested)]
        payment: Option<PaymentRef>,
    }

    /// A reference to a customer bill (TMF678 `BillRef`). Unlike the other references it has no
    /// `name`.
    pub struct BillRef @referredType {
        /// Unique identifier of the bill.
        #[validate(length(min = 1))]
        id: String,
        /// Reference of the bill.
        href: Option<String>,
    }
}

crate::wire::entity_ref! {
    /// A reference to a financial account (TMF678 `FinancialAccountRef`): the account receivable
    /// that records a customer's accounting events (payments as credits, bills as debits), with
    /// its balances.
    ///
    /// TMF666's `FinancialAccountRef` holds one balance; that form is
    /// [`FinancialAccountRef`](crate::account::FinancialAccountRef).
    BillFinancialAccountRef {
        /// The balances of the financial account.
        #[validate(nested)]
        account_balance: Option<Vec<AccountBalance>>,
    }

    /// A reference to a product (TMF678 `ProductRef`), such as the one an applied billing rate is
    /// for.
    ProductRef {}
}

/// A party or party role playing a role on a bill (TMF678 `RelatedPartyRef`): the properties
/// of the party model's [`RelatedParty`], whose `@referredType` the server completes.
pub type RelatedPartyRef = RelatedParty;

/// A characteristic of an applied billing rate (TMF678 `AppliedBillingRateCharacteristic`): a
/// name/value pair, defined exactly as the party model's [`Characteristic`].
pub type AppliedBillingRateCharacteristic = Characteristic;

/// A tax applied to a billing rate (TMF678 `AppliedBillingTaxRate`), defined exactly as
/// TMF620's [`TaxItem`]: a category, an exact rate and an amount.
pub type AppliedBillingTaxRate = TaxItem;

crate::wire::wire_enum! {
    /// The lifecycle state of a customer bill (TMF678 `stateValue`).
    pub enum CustomerBillStateType {
        /// `new`: the bill has just been produced.
        "new" => New,
        /// `onHold`: the bill is held back (a dispute, a check) before going further.
        "onHold" => OnHold,
        /// `validated`: the bill has been checked and approved.
        "validated" => Validated,
        /// `sent`: the bill has been sent to its receiver.
        "sent" => Sent,
        /// `partiallyPaid`: part of the amount due has been paid.
        "partiallyPaid" => PartiallyPaid,
        /// `settled`: the bill has been paid in full.
        "settled" => Settled,
    }
}

crate::wire::wire_enum! {
    /// The lifecycle state of a request for a customer bill on demand (TMF678 `StateValues`).
    pub enum CustomerBillOnDemandStateType {
        /// `inProgress`: the bill is being produced.
        "inProgress" => InProgress,
        /// `rejected`: the request was refused.
        "rejected" => Rejected,
        /// `done`: the bill has been produced.
        "done" => Done,
        /// `terminatedWithError`: producing the bill failed.
        "terminatedWithError" => TerminatedWithError,
    }
}

/// The lifecycle of a bill. A billing system pushes its bills in whatever state they are in,
/// so a bill may be recorded in any state. A bill moves forward
/// (`new → validated → sent → partiallyPaid → settled`, steps may be skipped), may be put
/// `onHold` until it is settled, and leaves `onHold` for any unsettled state; `settled` is
/// final.
impl Lifecycle for CustomerBillStateType {
    const ENTITY: &'static str = "CustomerBill";
    const ATTRIBUTE: &'static str = "state";
    const STATES: &'static [Self] = &Self::ALL;
    const CREATE: &'static [Self] = &Self::ALL;
    const INITIAL: Self = Self::New;
    const FINAL: &'static [Self] = &[Self::Settled];

    fn name(self) -> &'static str {
        self.as_str()
    }

    fn next(self) -> &'static [Self] {
        use CustomerBillStateType::*;
        match self {
            New => &[Validated, Sent, OnHold, PartiallyPaid, Settled],
            Validated => &[Sent, OnHold, PartiallyPaid, Settled],
            Sent => &[PartiallyPaid, Settled, OnHold],
            PartiallyPaid => &[Settled, OnHold],
            OnHold => &[New, Validated, Sent, PartiallyPaid],
            Settled => &[],
        }
    }
}

/// The lifecycle of a request for a bill on demand: created `inProgress`, it ends `done`,
/// `rejected` or `terminatedWithError`, all three final.
impl Lifecycle for CustomerBillOnDemandStateType {
    const ENTITY: &'static str = "CustomerBillOnDemand";
    const ATTRIBUTE: &'static str = "state";
    const STATES: &'static [Self] = &Self::ALL;
    const CREATE: &'static [Self] = &[Self::InProgress];
    const INITIAL: Self = Self::InProgress;
    const FINAL: &'static [Self] = &[Self::Done, Self::Rejected, Self::TerminatedWithError];

    fn name(self) -> &'static str {
        self.as_str()
    }

    fn next(self) -> &'static [Self] {
        use CustomerBillOnDemandStateType::*;
        match self {
            InProgress => &[Done, Rejected, TerminatedWithError],
            Done | Rejected | TerminatedWithError => &[],
        }
    }
}

crate::wire::wire! {
    /// An adjustment of a bill, a bill item or a billing account (this CRM's documented
    /// extension of TMF678, `billAdjustment`; TMF defines no adjustment API): a credit, a debit
    /// or a write-off, with the reason and ledger account it is booked under, the dispute it
    /// settles (none for a goodwill credit), who proposed and who approved it, and the rate
    /// that carries it to the billing system once applied.
    pub struct BillAdjustment {
        /// Unique identifier, given by the server.
        id: Option<String>,
        /// Reference of the adjustment.
        href: Option<String>,
        /// What the adjustment does.
        r#type: BillAdjustmentType,
        /// Where it is in its lifecycle.
        state: Option<BillAdjustmentStateType>,
        /// The amount, all taxes included; positive.
        #[validate(nested)]
        amount: Money,
        /// The amount without taxes, with a tax breakdown.
        #[validate(nested)]
        tax_excluded_amount: Option<Money>,
        /// The tax breakdown: `taxExcludedAmount + Σ taxAmount = amount`.
        #[validate(nested)]
        tax_item: Option<Vec<TaxItem>>,
        /// Why, from the configured list.
        reason_code: String,
        /// The general-ledger account, from the configured list.
        gl_code: Option<String>,
        /// What a person should know about it.
        description: Option<String>,
        /// The bill adjusted.
        #[validate(nested)]
        bill: Option<BillRef>,
        /// The bill item (rate) adjusted.
        #[validate(nested)]
        applied_billing_rate: Option<crate::EntityRef>,
        /// The billing account adjusted (or the adjusted bill's).
        #[validate(nested)]
        billing_account: Option<BillingAccountRef>,
        /// The bill dispute (trouble ticket) the adjustment settles.
        #[validate(nested)]
        dispute: Option<crate::EntityRef>,
        /// The adjustment this one reverses.
        #[validate(nested)]
        reversal_of: Option<crate::EntityRef>,
        /// The adjustment that reversed this one.
        #[validate(nested)]
        reversed_by: Option<crate::EntityRef>,
        /// The rate that carries the applied adjustment to the billing system.
        #[validate(nested)]
        applied_rate: Option<crate::EntityRef>,
        /// `automatic` (below the approval threshold) or `maker-checker`.
        approval_mode: Option<String>,
        /// The proposer and the approver (roles `proposer`, `approver`).
        #[validate(nested)]
        related_party: Option<Vec<RelatedParty>>,
        /// When it was proposed.
        creation_date: Option<DateTime<Utc>>,
        /// When it was approved.
        approval_date: Option<DateTime<Utc>>,
        /// When it was applied.
        applied_date: Option<DateTime<Utc>>,
        /// When it last changed.
        last_update: Option<DateTime<Utc>>,
    }
}

crate::wire::wire_enum! {
    /// What an adjustment does to the money owed.
    pub enum BillAdjustmentType {
        /// `credit`: money back to the customer (lowers what is owed).
        "credit" => Credit,
        /// `debit`: money the customer owes in addition.
        "debit" => Debit,
        /// `writeOff`: money the operator gives up collecting (lowers what is owed).
        "writeOff" => WriteOff,
    }
}

crate::wire::wire_enum! {
    /// The lifecycle state of an adjustment.
    pub enum BillAdjustmentStateType {
        /// `proposed`: waiting for approval.
        "proposed" => Proposed,
        /// `approved`: approved, to be applied.
        "approved" => Approved,
        /// `applied`: the money moved.
        "applied" => Applied,
        /// `rejected`: refused; nothing moved.
        "rejected" => Rejected,
        /// `reversed`: applied, then moved back by a reversal.
        "reversed" => Reversed,
    }
}

/// The lifecycle of an adjustment: `proposed → approved → applied`, or `rejected`; an applied
/// adjustment is never changed, only `reversed` by another adjustment (a rule of the billing
/// domain: [`ENTERED_BY_RULE`](Lifecycle::ENTERED_BY_RULE)).
impl Lifecycle for BillAdjustmentStateType {
    const ENTITY: &'static str = "BillAdjustment";
    const ATTRIBUTE: &'static str = "state";
    const STATES: &'static [Self] = &Self::ALL;
    const CREATE: &'static [Self] = &[Self::Proposed];
    const INITIAL: Self = Self::Proposed;
    const FINAL: &'static [Self] = &[Self::Rejected, Self::Reversed];
    const ENTERED_BY_RULE: &'static [Self] = &[Self::Reversed];

    fn name(self) -> &'static str {
        self.as_str()
    }

    fn next(self) -> &'static [Self] {
        use BillAdjustmentStateType::*;
        match self {
            Proposed => &[Approved, Rejected],
            Approved => &[Applied],
            // Only a reversal (a new adjustment, a rule of the billing domain) moves an
            // applied one on; a request for it is refused there.
            Applied => &[Reversed],
            Rejected | Reversed => &[],
        }
    }
}
