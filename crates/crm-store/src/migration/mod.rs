//! Schema migrations: one file per change, append-only once merged.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

use crate::sql::json_scalar;

mod m20261123_000001_party_model;
mod m20261123_000002_audit_history;
mod m20261123_000003_accounts_interactions;
mod m20261123_000004_search_keys;
mod m20261124_000005_reference_lookups;
mod m20261124_000006_search_key_kind;
mod m20261124_000007_events;
mod m20261124_000008_product_catalog;
mod m20261124_000009_ordering;
mod m20261125_000010_trouble_ticket;
mod m20261125_000011_customer_search;
mod m20261126_000012_inherited_keys;
mod m20261201_000013_typed_date_index;
mod m20261206_000014_module_schema;
mod m20261206_000015_idempotency_keys;
mod m20261206_000016_lean_references;
mod m20261206_000017_deadlines;
mod m20261207_000018_reference_index;
pub(crate) mod module;

/// Every migration, in order.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_party_model::Migration),
            Box::new(m20261123_000002_audit_history::Migration),
            Box::new(m20261123_000003_accounts_interactions::Migration),
            Box::new(m20261123_000004_search_keys::Migration),
            Box::new(m20261124_000005_reference_lookups::Migration),
            Box::new(m20261124_000006_search_key_kind::Migration),
            Box::new(m20261124_000007_events::Migration),
            Box::new(m20261124_000008_product_catalog::Migration),
            Box::new(m20261124_000009_ordering::Migration),
            Box::new(m20261125_000010_trouble_ticket::Migration),
            Box::new(m20261125_000011_customer_search::Migration),
            Box::new(m20261126_000012_inherited_keys::Migration),
            Box::new(m20261201_000013_typed_date_index::Migration),
            Box::new(m20261206_000014_module_schema::Migration),
            Box::new(m20261206_000015_idempotency_keys::Migration),
            Box::new(m20261206_000016_lean_references::Migration),
            Box::new(m20261206_000017_deadlines::Migration),
            Box::new(m20261207_000018_reference_index::Migration),
        ]
    }
}

/// Creates a document table: one row per resource, the TMF representation in `body`
/// (JSONB on PostgreSQL, JSON text on SQLite), plus the columns every query needs.
pub(crate) async fn create_document_table(
    manager: &SchemaManager<'_>,
    table: &str,
) -> Result<(), DbErr> {
    document_table(
        manager.get_connection(),
        manager.get_database_backend(),
        table,
    )
    .await
}

/// [`create_document_table`] on any connection (a module's schema step runs in a write
/// transaction of its own).
pub(crate) async fn document_table(
    connection: &impl ConnectionTrait,
    backend: DbBackend,
    table: &str,
) -> Result<(), DbErr> {
    let body_type = match backend {
        DbBackend::Postgres => "JSONB",
        _ => "TEXT",
    };
    let ddl = format!(
        "CREATE TABLE {table} (\
            id TEXT NOT NULL PRIMARY KEY, \
            kind TEXT NOT NULL, \
            body {body_type} NOT NULL, \
            version BIGINT NOT NULL, \
            created_at BIGINT NOT NULL, \
            updated_at BIGINT NOT NULL)"
    );
    connection.execute_unprepared(&ddl).await?;
    connection
        .execute_unprepared(&format!(
            "CREATE INDEX {table}_kind_created ON {table} (kind, created_at)"
        ))
        .await?;
    Ok(())
}

/// Indexes the attribute at `path` (dotted, no lists) of a document table, per kind, with
/// exactly the expression the query translator produces, so filters and sorts use it.
pub(crate) async fn index_attribute(
    manager: &SchemaManager<'_>,
    table: &str,
    path: &str,
) -> Result<(), DbErr> {
    attribute_index(
        manager.get_connection(),
        manager.get_database_backend(),
        table,
        path,
    )
    .await
}

