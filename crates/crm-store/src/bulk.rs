//! Bulk loading for data sets and migrations from legacy systems: many documents, their
//! references and search keys, in one transaction, with multi-row statements.
//!
//! It writes exactly what the services write except history (a bulk load is not a change
//! anyone made); callers must build valid documents (the seeder builds them from typed models).

use sea_orm::{ConnectionTrait, DbBackend, Value};
use serde_json::Value as Json;

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
    /// Its references: path, target table, target id.
    pub references: Vec<(String, &'static str, String)>,
    /// Its search keys.
    pub keys: Vec<(&'static str, String)>,
}

/// Rows per statement.
const CHUNK: usize = 400;

/// Inserts the rows into `table`, in one transaction.
pub async fn insert(store: &Store, table: &str, rows: &[BulkRow]) -> Result<(), StoreError> {
    let failed = |e: sea_orm::DbErr| StoreError::Migration(format!("bulk load into {table}: {e}"));
    if !tmf_apis::is_plain_name(table) {
        return Err(StoreError::Config(format!("not a table name: {table}")));
    }
    let backend = store.backend();
    // The store's write transaction: on SQLite it queues with every other writer.
    let txn = store
        .begin()
        .await
        .map_err(|e| StoreError::Migration(format!("bulk load into {table}: {}", e.message)))?;
    let now = chrono::Utc::now().timestamp_micros();
    for chunk in rows.chunks(CHUNK) {
        let mut sql = Sql::new(backend);
        sql.push("INSERT INTO ")
            .push(table)
            .push(" (id, kind, body, version, created_at, updated_at) VALUES ");
        for (i, row) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            let body = match backend {
                DbBackend::Postgres => Value::Json(Some(Box::new(row.body.clone()))),
                _ => Value::from(row.body.to_string()),
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
        txn.execute_raw(sql.build()).await.map_err(failed)?;

        let references: Vec<(&BulkRow, &(String, &'static str, String))> = chunk
            .iter()
            .flat_map(|row| row.references.iter().map(move |r| (row, r)))
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
            txn.execute_raw(sql.build()).await.map_err(failed)?;
        }

        let keys: Vec<(&BulkRow, &(&'static str, String))> = chunk
            .iter()
            .flat_map(|row| row.keys.iter().map(move |k| (row, k)))
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
            txn.execute_raw(sql.build()).await.map_err(failed)?;
        }
    }
    txn.commit().await.map_err(failed)?;
    Ok(())
}
