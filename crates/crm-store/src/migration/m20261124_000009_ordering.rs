//! TMF622 product orders with their cancel requests, and the TMF637 product inventory: one
//! document table each, with the state of orders and the status of products indexed.

use sea_orm_migration::prelude::*;

use super::{create_document_table, index_attribute};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_document_table(manager, "product_order").await?;
        index_attribute(manager, "product_order", "state").await?;
        create_document_table(manager, "product_inventory").await?;
        index_attribute(manager, "product_inventory", "status").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use sea_orm::ConnectionTrait;
        let connection = manager.get_connection();
        connection
            .execute_unprepared("DROP TABLE IF EXISTS product_inventory")
            .await?;
        connection
            .execute_unprepared("DROP TABLE IF EXISTS product_order")
            .await?;
        Ok(())
    }
}
