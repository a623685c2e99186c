//! The generic document service: every TMF resource is stored as its JSON representation
//! in a table of its own, with the references it holds indexed in `entity_ref`.
//!
//! A resource kind declares its typed model, its table, the references it holds and any
//! rule of its own; this module does the rest the same way for all of them: typed
//! validation at the edge, reference checks and writes in one transaction, filtered and
//! paged lists in the database, optimistic patching, delete refusal while referenced.

use std::collections::{HashMap, HashSet};
use std::marker::PhantomData;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, Value};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use tmf_apis::body::from_value;
use tmf_apis::{
    EventKind, IfMatch, ListQuery, Page, PatchDocument, RequestContext, ResourceDescriptor,
    ResourceService, TmfError, TmfResult, Versioned,
};
use validator::Validate;

use crate::Store;
use crate::error::{db_error, query_error};
use crate::history::{self, Action, Record};
use crate::inherited::{Holders, KeyHolder};
use crate::keyset;
use crate::outbox;
use crate::sql::{LedSearch, Sql, push_count, push_order_and_page, push_where};

/// Where resources of one type are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

    /// The key holder stored as `stored`, if it is one.
    fn holder(&self, stored: StoredType) -> Option<&KeyHolder> {
        self.holders.iter().find(|holder| holder.stored == stored)
    }

    /// The key holders that inherit keys from resources in `table`.
    fn inheriting_from(&self, table: &str) -> impl Iterator<Item = &KeyHolder> {
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

/// What privacy erasure does with a kind beyond the rule every kind shares
/// ([`erase_document`]): the rule keeps ids, references, states, dates and amounts and erases
/// everything else; a kind names the few further values it keeps because they are not
/// personal, and the few it erases although the rule would keep them.
///
/// An entry names an attribute wherever it appears (`relationshipType`), or qualified by the
/// attributes that hold it (`productCharacteristic.name`: the name of each product
/// characteristic, not of the product), list levels not counted.
#[derive(Debug, Clone, Copy, Default)]
pub struct Erasure {
    /// Text values kept as they are, although the rule would erase them: classifications
    /// that say nothing about a person (a direction, a severity, a price type, the name of a
    /// characteristic). Only a text, number or boolean value is kept this way: an object or
    /// list under an entry is erased by the rule like any other.
    pub keep: &'static [&'static str],
    /// Attributes removed whatever they hold, although the rule would keep some of it (an
    /// individual's birth date: a date, but a personal one).
    pub erase: &'static [&'static str],
}

/// The `target_table` of a reference, in the reference index, to something this product does
/// not store (its `target_id` is the id as given).
pub const EXTERNAL: &str = "external";

/// The value that replaces an erased personal string.
pub const ERASED: &str = "[erased]";

/// Attributes erasure keeps wherever they appear, whatever they hold: what identifies and
/// types a resource, or a reference and what it points at.
const IDENTITY: [&str; 6] = [
    "id",
    "href",
    "@type",
    "@baseType",
    "@schemaLocation",
    "@referredType",
];

/// Attributes whose text erasure keeps wherever they appear: lifecycle states.
const STATES: [&str; 3] = ["status", "state", "lifecycleStatus"];

/// Whether a text is a date or a date-time (RFC 3339, or an ISO 8601 calendar date).
fn is_date(text: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(text).is_ok()
        || chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
}

/// Whether an object is a reference: an `id` with a `@referredType` or an `href`.
fn is_reference(map: &serde_json::Map<String, Json>) -> bool {
    map.get("id").is_some_and(Json::is_string)
        && (map.contains_key("@referredType") || map.contains_key("href"))
}

/// Whether one of `entries` names the attribute at `path` (the attribute names from the
/// document down to it, list levels not counted): see [`Erasure`].
fn named(entries: &[&str], path: &[&str]) -> bool {
    entries.iter().any(|entry| {
        let mut at = path.iter().rev();
        entry.rsplit('.').all(|name| at.next() == Some(&name))
    })
}

/// What the erasure rule found in a value.
#[derive(Debug, Clone, Copy, Default)]
struct Found {
    /// Something in it is erased.
    erased: bool,
    /// It holds something kept for its own sake: a reference, a state, an amount, a value the
    /// kind keeps. Ids, dates, booleans and types are kept too, but only describe what holds
    /// them: a note's id and date say nothing once its text is gone, and go with it.
    kept: bool,
}

impl Found {
    const ERASED: Self = Self {
        erased: true,
        kept: false,
    };
    const KEPT: Self = Self {
        erased: false,
        kept: true,
    };

    fn add(&mut self, other: Self) {
        self.erased |= other.erased;
        self.kept |= other.kept;
    }
}

/// The erasure rule at work on one document.
struct Rule<'e, 'd> {
    erasure: &'e Erasure,
    /// The attribute names down to the value looked at (list levels not counted).
    path: Vec<&'d str>,
    /// The JSON pointer of the value looked at.
    pointer: String,
    /// The JSON pointers of what may be removed (erased text; objects and lists that hold
    /// nothing kept once erased), each after what it holds and after its earlier siblings.
    removable: Vec<String>,
}

