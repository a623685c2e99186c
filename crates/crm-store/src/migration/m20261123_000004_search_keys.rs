//! The search index: normalised keys (folded names, E.164 numbers, e-mail addresses) of
//! each resource, so that a CSR's lookup is an index range scan, not a document scan.

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
                "CREATE TABLE search_key (\
                    source_table TEXT NOT NULL, \
                    source_id TEXT NOT NULL, \
                    key_type TEXT NOT NULL, \
                    key_value TEXT NOT NULL, \
                    PRIMARY KEY (source_table, source_id, key_type, key_value))",
            )
            .await?;
        connection
            .execute_unprepared(
                "CREATE INDEX search_key_lookup ON search_key (key_type, key_value, source_table, source_id)",
            )
            .await?;
        // Reverse references by referrer: "what does account X refer to".
        connection
            .execute_unprepared(
                "CREATE INDEX entity_ref_source ON entity_ref (source_table, source_id, target_table, target_id)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let connection = manager.get_connection();
        connection
            .execute_unprepared("DROP INDEX IF EXISTS entity_ref_source")
            .await?;
        connection
            .execute_unprepared("DROP TABLE IF EXISTS search_key")
            .await?;
        Ok(())
    }
}
