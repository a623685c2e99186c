//! Storage failures, and how they reach clients.

use sea_orm::{DbErr, RuntimeErr, SqlErr};
use sid_model::lifecycle::{Lifecycle, LifecycleError};
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

/// The one place a refused lifecycle step becomes a client error: a move the state machine
/// does not allow is a 409 conflict with the resource's state, a state a resource cannot be
/// created in a 422; the message names the states and those allowed
/// ([`LifecycleError`]'s words). Here rather than in `tmf-apis`, which does not know the SID
/// model.
pub fn lifecycle_error<S: Lifecycle>(error: LifecycleError<S>) -> TmfError {
    match error {
        LifecycleError::Move { .. } => TmfError::conflict(error.to_string()),
        LifecycleError::Create { .. } => TmfError::invalid_value(error.to_string()),
    }
}

fn sqlx_error(error: &DbErr) -> Option<&sqlx::Error> {
    match error {
        DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e))
        | DbErr::Conn(RuntimeErr::SqlxError(e)) => Some(e),
        _ => None,
    }
}

fn database_error(error: &DbErr) -> Option<&(dyn sqlx::error::DatabaseError + 'static)> {
    sqlx_error(error).and_then(|e| e.as_database_error())
}

fn sqlstate(error: &DbErr) -> Option<String> {
    database_error(error)
        .and_then(|e| e.code())
        .map(|c| c.into_owned())
}

/// Why a database error is worth retrying, when it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transient {
    /// Lock contention or a serialization failure: the request lost a race.
    Busy,
    /// The database cannot be reached, or dropped the connection: refused or lost
    /// connections, a pool with no connection to give in time or closed, a server shutting
    /// down, restarting or failing over.
    Unavailable,
}

/// Whether `error` is transient, and how: connection failures and contention are, what the
/// request itself did wrong (or a bug) is not. A write that failed with
/// [`Transient::Unavailable`] may nonetheless have committed (the connection can drop between
/// the commit and its acknowledgement).
pub(crate) fn transient(error: &DbErr) -> Option<Transient> {
    match error {
        // sea-orm's own names for sqlx's `PoolTimedOut` and `PoolClosed`.
        DbErr::ConnectionAcquire(_) => return Some(Transient::Unavailable),
        DbErr::Conn(RuntimeErr::Internal(_)) => return Some(Transient::Unavailable),
        _ => {}
    }
    if let Some(error) = sqlx_error(error) {
        match error {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => return Some(Transient::Unavailable),
            sqlx::Error::Database(database) => {
                if let Some(transient) = database_code_transient(database.as_ref()) {
                    return Some(transient);
                }
            }
            _ => {}
        }
    }
    if matches!(error, DbErr::Conn(_)) {
        return Some(Transient::Unavailable);
    }
    // What the drivers report only in words.
    let text = error.to_string();
    let busy = [
        "database is locked",
        "database table is locked",
        "SQLITE_BUSY",
        "could not serialize access",
        "deadlock detected",
    ];
    if busy.iter().any(|needle| text.contains(needle)) {
        return Some(Transient::Busy);
    }
    if text.contains("pool timed out") {
        return Some(Transient::Unavailable);
    }
    None
}

/// The transient SQLite result codes and PostgreSQL SQLSTATEs.
fn database_code_transient(error: &dyn sqlx::error::DatabaseError) -> Option<Transient> {
    let code = error.code()?;
    if error
        .try_downcast_ref::<sqlx::sqlite::SqliteError>()
        .is_some()
    {
        // Extended result codes: the primary code is the low byte.
        let primary = code.parse::<i32>().ok()? & 0xff;
        return match primary {
            // SQLITE_BUSY, SQLITE_LOCKED.
            5 | 6 => Some(Transient::Busy),
            // SQLITE_IOERR, SQLITE_CANTOPEN: the file cannot be read or opened (a full or
            // failing disk, a lost network mount); the store is unavailable, not the request
            // wrong.
            10 | 14 => Some(Transient::Unavailable),
            _ => None,
        };
    }
    match code.as_ref() {
        // serialization_failure, deadlock_detected.
        "40001" | "40P01" => Some(Transient::Busy),
        // admin_shutdown, crash_shutdown, cannot_connect_now (a restart or a failover),
        // too_many_connections, and read_only_sql_transaction (a write reaching a server
        // that is, after a failover, a standby).
        "57P01" | "57P02" | "57P03" | "53300" | "25006" => Some(Transient::Unavailable),
        // Class 08, connection exception.
        code if code.starts_with("08") => Some(Transient::Unavailable),
        _ => None,
    }
}

