//! Writing documents: creates, patches and deletes with their reference index, search keys,
//! history and events, in the caller's transaction or one of their own.

use super::*;

/// A new resource id: a UUIDv7, time-ordered and so friendly to indexes.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Refuses a create body that carries what the server assigns (`id`, `href`).
pub fn refuse_server_assigned(body: &Json) -> TmfResult<()> {
    for read_only in ["id", "href"] {
        if body.get(read_only).is_some() {
            return Err(TmfError::invalid_body(format!(
                "'{read_only}' is assigned by the server and must not be sent on create"
            )));
        }
    }
    Ok(())
}

/// Commits when the work succeeded, rolls back at once when it did not: a refused request
/// must not leave a connection idle in a transaction, holding its locks.
pub async fn finish<T>(txn: crate::Transaction, outcome: TmfResult<T>) -> TmfResult<T> {
    match outcome {
        Ok(value) => {
            txn.commit().await.map_err(db_error)?;
            Ok(value)
        }
        Err(error) => {
            if let Err(rollback) = txn.rollback().await {
                tracing::warn!(error = %rollback, "rollback failed");
            }
            Err(error)
        }
    }
}

/// Runs `work` inside `txn` as one part that may fail alone (a savepoint): what it wrote is
/// kept when it succeeds and undone when it fails, the rest of `txn` untouched either way.
/// The outer result fails only when the savepoint itself does; the inner one is `work`'s.
pub async fn attempt<T>(
    txn: &DatabaseTransaction,
    work: impl AsyncFnOnce(&DatabaseTransaction) -> TmfResult<T>,
) -> TmfResult<TmfResult<T>> {
    use sea_orm::TransactionTrait;
    let part = txn.begin().await.map_err(db_error)?;
    match work(&part).await {
        Ok(value) => {
            part.commit().await.map_err(db_error)?;
            Ok(Ok(value))
        }
        Err(error) => {
            part.rollback().await.map_err(db_error)?;
            Ok(Err(error))
        }
    }
}

impl<K: ResourceKind> DocumentService<K> {
    /// Creates a resource within `txn`, as `POST` does: validation, the kind's rules,
    /// reference checks, history and events. Lets a domain write several resources as one
    /// change (an order's completion and the products it makes).
    pub async fn create_in(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        body: Json,
    ) -> TmfResult<Json> {
        let id = new_id();
        self.create_with_id_in(txn, ctx, &id, body).await
    }

    /// Creates a resource within `txn` under an id drawn beforehand with [`new_id`], for a
    /// change whose other writes must name the resource before it exists (a ticket and the
    /// interaction it came from, which refer to each other).
    pub async fn create_with_id_in(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        body: Json,
    ) -> TmfResult<Json> {
        let (model, mut document) = self.admit_new(ctx, id, body)?;
        self.insert(txn, ctx, id, &mut document, &model).await?;
        Ok(document)
    }

    /// A create body checked and normalised into the resource `id`: what needs no database,
    /// done before a write transaction begins.
    pub(super) fn admit_new(
        &self,
        ctx: &RequestContext,
        id: &str,
        body: Json,
    ) -> TmfResult<(K::Model, Json)> {
        refuse_server_assigned(&body)?;
        // The id is the server's, given before the model is read: a type that requires one
        // (a specification's read-only resource) reads as well as any other.
        let mut body = body;
        if let Json::Object(map) = &mut body {
            map.insert("id".into(), Json::String(id.to_owned()));
        }
        let (model, mut document) = self.admit(ctx, body, None)?;
        if let Json::Object(map) = &mut document {
            map.insert("id".into(), Json::String(id.to_owned()));
            map.entry("@type")
                .or_insert_with(|| Json::String(self.kind.descriptor().type_name.to_owned()));
        }
        Ok((model, document))
    }
}

