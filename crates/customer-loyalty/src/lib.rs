//! Customer Loyalty Management (TAM), first part: TMF658 Loyalty Management v4 at
//! `/tmf-api/loyalty/v4/`, the v4 file's resources with its defects adapted
//! (`specs/TMF658-LoyaltyManagement-v4-adapted.swagger.json`, `docs/tmf658-adaptation.md`).
//!
//! - [`kinds`]: the thirteen resources as stored kinds, their methods, domains and references;
//! - [`rules`]: what the CRM relies on: a member is one of its customers, an enrolment opens
//!   the account its programme needs, a balance's points never change, an event is taken once
//!   per source id.
//!
//! - [`earning`]: points earned by the rules from each `loyaltyEvent`, and granted for an SLA
//!   breach (the `points` compensation hook);
//! - [`expiry`]: what is left of each balance, and the job that expires it at the end of its
//!   window;
//! - [`burn`]: points burned into a bill credit (the `loyaltyBurn` extension), the balances
//!   that expire first spent first;
//! - [`tiers`]: the member's tier from what the customer paid and its tenure;
//! - [`tenure`]: membership anniversaries, events the rules earn from.
//!
//! Not here yet (issue 7 of 7 goes on): earning from the product's own events (bills settled,
//! orders completed, tenure), burning into bill credits, expiry, tiers, and the loyalty
//! business events.

pub mod burn;
pub mod earning;
pub mod expiry;
pub mod kinds;
pub mod rules;
mod spec;
pub mod tenure;
pub mod tiers;
mod view;

use std::sync::{Arc, OnceLock};

use crm_module::{Grant, Hooks, Module, ModuleContext, ModuleError, Parts, Role};
use crm_store::{DocumentService, Erasable, ResourceKind, RuledService, SchemaStep, TypeRegistry};
use tmf_apis::catalog::CatalogError;
use tmf_apis::{Domain, ResourceService};

use kinds::*;

/// The tables of this crate: the programme and its rules; members, enrolments and accounts;
/// balances by member; events by source id and member.
const SCHEMA: &[SchemaStep] = &[
    SchemaStep::document_table("0001_loyalty_program", PROGRAM_TABLE, &[]),
    SchemaStep::document_table("0002_loyalty_member", MEMBER_TABLE, &["status"]),
    SchemaStep::document_table(
        "0003_loyalty_balance",
        BALANCE_TABLE,
        &["loyaltyProgramMember.id"],
    ),
    SchemaStep::document_table("0004_loyalty_event", EVENT_TABLE, &["memberId"]),
];

fn spec_error(source: CatalogError) -> ModuleError {
    ModuleError::Spec {
        module: "customer-loyalty",
        source,
    }
}

/// A document service of `kind` over the module's store.
fn service<K: ResourceKind>(
    ctx: &ModuleContext,
    kind: Result<K, CatalogError>,
) -> Result<Arc<DocumentService<K>>, ModuleError> {
    Ok(Arc::new(DocumentService::new(
        kind.map_err(spec_error)?,
        ctx.store.clone(),
        ctx.registry.clone(),
    )))
}

/// The settings of the section `[loyalty]`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoyaltySettings {
    /// How many days points earned may be burned.
    pub points_valid_days: u32,
    /// Seconds between two passes of the expiry job.
    pub expiry_interval_secs: u64,
    /// What a point is worth, per currency a burn may credit (decimal texts).
    pub burn_rates: std::collections::BTreeMap<String, String>,
    /// The adjustment reason of the credits burns make (one of `[billing] adjustment_reasons`).
    pub burn_reason: String,
    /// The tiers, lowest first.
    pub tiers: Vec<TierSetting>,
    /// The currency of the tiers' payment thresholds.
    pub tier_currency: String,
    /// How many days back the payments a tier counts go.
    pub tier_window_days: u32,
    /// Seconds between two passes of the tenure job.
    pub tenure_interval_secs: u64,
}

/// One tier of `[loyalty] tiers`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierSetting {
    /// Its name.
    pub name: String,
    /// What must have been paid in the window (a decimal text).
    pub min_paid: String,
    /// The tenure needed, in days.
    pub min_tenure_days: u32,
    /// What `byTier` earning is multiplied by (a decimal text).
    pub multiplier: String,
}

impl LoyaltySettings {
    /// The tiers, read and checked: at least one, names unique, thresholds never falling.
    fn tiers(&self) -> Result<Vec<tiers::Tier>, ModuleError> {
        let refused = |message: String| ModuleError::Settings {
            section: "loyalty",
            message,
        };
        let mut out: Vec<tiers::Tier> = Vec::new();
        for setting in &self.tiers {
            let read = |what: &str, text: &str| {
                text.trim()
                    .parse::<rust_decimal::Decimal>()
                    .ok()
                    .filter(|d| !d.is_sign_negative())
                    .ok_or_else(|| {
                        refused(format!(
                            "tiers.{}.{what}: '{text}' is not a decimal",
                            setting.name
                        ))
                    })
            };
            let tier = tiers::Tier {
                name: setting.name.clone(),
                min_paid: read("min_paid", &setting.min_paid)?,
                min_tenure_days: i64::from(setting.min_tenure_days),
                multiplier: read("multiplier", &setting.multiplier)?,
            };
            if let Some(last) = out.last()
                && (tier.min_paid < last.min_paid || tier.min_tenure_days < last.min_tenure_days)
            {
                return Err(refused(format!(
                    "tiers.{}: its thresholds are below those of {}",
                    tier.name, last.name
                )));
            }
            if out.iter().any(|t| t.name == tier.name) {
                return Err(refused(format!("tiers.{}: named twice", tier.name)));
            }
            out.push(tier);
        }
        if out.is_empty() {
            return Err(refused("tiers: at least one".into()));
        }
        Ok(out)
    }

