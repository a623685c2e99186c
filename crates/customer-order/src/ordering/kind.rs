//! The stored kinds of TMF622: `productOrder` and `cancelProductOrder`, with the references
//! they hold and what erasure keeps of them.

use crm_store::{Erasure, Reference, ResourceKind, StoredType};
use sid_model::{CancelProductOrder, ProductOrder};
use tmf_apis::catalog::CatalogError;
use tmf_apis::{Domain, Methods, ResourceDescriptor};

use super::{BILLING_ACCOUNT, CANCEL_PRODUCT_ORDER, ORDERING_BASE, PRODUCT_ORDER, flatten};
use crate::catalog::{PARTIES, reference};

/// The TMF622 `productOrder` resource as stored.
pub struct OrderKind {
    descriptor: ResourceDescriptor,
}

impl std::fmt::Debug for OrderKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrderKind")
            .field("type_name", &self.descriptor.type_name)
            .finish_non_exhaustive()
    }
}

impl OrderKind {
    pub(crate) fn new() -> Result<Self, CatalogError> {
        Ok(Self {
            descriptor: ResourceDescriptor::from_spec(
                crate::spec::ordering(),
                ORDERING_BASE,
                "productOrder",
                "ProductOrder",
                Domain::Order,
            )?,
        })
    }
}

impl ResourceKind for OrderKind {
    type Model = ProductOrder;

    fn descriptor(&self) -> &ResourceDescriptor {
        &self.descriptor
    }

    fn stored_type(&self) -> StoredType {
        PRODUCT_ORDER
    }

    fn references(&self, order: &ProductOrder) -> Vec<Reference> {
        let mut out: Vec<Reference> =
            Reference::related_parties(order.related_party.as_deref(), PARTIES).collect();
        if let Some(account) = &order.billing_account {
            out.push(reference(
                "billingAccount".into(),
                &account.id,
                None,
                BILLING_ACCOUNT,
            ));
        }
        for (path, item) in flatten(&order.product_order_item) {
            if let Some(offering) = &item.product_offering {
                out.push(reference(
                    format!("{path}.productOffering"),
                    &offering.id,
                    None,
                    &["ProductOffering"],
                ));
            }
            if let Some(id) = item.product.as_ref().and_then(|p| p.id.as_deref()) {
                out.push(reference(format!("{path}.product"), id, None, &["Product"]));
            }
            if let Some(account) = &item.billing_account {
                out.push(reference(
                    format!("{path}.billingAccount"),
                    &account.id,
                    None,
                    BILLING_ACCOUNT,
                ));
            }
        }
        out
    }

    /// Orders keep their states, dates, prices (computed from the catalog: price types,
    /// periods, amounts), items (actions, quantities, references, the names of their
    /// characteristics) and references, with names masked; notes, descriptions, contacts,
    /// cancellation reasons, characteristic values and all other text are removed.
    fn erasure(&self) -> Option<Erasure> {
        Some(Erasure {
            keep: &[
                "category",
                "priority",
                "externalId",
                "action",
                "priceType",
                "recurringChargePeriod",
                "unitOfMeasure",
                "relationshipType",
                "productCharacteristic.name",
                "productCharacteristic.valueType",
                "quoteId",
                "productOfferingQualificationId",
            ],
            erase: &[],
        })
    }
}

/// The TMF622 `cancelProductOrder` task resource as stored.
pub struct CancelKind {
    descriptor: ResourceDescriptor,
}

impl std::fmt::Debug for CancelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CancelKind")
            .field("type_name", &self.descriptor.type_name)
            .finish_non_exhaustive()
    }
}

impl CancelKind {
    pub(super) fn new() -> Result<Self, CatalogError> {
        let mut descriptor = ResourceDescriptor::from_spec(
            crate::spec::ordering(),
            ORDERING_BASE,
            "cancelProductOrder",
            "CancelProductOrder",
            Domain::Order,
        )?;
        descriptor.methods = Methods::TASK;
        Ok(Self { descriptor })
    }
}

impl ResourceKind for CancelKind {
    type Model = CancelProductOrder;

    fn descriptor(&self) -> &ResourceDescriptor {
        &self.descriptor
    }

    fn stored_type(&self) -> StoredType {
        CANCEL_PRODUCT_ORDER
    }

    fn references(&self, request: &CancelProductOrder) -> Vec<Reference> {
        vec![reference(
            "productOrder".into(),
            &request.product_order.id,
            None,
            &["ProductOrder"],
        )]
    }

    /// Erasure keeps the request's state, dates and the order it cancels; its
    /// `cancellationReason` (free text) goes.
    fn erasure(&self) -> Option<Erasure> {
        Some(Erasure {
            keep: &[],
            erase: &[],
        })
    }
}
