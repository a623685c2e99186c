//! TMF678 `appliedCustomerBillingRate`: the charges, credits and penalties a billing system
//! records ([`RateRules::create`], an extension: TMF678 v4 serves rates read-only), each
//! either billed (on a stored bill: `isBilled` true and `bill`) or waiting on its billing
//! account to be billed (`isBilled` false and `billingAccount`), which is what a bill on
//! demand gathers. `isBilled` is always present.
//!
//! A rate is known by the id the billing system gives it, the extension attribute
//! `externalId`: the same rate sent again is the stored one (200), the same `externalId` with
//! other content a 409. A billed rate is in its bill's currency and billing account, and the
//! rates of a bill never add up to more than the bill (credits count negatively).

use std::sync::Arc;

use async_trait::async_trait;
use crm_store::{
    DatabaseTransaction, DocumentService, DomainRules, Erasure, NaturalKey, Reference,
    ResourceKind, StoredType,
};
use rust_decimal::Decimal;
use serde_json::Value as Json;
use sid_model::{AppliedCustomerBillingRate, CustomerBill};
use tmf_apis::catalog::CatalogError;
use tmf_apis::{Domain, RequestContext, ResourceDescriptor};

use crate::amounts::{RateType, check_rate};
use crate::bills::{BILL_BASE, BillKind, is_billing_system, read_bill, reference};
use crate::error::BillingError;

/// Where rates are stored.
pub const APPLIED_RATE: StoredType = StoredType {
    table: "applied_billing_rate",
    kind: "AppliedCustomerBillingRate",
};

/// The extension attribute that carries the billing system's own id of a rate.
pub const EXTERNAL_ID: &str = "externalId";

/// The TMF678 `appliedCustomerBillingRate` resource as stored.
pub struct RateKind {
    descriptor: ResourceDescriptor,
}

impl std::fmt::Debug for RateKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateKind")
            .field("type_name", &self.descriptor.type_name)
            .finish_non_exhaustive()
    }
}

impl RateKind {
    /// The kind, with its attributes read from the TMF678 specification. Rates are never
    /// changed or deleted through the API (TMF678 serves them read-only).
    pub fn new() -> Result<Self, CatalogError> {
        let mut descriptor = ResourceDescriptor::from_spec(
            crate::spec::customer_bill(),
            BILL_BASE,
            "appliedCustomerBillingRate",
            "AppliedCustomerBillingRate",
            Domain::Bill,
        )?;
        descriptor.methods = tmf_apis::Methods::TASK;
        Ok(Self { descriptor })
    }
}

impl ResourceKind for RateKind {
    type Model = AppliedCustomerBillingRate;

    fn descriptor(&self) -> &ResourceDescriptor {
        &self.descriptor
    }

    fn stored_type(&self) -> StoredType {
        APPLIED_RATE
    }

    fn references(&self, rate: &AppliedCustomerBillingRate) -> Vec<Reference> {
        let mut out = Vec::new();
        if let Some(bill) = &rate.bill {
            out.push(reference(
                "bill".into(),
                &bill.id,
                bill.referred_type.as_deref(),
                &["CustomerBill"],
            ));
        }
        if let Some(account) = &rate.billing_account {
            out.push(reference(
                "billingAccount".into(),
                &account.id,
                account.referred_type.as_deref(),
                &["BillingAccount"],
            ));
        }
        if let Some(product) = &rate.product {
            out.push(reference(
                "product".into(),
                &product.id,
                product.referred_type.as_deref(),
                &["Product"],
            ));
        }
        out
    }

    /// Rates keep their type, names of characteristics and tax categories; descriptions,
    /// names and characteristic values are removed.
    fn erasure(&self) -> Option<Erasure> {
        Some(Erasure {
            keep: &[
                "type",
                "externalId",
                "characteristic.name",
                "characteristic.valueType",
                "appliedTax.taxCategory",
            ],
            erase: &[],
        })
    }
}

/// The rules of rates recorded through the API.
pub struct RateRules {
    pub(crate) bills: Arc<DocumentService<BillKind>>,
    pub(crate) rates: Arc<DocumentService<RateKind>>,
}

impl std::fmt::Debug for RateRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateRules").finish_non_exhaustive()
    }
}

/// The amount a stored rate counts towards its bill (credits negatively).
pub(crate) fn signed_amount(rate: &Json) -> Decimal {
    let kind = rate
        .get("type")
        .and_then(Json::as_str)
        .and_then(RateType::parse)
        .unwrap_or(RateType::Charge);
    let value = rate
        .pointer("/taxIncludedAmount/value")
        .map(|v| v.to_string())
        .and_then(|text| text.parse::<Decimal>().ok())
        .unwrap_or(Decimal::ZERO);
    kind.signed(value)
}

