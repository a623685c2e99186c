//! TMF621 trouble tickets: one document table, with the status indexed (the escalation job
//! and the 360 view look for open tickets).

use sea_orm_migration::prelude::*;

use super::{create_document_table, index_attribute};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_document_table(manager, "trouble_ticket").await?;
        index_attribute(manager, "trouble_ticket", "status").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use sea_orm::ConnectionTrait;
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE IF EXISTS trouble_ticket")
            .await?;
        Ok(())
    }
}
