//! The generic document service: every TMF resource is stored as its JSON representation
//! in a table of its own, with the references it holds indexed in `entity_ref`.
//!
//! A resource kind declares its typed model, its table, the references it holds and any
//! rule of its own; this module does the rest the same way for all of them: typed
//! validation at the edge, reference checks and writes in one transaction, filtered and
//! paged lists in the database, optimistic patching, delete refusal while referenced.

use std::collections::{HashMap, HashSet};
use std::marker::PhantomData;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, Value};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use tmf_apis::body::from_value;
use tmf_apis::{
    EventKind, IfMatch, ListQuery, Page, PatchDocument, RequestContext, ResourceDescriptor,
    ResourceService, TmfError, TmfResult, Versioned,
};
use validator::Validate;

use crate::Store;
use crate::error::{db_error, query_error};
use crate::history::{self, Action, Record};
use crate::inherited::{Holders, KeyHolder};
use crate::keyset;
use crate::outbox;
use crate::sql::{LedSearch, Sql, push_count, push_order_and_page, push_where};

mod erasure;
mod kind;
mod many;
mod read;
mod references;
mod search;
mod write;

pub(crate) use erasure::EXTERNAL;
pub(crate) use erasure::erase_attribute;
pub use erasure::{ERASED, Erasable, Erasure, erase_document};
pub use kind::{Reference, ResourceKind, StoredType, TableReference, TypeRegistry};
pub use many::{Admitted, Pending, Prepared};
pub use read::json_text;
pub(crate) use read::{read_body, read_json};
pub use write::{DocumentWriter, attempt, finish, new_id, refuse_server_assigned};

/// The generic service of a resource kind.
pub struct DocumentService<K: ResourceKind> {
    kind: K,
    pub(crate) store: Store,
    registry: Arc<TypeRegistry>,
    _model: PhantomData<fn() -> K::Model>,
}

impl<K: ResourceKind> std::fmt::Debug for DocumentService<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocumentService")
            .field("type_name", &self.kind.descriptor().type_name)
            .finish_non_exhaustive()
    }
}

impl<K: ResourceKind> DocumentService<K> {
    /// A service for `kind` over `store`, checking references against `registry`.
    pub fn new(kind: K, store: Store, registry: Arc<TypeRegistry>) -> Self {
        Self {
            kind,
            store,
            registry,
            _model: PhantomData,
        }
    }

    /// The kind of the resources served (a domain's rules may use its own kind's checks).
    pub fn kind(&self) -> &K {
        &self.kind
    }

    fn backend(&self) -> DbBackend {
        self.store.backend()
    }

    /// Parses and validates a full representation; returns the model and its normalised JSON.
    fn admit(
        &self,
        ctx: &RequestContext,
        document: Json,
        previous: Option<&K::Model>,
    ) -> TmfResult<(K::Model, Json)> {
        let mut model: K::Model =
            sid_model::strict_attributes(ctx.strict_attributes, || from_value(document))?;
        if let Err(errors) = model.validate() {
            let violation = sid_model::validation::first_violation(&errors);
            return Err(TmfError::invalid_value(format!(
                "'{}': {}",
                violation.path, violation.message
            )));
        }
        self.kind.prepare(ctx, previous, &mut model)?;
        let normalised = serde_json::to_value(&model).map_err(TmfError::internal)?;
        Ok((model, normalised))
    }

    fn not_found(&self, id: &str) -> TmfError {
        TmfError::not_found(self.kind.descriptor().type_name, id)
    }
}

#[async_trait]
impl<K: ResourceKind> ResourceService for DocumentService<K> {
    fn descriptor(&self) -> &ResourceDescriptor {
        self.kind.descriptor()
    }

    async fn list(&self, _ctx: &RequestContext, query: &ListQuery) -> TmfResult<Page> {
        let stored = self.kind.stored_type();
        let query = self.normalise_search(query)?;
        let connection = self.store.connection();

        let mut count = Sql::new(self.backend());
        let attributes = self.attribute_keys();
        push_count(&mut count, (stored.table, stored.kind), &query, &attributes);
        let total = count.count(connection).await?;

        if let Some(led) = LedSearch::of(&query, &attributes)
            && let Some(value) = led.keyset_value(&query)
        {
            let (key, prefix) = led.key;
            let search = keyset::Search {
                stored: (stored.table, stored.kind),
                key: (key, prefix, value),
            };
            let items =
                keyset::page(&self.store, search, &led.rest, (query.offset, query.limit)).await?;
            return Ok(Page { items, total });
        }
        let mut select = Sql::new(self.backend());
        select.push("SELECT body FROM ").push(stored.table);
        push_where(&mut select, stored.table, stored.kind, &query);
        push_order_and_page(&mut select, &query);
        let rows = connection
            .query_all_raw(select.build())
            .await
            .map_err(query_error)?;
        let items = rows.iter().map(read_body).collect::<TmfResult<Vec<_>>>()?;
        Ok(Page { items, total })
    }

    async fn create(&self, ctx: &RequestContext, body: Json) -> TmfResult<Json> {
        let id = new_id();
        let (model, document) = self.admit_new(ctx, &id, body)?;
        self.store
            .write(async |txn| {
                let mut document = document.clone();
                self.insert(txn, ctx, &id, &mut document, &model).await?;
                Ok(document)
            })
            .await
    }

    async fn create_versioned(&self, ctx: &RequestContext, body: Json) -> TmfResult<Versioned> {
        let document = self.create(ctx, body).await?;
        Ok(Versioned {
            document,
            version: Some(1),
            replayed: false,
        })
    }

    async fn retrieve_versioned(&self, _ctx: &RequestContext, id: &str) -> TmfResult<Versioned> {
        let (document, version) = self
            .load(self.store.connection(), id, false)
            .await?
            .ok_or_else(|| self.not_found(id))?;
        Ok(Versioned {
            document,
            version: Some(version),
            replayed: false,
        })
    }

    async fn patch_versioned(
        &self,
        ctx: &RequestContext,
        id: &str,
        patch: PatchDocument,
    ) -> TmfResult<Versioned> {
        let (document, version) = self
            .store
            .write(async |txn| {
                self.update(
                    txn,
                    ctx,
                    id,
                    patch,
                    write::Precondition::Client(&ctx.if_match),
                )
                .await
            })
            .await?;
        Ok(Versioned {
            document,
            version: Some(version),
            replayed: false,
        })
    }

    async fn retrieve(&self, ctx: &RequestContext, id: &str) -> TmfResult<Json> {
        Ok(self.retrieve_versioned(ctx, id).await?.document)
    }

    async fn patch(&self, ctx: &RequestContext, id: &str, patch: PatchDocument) -> TmfResult<Json> {
        Ok(self.patch_versioned(ctx, id, patch).await?.document)
    }

    async fn delete(&self, ctx: &RequestContext, id: &str) -> TmfResult<()> {
        self.store
            .write(async |txn| self.remove(txn, ctx, id).await)
            .await
    }

    async fn history(
        &self,
        _ctx: &RequestContext,
        id: &str,
        offset: u64,
        limit: u64,
    ) -> TmfResult<Page> {
        let page = history::read(
            self.store.connection(),
            self.kind.stored_type().table,
            id,
            offset,
            limit,
        )
        .await?;
        // No history: 404 unless the resource exists (bulk-loaded data has none yet).
        if page.total == 0
            && self
                .load(self.store.connection(), id, false)
                .await?
                .is_none()
        {
            return Err(self.not_found(id));
        }
        Ok(page)
    }
}
