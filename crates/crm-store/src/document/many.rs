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
}

/// A document on its way through [`DocumentService::admit_many`].
enum Stage<M> {
    Refused(TmfError),
    Ready {
        id: String,
        model: M,
        document: Json,
        references: Vec<(Reference, Candidates)>,
    },
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
        let mut wanted: HashMap<StoredType, HashSet<String>> = HashMap::new();
        let mut stages = Vec::with_capacity(items.len());
        for (id, model) in items {
            let (model, document) = match self.admit_model(ctx, &id, model) {
                Ok(admitted) => admitted,
                Err(error) => {
                    stages.push(Stage::Refused(error));
                    continue;
                }
            };
            let mut references = Vec::new();
            let mut refused = None;
            for reference in self.kind.references(&model) {
                match self.candidates(&reference) {
                    Ok(candidates) => {
                        if let Candidates::Stored(types) = &candidates {
                            for stored in types.iter().filter_map(|t| self.registry.get(t)) {
                                if !pending.contains(stored, &reference.id) {
                                    wanted
                                        .entry(stored)
                                        .or_default()
                                        .insert(reference.id.clone());
                                }
                            }
                        }
                        references.push((reference, candidates));
                    }
                    Err(error) => {
                        refused = Some(error);
                        break;
                    }
                }
            }
            stages.push(match refused {
                Some(error) => Stage::Refused(error),
                None => Stage::Ready {
                    id,
                    model,
                    document,
                    references,
                },
            });
        }
        let found = self.look_up(txn, wanted).await?;
        let stored_type = self.kind.stored_type();
        let mut admitted = Vec::with_capacity(stages.len());
        for stage in stages {
            let Stage::Ready {
                id,
                model,
                mut document,
                references,
            } = stage
            else {
                if let Stage::Refused(error) = stage {
                    admitted.push(Err(error));
                }
                continue;
            };
            let resolved = self.resolve(&references, &found, pending, &mut document);
            admitted.push(resolved.map(|resolved| {
                let mut keys = self.kind.index_keys(&model, &document);
                keys.sort();
                keys.dedup();
                Admitted {
                    model,
                    row: BulkRow {
                        id,
                        kind: stored_type.kind,
                        body: document,
                        references: resolved
                            .into_iter()
                            .map(|(path, target, target_id)| (path, target.table, target_id))
                            .collect(),
                        keys,
                    },
                }
            }));
        }
        Ok(admitted)
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
        admitted: &[Admitted<K::Model>],
        events: bool,
    ) -> TmfResult<()> {
        let stored = self.kind.stored_type();
        let rows: Vec<&BulkRow> = admitted.iter().map(|a| &a.row).collect();
        bulk::insert_in(txn, stored.table, &rows).await?;
        if let Some(holder) = self.registry.holder(stored) {
            for row in &rows {
                holder.derive(txn, Holders::One(&row.id)).await?;
            }
        }
        if events {
            for one in admitted {
                outbox::record(
                    txn,
                    self.kind.descriptor(),
                    ctx,
                    (None, Some(&one.row.body)),
                    &self.kind.domain_events(None, &one.model),
                )
                .await?;
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
