//! Customer Order Management (TAM): the product catalog (TMF620), product orders (TMF622)
//! and the product inventory (TMF637).
//!
//! - `catalog`: the five TMF620 catalog resources, with their lifecycle.
//! - `ordering`: TMF622 `productOrder` and `cancelProductOrder`: validation against the
//!   catalog and the inventory, prices from the catalog, the enforced lifecycle
//!   (`sid_model::order::lifecycle`, with the roll-up of item states into the order's), and
//!   the fulfilment of a
//!   completed order into the inventory in the same transaction.
//! - `inventory`: the TMF637 `product` resource.
//! - `pricing`: item and order prices from catalog prices with `Decimal` arithmetic.
//!
//! Resources are wired through `crm-store` and `tmf-apis`, like every other application
//! crate; this crate must not depend on another application crate, on axum middleware, or on
//! the server.

pub mod catalog;
pub mod inventory;
pub mod ordering;
pub mod pricing;
mod spec;

use std::sync::Arc;

use crm_module::{
    Grant, Hooks, Module, ModuleContext, ModuleError, Parts, ReferencingSection, Role,
};
use crm_store::{Clock, DocumentService, Erasable, Store, StoredType, TypeRegistry};
use sid_model::{Catalog, Category, ProductOffering, ProductOfferingPrice, ProductSpecification};
use tmf_apis::catalog::CatalogError;
use tmf_apis::{Domain, ResourceService};

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
fn register_types(registry: &mut TypeRegistry) {
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

/// The settings section `[orders]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrderingSettings {
    /// `expectedCompletionDate` of an order that requests no (future) date: the order date
    /// plus this many hours.
    pub lead_time_hours: u32,
}

impl Default for OrderingSettings {
    fn default() -> Self {
        Self {
            lead_time_hours: 72,
        }
    }
}

/// Customer Order Management as a module of the server: the catalog, orders and the
/// inventory, with the 360 view's `products` and `openOrders` sections.
#[derive(Debug, Clone, Copy, Default)]
pub struct CustomerOrder;

impl Module for CustomerOrder {
    fn name(&self) -> &'static str {
        "customer-order"
    }

    fn settings_sections(&self) -> &'static [&'static str] {
        &["orders"]
    }

    fn register_types(&self, registry: &mut TypeRegistry) {
        register_types(registry);
    }

    fn permissions(&self) -> Vec<Grant> {
        use tmf_apis::Operation::*;
        vec![
            Grant::new(Role::Csr, Domain::Order, &[Create, Update]),
            Grant::new(Role::Supervisor, Domain::Order, &[Delete, Approve]),
            // Operators' systems: the product lifecycle system maintains the catalog, order
            // management and fulfilment systems place and move orders, and load and correct
            // the inventory.
            Grant::new(Role::Integration, Domain::Catalog, &[Create, Update]),
            Grant::new(Role::Integration, Domain::Order, &[Create, Update]),
            Grant::new(Role::Integration, Domain::Inventory, &[Create, Update]),
        ]
    }

    /// Another domain's job may amend an order (the SLA evaluator shows its standing): the
    /// order writer, with the order kind's rules, history and events.
    fn offer(&self, ctx: &ModuleContext, hooks: &mut Hooks) -> Result<(), ModuleError> {
        let kind = ordering::OrderKind::new().map_err(|source| ModuleError::Spec {
            module: "customer-order",
            source,
        })?;
        hooks.offer_writer(Arc::new(DocumentService::new(
            kind,
            ctx.store.clone(),
            ctx.registry.clone(),
        )))
    }

    fn build(&self, ctx: &ModuleContext, hooks: &Hooks) -> Result<Parts, ModuleError> {
        let settings: OrderingSettings = ctx.settings("orders")?;
        let built = services(
            &ctx.store,
            &ctx.registry,
            OrderSettings {
                lead_time: ordering::Duration::hours(i64::from(settings.lead_time_hours)),
            },
            ctx.clock.clone(),
            hooks.type_rules("ProductOrder"),
        )
        .map_err(|source| ModuleError::Spec {
            module: "customer-order",
            source,
        })?;
        let section = |section, table, kinds, keep| -> Arc<dyn crm_module::ViewContributor> {
            Arc::new(ReferencingSection {
                section,
                table,
                kinds,
                keep,
                store: ctx.store.clone(),
            })
        };
        Ok(Parts {
            services: built.all,
            erasers: built.erasers,
            view_sections: vec![
                section("products", inventory::INVENTORY_TABLE, &["Product"], None),
                section(
                    "openOrders",
                    ordering::ORDER_TABLE,
                    &["ProductOrder"],
                    Some(ordering::is_open_order),
                ),
            ],
            ..Parts::default()
        })
    }
}

/// This crate's services, and the kinds privacy erasure must walk.
struct Services {
    /// Every resource service.
    pub all: Vec<Arc<dyn ResourceService>>,
    /// The kinds that hold personal data (orders and products name parties).
    pub erasers: Vec<Arc<dyn Erasable>>,
}

/// The services of this crate's resources.
fn services(
    store: &Store,
    registry: &Arc<TypeRegistry>,
    settings: OrderSettings,
    clock: Arc<dyn Clock>,
    type_rules: Vec<Arc<dyn crm_module::SubtypeRules>>,
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
    let ordering =
        Arc::new(Ordering::new(store, registry, settings, clock)?.with_type_rules(type_rules));
    all.extend(ordering.services());
    Ok(Services {
        all,
        erasers: ordering.erasers(),
    })
}