/// [`index_attribute`] on any connection.
pub(crate) async fn attribute_index(
    connection: &impl ConnectionTrait,
    backend: DbBackend,
    table: &str,
    path: &str,
) -> Result<(), DbErr> {
    let segments: Vec<&str> = path.split('.').collect();
    let expression = json_scalar(backend, "body", &segments);
    let name = format!(
        "{table}_{}",
        path.replace(['.', '@'], "_").to_ascii_lowercase()
    );
    connection
        .execute_unprepared(&format!(
            "CREATE INDEX {name} ON {table} (kind, {expression})"
        ))
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use sea_orm::{Database, Statement};
    use serde_json::json;
    use tmf_apis::{FieldCatalog, ListQuery, QueryLimits};

    use super::*;
    use crate::sql::{Sql, push_where};

    /// SQLite's plan of the translated list query `query` on `table`, one detail line a row.
    pub(crate) async fn query_plan(
        db: &sea_orm::DatabaseConnection,
        table: &str,
        kind: &str,
        query: &ListQuery,
    ) -> Vec<String> {
        let mut sql = Sql::new(DbBackend::Sqlite);
        sql.push("EXPLAIN QUERY PLAN SELECT id FROM ").push(table);
        push_where(&mut sql, table, kind, query);
        let Statement { sql, values, .. } = sql.build();
        let plan = db
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                sql,
                values.map(|v| v.0).unwrap_or_default(),
            ))
            .await
            .expect("plan");
        plan.iter()
            .filter_map(|row| row.try_get::<String>("", "detail").ok())
            .collect()
    }

    /// An attribute index: its name, table, path and whether it compares as an instant.
    struct AttributeIndex {
        name: String,
        table: String,
        segments: Vec<String>,
        date: bool,
    }

    /// Every attribute index the migrations leave, read back from SQLite's schema.
    async fn attribute_indexes(db: &sea_orm::DatabaseConnection) -> Vec<AttributeIndex> {
        let rows = db
            .query_all_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql LIKE '%json_extract(body%'",
            ))
            .await
            .expect("schema");
        rows.iter()
            .map(|row| {
                let sql: String = row.try_get("", "sql").expect("sql");
                let start = sql.find("'$").expect("a JSON path") + 2;
                let end = start + sql[start..].find('\'').expect("the path ends");
                AttributeIndex {
                    name: row.try_get("", "name").expect("name"),
                    table: row.try_get("", "tbl_name").expect("table"),
                    segments: sql[start..end]
                        .split('.')
                        .filter(|s| !s.is_empty())
                        .map(|s| s.trim_matches('"').to_owned())
                        .collect(),
                    date: sql.contains("julianday("),
                }
            })
            .collect()
    }

    /// Every attribute index is used by the filter the translator emits for its attribute:
    /// an index whose expression differs from the translator's would cost every insert and
    /// serve no query.
    #[tokio::test]
    async fn every_attribute_index_serves_the_translated_filter() {
        let db = Database::connect("sqlite::memory:").await.expect("sqlite");
        crate::Migrator::up(&db, None).await.expect("migrations");
        let indexes = attribute_indexes(&db).await;
        assert!(indexes.len() >= 10, "{}", indexes.len());
        for index in indexes {
            let leaf = if index.date {
                json!({"type": "string", "format": "date-time"})
            } else {
                json!({"type": "string"})
            };
            let schema = index.segments.iter().rev().fold(
                leaf,
                |inner, segment| json!({"properties": {segment: inner}}),
            );
            let spec = json!({"definitions": {"Probe": schema}});
            let catalog = FieldCatalog::from_swagger(&spec, "Probe").expect("catalog");
            let path = index.segments.join(".");
            let filter = if index.date {
                format!("{path}.gt=2026-01-01T00:00:00Z")
            } else {
                format!("{path}=probe")
            };
            let query =
                ListQuery::parse(Some(&filter), &catalog, &QueryLimits::default()).expect("query");
            let details = query_plan(&db, &index.table, "Probe", &query).await;
            assert!(
                details.iter().any(|d| d.contains(&index.name)),
                "{} ({filter} on {}) is not used by the translated filter: {details:?}",
                index.name,
                index.table
            );
        }
    }
}