    /// The burn rates, read.
    fn rates(
        &self,
    ) -> Result<std::collections::BTreeMap<String, rust_decimal::Decimal>, ModuleError> {
        self.burn_rates
            .iter()
            .map(|(currency, rate)| {
                rate.trim()
                    .parse::<rust_decimal::Decimal>()
                    .ok()
                    .filter(|rate| *rate > rust_decimal::Decimal::ZERO)
                    .map(|rate| (currency.clone(), rate))
                    .ok_or_else(|| ModuleError::Settings {
                        section: "loyalty",
                        message: format!(
                            "burn_rates.{currency}: '{rate}' is not a positive decimal"
                        ),
                    })
            })
            .collect()
    }
}

impl Default for LoyaltySettings {
    fn default() -> Self {
        Self {
            points_valid_days: 365,
            expiry_interval_secs: 60,
            burn_rates: [("EUR", "0.01"), ("USD", "0.01"), ("GBP", "0.01")]
                .map(|(currency, rate)| (currency.to_owned(), rate.to_owned()))
                .into_iter()
                .collect(),
            burn_reason: "loyaltyRedemption".to_owned(),
            tiers: [
                ("bronze", "0", 0, "1"),
                ("silver", "500", 0, "1.25"),
                ("gold", "2000", 365, "1.5"),
                ("platinum", "5000", 730, "2"),
            ]
            .map(|(name, paid, days, multiplier)| TierSetting {
                name: name.to_owned(),
                min_paid: paid.to_owned(),
                min_tenure_days: days,
                multiplier: multiplier.to_owned(),
            })
            .to_vec(),
            tier_currency: "EUR".to_owned(),
            tier_window_days: 365,
            tenure_interval_secs: 3600,
        }
    }
}

/// Customer loyalty management as a module of the server.
#[derive(Debug, Default)]
pub struct CustomerLoyalty {
    /// Where points are granted, made when the hooks are offered.
    earning: OnceLock<Arc<earning::Earning>>,
    /// What customers do elsewhere, recorded as loyalty events (made with the hooks).
    product_events: OnceLock<Arc<earning::ProductEvents>>,
}

