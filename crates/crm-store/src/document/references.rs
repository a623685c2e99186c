//! The references a resource holds: checked against the stored types, completed, and
//! indexed in `entity_ref`.

use std::fmt::Write as _;

use super::*;

/// Collects, as external entries of the reference index, the references inside `value` (at
/// `path`, in the spelling of [`Reference::path`]) that are not among the `checked` ones: the
/// objects with a string `id` and an `@referredType` or `href` (a channel, an agreement, a
/// quote, a document), which point at things this product does not store.
pub(super) fn external_references(
    value: &Json,
    path: &mut String,
    checked: &HashSet<&str>,
    out: &mut Vec<(String, StoredType, String)>,
) {
    match value {
        Json::Object(map) => {
            let is_reference = map.contains_key("@referredType") || map.contains_key("href");
            if let (false, Some(Json::String(id))) = (path.is_empty(), map.get("id"))
                && is_reference
                && !checked.contains(path.as_str())
            {
                let target = StoredType {
                    table: EXTERNAL,
                    kind: EXTERNAL,
                };
                out.push((path.clone(), target, id.clone()));
            }
            for (key, inner) in map {
                if matches!(inner, Json::Object(_) | Json::Array(_)) {
                    let length = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                    external_references(inner, path, checked, out);
                    path.truncate(length);
                }
            }
        }
        Json::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let length = path.len();
                let _ = write!(path, "[{i}]");
                external_references(item, path, checked, out);
                path.truncate(length);
            }
        }
        _ => {}
    }
}

/// The JSON pointer of a reference path (`relatedParty[2]` is `/relatedParty/2`).
pub(super) fn pointer_of(path: &str) -> String {
    let mut pointer = String::new();
    for part in path.split('.') {
        let (name, indexes) = part.split_once('[').unwrap_or((part, ""));
        pointer.push('/');
        pointer.push_str(name);
        for index in indexes.split('[') {
            let index = index.trim_end_matches(']');
            if !index.is_empty() {
                pointer.push('/');
                pointer.push_str(index);
            }
        }
    }
    pointer
}

/// Whether `href` names the resource `id`: its last path segment (query and fragment
/// aside, percent-decoded) is the id.
pub(super) fn href_names(href: &str, id: &str) -> bool {
    let path = href.split(['?', '#']).next().unwrap_or_default();
    // A URL's last path segment, or a URN's last part (`urn:crm:Customer:42`).
    let last = path
        .trim_end_matches('/')
        .rsplit(['/', ':'])
        .next()
        .unwrap_or_default();
    percent_encoding::percent_decode_str(last).decode_utf8_lossy() == id
}

/// Completes the reference at `reference.path` of `document`, which names a stored
/// `type_name`: see [`DocumentService::check_references`].
pub(super) fn complete_reference(
    document: &mut Json,
    reference: &Reference,
    type_name: &str,
    name: Option<String>,
) -> TmfResult<()> {
    let Some(Json::Object(target)) = document.pointer_mut(&pointer_of(&reference.path)) else {
        return Ok(());
    };
    match target.get("href") {
        Some(Json::String(href)) if !href_names(href, &reference.id) => {
            return Err(TmfError::invalid_value(format!(
                "'{}.href': '{}' does not name {type_name} '{}'",
                reference.path,
                href.chars().take(200).collect::<String>(),
                reference.id
            )));
        }
        _ => {}
    }
    let referred = target
        .entry("@referredType")
        .or_insert_with(|| Json::String(type_name.to_owned()));
    if referred.as_str() == Some(type_name) {
        // The router derives the `href` of a reference to a served type on output.
        target.remove("href");
    }
    if let Some(name) = name {
        target.entry("name").or_insert(Json::String(name));
    }
    Ok(())
}

/// Where a reference may point: a type this product does not store (kept as given, indexed
/// as external), or the stored types to look its id up in, in order.
#[derive(Debug)]
pub(super) enum Candidates {
    External(StoredType),
    Stored(Vec<&'static str>),
}

/// The SQL expression of a referenced row's name (`name`, `fullName`, `tradingName`, or
/// given and family name), copied into references of kinds that complete names.
pub(super) fn name_expression(backend: DbBackend) -> String {
    let field = |name: &str| crate::sql::json_scalar(backend, "body", &[name]);
    format!(
        "COALESCE({}, {}, {}, {} || ' ' || {})",
        field("name"),
        field("fullName"),
        field("tradingName"),
        field("givenName"),
        field("familyName")
    )
}

impl<K: ResourceKind> DocumentService<K> {
    /// Where `reference` may point ([`Candidates`]); 422 when its `@referredType` is a stored
    /// type the reference does not allow.
    pub(super) fn candidates(&self, reference: &Reference) -> TmfResult<Candidates> {
        let allowed = reference
            .referred_type
            .as_deref()
            .and_then(|referred| reference.allowed.iter().copied().find(|t| *t == referred));
        Ok(match (&reference.referred_type, allowed) {
            (Some(_), Some(allowed)) if self.registry.get(allowed).is_none() => {
                // A type this product does not store (a service, a bill before its crate
                // exists): kept as given, marked external in the reference index.
                Candidates::External(StoredType {
                    table: EXTERNAL,
                    kind: allowed,
                })
            }
            (Some(_), Some(allowed)) => Candidates::Stored(vec![allowed]),
            (Some(referred), None) if self.registry.get(referred).is_some() => {
                return Err(TmfError::invalid_value(format!(
                    "'{}': @referredType '{}' is not allowed here; expected one of {}",
                    reference.path,
                    referred,
                    reference.allowed.join(", ")
                )));
            }
            // No type, or a name this product does not know (`Party`, `Employee`): the id is
            // looked up among the allowed types.
            _ => Candidates::Stored(reference.allowed.to_vec()),
        })
    }

