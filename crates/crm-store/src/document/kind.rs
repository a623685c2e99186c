//! What a resource kind declares: where it is stored, the references it holds, its rules,
//! and the registry of stored types references are checked against.

use super::*;

/// Where resources of one type are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StoredType {
    /// The table.
    pub table: &'static str,
    /// The value of the `kind` column (the resource's base type name).
    pub kind: &'static str,
}

/// Which `@referredType`s the store knows, and where each lives. Each application crate
/// registers its types; references are checked against this registry.
#[derive(Debug, Clone, Default)]
pub struct TypeRegistry {
    types: HashMap<&'static str, StoredType>,
    holders: Vec<KeyHolder>,
    in_table: Vec<TableReference>,
}

/// A reference that the document table of its holders indexes itself, so that
/// `entity_ref` need not hold a row for it (see [`TypeRegistry::index_in_table`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableReference {
    /// The holders.
    pub source: StoredType,
    /// The reference's attribute (`bill`): a plain dotted path, not within a list.
    pub path: &'static str,
    /// The one type it may point at (`CustomerBill`), registered by some module.
    pub target: &'static str,
}

impl TypeRegistry {
    /// Registers a type name.
    pub fn register(&mut self, type_name: &'static str, stored: StoredType) {
        self.types.insert(type_name, stored);
    }

    /// Where a type is stored.
    pub fn get(&self, type_name: &str) -> Option<StoredType> {
        self.types.get(type_name).copied()
    }

    /// Registers resources that hold keys besides their own (see [`KeyHolder`]): every
    /// write of them, and of the targets they inherit from, keeps those keys in step.
    pub fn hold_keys(&mut self, holder: KeyHolder) {
        self.holders.push(holder);
    }

    /// Says that the reference at `path` of the resources stored as `source` (which may
    /// point at `target` only) is indexed by their own table: the module's schema declares
    /// an attribute index on `path.id`. Writes then keep no `entity_ref` row for it, and
    /// the reference index every reverse look-up reads (the view `reference_index`) takes
    /// it from that table ([`Store::define_reference_index`]). For references that are
    /// written by the million (the bill lines of a monthly bill run).
    ///
    /// [`Store::define_reference_index`]: crate::Store::define_reference_index
    pub fn index_in_table(&mut self, source: StoredType, path: &'static str, target: &'static str) {
        let declared = TableReference {
            source,
            path,
            target,
        };
        if !self.in_table.contains(&declared) {
            self.in_table.push(declared);
        }
    }

    /// The references indexed by their holders' tables.
    pub fn table_references(&self) -> &[TableReference] {
        &self.in_table
    }

    /// Whether the reference at `path` of `source`, resolved to a resource stored in
    /// `target_table`, is indexed by `source`'s own table.
    pub(crate) fn indexed_in_table(
        &self,
        source: StoredType,
        path: &str,
        target_table: &str,
    ) -> bool {
        self.in_table.iter().any(|declared| {
            declared.source == source
                && declared.path == path
                && self
                    .get(declared.target)
                    .is_some_and(|target| target.table == target_table)
        })
    }

    /// The key holder stored as `stored`, if it is one.
    pub(crate) fn holder(&self, stored: StoredType) -> Option<&KeyHolder> {
        self.holders.iter().find(|holder| holder.stored == stored)
    }

    /// The key holders that inherit keys from resources in `table`.
    pub(super) fn inheriting_from(&self, table: &str) -> impl Iterator<Item = &KeyHolder> {
        self.holders
            .iter()
            .filter(move |holder| holder.via.1 == table)
    }
}

/// A reference held by a resource, to be checked and indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Where in the resource it is (`engagedParty`, `relatedParty[2]`).
    pub path: String,
    /// The referenced id.
    pub id: String,
    /// The `@referredType` the client gave, if any.
    pub referred_type: Option<String>,
    /// The types this reference may point at.
    pub allowed: &'static [&'static str],
}

impl Reference {
    /// The references of a resource's `relatedParty` list (`relatedParty[i]`), each allowed
    /// to name one of `allowed`.
    pub fn related_parties<'a>(
        parties: Option<&'a [sid_model::RelatedParty]>,
        allowed: &'static [&'static str],
    ) -> impl Iterator<Item = Reference> + 'a {
        parties
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(move |(i, party)| Reference {
                path: format!("relatedParty[{i}]"),
                id: party.id.clone(),
                referred_type: party.referred_type.clone(),
                allowed,
            })
    }
}

/// One kind of TMF resource stored as a document.
pub trait ResourceKind: Send + Sync + 'static {
    /// The typed representation; deserialising into it is the edge validation.
    type Model: Serialize + DeserializeOwned + Validate + Send + Sync;

    /// Routing and catalogue information.
    fn descriptor(&self) -> &ResourceDescriptor;

    /// Where documents of this kind live.
    fn stored_type(&self) -> StoredType;

    /// The references the model holds.
    fn references(&self, _model: &Self::Model) -> Vec<Reference> {
        Vec::new()
    }

    /// What privacy erasure keeps and erases of this kind beyond the shared rule (see
    /// [`erase_document`]); `None`: the kind holds no personal data of its own, and erasure
    /// only masks the names its references copy from their targets.
    fn erasure(&self) -> Option<Erasure> {
        None
    }

    /// The search index keys of the model (`("name", "ada")`, `("phone", "+44...")`),
    /// answered by `search.*` filter attributes.
    fn search_keys(&self, _model: &Self::Model) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    /// Top-level attributes whose values are kept in the search index too, as
    /// `(attribute, key type)`: an equality filter on them (`customer?status=active`) is then
    /// answered from the index, alone or narrowing a search, instead of from each document.
    /// For low-cardinality attributes that lists are commonly filtered by (a status).
    fn indexed_attributes(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }

    /// Every index key of a resource: its search keys and its indexed attributes' values
    /// (taken from `document`, the model's normalised representation).
    fn index_keys(&self, model: &Self::Model, document: &Json) -> Vec<(&'static str, String)> {
        let mut keys = self.search_keys(model);
        for (attribute, key) in self.indexed_attributes() {
            if let Some(Json::String(value)) = document.get(*attribute) {
                keys.push((*key, value.clone()));
            }
        }
        keys
    }

    /// Brings a search value into the form of the keys (folding case and accents, E.164),
    /// or says why it cannot be searched for.
    fn normalise_search(&self, _key: &str, value: &str) -> TmfResult<String> {
        Ok(value.to_owned())
    }

    /// The business events a change from `previous` (`None` on create) to `current` gives
    /// rise to, besides the generic ones (a ticket's `Resolved`); each must be listed in the
    /// descriptor's `domain_events`.
    fn domain_events(
        &self,
        _previous: Option<&Self::Model>,
        _current: &Self::Model,
    ) -> Vec<EventKind> {
        Vec::new()
    }

    /// Whether a reference that names no `name` gets its target's (TMF666 requires the name
    /// of an account's related party).
    fn completes_reference_names(&self) -> bool {
        false
    }

    /// Rules of this kind beyond the model's own validation, applied to every create
    /// (`previous` is `None`) and patch before anything is written: a lifecycle, defaults,
    /// values taken from the acting identity. May adjust the model.
    fn prepare(
        &self,
        _ctx: &RequestContext,
        _previous: Option<&Self::Model>,
        _model: &mut Self::Model,
    ) -> TmfResult<()> {
        Ok(())
    }
}
