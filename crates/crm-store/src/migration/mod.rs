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
        ]
    }
}

/// Creates a document table: one row per resource, the TMF representation in `body`
/// (JSONB on PostgreSQL, JSON text on SQLite), plus the columns every query needs.
pub(crate) async fn create_document_table(
    manager: &SchemaManager<'_>,
    table: &str,
) -> Result<(), DbErr> {
    let body_type = match manager.get_database_backend() {
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
    let connection = manager.get_connection();
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
    let backend = manager.get_database_backend();
    let segments: Vec<&str> = path.split('.').collect();
    let expression = json_scalar(backend, "body", &segments);
    let name = format!(
        "{table}_{}",
        path.replace(['.', '@'], "_").to_ascii_lowercase()
    );
    manager
        .get_connection()
        .execute_unprepared(&format!(
            "CREATE INDEX {name} ON {table} (kind, {expression})"
        ))
        .await?;
    Ok(())
}