impl<'d> Rule<'_, 'd> {
    /// `value` with every erased text masked.
    fn value(&mut self, value: &'d Json) -> (Json, Found) {
        let (out, found) = match value {
            Json::String(text) => {
                let state = self.path.last().is_some_and(|name| STATES.contains(name));
                if state || named(self.erasure.keep, &self.path) {
                    return (value.clone(), Found::KEPT);
                }
                if is_date(text) {
                    return (value.clone(), Found::default());
                }
                self.removable.push(self.pointer.clone());
                return (Json::String(ERASED.into()), Found::ERASED);
            }
            Json::Number(_) => return (value.clone(), Found::KEPT),
            Json::Bool(_) | Json::Null => return (value.clone(), Found::default()),
            Json::Array(items) => {
                let mut found = Found::default();
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let length = self.pointer.len();
                    self.pointer.push_str(&format!("/{i}"));
                    let (erased, inner) = self.value(item);
                    self.pointer.truncate(length);
                    out.push(erased);
                    found.add(inner);
                }
                (Json::Array(out), found)
            }
            Json::Object(map) => self.object(map),
        };
        if found.erased && !found.kept && !self.pointer.is_empty() {
            self.removable.push(self.pointer.clone());
        }
        (out, found)
    }

    fn object(&mut self, map: &'d serde_json::Map<String, Json>) -> (Json, Found) {
        let reference = is_reference(map);
        let mut found = Found {
            erased: false,
            kept: reference,
        };
        let mut out = serde_json::Map::new();
        for (key, value) in map {
            self.path.push(key);
            let length = self.pointer.len();
            self.pointer.push('/');
            self.pointer
                .push_str(&key.replace('~', "~0").replace('/', "~1"));
            let (erased, inner) = self.attribute(map, key, value, reference);
            self.pointer.truncate(length);
            self.path.pop();
            if let Some(erased) = erased {
                out.insert(key.clone(), erased);
            }
            found.add(inner);
        }
        (Json::Object(out), found)
    }

    /// One attribute of `object`; `None` when it goes, whatever it holds.
    fn attribute(
        &mut self,
        object: &serde_json::Map<String, Json>,
        key: &str,
        value: &'d Json,
        reference: bool,
    ) -> (Option<Json>, Found) {
        if named(self.erasure.erase, &self.path) {
            return (None, Found::ERASED);
        }
        if IDENTITY.contains(&key) {
            return (Some(value.clone()), Found::default());
        }
        let beside_amount = |amount: &str| object.get(amount).is_some_and(Json::is_number);
        let kept = match key {
            // A reference's role, and a Money's currency or a Quantity's units.
            "role" => reference,
            "unit" => beside_amount("value"),
            "units" => beside_amount("amount"),
            _ => false,
        };
        if kept && value.is_string() {
            return (Some(value.clone()), Found::KEPT);
        }
        if reference && key == "name" && value.is_string() && !named(self.erasure.keep, &self.path)
        {
            let erased = Found {
                erased: value != ERASED,
                kept: false,
            };
            return (Some(Json::String(ERASED.into())), erased);
        }
        let (out, found) = self.value(value);
        (Some(out), found)
    }
}

/// Removes the value at a JSON pointer; whether there was one.
fn remove_at(document: &mut Json, pointer: &str) -> bool {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return false;
    };
    let last = last.replace("~1", "/").replace("~0", "~");
    match document.pointer_mut(parent) {
        Some(Json::Object(map)) => map.remove(&last).is_some(),
        Some(Json::Array(items)) => match last.parse::<usize>() {
            Ok(i) if i < items.len() => {
                items.remove(i);
                true
            }
            _ => false,
        },
        _ => false,
    }
}

/// Masks the `name` of every reference inside a resource (a copy of its target's name):
/// all that erasure changes in a kind that holds no personal data of its own, such as an
/// organization that refers to the person erased.
fn mask_reference_names(value: &mut Json) {
    fn walk(value: &mut Json, top: bool) {
        match value {
            Json::Object(map) => {
                if !top
                    && is_reference(map)
                    && let Some(name) = map.get_mut("name")
                    && name.is_string()
                {
                    *name = Json::String(ERASED.into());
                }
                for inner in map.values_mut() {
                    walk(inner, false);
                }
            }
            Json::Array(items) => {
                for item in items {
                    walk(item, false);
                }
            }
            _ => {}
        }
    }
    walk(value, true);
}

/// Erases a document by the rule every kind shares, with the kind's own `erasure`:
///
/// - kept: `id`, `href` and the `@` meta-attributes; states (`status`, `state`,
///   `lifecycleStatus`); dates; numbers (amounts) with the currency or units beside them;
///   booleans; a reference's (an object with an `id` and a `@referredType` or `href`) `role`,
///   its `name` masked as [`ERASED`]; the values the kind keeps ([`Erasure::keep`]);
/// - erased: every other text, at any depth, extension attributes included, and what the
///   kind erases ([`Erasure::erase`]). An object or list that holds nothing kept for its own
///   sake once its text is erased (a note, a contact medium) goes as a whole.
///
/// What is erased is removed where `valid` (the kind's typed model) accepts the document
/// without it, and masked as [`ERASED`] where it does not (a required name or description).
/// Returns the erased document and the top-level attributes it changed.
pub fn erase_document(
    document: &Json,
    erasure: &Erasure,
    valid: impl Fn(&Json) -> bool,
) -> (Json, Vec<String>) {
    let mut rule = Rule {
        erasure,
        path: Vec::new(),
        pointer: String::new(),
        removable: Vec::new(),
    };
    let (mut erased, _) = rule.value(document);
    // Parents before what they hold, later siblings before earlier ones: no removal moves
    // what is still to be tried. While the document is not valid, what is erased goes.
    let mut is_valid = valid(&erased);
    let mut removed: Vec<&str> = Vec::new();
    for pointer in rule.removable.iter().rev() {
        let inside_removed = removed.iter().any(|parent| {
            pointer
                .strip_prefix(parent)
                .is_some_and(|rest| rest.starts_with('/'))
        });
        if inside_removed {
            continue;
        }
        let mut candidate = erased.clone();
        if !remove_at(&mut candidate, pointer) {
            continue;
        }
        let candidate_valid = valid(&candidate);
        if candidate_valid || !is_valid {
            erased = candidate;
            is_valid = candidate_valid;
            removed.push(pointer);
        }
    }
    let touched = history::changes(Some(document), Some(&erased))
        .into_iter()
        .filter_map(|change| change["attribute"].as_str().map(str::to_owned))
        .collect();
    (erased, touched)
}

