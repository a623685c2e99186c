//! A domain's own schema: the document tables and attribute indexes an application crate
//! declares through its module (`crm_module::Module::schema`), so that a new domain needs no
//! migration in this crate. Each step is named, applied once per database in the order
//! declared, and recorded in `module_schema` in the same transaction as its DDL (both SQLite
//! and PostgreSQL run DDL inside a transaction); like a migration, a released step is never
//! edited, only followed by another. On PostgreSQL, instances starting together take an
//! advisory lock for each step, so only one applies it.

use sea_orm::{ConnectionTrait, DbBackend};

use super::{attribute_index, document_table};
use crate::Store;
use crate::error::StoreError;
use crate::sql::Sql;

/// The advisory lock instances take while applying a module's schema step.
const SCHEMA_LOCK: i64 = 0x0063_726d_5f73_6368; // "crm_sch"

/// One named step of a module's schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaStep {
    /// The step's name, unique within its module (`0001_customer_bill`).
    pub name: &'static str,
    /// What it changes.
    pub change: SchemaChange,
}

/// What a schema step changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaChange {
    /// A document table (`id`, `kind`, `body`, `version`, timestamps; see
    /// `DocumentService`), with an index per kind on each attribute path of `indexed`, built
    /// with the expression the query translator emits.
    DocumentTable {
        /// The table (lower-case letters, digits and `_`).
        table: &'static str,
        /// Dotted attribute paths (no lists) to index.
        indexed: &'static [&'static str],
    },
    /// One more attribute index on a document table.
    AttributeIndex {
        /// The table.
        table: &'static str,
        /// The dotted attribute path (no lists).
        path: &'static str,
    },
}

impl SchemaStep {
    /// A step creating the document table `table` with attribute indexes on `indexed`.
    pub const fn document_table(
        name: &'static str,
        table: &'static str,
        indexed: &'static [&'static str],
    ) -> Self {
        Self {
            name,
            change: SchemaChange::DocumentTable { table, indexed },
        }
    }

    /// A step indexing the attribute at `path` of the document table `table`.
    pub const fn attribute_index(
        name: &'static str,
        table: &'static str,
        path: &'static str,
    ) -> Self {
        Self {
            name,
            change: SchemaChange::AttributeIndex { table, path },
        }
    }

    /// Refuses names that would not be plain SQL identifiers or attribute paths: they are
    /// written into DDL.
    fn check(&self) -> Result<(), String> {
        let table_ok = |t: &str| {
            !t.is_empty()
                && t.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        };
        let path_ok = |p: &str| {
            !p.is_empty()
                && p.split('.').all(|segment| {
                    !segment.is_empty()
                        && segment
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'@')
                })
        };
        let (table, paths): (&str, Vec<&str>) = match self.change {
            SchemaChange::DocumentTable { table, indexed } => (table, indexed.to_vec()),
            SchemaChange::AttributeIndex { table, path } => (table, vec![path]),
        };
        if self.name.is_empty() {
            return Err("a schema step needs a name".into());
        }
        if !table_ok(table) {
            return Err(format!("step {}: '{table}' is not a table name", self.name));
        }
        if let Some(bad) = paths.iter().find(|p| !path_ok(p)) {
            return Err(format!(
                "step {}: '{bad}' is not an attribute path",
                self.name
            ));
        }
        Ok(())
    }

    async fn apply(
        &self,
        connection: &impl ConnectionTrait,
        backend: DbBackend,
    ) -> Result<(), sea_orm::DbErr> {
        match self.change {
            SchemaChange::DocumentTable { table, indexed } => {
                document_table(connection, backend, table).await?;
                for path in indexed {
                    attribute_index(connection, backend, table, path).await?;
                }
            }
            SchemaChange::AttributeIndex { table, path } => {
                attribute_index(connection, backend, table, path).await?;
            }
        }
        Ok(())
    }
}

/// Serialises schema changes between instances sharing a PostgreSQL database: the lock is
/// held until `txn` ends (SQLite's write transaction serialises them already).
pub(crate) async fn lock_schema(txn: &impl ConnectionTrait) -> Result<(), sea_orm::DbErr> {
    let backend = txn.get_database_backend();
    if backend == DbBackend::Postgres {
        let mut lock = Sql::new(backend);
        lock.push("SELECT pg_advisory_xact_lock(")
            .bind(SCHEMA_LOCK)
            .push(")");
        txn.query_one_raw(lock.build()).await?;
    }
    Ok(())
}

/// Records `step` of `module` as applied, in `txn`.
pub(crate) async fn record_step(
    txn: &impl ConnectionTrait,
    module: &str,
    step: &str,
) -> Result<(), sea_orm::DbErr> {
    let mut record = Sql::new(txn.get_database_backend());
    record
        .push("INSERT INTO module_schema (module, step, applied_at) VALUES (")
        .bind(module.to_owned())
        .push(", ")
        .bind(step.to_owned())
        .push(", ")
        .bind(chrono::Utc::now().timestamp_millis())
        .push(")");
    txn.execute_raw(record.build()).await?;
    Ok(())
}

