//! Events: the transactional outbox (one row per event, written in the transaction of the
//! change it describes), the hub's subscriptions, and one delivery row per event and
//! matching subscription, which carries the delivery's state, attempts and lease.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let serial = match manager.get_database_backend() {
            DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        let connection = manager.get_connection();
        // Delivery rows are updated twice each: leave room on their pages for PostgreSQL to
        // update in place.
        let delivery_storage = match manager.get_database_backend() {
            DbBackend::Postgres => " WITH (fillfactor = 70)",
            _ => "",
        };
        for statement in [
            format!(
                "CREATE TABLE event_outbox (\
                    seq {serial}, \
                    event_id TEXT NOT NULL UNIQUE, \
                    api TEXT NOT NULL, \
                    event_type TEXT NOT NULL, \
                    resource_type TEXT NOT NULL, \
                    resource_id TEXT NOT NULL, \
                    body TEXT NOT NULL, \
                    created_at BIGINT NOT NULL, \
                    fanned_out SMALLINT NOT NULL DEFAULT 0)"
            ),
            "CREATE INDEX event_outbox_pending ON event_outbox (seq) WHERE fanned_out = 0"
                .to_owned(),
            "CREATE INDEX event_outbox_created ON event_outbox (created_at)".to_owned(),
            "CREATE INDEX event_outbox_resource ON event_outbox (resource_type, resource_id)"
                .to_owned(),
            "CREATE TABLE event_subscription (\
                id TEXT NOT NULL PRIMARY KEY, \
                api TEXT NOT NULL, \
                callback TEXT NOT NULL, \
                query TEXT, \
                secret TEXT, \
                created_by TEXT NOT NULL, \
                created_at BIGINT NOT NULL)"
                .to_owned(),
            format!(
                "CREATE TABLE event_delivery (\
                    id {serial}, \
                    subscription_id TEXT NOT NULL, \
                    seq BIGINT NOT NULL, \
                    resource_key TEXT NOT NULL, \
                    status TEXT NOT NULL, \
                    attempts BIGINT NOT NULL DEFAULT 0, \
                    next_attempt_at BIGINT NOT NULL, \
                    lease_until BIGINT NOT NULL DEFAULT 0, \
                    last_status INTEGER, \
                    last_error TEXT, \
                    updated_at BIGINT NOT NULL, \
                    UNIQUE (subscription_id, seq)){delivery_storage}"
            ),
            // The head of each (subscription, resource) queue: deliveries are in commit
            // order per resource.
            "CREATE INDEX event_delivery_head ON event_delivery (subscription_id, resource_key, seq) \
                WHERE status = 'pending'"
                .to_owned(),
            "CREATE INDEX event_delivery_due ON event_delivery (next_attempt_at, seq) \
                WHERE status = 'pending'"
                .to_owned(),
            "CREATE INDEX event_delivery_recent ON event_delivery (subscription_id, updated_at)"
                .to_owned(),
            // Retention: "is any delivery of this event left?"
            "CREATE INDEX event_delivery_event ON event_delivery (seq)".to_owned(),
            // One row per singleton job (the fan-out), locked by whoever runs it.
            "CREATE TABLE event_job (name TEXT NOT NULL PRIMARY KEY)".to_owned(),
            "INSERT INTO event_job (name) VALUES ('fanout')".to_owned(),
        ] {
            connection.execute_unprepared(&statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let connection = manager.get_connection();
        for table in [
            "event_job",
            "event_delivery",
            "event_subscription",
            "event_outbox",
        ] {
            connection
                .execute_unprepared(&format!("DROP TABLE IF EXISTS {table}"))
                .await?;
        }
        Ok(())
    }
}
