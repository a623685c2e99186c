//! Storage failures, and how they reach clients.

use sea_orm::{DbErr, SqlErr};
use tmf_apis::{ErrorCode, TmfError};

/// A failure of the storage layer itself (not of a client's request).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The configuration names no usable database.
    #[error("database configuration: {0}")]
    Config(String),
    /// The database could not be reached.
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migration(String),
}

/// Maps a database error met while serving a request to a TMF error: constraint
/// violations are the client's conflict, lock contention is retryable, the rest is ours.
pub fn db_error(error: DbErr) -> TmfError {
    if let Some(SqlErr::UniqueConstraintViolation(_)) = error.sql_err() {
        return TmfError::conflict("a resource with this identity already exists");
    }
    let text = error.to_string();
    let contention = [
        "database is locked",
        "database table is locked",
        "SQLITE_BUSY",
        "could not serialize access",
        "deadlock detected",
        "pool timed out",
    ];
    if contention.iter().any(|needle| text.contains(needle)) {
        tracing::warn!(error = %text, "storage contention");
        return TmfError::new(
            ErrorCode::Unavailable,
            "the store is busy; retry the request",
        );
    }
    TmfError::internal(text)
}