/// Maps a database error met while serving a request to a TMF error: constraint
/// violations are the client's conflict, bad values its mistake (422), lock contention and
/// lost, refused or timed-out connections are retryable (503, with `Retry-After`), the rest is
/// ours (500).
pub fn db_error(error: DbErr) -> TmfError {
    if let Some(SqlErr::UniqueConstraintViolation(_)) = error.sql_err() {
        return TmfError::conflict("a resource with this identity already exists");
    }
    match transient(&error) {
        Some(Transient::Busy) => {
            tracing::warn!(error = %error, "storage contention");
            return TmfError::new(
                ErrorCode::Unavailable,
                "the store is busy; retry the request",
            );
        }
        Some(Transient::Unavailable) => {
            tracing::warn!(error = %error, "database unavailable");
            return TmfError::new(
                ErrorCode::Unavailable,
                "the database is unavailable; retry the request",
            );
        }
        None => {}
    }
    // Class 22, "data exception": a client value the database cannot take (an invalid
    // regular expression, a NUL character, a date out of range).
    let is_postgres = database_error(&error)
        .is_some_and(|e| e.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_none());
    if is_postgres && let Some(code) = sqlstate(&error).filter(|code| code.starts_with("22")) {
        // The database's own text stays in the log: it may quote stored values.
        tracing::debug!(error = %error, "a value the database refused");
        return TmfError::invalid_value(format!(
            "a value is not acceptable to the database: {} (SQLSTATE {code})",
            data_exception(&code)
        ));
    }
    TmfError::internal(error)
}

/// What a class-22 data exception means, in our words (never the database's text).
fn data_exception(code: &str) -> &'static str {
    match code {
        "22P05" | "22021" => "a text holds a character the database cannot store (such as U+0000)",
        "2201B" => "a regular expression the database cannot read",
        "22007" | "22008" => "a date or time out of the range the database holds",
        "22003" => "a number out of the range the database holds",
        "22P02" => "a value that is not of the attribute's type",
        "22001" => "a text longer than the database holds",
        _ => "a value of the wrong form",
    }
}

