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

use crm_store::{DocumentService, Store, TypeRegistry};
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
}

/// The services of this crate's resources.
pub struct Services {
    /// Every resource service, for the generic router.
    pub all: Vec<Arc<dyn ResourceService>>,
    /// The customer service, which the 360 view reads through.
    pub customers: Arc<dyn ResourceService>,
    /// The individual service, where erasure starts.
    pub individuals: Arc<dyn ResourceService>,
}

/// The services of this crate's resources.
pub fn services(store: &Store, registry: &Arc<TypeRegistry>) -> Result<Services, CatalogError> {
    let kinds = resources::Kinds::load()?;
    let customers: Arc<dyn ResourceService> = Arc::new(DocumentService::new(
        kinds.customer,
        store.clone(),
        registry.clone(),
    ));
    let individuals: Arc<dyn ResourceService> = Arc::new(DocumentService::new(
        kinds.individual,
        store.clone(),
        registry.clone(),
    ));
    let all: Vec<Arc<dyn ResourceService>> = vec![
        individuals.clone(),
        Arc::new(DocumentService::new(
            kinds.organization,
            store.clone(),
            registry.clone(),
        )),
        customers.clone(),
        Arc::new(DocumentService::new(
            kinds.party_role,
            store.clone(),
            registry.clone(),
        )),
    ];
    let mut all = all;
    all.extend(account_services(store, registry)?);
    all.push(Arc::new(DocumentService::new(
        InteractionKind(descriptor(
            spec::interaction(),
            "/tmf-api/partyInteraction/v4/",
            "partyInteraction",
            "PartyInteraction",
            Domain::Interaction,
        )?),
        store.clone(),
        registry.clone(),
    )));
    Ok(Services {
        all,
        customers,
        individuals,
    })
}

const ACCOUNT_BASE: &str = "/tmf-api/accountManagement/v4/";

/// The generic document service of a kind.
fn service<K: crm_store::ResourceKind>(
    kind: K,
    store: &Store,
    registry: &Arc<TypeRegistry>,
) -> Arc<dyn ResourceService> {
    Arc::new(DocumentService::new(kind, store.clone(), registry.clone()))
}

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

fn account<M: accounts::Account>(
    store: &Store,
    registry: &Arc<TypeRegistry>,
    name: &'static str,
    stored: crm_store::StoredType,
) -> Result<Arc<dyn ResourceService>, CatalogError> {
    let kind = AccountKind::<M> {
        descriptor: account_descriptor(name, stored)?,
        stored,
        _model: PhantomData,
    };
    Ok(service(kind, store, registry))
}

fn setting<M>(
    store: &Store,
    registry: &Arc<TypeRegistry>,
    name: &'static str,
    stored: crm_store::StoredType,
) -> Result<Arc<dyn ResourceService>, CatalogError>
where
    M: serde::Serialize + serde::de::DeserializeOwned + validator::Validate + Send + Sync + 'static,
{
    let kind = SettingKind::<M> {
        descriptor: account_descriptor(name, stored)?,
        stored,
        _model: PhantomData,
    };
    Ok(service(kind, store, registry))
}

/// The seven TMF666 resources.
fn account_services(
    store: &Store,
    registry: &Arc<TypeRegistry>,
) -> Result<Vec<Arc<dyn ResourceService>>, CatalogError> {
    Ok(vec![
        account::<sid_model::PartyAccount>(store, registry, "partyAccount", PARTY_ACCOUNT)?,
        account::<sid_model::BillingAccount>(store, registry, "billingAccount", BILLING_ACCOUNT)?,
        account::<sid_model::SettlementAccount>(
            store,
            registry,
            "settlementAccount",
            SETTLEMENT_ACCOUNT,
        )?,
        account::<sid_model::FinancialAccount>(
            store,
            registry,
            "financialAccount",
            FINANCIAL_ACCOUNT,
        )?,
        setting::<sid_model::BillingCycleSpecification>(
            store,
            registry,
            "billingCycleSpecification",
            BILLING_CYCLE_SPECIFICATION,
        )?,
        setting::<sid_model::BillFormat>(store, registry, "billFormat", BILL_FORMAT)?,
        setting::<sid_model::BillPresentationMedia>(
            store,
            registry,
            "billPresentationMedia",
            BILL_PRESENTATION_MEDIA,
        )?,
    ])
}
