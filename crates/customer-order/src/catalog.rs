//! TMF620 Product Catalog Management v4: `catalog`, `category`, `productSpecification`,
//! `productOffering` and `productOfferingPrice`, stored in one document table.
//!
//! Every catalog entity has a lifecycle ([`LifecycleStatus`], enforced on every write) and a
//! `lastUpdate` the server sets whenever the entity changes. References between entities
//! (an offering's specification, prices and categories; a category's parent, sub-categories
//! and offerings; a catalog's categories; related parties) are checked and indexed, so a
//! referenced entity cannot be deleted.

use std::marker::PhantomData;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use crm_store::{Clock, Reference, ResourceKind, StoredType, lifecycle_error};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sid_model::{
    Catalog, Category, Lifecycle, LifecycleError, LifecycleStatus, ProductOffering,
    ProductOfferingPrice, ProductSpecification, RelatedParty, TimePeriod, check_create, check_move,
};
use tmf_apis::catalog::CatalogError;
use tmf_apis::{Domain, RequestContext, ResourceDescriptor, TmfError, TmfResult};
use validator::Validate;

/// The table every catalog entity is stored in.
pub const CATALOG_TABLE: &str = "product_catalog";

/// The base path of TMF620.
pub const CATALOG_BASE: &str = "/tmf-api/productCatalogManagement/v4/";

/// Types a `relatedParty` may point at (in the catalog, orders and inventory alike).
pub const PARTIES: &[&str] = &["Individual", "Organization", "Customer", "PartyRole"];

/// Why a catalog entity is refused, or an offering not sold.
#[derive(Debug, thiserror::Error)]
pub enum ProductCatalogError {
    /// A `lifecycleStatus` the catalog lifecycle does not know.
    #[error(
        "'lifecycleStatus': '{given}' is not a lifecycle status; expected one of {}",
        LifecycleStatus::ALL.map(LifecycleStatus::name).join(", ")
    )]
    UnknownStatus {
        /// The status given.
        given: String,
    },
    /// A start or step the catalog lifecycle forbids.
    #[error(transparent)]
    Lifecycle(LifecycleError<LifecycleStatus>),
    /// An offering whose lifecycle status is not a selling one.
    #[error(
        "product offering '{offering}' is '{status}': only Active or Launched offerings are sold"
    )]
    NotLive {
        /// The offering's name.
        offering: String,
        /// Its lifecycle status.
        status: LifecycleStatus,
    },
    /// An offering marked unsellable on its own.
    #[error("product offering '{offering}' is not sellable on its own (isSellable is false)")]
    NotSellableAlone {
        /// The offering's name.
        offering: String,
    },
    /// An offering outside its validity period.
    #[error("product offering '{offering}' is not valid at {}", at.to_rfc3339())]
    NotValidAt {
        /// The offering's name.
        offering: String,
        /// When it was to be sold.
        at: DateTime<Utc>,
    },
}

impl From<ProductCatalogError> for TmfError {
    fn from(error: ProductCatalogError) -> Self {
        let message = error.to_string();
        match error {
            ProductCatalogError::UnknownStatus { .. }
            | ProductCatalogError::NotLive { .. }
            | ProductCatalogError::NotSellableAlone { .. }
            | ProductCatalogError::NotValidAt { .. } => TmfError::invalid_value(message),
            ProductCatalogError::Lifecycle(refused) => lifecycle_error(refused),
        }
    }
}

/// Reads a `lifecycleStatus`; refused listing the known ones otherwise.
pub fn lifecycle_status(text: &str) -> Result<LifecycleStatus, ProductCatalogError> {
    LifecycleStatus::parse(text).ok_or_else(|| ProductCatalogError::UnknownStatus {
        given: text.to_owned(),
    })
}