impl Store {
    /// Applies the steps of `module`'s schema that this database has not applied yet, each
    /// in its own transaction with its record. Run after [`Store::migrate`].
    pub async fn apply_schema(&self, module: &str, steps: &[SchemaStep]) -> Result<(), StoreError> {
        let failed = |step: &str, error: &dyn std::fmt::Display| {
            StoreError::Migration(format!("module {module}, schema step {step}: {error}"))
        };
        for (i, step) in steps.iter().enumerate() {
            step.check()
                .map_err(|e| StoreError::Migration(format!("module {module}: {e}")))?;
            if steps[..i].iter().any(|s| s.name == step.name) {
                return Err(failed(step.name, &"declared twice"));
            }
        }
        let backend = self.backend();
        for step in steps {
            let txn = self.begin().await.map_err(|e| failed(step.name, &e))?;
            lock_schema(&*txn)
                .await
                .map_err(|e| failed(step.name, &e))?;
            let mut applied = Sql::new(backend);
            applied
                .push("SELECT 1 AS applied FROM module_schema WHERE module = ")
                .bind(module)
                .push(" AND step = ")
                .bind(step.name);
            let done = txn
                .query_one_raw(applied.build())
                .await
                .map_err(|e| failed(step.name, &e))?
                .is_some();
            if done {
                txn.rollback().await.map_err(|e| failed(step.name, &e))?;
                continue;
            }
            step.apply(&*txn, backend)
                .await
                .map_err(|e| failed(step.name, &e))?;
            record_step(&*txn, module, step.name)
                .await
                .map_err(|e| failed(step.name, &e))?;
            txn.commit().await.map_err(|e| failed(step.name, &e))?;
            tracing::info!(module, step = step.name, "schema step applied");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEPS: &[SchemaStep] = &[
        SchemaStep::document_table("0001_widget", "widget", &["status", "owner.id"]),
        SchemaStep::attribute_index("0002_widget_colour", "widget", "colour"),
    ];

    async fn store() -> (Store, std::path::PathBuf) {
        Store::temporary("crm-schema").await
    }

    async fn names(store: &Store, what: &str) -> Vec<String> {
        let rows = store
            .connection()
            .query_all_raw(sea_orm::Statement::from_string(
                DbBackend::Sqlite,
                format!("SELECT name FROM sqlite_master WHERE type = '{what}' AND tbl_name = 'widget' ORDER BY name"),
            ))
            .await
            .expect("schema");
        rows.iter()
            .map(|row| row.try_get::<String>("", "name").expect("name"))
            .collect()
    }

    #[tokio::test]
    async fn a_module_s_steps_apply_once_in_order() {
        let (store, path) = store().await;
        store.apply_schema("widgets", STEPS).await.expect("applied");
        assert_eq!(names(&store, "table").await, ["widget"]);
        assert_eq!(
            names(&store, "index").await,
            [
                "sqlite_autoindex_widget_1",
                "widget_colour",
                "widget_kind_created",
                "widget_owner_id",
                "widget_status"
            ]
        );
        // Applying again (a restart, a second instance) changes nothing and does not fail.
        store.apply_schema("widgets", STEPS).await.expect("again");
        // A later step is applied on its own.
        let mut more = STEPS.to_vec();
        more.push(SchemaStep::attribute_index(
            "0003_widget_size",
            "widget",
            "size",
        ));
        store
            .apply_schema("widgets", &more)
            .await
            .expect("one more");
        assert!(
            names(&store, "index")
                .await
                .contains(&"widget_size".to_owned())
        );
        let recorded = store
            .connection()
            .query_all_raw(sea_orm::Statement::from_string(
                DbBackend::Sqlite,
                "SELECT step FROM module_schema WHERE module = 'widgets' ORDER BY step",
            ))
            .await
            .expect("records");
        assert_eq!(recorded.len(), 3);
        store.close().await;
        let _ = std::fs::remove_file(path);
    }

    #[tokio::test]
    async fn names_that_are_not_identifiers_are_refused_before_anything_runs() {
        let (store, path) = store().await;
        for steps in [
            vec![SchemaStep::document_table("1", "widget; DROP TABLE x", &[])],
            vec![SchemaStep::document_table("1", "widget", &["a'b"])],
            vec![SchemaStep::document_table("", "widget", &[])],
            vec![STEPS[0], STEPS[0]],
        ] {
            let refused = store
                .apply_schema("widgets", &steps)
                .await
                .expect_err("refused");
            assert!(refused.to_string().contains("widgets"), "{refused}");
        }
        assert!(
            names(&store, "table").await.is_empty(),
            "nothing was created"
        );
        store.close().await;
        let _ = std::fs::remove_file(path);
    }

    #[tokio::test]
    async fn a_failing_step_leaves_no_record_and_no_table() {
        let (store, path) = store().await;
        // The index names an existing table's index twice: the second CREATE INDEX fails,
        // and the table created before it in the same step is rolled back with it.
        let steps = [SchemaStep::document_table(
            "0001_widget",
            "widget",
            &["status", "status"],
        )];
        store
            .apply_schema("widgets", &steps)
            .await
            .expect_err("fails");
        assert!(names(&store, "table").await.is_empty());
        let fixed = [SchemaStep::document_table(
            "0001_widget",
            "widget",
            &["status"],
        )];
        store
            .apply_schema("widgets", &fixed)
            .await
            .expect("then applies");
        store.close().await;
        let _ = std::fs::remove_file(path);
    }
}
