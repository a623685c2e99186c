//! The customer 360 view's contract with the domains: a domain adds a section by declaring
//! a [`ViewContributor`] (usually a [`ReferencingSection`] over its table) in its
//! [`crate::Parts`], and names its resources' entries in the customer timeline with a
//! [`TimelineSource`]. The view itself (`customer-information`) never names the domains.

use async_trait::async_trait;
use crm_store::Store;
use serde_json::Value;
use tmf_apis::{RequestContext, TmfResult};

/// Who the view is about.
#[derive(Debug, Clone)]
pub struct ViewSubject {
    /// The customer's id.
    pub customer_id: String,
    /// The customer document.
    pub customer: Value,
    /// The engaged party's id.
    pub party_id: String,
    /// The engaged party's type (`Individual`, `Organization`).
    pub party_type: String,
}

impl ViewSubject {
    /// The ids a related resource may point at: the customer's and its party's.
    pub fn ids(&self) -> Vec<String> {
        vec![self.customer_id.clone(), self.party_id.clone()]
    }
}

/// One section of the 360 view.
#[async_trait]
pub trait ViewContributor: Send + Sync + 'static {
    /// The section's key in the view.
    fn section(&self) -> &'static str;

    /// The section's content for `subject`.
    async fn contribute(&self, ctx: &RequestContext, subject: &ViewSubject) -> TmfResult<Value>;
}

/// A section listing the documents of one table that refer to the customer or its party
/// (accounts, orders, tickets...), optionally only those of some kinds.
pub struct ReferencingSection {
    /// The section's key.
    pub section: &'static str,
    /// The table to look in.
    pub table: &'static str,
    /// The kinds to keep (empty: all).
    pub kinds: &'static [&'static str],
    /// Which documents to keep (`None`: all), such as the orders still open.
    pub keep: Option<fn(&Value) -> bool>,
    /// The store.
    pub store: Store,
}

impl std::fmt::Debug for ReferencingSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReferencingSection")
            .field("section", &self.section)
            .field("table", &self.table)
            .field("kinds", &self.kinds)
            .field("filtered", &self.keep.is_some())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl ViewContributor for ReferencingSection {
    fn section(&self) -> &'static str {
        self.section
    }

    async fn contribute(&self, _ctx: &RequestContext, subject: &ViewSubject) -> TmfResult<Value> {
        let related =
            crm_store::relations::referencing_some(self.store.connection(), &subject.ids()).await?;
        let ids: Vec<String> = related
            .resources
            .into_iter()
            .filter(|(table, _)| table == self.table)
            .map(|(_, id)| id)
            .collect();
        let mut documents =
            crm_store::relations::documents(&self.store, self.table, &ids, self.kinds).await?;
        if let Some(keep) = self.keep {
            documents.retain(keep);
        }
        Ok(Value::Array(documents))
    }
}

/// How the customer timeline names the history entries of one resource type: entries of
/// `resource_type` are of kind `kind` (a party interaction's are `interaction`); every other
/// entry is a `change`. The timeline holds the history of what refers to the customer or its
/// party; a type whose resources refer to the customer's resources instead (a bill refers to
/// the customer's billing account) says so with `through`, and is reached one step further.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineSource {
    /// The resource type (`PartyInteraction`).
    pub resource_type: &'static str,
    /// The entry kind (`interaction`).
    pub kind: &'static str,
    /// How the customer's resources of this type are reached when they do not refer to the
    /// customer themselves.
    pub through: Option<Hop>,
}

/// One step further from the customer: the resources stored in `table` that refer to the
/// customer's resources stored as `via` (bills, in `customer_bill`, referring to the
/// customer's billing accounts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hop {
    /// Where the resources reached are stored.
    pub table: &'static str,
    /// The customer's resources they refer to.
    pub via: crm_store::StoredType,
}

impl Hop {
    /// The resources (table, id) this step reaches from the customer's `related` resources
    /// (those referring to the customer or its party), at most `MAX_RELATED`, and whether
    /// that was all.
    pub async fn reach(
        &self,
        store: &Store,
        related: &[(String, String)],
    ) -> TmfResult<crm_store::relations::Related> {
        let via: Vec<String> = related
            .iter()
            .filter(|(table, _)| table == self.via.table)
            .map(|(_, id)| id.clone())
            .collect();
        let mut reached = crm_store::relations::referencing_some(store.connection(), &via).await?;
        reached.resources.retain(|(table, _)| table == self.table);
        Ok(reached)
    }
}
