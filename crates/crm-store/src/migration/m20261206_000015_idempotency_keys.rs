//! The keys by which clients' retried creates are recognised (`crate::idempotency`).

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
                "CREATE TABLE idempotency_key (\
                    scope TEXT NOT NULL, \
                    request_key TEXT NOT NULL, \
                    fingerprint TEXT NOT NULL, \
                    resource_id TEXT NOT NULL, \
                    created_at BIGINT NOT NULL, \
                    PRIMARY KEY (scope, request_key))",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE IF EXISTS idempotency_key")
            .await?;
        Ok(())
    }
}
