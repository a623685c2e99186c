//! Privacy erasure: the rule every kind shares, a kind's own additions, and the erasure of a
//! stored resource within a caller's transaction.

use super::*;

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
pub(crate) const EXTERNAL: &str = "external";

/// The value that replaces an erased personal string.
pub const ERASED: &str = "[erased]";

/// Attributes erasure keeps wherever they appear, whatever they hold: what identifies and
/// types a resource, or a reference and what it points at.
pub(super) const IDENTITY: [&str; 6] = [
    "id",
    "href",
    "@type",
    "@baseType",
    "@schemaLocation",
    "@referredType",
];

/// Attributes whose text erasure keeps wherever they appear: lifecycle states.
pub(super) const STATES: [&str; 3] = ["status", "state", "lifecycleStatus"];

/// Whether a text is a date or a date-time (RFC 3339, or an ISO 8601 calendar date).
pub(super) fn is_date(text: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(text).is_ok()
        || chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
}

/// Whether an object is a reference: an `id` with a `@referredType` or an `href`.
pub(super) fn is_reference(map: &serde_json::Map<String, Json>) -> bool {
    map.get("id").is_some_and(Json::is_string)
        && (map.contains_key("@referredType") || map.contains_key("href"))
}

/// Whether one of `entries` names the attribute at `path` (the attribute names from the
/// document down to it, list levels not counted): see [`Erasure`].
pub(super) fn named(entries: &[&str], path: &[&str]) -> bool {
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
pub(super) fn remove_at(document: &mut Json, pointer: &str) -> bool {
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
pub(super) fn mask_reference_names(value: &mut Json) {
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

impl<K: ResourceKind> DocumentService<K> {
    /// Erases the personal data of `id`; `false` when there is no such resource.
    #[tracing::instrument(
        name = "document.erase",
        skip_all,
        fields(resource = self.kind.descriptor().type_name, id = %id)
    )]
    pub(super) async fn anonymise(
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
