//! Billing Inquiry, Dispute & Adjustment Management (TAM), first part: TMF678 Customer Bill
//! Management v4 — the bills and bill lines a billing system pushes, read by any TMF678 client
//! and by CSRs answering "why is my bill so high?".
//!
//! - `bills`: `customerBill`, recorded by the billing system (an extension: v4 defines no
//!   create), known by `billNo` within its billing account, moved by `PATCH` of `state` alone;
//!   the billing account's `receivableBalance` follows its unsettled bills.
//! - `rates`: `appliedCustomerBillingRate`, billed or waiting on the account, known by the
//!   billing system's `externalId`.
//! - `amounts`: the money rules (one currency, taxes that add up, payments that never take
//!   the remaining amount below zero), pure and property-tested.
//! - `payments`: recording a payment against a bill (an extension route).
//!
//! Like every application crate, this one builds on the layers only: the billing account's
//! balances are set through the `AccountBalances` hook the crate that stores accounts offers.

pub mod adjustments;
pub mod amounts;
pub mod bills;
pub mod compensation;
pub mod disputes;
pub mod error;
pub mod exchange;
pub mod on_demand;
pub mod payments;
pub mod rates;
mod spec;
mod view;

use std::sync::{Arc, OnceLock};

use crm_module::{
    Assembled, ExtensionRoutes, Grant, Hooks, Hop, Module, ModuleContext, ModuleError, Parts, Role,
    TimelineSource,
};
use crm_store::{DocumentService, RuledService, SchemaStep, TypeRegistry};
use tmf_apis::catalog::CatalogError;
use tmf_apis::{Domain, Operation};

use bills::{BillKind, BillRules, CUSTOMER_BILL};
use on_demand::{BILL_ON_DEMAND, BillOnDemand, OnDemandKind, OnDemandRules};
use rates::{APPLIED_RATE, RateKind, RateRules};

/// The tables of this crate: bills indexed by state, number and account (the receivable
/// balance reads an account's bills); rates by bill and account (a bill's lines, an account's
/// unbilled rates).
const SCHEMA: &[SchemaStep] = &[
    SchemaStep::document_table(
        "0001_customer_bill",
        "customer_bill",
        &["state", "billNo", "billingAccount.id"],
    ),
    SchemaStep::document_table(
        "0002_applied_billing_rate",
        "applied_billing_rate",
        &["bill.id", "billingAccount.id", "isBilled"],
    ),
    SchemaStep::document_table("0003_bill_on_demand", "bill_on_demand", &["state"]),
    SchemaStep::document_table(
        "0004_bill_adjustment",
        "bill_adjustment",
        &["state", "billingAccount.id", "bill.id"],
    ),
];

fn spec_error(source: CatalogError) -> ModuleError {
    ModuleError::Spec {
        module: "billing-inquiry",
        source,
    }
}

/// The settings of the section `[billing]`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BillingSettings {
    /// The reason codes a bill dispute may give (`reasonCode`).
    pub dispute_reasons: Vec<String>,
    /// The reason codes an adjustment may give.
    pub adjustment_reasons: Vec<String>,
    /// The general-ledger codes an adjustment may be booked under.
    pub gl_codes: Vec<String>,
    /// Per currency, the largest adjustment approved automatically (above it, a supervisor
    /// who is not the proposer approves); a currency not listed always needs one.
    pub approval_thresholds: std::collections::BTreeMap<String, serde_json::Value>,
    /// The reason code of the credits proposed for SLA breaches (one of
    /// `adjustment_reasons`).
    pub compensation_reason: String,
    /// Their general-ledger code (one of `gl_codes`).
    pub compensation_gl_code: String,
}

