//! The audit history: one row per create, change and delete of any resource, written in
//! the transaction of the change, kept after the resource is gone.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let json = match manager.get_database_backend() {
            DbBackend::Postgres => "JSONB",
            _ => "TEXT",
        };
        let connection = manager.get_connection();
        connection
            .execute_unprepared(&format!(
                "CREATE TABLE audit_history (\
                    id TEXT NOT NULL PRIMARY KEY, \
                    resource_table TEXT NOT NULL, \
                    resource_type TEXT NOT NULL, \
                    resource_id TEXT NOT NULL, \
                    action TEXT NOT NULL, \
                    actor TEXT NOT NULL, \
                    actor_roles TEXT NOT NULL, \
                    reason TEXT, \
                    occurred_at BIGINT NOT NULL, \
                    changes {json} NOT NULL)"
            ))
            .await?;
        connection
            .execute_unprepared(
                "CREATE INDEX audit_history_resource ON audit_history (resource_table, resource_id, occurred_at)",
            )
            .await?;
        connection
            .execute_unprepared(
                "CREATE INDEX audit_history_actor ON audit_history (actor, occurred_at)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE IF EXISTS audit_history")
            .await?;
        Ok(())
    }
}