/// An attribute's recorded value (in the history) as erasure leaves it: the rule applied as
/// in [`erase_document`], or only reference names masked for a kind without an erasure; a
/// value erased as a whole becomes [`ERASED`].
pub(crate) fn erase_attribute(attribute: &str, value: &Json, erasure: Option<&Erasure>) -> Json {
    if value.is_null() {
        return Json::Null;
    }
    let mut document = serde_json::json!({ attribute: value });
    match erasure {
        Some(erasure) => document = erase_document(&document, erasure, |_| true).0,
        None => mask_reference_names(&mut document),
    }
    document
        .get(attribute)
        .cloned()
        .unwrap_or_else(|| Json::String(ERASED.into()))
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

/// Collects, as external entries of the reference index, the references inside `value` (at
/// `path`, in the spelling of [`Reference::path`]) that are not among the `checked` ones: the
/// objects with a string `id` and an `@referredType` or `href` (a channel, an agreement, a
/// quote, a document), which point at things this product does not store.
fn external_references(
    value: &Json,
    path: &mut String,
    checked: &HashSet<&str>,
    out: &mut Vec<(String, StoredType, String)>,
) {
    match value {
        Json::Object(map) => {
            let is_reference = map.contains_key("@referredType") || map.contains_key("href");
            if let (false, Some(Json::String(id))) = (path.is_empty(), map.get("id"))
                && is_reference
                && !checked.contains(path.as_str())
            {
                let target = StoredType {
                    table: EXTERNAL,
                    kind: EXTERNAL,
                };
                out.push((path.clone(), target, id.clone()));
            }
            for (key, inner) in map {
                if matches!(inner, Json::Object(_) | Json::Array(_)) {
                    let length = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                    external_references(inner, path, checked, out);
                    path.truncate(length);
                }
            }
        }
        Json::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let length = path.len();
                path.push_str(&format!("[{i}]"));
                external_references(item, path, checked, out);
                path.truncate(length);
            }
        }
        _ => {}
    }
}

/// The JSON pointer of a reference path (`relatedParty[2]` is `/relatedParty/2`).
fn pointer_of(path: &str) -> String {
    let mut pointer = String::new();
    for part in path.split('.') {
        let (name, indexes) = part.split_once('[').unwrap_or((part, ""));
        pointer.push('/');
        pointer.push_str(name);
        for index in indexes.split('[') {
            let index = index.trim_end_matches(']');
            if !index.is_empty() {
                pointer.push('/');
                pointer.push_str(index);
            }
        }
    }
    pointer
}

/// Whether `href` names the resource `id`: its last path segment (query and fragment
/// aside, percent-decoded) is the id.
fn href_names(href: &str, id: &str) -> bool {
    let path = href.split(['?', '#']).next().unwrap_or_default();
    // A URL's last path segment, or a URN's last part (`urn:crm:Customer:42`).
    let last = path
        .trim_end_matches('/')
        .rsplit(['/', ':'])
        .next()
        .unwrap_or_default();
    percent_encoding::percent_decode_str(last).decode_utf8_lossy() == id
}

/// Completes the reference at `reference.path` of `document`, which names a stored
/// `type_name`: see [`DocumentService::check_references`].
fn complete_reference(
    document: &mut Json,
    reference: &Reference,
    type_name: &str,
    name: Option<String>,
) -> TmfResult<()> {
    let Some(Json::Object(target)) = document.pointer_mut(&pointer_of(&reference.path)) else {
        return Ok(());
    };
    match target.get("href") {
        Some(Json::String(href)) if !href_names(href, &reference.id) => {
            return Err(TmfError::invalid_value(format!(
                "'{}.href': '{}' does not name {type_name} '{}'",
                reference.path,
                href.chars().take(200).collect::<String>(),
                reference.id
            )));
        }
        _ => {}
    }
    let referred = target
        .entry("@referredType")
        .or_insert_with(|| Json::String(type_name.to_owned()));
    if referred.as_str() == Some(type_name) {
        // The router derives the `href` of a reference to a served type on output.
        target.remove("href");
    }
    if let Some(name) = name {
        target.entry("name").or_insert(Json::String(name));
    }
    Ok(())
}

/// The generic service of a resource kind.
pub struct DocumentService<K: ResourceKind> {
    kind: K,
    store: Store,
    registry: Arc<TypeRegistry>,
    _model: PhantomData<fn() -> K::Model>,
}

impl<K: ResourceKind> DocumentService<K> {
    /// A service for `kind` over `store`, checking references against `registry`.
    pub fn new(kind: K, store: Store, registry: Arc<TypeRegistry>) -> Self {
        Self {
            kind,
            store,
            registry,
            _model: PhantomData,
        }
    }

    fn backend(&self) -> DbBackend {
        self.store.backend()
    }

    /// Parses and validates a full representation; returns the model and its normalised JSON.
    fn admit(
        &self,
        ctx: &RequestContext,
        document: Json,
        previous: Option<&K::Model>,
    ) -> TmfResult<(K::Model, Json)> {
        let mut model: K::Model =
            sid_model::strict_attributes(ctx.strict_attributes, || from_value(document))?;
        if let Err(errors) = model.validate() {
            let violation = sid_model::validation::first_violation(&errors);
            return Err(TmfError::invalid_value(format!(
                "'{}': {}",
                violation.path, violation.message
            )));
        }
        self.kind.prepare(ctx, previous, &mut model)?;
        let normalised = serde_json::to_value(&model).map_err(TmfError::internal)?;
        Ok((model, normalised))
    }