impl<K: ResourceKind> DocumentService<K> {
    /// The stored document `id`, locked within `txn`, and what `patch` asks it to become,
    /// for a domain to judge before it writes; 404 when there is no such resource, 412 when
    /// its stored version does not satisfy the request's `If-Match`, 422 when the patch
    /// changes one of the `server_owned` attributes.
    pub async fn requested_in(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        patch: &PatchDocument,
        server_owned: &[&str],
    ) -> TmfResult<(Json, Json)> {
        let (current, version) = self
            .load(txn, id, true)
            .await?
            .ok_or_else(|| self.not_found(id))?;
        ctx.if_match.check(version)?;
        let mut requested = current.clone();
        patch.apply(&mut requested)?;
        for attribute in server_owned {
            if requested.get(*attribute) != current.get(*attribute) {
                return Err(crate::ruled::set_by_server(attribute));
            }
        }
        Ok((current, requested))
    }

    /// Patches a resource within `txn`, as `PATCH` does.
    pub async fn update_in(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        patch: PatchDocument,
    ) -> TmfResult<Json> {
        let (document, _) = self
            .update(txn, ctx, id, patch, Precondition::Client(&IfMatch::Absent))
            .await?;
        Ok(document)
    }

    /// Replaces a resource's whole representation within `txn`, as [`replace_in`] does, if
    /// it is still at the `version` it was read at ([`read_versioned_in`]); 409 when it was
    /// changed since. For a domain that judges a resource it read before writing others.
    ///
    /// [`replace_in`]: Self::replace_in
    /// [`read_versioned_in`]: Self::read_versioned_in
    pub async fn replace_at_in(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        document: Json,
        version: i64,
    ) -> TmfResult<Json> {
        let replacement = PatchDocument::replacement(document);
        let (document, _) = self
            .update(txn, ctx, id, replacement, Precondition::ReadAt(version))
            .await?;
        Ok(document)
    }

    /// Replaces a resource's whole representation within `txn` (its `id` and `@type` kept),
    /// with the same rules, history and events as a patch.
    pub async fn replace_in(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        document: Json,
    ) -> TmfResult<Json> {
        let replacement = PatchDocument::replacement(document);
        let (document, _) = self
            .update(
                txn,
                ctx,
                id,
                replacement,
                Precondition::Client(&IfMatch::Absent),
            )
            .await?;
        Ok(document)
    }