/// Like [`db_error`], for list queries: a value the database refuses came from the query
/// string, so it is a bad query (400).
pub(crate) fn query_error(error: DbErr) -> TmfError {
    let mapped = db_error(error);
    if mapped.code == ErrorCode::InvalidValue {
        TmfError::invalid_query(mapped.message)
    } else {
        mapped
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::sync::Arc;

    use sea_orm::{ConnAcquireErr, DbErr, RuntimeErr};
    use tmf_apis::ErrorCode;

    use super::{Transient, db_error, transient};

    /// A database error with a given SQLSTATE, as PostgreSQL sends them.
    #[derive(Debug)]
    struct Sqlstate(&'static str);

    impl std::fmt::Display for Sqlstate {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "SQLSTATE {}", self.0)
        }
    }

    impl std::error::Error for Sqlstate {}

    impl sqlx::error::DatabaseError for Sqlstate {
        fn message(&self) -> &str {
            "a database error"
        }

        fn code(&self) -> Option<Cow<'_, str>> {
            Some(Cow::Borrowed(self.0))
        }

        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }

        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }

        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }

        fn kind(&self) -> sqlx::error::ErrorKind {
            sqlx::error::ErrorKind::Other
        }
    }

    fn query(error: sqlx::Error) -> DbErr {
        DbErr::Query(RuntimeErr::SqlxError(Arc::new(error)))
    }

    fn exec(error: sqlx::Error) -> DbErr {
        DbErr::Exec(RuntimeErr::SqlxError(Arc::new(error)))
    }

    fn pg(code: &'static str) -> DbErr {
        query(sqlx::Error::Database(Box::new(Sqlstate(code))))
    }

    fn io(kind: std::io::ErrorKind) -> sqlx::Error {
        sqlx::Error::Io(std::io::Error::from(kind))
    }

    #[test]
    fn lost_refused_and_timed_out_connections_are_503() {
        use std::io::ErrorKind::{BrokenPipe, ConnectionRefused, ConnectionReset, UnexpectedEof};
        let outages = [
            DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
            DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
            DbErr::Conn(RuntimeErr::Internal("connection lost".into())),
            DbErr::Conn(RuntimeErr::SqlxError(Arc::new(io(ConnectionRefused)))),
            query(io(ConnectionReset)),
            exec(io(BrokenPipe)),
            query(io(UnexpectedEof)),
            query(sqlx::Error::PoolTimedOut),
            exec(sqlx::Error::PoolClosed),
            query(sqlx::Error::WorkerCrashed),
            query(sqlx::Error::Tls("handshake failed".into())),
            // Connection exceptions (class 08), shutdowns, a restarting server, full
            // connection slots, a write on a server demoted by a failover.
            pg("08000"),
            pg("08001"),
            pg("08003"),
            pg("08006"),
            pg("08P01"),
            pg("57P01"),
            pg("57P02"),
            pg("57P03"),
            pg("53300"),
            pg("25006"),
        ];
        for error in outages {
            let text = error.to_string();
            assert_eq!(transient(&error), Some(Transient::Unavailable), "{text}");
            let mapped = db_error(error);
            assert_eq!(mapped.code, ErrorCode::Unavailable, "{text}");
            assert_eq!(mapped.status().as_u16(), 503, "{text}");
        }
    }

    #[test]
    fn contention_is_503_busy() {
        for error in [
            pg("40001"),
            pg("40P01"),
            DbErr::Custom("(code: 5) database is locked".into()),
        ] {
            let text = error.to_string();
            assert_eq!(transient(&error), Some(Transient::Busy), "{text}");
            assert_eq!(db_error(error).status().as_u16(), 503, "{text}");
        }
    }

    #[test]
    fn client_mistakes_and_bugs_are_not_retryable() {
        let invalid = db_error(pg("22P02"));
        assert_eq!(invalid.code, ErrorCode::InvalidValue);
        assert!(
            invalid.message.contains("22P02") && !invalid.message.contains("a database error"),
            "our words, not the database's: {}",
            invalid.message
        );
        for error in [
            pg("42P01"),
            pg("23503"),
            query(sqlx::Error::RowNotFound),
            query(sqlx::Error::Protocol("unexpected message".into())),
            DbErr::RecordNotFound("x".into()),
            DbErr::Custom("something else".into()),
        ] {
            let text = error.to_string();
            assert_eq!(transient(&error), None, "{text}");
            assert_eq!(db_error(error).status().as_u16(), 500, "{text}");
        }
    }

    #[tokio::test]
    async fn an_sqlite_file_that_cannot_be_opened_is_503() {
        use sqlx::ConnectOptions;
        let missing = std::env::temp_dir()
            .join(format!("crm-missing-{}", uuid::Uuid::now_v7().simple()))
            .join("crm.db");
        let error = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&missing)
            .connect()
            .await
            .expect_err("the directory does not exist");
        assert!(error.as_database_error().is_some(), "{error}");
        let error = query(error);
        assert_eq!(transient(&error), Some(Transient::Unavailable), "{error}");
        assert_eq!(db_error(error).status().as_u16(), 503);
    }
}

#[cfg(test)]
mod lifecycle_tests {
    use sid_model::{CustomerStatus, check_create, check_move};

    use super::lifecycle_error;

    #[test]
    fn a_refused_move_is_a_409_and_a_refused_start_a_422_naming_the_states() {
        let refused = check_move(CustomerStatus::Closed, CustomerStatus::Active)
            .map_err(lifecycle_error)
            .expect_err("closed is final");
        assert_eq!(refused.status().as_u16(), 409);
        assert_eq!(
            refused.message,
            "Customer cannot go from 'closed' to 'active'; allowed next states: none (the state is final)"
        );
        let refused = check_move(CustomerStatus::Validated, CustomerStatus::Inactive)
            .map_err(|e| lifecycle_error(e.of("Customer '7'")))
            .expect_err("not a step");
        assert_eq!(
            refused.message,
            "Customer '7' cannot go from 'validated' to 'inactive'; allowed next states: active, closed"
        );
        let refused = check_create(CustomerStatus::Closed)
            .map_err(lifecycle_error)
            .expect_err("not a start");
        assert_eq!(refused.status().as_u16(), 422);
        assert_eq!(
            refused.message,
            "'status': a Customer cannot be created 'closed'; it starts in one of initialized, validated, active"
        );
    }
}
