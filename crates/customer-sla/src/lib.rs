//! Customer SLA Management (TAM), first part: TMF623 SLAs of a customer and the violations the
//! server records, at `/tmf-api/slaManagement/v4/`. TM Forum published TMF623 only as v2.0;
//! this crate serves its resources with the v4 conventions, as `specs/` and
//! `docs/tmf623-adaptation.md` describe.
//!
//! - [`slas`]: `sla`, its rules, its lifecycle and the terms frozen once approved;
//! - [`violations`]: `slaViolation`, read-only for clients;
//! - [`measurements`]: `slaMeasurement`, an extension through which assurance and monitoring
//!   systems report what they measured, judged by the SLA's rules (a miss records a violation);
//! - [`targets`]: the targets the CRM measures itself on every ticket (resolution and first
//!   response) and order (completion), through the rules the module contract lets a domain
//!   add to another's type;
//! - [`standing`]: the live standing of every covered ticket and order (`onTrack`, `atRisk`,
//!   `breached`, `met`) and its due times, kept in `crm_store::deadlines`;
//! - [`evaluator`]: the job that assesses again what crossed a threshold;
//! - [`expiry`]: the job that expires SLAs at the end of their `validFor`.

pub mod breach;
pub mod calendar;
pub mod evaluator;
pub mod expiry;
pub mod measurements;
pub mod report;
pub mod slas;
mod spec;
pub mod standing;
pub mod targets;
pub mod violations;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crm_module::{
    Assembled, ExtensionRoutes, Grant, Hooks, Module, ModuleContext, ModuleError, Parts, Role,
    TimelineSource,
};
use crm_store::{DocumentService, RuledService, SchemaStep, TypeRegistry};
use tmf_apis::catalog::CatalogError;
use tmf_apis::{Domain, Operation};

use measurements::{MeasurementKind, MeasurementRules, SLA_MEASUREMENT};
use slas::{SLA, SlaKind, SlaRules};
use violations::{SLA_VIOLATION, ViolationKind};

/// The tables of this crate: SLAs by state (the expiry job reads the active ones), violations
/// by SLA and rule, measurements by SLA.
const SCHEMA: &[SchemaStep] = &[
    SchemaStep::document_table("0001_sla", "sla", &["state"]),
    SchemaStep::document_table(
        "0002_sla_violation",
        "sla_violation",
        &["sla.id", "rule.id"],
    ),
    SchemaStep::document_table("0003_sla_measurement", "sla_measurement", &["sla.id"]),
];

fn spec_error(source: CatalogError) -> ModuleError {
    ModuleError::Spec {
        module: "customer-sla",
        source,
    }
}

/// The settings of the section `[sla]`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlaSettings {
    /// Seconds between two passes of the expiry job.
    pub expiry_interval_secs: u64,
    /// Seconds between two passes of the evaluator job (the live standing).
    pub evaluation_interval_secs: u64,
    /// The share of a target, in percent, past which a ticket or order is `atRisk`.
    pub at_risk_percent: u8,
}

impl Default for SlaSettings {
    fn default() -> Self {
        Self {
            expiry_interval_secs: 60,
            evaluation_interval_secs: 30,
            at_risk_percent: 80,
        }
    }
}

impl SlaSettings {
    /// The at-risk share, checked: more than nothing, at most the whole target.
    fn at_risk_share(&self) -> Result<rust_decimal::Decimal, ModuleError> {
        if !(1..=100).contains(&self.at_risk_percent) {
            return Err(ModuleError::Settings {
                section: "sla",
                message: format!(
                    "at_risk_percent must be between 1 and 100, not {}",
                    self.at_risk_percent
                ),
            });
        }
        Ok(rust_decimal::Decimal::from(self.at_risk_percent) / rust_decimal::Decimal::ONE_HUNDRED)
    }
}

/// Customer SLA management as a module of the server.
#[derive(Debug, Default)]
pub struct CustomerSla {
    /// The measurements' document service, built with the parts, for the report route.
    measurements: OnceLock<Arc<DocumentService<MeasurementKind>>>,
    /// The ticket and order targets, offered before the compensations they use are all there.
    targets: OnceLock<Arc<targets::Targets>>,
}

