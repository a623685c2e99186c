//! Creates that clients retry. A billing system that timed out sends the same bill again; the
//! CRM must answer with what it stored the first time and write nothing. A create is
//! recognised as a retry by a *key* within a *scope*: a natural key the domain names (a bill's
//! `billNo` within its billing account, a rate's external id), or the client's
//! `Idempotency-Key` header. The key is remembered in `idempotency_key` with a fingerprint of
//! the request's content and the id of the resource it created, in the create's transaction;
//! a later create with the same key finds it: the same content is a retry ([`Seen::Same`]),
//! other content a different request reusing the key ([`Seen::Different`]).
//!
//! Concurrent retries (two connections sending the same bill at once) are serialised on the
//! key: on PostgreSQL by a transaction-scoped advisory lock on the key's hash, taken before
//! the look-up, so the second waits for the first to commit and then finds its row; on SQLite
//! by the single writer. The primary key on (scope, key) backs both.

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};
use tmf_apis::{TmfError, TmfResult};

use crate::error::db_error;
use crate::sql::Sql;

/// What a key says about a create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// Never used: the create goes ahead (and [`remember`]s the key).
    New,
    /// Used by a create with the same content, which stored the resource with this id.
    Same(String),
    /// Used by a create with other content, which stored the resource with this id.
    Different(String),
}

/// The fingerprint of a request's content: the SHA-256 of its JSON text (object keys in
/// order, numbers as their text), in hex.
pub fn fingerprint(content: &Json) -> String {
    fingerprint_text(&crate::json_text(content))
}

/// The fingerprint of content already written as its JSON text (`content.to_string()`).
pub fn fingerprint_text(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Looks `key` up within `scope`, after locking it for the rest of `txn` (PostgreSQL).
pub async fn check(
    txn: &DatabaseTransaction,
    scope: &str,
    key: &str,
    fingerprint: &str,
) -> TmfResult<Seen> {
    let backend = txn.get_database_backend();
    if backend == DbBackend::Postgres {
        let mut lock = Sql::new(backend);
        lock.push("SELECT pg_advisory_xact_lock(hashtextextended(")
            .bind(format!("{scope}\u{1f}{key}"))
            .push(", 0))");
        txn.query_one_raw(lock.build()).await.map_err(db_error)?;
    }
    let mut select = Sql::new(backend);
    select
        .push("SELECT fingerprint, resource_id FROM idempotency_key WHERE scope = ")
        .bind(scope)
        .push(" AND request_key = ")
        .bind(key);
    let Some(row) = txn.query_one_raw(select.build()).await.map_err(db_error)? else {
        return Ok(Seen::New);
    };
    let stored: String = row.try_get("", "fingerprint").map_err(TmfError::internal)?;
    let id: String = row.try_get("", "resource_id").map_err(TmfError::internal)?;
    Ok(match stored == fingerprint {
        true => Seen::Same(id),
        false => Seen::Different(id),
    })
}

/// Remembers that the create with `key` (checked [`Seen::New`] in the same `txn`) stored the
/// resource `resource_id`.
pub async fn remember(
    txn: &DatabaseTransaction,
    scope: &str,
    key: &str,
    fingerprint: &str,
    resource_id: &str,
) -> TmfResult<()> {
    let mut insert = Sql::new(txn.get_database_backend());
    insert
        .push("INSERT INTO idempotency_key (scope, request_key, fingerprint, resource_id, created_at) VALUES (")
        .bind(scope)
        .push(", ")
        .bind(key)
        .push(", ")
        .bind(fingerprint)
        .push(", ")
        .bind(resource_id)
        .push(", ")
        .bind(chrono::Utc::now().timestamp_millis())
        .push(")");
    txn.execute_raw(insert.build()).await.map_err(db_error)?;
    Ok(())
}

/// What a key was remembered with ([`check_many`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remembered {
    /// The fingerprint of the content the key was first used with.
    pub fingerprint: String,
    /// The resource that create stored.
    pub resource_id: String,
}

