//! Deadlines: what a domain watches on resources and when it must look again
//! (`crate::deadlines`). The partial index on `(owner, next_at)` holds only the rows with a
//! next crossing, so a pass reads what crossed and nothing else.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let connection = manager.get_connection();
        // Keys compare byte by byte on both databases (a range of keys is a prefix).
        let bytewise = match manager.get_database_backend() {
            sea_orm::DbBackend::Postgres => " COLLATE \"C\"",
            _ => "",
        };
        connection
            .execute_unprepared(&format!(
                "CREATE TABLE deadline (\
                    owner TEXT NOT NULL, \
                    watch_key TEXT{bytewise} NOT NULL, \
                    target_id TEXT NOT NULL, \
                    stage TEXT NOT NULL, \
                    next_at BIGINT, \
                    detail TEXT NOT NULL, \
                    PRIMARY KEY (owner, watch_key))"
            ))
            .await?;
        connection
            .execute_unprepared(
                "CREATE INDEX deadline_next ON deadline (owner, next_at, watch_key) \
                 WHERE next_at IS NOT NULL",
            )
            .await?;
        connection
            .execute_unprepared("CREATE INDEX deadline_target ON deadline (target_id, owner)")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE IF EXISTS deadline")
            .await?;
        Ok(())
    }
}
