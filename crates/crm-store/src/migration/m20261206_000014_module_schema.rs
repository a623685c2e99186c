//! The record of the schema steps each module declares (`crate::SchemaStep`): which module
//! applied which step, and when. A domain's tables are its own module's steps, not migrations
//! of this crate.

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
                "CREATE TABLE module_schema (\
                    module TEXT NOT NULL, \
                    step TEXT NOT NULL, \
                    applied_at BIGINT NOT NULL, \
                    PRIMARY KEY (module, step))",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE IF EXISTS module_schema")
            .await?;
        Ok(())
    }
}