impl Remembered {
    /// What the key says about a create whose content has `fingerprint`.
    pub fn seen(&self, fingerprint: &str) -> Seen {
        match self.fingerprint == fingerprint {
            true => Seen::Same(self.resource_id.clone()),
            false => Seen::Different(self.resource_id.clone()),
        }
    }
}

/// Keys per statement.
const MANY: usize = 500;

/// Locks `keys` within `scope` for the rest of `txn`, as [`check`] locks one (PostgreSQL;
/// nothing to do on SQLite, whose one writer serialises every write), in the order of their
/// hashes, so that two batches locking overlapping keys cannot deadlock. Each lock takes a
/// slot of PostgreSQL's lock table until the transaction ends: lock the keys of hundreds of
/// resources at a time, not of hundreds of thousands.
pub async fn lock_many(txn: &DatabaseTransaction, scope: &str, keys: &[String]) -> TmfResult<()> {
    let backend = txn.get_database_backend();
    if backend != DbBackend::Postgres || keys.is_empty() {
        return Ok(());
    }
    let mut scoped: Vec<String> = keys
        .iter()
        .map(|key| format!("{scope}\u{1f}{key}"))
        .collect();
    scoped.sort();
    scoped.dedup();
    for chunk in scoped.chunks(MANY) {
        let mut lock = Sql::new(backend);
        lock.push("SELECT pg_advisory_xact_lock(h) FROM (SELECT hashtextextended(k, 0) AS h FROM (VALUES ");
        for (i, key) in chunk.iter().enumerate() {
            lock.push(if i == 0 { "(" } else { ", (" })
                .bind(key.clone())
                .push(")");
        }
        lock.push(") AS keys(k) ORDER BY h) AS hashes");
        txn.query_all_raw(lock.build()).await.map_err(db_error)?;
    }
    Ok(())
}

/// Looks up many `keys` within `scope` at once (an import's batch): those remembered, with
/// their fingerprint and resource. Locks nothing (see [`lock_many`]).
pub async fn check_many(
    txn: &DatabaseTransaction,
    scope: &str,
    keys: &[String],
) -> TmfResult<std::collections::HashMap<String, Remembered>> {
    let backend = txn.get_database_backend();
    let mut found = std::collections::HashMap::new();
    for chunk in keys.chunks(MANY) {
        let mut select = Sql::new(backend);
        select
            .push(
                "SELECT request_key, fingerprint, resource_id FROM idempotency_key WHERE scope = ",
            )
            .bind(scope)
            .push(" AND request_key IN (")
            .bind_list(chunk.iter().cloned())
            .push(")");
        for row in txn.query_all_raw(select.build()).await.map_err(db_error)? {
            let key: String = row.try_get("", "request_key").map_err(TmfError::internal)?;
            let fingerprint: String = row.try_get("", "fingerprint").map_err(TmfError::internal)?;
            let resource_id: String = row.try_get("", "resource_id").map_err(TmfError::internal)?;
            found.insert(
                key,
                Remembered {
                    fingerprint,
                    resource_id,
                },
            );
        }
    }
    Ok(found)
}

/// Remembers many creates at once, as [`remember`] does one: `(key, fingerprint, resource
/// id)` within `scope`, in multi-row statements.
pub async fn remember_many(
    txn: &DatabaseTransaction,
    scope: &str,
    entries: &[(String, String, String)],
) -> TmfResult<()> {
    let backend = txn.get_database_backend();
    let now = chrono::Utc::now().timestamp_millis();
    for chunk in entries.chunks(MANY) {
        let mut insert = Sql::new(backend);
        insert.push(
            "INSERT INTO idempotency_key (scope, request_key, fingerprint, resource_id, created_at) VALUES ",
        );
        for (i, (key, fingerprint, resource_id)) in chunk.iter().enumerate() {
            insert
                .push(if i == 0 { "(" } else { ", (" })
                .bind(scope)
                .push(", ")
                .bind(key.clone())
                .push(", ")
                .bind(fingerprint.clone())
                .push(", ")
                .bind(resource_id.clone())
                .push(", ")
                .bind(now)
                .push(")");
        }
        txn.execute_raw(insert.build()).await.map_err(db_error)?;
    }
    Ok(())
}