/// Whether `offering` can be sold at `at`: its lifecycle status is `Active` or `Launched`,
/// it is not marked unsellable, and `at` falls within its validity period. Otherwise says
/// why, naming the offering.
pub fn check_sellable(
    offering: &ProductOffering,
    at: DateTime<Utc>,
) -> Result<(), ProductCatalogError> {
    let name = &offering.name;
    let status = offering
        .lifecycle_status
        .as_deref()
        .map(lifecycle_status)
        .transpose()?
        .unwrap_or(LifecycleStatus::INITIAL);
    if !status.is_sellable() {
        return Err(ProductCatalogError::NotLive {
            offering: name.clone(),
            status,
        });
    }
    if offering.is_sellable == Some(false) {
        return Err(ProductCatalogError::NotSellableAlone {
            offering: name.clone(),
        });
    }
    if let Some(period) = &offering.valid_for
        && !period.contains(at)
    {
        return Err(ProductCatalogError::NotValidAt {
            offering: name.clone(),
            at,
        });
    }
    Ok(())
}

/// Whether a catalog entity with this lifecycle status and validity is in force at `at`
/// (a sellable status, and `at` within `validFor`): prices not in force are not charged.
pub fn in_force(status: Option<&str>, valid_for: Option<&TimePeriod>, at: DateTime<Utc>) -> bool {
    let live = status
        .and_then(LifecycleStatus::parse)
        .is_some_and(LifecycleStatus::is_sellable);
    live && valid_for.is_none_or(|period| period.contains(at))
}

/// What the catalog rules need of each entity's model.
pub trait CatalogEntity:
    Serialize + DeserializeOwned + Validate + Clone + Send + Sync + 'static
{
    /// `lifecycleStatus`.
    fn lifecycle_status(&mut self) -> &mut Option<String>;
    /// `lastUpdate`.
    fn last_update(&mut self) -> &mut Option<DateTime<Utc>>;
    /// The references the entity holds.
    fn references(&self) -> Vec<Reference>;
}

/// A reference to check and index.
pub(crate) fn reference(
    path: String,
    id: &str,
    referred: Option<&str>,
    allowed: &'static [&'static str],
) -> Reference {
    Reference {
        path,
        id: id.to_owned(),
        referred_type: referred.map(str::to_owned),
        allowed,
    }
}

fn related_parties(parties: Option<&[RelatedParty]>, out: &mut Vec<Reference>) {
    out.extend(Reference::related_parties(parties, PARTIES));
}

macro_rules! lifecycle_fields {
    () => {
        fn lifecycle_status(&mut self) -> &mut Option<String> {
            &mut self.lifecycle_status
        }

        fn last_update(&mut self) -> &mut Option<DateTime<Utc>> {
            &mut self.last_update
        }
    };
}

const CATEGORY: &[&str] = &["Category"];
const OFFERING: &[&str] = &["ProductOffering"];
const SPECIFICATION: &[&str] = &["ProductSpecification"];
const PRICE: &[&str] = &["ProductOfferingPrice"];

impl CatalogEntity for Catalog {
    lifecycle_fields!();

    fn references(&self) -> Vec<Reference> {
        let mut out: Vec<Reference> = self
            .category
            .iter()
            .flatten()
            .enumerate()
            .map(|(i, c)| reference(format!("category[{i}]"), &c.id, None, CATEGORY))
            .collect();
        related_parties(self.related_party.as_deref(), &mut out);
        out
    }
}

impl CatalogEntity for Category {
    lifecycle_fields!();

    fn references(&self) -> Vec<Reference> {
        let mut out = Vec::new();
        if let Some(parent) = &self.parent_id {
            out.push(reference("parentId".into(), parent, None, CATEGORY));
        }
        for (i, sub) in self.sub_category.iter().flatten().enumerate() {
            out.push(reference(
                format!("subCategory[{i}]"),
                &sub.id,
                None,
                CATEGORY,
            ));
        }
        for (i, offering) in self.product_offering.iter().flatten().enumerate() {
            out.push(reference(
                format!("productOffering[{i}]"),
                &offering.id,
                None,
                OFFERING,
            ));
        }
        out
    }
}

impl CatalogEntity for ProductSpecification {
    lifecycle_fields!();

    fn references(&self) -> Vec<Reference> {
        let mut out = Vec::new();
        for (i, bundled) in self
            .bundled_product_specification
            .iter()
            .flatten()
            .enumerate()
        {
            if let Some(id) = &bundled.id {
                out.push(reference(
                    format!("bundledProductSpecification[{i}]"),
                    id,
                    None,
                    SPECIFICATION,
                ));
            }
        }
        for (i, related) in self
            .product_specification_relationship
            .iter()
            .flatten()
            .enumerate()
        {
            if let Some(id) = &related.id {
                out.push(reference(
                    format!("productSpecificationRelationship[{i}]"),
                    id,
                    None,
                    SPECIFICATION,
                ));
            }
        }
        related_parties(self.related_party.as_deref(), &mut out);
        out
    }
}

