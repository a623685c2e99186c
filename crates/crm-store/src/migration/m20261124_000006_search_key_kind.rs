//! The kind of the resource each search key belongs to, so that "how many individuals'
//! names start with X" is counted from the search index alone (an index-only range scan),
//! without visiting every matching document.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let connection = manager.get_connection();
        connection
            .execute_unprepared(
                "ALTER TABLE search_key ADD COLUMN source_kind TEXT NOT NULL DEFAULT ''",
            )
            .await?;
        let tables = connection
            .query_all_raw(sea_orm::Statement::from_string(
                manager.get_database_backend(),
                "SELECT DISTINCT source_table FROM search_key",
            ))
            .await?;
        for row in tables {
            let table: String = row.try_get("", "source_table")?;
            if !tmf_apis::is_plain_name(&table) {
                return Err(DbErr::Migration(format!("not a table name: {table}")));
            }
            connection
                .execute_unprepared(&format!(
                    "UPDATE search_key SET source_kind = \
                     (SELECT kind FROM {table} d WHERE d.id = search_key.source_id) \
                     WHERE source_table = '{table}'"
                ))
                .await?;
        }
        connection
            .execute_unprepared(
                "CREATE INDEX search_key_kind ON search_key \
                 (key_type, source_table, source_kind, key_value, source_id)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let connection = manager.get_connection();
        connection
            .execute_unprepared("DROP INDEX IF EXISTS search_key_kind")
            .await?;
        connection
            .execute_unprepared("ALTER TABLE search_key DROP COLUMN source_kind")
            .await?;
        Ok(())
    }
}
