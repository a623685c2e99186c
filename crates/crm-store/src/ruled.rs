//! Resources whose domain has rules beyond their kind's (an order priced from the catalog and
//! fulfilled into the inventory, a ticket whose contact is recorded): the [`RuledService`]
//! does what every such write shares, and the domain writes only its [`DomainRules`], over
//! typed models.
//!
//! A create or patch through a ruled service goes, in one transaction ([`Store::write`]):
//! the server-owned attributes are guarded (absent from a create, unchanged by a patch, with
//! `id`/`href` refused on create as everywhere), the stored resource is read and locked and the
//! request's `If-Match` checked against it, new notes are signed and dated (stored ones must
//! stay as they are), the request is decoded into the kind's typed model, the rules judge it
//! (and may write other resources in the same transaction), and what they return is written
//! through the resource's [`DocumentService`] (references, history, events). The resource is
//! then read again with its version, so that the `ETag` matches the body returned.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value as Json;
use tmf_apis::body::from_value;
use tmf_apis::{
    ListQuery, Page, PatchDocument, RequestContext, ResourceDescriptor, ResourceService, TmfError,
    TmfResult, Versioned,
};

use crate::idempotency::{self, Seen};
use crate::{Clock, DatabaseTransaction, DocumentService, ResourceKind, new_id};

/// Where a resource keeps its notes, which clients append to and never change: the new ones
/// are signed with the acting identity, dated by `clock` and given an id.
#[derive(Clone, Copy)]
pub struct Notes<'a> {
    /// The attribute that holds the list of notes (`note`).
    pub attribute: &'static str,
    /// The clock that dates new notes.
    pub clock: &'a dyn Clock,
}

impl std::fmt::Debug for Notes<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notes")
            .field("attribute", &self.attribute)
            .finish_non_exhaustive()
    }
}

/// The rules of a domain over resources of kind `K`: what a [`RuledService`] leaves to the
/// domain. Both judge typed models and may write other resources within `txn`; an error says
/// why in the domain's words, and converts into the TMF error the client receives.
#[async_trait]
pub trait DomainRules<K: ResourceKind>: Send + Sync + 'static {
    /// Why a write is refused, in the domain's words. An error of the store (or of another
    /// layer already stated as a [`TmfError`]) converts into it and back unchanged, so a lost
    /// race stays a 409 and an outage a 503.
    type Error: std::error::Error + From<TmfError> + Into<TmfError> + Send + Sync + 'static;

    /// The attributes only the server writes: a patch must leave them unchanged, and a create
    /// must not send those of [`refused_on_create`](Self::refused_on_create) (422,
    /// `'{attribute}' is set by the server`).
    fn server_owned(&self) -> &'static [&'static str] {
        &[]
    }

    /// The server-owned attributes a create must not send; by default all of them. A domain
    /// whose rules overwrite them on create (an order's dates and prices) names none.
    fn refused_on_create(&self) -> &'static [&'static str] {
        self.server_owned()
    }

    /// Where the resource keeps its notes, if it has any.
    fn notes(&self) -> Option<Notes<'_>> {
        None
    }

    /// The natural key of a new resource, when the domain gives it one (a bill's `billNo`
    /// within its billing account): a create with the key of a stored resource is a client's
    /// retry. With the same content it is answered with the stored resource (200) and writes
    /// nothing; with other content it is refused (409 naming the key). `None`: every create
    /// is new.
    fn natural_key(&self, _model: &K::Model) -> Option<NaturalKey> {
        None
    }

    /// Judges a new resource, to be stored as `id` (drawn beforehand, so that other writes of
    /// the change can name it); returns what to store.
    async fn create(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        model: K::Model,
    ) -> Result<K::Model, Self::Error>;

    /// Judges a change of the stored `previous` into `requested` (the patch applied, the
    /// server-owned attributes unchanged, the notes stamped); returns what to store.
    async fn patch(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        previous: &K::Model,
        requested: K::Model,
    ) -> Result<K::Model, Self::Error>;
}

/// A resource's natural key ([`DomainRules::natural_key`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NaturalKey {
    /// The key, unique among the resources of its type.
    pub key: String,
    /// How refusals name it to the client (`billNo 'B-1' of billing account 'A-9'`).
    pub named: String,
}

/// What a create did: stored a new resource, or found the one a retry asks for.
enum Created {
    New(Json),
    Replayed(String),
}

/// A resource served by its [`DocumentService`] for reads, deletes and history, and written
/// through its domain's [`DomainRules`] (see the module's documentation).
pub struct RuledService<K: ResourceKind, R: DomainRules<K>> {
    documents: Arc<DocumentService<K>>,
    rules: Arc<R>,
}

impl<K: ResourceKind, R: DomainRules<K>> std::fmt::Debug for RuledService<K, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuledService")
            .field("documents", &self.documents)
            .finish_non_exhaustive()
    }
}

impl<K: ResourceKind, R: DomainRules<K>> RuledService<K, R> {
    /// Serves `documents`, writing through `rules`.
    pub fn new(documents: Arc<DocumentService<K>>, rules: Arc<R>) -> Self {
        Self { documents, rules }
    }

