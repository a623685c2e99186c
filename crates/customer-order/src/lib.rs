//! Customer Order Management (TAM): the product catalog (TMF620), product orders (TMF622)
//! and the product inventory (TMF637).
//!
//! - `catalog`: the five TMF620 catalog resources, with their lifecycle.
//! - `ordering`: TMF622 `productOrder` and `cancelProductOrder`: validation against the
//!   catalog and the inventory, prices from the catalog, the enforced lifecycle
//!   (`lifecycle`, with the roll-up of item states into the order's), and the fulfilment of a
//!   completed order into the inventory in the same transaction.
//! - `inventory`: the TMF637 `product` resource.
//! - `pricing`: item and order prices from catalog prices with `Decimal` arithmetic.
//!
//! Resources are wired through `crm-store` and `tmf-apis`, like every other application
//! crate; this crate must not depend on another application crate, on axum middleware, or on
//! the server.

pub mod catalog;
pub mod inventory;
pub mod lifecycle;
pub mod ordering;
pub mod pricing;
mod spec;

use std::sync::Arc;

use crm_store::{Clock, DocumentService, Erasable, Store, StoredType, TypeRegistry};
use sid_model::{Catalog, Category, ProductOffering, ProductOfferingPrice, ProductSpecification};
use tmf_apis::ResourceService;
use tmf_apis::catalog::CatalogError;

use catalog::{CATALOG_TABLE, CatalogKind};
use ordering::{CANCEL_PRODUCT_ORDER, OrderSettings, Ordering, PRODUCT_ORDER};

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
    registry.register("ProductOrder", PRODUCT_ORDER);
    registry.register("CancelProductOrder", CANCEL_PRODUCT_ORDER);
    registry.register("Product", inventory::PRODUCT);
}

/// This crate's services, and the kinds privacy erasure must walk.
pub struct Services {
    /// Every resource service.
    pub all: Vec<Arc<dyn ResourceService>>,
    /// The kinds that hold personal data (orders and products name parties).
    pub erasers: Vec<Arc<dyn Erasable>>,
}

/// The services of this crate's resources.
pub fn services(
    store: &Store,
    registry: &Arc<TypeRegistry>,
    settings: OrderSettings,
    clock: Arc<dyn Clock>,
) -> Result<Services, CatalogError> {
    fn catalog_service<M: catalog::CatalogEntity>(
        store: &Store,
        registry: &Arc<TypeRegistry>,
        clock: &Arc<dyn Clock>,
        (name, type_name): (&'static str, &'static str),
    ) -> Result<Arc<dyn ResourceService>, CatalogError> {
        Ok(Arc::new(DocumentService::new(
            CatalogKind::<M>::new(name, type_name, clock.clone())?,
            store.clone(),
            registry.clone(),
        )))
    }
    let [catalogs, categories, specifications, offerings, prices] = CATALOG_RESOURCES;
    let mut all = vec![
        catalog_service::<Catalog>(store, registry, &clock, catalogs)?,
        catalog_service::<Category>(store, registry, &clock, categories)?,
        catalog_service::<ProductSpecification>(store, registry, &clock, specifications)?,
        catalog_service::<ProductOffering>(store, registry, &clock, offerings)?,
        catalog_service::<ProductOfferingPrice>(store, registry, &clock, prices)?,
    ];
    let ordering = Arc::new(Ordering::new(store, registry, settings, clock)?);
    all.extend(ordering.services());
    Ok(Services {
        all,
        erasers: ordering.erasers(),
    })
}
