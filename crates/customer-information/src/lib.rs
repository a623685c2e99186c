//! Customer Information Management (TAM): the shared party model served through TMF632
//! Party (`individual`, `organization`), TMF629 Customer and TMF669 Party Role.
//!
//! A party is stored once; customers and party roles engage parties by reference, and
//! every `relatedParty` points into the same store. This crate declares the resources and
//! their rules; storage, routing and the TMF630 conventions come from `crm-store` and
//! `tmf-apis`. It must not depend on another application crate, on axum middleware, or on
//! the server.

pub mod contact;
pub mod model;
mod resources;
mod spec;
pub mod view;

use std::sync::Arc;

use crm_store::{DocumentService, Store, TypeRegistry};
use tmf_apis::ResourceService;
use tmf_apis::catalog::CatalogError;

pub use resources::{CUSTOMER, INDIVIDUAL, ORGANIZATION, PARTY_ROLE};

/// Registers the types this crate stores, so that references from any API can be checked.
pub fn register_types(registry: &mut TypeRegistry) {
    for (type_name, stored) in [
        ("Individual", INDIVIDUAL),
        ("Organization", ORGANIZATION),
        ("Customer", CUSTOMER),
        ("PartyRole", PARTY_ROLE),
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
}

/// The services of this crate's resources.
pub fn services(store: &Store, registry: &Arc<TypeRegistry>) -> Result<Services, CatalogError> {
    let kinds = resources::Kinds::load()?;
    let customers: Arc<dyn ResourceService> = Arc::new(DocumentService::new(
        kinds.customer,
        store.clone(),
        registry.clone(),
    ));
    let all: Vec<Arc<dyn ResourceService>> = vec![
        Arc::new(DocumentService::new(
            kinds.individual,
            store.clone(),
            registry.clone(),
        )),
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
    Ok(Services { all, customers })
}