    /// Creates a resource from a `_Create` body; returns it as stored.
    pub async fn create_document(&self, ctx: &RequestContext, body: Json) -> TmfResult<Json> {
        match self.create_or_replay(ctx, body).await? {
            Created::New(document) => Ok(document),
            Created::Replayed(id) => self.documents.retrieve(ctx, &id).await,
        }
    }

    /// Creates the resource, unless the request is a retry of a stored create: by the
    /// resource's natural key, or by the client's `Idempotency-Key` (scoped to the type and
    /// the caller). A key reused with other content is refused: 409 for a natural key (the
    /// identifier names another resource), 422 for a header key (the request is at fault).
    #[tracing::instrument(
        name = "ruled.create",
        skip_all,
        fields(resource = self.documents.descriptor().type_name, id)
    )]
    async fn create_or_replay(&self, ctx: &RequestContext, body: Json) -> TmfResult<Created> {
        crate::refuse_server_assigned(&body)?;
        for attribute in self.rules.refused_on_create() {
            if body.get(*attribute).is_some() {
                return Err(set_by_server(attribute));
            }
        }
        let mut body = body;
        self.stamp_notes(ctx, &[], &mut body)?;
        let type_name = self.documents.descriptor().type_name;
        // What the client sent, as the model reads it, identifies a retry.
        let fingerprint = {
            let sent: K::Model = sid_model::strict_attributes(ctx.strict_attributes, || {
                from_value(with_id(body.clone(), "-"))
            })?;
            let mut content = serde_json::to_value(&sent).map_err(TmfError::internal)?;
            if let Some(map) = content.as_object_mut() {
                map.remove("id");
            }
            idempotency::fingerprint(&content)
        };
        let id = new_id();
        tracing::Span::current().record("id", id.as_str());
        // The id is drawn before the model is read: a type that requires one (a spec's
        // read-only resource) reads as well as any other.
        let model: K::Model =
            sid_model::strict_attributes(ctx.strict_attributes, || from_value(with_id(body, &id)))?;
        let natural = self.rules.natural_key(&model);
        let header = ctx.idempotency_key.as_ref().map(|key| {
            (
                format!("Idempotency-Key {type_name}"),
                format!("{}\u{1f}{key}", ctx.actor.subject),
                key,
            )
        });
        self.documents
            .store
            .write(async |txn| {
                if let Some((scope, key, sent)) = &header {
                    match idempotency::check(txn, scope, key, &fingerprint).await? {
                        Seen::New => {}
                        Seen::Same(stored) => return Ok(Created::Replayed(stored)),
                        Seen::Different(_) => {
                            return Err(TmfError::invalid_value(format!(
                                "the Idempotency-Key '{sent}' was used for another request: send a new key with a new request"
                            )));
                        }
                    }
                }
                if let Some(natural) = &natural {
                    match idempotency::check(txn, type_name, &natural.key, &fingerprint).await? {
                        Seen::New => {}
                        Seen::Same(stored) => return Ok(Created::Replayed(stored)),
                        Seen::Different(stored) => {
                            return Err(TmfError::conflict(format!(
                                "{} is already {type_name} '{stored}', with other content",
                                natural.named
                            )));
                        }
                    }
                }
                let model = self
                    .rules
                    .create(txn, ctx, &id, model)
                    .await
                    .map_err(Into::into)?;
                let mut document = serde_json::to_value(&model).map_err(TmfError::internal)?;
                if let Some(map) = document.as_object_mut() {
                    // The drawn id, which the document service gives it again.
                    map.remove("id");
                }
                let created = self
                    .documents
                    .create_with_id_in(txn, ctx, &id, document)
                    .await?;
                if let Some((scope, key, _)) = &header {
                    idempotency::remember(txn, scope, key, &fingerprint, &id).await?;
                }
                if let Some(natural) = &natural {
                    idempotency::remember(txn, type_name, &natural.key, &fingerprint, &id)
                        .await?;
                }
                Ok(Created::New(created))
            })
            .await
    }

    /// Patches the resource `id`; returns it as stored.
    #[tracing::instrument(
        name = "ruled.patch",
        skip_all,
        fields(resource = self.documents.descriptor().type_name, id = %id)
    )]
    pub async fn patch_document(
        &self,
        ctx: &RequestContext,
        id: &str,
        patch: PatchDocument,
    ) -> TmfResult<Json> {
        self.documents
            .store
            .write(async |txn| {
                let (current, mut requested) = self
                    .documents
                    .requested_in(txn, ctx, id, &patch, self.rules.server_owned())
                    .await?;
                let stored_notes = self
                    .rules
                    .notes()
                    .and_then(|notes| current.get(notes.attribute))
                    .and_then(Json::as_array)
                    .cloned()
                    .unwrap_or_default();
                self.stamp_notes(ctx, &stored_notes, &mut requested)?;
                let previous: K::Model = from_value(current).map_err(|e| {
                    TmfError::internal(format!(
                        "stored {} {id} unreadable: {}",
                        self.documents.descriptor().type_name,
                        e.message
                    ))
                })?;
                let requested: K::Model =
                    sid_model::strict_attributes(ctx.strict_attributes, || from_value(requested))?;
                let model = self
                    .rules
                    .patch(txn, ctx, id, &previous, requested)
                    .await
                    .map_err(Into::into)?;
                let document = serde_json::to_value(&model).map_err(TmfError::internal)?;
                self.documents.replace_in(txn, ctx, id, document).await
            })
            .await
    }

    /// Checks that the notes of `document` keep the `stored` ones unchanged and in place,
    /// and signs, dates and identifies the new ones. A list that is not one of objects is
    /// left for the typed model to refuse.
    fn stamp_notes(
        &self,
        ctx: &RequestContext,
        stored: &[Json],
        document: &mut Json,
    ) -> TmfResult<()> {
        let Some(notes) = self.rules.notes() else {
            return Ok(());
        };
        let Some(Json::Object(map)) = Some(document) else {
            return Ok(());
        };
        let mut list = match map.get(notes.attribute) {
            None | Some(Json::Null) => None,
            Some(Json::Array(items)) if items.iter().all(Json::is_object) => Some(items.clone()),
            Some(_) => return Ok(()),
        };
        let now = serde_json::to_value(notes.clock.now()).map_err(TmfError::internal)?;
        let author = Json::String(ctx.actor.subject.clone());
        tmf_apis::notes::append_only(stored, &mut list, |note| {
            if let Json::Object(note) = note {
                note.insert("date".into(), now.clone());
                note.insert("author".into(), author.clone());
                if note.get("id").is_none_or(Json::is_null) {
                    note.insert("id".into(), Json::String(new_id()));
                }
            }
        })?;
        match list {
            Some(list) => map.insert(notes.attribute.into(), Json::Array(list)),
            None => map.remove(notes.attribute),
        };
        Ok(())
    }

    /// The resource a write returned, read again with its version (body and version read
    /// together, so the `ETag` matches the body even if another write followed).
    async fn reread(&self, ctx: &RequestContext, written: Json) -> TmfResult<Versioned> {
        match written.get("id").and_then(Json::as_str) {
            Some(id) => self.documents.retrieve_versioned(ctx, id).await,
            None => Ok(Versioned::unversioned(written)),
        }
    }
}

