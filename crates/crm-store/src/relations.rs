//! "Everything related to X": the resources that hold a reference to given resources, read
//! from the reference index, and their documents.

use sea_orm::ConnectionTrait;
use serde_json::Value as Json;
use tmf_apis::{TmfError, TmfResult};

use crate::Store;
use crate::error::db_error;
use crate::sql::Sql;

/// Most related resources a read for people (the 360 view, the timeline) gathers; beyond it
/// the answer says it is incomplete ([`Related::complete`]).
pub const MAX_RELATED: u64 = 1000;

/// The resources that refer to some targets, as far as a read gathered them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Related {
    /// `(table, id)` of each, in table and id order.
    pub resources: Vec<(String, String)>,
    /// Whether these are all of them (false: [`MAX_RELATED`] were read and there are more).
    pub complete: bool,
}

/// The `(table, id)` of every stored resource that references any of `target_ids`, all of
/// them (for rules that must see each: erasure, a parent's children).
pub async fn referencing(
    connection: &impl ConnectionTrait,
    target_ids: &[String],
) -> TmfResult<Vec<(String, String)>> {
    Ok(referencing_up_to(connection, target_ids, None)
        .await?
        .resources)
}

/// The ids of the resources stored in `source_table` that reference any of `target_ids`
/// (through the reference at `path` only, when given), all of them: for a rule that must not
/// miss one however much else refers to the targets (the SLAs of a customer among their
/// thousand orders).
pub async fn referrers(
    connection: &impl ConnectionTrait,
    target_ids: &[String],
    source_table: &str,
    path: Option<&str>,
) -> TmfResult<Vec<String>> {
    if target_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(connection.get_database_backend());
    sql.push("SELECT DISTINCT source_id FROM reference_index WHERE target_id IN (")
        .bind_list(target_ids.iter().cloned())
        .push(") AND source_table = ")
        .bind(source_table.to_owned());
    if let Some(path) = path {
        sql.push(" AND path = ").bind(path.to_owned());
    }
    sql.push(" ORDER BY source_id");
    let rows = connection
        .query_all_raw(sql.build())
        .await
        .map_err(db_error)?;
    rows.iter()
        .map(|row| row.try_get("", "source_id").map_err(db_error))
        .collect()
}

/// The first [`MAX_RELATED`] resources that reference any of `target_ids`, saying whether
/// there are more (for reads shown to people, which must not grow without bound).
pub async fn referencing_some(
    connection: &impl ConnectionTrait,
    target_ids: &[String],
) -> TmfResult<Related> {
    referencing_up_to(connection, target_ids, Some(MAX_RELATED)).await
}

async fn referencing_up_to(
    connection: &impl ConnectionTrait,
    target_ids: &[String],
    limit: Option<u64>,
) -> TmfResult<Related> {
    if target_ids.is_empty() {
        return Ok(Related {
            resources: Vec::new(),
            complete: true,
        });
    }
    let mut sql = Sql::new(connection.get_database_backend());
    sql.push("SELECT DISTINCT source_table, source_id FROM reference_index WHERE target_id IN (")
        .bind_list(target_ids.iter().cloned())
        .push(") ORDER BY source_table, source_id");
    if let Some(limit) = limit {
        // One more than the limit tells whether there are more.
        sql.push(" LIMIT ")
            .bind(i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX));
    }
    let rows = connection
        .query_all_raw(sql.build())
        .await
        .map_err(db_error)?;
    let mut resources = rows
        .iter()
        .map(|row| {
            Ok((
                row.try_get("", "source_table").map_err(db_error)?,
                row.try_get("", "source_id").map_err(db_error)?,
            ))
        })
        .collect::<TmfResult<Vec<(String, String)>>>()?;
    let complete = limit.is_none_or(|limit| resources.len() as u64 <= limit);
    if let Some(limit) = limit {
        resources.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    Ok(Related {
        resources,
        complete,
    })
}

/// The documents with these ids in `table`, optionally of the given kinds, newest first.
pub async fn documents(
    store: &Store,
    table: &str,
    ids: &[String],
    kinds: &[&str],
) -> TmfResult<Vec<Json>> {
    documents_on(store.connection(), table, ids, kinds).await
}