    /// Checks that every reference names a stored resource of an allowed type, and completes
    /// each in `document`: a missing `@referredType` becomes the type found; a given `href`
    /// must name the same id (422 otherwise) and is dropped, since the router derives it on
    /// output; a missing `name` is taken from the target where the kind asks for it.
    async fn check_references(
        &self,
        txn: &DatabaseTransaction,
        references: &[Reference],
        document: &mut Json,
    ) -> TmfResult<Vec<(String, StoredType, String)>> {
        let mut resolved = Vec::with_capacity(references.len());
        for reference in references {
            let allowed = reference
                .referred_type
                .as_deref()
                .and_then(|referred| reference.allowed.iter().copied().find(|t| *t == referred));
            let candidates: Vec<&str> = match (&reference.referred_type, allowed) {
                (Some(_), Some(allowed)) if self.registry.get(allowed).is_none() => {
                    // A type this product does not store (a service, a bill before its
                    // crate exists): kept as given, marked external in the reference index.
                    let external = StoredType {
                        table: EXTERNAL,
                        kind: allowed,
                    };
                    resolved.push((reference.path.clone(), external, reference.id.clone()));
                    continue;
                }
                (Some(_), Some(allowed)) => vec![allowed],
                (Some(referred), None) if self.registry.get(referred).is_some() => {
                    return Err(TmfError::invalid_value(format!(
                        "'{}': @referredType '{}' is not allowed here; expected one of {}",
                        reference.path,
                        referred,
                        reference.allowed.join(", ")
                    )));
                }
                // No type, or a name this product does not know (`Party`, `Employee`): the
                // id is looked up among the allowed types.
                _ => reference.allowed.to_vec(),
            };
            let mut found = None;
            for type_name in candidates {
                let Some(stored) = self.registry.get(type_name) else {
                    continue;
                };
                if let Some(name) = self
                    .exists_for_reference(txn, stored, &reference.id)
                    .await?
                {
                    found = Some((stored, type_name, name));
                    break;
                }
            }
            match found {
                Some((stored, type_name, name)) => {
                    let name = name.filter(|_| self.kind.completes_reference_names());
                    complete_reference(document, reference, type_name, name)?;
                    resolved.push((reference.path.clone(), stored, reference.id.clone()))
                }
                None => {
                    return Err(TmfError::reference_not_found(format!(
                        "'{}': {} '{}' does not exist",
                        reference.path,
                        reference
                            .referred_type
                            .clone()
                            .unwrap_or_else(|| reference.allowed.join(" or ")),
                        reference.id
                    )));
                }
            }
        }
        let checked: HashSet<&str> = resolved.iter().map(|(path, ..)| path.as_str()).collect();
        let mut external = Vec::new();
        external_references(document, &mut String::new(), &checked, &mut external);
        resolved.extend(external);
        Ok(resolved)
    }

    /// Whether the referenced row exists, with its name (`name`, `fullName`, `tradingName`,
    /// or given and family name) when it has one: `None` when there is no such row.
    async fn exists_for_reference(
        &self,
        txn: &DatabaseTransaction,
        stored: StoredType,
        id: &str,
    ) -> TmfResult<Option<Option<String>>> {
        let backend = self.backend();
        let field = |name: &str| crate::sql::json_scalar(backend, "body", &[name]);
        let name = format!(
            "COALESCE({}, {}, {}, {} || ' ' || {})",
            field("name"),
            field("fullName"),
            field("tradingName"),
            field("givenName"),
            field("familyName")
        );
        let mut sql = Sql::new(self.backend());
        sql.push("SELECT ")
            .push(&name)
            .push(" AS name FROM ")
            .push(stored.table)
            .push(" WHERE id = ")
            .bind(id.to_owned())
            .push(" AND kind = ")
            .bind(stored.kind);
        if self.backend() == DbBackend::Postgres {
            // Holds the referenced row against deletion until this transaction ends.
            sql.push(" FOR KEY SHARE");
        }
        let row = txn.query_one_raw(sql.build()).await.map_err(db_error)?;
        row.map(|row| row.try_get::<Option<String>>("", "name"))
            .transpose()
            .map_err(db_error)
    }

