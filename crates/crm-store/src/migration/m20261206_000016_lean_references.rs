//! Fewer index entries per reference and per remembered key: every write of a document
//! writes one `entity_ref` row per reference it holds, and a bulk import writes millions.
//!
//! - `entity_ref_target (target_table, target_id)` goes: every query from the target side
//!   names `target_id` and is served by `entity_ref_by_target (target_id, target_table, path,
//!   source_table, source_id)`.
//! - `entity_ref_source (source_table, source_id, target_table, target_id)` goes: every query
//!   from the source side names `source_table` and `source_id`, the primary key's prefix. On
//!   SQLite the table becomes `WITHOUT ROWID`, so the primary key holds the whole row and
//!   answers those queries alone (a rowid table kept the row and its key in two b-trees).
//! - `idempotency_key` becomes `WITHOUT ROWID` on SQLite for the same reason.
//!
//! Three b-tree entries per reference instead of five, one per key instead of two.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const ENTITY_REF_COLUMNS: &str = "source_table TEXT NOT NULL, source_id TEXT NOT NULL, \
    path TEXT NOT NULL, target_table TEXT NOT NULL, target_id TEXT NOT NULL, \
    PRIMARY KEY (source_table, source_id, path)";
const IDEMPOTENCY_COLUMNS: &str = "scope TEXT NOT NULL, request_key TEXT NOT NULL, \
    fingerprint TEXT NOT NULL, resource_id TEXT NOT NULL, created_at BIGINT NOT NULL, \
    PRIMARY KEY (scope, request_key)";

/// The statements that rebuild `table` on SQLite with `columns` (and `WITHOUT ROWID` when
/// `lean`), keeping its rows.
fn rebuild(table: &str, columns: &str, lean: bool) -> String {
    let rowid = if lean { " WITHOUT ROWID" } else { "" };
    format!(
        "CREATE TABLE {table}_rebuilt ({columns}){rowid}; \
         INSERT INTO {table}_rebuilt SELECT * FROM {table}; \
         DROP TABLE {table}; \
         ALTER TABLE {table}_rebuilt RENAME TO {table};"
    )
}

/// Runs `statements` on SQLite as one unit, on one connection (a pool would hand each
/// statement of a rebuild to another connection): all of them, or none.
async fn at_once(connection: &impl ConnectionTrait, statements: &str) -> Result<(), DbErr> {
    connection
        .execute_unprepared(&format!(
            "SAVEPOINT lean_references; {statements} RELEASE lean_references;"
        ))
        .await?;
    Ok(())
}

const BY_TARGET: &str = "CREATE INDEX entity_ref_by_target ON entity_ref \
    (target_id, target_table, path, source_table, source_id);";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let connection = manager.get_connection();
        if manager.get_database_backend() == DbBackend::Sqlite {
            // Dropping the table drops its indexes; the one kept is made again.
            let statements = format!(
                "{} {BY_TARGET} {}",
                rebuild("entity_ref", ENTITY_REF_COLUMNS, true),
                rebuild("idempotency_key", IDEMPOTENCY_COLUMNS, true)
            );
            at_once(connection, &statements).await?;
        } else {
            connection
                .execute_unprepared("DROP INDEX IF EXISTS entity_ref_target")
                .await?;
            connection
                .execute_unprepared("DROP INDEX IF EXISTS entity_ref_source")
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let connection = manager.get_connection();
        if manager.get_database_backend() == DbBackend::Sqlite {
            let statements = format!(
                "{} {BY_TARGET} {}",
                rebuild("entity_ref", ENTITY_REF_COLUMNS, false),
                rebuild("idempotency_key", IDEMPOTENCY_COLUMNS, false)
            );
            at_once(connection, &statements).await?;
        }
        for statement in [
            "CREATE INDEX entity_ref_target ON entity_ref (target_table, target_id)",
            "CREATE INDEX entity_ref_source ON entity_ref (source_table, source_id, target_table, target_id)",
        ] {
            connection.execute_unprepared(statement).await?;
        }
        Ok(())
    }
}
