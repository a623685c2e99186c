//! Many new documents at once, for imports: each admitted exactly as a create stores it
//! (validated, prepared by its kind, its references checked and completed, its search keys
//! computed), the references of the whole batch checked with one query per stored type, and
//! written with multi-row statements ([`crate::bulk`]), with their create events when asked.
//! No history: a bulk load is not a change anyone made. Also the reads an export and an
//! import's comparisons need: a keyset scan, and many documents by id.

use super::references::{Candidates, complete_reference, external_references, name_expression};
use super::*;
use crate::bulk::{self, BulkRow};

/// Ids per `IN (…)` list.
const IN_LIST: usize = 500;

/// Documents written in the same change as those being admitted, which their references may
/// name before they are stored (a bill and its lines, imported together): by stored type,
/// their ids. A reference to one is found without a look-up (and so without a name to copy).
#[derive(Debug, Default, Clone)]
pub struct Pending(HashMap<StoredType, HashSet<String>>);

impl Pending {
    /// Says that the document `id` stored as `stored` is written in the same change.
    pub fn add(&mut self, stored: StoredType, id: impl Into<String>) {
        self.0.entry(stored).or_default().insert(id.into());
    }

    fn contains(&self, stored: StoredType, id: &str) -> bool {
        self.0.get(&stored).is_some_and(|ids| ids.contains(id))
    }
}

/// A new document admitted for a bulk insert: its model as prepared by its kind, and the row
/// to write (the document as a create stores it, its resolved references and its keys).
#[derive(Debug, Clone)]
pub struct Admitted<M> {
    /// The model, as the kind prepared it.
    pub model: M,
    /// What is written.
    pub row: BulkRow,
    /// The document's JSON text, when [`rendered`](Self::rendered) ahead of the insert (on a
    /// thread of its own, say): SQLite stores it as it is, without reading `row.body` (which
    /// a caller short of memory may then empty; events are then made from the text).
    pub text: Option<String>,
}

impl<M> Admitted<M> {
    /// With the document's JSON text made now, so that the insert does not have to.
    pub fn rendered(mut self) -> Self {
        self.text = Some(json_text(&self.row.body));
        self
    }

    /// The row and its text, the model let go: for a row written without events
    /// ([`DocumentService::insert_rows`]), held in memory with nothing it does not need.
    pub fn into_row(self) -> (BulkRow, Option<String>) {
        (self.row, self.text)
    }
}

/// A new document checked and prepared as a create would store it, its references not yet
/// resolved ([`DocumentService::prepare_new`]).
#[derive(Debug)]
pub struct Prepared<M> {
    id: String,
    model: M,
    document: Json,
    references: Vec<(Reference, Candidates)>,
}

impl<M> Prepared<M> {
    /// The document as it will be stored, but for the completion of its references (a
    /// missing `@referredType` added, an `href` dropped).
    pub fn document(&self) -> &Json {
        &self.document
    }
}

impl<K: ResourceKind> DocumentService<K> {
    /// What a create of `model` as `id` stores, without the database: validated, prepared
    /// by the kind, serialised with its `id` and `@type`. `model`'s own id is ignored.
    fn admit_model(
        &self,
        ctx: &RequestContext,
        id: &str,
        mut model: K::Model,
    ) -> TmfResult<(K::Model, Json)> {
        if let Err(errors) = model.validate() {
            let violation = sid_model::validation::first_violation(&errors);
            return Err(TmfError::invalid_value(format!(
                "'{}': {}",
                violation.path, violation.message
            )));
        }
        self.kind.prepare(ctx, None, &mut model)?;
        let mut document = serde_json::to_value(&model).map_err(TmfError::internal)?;
        if let Json::Object(map) = &mut document {
            map.insert("id".into(), Json::String(id.to_owned()));
            map.entry("@type")
                .or_insert_with(|| Json::String(self.kind.descriptor().type_name.to_owned()));
        }
        Ok((model, document))
    }

