//! The index on a party interaction's `interactionDate.startDateTime` was on the date's text,
//! while the query translator compares dates as instants (`julianday(…)` on SQLite,
//! `::timestamptz` on PostgreSQL): no query could use it, and every insert paid for it.
//! SQLite now indexes exactly the typed expression the translator emits
//! (`sql::typed_scalar`); PostgreSQL cannot index a text-to-`timestamptz` cast (it depends on
//! the session's time zone, so it is not immutable), so the index goes there.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;
use tmf_apis::FieldType;

use crate::sql::{json_scalar, typed_scalar};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const OLD: &str = "party_interaction_interactiondate_startdatetime";
const NEW: &str = "party_interaction_interaction_date";
const PATH: [&str; 2] = ["interactionDate", "startDateTime"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let connection = manager.get_connection();
        connection
            .execute_unprepared(&format!("DROP INDEX IF EXISTS {OLD}"))
            .await?;
        if backend == DbBackend::Sqlite {
            let expression = typed_scalar(backend, "body", &PATH, FieldType::DateTime);
            connection
                .execute_unprepared(&format!(
                    "CREATE INDEX {NEW} ON party_interaction (kind, {expression})"
                ))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let connection = manager.get_connection();
        connection
            .execute_unprepared(&format!("DROP INDEX IF EXISTS {NEW}"))
            .await?;
        let expression = json_scalar(backend, "body", &PATH);
        connection
            .execute_unprepared(&format!(
                "CREATE INDEX {OLD} ON party_interaction (kind, {expression})"
            ))
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::Database;
    use tmf_apis::{FieldCatalog, ListQuery, QueryLimits};

    use super::*;
    use crate::Migrator;

    #[tokio::test]
    async fn a_date_filter_on_interactions_is_answered_from_the_index() {
        let db = Database::connect("sqlite::memory:").await.expect("sqlite");
        Migrator::up(&db, None).await.expect("migrations");
        let spec = serde_json::json!({"definitions": {"PartyInteraction": {"properties": {
            "interactionDate": {"properties": {
                "startDateTime": {"type": "string", "format": "date-time"}}}}}}});
        let catalog = FieldCatalog::from_swagger(&spec, "PartyInteraction").expect("catalog");
        let query = ListQuery::parse(
            Some("interactionDate.startDateTime.gt=2026-01-01T00:00:00Z"),
            &catalog,
            &QueryLimits::default(),
        )
        .expect("query");
        let details =
            super::super::tests::query_plan(&db, "party_interaction", "PartyInteraction", &query)
                .await;
        assert!(
            details.iter().any(|d| d.contains(NEW)),
            "the translator's expression uses the index: {details:?}"
        );
    }
}