/// [`documents`] read over `connection` (a transaction's, to read what it wrote or locked).
pub async fn documents_on(
    connection: &impl ConnectionTrait,
    table: &str,
    ids: &[String],
    kinds: &[&str],
) -> TmfResult<Vec<Json>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    if !tmf_apis::is_plain_name(table) {
        return Err(TmfError::internal(format!("not a table name: {table}")));
    }
    let mut sql = Sql::new(connection.get_database_backend());
    sql.push("SELECT body FROM ")
        .push(table)
        .push(" WHERE id IN (")
        .bind_list(ids.iter().cloned())
        .push(")");
    if !kinds.is_empty() {
        sql.push(" AND kind IN (")
            .bind_list(kinds.iter().map(|kind| (*kind).to_owned()))
            .push(")");
    }
    sql.push(" ORDER BY created_at DESC, id DESC");
    let rows = connection
        .query_all_raw(sql.build())
        .await
        .map_err(db_error)?;
    rows.iter().map(crate::document::read_body).collect()
}

/// The ids one customer is known by, from `ids` (parties, customer records): them, the parties
/// the customer records among them engage, and the customer records (stored in `customers`)
/// engaging the parties among them. A rule about "the customer's" resources matches on these,
/// whichever of the customer record or its party a resource names.
pub async fn customer_ids(
    connection: &impl ConnectionTrait,
    customers: crate::StoredType,
    mut ids: Vec<String>,
) -> TmfResult<Vec<String>> {
    for customer in documents_on(connection, customers.table, &ids, &[]).await? {
        if let Some(party) = customer.pointer("/engagedParty/id").and_then(Json::as_str) {
            ids.push(party.to_owned());
        }
    }
    let engaging = referrers(connection, &ids, customers.table, Some("engagedParty")).await?;
    ids.extend(engaging);
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// Every document of `kind` in `table`, oldest first: for the few resources a domain reads
/// whole (a loyalty programme's rules), never for what grows with the customers.
pub async fn all_of_kind(
    connection: &impl ConnectionTrait,
    table: &str,
    kind: &str,
) -> TmfResult<Vec<Json>> {
    if !tmf_apis::is_plain_name(table) {
        return Err(TmfError::internal(format!("not a table name: {table}")));
    }
    let mut sql = Sql::new(connection.get_database_backend());
    sql.push("SELECT body FROM ")
        .push(table)
        .push(" WHERE kind = ")
        .bind(kind.to_owned())
        .push(" ORDER BY created_at, id");
    let rows = connection
        .query_all_raw(sql.build())
        .await
        .map_err(db_error)?;
    rows.iter().map(crate::document::read_body).collect()
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, Database};
    use sea_orm_migration::MigratorTrait;

    use super::*;
    use crate::Migrator;

    #[tokio::test]
    async fn a_bounded_read_says_when_there_are_more_and_rules_see_them_all() {
        let db = Database::connect("sqlite::memory:").await.expect("sqlite");
        Migrator::up(&db, None).await.expect("migrations");
        let rows: Vec<String> = (0..5)
            .map(|i| format!("('party_interaction', 'i{i}', 'relatedParty[0]', 'customer', 'c1')"))
            .collect();
        db.execute_unprepared(&format!(
            "INSERT INTO entity_ref (source_table, source_id, path, target_table, target_id) VALUES {}",
            rows.join(", ")
        ))
        .await
        .expect("rows");
        let target = ["c1".to_owned()];
        let all = referencing(&db, &target).await.expect("all");
        assert_eq!(all.len(), 5);
        let three = referencing_up_to(&db, &target, Some(3))
            .await
            .expect("three");
        assert_eq!(three.resources.len(), 3);
        assert!(!three.complete, "there are more than three");
        let five = referencing_up_to(&db, &target, Some(5))
            .await
            .expect("five");
        assert!(five.complete, "exactly the limit is complete");
        let none = referencing_some(&db, &[]).await.expect("none");
        assert!(none.complete && none.resources.is_empty());
    }
}
