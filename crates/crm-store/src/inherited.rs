//! Keys a resource holds besides those of its own document:
//! - *inherited keys*: the keys of the target of one of its references, copied onto it (a
//!   customer is found by its engaged party's name, phone and e-mail). Each copy records
//!   where it came from (`search_key.via_id`), so that a change to the target (a rename, an
//!   erasure) rewrites the copies of every resource that refers to it (found through
//!   `entity_ref`), in the same transaction;
//! - *qualified keys*: a key prefixed by the value of an indexed attribute (`active` and
//!   `ana rosa` give `active\u{1f}ana rosa`), so that a list filtered by that attribute and
//!   searched by that key (`customer?status=active&search.name=ana`) is one range of the
//!   index, paged and counted without a probe per match.
//!
//! With both, a CSR's search of a million customers by name reads only the keys it returns
//! and counts, never a document or a reference row.

use sea_orm::{ConnectionTrait, DbBackend};
use tmf_apis::TmfResult;

use crate::document::StoredType;
use crate::error::db_error;
use crate::sql::Sql;

/// Separates an indexed attribute's value from the key it qualifies. It sorts below every
/// printable character, so the keys of one attribute value are one contiguous range.
pub const QUALIFIER: char = '\u{1f}';

/// A key type qualified by an indexed attribute's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QualifiedKey {
    /// The key type stored (`status:name`).
    pub key_type: &'static str,
    /// The key type of the indexed attribute (`status`).
    pub attribute: &'static str,
    /// The key type qualified (`name`).
    pub key: &'static str,
}

impl QualifiedKey {
    /// The stored value for the attribute value `attribute` and the key value `key`.
    pub fn value(&self, attribute: &str, key: &str) -> String {
        format!("{attribute}{QUALIFIER}{key}")
    }
}

/// Resources that hold keys besides their own document's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyHolder {
    /// Where the holding resources are stored.
    pub stored: StoredType,
    /// The reference whose target's keys they hold (`engagedParty`), and the table the
    /// target is stored in.
    pub via: (&'static str, &'static str),
    /// The key types copied from the target.
    pub inherited: &'static [&'static str],
    /// The key types also stored qualified by an indexed attribute's value.
    pub qualified: &'static [QualifiedKey],
}

/// Which holders a derivation is for.
#[derive(Debug, Clone, Copy)]
pub enum Holders<'a> {
    /// One holder, by id.
    One(&'a str),
    /// The holders whose ids are in this inclusive range (a bulk load's batch).
    Range(&'a str, &'a str),
    /// The holders whose reference points at this target.
    Of(&'a str),
    /// Every holder.
    All,
}

impl KeyHolder {
    /// Adds the inherited and qualified keys of `holders`, whose own keys (and references)
    /// are written and whose derived keys are not.
    pub async fn derive(&self, db: &impl ConnectionTrait, holders: Holders<'_>) -> TmfResult<()> {
        let backend = db.get_database_backend();
        db.execute_raw(self.copy(backend, holders).build())
            .await
            .map_err(db_error)?;
        for qualified in self.qualified {
            db.execute_raw(self.qualify(backend, qualified, holders).build())
                .await
                .map_err(db_error)?;
        }
        Ok(())
    }

    /// Rewrites the keys every holder inherits from `target`, after `target`'s own keys
    /// changed.
    pub async fn refresh(&self, db: &impl ConnectionTrait, target: &str) -> TmfResult<()> {
        let backend = db.get_database_backend();
        let mut delete = Sql::new(backend);
        delete
            .push("DELETE FROM search_key WHERE source_table = ")
            .bind(self.stored.table)
            .push(" AND via_id = ")
            .bind(target.to_owned());
        self.push_holders(&mut delete, "source_id", Holders::Of(target));
        db.execute_raw(delete.build()).await.map_err(db_error)?;
        self.derive(db, Holders::Of(target)).await
    }

    /// `INSERT … SELECT` of their targets' own keys as the holders'. A key the holder already
    /// has as its own is kept once, as its own.
    fn copy(&self, backend: DbBackend, holders: Holders<'_>) -> Sql {
        let (path, target_table) = self.via;
        let mut sql = Sql::new(backend);
        sql.push(
            "INSERT INTO search_key (source_table, source_id, source_kind, key_type, key_value, via_id) \
             SELECT r.source_table, r.source_id, ",
        )
        .bind(self.stored.kind)
        .push(
            ", k.key_type, k.key_value, k.source_id FROM entity_ref r \
             JOIN search_key k ON k.source_table = r.target_table AND k.source_id = r.target_id \
             WHERE r.source_table = ",
        )
        .bind(self.stored.table)
        .push(" AND r.path = ")
        .bind(path)
        .push(" AND r.target_table = ")
        .bind(target_table)
        .push(" AND k.via_id IS NULL AND k.key_type IN (")
        .bind_list(self.inherited.iter().copied())
        .push(")");
        match holders {
            Holders::Of(target) => {
                sql.push(" AND r.target_id = ").bind(target.to_owned());
            }
            holders => self.push_holders(&mut sql, "r.source_id", holders),
        }
        sql.push(" ON CONFLICT DO NOTHING");
        sql
    }

    /// `INSERT … SELECT` of the qualified form of the holders' keys of `qualified.key` (for
    /// [`Holders::Of`] a target, of those inherited from it only).
    fn qualify(&self, backend: DbBackend, qualified: &QualifiedKey, holders: Holders<'_>) -> Sql {
        let mut sql = Sql::new(backend);
        sql.push(
            "INSERT INTO search_key (source_table, source_id, source_kind, key_type, key_value, via_id) \
             SELECT k.source_table, k.source_id, k.source_kind, ",
        )
        .bind(qualified.key_type)
        .push(", a.key_value || ")
        .bind(QUALIFIER.to_string())
        .push(
            " || k.key_value, k.via_id FROM search_key k \
             JOIN search_key a ON a.source_table = k.source_table AND a.source_id = k.source_id \
             WHERE a.key_type = ",
        )
        .bind(qualified.attribute)
        .push(" AND k.key_type = ")
        .bind(qualified.key)
        .push(" AND k.source_table = ")
        .bind(self.stored.table);
        if let Holders::Of(target) = holders {
            sql.push(" AND k.via_id = ").bind(target.to_owned());
        }
        self.push_holders(&mut sql, "k.source_id", holders);
        sql.push(" ON CONFLICT DO NOTHING");
        sql
    }

    /// Restricts `column` (a holder's id) to `holders`. The holders of a target are found
    /// through `entity_ref` (by its target index), so the copies need no index of their own.
    fn push_holders(&self, sql: &mut Sql, column: &str, holders: Holders<'_>) {
        match holders {
            Holders::One(id) => {
                sql.push(" AND ")
                    .push(column)
                    .push(" = ")
                    .bind(id.to_owned());
            }
            Holders::Range(first, last) => {
                sql.push(" AND ")
                    .push(column)
                    .push(" >= ")
                    .bind(first.to_owned())
                    .push(" AND ")
                    .push(column)
                    .push(" <= ")
                    .bind(last.to_owned());
            }
            Holders::Of(target) => {
                let (path, target_table) = self.via;
                sql.push(" AND ")
                    .push(column)
                    .push(" IN (SELECT h.source_id FROM entity_ref h WHERE h.target_id = ")
                    .bind(target.to_owned())
                    .push(" AND h.target_table = ")
                    .bind(target_table)
                    .push(" AND h.path = ")
                    .bind(path)
                    .push(" AND h.source_table = ")
                    .bind(self.stored.table)
                    .push(")");
            }
            Holders::All => {}
        }
    }
}
