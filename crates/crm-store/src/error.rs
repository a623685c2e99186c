//! Storage failures, and how they reach clients.

use sea_orm::{DbErr, RuntimeErr, SqlErr};
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

fn database_error(error: &DbErr) -> Option<&(dyn sqlx::error::DatabaseError + 'static)> {
    match error {
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            e.as_database_error()
        }
        _ => None,
    }
}

fn sqlstate(error: &DbErr) -> Option<String> {
    database_error(error)
        .and_then(|e| e.code())
        .map(|c| c.into_owned())
}

fn database_message(error: &DbErr) -> Option<String> {
    database_error(error).map(|e| e.message().to_owned())
}

/// Maps a database error met while serving a request to a TMF error: constraint
/// violations are the client's conflict, lock contention is retryable, the rest is ours.
pub fn db_error(error: DbErr) -> TmfError {
    if let Some(SqlErr::UniqueConstraintViolation(_)) = error.sql_err() {
        return TmfError::conflict("a resource with this identity already exists");
    }
    if let Some(code) = sqlstate(&error) {
        // Class 22, "data exception": a client value the database cannot take (an invalid
        // regular expression, a NUL character, a date out of range).
        if code.starts_with("22") {
            return TmfError::invalid_value(format!(
                "a value is not acceptable: {}",
                database_message(&error).unwrap_or_default()
            ));
        }
        if code == "40001" || code == "40P01" {
            return TmfError::new(
                ErrorCode::Unavailable,
                "the store is busy; retry the request",
            );
        }
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

/// Like [`db_error`], for list queries: a value the database refuses came from the query
/// string, so it is a bad query (400).
pub fn query_error(error: DbErr) -> TmfError {
    let mapped = db_error(error);
    if mapped.code == ErrorCode::InvalidValue {
        TmfError::invalid_query(mapped.message)
    } else {
        mapped
    }
}