/// `body` with `id` set (a create's body has none: [`crate::refuse_server_assigned`]).
fn with_id(mut body: Json, id: &str) -> Json {
    if let Some(map) = body.as_object_mut() {
        map.insert("id".into(), Json::String(id.to_owned()));
    }
    body
}

/// The refusal of a server-owned attribute a client sent or changed.
pub(crate) fn set_by_server(attribute: &str) -> TmfError {
    TmfError::invalid_value(format!("'{attribute}' is set by the server"))
}

#[async_trait]
impl<K: ResourceKind, R: DomainRules<K>> ResourceService for RuledService<K, R> {
    fn descriptor(&self) -> &ResourceDescriptor {
        self.documents.descriptor()
    }

    async fn list(&self, ctx: &RequestContext, query: &ListQuery) -> TmfResult<Page> {
        self.documents.list(ctx, query).await
    }

    async fn create(&self, ctx: &RequestContext, body: Json) -> TmfResult<Json> {
        self.create_document(ctx, body).await
    }

    async fn retrieve(&self, ctx: &RequestContext, id: &str) -> TmfResult<Json> {
        self.documents.retrieve(ctx, id).await
    }

    async fn patch(&self, ctx: &RequestContext, id: &str, patch: PatchDocument) -> TmfResult<Json> {
        self.patch_document(ctx, id, patch).await
    }

    async fn create_versioned(&self, ctx: &RequestContext, body: Json) -> TmfResult<Versioned> {
        match self.create_or_replay(ctx, body).await? {
            Created::New(created) => self.reread(ctx, created).await,
            Created::Replayed(id) => Ok(Versioned {
                replayed: true,
                ..self.documents.retrieve_versioned(ctx, &id).await?
            }),
        }
    }

    async fn retrieve_versioned(&self, ctx: &RequestContext, id: &str) -> TmfResult<Versioned> {
        self.documents.retrieve_versioned(ctx, id).await
    }

    async fn patch_versioned(
        &self,
        ctx: &RequestContext,
        id: &str,
        patch: PatchDocument,
    ) -> TmfResult<Versioned> {
        let patched = self.patch_document(ctx, id, patch).await?;
        self.reread(ctx, patched).await
    }

    async fn delete(&self, ctx: &RequestContext, id: &str) -> TmfResult<()> {
        self.documents.delete(ctx, id).await
    }

    async fn history(
        &self,
        ctx: &RequestContext,
        id: &str,
        offset: u64,
        limit: u64,
    ) -> TmfResult<Page> {
        self.documents.history(ctx, id, offset, limit).await
    }
}