    pub(super) fn record<'a>(
        &'a self,
        id: &'a str,
        action: Action,
        changes: Vec<Json>,
    ) -> Record<'a> {
        Record {
            table: self.kind.stored_type().table,
            resource_type: self.kind.descriptor().type_name,
            resource_id: id,
            action,
            changes,
        }
    }

    /// Inserts the admitted `document` as `id`, with its references, keys, history and events.
    #[tracing::instrument(
        name = "document.create",
        skip_all,
        fields(resource = self.kind.descriptor().type_name, id = %id)
    )]
    pub(super) async fn insert(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        document: &mut Json,
        model: &K::Model,
    ) -> TmfResult<()> {
        let stored = self.kind.stored_type();
        let resolved = self
            .check_references(txn, &self.kind.references(model), document)
            .await?;
        let document = &*document;
        let now = now_micros();
        let mut insert = Sql::new(self.backend());
        insert
            .push("INSERT INTO ")
            .push(stored.table)
            .push(" (id, kind, body, version, created_at, updated_at) VALUES (")
            .bind(id.to_owned())
            .push(", ")
            .bind(stored.kind)
            .push(", ")
            .bind(body_value(self.backend(), document))
            .push(", 1, ")
            .bind(now)
            .push(", ")
            .bind(now)
            .push(")");
        txn.execute_raw(insert.build()).await.map_err(db_error)?;
        self.write_references(txn, (id, true), &resolved).await?;
        self.write_search_keys(txn, (id, true), &self.kind.index_keys(model, document))
            .await?;
        let changes = history::changes(None, Some(document));
        history::write(txn, ctx, self.record(id, Action::Create, changes)).await?;
        outbox::record(
            txn,
            self.kind.descriptor(),
            ctx,
            (None, Some(document)),
            &self.kind.domain_events(None, model),
        )
        .await
    }

    /// Applies `patch` to `id` if its stored version satisfies `precondition`; returns the
    /// new document and version.
    #[tracing::instrument(
        name = "document.update",
        skip_all,
        fields(resource = self.kind.descriptor().type_name, id = %id)
    )]
    pub(super) async fn update(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        patch: PatchDocument,
        precondition: Precondition<'_>,
    ) -> TmfResult<(Json, i64)> {
        let (mut document, version) = self
            .load(txn, id, true)
            .await?
            .ok_or_else(|| self.not_found(id))?;
        match precondition {
            Precondition::Client(if_match) => if_match.check(version)?,
            Precondition::ReadAt(read) if read != version => {
                return Err(self.changed_concurrently(id));
            }
            Precondition::ReadAt(_) => {}
        }
        let previous: K::Model = from_value(document.clone())
            .map_err(|e| TmfError::internal(format!("stored {id} unreadable: {e}")))?;
        let before = document.clone();
        let type_before = document.get("@type").cloned();
        patch.apply(&mut document)?;
        let (model, mut normalised) = self.admit(ctx, document, Some(&previous))?;
        if let Json::Object(map) = &mut normalised {
            map.insert("id".into(), Json::String(id.to_owned()));
            if let (None, Some(type_before)) = (map.get("@type"), type_before) {
                map.insert("@type".into(), type_before);
            }
        }
        let resolved = self
            .check_references(txn, &self.kind.references(&model), &mut normalised)
            .await?;
        if normalised == before {
            // A patch that changes nothing writes nothing: no row, no history, no event, and
            // the version (so the ETag) stays.
            return Ok((normalised, version));
        }
        self.replace_body(txn, id, version, &normalised).await?;
        self.write_references(txn, (id, false), &resolved).await?;
        self.write_search_keys(txn, (id, false), &self.kind.index_keys(&model, &normalised))
            .await?;
        let changes = history::changes(Some(&before), Some(&normalised));
        history::write(txn, ctx, self.record(id, Action::Update, changes)).await?;
        outbox::record(
            txn,
            self.kind.descriptor(),
            ctx,
            (Some(&before), Some(&normalised)),
            &self.kind.domain_events(Some(&previous), &model),
        )
        .await?;
        Ok((normalised, version + 1))
    }

    /// Writes a new body if the row is still at `version` (optimistic concurrency).
    pub(super) async fn replace_body(
        &self,
        txn: &DatabaseTransaction,
        id: &str,
        version: i64,
        document: &Json,
    ) -> TmfResult<()> {
        let mut update = Sql::new(self.backend());
        update
            .push("UPDATE ")
            .push(self.kind.stored_type().table)
            .push(" SET body = ")
            .bind(body_value(self.backend(), document))
            .push(", version = version + 1, updated_at = ")
            .bind(now_micros())
            .push(" WHERE id = ")
            .bind(id.to_owned())
            .push(" AND version = ")
            .bind(version);
        let result = txn.execute_raw(update.build()).await.map_err(db_error)?;
        if result.rows_affected() != 1 {
            return Err(self.changed_concurrently(id));
        }
        Ok(())
    }

    /// The refusal of a write that lost a race (409).
    fn changed_concurrently(&self, id: &str) -> TmfError {
        TmfError::conflict(format!(
            "{} '{id}' was changed concurrently; retry",
            self.kind.descriptor().type_name
        ))
    }
}

