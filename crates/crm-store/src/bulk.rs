//! Bulk loading for data sets and migrations from legacy systems: many documents, their
//! references and search keys, with multi-row statements, in one transaction of their own
//! ([`insert`]) or in the caller's ([`insert_in`]: a batch of an import, which writes its
//! idempotency keys and balances in the same change).
//!
//! It writes exactly what the services write except history (a bulk load is not a change
//! anyone made); callers must build valid documents: the seeder builds them from typed
//! models, and an import admits them through [`DocumentService::admit_many`], which
//! validates, prepares, checks and completes references as a create does
//! (`DocumentService::insert_many` then writes them, with their events if asked).
//!
//! [`DocumentService::admit_many`]: crate::DocumentService::admit_many

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, Value};
use serde_json::Value as Json;
use tmf_apis::{TmfError, TmfResult};

use crate::error::db_error;
use crate::sql::Sql;
use crate::{Store, StoreError};

/// One document to load.
#[derive(Debug, Clone)]
pub struct BulkRow {
    /// Its id.
    pub id: String,
    /// Its kind (`Individual`).
    pub kind: &'static str,
    /// The TMF representation, without `href`.
    pub body: Json,
    /// Its references kept in `entity_ref` (those its table does not index itself): path,
    /// target table, target id.
    pub references: Vec<(String, &'static str, String)>,
    /// Its search keys.
    pub keys: Vec<(&'static str, String)>,
}

/// Rows per statement.
const CHUNK: usize = 400;

/// Inserts the rows into `table`, in one transaction.
pub async fn insert(store: &Store, table: &str, rows: &[BulkRow]) -> Result<(), StoreError> {
    let failed =
        |e: TmfError| StoreError::Migration(format!("bulk load into {table}: {}", e.message));
    // The store's write transaction: on SQLite it queues with every other writer.
    let txn = store.begin().await.map_err(failed)?;
    let rows: Vec<&BulkRow> = rows.iter().collect();
    insert_in(&txn, table, &rows).await.map_err(failed)?;
    txn.commit()
        .await
        .map_err(|e| StoreError::Migration(format!("bulk load into {table}: {e}")))?;
    Ok(())
}

/// Inserts the rows into `table` within `txn`: the documents (version 1), their references
/// in `entity_ref` and their search keys, each in statements of up to 400 rows.
pub async fn insert_in(txn: &DatabaseTransaction, table: &str, rows: &[&BulkRow]) -> TmfResult<()> {
    let rows: Vec<(&BulkRow, Option<&str>)> = rows.iter().map(|row| (*row, None)).collect();
    insert_rendered_in(txn, table, &rows).await
}

/// [`insert_in`], with each document's JSON text when it was made beforehand (SQLite stores
/// the text; PostgreSQL binds the JSON).
pub async fn insert_rendered_in(
    txn: &DatabaseTransaction,
    table: &str,
    rows: &[(&BulkRow, Option<&str>)],
) -> TmfResult<()> {
    if !tmf_apis::is_plain_name(table) {
        return Err(TmfError::internal(format!("not a table name: {table}")));
    }
    let backend = txn.get_database_backend();
    let now = chrono::Utc::now().timestamp_micros();
    for chunk in rows.chunks(CHUNK) {
        let mut sql = Sql::new(backend);
        sql.push("INSERT INTO ")
            .push(table)
            .push(" (id, kind, body, version, created_at, updated_at) VALUES ");
        for (i, (row, text)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            let body = match (backend, text) {
                (DbBackend::Postgres, Some(text)) if row.body.is_null() => Value::Json(Some(
                    Box::new(serde_json::from_str(text).map_err(TmfError::internal)?),
                )),
                (DbBackend::Postgres, _) => Value::Json(Some(Box::new(row.body.clone()))),
                (_, Some(text)) => Value::from(*text),
                (_, None) => Value::from(crate::json_text(&row.body)),
            };
            sql.push("(")
                .bind(row.id.clone())
                .push(", ")
                .bind(row.kind)
                .push(", ")
                .bind(body)
                .push(", 1, ")
                .bind(now)
                .push(", ")
                .bind(now)
                .push(")");
        }
        txn.execute_raw(sql.build()).await.map_err(db_error)?;

        let references: Vec<(&BulkRow, &(String, &'static str, String))> = chunk
            .iter()
            .flat_map(|(row, _)| row.references.iter().map(move |r| (*row, r)))
            .collect();
        for part in references.chunks(CHUNK) {
            let mut sql = Sql::new(backend);
            sql.push("INSERT INTO entity_ref (source_table, source_id, path, target_table, target_id) VALUES ");
            for (i, (row, (path, target_table, target_id))) in part.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.push("(")
                    .bind(table.to_owned())
                    .push(", ")
                    .bind(row.id.clone())
                    .push(", ")
                    .bind(path.clone())
                    .push(", ")
                    .bind(*target_table)
                    .push(", ")
                    .bind(target_id.clone())
                    .push(")");
            }
            txn.execute_raw(sql.build()).await.map_err(db_error)?;
        }

        let keys: Vec<(&BulkRow, &(&'static str, String))> = chunk
            .iter()
            .flat_map(|(row, _)| row.keys.iter().map(move |k| (*row, k)))
            .collect();
        for part in keys.chunks(CHUNK) {
            let mut sql = Sql::new(backend);
            sql.push(
                "INSERT INTO search_key (source_table, source_id, source_kind, key_type, key_value) VALUES ",
            );
            for (i, (row, (key_type, key_value))) in part.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.push("(")
                    .bind(table.to_owned())
                    .push(", ")
                    .bind(row.id.clone())
                    .push(", ")
                    .bind(row.kind)
                    .push(", ")
                    .bind(*key_type)
                    .push(", ")
                    .bind(key_value.clone())
                    .push(")");
            }
            txn.execute_raw(sql.build()).await.map_err(db_error)?;
        }
    }
    Ok(())
}