impl BillingSettings {
    fn policy(&self) -> Result<adjustments::AdjustmentPolicy, ModuleError> {
        let mut thresholds = std::collections::BTreeMap::new();
        for (currency, value) in &self.approval_thresholds {
            let text = match value {
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            let amount =
                text.parse::<rust_decimal::Decimal>()
                    .map_err(|_| ModuleError::Settings {
                        section: "billing",
                        message: format!(
                            "approval_thresholds.{currency}: '{text}' is not an amount"
                        ),
                    })?;
            thresholds.insert(currency.clone(), amount);
        }
        if !self.adjustment_reasons.contains(&self.compensation_reason) {
            return Err(ModuleError::Settings {
                section: "billing",
                message: format!(
                    "compensation_reason: '{}' is not one of adjustment_reasons",
                    self.compensation_reason
                ),
            });
        }
        if !self.gl_codes.contains(&self.compensation_gl_code) {
            return Err(ModuleError::Settings {
                section: "billing",
                message: format!(
                    "compensation_gl_code: '{}' is not one of gl_codes",
                    self.compensation_gl_code
                ),
            });
        }
        Ok(adjustments::AdjustmentPolicy {
            thresholds,
            reasons: self.adjustment_reasons.clone(),
            gl_codes: self.gl_codes.clone(),
        })
    }
}

impl Default for BillingSettings {
    fn default() -> Self {
        Self {
            dispute_reasons: [
                "billingError",
                "unrecognisedCharge",
                "serviceNotReceived",
                "pricingError",
                "duplicateCharge",
                "qualityOfService",
                "other",
            ]
            .map(str::to_owned)
            .to_vec(),
            adjustment_reasons: [
                "disputeGranted",
                "goodwill",
                "billingError",
                "serviceCredit",
                "loyaltyRedemption",
                "uncollectible",
                "reversal",
            ]
            .map(str::to_owned)
            .to_vec(),
            gl_codes: ["4000-revenue", "4100-credits", "6800-bad-debt"]
                .map(str::to_owned)
                .to_vec(),
            approval_thresholds: [("EUR", "50"), ("USD", "50"), ("GBP", "50")]
                .map(|(c, v)| (c.to_owned(), serde_json::Value::String(v.to_owned())))
                .into_iter()
                .collect(),
            compensation_reason: "serviceCredit".to_owned(),
            compensation_gl_code: "4100-credits".to_owned(),
        }
    }
}

/// Billing inquiry as a module of the server.
#[derive(Debug, Default)]
pub struct BillingInquiry {
    /// The bills' document service, built with the parts, for the payment route.
    bills: OnceLock<Arc<DocumentService<BillKind>>>,
    /// The rules of bill disputes, offered before the hooks they use are all there.
    disputes: OnceLock<Arc<disputes::DisputeRules>>,
    /// The credits for SLA breaches, offered before the adjustment rules they use are built.
    credits: OnceLock<Arc<compensation::SlaCredit>>,
}

impl Module for BillingInquiry {
    fn name(&self) -> &'static str {
        "billing-inquiry"
    }

