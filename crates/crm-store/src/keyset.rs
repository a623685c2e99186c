//! Pages of a search read in key order straight from the search index (keyset paging).
//!
//! A list query led by a search (a CSR's `search.name` prefix) is paged in the order of
//! the matching keys, then ids: the index range is read a chunk at a time, each resource
//! taken once (it may match under several keys), and each batch of new matches narrowed by
//! the query's other clauses, until `offset + limit` resources are found.
//! However many resources match, a first page costs a few index reads, not a gathering and
//! sorting of every match.

use std::collections::{HashMap, HashSet, VecDeque};

use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::Value as Json;
use tmf_apis::{Clause, TmfResult};

use crate::Store;
use crate::error::query_error;
use crate::relations;
use crate::sql::{Sql, push_key_page, push_narrowing};

/// Most keys read from the index per query; the first read asks for what the page needs,
/// each further read for twice as many, up to this.
const CHUNK: i64 = 500;

/// The table and kind a search pages, and what it looks for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Search<'a> {
    /// The resources' table and kind.
    pub stored: (&'static str, &'static str),
    /// Index key type, prefix or exact, and the one value looked for.
    pub key: (&'static str, bool, &'a str),
}

/// The ids of the matching keys in key order, read a chunk at a time.
struct Matches<'a> {
    search: Search<'a>,
    /// The last `(key, id)` read: the next chunk starts after it.
    after: Option<(String, String)>,
    buffer: VecDeque<String>,
    exhausted: bool,
    chunk: i64,
}

impl<'a> Matches<'a> {
    fn new(search: Search<'a>, first_chunk: usize) -> Self {
        Self {
            search,
            after: None,
            buffer: VecDeque::new(),
            exhausted: false,
            chunk: i64::try_from(first_chunk).unwrap_or(CHUNK).clamp(1, CHUNK),
        }
    }

    /// Reads the next chunk when the buffer is empty and the index has more.
    async fn fill(&mut self, connection: &DatabaseConnection) -> TmfResult<()> {
        if !self.buffer.is_empty() || self.exhausted {
            return Ok(());
        }
        let mut sql = Sql::new(connection.get_database_backend());
        push_key_page(
            &mut sql,
            self.search.stored,
            self.search.key,
            self.after.as_ref(),
            self.chunk,
        );
        let rows = connection
            .query_all_raw(sql.build())
            .await
            .map_err(query_error)?;
        self.exhausted = rows.len() < usize::try_from(self.chunk).unwrap_or(usize::MAX);
        self.chunk = (self.chunk * 2).min(CHUNK);
        for row in &rows {
            let id: String = row.try_get("", "source_id").map_err(query_error)?;
            self.buffer.push_back(id);
        }
        if let Some(last) = rows.last() {
            let key: String = last.try_get("", "key_value").map_err(query_error)?;
            self.after = self.buffer.back().map(|id| (key, id.clone()));
        }
        Ok(())
    }
}

/// The page `offset..offset + limit` of the resources matching `search` and every clause of
/// `rest`, in the order of their first matching key, then id.
pub(crate) async fn page(
    store: &Store,
    search: Search<'_>,
    rest: &[&Clause],
    (offset, limit): (u64, u64),
) -> TmfResult<Vec<Json>> {
    let connection = store.connection();
    let wanted = usize::try_from(offset.saturating_add(limit)).unwrap_or(usize::MAX);
    // Room for the matches a resource has under several keys, and those the clauses drop.
    let first_chunk = wanted.saturating_mul(2).max(16);
    let mut matches = Matches::new(search, first_chunk);
    let mut ids: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    while ids.len() < wanted {
        // Enough new matches for what is missing, with room for those the clauses drop.
        let batch = (wanted - ids.len())
            .saturating_mul(2)
            .clamp(16, CHUNK as usize);
        let mut candidates = Vec::with_capacity(batch);
        while candidates.len() < batch {
            matches.fill(connection).await?;
            let Some(id) = matches.buffer.pop_front() else {
                break;
            };
            if seen.insert(id.clone()) {
                candidates.push(id);
            }
        }
        if candidates.is_empty() {
            break;
        }
        ids.extend(narrow(connection, search.stored, candidates, rest).await?);
    }
    let offset = usize::try_from(offset).unwrap_or(usize::MAX);
    let page: Vec<String> = ids.into_iter().take(wanted).skip(offset).collect();
    documents(store, search.stored, page).await
}

/// The `candidates` (in their order) that satisfy every clause of `rest`.
async fn narrow(
    connection: &DatabaseConnection,
    stored: (&str, &str),
    candidates: Vec<String>,
    rest: &[&Clause],
) -> TmfResult<Vec<String>> {
    if rest.is_empty() {
        return Ok(candidates);
    }
    let mut sql = Sql::new(connection.get_database_backend());
    push_narrowing(&mut sql, stored, &candidates, rest);
    let rows = connection
        .query_all_raw(sql.build())
        .await
        .map_err(query_error)?;
    let mut kept = HashSet::with_capacity(rows.len());
    for row in &rows {
        kept.insert(row.try_get::<String>("", "id").map_err(query_error)?);
    }
    Ok(candidates
        .into_iter()
        .filter(|id| kept.contains(id))
        .collect())
}

/// The documents `ids`, in that order.
async fn documents(
    store: &Store,
    (table, kind): (&str, &str),
    ids: Vec<String>,
) -> TmfResult<Vec<Json>> {
    let found = relations::documents(store, table, &ids, &[kind]).await?;
    let mut by_id: HashMap<String, Json> = found
        .into_iter()
        .filter_map(|document| Some((document.get("id")?.as_str()?.to_owned(), document)))
        .collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}