impl Module for CustomerLoyalty {
    fn name(&self) -> &'static str {
        "customer-loyalty"
    }

    fn schema(&self) -> &'static [SchemaStep] {
        SCHEMA
    }

    fn settings_sections(&self) -> &'static [&'static str] {
        &["loyalty"]
    }

    /// Points for an SLA breach (`points 500`), to the member the customer is.
    fn offer(&self, ctx: &ModuleContext, hooks: &mut Hooks) -> Result<(), ModuleError> {
        let settings: LoyaltySettings = ctx.settings("loyalty")?;
        if settings.points_valid_days == 0 {
            return Err(ModuleError::Settings {
                section: "loyalty",
                message: "points_valid_days must be at least 1".into(),
            });
        }
        let earning = Arc::new(earning::Earning {
            balances: service(ctx, BalanceKind::new())?,
            clock: ctx.clock.clone(),
            valid_days: i64::from(settings.points_valid_days),
            customers: ctx.registry.get("Customer"),
            accounts: ctx.registry.get("BillingAccount"),
            tiers: Arc::new(tiers::Tiers {
                levels: settings.tiers()?,
                currency: settings.tier_currency.clone(),
                window_days: i64::from(settings.tier_window_days.max(1)),
                members: service(ctx, MemberKind::new())?,
                events: service(ctx, EventKind::new())?,
                clock: ctx.clock.clone(),
            }),
        });
        let _ = self.earning.set(earning.clone());
        hooks.offer_compensation(Arc::new(earning::PointsCompensation(earning.clone())))?;
        // What customers do elsewhere earns: bills paid (billing tells), orders completed (a
        // rule on every order).
        let product_events = Arc::new(earning::ProductEvents {
            earning,
            events: service(ctx, EventKind::new())?,
        });
        let _ = self.product_events.set(product_events.clone());
        hooks.offer_business_listener(product_events.clone());
        if ctx.registry.get("ProductOrder").is_some() {
            hooks.offer_type_rules(
                "ProductOrder",
                Arc::new(earning::OrderEvents(product_events)),
            );
        }
        // A burn's credit reversed gives the points back.
        hooks.offer_credit_reversal(Arc::new(burn::BurnReversal {
            burns: service(ctx, BurnKind::new())?,
            balances: service(ctx, BalanceKind::new())?,
        }));
        Ok(())
    }

    fn register_types(&self, registry: &mut TypeRegistry) {
        for stored in [
            PROGRAM,
            MEMBER,
            ENROLMENT,
            ACCOUNT,
            BALANCE,
            RULE,
            CONDITION,
            ACTION,
            EVENT_TYPE,
            RULE_CONDITION,
            RULE_ACTION,
            RULE_EVENT_TYPE,
            EVENT,
            BURN,
        ] {
            registry.register(stored.kind, stored);
        }
    }

    fn permissions(&self) -> Vec<Grant> {
        use tmf_apis::Operation::*;
        vec![
            // Supervisors define programmes and their rules, and grant points by hand.
            Grant::new(Role::Supervisor, Domain::Loyalty, &[Create, Update, Delete]),
            // CSRs enrol customers and burn their points; supervisors remove memberships.
            Grant::new(Role::Csr, Domain::LoyaltyMember, &[Create, Update]),
            Grant::new(Role::Supervisor, Domain::LoyaltyMember, &[Delete]),
            // Operators' systems report the business events rules earn from.
            Grant::new(Role::Integration, Domain::LoyaltyEvent, &[Create]),
            Grant::new(Role::Supervisor, Domain::LoyaltyEvent, &[Create]),
        ]
    }

    fn build(&self, ctx: &ModuleContext, hooks: &Hooks) -> Result<Parts, ModuleError> {
        let settings: LoyaltySettings = ctx.settings("loyalty")?;
        let earning = self.earning.get().cloned().ok_or(ModuleError::Hook(
            "loyalty earning built before it was offered".into(),
        ))?;
        let programs = service(ctx, ProgramKind::new())?;
        let members = service(ctx, MemberKind::new())?;
        let enrolments = service(ctx, EnrolmentKind::new())?;
        let accounts = service(ctx, AccountKind::new())?;
        let balances = service(ctx, BalanceKind::new())?;
        let events = service(ctx, EventKind::new())?;
        let burns = service(ctx, BurnKind::new())?;
        let burning = Arc::new(burn::BurnRules {
            earning: earning.clone(),
            members: members.clone(),
            balances: balances.clone(),
            credits: hooks.bill_credits(),
            rates: settings.rates()?,
            reason: settings.burn_reason.clone(),
            clock: ctx.clock.clone(),
        });
        let mut parts = Parts::default();
        let services: Vec<Arc<dyn ResourceService>> = vec![
            programs.clone(),
            Arc::new(RuledService::new(
                members.clone(),
                Arc::new(rules::MemberRules {
                    clock: ctx.clock.clone(),
                }),
            )),
            Arc::new(RuledService::new(
                enrolments.clone(),
                Arc::new(rules::EnrolmentRules {
                    programs,
                    accounts: accounts.clone(),
                }),
            )),
            accounts.clone(),
            Arc::new(RuledService::new(
                balances.clone(),
                Arc::new(rules::BalanceRules),
            )),
            service(ctx, RuleKind::new())?,
            Arc::new(RuledService::new(
                service(ctx, ConditionKind::new())?,
                Arc::new(rules::ConditionRules),
            )),
            Arc::new(RuledService::new(
                service(ctx, ActionKind::new())?,
                Arc::new(rules::ActionRules),
            )),
            service(ctx, EventTypeKind::new())?,
            service(ctx, RuleConditionKind::new())?,
            service(ctx, RuleActionKind::new())?,
            service(ctx, RuleEventTypeKind::new())?,
            Arc::new(RuledService::new(
                events.clone(),
                Arc::new(rules::EventRules {
                    members: members.clone(),
                    earning,
                }),
            )),
        ];
        parts.services = services;
        parts
            .services
            .push(Arc::new(RuledService::new(burns.clone(), burning)));
        if let Some(product_events) = self.product_events.get() {
            parts.jobs.push(Arc::new(tenure::Tenure {
                store: ctx.store.clone(),
                members: members.clone(),
                events: product_events.clone(),
                clock: ctx.clock.clone(),
                interval: std::time::Duration::from_secs(settings.tenure_interval_secs.max(1)),
            }));
        }
        if let Some(earning) = self.earning.get() {
            parts.jobs.push(Arc::new(tiers::TierReview {
                store: ctx.store.clone(),
                tiers: earning.tiers.clone(),
                interval: std::time::Duration::from_secs(settings.tenure_interval_secs.max(1)),
            }));
        }
        parts.jobs.push(Arc::new(expiry::Expiry {
            store: ctx.store.clone(),
            balances: balances.clone(),
            clock: ctx.clock.clone(),
            interval: std::time::Duration::from_secs(settings.expiry_interval_secs.max(1)),
        }));
        // Members name the customer: erasing the customer erases what they hold here.
        let erasers: Vec<Arc<dyn Erasable>> = vec![members, enrolments, balances.clone(), events];
        parts.erasers = erasers;
        // The customer's memberships in the 360 view, with their points.
        parts.view_sections.push(Arc::new(view::LoyaltySection {
            store: ctx.store.clone(),
            balances: balances.clone(),
            clock: ctx.clock.clone(),
        }));
        Ok(parts)
    }
}
