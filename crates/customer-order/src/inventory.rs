//! TMF637 Product Inventory v4: the products customers hold, stored as documents.
//!
//! Products are made, changed and terminated by the completion of product orders
//! ([`crate::ordering`]), in the same transaction; an operator's systems may also load and
//! correct inventory through the API. Every reference a product holds (billing account,
//! offering, specification, prices, parties, the order items that made or changed it) is
//! checked and indexed, so a product is found from its customer in the 360 view.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use crm_store::{Clock, Erasure, Reference, ResourceKind, StoredType, lifecycle_error};
use sid_model::{Lifecycle, Product, ProductStatusType, check_create, check_move};
use tmf_apis::catalog::CatalogError;
use tmf_apis::{Domain, RequestContext, ResourceDescriptor, TmfResult};

use crate::catalog::PARTIES;
use crate::catalog::reference;
use crate::ordering::BILLING_ACCOUNT;

/// The table products are stored in.
pub const INVENTORY_TABLE: &str = "product_inventory";

/// The base path of TMF637.
pub const INVENTORY_BASE: &str = "/tmf-api/productInventory/v4/";

/// Where products are stored.
pub const PRODUCT: StoredType = StoredType {
    table: INVENTORY_TABLE,
    kind: "Product",
};

/// The TMF637 `product` resource.
pub struct ProductKind {
    descriptor: ResourceDescriptor,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for ProductKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProductKind")
            .field("type_name", &self.descriptor.type_name)
            .finish_non_exhaustive()
    }
}

impl ProductKind {
    /// The kind, with its attributes read from the TMF637 specification and its dates from
    /// `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Result<Self, CatalogError> {
        Ok(Self {
            descriptor: ResourceDescriptor::from_spec(
                crate::spec::inventory(),
                INVENTORY_BASE,
                "product",
                "Product",
                Domain::Inventory,
            )?,
            clock,
        })
    }
}

impl ResourceKind for ProductKind {
    type Model = Product;

    fn descriptor(&self) -> &ResourceDescriptor {
        &self.descriptor
    }

    fn stored_type(&self) -> StoredType {
        PRODUCT
    }

    fn references(&self, product: &Product) -> Vec<Reference> {
        let mut out = Vec::new();
        if let Some(account) = &product.billing_account {
            out.push(reference(
                "billingAccount".into(),
                &account.id,
                None,
                BILLING_ACCOUNT,
            ));
        }
        if let Some(offering) = &product.product_offering {
            out.push(reference(
                "productOffering".into(),
                &offering.id,
                None,
                &["ProductOffering"],
            ));
        }
        if let Some(specification) = &product.product_specification {
            out.push(reference(
                "productSpecification".into(),
                &specification.id,
                None,
                &["ProductSpecification"],
            ));
        }
        for (i, price) in product.product_price.iter().flatten().enumerate() {
            if let Some(pop) = &price.product_offering_price {
                out.push(reference(
                    format!("productPrice[{i}].productOfferingPrice"),
                    &pop.id,
                    None,
                    &["ProductOfferingPrice"],
                ));
            }
            if let Some(account) = &price.billing_account {
                out.push(reference(
                    format!("productPrice[{i}].billingAccount"),
                    &account.id,
                    None,
                    BILLING_ACCOUNT,
                ));
            }
        }
        out.extend(Reference::related_parties(
            product.related_party.as_deref(),
            PARTIES,
        ));
        for (i, item) in product.product_order_item.iter().flatten().enumerate() {
            out.push(reference(
                format!("productOrderItem[{i}]"),
                &item.product_order_id,
                None,
                &["ProductOrder"],
            ));
        }
        out
    }

    /// Products keep their status, dates, flags, prices (types, periods, amounts), the
    /// order items they came from, the names of their characteristics and their references,
    /// with names masked; names, descriptions, serial numbers, characteristic values (which
    /// may hold addresses) and all other text are removed.
    fn erasure(&self) -> Option<Erasure> {
        Some(Erasure {
            keep: &[
                "priceType",
                "recurringChargePeriod",
                "unitOfMeasure",
                "relationshipType",
                "productCharacteristic.name",
                "productCharacteristic.valueType",
                "productOrderItem.orderItemId",
                "productOrderItem.productOrderId",
                "productOrderItem.productOrderHref",
                "productOrderItem.orderItemAction",
                "agreementItemId",
            ],
            erase: &[],
        })
    }

    /// A product's dates follow its status: a product that ends gets its `terminationDate`
    /// (if none was given), an active one its `startDate`, both at the clock's now; the status
    /// follows its lifecycle (`ProductStatusType`'s: an ended product cannot come back).
    fn prepare(
        &self,
        _ctx: &RequestContext,
        previous: Option<&Product>,
        product: &mut Product,
    ) -> TmfResult<()> {
        let now: DateTime<Utc> = self.clock.now();
        match previous {
            None => check_create(product.status),
            Some(previous) => check_move(previous.status, product.status),
        }
        .map_err(lifecycle_error)?;
        if product.status.is_final() && product.termination_date.is_none() {
            product.termination_date = Some(now);
        }
        if product.status == ProductStatusType::Active && product.start_date.is_none() {
            product.start_date = Some(now);
        }
        Ok(())
    }
}