    /// The first half of [`admit_many`](Self::admit_many), which needs no database and so
    /// may run anywhere: `model` (the domain's rules' result) validated, prepared by the kind
    /// and serialised as a create stores it under `id`, its references read and their
    /// `@referredType`s judged (the same 422s as a create). Resolve it with
    /// [`admit_prepared`](Self::admit_prepared) or [`admit_known`](Self::admit_known).
    pub fn prepare_new(
        &self,
        ctx: &RequestContext,
        id: String,
        model: K::Model,
    ) -> TmfResult<Prepared<K::Model>> {
        let (model, document) = self.admit_model(ctx, &id, model)?;
        let mut references = Vec::new();
        for reference in self.kind.references(&model) {
            let candidates = self.candidates(&reference)?;
            references.push((reference, candidates));
        }
        Ok(Prepared {
            id,
            model,
            document,
            references,
        })
    }

    /// Resolves a prepared document without the database, when every reference it holds
    /// names, as the first type it may be, a document of `known` (written in the same
    /// change, or known to exist), or points outside: `Ok` with what [`admit_many`] gives
    /// with `known` as its pending documents; `Err` with the prepared document when a
    /// reference needs a look-up (or the kind copies its targets' names, which need one).
    ///
    /// [`admit_many`]: Self::admit_many
    #[allow(clippy::result_large_err)]
    pub fn admit_known(
        &self,
        mut prepared: Prepared<K::Model>,
        known: &Pending,
    ) -> Result<TmfResult<Admitted<K::Model>>, Prepared<K::Model>> {
        let decided = !self.kind.completes_reference_names()
            && prepared
                .references
                .iter()
                .all(|(reference, candidates)| match candidates {
                    Candidates::External(_) => true,
                    Candidates::Stored(types) => types
                        .iter()
                        .find_map(|t| self.registry.get(t))
                        .is_some_and(|stored| known.contains(stored, &reference.id)),
                });
        if !decided {
            return Err(prepared);
        }
        let resolved = self.resolve(
            &prepared.references,
            &HashMap::new(),
            known,
            &mut prepared.document,
        );
        Ok(resolved.map(|resolved| self.admitted(prepared, resolved)))
    }

    /// The admitted document of `prepared`, whose references are `resolved`.
    fn admitted(
        &self,
        prepared: Prepared<K::Model>,
        resolved: Vec<(String, StoredType, String)>,
    ) -> Admitted<K::Model> {
        let Prepared {
            id,
            model,
            document,
            ..
        } = prepared;
        let mut keys = self.kind.index_keys(&model, &document);
        keys.sort();
        keys.dedup();
        Admitted {
            model,
            row: BulkRow {
                id,
                kind: self.kind.stored_type().kind,
                body: document,
                references: resolved
                    .into_iter()
                    .filter(|(path, target, _)| !self.in_own_table(path, target.table))
                    .map(|(path, target, target_id)| (path, target.table, target_id))
                    .collect(),
                keys,
            },
            text: None,
        }
    }

    /// Admits new resources (each a model the domain's rules returned, to be stored as its
    /// id) for [`insert_many`](Self::insert_many): each is what a create would store, or the
    /// error a create would give (an invalid model, a refused `@referredType`, a reference to
    /// nothing: the same 422s). References are looked up with one query per stored type for
    /// the whole batch (locked `FOR KEY SHARE` on PostgreSQL, as a create locks them), or
    /// found among the `pending` documents of the same change. The outer error is the
    /// database's.
    pub async fn admit_many(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        items: Vec<(String, K::Model)>,
        pending: &Pending,
    ) -> TmfResult<Vec<TmfResult<Admitted<K::Model>>>> {
        let prepared = items
            .into_iter()
            .map(|(id, model)| self.prepare_new(ctx, id, model))
            .collect();
        self.admit_prepared(txn, prepared, pending).await
    }

