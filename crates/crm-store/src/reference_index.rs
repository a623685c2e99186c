//! The reference index: every reference a stored resource holds, as `(source_table,
//! source_id, path, target_table, target_id)` rows of the view `reference_index`, which every
//! reverse look-up reads ("what refers to this customer", "is this still referenced").
//!
//! Most references are rows of the table `entity_ref`, written with their holder. A
//! reference declared with [`TypeRegistry::index_in_table`] has no row there: its holders'
//! table indexes it already (an attribute index on `path.id`), and the view takes it from
//! that table with the same expression, so a look-up by target id is answered from that
//! index. A bill line of a monthly bill run then writes one row where it wrote three (its
//! own, and one for each of its bill and its billing account, each in two b-trees).
//!
//! The view is defined from the registry each time the server migrates
//! ([`Store::define_reference_index`]); a definition that changed replaces the old one, and
//! the `entity_ref` rows of a newly declared reference go, in the same transaction.

use sea_orm::{ConnectionTrait, DbBackend};
use sha2::{Digest, Sha256};

use crate::migration::module::{lock_schema, record_step};
use crate::sql::{Sql, is_safe_name, json_scalar};
use crate::{Store, StoreError, TableReference, TypeRegistry};

/// The columns of the index, in order.
const COLUMNS: &str = "source_table, source_id, path, target_table, target_id";

/// Where the definition in force is recorded: a row of `module_schema` under this module
/// name, its step the definition's digest.
const RECORD: &str = "reference_index";

/// The `SELECT` the view `reference_index` is, for `declared` references whose targets are
/// stored as `registry` says.
fn definition(
    backend: DbBackend,
    registry: &TypeRegistry,
    declared: &[TableReference],
) -> Result<String, StoreError> {
    let mut select = format!("SELECT {COLUMNS} FROM entity_ref");
    for reference in declared {
        let refused = |why: &str| {
            StoreError::Migration(format!(
                "the reference {} of {} cannot be indexed by its table: {why}",
                reference.path, reference.source.kind
            ))
        };
        let segments: Vec<&str> = reference.path.split('.').collect();
        // Written into the view's text: letters, digits, `_` and `@` only.
        if !is_safe_name(reference.source.table)
            || !is_safe_name(reference.source.kind)
            || !segments.iter().all(|segment| is_safe_name(segment))
        {
            return Err(refused("not a plain table, kind and attribute path"));
        }
        if registry
            .holder(reference.source)
            .is_some_and(|holder| holder.via.0 == reference.path)
        {
            // Inherited keys are copied through the rows of entity_ref.
            return Err(refused("its holders inherit search keys through it"));
        }
        let Some(target) = registry.get(reference.target) else {
            return Err(refused(&format!("no module stores {}", reference.target)));
        };
        let mut id = segments.clone();
        id.push("id");
        let target_id = json_scalar(backend, "body", &id);
        select.push_str(&format!(
            " UNION ALL SELECT '{source}', id, '{path}', '{target}', {target_id} FROM {source} \
             WHERE kind = '{kind}' AND {target_id} IS NOT NULL",
            source = reference.source.table,
            path = reference.path,
            target = target.table,
            kind = reference.source.kind,
        ));
    }
    Ok(select)
}