    /// Replaces the indexed references of `id` (`fresh`: it has none yet) with `references`,
    /// in one statement.
    async fn write_references(
        &self,
        txn: &DatabaseTransaction,
        (id, fresh): (&str, bool),
        references: &[(String, StoredType, String)],
    ) -> TmfResult<()> {
        let table = self.kind.stored_type().table;
        if !fresh {
            let mut sql = Sql::new(self.backend());
            sql.push("DELETE FROM entity_ref WHERE source_table = ")
                .bind(table)
                .push(" AND source_id = ")
                .bind(id.to_owned());
            txn.execute_raw(sql.build()).await.map_err(db_error)?;
        }
        if references.is_empty() {
            return Ok(());
        }
        let mut sql = Sql::new(self.backend());
        sql.push("INSERT INTO entity_ref (source_table, source_id, path, target_table, target_id) VALUES ");
        for (i, (path, target, target_id)) in references.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" })
                .bind(table)
                .push(", ")
                .bind(id.to_owned())
                .push(", ")
                .bind(path.clone())
                .push(", ")
                .bind(target.table)
                .push(", ")
                .bind(target_id.clone())
                .push(")");
        }
        txn.execute_raw(sql.build()).await.map_err(db_error)?;
        Ok(())
    }

    async fn load(
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

    /// The query with search values in the form of the index keys, and equality filters on
    /// indexed attributes turned into searches of their keys.
    fn normalise_search(&self, query: &ListQuery) -> TmfResult<ListQuery> {
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
    fn qualify(&self, query: &mut ListQuery) {
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
    fn attribute_key(&self, clause: &tmf_apis::Clause) -> Option<&'static str> {
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
    fn attribute_keys(&self) -> Vec<&'static str> {
        self.kind
            .indexed_attributes()
            .iter()
            .map(|(_, key)| *key)
            .collect()
    }

    /// Replaces the search keys of `id` (`fresh`: it has none yet) with `keys`, in one
    /// statement, then those it holds besides its own ([`KeyHolder`]) and those other
    /// resources inherit from it.
    async fn write_search_keys(
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
    async fn write_own_keys(
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

    fn not_found(&self, id: &str) -> TmfError {
        TmfError::not_found(self.kind.descriptor().type_name, id)
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

fn body_value(backend: DbBackend, document: &Json) -> Value {
    match backend {
        DbBackend::Postgres => Value::Json(Some(Box::new(document.clone()))),
        _ => Value::from(document.to_string()),
    }
}

fn now_micros() -> i64 {
    Utc::now().timestamp_micros()
}

#[async_trait]
impl<K: ResourceKind> ResourceService for DocumentService<K> {
    fn descriptor(&self) -> &ResourceDescriptor {
        self.kind.descriptor()
    }

    async fn list(&self, _ctx: &RequestContext, query: &ListQuery) -> TmfResult<Page> {
        let stored = self.kind.stored_type();
        let query = self.normalise_search(query)?;
        let connection = self.store.connection();

        let mut count = Sql::new(self.backend());
        let attributes = self.attribute_keys();
        push_count(&mut count, (stored.table, stored.kind), &query, &attributes);
        let total = count.count(connection).await?;

        if let Some(led) = LedSearch::of(&query, &attributes)
            && let Some(value) = led.keyset_value(&query)
        {
            let (key, prefix) = led.key;
            let search = keyset::Search {
                stored: (stored.table, stored.kind),
                key: (key, prefix, value),
            };
            let items =
                keyset::page(&self.store, search, &led.rest, (query.offset, query.limit)).await?;
            return Ok(Page { items, total });
        }
        let mut select = Sql::new(self.backend());
        select.push("SELECT body FROM ").push(stored.table);
        push_where(&mut select, stored.table, stored.kind, &query);
        push_order_and_page(&mut select, &query);
        let rows = connection
            .query_all_raw(select.build())
            .await
            .map_err(query_error)?;
        let items = rows.iter().map(read_body).collect::<TmfResult<Vec<_>>>()?;
        Ok(Page { items, total })
    }

    async fn create(&self, ctx: &RequestContext, body: Json) -> TmfResult<Json> {
        let id = new_id();
        let (model, document) = self.admit_new(ctx, &id, body)?;
        self.store
            .write(async |txn| {
                let mut document = document.clone();
                self.insert(txn, ctx, &id, &mut document, &model).await?;
                Ok(document)
            })
            .await
    }

    async fn create_versioned(&self, ctx: &RequestContext, body: Json) -> TmfResult<Versioned> {
        let document = self.create(ctx, body).await?;
        Ok(Versioned {
            document,
            version: Some(1),
        })
    }

    async fn retrieve_versioned(&self, _ctx: &RequestContext, id: &str) -> TmfResult<Versioned> {
        let (document, version) = self
            .load(self.store.connection(), id, false)
            .await?
            .ok_or_else(|| self.not_found(id))?;
        Ok(Versioned {
            document,
            version: Some(version),
        })
    }

    async fn patch_versioned(
        &self,
        ctx: &RequestContext,
        id: &str,
        patch: PatchDocument,
    ) -> TmfResult<Versioned> {
        let (document, version) = self
            .store
            .write(async |txn| self.update(txn, ctx, id, patch, &ctx.if_match).await)
            .await?;
        Ok(Versioned {
            document,
            version: Some(version),
        })
    }

    async fn retrieve(&self, ctx: &RequestContext, id: &str) -> TmfResult<Json> {
        Ok(self.retrieve_versioned(ctx, id).await?.document)
    }

    async fn patch(&self, ctx: &RequestContext, id: &str, patch: PatchDocument) -> TmfResult<Json> {
        Ok(self.patch_versioned(ctx, id, patch).await?.document)
    }

    async fn delete(&self, ctx: &RequestContext, id: &str) -> TmfResult<()> {
        self.store
            .write(async |txn| self.remove(txn, ctx, id).await)
            .await
    }

    async fn history(
        &self,
        _ctx: &RequestContext,
        id: &str,
        offset: u64,
        limit: u64,
    ) -> TmfResult<Page> {
        let page = history::read(
            self.store.connection(),
            self.kind.stored_type().table,
            id,
            offset,
            limit,
        )
        .await?;
        // No history: 404 unless the resource exists (bulk-loaded data has none yet).
        if page.total == 0
            && self
                .load(self.store.connection(), id, false)
                .await?
                .is_none()
        {
            return Err(self.not_found(id));
        }
        Ok(page)
    }
}

/// A resource kind whose personal data can be erased inside a caller's transaction, so that
/// erasing a person across several resources is one atomic change.
#[async_trait]
pub trait Erasable: Send + Sync {
    /// The resource's type name (`Individual`).
    fn type_name(&self) -> &'static str;

    /// Anonymises the resource `id` within `txn` if it is of this kind; `false` when there
    /// is no such resource of this kind.
    async fn erase_in(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
    ) -> TmfResult<bool>;
}

#[async_trait]
impl<K: ResourceKind> Erasable for DocumentService<K> {
    fn type_name(&self) -> &'static str {
        self.kind.descriptor().type_name
    }

    async fn erase_in(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
    ) -> TmfResult<bool> {
        self.anonymise(txn, ctx, id).await
    }
}

/// A new resource id: a UUIDv7, time-ordered and so friendly to indexes.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Refuses a create body that carries what the server assigns (`id`, `href`).
pub fn refuse_server_assigned(body: &Json) -> TmfResult<()> {
    for read_only in ["id", "href"] {
        if body.get(read_only).is_some() {
            return Err(TmfError::invalid_body(format!(
                "'{read_only}' is assigned by the server and must not be sent on create"
            )));
        }
    }
    Ok(())
}

/// Commits when the work succeeded, rolls back at once when it did not: a refused request
/// must not leave a connection idle in a transaction, holding its locks.
pub async fn finish<T>(txn: crate::Transaction, outcome: TmfResult<T>) -> TmfResult<T> {
    match outcome {
        Ok(value) => {
            txn.commit().await.map_err(db_error)?;
            Ok(value)
        }
        Err(error) => {
            if let Err(rollback) = txn.rollback().await {
                tracing::warn!(error = %rollback, "rollback failed");
            }
            Err(error)
        }
    }
}

impl<K: ResourceKind> DocumentService<K> {
    /// Creates a resource within `txn`, as `POST` does: validation, the kind's rules,
    /// reference checks, history and events. Lets a domain write several resources as one
    /// change (an order's completion and the products it makes).
    pub async fn create_in(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        body: Json,
    ) -> TmfResult<Json> {
        let id = new_id();
        self.create_with_id_in(txn, ctx, &id, body).await
    }

    /// Creates a resource within `txn` under an id drawn beforehand with [`new_id`], for a
    /// change whose other writes must name the resource before it exists (a ticket and the
    /// interaction it came from, which refer to each other).
    pub async fn create_with_id_in(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        body: Json,
    ) -> TmfResult<Json> {
        let (model, mut document) = self.admit_new(ctx, id, body)?;
        self.insert(txn, ctx, id, &mut document, &model).await?;
        Ok(document)
    }

    /// A create body checked and normalised into the resource `id`: what needs no database,
    /// done before a write transaction begins.
    fn admit_new(&self, ctx: &RequestContext, id: &str, body: Json) -> TmfResult<(K::Model, Json)> {
        refuse_server_assigned(&body)?;
        let (model, mut document) = self.admit(ctx, body, None)?;
        if let Json::Object(map) = &mut document {
            map.insert("id".into(), Json::String(id.to_owned()));
            map.entry("@type")
                .or_insert_with(|| Json::String(self.kind.descriptor().type_name.to_owned()));
        }
        Ok((model, document))
    }

    /// The stored document `id` read within `txn`, locked against concurrent writers until
    /// the transaction ends; `None` when there is no such resource of this kind.
    pub async fn load_in(&self, txn: &DatabaseTransaction, id: &str) -> TmfResult<Option<Json>> {
        Ok(self.load(txn, id, true).await?.map(|(body, _)| body))
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

    /// The stored document `id`, locked within `txn`, and what `patch` asks it to become,
    /// for a domain to judge before it writes; 404 when there is no such resource, 412 when
    /// its stored version does not satisfy the request's `If-Match`, 422 when the patch
    /// changes one of the `server_owned` attributes.
    pub async fn requested_in(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        patch: &PatchDocument,
        server_owned: &[&str],
    ) -> TmfResult<(Json, Json)> {
        let (current, version) = self
            .load(txn, id, true)
            .await?
            .ok_or_else(|| self.not_found(id))?;
        ctx.if_match.check(version)?;
        let mut requested = current.clone();
        patch.apply(&mut requested)?;
        for attribute in server_owned {
            if requested.get(*attribute) != current.get(*attribute) {
                return Err(TmfError::invalid_value(format!(
                    "'{attribute}' is set by the server"
                )));
            }
        }
        Ok((current, requested))
    }

    /// Patches a resource within `txn`, as `PATCH` does.
    pub async fn update_in(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        patch: PatchDocument,
    ) -> TmfResult<Json> {
        let (document, _) = self.update(txn, ctx, id, patch, &IfMatch::Absent).await?;
        Ok(document)
    }

    /// Replaces a resource's whole representation within `txn` (its `id` and `@type` kept),
    /// with the same rules, history and events as a patch.
    pub async fn replace_in(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        document: Json,
    ) -> TmfResult<Json> {
        let replacement = PatchDocument::replacement(document);
        let (document, _) = self
            .update(txn, ctx, id, replacement, &IfMatch::Absent)
            .await?;
        Ok(document)
    }

    fn record<'a>(&'a self, id: &'a str, action: Action, changes: Vec<Json>) -> Record<'a> {
        Record {
            table: self.kind.stored_type().table,
            resource_type: self.kind.descriptor().type_name,
            resource_id: id,
            action,
            changes,
        }
    }

    async fn insert(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        document: &mut Json,
        model: &K::Model,
    ) -> TmfResult<()> {
        let stored = self.kind.stored_type();
        let resolved = self
            .check_references(txn, &self.kind.references(model), document)
            .await?;
        let document = &*document;
        let now = now_micros();
        let mut insert = Sql::new(self.backend());
        insert
            .push("INSERT INTO ")
            .push(stored.table)
            .push(" (id, kind, body, version, created_at, updated_at) VALUES (")
            .bind(id.to_owned())
            .push(", ")
            .bind(stored.kind)
            .push(", ")
            .bind(body_value(self.backend(), document))
            .push(", 1, ")
            .bind(now)
            .push(", ")
            .bind(now)
            .push(")");
        txn.execute_raw(insert.build()).await.map_err(db_error)?;
        self.write_references(txn, (id, true), &resolved).await?;
        self.write_search_keys(txn, (id, true), &self.kind.index_keys(model, document))
            .await?;
        let changes = history::changes(None, Some(document));
        history::write(txn, ctx, self.record(id, Action::Create, changes)).await?;
        outbox::record(
            txn,
            self.kind.descriptor(),
            ctx,
            (None, Some(document)),
            &self.kind.domain_events(None, model),
        )
        .await
    }

    /// Applies `patch` to `id` if its stored version satisfies `precondition`; returns the
    /// new document and version.
    async fn update(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        patch: PatchDocument,
        precondition: &IfMatch,
    ) -> TmfResult<(Json, i64)> {
        let (mut document, version) = self
            .load(txn, id, true)
            .await?
            .ok_or_else(|| self.not_found(id))?;
        precondition.check(version)?;
        let previous: K::Model = from_value(document.clone())
            .map_err(|e| TmfError::internal(format!("stored {id} unreadable: {e}")))?;
        let before = document.clone();
        let type_before = document.get("@type").cloned();
        patch.apply(&mut document)?;
        let (model, mut normalised) = self.admit(ctx, document, Some(&previous))?;
        if let Json::Object(map) = &mut normalised {
            map.insert("id".into(), Json::String(id.to_owned()));
            if let (None, Some(type_before)) = (map.get("@type"), type_before) {
                map.insert("@type".into(), type_before);
            }
        }
        let resolved = self
            .check_references(txn, &self.kind.references(&model), &mut normalised)
            .await?;
        if normalised == before {
            // A patch that changes nothing writes nothing: no row, no history, no event, and
            // the version (so the ETag) stays.
            return Ok((normalised, version));
        }
        self.replace_body(txn, id, version, &normalised).await?;
        self.write_references(txn, (id, false), &resolved).await?;
        self.write_search_keys(txn, (id, false), &self.kind.index_keys(&model, &normalised))
            .await?;
        let changes = history::changes(Some(&before), Some(&normalised));
        history::write(txn, ctx, self.record(id, Action::Update, changes)).await?;
        outbox::record(
            txn,
            self.kind.descriptor(),
            ctx,
            (Some(&before), Some(&normalised)),
            &self.kind.domain_events(Some(&previous), &model),
        )
        .await?;
        Ok((normalised, version + 1))
    }

    /// Writes a new body if the row is still at `version` (optimistic concurrency).
    async fn replace_body(
        &self,
        txn: &DatabaseTransaction,
        id: &str,
        version: i64,
        document: &Json,
    ) -> TmfResult<()> {
        let mut update = Sql::new(self.backend());
        update
            .push("UPDATE ")
            .push(self.kind.stored_type().table)
            .push(" SET body = ")
            .bind(body_value(self.backend(), document))
            .push(", version = version + 1, updated_at = ")
            .bind(now_micros())
            .push(" WHERE id = ")
            .bind(id.to_owned())
            .push(" AND version = ")
            .bind(version);
        let result = txn.execute_raw(update.build()).await.map_err(db_error)?;
        if result.rows_affected() != 1 {
            return Err(TmfError::conflict(format!(
                "{} '{id}' was changed concurrently; retry",
                self.kind.descriptor().type_name
            )));
        }
        Ok(())
    }

    async fn anonymise(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
    ) -> TmfResult<bool> {
        let Some((document, version)) = self.load(txn, id, true).await? else {
            return Ok(false);
        };
        // A kind without an erasure holds no personal data of its own: only the names its
        // references copy from their targets are masked.
        let erasure = self.kind.erasure();
        let valid =
            |candidate: &Json| serde_json::from_value::<K::Model>(candidate.clone()).is_ok();
        let erase = |representation: &Json| match &erasure {
            Some(erasure) => erase_document(representation, erasure, valid).0,
            None => {
                let mut masked = representation.clone();
                mask_reference_names(&mut masked);
                masked
            }
        };
        let erased = erase(&document);
        let model: K::Model = from_value(erased.clone())
            .map_err(|e| TmfError::internal(format!("erasure of {id} left it invalid: {e}")))?;
        let stored = self.kind.stored_type();
        self.replace_body(txn, id, version, &erased).await?;
        self.write_search_keys(txn, (id, false), &self.kind.index_keys(&model, &erased))
            .await?;
        history::scrub(txn, stored.table, id, erasure.as_ref()).await?;
        let changes = history::changes(Some(&document), Some(&erased))
            .into_iter()
            .map(|mut change| {
                change["previous"] = Json::String(ERASED.into());
                change
            })
            .collect();
        // The erasure's own reason is kept only as the fact that one was given.
        let ctx = &RequestContext {
            reason: ctx.reason.as_ref().map(|_| ERASED.to_owned()),
            ..ctx.clone()
        };
        history::write(txn, ctx, self.record(id, Action::Erase, changes)).await?;
        outbox::scrub(txn, self.kind.descriptor(), id, &erase).await?;
        outbox::record(
            txn,
            self.kind.descriptor(),
            ctx,
            (Some(&document), Some(&erased)),
            &[],
        )
        .await?;
        Ok(true)
    }

    async fn remove(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
    ) -> TmfResult<()> {
        let stored = self.kind.stored_type();
        let Some((previous, version)) = self.load(txn, id, true).await? else {
            return Err(self.not_found(id));
        };
        ctx.if_match.check(version)?;
        let mut referrers = Sql::new(self.backend());
        referrers
            .push("SELECT source_table, source_id, path FROM entity_ref WHERE target_table = ")
            .bind(stored.table)
            .push(" AND target_id = ")
            .bind(id.to_owned())
            .push(" LIMIT 1");
        if let Some(row) = txn
            .query_one_raw(referrers.build())
            .await
            .map_err(db_error)?
        {
            let source_table: String = row.try_get("", "source_table").map_err(db_error)?;
            let source_id: String = row.try_get("", "source_id").map_err(db_error)?;
            let path: String = row.try_get("", "path").map_err(db_error)?;
            return Err(TmfError::conflict(format!(
                "{} '{id}' is still referenced by {source_table} '{source_id}' ({path}); remove that reference first",
                self.kind.descriptor().type_name
            )));
        }
        let mut delete = Sql::new(self.backend());
        delete
            .push("DELETE FROM ")
            .push(stored.table)
            .push(" WHERE id = ")
            .bind(id.to_owned());
        txn.execute_raw(delete.build()).await.map_err(db_error)?;
        self.write_references(txn, (id, false), &[]).await?;
        self.write_search_keys(txn, (id, false), &[]).await?;
        let changes = history::changes(Some(&previous), None);
        history::write(txn, ctx, self.record(id, Action::Delete, changes)).await?;
        outbox::record(
            txn,
            self.kind.descriptor(),
            ctx,
            (Some(&previous), None),
            &[],
        )
        .await
    }
}

/// Creating resources of a kind inside another domain's change, without knowing the kind: a
/// trouble ticket logged from a call records the call as a party interaction this way.
#[async_trait]
pub trait DocumentWriter: Send + Sync {
    /// The type name of the resources written.
    fn type_name(&self) -> &'static str;

    /// Creates a resource within `txn`, as [`DocumentService::create_in`] does.
    async fn create_in(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        body: Json,
    ) -> TmfResult<Json>;
}

#[async_trait]
impl<K: ResourceKind> DocumentWriter for DocumentService<K> {
    fn type_name(&self) -> &'static str {
        self.kind.descriptor().type_name
    }

    async fn create_in(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        body: Json,
    ) -> TmfResult<Json> {
        DocumentService::create_in(self, txn, ctx, body).await
    }
}

/// The writes of a resource whose domain has rules beyond its kind's, such as an order that
/// is priced from the catalog or a ticket whose call is recorded: creates and patches go
/// through the domain, which writes through the resource's [`DocumentService`] in a
/// transaction of its own.
#[async_trait]
pub trait DomainWrites: Send + Sync + 'static {
    /// Creates the resource from a `_Create` body.
    async fn create(&self, ctx: &RequestContext, body: Json) -> TmfResult<Json>;

    /// Patches the resource.
    async fn patch(&self, ctx: &RequestContext, id: &str, patch: PatchDocument) -> TmfResult<Json>;
}

/// A resource served by its document service for reads, deletes and history, and by its
/// domain's [`DomainWrites`] for creates and patches.
pub struct DomainService<K: ResourceKind> {
    documents: Arc<DocumentService<K>>,
    writes: Arc<dyn DomainWrites>,
}

impl<K: ResourceKind> DomainService<K> {
    /// Serves `documents`, writing through `writes`.
    pub fn new(documents: Arc<DocumentService<K>>, writes: Arc<dyn DomainWrites>) -> Self {
        Self { documents, writes }
    }

    /// The resource a domain write returned, read again with its version (body and version
    /// read together, so the `ETag` matches the body even if another write followed).
    async fn reread(&self, ctx: &RequestContext, written: Json) -> TmfResult<Versioned> {
        match written.get("id").and_then(Json::as_str) {
            Some(id) => self.documents.retrieve_versioned(ctx, id).await,
            None => Ok(Versioned::unversioned(written)),
        }
    }
}

#[async_trait]
impl<K: ResourceKind> ResourceService for DomainService<K> {
    fn descriptor(&self) -> &ResourceDescriptor {
        self.documents.descriptor()
    }

    async fn list(&self, ctx: &RequestContext, query: &ListQuery) -> TmfResult<Page> {
        self.documents.list(ctx, query).await
    }

    async fn create(&self, ctx: &RequestContext, body: Json) -> TmfResult<Json> {
        self.writes.create(ctx, body).await
    }

    async fn retrieve(&self, ctx: &RequestContext, id: &str) -> TmfResult<Json> {
        self.documents.retrieve(ctx, id).await
    }

    async fn patch(&self, ctx: &RequestContext, id: &str, patch: PatchDocument) -> TmfResult<Json> {
        self.writes.patch(ctx, id, patch).await
    }

    async fn create_versioned(&self, ctx: &RequestContext, body: Json) -> TmfResult<Versioned> {
        let created = self.writes.create(ctx, body).await?;
        self.reread(ctx, created).await
    }

    async fn retrieve_versioned(&self, ctx: &RequestContext, id: &str) -> TmfResult<Versioned> {
        self.documents.retrieve_versioned(ctx, id).await
    }

    async fn patch_versioned(
        &self,
        ctx: &RequestContext,
        id: &str,
        patch: PatchDocument,
    ) -> TmfResult<Versioned> {
        let patched = self.writes.patch(ctx, id, patch).await?;
        self.reread(ctx, patched).await
    }

    async fn delete(&self, ctx: &RequestContext, id: &str) -> TmfResult<()> {
        self.documents.delete(ctx, id).await
    }

    async fn history(
        &self,
        ctx: &RequestContext,
        id: &str,
        offset: u64,
        limit: u64,
    ) -> TmfResult<Page> {
        self.documents.history(ctx, id, offset, limit).await
    }
}