    fn schema(&self) -> &'static [SchemaStep] {
        SCHEMA
    }

    fn settings_sections(&self) -> &'static [&'static str] {
        &["billing"]
    }

    /// Billing owns the rules of trouble tickets of type "Bill Dispute".
    fn offer(&self, ctx: &ModuleContext, hooks: &mut Hooks) -> Result<(), ModuleError> {
        let settings: BillingSettings = ctx.settings("billing")?;
        settings.policy()?;
        let credits = Arc::new(compensation::SlaCredit {
            reason: settings.compensation_reason.clone(),
            gl_code: settings.compensation_gl_code.clone(),
            ..compensation::SlaCredit::default()
        });
        let _ = self.credits.set(credits.clone());
        hooks.offer_compensation(credits.clone())?;
        hooks.offer_bill_credits(credits)?;
        let Some(tickets) = ctx.registry.get("TroubleTicket") else {
            return Ok(());
        };
        let rules = Arc::new(disputes::DisputeRules {
            store: ctx.store.clone(),
            bills: Arc::new(DocumentService::new(
                BillKind::new(ctx.clock.clone()).map_err(spec_error)?,
                ctx.store.clone(),
                ctx.registry.clone(),
            )),
            rates: Arc::new(DocumentService::new(
                RateKind::new().map_err(spec_error)?,
                ctx.store.clone(),
                ctx.registry.clone(),
            )),
            tickets,
            accounts: ctx.registry.get("BillingAccount"),
            balances: OnceLock::new(),
            reasons: settings.dispute_reasons,
        });
        let _ = self.disputes.set(rules.clone());
        hooks.offer_subtype(tickets.kind, disputes::BILL_DISPUTE, rules)
    }

    fn register_types(&self, registry: &mut TypeRegistry) {
        registry.register("CustomerBill", CUSTOMER_BILL);
        registry.register("AppliedCustomerBillingRate", APPLIED_RATE);
        registry.register("CustomerBillOnDemand", BILL_ON_DEMAND);
        registry.register("BillAdjustment", adjustments::BILL_ADJUSTMENT);
        // A bill run writes rates by the million: their bill and billing account are
        // indexed by the rates' own table (SCHEMA), not by rows of the reference index.
        registry.index_in_table(APPLIED_RATE, "bill", "CustomerBill");
        registry.index_in_table(APPLIED_RATE, "billingAccount", "BillingAccount");
    }

    fn permissions(&self) -> Vec<Grant> {
        use Operation::*;
        vec![
            // The billing system pushes bills and rates, records payments and moves bills.
            Grant::new(Role::BillingSystem, Domain::Bill, &[Read, Create, Update]),
            Grant::new(Role::BillingSystem, Domain::BillRequest, &[Read, Create]),
            // The billing system raises bill disputes (tickets) and reads their outcomes.
            Grant::new(Role::BillingSystem, Domain::Ticket, &[Read, Create]),
            // It learns the outcomes: the adjustments to apply in its next run.
            Grant::new(Role::BillingSystem, Domain::Adjustment, &[Read]),
            // CSRs put bills on hold and take them off (the rules refuse other moves), and
            // ask for a bill on demand.
            Grant::new(Role::Csr, Domain::Bill, &[Update]),
            Grant::new(Role::Csr, Domain::BillRequest, &[Create]),
            // CSRs propose adjustments (and withdraw their own); supervisors approve them
            // (the rules refuse the proposer above the threshold).
            Grant::new(Role::Csr, Domain::Adjustment, &[Create, Update]),
            Grant::new(Role::Supervisor, Domain::Adjustment, &[Approve]),
        ]
    }

    fn build(&self, ctx: &ModuleContext, hooks: &Hooks) -> Result<Parts, ModuleError> {
        if let (Some(disputes), Some(balances)) = (self.disputes.get(), hooks.balances()) {
            let _ = disputes.balances.set(balances);
        }
        let bills = Arc::new(DocumentService::new(
            BillKind::new(ctx.clock.clone()).map_err(spec_error)?,
            ctx.store.clone(),
            ctx.registry.clone(),
        ));
        let rates = Arc::new(DocumentService::new(
            RateKind::new().map_err(spec_error)?,
            ctx.store.clone(),
            ctx.registry.clone(),
        ));
        let mut parts = Parts::default();
        parts.services.push(Arc::new(RuledService::new(
            bills.clone(),
            Arc::new(BillRules {
                bills: bills.clone(),
                balances: hooks.balances(),
            }),
        )));
        parts.services.push(Arc::new(RuledService::new(
            rates.clone(),
            Arc::new(RateRules {
                bills: bills.clone(),
                rates: rates.clone(),
            }),
        )));
        let _ = self.bills.set(bills.clone());
        let requests = Arc::new(DocumentService::new(
            OnDemandKind::new().map_err(spec_error)?,
            ctx.store.clone(),
            ctx.registry.clone(),
        ));
        parts.services.push(Arc::new(RuledService::new(
            requests.clone(),
            Arc::new(OnDemandRules {
                store: ctx.store.clone(),
                accounts: ctx.registry.get("BillingAccount"),
                clock: ctx.clock.clone(),
            }),
        )));
        parts.jobs.push(Arc::new(BillOnDemand {
            store: ctx.store.clone(),
            requests: requests.clone(),
            bills: bills.clone(),
            rates: rates.clone(),
            balances: hooks.balances(),
            clock: ctx.clock.clone(),
        }));
        let settings: BillingSettings = ctx.settings("billing")?;
        let adjustments = Arc::new(DocumentService::new(
            adjustments::AdjustmentKind::new(ctx.clock.clone()).map_err(spec_error)?,
            ctx.store.clone(),
            ctx.registry.clone(),
        ));
        let adjustment_rules = Arc::new(adjustments::AdjustmentRules {
            bills: bills.clone(),
            rates: rates.clone(),
            adjustments: adjustments.clone(),
            tickets: hooks.writer("TroubleTicket"),
            balances: hooks.balances(),
            reversals: hooks.credit_reversals(),
            policy: settings.policy()?,
            clock: ctx.clock.clone(),
        });
        if let Some(credits) = self.credits.get() {
            let _ = credits.rules.set(adjustment_rules.clone());
            let _ = credits.adjustments.set(adjustments.clone());
        }
        parts.services.push(Arc::new(RuledService::new(
            adjustments.clone(),
            adjustment_rules,
        )));
        parts.erasers.push(bills);
        parts.erasers.push(rates);
        parts.erasers.push(requests);
        parts.erasers.push(adjustments);
        // Bills refer to the customer's billing accounts: the view and the timeline reach
        // them one step further. Without a module storing billing accounts, neither does.
        if let Some(accounts) = ctx.registry.get("BillingAccount") {
            let hop = Hop {
                table: CUSTOMER_BILL.table,
                via: accounts,
            };
            parts.view_sections.push(Arc::new(view::BillsSection {
                store: ctx.store.clone(),
                hop,
            }));
            parts.timeline.push(TimelineSource {
                resource_type: CUSTOMER_BILL.kind,
                kind: "bill",
                through: Some(hop),
            });
            let adjustments_hop = Hop {
                table: adjustments::BILL_ADJUSTMENT.table,
                via: accounts,
            };
            parts.timeline.push(TimelineSource {
                resource_type: adjustments::BILL_ADJUSTMENT.kind,
                kind: "adjustment",
                through: Some(adjustments_hop),
            });
            if let Some(tickets) = ctx.registry.get("TroubleTicket") {
                parts.view_sections.push(Arc::new(view::DisputesSection {
                    store: ctx.store.clone(),
                    bills: hop,
                    adjustments: adjustments_hop,
                    tickets,
                }));
            }
        }
        Ok(parts)
    }

    fn routes(&self, app: &Assembled) -> Result<ExtensionRoutes, ModuleError> {
        let bills = self
            .bills
            .get()
            .cloned()
            .ok_or(ModuleError::MissingService("CustomerBill"))?;
        payments::routes(app, bills)
    }

    /// `import bills` and `export bills`: the bill exchange file.
    fn commands(&self) -> Vec<Arc<dyn crm_module::Command>> {
        exchange::commands()
    }
}
