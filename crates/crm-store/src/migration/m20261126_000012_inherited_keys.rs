//! Keys held besides a resource's own (`crate::inherited`): a customer's copies of its
//! engaged party's keys, each recording the party it came from (`via_id`; a change to the
//! party finds the customers through `entity_ref` and rewrites their copies), and its name
//! keys qualified by its status. This
//! adds the column and fills both in for the customers already stored; new writes keep
//! them themselves. It also drops `search_key_lookup`, which no search uses since every
//! search names its kind (`search_key_kind`).

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

use crate::document::StoredType;
use crate::inherited::{Holders, KeyHolder, QualifiedKey};

/// The customers' keys as this migration found them declared (the declaration that new
/// writes follow is the customer-information crate's; a migration is a snapshot).
const CUSTOMER_KEYS: KeyHolder = KeyHolder {
    stored: StoredType {
        table: "customer",
        kind: "Customer",
    },
    via: ("engagedParty", "party"),
    inherited: &["name", "phone", "email"],
    qualified: &[QualifiedKey {
        key_type: "status:name",
        attribute: "status",
        key: "name",
    }],
};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let connection = manager.get_connection();
        connection
            .execute_unprepared("ALTER TABLE search_key ADD COLUMN via_id TEXT")
            .await?;
        // Every search names its kind, so `search_key_kind` (key type, table, kind, value)
        // answers it; the older index without the kind only cost space and writes.
        connection
            .execute_unprepared("DROP INDEX IF EXISTS search_key_lookup")
            .await?;
        CUSTOMER_KEYS
            .derive(connection, Holders::All)
            .await
            .map_err(|e| DbErr::Migration(e.message))?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let connection = manager.get_connection();
        connection
            .execute_unprepared(
                "DELETE FROM search_key WHERE via_id IS NOT NULL OR key_type = 'status:name'",
            )
            .await?;
        connection
            .execute_unprepared(
                "CREATE INDEX search_key_lookup ON search_key (key_type, key_value, source_table, source_id)",
            )
            .await?;
        connection
            .execute_unprepared("ALTER TABLE search_key DROP COLUMN via_id")
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
    use sea_orm_migration::MigratorTrait;

    use crate::Migrator;

    /// The keys of `id`; `via_id` as `NULL` once the column is gone.
    async fn keys(
        db: &DatabaseConnection,
        id: &str,
        via: bool,
    ) -> Vec<(String, String, Option<String>)> {
        let via = if via { "via_id" } else { "NULL AS via_id" };
        let rows = db
            .query_all_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                format!(
                    "SELECT key_type, key_value, {via} FROM search_key \
                     WHERE source_id = '{id}' ORDER BY key_type, key_value, via_id"
                ),
            ))
            .await
            .expect("keys");
        rows.iter()
            .map(|row| {
                (
                    row.try_get("", "key_type").expect("type"),
                    row.try_get("", "key_value").expect("value"),
                    row.try_get("", "via_id").expect("via"),
                )
            })
            .collect()
    }

    #[tokio::test]
    async fn customers_stored_before_it_get_their_party_s_keys_and_qualified_names() {
        let db = Database::connect("sqlite::memory:").await.expect("sqlite");
        Migrator::up(&db, Some(11)).await.expect("up to 11");
        for statement in [
            "INSERT INTO search_key (source_table, source_id, source_kind, key_type, key_value) VALUES \
             ('party', 'p1', 'Individual', 'name', 'ada'), \
             ('party', 'p1', 'Individual', 'name', 'ada lovelace'), \
             ('party', 'p1', 'Individual', 'phone', '+442079460001'), \
             ('customer', 'c1', 'Customer', 'name', 'ada lovelace'), \
             ('customer', 'c1', 'Customer', 'status', 'active')",
            "INSERT INTO entity_ref (source_table, source_id, path, target_table, target_id) VALUES \
             ('customer', 'c1', 'engagedParty', 'party', 'p1')",
        ] {
            db.execute_unprepared(statement).await.expect("rows");
        }
        Migrator::up(&db, None).await.expect("up");
        let own = None;
        let via = Some("p1".to_owned());
        let key =
            |t: &str, v: &str, via: &Option<String>| (t.to_owned(), v.to_owned(), via.clone());
        assert_eq!(
            keys(&db, "c1", true).await,
            [
                key("name", "ada", &via),
                key("name", "ada lovelace", &own),
                key("phone", "+442079460001", &via),
                key("status", "active", &own),
                key("status:name", "active\u{1f}ada", &via),
                key("status:name", "active\u{1f}ada lovelace", &own),
            ],
            "the party's keys, once where the customer has them too, and the names by status"
        );
        // Back to migration 11: this one and those after it.
        let after_eleven = u32::try_from(Migrator::migrations().len() - 11).expect("a few");
        Migrator::down(&db, Some(after_eleven)).await.expect("down");
        assert_eq!(
            keys(&db, "c1", false).await,
            [
                key("name", "ada lovelace", &own),
                key("status", "active", &own)
            ]
        );
    }
}
