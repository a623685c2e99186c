//! "Who refers to X" by id alone (the 360 view, the timeline, erasure ask it without knowing
//! X's table): PostgreSQL cannot skip the leading `target_table` of `entity_ref_target`.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("CREATE INDEX entity_ref_target_id ON entity_ref (target_id)")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS entity_ref_target_id")
            .await?;
        Ok(())
    }
}
