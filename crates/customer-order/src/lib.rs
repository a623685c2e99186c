//! Customer Order Management (TAM): the product catalog (TMF620), product orders (TMF622)
//! and the product inventory (TMF637).
//!
//! Served so far: the five TMF620 catalog resources (`catalog`). Also here, not yet served:
//! the order and order-item lifecycles with the roll-up of item states into the order's
//! (`lifecycle`), and pricing from catalog prices with `Decimal` arithmetic (`pricing`).
//! Resources are wired through `crm-store` and `tmf-apis`, like every other application
//! crate; this crate must not depend on another application crate, on axum middleware, or on
//! the server.

pub mod catalog;
pub mod lifecycle;
pub mod pricing;
mod spec;

use std::sync::Arc;

use crm_store::{DocumentService, Store, StoredType, TypeRegistry};
use sid_model::{Catalog, Category, ProductOffering, ProductOfferingPrice, ProductSpecification};
use tmf_apis::ResourceService;
use tmf_apis::catalog::CatalogError;

use catalog::{CATALOG_TABLE, CatalogKind};

/// The TMF620 resources: path segment and type name.
const CATALOG_RESOURCES: [(&str, &str); 5] = [
    ("catalog", "Catalog"),
    ("category", "Category"),
    ("productSpecification", "ProductSpecification"),
    ("productOffering", "ProductOffering"),
    ("productOfferingPrice", "ProductOfferingPrice"),
];

/// Registers the types this crate stores, so that references from any API can be checked.
pub fn register_types(registry: &mut TypeRegistry) {
    for (_, type_name) in CATALOG_RESOURCES {
        registry.register(
            type_name,
            StoredType {
                table: CATALOG_TABLE,
                kind: type_name,
            },
        );
    }
}

/// The services of this crate's resources.
pub fn services(
    store: &Store,
    registry: &Arc<TypeRegistry>,
) -> Result<Vec<Arc<dyn ResourceService>>, CatalogError> {
    fn service<M: catalog::CatalogEntity>(
        store: &Store,
        registry: &Arc<TypeRegistry>,
        (name, type_name): (&'static str, &'static str),
    ) -> Result<Arc<dyn ResourceService>, CatalogError> {
        Ok(Arc::new(DocumentService::new(
            CatalogKind::<M>::new(name, type_name)?,
            store.clone(),
            registry.clone(),
        )))
    }
    let [catalogs, categories, specifications, offerings, prices] = CATALOG_RESOURCES;
    Ok(vec![
        service::<Catalog>(store, registry, catalogs)?,
        service::<Category>(store, registry, categories)?,
        service::<ProductSpecification>(store, registry, specifications)?,
        service::<ProductOffering>(store, registry, offerings)?,
        service::<ProductOfferingPrice>(store, registry, prices)?,
    ])
}
