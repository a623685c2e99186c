//! TMF620 product catalog entities (catalogs, categories, specifications, offerings and
//! their prices): one document table, with the lifecycle status indexed per kind.

use sea_orm_migration::prelude::*;

use super::{create_document_table, index_attribute};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_document_table(manager, "product_catalog").await?;
        index_attribute(manager, "product_catalog", "lifecycleStatus").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use sea_orm::ConnectionTrait;
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE IF EXISTS product_catalog")
            .await?;
        Ok(())
    }
}
