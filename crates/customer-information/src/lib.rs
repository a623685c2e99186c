//! Customer Information Management (TAM): the shared party model served through TMF632
//! Party (`individual`, `organization`), TMF629 Customer and TMF669 Party Role.
//!
//! A party is stored once; customers and party roles engage parties by reference, and
//! every `relatedParty` points into the same store. This crate declares the resources and
//! their rules; storage, routing and the TMF630 conventions come from `crm-store` and
//! `tmf-apis`. It must not depend on another application crate, on axum middleware, or on
//! the server.

mod accounts;
pub mod contact;
pub mod erasure;
mod interactions;
pub mod model;
mod resources;
pub mod search;
pub mod seed;
mod spec;
pub mod view;

use std::sync::Arc;

use crm_store::{DocumentService, Erasable, Store, TypeRegistry};
use tmf_apis::ResourceService;
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
pub fn register_types(registry: &mut TypeRegistry) {
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

/// The services of this crate's resources.
pub struct Services {
    /// Every resource service, for the generic router.
    pub all: Vec<Arc<dyn ResourceService>>,
    /// Every resource kind that can hold personal data, for privacy erasure.
    pub erasers: Vec<Arc<dyn Erasable>>,
    /// The customer service, which the 360 view reads through.
    pub customers: Arc<dyn ResourceService>,
    /// The individual service, where erasure starts.
    pub individuals: Arc<dyn ResourceService>,
    /// Writes party interactions inside another domain's change (a ticket logged from a
    /// call records the call).
    pub interactions: Arc<dyn crm_store::DocumentWriter>,
}

/// Collects each document service both as a resource service and as an eraser.
struct Builder<'a> {
    store: &'a Store,
    registry: &'a Arc<TypeRegistry>,
    all: Vec<Arc<dyn ResourceService>>,
    erasers: Vec<Arc<dyn Erasable>>,
}

impl Builder<'_> {
    fn add<K: crm_store::ResourceKind>(&mut self, kind: K) -> Arc<DocumentService<K>> {
        let service = Arc::new(DocumentService::new(
            kind,
            self.store.clone(),
            self.registry.clone(),
        ));
        self.all.push(service.clone());
        self.erasers.push(service.clone());
        service
    }
}

/// The services of this crate's resources.
pub fn services(store: &Store, registry: &Arc<TypeRegistry>) -> Result<Services, CatalogError> {
    let kinds = resources::Kinds::load()?;
    let mut builder = Builder {
        store,
        registry,
        all: Vec::new(),
        erasers: Vec::new(),
    };
    let individuals = builder.add(kinds.individual);
    builder.add(kinds.organization);
    let customers = builder.add(kinds.customer);
    builder.add(kinds.party_role);
    add_account_services(&mut builder)?;
    let interactions = builder.add(InteractionKind(descriptor(
        spec::interaction(),
        "/tmf-api/partyInteraction/v4/",
        "partyInteraction",
        "PartyInteraction",
        Domain::Interaction,
    )?));
    Ok(Services {
        all: builder.all,
        erasers: builder.erasers,
        customers,
        individuals,
        interactions,
    })
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
