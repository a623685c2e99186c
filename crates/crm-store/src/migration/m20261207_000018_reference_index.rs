//! The view `reference_index` that every reverse look-up reads (`crate::reference_index`):
//! here the rows of `entity_ref` alone; the server defines it again once the modules have
//! declared the references their own tables index.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE VIEW reference_index (source_table, source_id, path, target_table, target_id) AS \
                 SELECT source_table, source_id, path, target_table, target_id FROM entity_ref",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP VIEW IF EXISTS reference_index")
            .await?;
        Ok(())
    }
}