impl Module for CustomerSla {
    fn name(&self) -> &'static str {
        "customer-sla"
    }

    fn settings_sections(&self) -> &'static [&'static str] {
        &["sla"]
    }

    fn schema(&self) -> &'static [SchemaStep] {
        SCHEMA
    }

    fn register_types(&self, registry: &mut TypeRegistry) {
        registry.register("Sla", SLA);
        registry.register("SlaViolation", SLA_VIOLATION);
        registry.register("SlaMeasurement", SLA_MEASUREMENT);
    }

    fn permissions(&self) -> Vec<Grant> {
        use Operation::*;
        vec![
            // Supervisors define customers' SLAs and move them through their lifecycle;
            // CSRs read them (and their violations) like everything else.
            Grant::new(Role::Supervisor, Domain::Sla, &[Create, Update]),
            // Assurance and monitoring systems report what they measured.
            Grant::new(Role::Integration, Domain::SlaMeasurement, &[Create]),
        ]
    }

    /// The SLA targets on every ticket and order (rules other domains add to
    /// `TroubleTicket` and `ProductOrder`).
    fn offer(&self, ctx: &ModuleContext, hooks: &mut Hooks) -> Result<(), ModuleError> {
        let settings: SlaSettings = ctx.settings("sla")?;
        let targets = Arc::new(targets::Targets {
            violations: Arc::new(DocumentService::new(
                ViolationKind::new().map_err(spec_error)?,
                ctx.store.clone(),
                ctx.registry.clone(),
            )),
            compensations: OnceLock::new(),
            customers: ctx.registry.get("Customer"),
            clock: ctx.clock.clone(),
            at_risk_share: settings.at_risk_share()?,
            watched: ["TroubleTicket", "ProductOrder"]
                .into_iter()
                .filter_map(|name| Some((name, ctx.registry.get(name)?)))
                .collect(),
        });
        if ctx.registry.get("TroubleTicket").is_some() {
            hooks.offer_type_rules(
                "TroubleTicket",
                Arc::new(targets::TicketTargets(targets.clone())),
            );
        }
        if ctx.registry.get("ProductOrder").is_some() {
            hooks.offer_type_rules(
                "ProductOrder",
                Arc::new(targets::OrderTargets(targets.clone())),
            );
        }
        let _ = self.targets.set(targets);
        Ok(())
    }

    fn build(&self, ctx: &ModuleContext, hooks: &Hooks) -> Result<Parts, ModuleError> {
        let compensations = breach::Compensations {
            credit: hooks.compensation("credit"),
            points: hooks.compensation("points"),
            products: ctx.registry.get("Product"),
        };
        let settings: SlaSettings = ctx.settings("sla")?;
        let mut parts = Parts::default();
        if let Some(targets) = self.targets.get() {
            let _ = targets.compensations.set(compensations.clone());
            // The live standing of what the targets watch, written through the writers the
            // watched types' domains offer.
            let writers = ["TroubleTicket", "ProductOrder"]
                .into_iter()
                .filter_map(|name| Some((name, hooks.writer(name)?)))
                .collect();
            parts.jobs.push(Arc::new(evaluator::Evaluator {
                store: ctx.store.clone(),
                targets: targets.clone(),
                writers,
                clock: ctx.clock.clone(),
                interval: Duration::from_secs(settings.evaluation_interval_secs.max(1)),
            }));
        }
        let slas = Arc::new(DocumentService::new(
            SlaKind::new().map_err(spec_error)?,
            ctx.store.clone(),
            ctx.registry.clone(),
        ));
        let violations = Arc::new(DocumentService::new(
            ViolationKind::new().map_err(spec_error)?,
            ctx.store.clone(),
            ctx.registry.clone(),
        ));
        let measurements = Arc::new(DocumentService::new(
            MeasurementKind::new(ctx.clock.clone()).map_err(spec_error)?,
            ctx.store.clone(),
            ctx.registry.clone(),
        ));
        parts.services.push(Arc::new(RuledService::new(
            slas.clone(),
            Arc::new(SlaRules {
                clock: ctx.clock.clone(),
                targets: self.targets.get().cloned(),
            }),
        )));
        parts.services.push(violations.clone());
        parts.services.push(Arc::new(RuledService::new(
            measurements.clone(),
            Arc::new(MeasurementRules {
                slas: slas.clone(),
                violations: violations.clone(),
                measurements: measurements.clone(),
                compensations,
            }),
        )));
        parts.jobs.push(Arc::new(expiry::Expiry {
            store: ctx.store.clone(),
            slas: slas.clone(),
            clock: ctx.clock.clone(),
            interval: Duration::from_secs(settings.expiry_interval_secs.max(1)),
        }));
        parts.erasers.push(slas);
        parts.erasers.push(violations);
        parts.erasers.push(measurements.clone());
        // The customer's SLAs (they name the customer as their consumer), each with its
        // one-line standing.
        parts.view_sections.push(Arc::new(report::SlasSection {
            store: ctx.store.clone(),
            measurements: measurements.clone(),
        }));
        // A violation names the customer: it is in their timeline, as what it is.
        parts.timeline.push(TimelineSource {
            resource_type: SLA_VIOLATION.kind,
            kind: "slaViolation",
            through: None,
        });
        let _ = self.measurements.set(measurements);
        Ok(parts)
    }

    /// `GET …/sla/{id}/report`: the SLA's compliance.
    fn routes(&self, app: &Assembled) -> Result<ExtensionRoutes, ModuleError> {
        let measurements = self
            .measurements
            .get()
            .cloned()
            .ok_or(ModuleError::MissingService("SlaMeasurement"))?;
        report::routes(app, measurements)
    }
}
