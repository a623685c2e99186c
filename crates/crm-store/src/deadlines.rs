//! Deadlines: what a domain watches on resources (an SLA's targets on a ticket) and when it
//! must look again. A domain writes a resource's deadlines in the transaction that changes the
//! resource, and a job reads those whose next crossing has come ([`due`]): one range of the
//! partial index `deadline_next (owner, next_at, watch_key)`, which holds only the rows that
//! have a next crossing, so a pass over a million watched resources reads what crossed and
//! nothing else. Everything a watcher knows is in its rows (the `stage` it reached, its
//! `detail`), so a restarted server, or another instance, carries on where a pass stopped.
//!
//! Rows are the watcher's own: `owner` names it, `watch_key` is its key within the owner,
//! `target_id` the resource watched (read back with [`of_target`]).

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde_json::Value as Json;
use tmf_apis::{TmfError, TmfResult};

use crate::error::db_error;
use crate::sql::Sql;

/// One thing watched on one resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Deadline {
    /// The watcher's key (unique within its owner).
    pub key: String,
    /// The resource watched.
    pub target_id: String,
    /// Where it stands, in the watcher's words.
    pub stage: String,
    /// When the watcher must look again; `None` when nothing is coming.
    pub next_at: Option<DateTime<Utc>>,
    /// The watcher's data.
    pub detail: Json,
}

fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// `at` moved on to the next whole millisecond, as `next_at` is stored: a deadline read back
/// is the one written, and never comes before the instant it stands for.
pub fn to_millis_ceil(at: DateTime<Utc>) -> DateTime<Utc> {
    let floor = DateTime::<Utc>::from_timestamp_millis(at.timestamp_millis()).unwrap_or(at);
    match floor < at {
        true => floor + chrono::Duration::milliseconds(1),
        false => floor,
    }
}

fn read(row: &sea_orm::QueryResult) -> TmfResult<Deadline> {
    let text = |column: &str| -> TmfResult<String> {
        row.try_get::<String>("", column)
            .map_err(TmfError::internal)
    };
    let next_at: Option<i64> = row.try_get("", "next_at").map_err(TmfError::internal)?;
    Ok(Deadline {
        key: text("watch_key")?,
        target_id: text("target_id")?,
        stage: text("stage")?,
        next_at: next_at.and_then(DateTime::<Utc>::from_timestamp_millis),
        detail: serde_json::from_str(&text("detail")?).map_err(TmfError::internal)?,
    })
}

const COLUMNS: &str = "watch_key, target_id, stage, next_at, detail";

/// The deadlines `owner` keeps on `target_id`, by key.
pub async fn of_target(
    connection: &impl ConnectionTrait,
    owner: &str,
    target_id: &str,
) -> TmfResult<Vec<Deadline>> {
    let mut select = Sql::new(connection.get_database_backend());
    select
        .push(&format!(
            "SELECT {COLUMNS} FROM deadline WHERE target_id = "
        ))
        .bind(target_id)
        .push(" AND owner = ")
        .bind(owner)
        .push(" ORDER BY watch_key");
    let rows = connection
        .query_all_raw(select.build())
        .await
        .map_err(db_error)?;
    rows.iter().map(read).collect()
}

/// Writes `deadline` for `owner`, replacing the one of its key.
pub async fn put(
    connection: &impl ConnectionTrait,
    owner: &str,
    deadline: &Deadline,
) -> TmfResult<()> {
    let mut upsert = Sql::new(connection.get_database_backend());
    upsert
        .push("INSERT INTO deadline (owner, watch_key, target_id, stage, next_at, detail) VALUES (")
        .bind(owner)
        .push(", ")
        .bind(deadline.key.clone())
        .push(", ")
        .bind(deadline.target_id.clone())
        .push(", ")
        .bind(deadline.stage.clone())
        .push(", ")
        .bind(deadline.next_at.map(millis))
        .push(", ")
        .bind(deadline.detail.to_string())
        .push(
            ") ON CONFLICT (owner, watch_key) DO UPDATE SET target_id = excluded.target_id, \
             stage = excluded.stage, next_at = excluded.next_at, detail = excluded.detail",
        );
    connection
        .execute_raw(upsert.build())
        .await
        .map_err(db_error)?;
    Ok(())
}

