//! "Everything related to X": the resources that hold a reference to given resources, read
//! from the reference index, and their documents.

use sea_orm::ConnectionTrait;
use serde_json::Value as Json;
use tmf_apis::{TmfError, TmfResult};

use crate::Store;
use crate::error::db_error;
use crate::sql::Sql;

/// Most related resources one question may gather.
pub const MAX_RELATED: u64 = 1000;

/// The `(table, id)` of every stored resource that references any of `target_ids`.
pub async fn referencing(
    connection: &impl ConnectionTrait,
    target_ids: &[String],
) -> TmfResult<Vec<(String, String)>> {
    if target_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(connection.get_database_backend());
    sql.push("SELECT DISTINCT source_table, source_id FROM entity_ref WHERE target_id IN (")
        .bind_list(target_ids.iter().cloned())
        .push(") ORDER BY source_table, source_id LIMIT ")
        .bind(i64::try_from(MAX_RELATED).unwrap_or(i64::MAX));
    let rows = connection
        .query_all_raw(sql.build())
        .await
        .map_err(db_error)?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("", "source_table").map_err(db_error)?,
                row.try_get("", "source_id").map_err(db_error)?,
            ))
        })
        .collect()
}

/// The documents with these ids in `table`, optionally of the given kinds, newest first.
pub async fn documents(
    store: &Store,
    table: &str,
    ids: &[String],
    kinds: &[&str],
) -> TmfResult<Vec<Json>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    if !tmf_apis::is_plain_name(table) {
        return Err(TmfError::internal(format!("not a table name: {table}")));
    }
    let mut sql = Sql::new(store.backend());
    sql.push("SELECT body FROM ")
        .push(table)
        .push(" WHERE id IN (")
        .bind_list(ids.iter().cloned())
        .push(")");
    if !kinds.is_empty() {
        sql.push(" AND kind IN (")
            .bind_list(kinds.iter().map(|kind| (*kind).to_owned()))
            .push(")");
    }
    sql.push(" ORDER BY created_at DESC, id DESC");
    let rows = store
        .connection()
        .query_all_raw(sql.build())
        .await
        .map_err(db_error)?;
    rows.iter().map(crate::document::read_body).collect()
}
