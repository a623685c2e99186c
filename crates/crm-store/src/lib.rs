//! Persistence for every application crate: the connection to SQLite (the embedded
//! default) or PostgreSQL, the schema migrations, and the generic document service that
//! stores TMF resources, checks and indexes their references, and runs TMF list queries
//! as SQL.
//!
//! Depends on `tmf-apis` (the query model and the service contract) and `sid-model`
//! (validation helpers); never on an application crate or on HTTP routing.

pub mod bulk;
pub mod clock;
mod db;
pub mod deadlines;
mod document;
mod error;
mod history;
pub mod idempotency;
pub mod inherited;
mod keyset;
mod migration;
pub mod outbox;
mod reference_index;
pub mod relations;
mod ruled;
pub mod sql;

pub use clock::{Clock, ShiftedClock, SystemClock};
pub use db::{PoolOptions, Store, Transaction};
pub use document::{
    Admitted, DocumentService, DocumentWriter, ERASED, Erasable, Erasure, Pending, Prepared,
    Reference, ResourceKind, StoredType, TableReference, TypeRegistry, attempt, erase_document,
    finish, json_text, new_id, refuse_server_assigned,
};
pub use error::{StoreError, db_error, lifecycle_error};
pub use history::{Action, changes, read_many as history_of};
pub use migration::Migrator;
pub use migration::module::{SchemaChange, SchemaStep};
/// The connection vocabulary other crates use to run the store's statements (the event
/// dispatcher's leased claims, the hub's registrations): sea-orm itself is this crate's
/// dependency alone.
pub use ruled::{DomainRules, NaturalKey, Notes, RuledService};
pub use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, QueryResult, Statement};