impl CatalogEntity for ProductOffering {
    lifecycle_fields!();

    fn references(&self) -> Vec<Reference> {
        let mut out = Vec::new();
        if let Some(specification) = &self.product_specification {
            out.push(reference(
                "productSpecification".into(),
                &specification.id,
                None,
                SPECIFICATION,
            ));
        }
        for (i, price) in self.product_offering_price.iter().flatten().enumerate() {
            out.push(reference(
                format!("productOfferingPrice[{i}]"),
                &price.id,
                None,
                PRICE,
            ));
        }
        for (i, category) in self.category.iter().flatten().enumerate() {
            out.push(reference(
                format!("category[{i}]"),
                &category.id,
                None,
                CATEGORY,
            ));
        }
        for (i, bundled) in self.bundled_product_offering.iter().flatten().enumerate() {
            if let Some(id) = &bundled.id {
                out.push(reference(
                    format!("bundledProductOffering[{i}]"),
                    id,
                    None,
                    OFFERING,
                ));
            }
        }
        out
    }
}

impl CatalogEntity for ProductOfferingPrice {
    lifecycle_fields!();

    fn references(&self) -> Vec<Reference> {
        let mut out = Vec::new();
        for (i, related) in self.pop_relationship.iter().flatten().enumerate() {
            if let Some(id) = &related.id {
                out.push(reference(format!("popRelationship[{i}]"), id, None, PRICE));
            }
        }
        for (i, bundled) in self.bundled_pop_relationship.iter().flatten().enumerate() {
            if let Some(id) = &bundled.id {
                out.push(reference(
                    format!("bundledPopRelationship[{i}]"),
                    id,
                    None,
                    PRICE,
                ));
            }
        }
        out
    }
}

/// A catalog entity as a stored resource kind.
pub struct CatalogKind<M> {
    descriptor: ResourceDescriptor,
    clock: Arc<dyn Clock>,
    _model: PhantomData<fn() -> M>,
}

impl<M> std::fmt::Debug for CatalogKind<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CatalogKind")
            .field("type_name", &self.descriptor.type_name)
            .finish_non_exhaustive()
    }
}

impl<M: CatalogEntity> CatalogKind<M> {
    /// The kind of the TMF620 resource `name` (`productOffering`) of type `type_name`, whose
    /// `lastUpdate` is stamped from `clock`.
    pub fn new(
        name: &'static str,
        type_name: &'static str,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, CatalogError> {
        Ok(Self {
            descriptor: ResourceDescriptor::from_spec(
                crate::spec::catalog(),
                CATALOG_BASE,
                name,
                type_name,
                Domain::Catalog,
            )?,
            clock,
            _model: PhantomData,
        })
    }
}

impl<M: CatalogEntity> ResourceKind for CatalogKind<M> {
    type Model = M;

    fn descriptor(&self) -> &ResourceDescriptor {
        &self.descriptor
    }

    fn stored_type(&self) -> StoredType {
        StoredType {
            table: CATALOG_TABLE,
            kind: self.descriptor.type_name,
        }
    }

    fn references(&self, model: &M) -> Vec<Reference> {
        model.references()
    }

    fn prepare(&self, _ctx: &RequestContext, previous: Option<&M>, model: &mut M) -> TmfResult<()> {
        Ok(self.rules(previous, model)?)
    }
}