    /// The second half of [`admit_many`](Self::admit_many): the references of `prepared`
    /// documents (their refusals passed through) looked up and completed.
    pub async fn admit_prepared(
        &self,
        txn: &DatabaseTransaction,
        prepared: Vec<TmfResult<Prepared<K::Model>>>,
        pending: &Pending,
    ) -> TmfResult<Vec<TmfResult<Admitted<K::Model>>>> {
        let mut wanted: HashMap<StoredType, HashSet<String>> = HashMap::new();
        for one in prepared.iter().flatten() {
            for (reference, candidates) in &one.references {
                if let Candidates::Stored(types) = candidates {
                    for stored in types.iter().filter_map(|t| self.registry.get(t)) {
                        if !pending.contains(stored, &reference.id) {
                            wanted
                                .entry(stored)
                                .or_default()
                                .insert(reference.id.clone());
                        }
                    }
                }
            }
        }
        let found = self.look_up(txn, wanted).await?;
        Ok(prepared
            .into_iter()
            .map(|one| {
                let mut one = one?;
                let resolved = self.resolve(&one.references, &found, pending, &mut one.document)?;
                Ok(self.admitted(one, resolved))
            })
            .collect())
    }

    /// The rows among `wanted` that exist, by stored type and id, each with its name.
    async fn look_up(
        &self,
        txn: &DatabaseTransaction,
        wanted: HashMap<StoredType, HashSet<String>>,
    ) -> TmfResult<HashMap<StoredType, HashMap<String, Option<String>>>> {
        let backend = self.backend();
        let mut found: HashMap<StoredType, HashMap<String, Option<String>>> = HashMap::new();
        for (stored, ids) in wanted {
            let ids: Vec<String> = ids.into_iter().collect();
            let rows_of = found.entry(stored).or_default();
            for chunk in ids.chunks(IN_LIST) {
                let mut sql = Sql::new(backend);
                sql.push("SELECT id, ")
                    .push(&name_expression(backend))
                    .push(" AS name FROM ")
                    .push(stored.table)
                    .push(" WHERE kind = ")
                    .bind(stored.kind)
                    .push(" AND id IN (")
                    .bind_list(chunk.iter().cloned())
                    .push(")");
                if backend == DbBackend::Postgres {
                    sql.push(" FOR KEY SHARE");
                }
                for row in txn.query_all_raw(sql.build()).await.map_err(db_error)? {
                    let id: String = row.try_get("", "id").map_err(db_error)?;
                    let name: Option<String> = row.try_get("", "name").map_err(db_error)?;
                    rows_of.insert(id, name);
                }
            }
        }
        Ok(found)
    }

    /// Resolves and completes the references of one admitted document, as
    /// [`check_references`](Self::check_references) does one by one.
    fn resolve(
        &self,
        references: &[(Reference, Candidates)],
        found: &HashMap<StoredType, HashMap<String, Option<String>>>,
        pending: &Pending,
        document: &mut Json,
    ) -> TmfResult<Vec<(String, StoredType, String)>> {
        let mut resolved = Vec::with_capacity(references.len());
        for (reference, candidates) in references {
            let types = match candidates {
                Candidates::External(external) => {
                    resolved.push((reference.path.clone(), *external, reference.id.clone()));
                    continue;
                }
                Candidates::Stored(types) => types,
            };
            let target = types.iter().find_map(|type_name| {
                let stored = self.registry.get(type_name)?;
                if pending.contains(stored, &reference.id) {
                    return Some((stored, *type_name, None));
                }
                let name = found.get(&stored)?.get(&reference.id)?;
                Some((stored, *type_name, name.clone()))
            });
            let Some((stored, type_name, name)) = target else {
                return Err(Self::missing_target(reference));
            };
            let name = name.filter(|_| self.kind.completes_reference_names());
            complete_reference(document, reference, type_name, name)?;
            resolved.push((reference.path.clone(), stored, reference.id.clone()));
        }
        let checked: HashSet<&str> = resolved.iter().map(|(path, ..)| path.as_str()).collect();
        let mut external = Vec::new();
        external_references(document, &mut String::new(), &checked, &mut external);
        resolved.extend(external);
        Ok(resolved)
    }

