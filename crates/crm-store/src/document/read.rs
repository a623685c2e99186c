//! Reading stored documents.

use super::*;

impl<K: ResourceKind> DocumentService<K> {
    pub(super) async fn load(
        &self,
        connection: &impl ConnectionTrait,
        id: &str,
        for_update: bool,
    ) -> TmfResult<Option<(Json, i64)>> {
        let stored = self.kind.stored_type();
        let mut sql = Sql::new(self.backend());
        sql.push("SELECT body, version FROM ")
            .push(stored.table)
            .push(" WHERE id = ")
            .bind(id.to_owned())
            .push(" AND kind = ")
            .bind(stored.kind);
        if for_update && self.backend() == DbBackend::Postgres {
            sql.push(" FOR UPDATE");
        }
        let Some(row) = connection
            .query_one_raw(sql.build())
            .await
            .map_err(db_error)?
        else {
            return Ok(None);
        };
        let body = read_body(&row)?;
        let version: i64 = row.try_get("", "version").map_err(db_error)?;
        Ok(Some((body, version)))
    }
}

impl<K: ResourceKind> DocumentService<K> {
    /// Every stored document of this kind whose scalar attribute at `path` (dotted, no lists:
    /// `billingAccount.id`) is `value`, read through `connection` (a transaction, to see what
    /// it has written), by id. The comparison is the one the list translator emits, so an
    /// attribute index on `path` serves it. For a domain's rules over a resource's siblings
    /// (the bills of an account); `path` comes from code, never from a client.
    pub async fn find_in(
        &self,
        connection: &impl ConnectionTrait,
        path: &str,
        value: &str,
    ) -> TmfResult<Vec<Json>> {
        let segments: Vec<&str> = path.split('.').collect();
        if !segments.iter().all(|s| crate::sql::is_safe_name(s)) {
            return Err(TmfError::internal(format!("not an attribute path: {path}")));
        }
        let stored = self.kind.stored_type();
        let mut sql = Sql::new(self.backend());
        sql.push("SELECT body FROM ")
            .push(stored.table)
            .push(" WHERE kind = ")
            .bind(stored.kind)
            .push(" AND ")
            .push(&crate::sql::json_scalar(self.backend(), "body", &segments))
            .push(" = ")
            .bind(value.to_owned())
            .push(" ORDER BY id");
        let rows = connection
            .query_all_raw(sql.build())
            .await
            .map_err(db_error)?;
        rows.iter().map(read_body).collect()
    }

    /// The stored document `id` read within `txn`, locked against concurrent writers until
    /// the transaction ends; `None` when there is no such resource of this kind.
    pub async fn load_in(&self, txn: &DatabaseTransaction, id: &str) -> TmfResult<Option<Json>> {
        Ok(self.load(txn, id, true).await?.map(|(body, _)| body))
    }

    /// The stored document `id` and its version, read through `connection` without locking
    /// it, for a domain to judge and write later with [`replace_at_in`](Self::replace_at_in);
    /// `None` when there is no such resource of this kind.
    pub async fn read_versioned_in(
        &self,
        connection: &impl ConnectionTrait,
        id: &str,
    ) -> TmfResult<Option<(Json, i64)>> {
        self.load(connection, id, false).await
    }

    /// The stored document `id` read through `connection` (a transaction, to read what it
    /// has written) without locking it; `None` when there is no such resource of this kind.
    pub async fn read_in(
        &self,
        connection: &impl ConnectionTrait,
        id: &str,
    ) -> TmfResult<Option<Json>> {
        Ok(self
            .load(connection, id, false)
            .await?
            .map(|(body, _)| body))
    }
}

pub(crate) fn read_body(row: &sea_orm::QueryResult) -> TmfResult<Json> {
    read_json(row, "body")
}

/// A JSON column: JSONB on PostgreSQL, JSON text on SQLite.
pub(crate) fn read_json(row: &sea_orm::QueryResult, column: &str) -> TmfResult<Json> {
    match row.try_get::<Json>("", column) {
        Ok(value) => Ok(value),
        Err(_) => {
            let text: String = row.try_get("", column).map_err(db_error)?;
            serde_json::from_str(&text).map_err(TmfError::internal)
        }
    }
}

/// The compact JSON text of `value`, exactly as `value.to_string()` writes it, but written
/// straight into a buffer: `Display` goes through the formatting machinery a piece at a time,
/// which costs a bulk import a few percent of its time.
pub fn json_text(value: &Json) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| value.to_string())
}
