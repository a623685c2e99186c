//! The shared party model: parties (individuals and organizations in one table), customers,
//! party roles, and the reference index that keeps references between them honest.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

use super::{create_document_table, index_attribute};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_document_table(manager, "party").await?;
        for path in ["familyName", "givenName", "tradingName", "name", "status"] {
            index_attribute(manager, "party", path).await?;
        }
        create_document_table(manager, "customer").await?;
        for path in ["name", "status", "engagedParty.id"] {
            index_attribute(manager, "customer", path).await?;
        }
        create_document_table(manager, "party_role").await?;
        for path in ["name", "status", "engagedParty.id"] {
            index_attribute(manager, "party_role", path).await?;
        }
        let connection = manager.get_connection();
        // Outbound references of every stored resource, so that "who refers to X" is one
        // indexed lookup and a referenced resource cannot be deleted.
        connection
            .execute_unprepared(
                "CREATE TABLE entity_ref (\
                    source_table TEXT NOT NULL, \
                    source_id TEXT NOT NULL, \
                    path TEXT NOT NULL, \
                    target_table TEXT NOT NULL, \
                    target_id TEXT NOT NULL, \
                    PRIMARY KEY (source_table, source_id, path))",
            )
            .await?;
        connection
            .execute_unprepared(
                "CREATE INDEX entity_ref_target ON entity_ref (target_table, target_id)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let connection = manager.get_connection();
        for table in ["entity_ref", "party_role", "customer", "party"] {
            connection
                .execute_unprepared(&format!("DROP TABLE IF EXISTS {table}"))
                .await?;
        }
        Ok(())
    }
}
