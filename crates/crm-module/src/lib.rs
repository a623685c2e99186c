//! The module contract: how an application crate plugs into the server.
//!
//! Every application crate (customer information, ordering, problems, and the billing, SLA
//! and loyalty crates to come) implements [`Module`], through which it declares what it
//! brings: the types it stores (for reference checks), its settings section, its rows of the
//! permission table, the hooks it offers other domains, its resource services, erasers,
//! 360-view sections, timeline sources and background jobs, and its extension routes with
//! their OpenAPI entries. The server holds a list of modules and loops over it; adding a
//! domain is one crate and one list entry.
//!
//! Before assembly, [`migrate`] applies the store's migrations and then each module's own
//! [`Module::schema`] (its tables). Assembly runs in three phases, each over every module in
//! list order:
//!
//! 1. [`Module::register_types`] and [`Module::permissions`]: the type registry and the
//!    permission table, which every later phase may rely on;
//! 2. [`Module::offer`], then [`Module::build`]: first every module offers its [`Hooks`]
//!    (writers, rules for a subtype it owns), then each builds its [`Parts`] knowing every
//!    hook offered, whatever the list order;
//! 3. [`Module::routes`]: extension routes, which see the whole [`Assembled`] application
//!    (every service, eraser, view section and timeline source of every module).
//!
//! Cross-domain behaviour goes through the hooks, never through one application crate
//! depending on another.
//!
//! A module may also add [`commands`] to the server's command line ([`Module::commands`]:
//! `crm-server import bills FILE.xml`), run over the application assembled as above.

pub mod commands;
pub mod hooks;
pub mod jobs;
pub mod view;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use crm_store::{Clock, Erasable, SchemaStep, Store, TypeRegistry};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tmf_apis::openapi::ExtensionOperation;
use tmf_apis::{ResourceService, RouterConfig};

pub use commands::{Command, CommandContext, CommandError, Console};
pub use crm_auth::{Grant, Role};
pub use hooks::{
    AccountBalances, BillCredits, BusinessEvent, BusinessEventListener, Compensation,
    CompensationRequest, CreditRequest, CreditReversal, Hooks, SubtypeRules, apply_rules,
};
pub use jobs::{Job, JobHandle};
pub use view::{Hop, ReferencingSection, TimelineSource, ViewContributor, ViewSubject};