impl<M: CatalogEntity> CatalogKind<M> {
    /// The rules of every catalog write: the lifecycle (a known status, a legal start, a
    /// legal step) and the server's `lastUpdate`, stamped when something else changed.
    fn rules(&self, previous: Option<&M>, model: &mut M) -> Result<(), ProductCatalogError> {
        let entity = self.descriptor.type_name;
        let refused = |refused: LifecycleError<LifecycleStatus>| {
            ProductCatalogError::Lifecycle(refused.of(entity))
        };
        let requested = model.lifecycle_status().clone();
        match previous.cloned() {
            None => {
                let status = match requested.as_deref() {
                    Some(text) => lifecycle_status(text)?,
                    None => LifecycleStatus::INITIAL,
                };
                check_create(status).map_err(refused)?;
                *model.lifecycle_status() = Some(status.as_str().to_owned());
                *model.last_update() = Some(self.clock.now());
            }
            Some(mut previous) => {
                let from = match previous.lifecycle_status().as_deref() {
                    Some(text) => lifecycle_status(text)?,
                    None => LifecycleStatus::INITIAL,
                };
                let to = match requested.as_deref() {
                    Some(text) => lifecycle_status(text)?,
                    None => from,
                };
                check_move(from, to).map_err(refused)?;
                *model.lifecycle_status() = Some(to.as_str().to_owned());
                // `lastUpdate` is the server's: it moves when something else changed.
                let stamp = *previous.last_update();
                *model.last_update() = stamp;
                let changed =
                    serde_json::to_value(&*model).ok() != serde_json::to_value(&previous).ok();
                *model.last_update() = if changed {
                    Some(self.clock.now())
                } else {
                    stamp
                };
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_launch_path_is_allowed_and_retirement_is_one_way() {
        use LifecycleStatus::*;
        for (from, to) in [
            (InStudy, InDesign),
            (InDesign, InTest),
            (InTest, Launched),
            (Launched, Retired),
            (Retired, Obsolete),
            (InTest, Rejected),
        ] {
            assert!(check_move(from, to).is_ok(), "{from} → {to}");
        }
        for (from, to) in [
            (Retired, Launched),
            (Obsolete, Active),
            (InDesign, Launched),
            (Rejected, InStudy),
            (Launched, InDesign),
        ] {
            let error = check_move(from, to)
                .map_err(|refused| lifecycle_error(refused.of("ProductOffering")))
                .expect_err("refused");
            assert_eq!(error.status().as_u16(), 409);
            assert!(
                error.message.starts_with("ProductOffering cannot go"),
                "{}",
                error.message
            );
        }
    }

    fn offering(
        status: Option<&str>,
        sellable: Option<bool>,
        period: Option<(&str, &str)>,
    ) -> ProductOffering {
        let mut document = serde_json::json!({"name": "Fibre"});
        if let Some(status) = status {
            document["lifecycleStatus"] = status.into();
        }
        if let Some(sellable) = sellable {
            document["isSellable"] = sellable.into();
        }
        if let Some((start, end)) = period {
            document["validFor"] = serde_json::json!({"startDateTime": start, "endDateTime": end});
        }
        serde_json::from_value(document).expect("offering")
    }

    #[test]
    fn only_live_valid_sellable_offerings_are_sold() {
        let at: DateTime<Utc> = "2026-06-01T00:00:00Z".parse().expect("instant");
        let year = Some(("2026-01-01T00:00:00Z", "2026-12-31T23:59:59Z"));
        assert!(check_sellable(&offering(Some("Launched"), None, year), at).is_ok());
        assert!(check_sellable(&offering(Some("Active"), Some(true), None), at).is_ok());
        for (case, refused) in [
            ("in design", offering(Some("In design"), None, year)),
            ("no status", offering(None, None, None)),
            ("retired", offering(Some("Retired"), None, year)),
            ("unsellable", offering(Some("Launched"), Some(false), year)),
            (
                "expired",
                offering(
                    Some("Launched"),
                    None,
                    Some(("2025-01-01T00:00:00Z", "2025-12-31T00:00:00Z")),
                ),
            ),
            (
                "not yet valid",
                offering(
                    Some("Launched"),
                    None,
                    Some(("2027-01-01T00:00:00Z", "2027-12-31T00:00:00Z")),
                ),
            ),
        ] {
            let error: TmfError = check_sellable(&refused, at).expect_err(case).into();
            assert_eq!(error.status().as_u16(), 422, "{case}");
            assert!(error.message.contains("Fibre"), "{case}: {}", error.message);
        }
    }

    proptest! {
        #[test]
        fn only_active_and_launched_sell(status in proptest::sample::select(&LifecycleStatus::ALL[..])) {
            prop_assert_eq!(status.is_sellable(), matches!(status, LifecycleStatus::Active | LifecycleStatus::Launched));
            prop_assert_eq!(lifecycle_status(status.as_str()).ok(), Some(status));
        }
    }
}