/// Checks a billed rate against its bill `bill_id` (read as `bill`): in the bill's currency,
/// and in its billing account, which the rate takes from the bill when it names none. Shared
/// by the API's creates and the XML import.
pub(crate) fn check_on_bill(
    rate: &mut AppliedCustomerBillingRate,
    bill_id: &str,
    bill: &CustomerBill,
) -> Result<(), BillingError> {
    if let (Some(amount), Some(due)) = (&rate.tax_included_amount, &bill.amount_due)
        && amount.unit != due.unit
    {
        return Err(BillingError::Currency {
            field: "taxIncludedAmount".into(),
            found: amount.unit.to_string(),
            expected: due.unit.to_string(),
            what: "bill",
        });
    }
    if let Some(expected) = &bill.billing_account {
        match &rate.billing_account {
            Some(given) if given.id != expected.id => {
                return Err(BillingError::AccountMismatch {
                    rate: given.id.clone(),
                    bill: bill_id.to_owned(),
                    expected: expected.id.clone(),
                });
            }
            Some(_) => {}
            None => rate.billing_account = Some(expected.clone()),
        }
    }
    Ok(())
}

/// Checks that a rate counting `signed` towards its bill `bill_id` keeps the bill's rates,
/// with those `attached` already (their signed sum), within the bill's `taxIncludedAmount`.
/// Shared by the API's creates and the XML import.
pub(crate) fn check_within_bill(
    signed: Decimal,
    bill_id: &str,
    bill: &CustomerBill,
    attached: Decimal,
) -> Result<(), BillingError> {
    let Some(limit) = &bill.tax_included_amount else {
        return Ok(());
    };
    let total = attached + signed;
    if total > limit.value {
        return Err(BillingError::ExceedsBill {
            bill: bill_id.to_owned(),
            total: total.to_string(),
            amount: limit.value.to_string(),
        });
    }
    Ok(())
}

#[async_trait]
impl DomainRules<RateKind> for RateRules {
    type Error = BillingError;

    fn natural_key(&self, rate: &AppliedCustomerBillingRate) -> Option<NaturalKey> {
        let external = rate.extensions.get(EXTERNAL_ID)?.as_str()?;
        Some(NaturalKey {
            key: external.to_owned(),
            named: format!("externalId '{external}'"),
        })
    }

    async fn create(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        _id: &str,
        mut rate: AppliedCustomerBillingRate,
    ) -> Result<AppliedCustomerBillingRate, BillingError> {
        if !is_billing_system(ctx) {
            return Err(BillingError::BillingSystemOnly {
                what: "recording an appliedCustomerBillingRate".into(),
            });
        }
        if rate
            .extensions
            .get(EXTERNAL_ID)
            .is_some_and(|v| v.as_str().is_none_or(str::is_empty))
        {
            return Err(BillingError::Placement {
                field: "externalId",
                why: "the billing system's id of a rate is a non-empty string",
            });
        }
        let kind = check_rate(&mut rate)?;
        let Some(bill_ref) = rate.bill.clone() else {
            return Ok(rate);
        };
        // A billed rate: in its bill's currency and account, within its bill's amount. The
        // bill is locked, so two rates racing onto one bill are judged one after the other.
        let Some(stored) = self.bills.load_in(txn, &bill_ref.id).await? else {
            // The reference check names it (422) when the rate is written.
            return Ok(rate);
        };
        let bill = read_bill(&bill_ref.id, stored)?;
        check_on_bill(&mut rate, &bill_ref.id, &bill)?;
        if let (Some(amount), Some(_)) = (&rate.tax_included_amount, &bill.tax_included_amount) {
            let attached: Decimal = self
                .rates
                .find_in(txn, "bill.id", &bill_ref.id)
                .await?
                .iter()
                .map(signed_amount)
                .sum();
            check_within_bill(kind.signed(amount.value), &bill_ref.id, &bill, attached)?;
        }
        Ok(rate)
    }

    async fn patch(
        &self,
        _txn: &DatabaseTransaction,
        _ctx: &RequestContext,
        _id: &str,
        _previous: &AppliedCustomerBillingRate,
        _requested: AppliedCustomerBillingRate,
    ) -> Result<AppliedCustomerBillingRate, BillingError> {
        // Not routed (the descriptor offers no PATCH): rates are only ever read.
        Err(BillingError::BillingSystemOnly {
            what: "changing an appliedCustomerBillingRate".into(),
        })
    }
}