    /// The refusal of a reference whose target is not stored.
    pub(super) fn missing_target(reference: &Reference) -> TmfError {
        TmfError::reference_not_found(format!(
            "'{}': {} '{}' does not exist",
            reference.path,
            reference
                .referred_type
                .clone()
                .unwrap_or_else(|| reference.allowed.join(" or ")),
            reference.id
        ))
    }
}

impl<K: ResourceKind> DocumentService<K> {
    /// Checks that every reference names a stored resource of an allowed type, and completes
    /// each in `document`: a missing `@referredType` becomes the type found; a given `href`
    /// must name the same id (422 otherwise) and is dropped, since the router derives it on
    /// output; a missing `name` is taken from the target where the kind asks for it.
    pub(super) async fn check_references(
        &self,
        txn: &DatabaseTransaction,
        references: &[Reference],
        document: &mut Json,
    ) -> TmfResult<Vec<(String, StoredType, String)>> {
        let mut resolved = Vec::with_capacity(references.len());
        for reference in references {
            let candidates = match self.candidates(reference)? {
                Candidates::External(external) => {
                    resolved.push((reference.path.clone(), external, reference.id.clone()));
                    continue;
                }
                Candidates::Stored(candidates) => candidates,
            };
            let mut found = None;
            for type_name in candidates {
                let Some(stored) = self.registry.get(type_name) else {
                    continue;
                };
                if let Some(name) = self
                    .exists_for_reference(txn, stored, &reference.id)
                    .await?
                {
                    found = Some((stored, type_name, name));
                    break;
                }
            }
            match found {
                Some((stored, type_name, name)) => {
                    let name = name.filter(|_| self.kind.completes_reference_names());
                    complete_reference(document, reference, type_name, name)?;
                    resolved.push((reference.path.clone(), stored, reference.id.clone()))
                }
                None => return Err(Self::missing_target(reference)),
            }
        }
        let checked: HashSet<&str> = resolved.iter().map(|(path, ..)| path.as_str()).collect();
        let mut external = Vec::new();
        external_references(document, &mut String::new(), &checked, &mut external);
        resolved.extend(external);
        Ok(resolved)
    }

    /// Whether the referenced row exists, with its name (`name`, `fullName`, `tradingName`,
    /// or given and family name) when it has one: `None` when there is no such row.
    pub(super) async fn exists_for_reference(
        &self,
        txn: &DatabaseTransaction,
        stored: StoredType,
        id: &str,
    ) -> TmfResult<Option<Option<String>>> {
        let name = name_expression(self.backend());
        let mut sql = Sql::new(self.backend());
        sql.push("SELECT ")
            .push(&name)
            .push(" AS name FROM ")
            .push(stored.table)
            .push(" WHERE id = ")
            .bind(id.to_owned())
            .push(" AND kind = ")
            .bind(stored.kind);
        if self.backend() == DbBackend::Postgres {
            // Holds the referenced row against deletion until this transaction ends.
            sql.push(" FOR KEY SHARE");
        }
        let row = txn.query_one_raw(sql.build()).await.map_err(db_error)?;
        row.map(|row| row.try_get::<Option<String>>("", "name"))
            .transpose()
            .map_err(db_error)
    }

    /// Whether the reference at `path`, resolved into `target_table`, is indexed by this
    /// kind's own table rather than by a row of `entity_ref`.
    pub(super) fn in_own_table(&self, path: &str, target_table: &str) -> bool {
        self.registry
            .indexed_in_table(self.kind.stored_type(), path, target_table)
    }

    /// Replaces the indexed references of `id` (`fresh`: it has none yet) with `references`,
    /// in one statement.
    pub(super) async fn write_references(
        &self,
        txn: &DatabaseTransaction,
        (id, fresh): (&str, bool),
        references: &[(String, StoredType, String)],
    ) -> TmfResult<()> {
        let table = self.kind.stored_type().table;
        if !fresh {
            let mut sql = Sql::new(self.backend());
            sql.push("DELETE FROM entity_ref WHERE source_table = ")
                .bind(table)
                .push(" AND source_id = ")
                .bind(id.to_owned());
            txn.execute_raw(sql.build()).await.map_err(db_error)?;
        }
        let indexed: Vec<&(String, StoredType, String)> = references
            .iter()
            .filter(|(path, target, _)| !self.in_own_table(path, target.table))
            .collect();
        if indexed.is_empty() {
            return Ok(());
        }
        let mut sql = Sql::new(self.backend());
        sql.push("INSERT INTO entity_ref (source_table, source_id, path, target_table, target_id) VALUES ");
        for (i, (path, target, target_id)) in indexed.into_iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" })
                .bind(table)
                .push(", ")
                .bind(id.to_owned())
                .push(", ")
                .bind(path.clone())
                .push(", ")
                .bind(target.table)
                .push(", ")
                .bind(target_id.clone())
                .push(")");
        }
        txn.execute_raw(sql.build()).await.map_err(db_error)?;
        Ok(())
    }
}