/// Why a module could not be assembled.
#[derive(Debug, thiserror::Error)]
pub enum ModuleError {
    /// A shipped specification file lacks a definition the module needs.
    #[error("module {module}: {source}")]
    Spec {
        /// The module.
        module: &'static str,
        /// What is missing.
        source: tmf_apis::catalog::CatalogError,
    },
    /// The module's settings section does not read as its settings.
    #[error("settings section [{section}]: {message}")]
    Settings {
        /// The section.
        section: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A hook is offered twice, or one a module needs is not offered.
    #[error("hook {0}")]
    Hook(String),
    /// A module needs a resource service no module builds.
    #[error("no module serves {0}")]
    MissingService(&'static str),
}

/// The settings sections of the modules: the settings file's tables (and `CRM_*`
/// variables) by name, each read by the module that declares it.
pub type Sections = BTreeMap<String, Value>;

/// What every module builds from: the store, the type registry of every module, the clock
/// every rule reads "now" from, and the settings sections.
#[derive(Clone)]
pub struct ModuleContext {
    /// The database.
    pub store: Store,
    /// Where every stored type lives.
    pub registry: Arc<TypeRegistry>,
    /// The time of every business rule.
    pub clock: Arc<dyn Clock>,
    sections: Arc<Sections>,
}

impl std::fmt::Debug for ModuleContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModuleContext")
            .field("sections", &self.sections.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl ModuleContext {
    /// The context over `store`, `registry`, `clock` and the settings `sections`.
    pub fn new(
        store: Store,
        registry: Arc<TypeRegistry>,
        clock: Arc<dyn Clock>,
        sections: Sections,
    ) -> Self {
        Self {
            store,
            registry,
            clock,
            sections: Arc::new(sections),
        }
    }

    /// The settings in `section`, or their defaults when the section is absent; an error
    /// naming the section when it does not read as `T`.
    pub fn settings<T: DeserializeOwned + Default>(
        &self,
        section: &'static str,
    ) -> Result<T, ModuleError> {
        match self.sections.get(section) {
            None => Ok(T::default()),
            Some(value) => {
                serde_json::from_value(value.clone()).map_err(|error| ModuleError::Settings {
                    section,
                    message: error.to_string(),
                })
            }
        }
    }
}

/// Applies the store's migrations, then the schema steps of every module in `modules` that
/// this database has not applied yet (each module's tables are its own), then defines the
/// reference index over the references the modules' tables index themselves.
pub async fn migrate(
    store: &Store,
    modules: &[Arc<dyn Module>],
) -> Result<(), crm_store::StoreError> {
    store.migrate().await?;
    let mut registry = crm_store::TypeRegistry::default();
    for module in modules {
        store.apply_schema(module.name(), module.schema()).await?;
        module.register_types(&mut registry);
    }
    store.define_reference_index(&registry).await
}

/// The type names of `services`, for `Debug` output that names what is served.
pub fn type_names(services: &[Arc<dyn ResourceService>]) -> Vec<&'static str> {
    services.iter().map(|s| s.descriptor().type_name).collect()
}

/// What a module builds: its resource services and what the application gathers from every
/// module.
#[derive(Default)]
pub struct Parts {
    /// Every resource service, for the generic router (and `/openapi.json`, the hubs, links).
    pub services: Vec<Arc<dyn ResourceService>>,
    /// Every resource kind that can hold personal data, for privacy erasure.
    pub erasers: Vec<Arc<dyn Erasable>>,
    /// Sections of the customer 360 view.
    pub view_sections: Vec<Arc<dyn ViewContributor>>,
    /// How the customer timeline names the history entries of the module's resources.
    pub timeline: Vec<TimelineSource>,
    /// Background jobs (started by the server, each on its own interval).
    pub jobs: Vec<Arc<dyn Job>>,
}

impl std::fmt::Debug for Parts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parts")
            .field("services", &type_names(&self.services))
            .field("erasers", &self.erasers.len())
            .field("view_sections", &self.view_sections.len())
            .field("timeline", &self.timeline)
            .field(
                "jobs",
                &self.jobs.iter().map(|j| j.name()).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Parts {
    /// Adds a document service both as a resource service and as an eraser (every stored
    /// resource may hold personal data).
    pub fn add_document<S>(&mut self, service: Arc<S>) -> Arc<S>
    where
        S: ResourceService + Erasable + 'static,
    {
        self.services.push(service.clone());
        self.erasers.push(service.clone());
        service
    }

    /// Adds what another `Parts` holds.
    pub fn extend(&mut self, other: Parts) {
        self.services.extend(other.services);
        self.erasers.extend(other.erasers);
        self.view_sections.extend(other.view_sections);
        self.timeline.extend(other.timeline);
        self.jobs.extend(other.jobs);
    }
}

/// The whole application as every module built it, for the modules' extension routes.
#[derive(Clone)]
pub struct Assembled {
    /// The database.
    pub store: Store,
    /// Every resource service of every module.
    pub services: Vec<Arc<dyn ResourceService>>,
    /// Every eraser of every module.
    pub erasers: Vec<Arc<dyn Erasable>>,
    /// Every section of the 360 view, in module order.
    pub view_sections: Vec<Arc<dyn ViewContributor>>,
    /// Every timeline source.
    pub timeline: Vec<TimelineSource>,
    /// Every hook offered.
    pub hooks: Hooks,
    /// The permission table, the query limits and the links, as for every resource route.
    pub config: RouterConfig,
}

impl std::fmt::Debug for Assembled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Assembled")
            .field("services", &type_names(&self.services))
            .field("view_sections", &self.view_sections.len())
            .field("timeline", &self.timeline)
            .finish_non_exhaustive()
    }
}

impl Assembled {
    /// The service of the resource type `type_name` (`Customer`).
    pub fn service(
        &self,
        type_name: &'static str,
    ) -> Result<Arc<dyn ResourceService>, ModuleError> {
        self.services
            .iter()
            .find(|service| service.descriptor().type_name == type_name)
            .cloned()
            .ok_or(ModuleError::MissingService(type_name))
    }
}

/// Routes beyond the generic resource routes (the 360 view, erasure), with their OpenAPI
/// entries. Each handler authorises through the permission table with the permission its
/// operation declares.
#[derive(Debug, Default)]
pub struct ExtensionRoutes {
    /// The routes (state applied).
    pub router: Router,
    /// Their OpenAPI entries.
    pub operations: Vec<ExtensionOperation>,
}

/// An application crate, as the server sees it. Every method but [`Module::name`] and
/// [`Module::build`] has a default that contributes nothing.
pub trait Module: Send + Sync {
    /// The module's name, for logs and errors (`customer-problem`).
    fn name(&self) -> &'static str;

    /// The settings sections the module reads ([`ModuleContext::settings`]), documented
    /// with the server's settings.
    fn settings_sections(&self) -> &'static [&'static str] {
        &[]
    }

    /// The module's own schema: the document tables (and attribute indexes) its resources
    /// live in, as named steps applied once per database ([`Store::apply_schema`]) after the
    /// store's own migrations. Append-only once released: a change is a new step.
    fn schema(&self) -> &'static [SchemaStep] {
        &[]
    }

    /// Registers the types the module stores, so that references from any API can be
    /// checked (and its key holders).
    fn register_types(&self, _registry: &mut TypeRegistry) {}

    /// The module's rows of the permission table: who may do what in its domains.
    fn permissions(&self) -> Vec<Grant> {
        Vec::new()
    }

    /// Offers hooks to the other modules (a writer of its resources, rules for a subtype it
    /// owns), before any module builds.
    fn offer(&self, _ctx: &ModuleContext, _hooks: &mut Hooks) -> Result<(), ModuleError> {
        Ok(())
    }

    /// Builds the module's services, erasers, view sections, timeline sources and jobs.
    fn build(&self, ctx: &ModuleContext, hooks: &Hooks) -> Result<Parts, ModuleError>;

    /// The module's extension routes, over the whole assembled application.
    fn routes(&self, _app: &Assembled) -> Result<ExtensionRoutes, ModuleError> {
        Ok(ExtensionRoutes::default())
    }

    /// The commands the module adds to the server's command line (`import bills`), listed
    /// by `crm-server commands` and run over the assembled application
    /// ([`commands::CommandContext`]). Called before assembly: a command builds what it needs
    /// when it runs.
    fn commands(&self) -> Vec<std::sync::Arc<dyn Command>> {
        Vec::new()
    }
}