impl Store {
    /// Defines the view `reference_index` for the references `registry` declares indexed
    /// by their holders' tables (run once the modules' schemas are applied): unchanged when
    /// the definition in force is the same; otherwise replaced, and the `entity_ref` rows
    /// of the declared references removed, in one transaction (serialised between
    /// instances on PostgreSQL).
    pub async fn define_reference_index(&self, registry: &TypeRegistry) -> Result<(), StoreError> {
        let failed = |error: &dyn std::fmt::Display| {
            StoreError::Migration(format!("the reference index: {error}"))
        };
        let backend = self.backend();
        let declared = registry.table_references();
        let select = definition(backend, registry, declared)?;
        let digest = hex::encode(Sha256::digest(select.as_bytes()));
        let txn = self.begin().await.map_err(|e| failed(&e.message))?;
        lock_schema(&*txn).await.map_err(|e| failed(&e))?;
        let mut in_force = Sql::new(backend);
        in_force
            .push("SELECT step FROM module_schema WHERE module = ")
            .bind(RECORD);
        let recorded: Option<String> = txn
            .query_one_raw(in_force.build())
            .await
            .map_err(|e| failed(&e))?
            .map(|row| row.try_get("", "step"))
            .transpose()
            .map_err(|e| failed(&e))?;
        if recorded.as_deref() == Some(digest.as_str()) {
            txn.rollback().await.map_err(|e| failed(&e))?;
            return Ok(());
        }
        txn.execute_unprepared("DROP VIEW IF EXISTS reference_index")
            .await
            .map_err(|e| failed(&e))?;
        txn.execute_unprepared(&format!(
            "CREATE VIEW reference_index ({COLUMNS}) AS {select}"
        ))
        .await
        .map_err(|e| failed(&e))?;
        for reference in declared {
            let mut superseded = Sql::new(backend);
            superseded
                .push("DELETE FROM entity_ref WHERE source_table = ")
                .bind(reference.source.table)
                .push(" AND path = ")
                .bind(reference.path);
            txn.execute_raw(superseded.build())
                .await
                .map_err(|e| failed(&e))?;
        }
        let mut forget = Sql::new(backend);
        forget
            .push("DELETE FROM module_schema WHERE module = ")
            .bind(RECORD);
        txn.execute_raw(forget.build())
            .await
            .map_err(|e| failed(&e))?;
        record_step(&*txn, RECORD, &digest)
            .await
            .map_err(|e| failed(&e))?;
        txn.commit().await.map_err(|e| failed(&e))?;
        tracing::info!(declared = declared.len(), "reference index defined");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::Statement;

    use super::*;
    use crate::{SchemaStep, StoredType};

    const WIDGET: StoredType = StoredType {
        table: "widget",
        kind: "Widget",
    };
    const OWNER: StoredType = StoredType {
        table: "party",
        kind: "Individual",
    };

    async fn store() -> (Store, std::path::PathBuf) {
        let (store, path) = Store::temporary("crm-reference-index").await;
        store
            .apply_schema(
                "widgets",
                &[SchemaStep::document_table(
                    "0001_widget",
                    "widget",
                    &["owner.id"],
                )],
            )
            .await
            .expect("schema");
        (store, path)
    }

    async fn run(store: &Store, sql: &str) -> Vec<sea_orm::QueryResult> {
        store
            .connection()
            .query_all_raw(Statement::from_string(DbBackend::Sqlite, sql.to_owned()))
            .await
            .expect(sql)
    }

    fn registry(declared: bool) -> TypeRegistry {
        let mut registry = TypeRegistry::default();
        registry.register("Widget", WIDGET);
        registry.register("Individual", OWNER);
        if declared {
            registry.index_in_table(WIDGET, "owner", "Individual");
        }
        registry
    }

    #[tokio::test]
    async fn a_reference_indexed_by_its_table_is_found_through_the_view_by_that_index() {
        let (store, path) = store().await;
        // Two widgets of one owner, as written before the declaration (with their
        // entity_ref rows), and a third without an owner.
        run(
            &store,
            "INSERT INTO widget (id, kind, body, version, created_at, updated_at) VALUES \
             ('w1', 'Widget', '{\"owner\":{\"id\":\"o1\"}}', 1, 0, 0), \
             ('w2', 'Widget', '{\"owner\":{\"id\":\"o1\"}}', 1, 0, 0), \
             ('w3', 'Widget', '{}', 1, 0, 0)",
        )
        .await;
        run(
            &store,
            "INSERT INTO entity_ref (source_table, source_id, path, target_table, target_id) VALUES \
             ('widget', 'w1', 'owner', 'party', 'o1'), ('widget', 'w2', 'owner', 'party', 'o1'), \
             ('widget', 'w1', 'colour', 'external', 'c1')",
        )
        .await;
        let before = crate::relations::referencing(store.connection(), &["o1".to_owned()])
            .await
            .expect("referencing");
        assert_eq!(before.len(), 2);

        store
            .define_reference_index(&registry(true))
            .await
            .expect("defined");
        let referencing = crate::relations::referencing(store.connection(), &["o1".to_owned()])
            .await
            .expect("referencing");
        assert_eq!(
            referencing,
            vec![
                ("widget".to_owned(), "w1".to_owned()),
                ("widget".to_owned(), "w2".to_owned())
            ],
            "each widget once, from its table"
        );
        let left = run(
            &store,
            "SELECT path FROM entity_ref WHERE source_table = 'widget'",
        )
        .await;
        let left: Vec<String> = left
            .iter()
            .map(|row| row.try_get("", "path").expect("path"))
            .collect();
        assert_eq!(
            left,
            vec!["colour"],
            "the declared reference's rows are gone"
        );
        let external = crate::relations::referencing(store.connection(), &["c1".to_owned()])
            .await
            .expect("referencing");
        assert_eq!(external, vec![("widget".to_owned(), "w1".to_owned())]);

        // A look-up by target is answered from the table's attribute index.
        let plan = run(
            &store,
            "EXPLAIN QUERY PLAN SELECT DISTINCT source_table, source_id FROM reference_index \
             WHERE target_id IN ('o1', 'o2') ORDER BY source_table, source_id",
        )
        .await;
        let plan: Vec<String> = plan
            .iter()
            .filter_map(|row| row.try_get::<String>("", "detail").ok())
            .collect();
        assert!(
            plan.iter().any(|line| line.contains("widget_owner_id")),
            "{plan:?}"
        );
        assert!(
            !plan.iter().any(|line| line.starts_with("SCAN widget")),
            "{plan:?}"
        );

        // The same declarations again: nothing to do; none: the view reads entity_ref alone.
        store
            .define_reference_index(&registry(true))
            .await
            .expect("unchanged");
        store
            .define_reference_index(&registry(false))
            .await
            .expect("redefined");
        let undeclared = crate::relations::referencing(store.connection(), &["o1".to_owned()])
            .await
            .expect("referencing");
        assert!(undeclared.is_empty(), "{undeclared:?}");
        let _ = std::fs::remove_file(path);
    }

    #[tokio::test]
    async fn a_declaration_naming_a_type_no_module_stores_is_refused() {
        let (store, path) = store().await;
        let mut registry = registry(false);
        registry.index_in_table(WIDGET, "maker", "Organization");
        let refused = store
            .define_reference_index(&registry)
            .await
            .expect_err("refused");
        assert!(
            refused
                .to_string()
                .contains("no module stores Organization"),
            "{refused}"
        );
        let _ = std::fs::remove_file(path);
    }
}
