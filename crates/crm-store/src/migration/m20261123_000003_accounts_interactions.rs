//! TMF666 accounts and billing settings, and TMF683 party interactions.

use sea_orm_migration::prelude::*;

use super::{create_document_table, index_attribute};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_document_table(manager, "account").await?;
        for path in ["name", "state", "accountType"] {
            index_attribute(manager, "account", path).await?;
        }
        create_document_table(manager, "billing_setting").await?;
        index_attribute(manager, "billing_setting", "name").await?;
        create_document_table(manager, "party_interaction").await?;
        for path in ["status", "interactionDate.startDateTime"] {
            index_attribute(manager, "party_interaction", path).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use sea_orm::ConnectionTrait;
        for table in ["party_interaction", "billing_setting", "account"] {
            manager
                .get_connection()
                .execute_unprepared(&format!("DROP TABLE IF EXISTS {table}"))
                .await?;
        }
        Ok(())
    }
}
