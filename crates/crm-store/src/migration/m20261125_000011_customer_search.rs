//! Customer search without reading documents or reference rows:
//! - customers' statuses in the search index (`key_type = 'status'`), so that a list of
//!   active customers, alone or narrowing a name search, is answered from the index rather
//!   than from each document. New writes add the key themselves
//!   (`ResourceKind::indexed_attributes`); this fills it in for the customers already stored;
//! - a covering index of references by target, so that reaching a customer through its
//!   engaged party's keys is an index-only lookup (on PostgreSQL the heap fetches of
//!   `entity_ref` were most of a name search's time). It replaces `entity_ref_target_id`,
//!   its prefix.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

use super::json_scalar;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let status = json_scalar(manager.get_database_backend(), "body", &["status"]);
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "INSERT INTO search_key (source_table, source_id, source_kind, key_type, key_value) \
                 SELECT 'customer', id, kind, 'status', {status} FROM customer \
                 WHERE kind = 'Customer' AND {status} IS NOT NULL"
            ))
            .await?;
        let connection = manager.get_connection();
        connection
            .execute_unprepared(
                "CREATE INDEX entity_ref_by_target ON entity_ref \
                 (target_id, target_table, path, source_table, source_id)",
            )
            .await?;
        connection
            .execute_unprepared("DROP INDEX IF EXISTS entity_ref_target_id")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "DELETE FROM search_key WHERE source_table = 'customer' AND key_type = 'status'",
            )
            .await?;
        let connection = manager.get_connection();
        connection
            .execute_unprepared("CREATE INDEX entity_ref_target_id ON entity_ref (target_id)")
            .await?;
        connection
            .execute_unprepared("DROP INDEX IF EXISTS entity_ref_by_target")
            .await?;
        Ok(())
    }
}
