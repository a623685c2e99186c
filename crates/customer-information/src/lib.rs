//! Customer Information Management (TAM): the shared party model served through TMF632
//! Party (`individual`, `organization`), TMF629 Customer and TMF669 Party Role.
//!
//! A party is stored once; customers and party roles engage parties by reference, and
//! every `relatedParty` points into the same store. This crate declares the resources and
//! their rules; storage, routing and the TMF630 conventions come from `crm-store` and
//! `tmf-apis`. It must not depend on another application crate, on axum middleware, or on
//! the server.

mod accounts;
mod balances;
pub mod contact;
pub mod erasure;
pub mod error;
mod interactions;
pub mod model;
mod resources;
pub mod search;
pub mod seed;
mod spec;
pub mod view;

use std::sync::Arc;

use crm_module::{
    Assembled, ExtensionRoutes, Grant, Hooks, Module, ModuleContext, ModuleError, Parts, Role,
    TimelineSource,
};

use crm_store::{DocumentService, Store, TypeRegistry};
use tmf_apis::catalog::CatalogError;

pub use accounts::{
    BILL_FORMAT, BILL_PRESENTATION_MEDIA, BILLING_ACCOUNT, BILLING_CYCLE_SPECIFICATION,
    FINANCIAL_ACCOUNT, PARTY_ACCOUNT, SETTLEMENT_ACCOUNT,
};
pub use interactions::{AGENT_ROLE, PARTY_INTERACTION};
pub use resources::{CUSTOMER, INDIVIDUAL, ORGANIZATION, PARTY_ROLE};

use std::marker::PhantomData;

use accounts::{AccountKind, SettingKind};
use interactions::InteractionKind;
use resources::descriptor;
use tmf_apis::Domain;

/// Registers the types this crate stores, so that references from any API can be checked.
fn register_types(registry: &mut TypeRegistry) {
    for (type_name, stored) in [
        ("Individual", INDIVIDUAL),
        ("Organization", ORGANIZATION),
        ("Customer", CUSTOMER),
        ("PartyRole", PARTY_ROLE),
        ("PartyAccount", PARTY_ACCOUNT),
        ("BillingAccount", BILLING_ACCOUNT),
        ("SettlementAccount", SETTLEMENT_ACCOUNT),
        ("FinancialAccount", FINANCIAL_ACCOUNT),
        ("BillingCycleSpecification", BILLING_CYCLE_SPECIFICATION),
        ("BillFormat", BILL_FORMAT),
        ("BillPresentationMedia", BILL_PRESENTATION_MEDIA),
        ("PartyInteraction", PARTY_INTERACTION),
    ] {
        registry.register(type_name, stored);
    }
    registry.hold_keys(search::CUSTOMER_KEYS);
}

/// Customer Information Management as a module of the server: the party model's
/// resources, the 360 view and timeline (over every module's sections), privacy erasure
/// (over every module's erasers), and a writer of party interactions for other domains.
#[derive(Debug, Clone, Copy, Default)]
pub struct CustomerInformation;

impl Module for CustomerInformation {
    fn name(&self) -> &'static str {
        "customer-information"
    }

    fn register_types(&self, registry: &mut TypeRegistry) {
        register_types(registry);
    }

    fn permissions(&self) -> Vec<Grant> {
        use tmf_apis::Operation::*;
        let mut grants = Vec::new();
        for domain in [
            Domain::Party,
            Domain::Customer,
            Domain::PartyRole,
            Domain::Account,
            Domain::Interaction,
        ] {
            grants.push(Grant::new(Role::Csr, domain, &[Create, Update]));
            grants.push(Grant::new(Role::Supervisor, domain, &[Delete]));
        }
        // A billing system reads the accounts it bills.
        grants.push(Grant::new(Role::BillingSystem, Domain::Account, &[Read]));
        grants
    }

    fn offer(&self, ctx: &ModuleContext, hooks: &mut Hooks) -> Result<(), ModuleError> {
        // Another domain's change may record a contact (a ticket logged from a call).
        let interactions = DocumentService::new(
            interaction_kind().map_err(spec_error)?,
            ctx.store.clone(),
            ctx.registry.clone(),
        );
        hooks.offer_writer(Arc::new(interactions))?;
        // Another domain's money moves a billing account's balances (unsettled bills).
        hooks.offer_balances(Arc::new(balances::Balances {
            accounts: DocumentService::new(
                AccountKind::<sid_model::BillingAccount> {
                    descriptor: account_descriptor("billingAccount", BILLING_ACCOUNT)
                        .map_err(spec_error)?,
                    stored: BILLING_ACCOUNT,
                    _model: PhantomData,
                },
                ctx.store.clone(),
                ctx.registry.clone(),
            ),
            clock: ctx.clock.clone(),
        }))
    }

    fn build(&self, ctx: &ModuleContext, _hooks: &Hooks) -> Result<Parts, ModuleError> {
        let mut parts = build(&ctx.store, &ctx.registry).map_err(spec_error)?;
        parts.view_sections.extend(view::sections(&ctx.store));
        parts.timeline.push(TimelineSource {
            resource_type: PARTY_INTERACTION.kind,
            kind: "interaction",
            through: None,
        });
        Ok(parts)
    }

    fn routes(&self, app: &Assembled) -> Result<ExtensionRoutes, ModuleError> {
        let view = view::routes(app)?;
        let erasure = erasure::routes(app)?;
        let mut operations = view.operations;
        operations.extend(erasure.operations);
        Ok(ExtensionRoutes {
            router: view.router.merge(erasure.router),
            operations,
        })
    }
}

