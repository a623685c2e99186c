//! Connecting to the database: SQLite (a file, WAL journal, durable commits) by default,
//! PostgreSQL when the URL says so.

use std::str::FromStr;
use std::time::Duration;

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, SqlxPostgresConnector, SqlxSqliteConnector,
};
use sea_orm_migration::MigratorTrait;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::error::StoreError;
use crate::migration::Migrator;

/// Pool settings.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Most connections in the pool.
    pub max_connections: u32,
    /// How long to wait for a connection (and, on SQLite, for a lock) before failing.
    pub acquire_timeout: Duration,
    /// PostgreSQL schema to use instead of `public` (isolated test databases).
    pub schema: Option<String>,
    /// SQLite page cache per connection, in KiB, instead of SQLite's 2 MiB: for bulk loads,
    /// whose index inserts land on random pages.
    pub sqlite_cache_kib: Option<u32>,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(5),
            schema: None,
            sqlite_cache_kib: None,
        }
    }
}

/// The page size of a new SQLite database, in bytes.
const SQLITE_PAGE_SIZE: u32 = 16 * 1024;

/// The database behind every resource.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
    events: crate::outbox::EventSignal,
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// A write transaction ([`Store::begin`]); dereferences to the sea-orm transaction.
#[derive(Debug)]
pub struct Transaction {
    inner: sea_orm::DatabaseTransaction,
    _writer: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl std::ops::Deref for Transaction {
    type Target = sea_orm::DatabaseTransaction;

    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl Transaction {
    /// Commits.
    pub async fn commit(self) -> Result<(), sea_orm::DbErr> {
        self.inner.commit().await
    }

    /// Rolls back.
    pub async fn rollback(self) -> Result<(), sea_orm::DbErr> {
        self.inner.rollback().await
    }
}

impl Store {
    /// Connects to `url`: `sqlite://path` (created when missing) or `postgres://…`.
    pub async fn connect(url: &str, options: &PoolOptions) -> Result<Self, StoreError> {
        let db = if url.starts_with("sqlite:") {
            let mut connect = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::Config(format!("invalid SQLite URL: {e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: a commit is on disk before it is acknowledged.
                .synchronous(SqliteSynchronous::Full)
                // 16 KiB pages for a new database (an existing one keeps its own): a write's
                // log frames, and the checkpoints that copy them, are a quarter as many as
                // with SQLite's 4 KiB; a bulk import spends a third less in SQLite.
                .page_size(SQLITE_PAGE_SIZE)
                .busy_timeout(options.acquire_timeout)
                .foreign_keys(true)
                // Keep planner statistics fresh as connections close (SQLite's advice).
                .analysis_limit(Some(1000))
                .optimize_on_close(true, Some(1000))
                .with_regexp();
            if let Some(kib) = options.sqlite_cache_kib {
                connect = connect.pragma("cache_size", format!("-{kib}"));
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(options.max_connections)
                .acquire_timeout(options.acquire_timeout)
                .connect_with(connect)
                .await
                .map_err(|e| StoreError::Connect(e.to_string()))?;
            SqlxSqliteConnector::from_sqlx_sqlite_pool(pool)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let mut connect = PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::Config(format!("invalid PostgreSQL URL: {e}")))?;
            if let Some(schema) = &options.schema {
                connect = connect.options([("search_path", schema.as_str())]);
            }
            let pool = PgPoolOptions::new()
                .max_connections(options.max_connections)
                .acquire_timeout(options.acquire_timeout)
                .connect_with(connect)
                .await
                .map_err(|e| StoreError::Connect(e.to_string()))?;
            SqlxPostgresConnector::from_sqlx_postgres_pool(pool)
        } else {
            return Err(StoreError::Config(
                "the database URL must start with sqlite: or postgres:".into(),
            ));
        };
        Ok(Self {
            db,
            events: crate::outbox::EventSignal::default(),
            writer: std::sync::Arc::default(),
        })
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        Migrator::up(&self.db, None)
            .await
            .map_err(|e| StoreError::Migration(e.to_string()))
    }

    /// Refreshes the query planner's statistics so that filters on large tables choose
    /// their indexes (without them SQLite may walk a whole table for a selective search).
    /// Cheap: SQLite samples (`analysis_limit`); on PostgreSQL `VACUUM ANALYZE` samples too,
    /// and sets the visibility map that index-only scans of freshly loaded tables need.
    pub async fn analyze(&self) -> Result<(), StoreError> {
        let statement = match self.backend() {
            DbBackend::Postgres => "VACUUM ANALYZE",
            _ => "PRAGMA analysis_limit = 1000; ANALYZE",
        };
        self.db
            .execute_unprepared(statement)
            .await
            .map(|_| ())
            .map_err(|e| StoreError::Migration(format!("analyze: {e}")))
    }

    /// On SQLite, lets the planner refresh the statistics that are missing or stale (cheap;
    /// run at start-up). PostgreSQL's autovacuum keeps its own.
    pub async fn optimize(&self) -> Result<(), StoreError> {
        if self.backend() == DbBackend::Postgres {
            return Ok(());
        }
        self.db
            .execute_unprepared("PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002")
            .await
            .map(|_| ())
            .map_err(|e| StoreError::Migration(format!("optimize: {e}")))
    }

    /// The sea-orm connection.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Begins a write transaction. On SQLite, where there is one writer at a time, writers
    /// queue in this process for the write lock (held until commit or rollback) and the
    /// transaction takes the database's lock at once (`BEGIN IMMEDIATE`), rather than
    /// meeting in SQLite's busy handler, whose sleeps add tens of milliseconds under load,
    /// or failing when a transaction that read first wants to write after another commit.
    pub async fn begin(&self) -> tmf_apis::TmfResult<Transaction> {
        use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
        let sqlite = self.backend() == DbBackend::Sqlite;
        let writer = match sqlite {
            true => Some(self.writer.clone().lock_owned().await),
            false => None,
        };
        let options = TransactionOptions {
            sqlite_transaction_mode: sqlite.then_some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        let inner = self
            .db
            .begin_with_options(options)
            .await
            .map_err(crate::error::db_error)?;
        Ok(Transaction {
            inner,
            _writer: writer,
        })
    }

    /// Runs `work` as one write transaction ([`Store::begin`]): commits when it succeeds,
    /// rolls back at once when it does not, and after a commit wakes the local event
    /// dispatcher, so that what the change wrote to the outbox leaves without waiting for
    /// its next poll.
    pub async fn write<T>(
        &self,
        work: impl AsyncFnOnce(&sea_orm::DatabaseTransaction) -> tmf_apis::TmfResult<T>,
    ) -> tmf_apis::TmfResult<T> {
        let txn = self.begin().await?;
        let outcome = work(&txn).await;
        let value = crate::document::finish(txn, outcome).await?;
        self.events.notify();
        Ok(value)
    }

    /// Signalled after every commit that wrote events.
    pub fn events(&self) -> &crate::outbox::EventSignal {
        &self.events
    }

    /// Which database this is.
    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> bool {
        self.db.ping().await.is_ok()
    }

    /// Closes the pool.
    pub async fn close(self) {
        let _ = self.db.close().await;
    }
}

#[cfg(test)]
mod tidy {
    use std::path::{Path, PathBuf};

    /// Every `.rs` file below `dir`.
    fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("a source folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// All writes go through `Store::begin`/`Store::write`, so that on SQLite they queue in
    /// the process: no crate writes through the raw connection (only the store's own
    /// connection code and migrations, which run before serving, may).
    #[test]
    fn no_write_bypasses_the_store_s_write_path() {
        let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        sources(&crates, &mut files);
        let mut bypasses = Vec::new();
        for file in files {
            let text = file.to_string_lossy().replace('\\', "/");
            if text.contains("/migration/")
                || text.ends_with("crm-store/src/db.rs")
                || text.contains("/crm-bench/")
            {
                continue;
            }
            let source = std::fs::read_to_string(&file).expect("readable");
            let lines: Vec<&str> = source.lines().map(str::trim).collect();
            // A `connection` variable is the raw one where the file binds it so.
            let bound_raw = lines
                .iter()
                .any(|l| l.starts_with("let connection") && l.contains(".connection()"));
            for (i, line) in lines.iter().enumerate() {
                // A write whose receiver is the raw connection: `….connection()` or a
                // `connection` variable, on the same line or ending the one before.
                let writes = ["execute_raw(", "execute_unprepared(", ".begin()"]
                    .iter()
                    .any(|write| line.contains(write));
                let previous = if i > 0 { lines[i - 1] } else { "" };
                let receiver = previous.ends_with("connection()")
                    || line.contains("connection().")
                    || (bound_raw
                        && (previous.ends_with("connection") || line.contains("connection.")));
                if writes && receiver && !line.starts_with("//") {
                    bypasses.push(format!("{}:{}", file.display(), i + 1));
                }
            }
        }
        assert!(
            bypasses.is_empty(),
            "writes outside the store's write path: {bypasses:?}"
        );
    }
}

#[cfg(test)]
impl Store {
    /// A migrated SQLite store in a new file of the temporary directory, named from
    /// `prefix`, and that file (for tests).
    pub(crate) async fn temporary(prefix: &str) -> (Store, std::path::PathBuf) {
        let path =
            std::env::temp_dir().join(format!("{prefix}-{}.db", uuid::Uuid::now_v7().simple()));
        let store = Store::connect(
            &format!("sqlite://{}", path.display()),
            &PoolOptions::default(),
        )
        .await
        .expect("sqlite");
        store.migrate().await.expect("migrations");
        (store, path)
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, Statement};

    use super::*;

    async fn page_size(store: &Store) -> i64 {
        let row = store
            .connection()
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA page_size",
            ))
            .await
            .expect("pragma")
            .expect("a row");
        row.try_get("", "page_size").expect("page_size")
    }

    #[tokio::test]
    async fn a_new_sqlite_database_has_16_kib_pages_and_an_existing_one_keeps_its_own() {
        let dir = std::env::temp_dir().join(format!("crm-pages-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).expect("a directory");

        let new = format!("sqlite://{}", dir.join("new.db").display());
        let store = Store::connect(&new, &PoolOptions::default())
            .await
            .expect("connect");
        store.migrate().await.expect("migrations");
        assert_eq!(page_size(&store).await, i64::from(SQLITE_PAGE_SIZE));
        store.close().await;

        // A database made by an earlier release, with SQLite's 4 KiB pages: a page size is
        // only taken when the file is made, so it keeps its own and is migrated as before.
        let old = format!("sqlite://{}", dir.join("old.db").display());
        let made = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(
                SqliteConnectOptions::from_str(&old)
                    .expect("url")
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal),
            )
            .await
            .expect("made");
        sqlx::query("CREATE TABLE earlier (id TEXT PRIMARY KEY)")
            .execute(&made)
            .await
            .expect("a table");
        made.close().await;
        let store = Store::connect(&old, &PoolOptions::default())
            .await
            .expect("connect");
        store.migrate().await.expect("migrations");
        assert_eq!(page_size(&store).await, 4096);
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
