//! Search keys and indexed attributes: the keys a write stores, and list queries brought to
//! the form of the keys.

use super::*;

impl<K: ResourceKind> DocumentService<K> {
    /// The query with search values in the form of the index keys, and equality filters on
    /// indexed attributes turned into searches of their keys.
    pub(super) fn normalise_search(&self, query: &ListQuery) -> TmfResult<ListQuery> {
        let mut query = query.clone();
        for clause in &mut query.filter {
            if let tmf_apis::FieldType::Search { key, .. } = clause.path.field_type {
                for value in &mut clause.values {
                    if let tmf_apis::FilterValue::Text(text) = value {
                        *text = self.kind.normalise_search(key, text)?;
                    }
                }
            } else if let Some(key) = self.attribute_key(clause) {
                clause.path.field_type = tmf_apis::FieldType::Search { key, prefix: false };
            }
        }
        self.qualify(&mut query);
        Ok(query)
    }

    /// Merges an equality on an indexed attribute into a search of a key qualified by it
    /// (`status=active&search.name=ana` becomes a search of `status:name` keys starting
    /// `active\u{1f}ana`), so that the pair is one range of the index.
    pub(super) fn qualify(&self, query: &mut ListQuery) {
        use tmf_apis::{FieldType, FilterValue, Op};
        let Some(holder) = self.registry.holder(self.kind.stored_type()) else {
            return;
        };
        let searching = |clause: &tmf_apis::Clause, wanted: &str| {
            clause.op == Op::Eq
                && matches!(clause.path.field_type, FieldType::Search { key, .. } if key == wanted)
        };
        for qualified in holder.qualified {
            let attribute = query.filter.iter().position(|clause| {
                searching(clause, qualified.attribute)
                    && matches!(clause.values.as_slice(), [FilterValue::Text(_)])
            });
            let searched = query
                .filter
                .iter()
                .position(|clause| searching(clause, qualified.key));
            let (Some(attribute), Some(searched)) = (attribute, searched) else {
                continue;
            };
            let [FilterValue::Text(value)] = query.filter[attribute].values.as_slice() else {
                continue;
            };
            let value = value.clone();
            let clause = &mut query.filter[searched];
            for searched_value in &mut clause.values {
                if let FilterValue::Text(text) = searched_value {
                    *text = qualified.value(&value, text);
                }
            }
            if let FieldType::Search { key, .. } = &mut clause.path.field_type {
                *key = qualified.key_type;
            }
            query.filter.remove(attribute);
        }
    }

    /// The index key type answering `clause`, when it is an equality on an indexed attribute.
    pub(super) fn attribute_key(&self, clause: &tmf_apis::Clause) -> Option<&'static str> {
        let [segment] = clause.path.segments.as_slice() else {
            return None;
        };
        let texts = clause
            .values
            .iter()
            .all(|value| matches!(value, tmf_apis::FilterValue::Text(_)));
        if segment.is_array || clause.op != tmf_apis::Op::Eq || !texts {
            return None;
        }
        self.kind
            .indexed_attributes()
            .iter()
            .find(|(attribute, _)| *attribute == segment.name)
            .map(|(_, key)| *key)
    }

    /// The key types of the indexed attributes, which never lead a search.
    pub(super) fn attribute_keys(&self) -> Vec<&'static str> {
        self.kind
            .indexed_attributes()
            .iter()
            .map(|(_, key)| *key)
            .collect()
    }

    /// Replaces the search keys of `id` (`fresh`: it has none yet) with `keys`, in one
    /// statement, then those it holds besides its own ([`KeyHolder`]) and those other
    /// resources inherit from it.
    pub(super) async fn write_search_keys(
        &self,
        txn: &DatabaseTransaction,
        (id, fresh): (&str, bool),
        keys: &[(&'static str, String)],
    ) -> TmfResult<()> {
        let stored = self.kind.stored_type();
        if !fresh {
            let mut delete = Sql::new(self.backend());
            delete
                .push("DELETE FROM search_key WHERE source_table = ")
                .bind(stored.table)
                .push(" AND source_id = ")
                .bind(id.to_owned());
            txn.execute_raw(delete.build()).await.map_err(db_error)?;
        }
        self.write_own_keys(txn, id, keys).await?;
        if let Some(holder) = self.registry.holder(stored) {
            holder.derive(txn, Holders::One(id)).await?;
        }
        if !fresh {
            for holder in self.registry.inheriting_from(stored.table) {
                holder.refresh(txn, id).await?;
            }
        }
        Ok(())
    }

    /// Inserts `keys` as the own keys of `id`, in one statement.
    pub(super) async fn write_own_keys(
        &self,
        txn: &DatabaseTransaction,
        id: &str,
        keys: &[(&'static str, String)],
    ) -> TmfResult<()> {
        let stored = self.kind.stored_type();
        let mut unique: Vec<&(&'static str, String)> = keys.iter().collect();
        unique.sort();
        unique.dedup();
        if unique.is_empty() {
            return Ok(());
        }
        let mut insert = Sql::new(self.backend());
        insert.push(
            "INSERT INTO search_key (source_table, source_id, source_kind, key_type, key_value) VALUES ",
        );
        for (i, (key_type, key_value)) in unique.into_iter().enumerate() {
            insert
                .push(if i == 0 { "(" } else { ", (" })
                .bind(stored.table)
                .push(", ")
                .bind(id.to_owned())
                .push(", ")
                .bind(stored.kind)
                .push(", ")
                .bind(*key_type)
                .push(", ")
                .bind(key_value.clone())
                .push(")");
        }
        txn.execute_raw(insert.build()).await.map_err(db_error)?;
        Ok(())
    }
}
