//! Customer Problem Management (TAM): TMF621 trouble tickets.
//!
//! - `tickets`: the `troubleTicket` resource: its rules for every write (`TicketKind`) and
//!   the API's rules for clients (`Tickets`): server-owned dates and history, append-only
//!   signed notes, parents that close after their children, contacts recorded as TMF683
//!   interactions.
//! - `lifecycle`: the status machine, with the reopening window.
//! - `escalation`: the background job that raises over-age tickets, with an injectable clock.
//! - `settings`: severities, priorities, thresholds and targets an operator configures.
//!
//! Bill disputes will be tickets of type "Bill Dispute": their amounts travel as
//! `troubleTicketCharacteristic`s and the disputed bill as a `relatedEntity` with role
//! `disputedBill`, both of which this crate already carries and checks.
//!
//! Like every application crate, this one builds on `crm-store` and `tmf-apis` and must not
//! depend on another application crate: the interaction a call is recorded as is written
//! through the `PartyInteraction` writer another module offers ([`crm_module::Hooks`]).

pub mod escalation;
pub mod lifecycle;
pub mod settings;
mod spec;
pub mod tickets;

use std::sync::Arc;

use crm_module::{
    Grant, Hooks, Module, ModuleContext, ModuleError, Parts, ReferencingSection, Role,
};
use crm_store::{
    Clock, DocumentService, DocumentWriter, Erasable, RuledService, Store, TypeRegistry,
};
use tmf_apis::catalog::CatalogError;
use tmf_apis::{Domain, ResourceService};

pub use escalation::{ESCALATION_JOB, Escalator};
pub use settings::TicketSettings;
use tickets::{TROUBLE_TICKET, TicketKind, Tickets};

/// Registers the types this crate stores, so that references from any API can be checked.
fn register_types(registry: &mut TypeRegistry) {
    registry.register("TroubleTicket", TROUBLE_TICKET);
}

/// This crate's services, the kinds privacy erasure must walk, and the escalation job.
struct Services {
    /// Every resource service.
    pub all: Vec<Arc<dyn ResourceService>>,
    /// The kinds that hold personal data (tickets name parties and hold their words).
    pub erasers: Vec<Arc<dyn Erasable>>,
    /// The escalation job (not started: the server starts it).
    pub escalator: Arc<Escalator>,
}

/// Customer Problem Management as a module of the server: trouble tickets, the 360 view's
/// `openTickets` section and the escalation job. Its settings are the section `[tickets]`.
#[derive(Debug, Clone, Copy, Default)]
pub struct CustomerProblem;

impl Module for CustomerProblem {
    fn name(&self) -> &'static str {
        "customer-problem"
    }

    fn settings_sections(&self) -> &'static [&'static str] {
        &["tickets"]
    }

    fn register_types(&self, registry: &mut TypeRegistry) {
        register_types(registry);
    }

    fn permissions(&self) -> Vec<Grant> {
        use tmf_apis::Operation::*;
        vec![
            Grant::new(Role::Csr, Domain::Ticket, &[Create, Update]),
            Grant::new(Role::Supervisor, Domain::Ticket, &[Delete, Approve]),
            // Network assurance raises trouble tickets and works on them.
            Grant::new(Role::Integration, Domain::Ticket, &[Create, Update]),
        ]
    }

    /// Another domain's change may amend a ticket it owns the type of (billing records a
    /// dispute's granted amount as its adjustments are applied): the ticket writer, with the
    /// ticket kind's rules, history and events.
    fn offer(&self, ctx: &ModuleContext, hooks: &mut Hooks) -> Result<(), ModuleError> {
        let settings: TicketSettings = ctx.settings("tickets")?;
        let kind = TicketKind::new(Arc::new(settings), ctx.clock.clone()).map_err(|source| {
            ModuleError::Spec {
                module: "customer-problem",
                source,
            }
        })?;
        hooks.offer_writer(Arc::new(DocumentService::new(
            kind,
            ctx.store.clone(),
            ctx.registry.clone(),
        )))
    }

    fn build(&self, ctx: &ModuleContext, hooks: &Hooks) -> Result<Parts, ModuleError> {
        let settings: TicketSettings = ctx.settings("tickets")?;
        let built = services(
            &ctx.store,
            &ctx.registry,
            settings,
            ctx.clock.clone(),
            hooks.writer("PartyInteraction"),
            tickets::ForeignRules {
                subtypes: hooks.subtypes(tickets::TROUBLE_TICKET.kind),
                every: hooks.type_rules(tickets::TROUBLE_TICKET.kind),
            },
        )
        .map_err(|error| match error {
            SetupError::Spec(source) => ModuleError::Spec {
                module: "customer-problem",
                source,
            },
            SetupError::Settings(message) => ModuleError::Settings {
                section: "tickets",
                message,
            },
        })?;
        Ok(Parts {
            services: built.all,
            erasers: built.erasers,
            view_sections: vec![Arc::new(ReferencingSection {
                section: "openTickets",
                table: tickets::TICKET_TABLE,
                kinds: &["TroubleTicket"],
                keep: Some(tickets::is_open_ticket),
                store: ctx.store.clone(),
            })],
            jobs: vec![built.escalator],
            ..Parts::default()
        })
    }
}

/// Why the ticket services could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The shipped specification lacks a definition.
    #[error(transparent)]
    Spec(#[from] CatalogError),
    /// The ticket settings are inconsistent.
    #[error("{0}")]
    Settings(String),
}

/// The services of this crate over `store`. `interactions`, when given, records the contact a
/// ticket was logged from; `clock` is the time every ticket rule reads.
fn services(
    store: &Store,
    registry: &Arc<TypeRegistry>,
    settings: TicketSettings,
    clock: Arc<dyn Clock>,
    interactions: Option<Arc<dyn DocumentWriter>>,
    rules: tickets::ForeignRules,
) -> Result<Services, SetupError> {
    settings.check().map_err(SetupError::Settings)?;
    let settings = Arc::new(settings);
    let tickets = Arc::new(DocumentService::new(
        TicketKind::new(settings.clone(), clock.clone())?,
        store.clone(),
        registry.clone(),
    ));
    let api = Arc::new(Tickets::new(
        tickets.clone(),
        interactions,
        rules,
        clock.clone(),
    ));
    let escalator = Arc::new(Escalator::new(store, tickets.clone(), settings, clock));
    Ok(Services {
        all: vec![Arc::new(RuledService::new(tickets.clone(), api))],
        erasers: vec![tickets],
        escalator,
    })
}