/// Removes the deadline `key` of `owner`.
pub async fn remove(connection: &impl ConnectionTrait, owner: &str, key: &str) -> TmfResult<()> {
    let mut delete = Sql::new(connection.get_database_backend());
    delete
        .push("DELETE FROM deadline WHERE owner = ")
        .bind(owner)
        .push(" AND watch_key = ")
        .bind(key);
    connection
        .execute_raw(delete.build())
        .await
        .map_err(db_error)?;
    Ok(())
}

/// Where a pass over due deadlines has got to: the last one read.
pub type Cursor = (DateTime<Utc>, String);

/// Deadlines read per page by a [`DuePass`].
const PAGE: u64 = 500;

/// One pass over the deadlines of an owner due at an instant: page after page in the order of
/// their crossing, following a cursor, so a row the pass moves on is not read again.
#[derive(Debug, Clone)]
pub struct DuePass {
    owner: &'static str,
    now: DateTime<Utc>,
    cursor: Option<Cursor>,
    done: bool,
}

impl DuePass {
    /// The pass over the deadlines of `owner` due at `now`.
    pub fn new(owner: &'static str, now: DateTime<Utc>) -> Self {
        Self {
            owner,
            now,
            cursor: None,
            done: false,
        }
    }

    /// The next page of due deadlines; `None` once the pass has read them all.
    pub async fn next_page(
        &mut self,
        connection: &impl ConnectionTrait,
    ) -> TmfResult<Option<Vec<Deadline>>> {
        if self.done {
            return Ok(None);
        }
        let page = due(connection, self.owner, self.now, self.cursor.as_ref(), PAGE).await?;
        self.cursor = page
            .last()
            .and_then(|last| last.next_at.map(|at| (at, last.key.clone())));
        self.done = (page.len() as u64) < PAGE || self.cursor.is_none();
        Ok((!page.is_empty()).then_some(page))
    }
}

/// Up to `limit` deadlines of `owner` whose next crossing is at or before `now`, in the order
/// of their crossing (then key), after `after`.
pub async fn due(
    connection: &impl ConnectionTrait,
    owner: &str,
    now: DateTime<Utc>,
    after: Option<&Cursor>,
    limit: u64,
) -> TmfResult<Vec<Deadline>> {
    let mut select = Sql::new(connection.get_database_backend());
    select
        .push(&format!("SELECT {COLUMNS} FROM deadline WHERE owner = "))
        .bind(owner)
        .push(" AND next_at IS NOT NULL AND next_at <= ")
        .bind(millis(now));
    if let Some((at, key)) = after {
        select
            .push(" AND (next_at, watch_key) > (")
            .bind(millis(*at))
            .push(", ")
            .bind(key.clone())
            .push(")");
    }
    select
        .push(" ORDER BY next_at, watch_key LIMIT ")
        .bind(i64::try_from(limit).unwrap_or(i64::MAX));
    let rows = connection
        .query_all_raw(select.build())
        .await
        .map_err(db_error)?;
    rows.iter().map(read).collect()
}

/// The deadlines of `owner` whose key starts with `prefix` and whose stage is one of
/// `stages`, by key.
pub async fn with_prefix(
    connection: &impl ConnectionTrait,
    owner: &str,
    prefix: &str,
    stages: &[&str],
) -> TmfResult<Vec<Deadline>> {
    let mut select = Sql::new(connection.get_database_backend());
    select
        .push(&format!("SELECT {COLUMNS} FROM deadline WHERE owner = "))
        .bind(owner)
        .push(" AND watch_key >= ")
        .bind(prefix.to_owned());
    // The first key past every key with the prefix: the prefix with its last character
    // moved one on.
    if let Some(last) = prefix.chars().last()
        && let Some(next) = char::from_u32(u32::from(last) + 1)
    {
        let mut end = prefix[..prefix.len() - last.len_utf8()].to_owned();
        end.push(next);
        select.push(" AND watch_key < ").bind(end);
    }
    if !stages.is_empty() {
        select
            .push(" AND stage IN (")
            .bind_list(stages.iter().map(|s| (*s).to_owned()))
            .push(")");
    }
    select.push(" ORDER BY watch_key");
    let rows = connection
        .query_all_raw(select.build())
        .await
        .map_err(db_error)?;
    rows.iter().map(read).collect()
}