impl<K: ResourceKind> DocumentService<K> {
    /// Deletes `id` unless something refers to it.
    #[tracing::instrument(
        name = "document.delete",
        skip_all,
        fields(resource = self.kind.descriptor().type_name, id = %id)
    )]
    pub(super) async fn remove(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
    ) -> TmfResult<()> {
        let stored = self.kind.stored_type();
        let Some((previous, version)) = self.load(txn, id, true).await? else {
            return Err(self.not_found(id));
        };
        ctx.if_match.check(version)?;
        let mut referrers = Sql::new(self.backend());
        referrers
            .push("SELECT source_table, source_id, path FROM reference_index WHERE target_table = ")
            .bind(stored.table)
            .push(" AND target_id = ")
            .bind(id.to_owned())
            .push(" LIMIT 1");
        if let Some(row) = txn
            .query_one_raw(referrers.build())
            .await
            .map_err(db_error)?
        {
            let source_table: String = row.try_get("", "source_table").map_err(db_error)?;
            let source_id: String = row.try_get("", "source_id").map_err(db_error)?;
            let path: String = row.try_get("", "path").map_err(db_error)?;
            return Err(TmfError::conflict(format!(
                "{} '{id}' is still referenced by {source_table} '{source_id}' ({path}); remove that reference first",
                self.kind.descriptor().type_name
            )));
        }
        let mut delete = Sql::new(self.backend());
        delete
            .push("DELETE FROM ")
            .push(stored.table)
            .push(" WHERE id = ")
            .bind(id.to_owned());
        txn.execute_raw(delete.build()).await.map_err(db_error)?;
        self.write_references(txn, (id, false), &[]).await?;
        self.write_search_keys(txn, (id, false), &[]).await?;
        let changes = history::changes(Some(&previous), None);
        history::write(txn, ctx, self.record(id, Action::Delete, changes)).await?;
        outbox::record(
            txn,
            self.kind.descriptor(),
            ctx,
            (Some(&previous), None),
            &[],
        )
        .await
    }
}

pub(super) fn body_value(backend: DbBackend, document: &Json) -> Value {
    match backend {
        DbBackend::Postgres => Value::Json(Some(Box::new(document.clone()))),
        _ => Value::from(json_text(document)),
    }
}

pub(super) fn now_micros() -> i64 {
    Utc::now().timestamp_micros()
}

/// What a write asks of the stored version of the resource it changes.
#[derive(Debug, Clone, Copy)]
pub(super) enum Precondition<'a> {
    /// The client's `If-Match` (412 when the version does not satisfy it).
    Client(&'a IfMatch),
    /// The version a domain read the resource at (409 when it has moved on since).
    ReadAt(i64),
}

/// Creating resources of a kind inside another domain's change, without knowing the kind: a
/// trouble ticket logged from a call records the call as a party interaction this way.
#[async_trait]
pub trait DocumentWriter: Send + Sync {
    /// The type name of the resources written.
    fn type_name(&self) -> &'static str;

    /// Creates a resource within `txn`, as [`DocumentService::create_in`] does.
    async fn create_in(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        body: Json,
    ) -> TmfResult<Json>;

    /// The resource `id` read within `txn`, locked against concurrent writers until the
    /// transaction ends ([`DocumentService::load_in`]); `None` when there is none.
    async fn load_in(&self, txn: &DatabaseTransaction, id: &str) -> TmfResult<Option<Json>>;

    /// Replaces the resource `id` within `txn`, with its kind's rules, history and events
    /// ([`DocumentService::replace_in`]).
    async fn replace_in(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        document: Json,
    ) -> TmfResult<Json>;
}

#[async_trait]
impl<K: ResourceKind> DocumentWriter for DocumentService<K> {
    fn type_name(&self) -> &'static str {
        self.kind.descriptor().type_name
    }

    async fn create_in(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        body: Json,
    ) -> TmfResult<Json> {
        DocumentService::create_in(self, txn, ctx, body).await
    }

    async fn load_in(&self, txn: &DatabaseTransaction, id: &str) -> TmfResult<Option<Json>> {
        DocumentService::load_in(self, txn, id).await
    }

    async fn replace_in(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        document: Json,
    ) -> TmfResult<Json> {
        DocumentService::replace_in(self, txn, ctx, id, document).await
    }
}