fn spec_error(source: CatalogError) -> ModuleError {
    ModuleError::Spec {
        module: "customer-information",
        source,
    }
}

/// Collects each document service both as a resource service and as an eraser.
struct Builder<'a> {
    store: &'a Store,
    registry: &'a Arc<TypeRegistry>,
    parts: Parts,
}

impl Builder<'_> {
    fn add<K: crm_store::ResourceKind>(&mut self, kind: K) -> Arc<DocumentService<K>> {
        self.parts.add_document(Arc::new(DocumentService::new(
            kind,
            self.store.clone(),
            self.registry.clone(),
        )))
    }
}

fn interaction_kind() -> Result<InteractionKind, CatalogError> {
    Ok(InteractionKind(descriptor(
        spec::interaction(),
        "/tmf-api/partyInteraction/v4/",
        "partyInteraction",
        "PartyInteraction",
        Domain::Interaction,
    )?))
}

/// The services of this crate's resources.
fn build(store: &Store, registry: &Arc<TypeRegistry>) -> Result<Parts, CatalogError> {
    let kinds = resources::Kinds::load()?;
    let mut builder = Builder {
        store,
        registry,
        parts: Parts::default(),
    };
    builder.add(kinds.individual);
    builder.add(kinds.organization);
    builder.add(kinds.customer);
    builder.add(kinds.party_role);
    add_account_services(&mut builder)?;
    builder.add(interaction_kind()?);
    Ok(builder.parts)
}

const ACCOUNT_BASE: &str = "/tmf-api/accountManagement/v4/";

fn account_descriptor(
    name: &'static str,
    stored: crm_store::StoredType,
) -> Result<tmf_apis::ResourceDescriptor, CatalogError> {
    descriptor(
        spec::account(),
        ACCOUNT_BASE,
        name,
        stored.kind,
        Domain::Account,
    )
}

fn add_account<M: accounts::Account>(
    builder: &mut Builder<'_>,
    name: &'static str,
    stored: crm_store::StoredType,
) -> Result<(), CatalogError> {
    builder.add(AccountKind::<M> {
        descriptor: account_descriptor(name, stored)?,
        stored,
        _model: PhantomData,
    });
    Ok(())
}

fn add_setting<M>(
    builder: &mut Builder<'_>,
    name: &'static str,
    stored: crm_store::StoredType,
) -> Result<(), CatalogError>
where
    M: serde::Serialize + serde::de::DeserializeOwned + validator::Validate + Send + Sync + 'static,
{
    builder.add(SettingKind::<M> {
        descriptor: account_descriptor(name, stored)?,
        stored,
        _model: PhantomData,
    });
    Ok(())
}

/// The seven TMF666 resources.
fn add_account_services(builder: &mut Builder<'_>) -> Result<(), CatalogError> {
    add_account::<sid_model::PartyAccount>(builder, "partyAccount", PARTY_ACCOUNT)?;
    add_account::<sid_model::BillingAccount>(builder, "billingAccount", BILLING_ACCOUNT)?;
    add_account::<sid_model::SettlementAccount>(builder, "settlementAccount", SETTLEMENT_ACCOUNT)?;
    add_account::<sid_model::FinancialAccount>(builder, "financialAccount", FINANCIAL_ACCOUNT)?;
    add_setting::<sid_model::BillingCycleSpecification>(
        builder,
        "billingCycleSpecification",
        BILLING_CYCLE_SPECIFICATION,
    )?;
    add_setting::<sid_model::BillFormat>(builder, "billFormat", BILL_FORMAT)?;
    add_setting::<sid_model::BillPresentationMedia>(
        builder,
        "billPresentationMedia",
        BILL_PRESENTATION_MEDIA,
    )?;
    Ok(())
}