    /// Writes documents admitted by [`admit_many`](Self::admit_many) within `txn`: rows,
    /// references and search keys in multi-row statements, the keys they hold besides their
    /// own, and, when `events` is set, each one's create event and business events in the
    /// outbox, as a create writes them. No history (a bulk load is not a change anyone made).
    pub async fn insert_many(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        admitted: &[&Admitted<K::Model>],
        events: bool,
    ) -> TmfResult<()> {
        let rows: Vec<(&BulkRow, Option<&str>)> = admitted
            .iter()
            .map(|a| (&a.row, a.text.as_deref()))
            .collect();
        self.insert_rows(txn, &rows).await?;
        if events {
            for one in admitted {
                let body = match (&one.row.body, &one.text) {
                    (Json::Null, Some(text)) => std::borrow::Cow::Owned(
                        serde_json::from_str(text).map_err(TmfError::internal)?,
                    ),
                    (body, _) => std::borrow::Cow::Borrowed(body),
                };
                outbox::record(
                    txn,
                    self.kind.descriptor(),
                    ctx,
                    (None, Some(&body)),
                    &self.kind.domain_events(None, &one.model),
                )
                .await?;
            }
        }
        Ok(())
    }

    /// Writes admitted rows (with their text when rendered beforehand) within `txn`, without
    /// events: rows, references and search keys in multi-row statements, and the keys they
    /// hold besides their own ([`insert_many`](Self::insert_many) without its events).
    pub async fn insert_rows(
        &self,
        txn: &DatabaseTransaction,
        rows: &[(&BulkRow, Option<&str>)],
    ) -> TmfResult<()> {
        let stored = self.kind.stored_type();
        bulk::insert_rendered_in(txn, stored.table, rows).await?;
        if let Some(holder) = self.registry.holder(stored) {
            for (row, _) in rows {
                holder.derive(txn, Holders::One(&row.id)).await?;
            }
        }
        Ok(())
    }

    /// Up to `limit` stored documents matching the filters of `query` (its sort and page
    /// are ignored), in id order, after the id `after`: a keyset walk through any number of
    /// documents (an export) without counting them or skipping rows by offset.
    pub async fn scan(
        &self,
        connection: &impl ConnectionTrait,
        query: &ListQuery,
        after: Option<&str>,
        limit: u64,
    ) -> TmfResult<Vec<Json>> {
        let stored = self.kind.stored_type();
        let query = self.normalise_search(query)?;
        let mut select = Sql::new(self.backend());
        select.push("SELECT body FROM ").push(stored.table);
        push_where(&mut select, stored.table, stored.kind, &query);
        if let Some(after) = after {
            select.push(" AND id > ").bind(after.to_owned());
        }
        select
            .push(" ORDER BY id LIMIT ")
            .bind(i64::try_from(limit).unwrap_or(i64::MAX));
        let rows = connection
            .query_all_raw(select.build())
            .await
            .map_err(query_error)?;
        rows.iter().map(read_body).collect()
    }

    /// The stored documents among `ids`, by id, read through `connection`.
    pub async fn read_many(
        &self,
        connection: &impl ConnectionTrait,
        ids: &[String],
    ) -> TmfResult<HashMap<String, Json>> {
        let stored = self.kind.stored_type();
        let mut documents = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(IN_LIST) {
            let mut sql = Sql::new(self.backend());
            sql.push("SELECT id, body FROM ")
                .push(stored.table)
                .push(" WHERE kind = ")
                .bind(stored.kind)
                .push(" AND id IN (")
                .bind_list(chunk.iter().cloned())
                .push(")");
            for row in connection
                .query_all_raw(sql.build())
                .await
                .map_err(db_error)?
            {
                let id: String = row.try_get("", "id").map_err(db_error)?;
                documents.insert(id, read_body(&row)?);
            }
        }
        Ok(documents)
    }
}
