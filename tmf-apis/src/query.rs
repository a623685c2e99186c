//! TMF630 list queries: paging (`offset`, `limit`), projection (`fields`), ordering
//! (`sort`) and attribute filtering, parsed once into a typed [`ListQuery`].
//!
//! Filtering grammar (TMF630 part 6 "JSON path" simple form):
//! - `attr=value` equality; `a.b=value` on nested attributes; when a path crosses an array
//!   the clause holds if any element matches;
//! - OR: `attr=v1,v2` or the key repeated (`attr=v1&attr=v2`);
//! - operators as a suffix: `attr.gt=`, `.gte`, `.lt`, `.lte`, `.eq`, `.ne`, `.regex`;
//! - values are typed from the attribute's spec type: date-times compare as instants,
//!   numbers as decimals, booleans as booleans.
//!
//! The parsed query only holds catalogue paths and typed values, so the storage layer
//! can translate it to SQL without ever splicing client text.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use crate::catalog::{FieldCatalog, FieldPath, FieldType};
use crate::error::{TmfError, TmfResult};

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Equal to one of the values.
    Eq,
    /// Equal to none of the values.
    Ne,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Gte,
    /// Less than.
    Lt,
    /// Less than or equal.
    Lte,
    /// Matches a regular expression.
    Regex,
}

impl Op {
    fn from_suffix(suffix: &str) -> Option<Self> {
        Some(match suffix {
            "eq" => Self::Eq,
            "ne" => Self::Ne,
            "gt" => Self::Gt,
            "gte" => Self::Gte,
            "lt" => Self::Lt,
            "lte" => Self::Lte,
            "regex" => Self::Regex,
            _ => return None,
        })
    }

    /// The SQL comparison operator for the ordering and equality operators.
    pub fn sql(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Ne => "<>",
            Self::Gt => ">",
            Self::Gte => ">=",
            Self::Lt => "<",
            Self::Lte => "<=",
            Self::Regex => "REGEXP",
        }
    }
}

/// A filter value, typed from the attribute it is compared with.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterValue {
    /// Text.
    Text(String),
    /// An instant.
    Instant(DateTime<Utc>),
    /// A decimal number.
    Number(Decimal),
    /// A boolean.
    Bool(bool),
    /// A JSON scalar, compared with an extension attribute's value as JSON.
    Json(serde_json::Value),
}

/// One filter clause: `path op value[, value…]`, OR across the values.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    /// The attribute.
    pub path: FieldPath,
    /// The operator.
    pub op: Op,
    /// One or more values (more than one only for `Eq` and `Ne`).
    pub values: Vec<FilterValue>,
}

/// One ordering key.
#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    /// The attribute (never crossing an array).
    pub path: FieldPath,
    /// Descending when the key was written `-attr`.
    pub descending: bool,
}

/// Cost limits on list queries. Breaking one is a 400, never a slow query.
#[derive(Debug, Clone)]
pub struct QueryLimits {
    /// Page size when the client gives none.
    pub default_limit: u64,
    /// Largest page size a client may ask for.
    pub max_limit: u64,
    /// Most filter clauses in one query.
    pub max_clauses: usize,
    /// Most OR values in one clause.
    pub max_values: usize,
    /// Longest regular expression.
    pub max_regex_len: usize,
    /// Longest query string.
    pub max_query_len: usize,
    /// Whether an attribute that the definition does not name filters on an extension
    /// attribute (by equality); when false (`strict_attributes`), it is a 400.
    pub extension_filters: bool,
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self {
            default_limit: 100,
            max_limit: 1000,
            max_clauses: 16,
            max_values: 50,
            max_regex_len: 200,
            max_query_len: 4096,
            extension_filters: true,
        }
    }
}

/// A parsed list query.
#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    /// Rows to skip.
    pub offset: u64,
    /// Most rows to return.
    pub limit: u64,
    /// Attributes to return (`None`: all).
    pub fields: Option<Vec<String>>,
    /// Ordering keys, in order.
    pub sort: Vec<SortKey>,
    /// Clauses, all of which must hold.
    pub filter: Vec<Clause>,
}

impl ListQuery {
    /// Parses a raw query string against the resource's catalogue.
    pub fn parse(
        raw: Option<&str>,
        catalog: &FieldCatalog,
        limits: &QueryLimits,
    ) -> TmfResult<Self> {
        let raw = raw.unwrap_or("");
        if raw.len() > limits.max_query_len {
            return Err(TmfError::invalid_query(format!(
                "the query string is longer than {} characters",
                limits.max_query_len
            )));
        }
        let mut query = Self {
            offset: 0,
            limit: limits.default_limit,
            fields: None,
            sort: Vec::new(),
            filter: Vec::new(),
        };
        for (key, value) in decode_pairs(raw)? {
            if key.contains('\0') || value.contains('\0') {
                return Err(TmfError::invalid_query(
                    "query parameters may not contain NUL characters",
                ));
            }
            match key.as_ref() {
                "offset" => query.offset = parse_count("offset", &value)?,
                "limit" => {
                    let limit = parse_count("limit", &value)?;
                    if limit > limits.max_limit {
                        return Err(TmfError::invalid_query(format!(
                            "limit must not exceed {}",
                            limits.max_limit
                        )));
                    }
                    query.limit = limit;
                }
                "fields" => {
                    // `fields=` naming nothing asks for no projection: the whole resource.
                    let named = value
                        .split(',')
                        .map(str::trim)
                        .filter(|f| !f.is_empty())
                        .map(str::to_owned);
                    let mut named = named.peekable();
                    if named.peek().is_some() {
                        query.fields.get_or_insert_with(Vec::new).extend(named);
                    }
                }
                "sort" => {
                    for key in value.split(',').map(str::trim).filter(|k| !k.is_empty()) {
                        query.sort.push(parse_sort_key(key, catalog)?);
                    }
                }
                "depth" | "expand" => {}
                key => query.add_clause(key, &value, catalog, limits)?,
            }
        }
        if query.filter.len() > limits.max_clauses {
            return Err(TmfError::invalid_query(format!(
                "a query may hold at most {} filter clauses",
                limits.max_clauses
            )));
        }
        Ok(query)
    }

    fn add_clause(
        &mut self,
        key: &str,
        raw_value: &str,
        catalog: &FieldCatalog,
        limits: &QueryLimits,
    ) -> TmfResult<()> {
        let (attribute, op) = match key.rsplit_once('.') {
            Some((attribute, suffix)) => match Op::from_suffix(suffix) {
                Some(op) => (attribute, op),
                None => (key, Op::Eq),
            },
            None => (key, Op::Eq),
        };
        let extension = || {
            limits
                .extension_filters
                .then(|| catalog.extension(attribute))
                .flatten()
        };
        let path = catalog
            .resolve(attribute)
            .cloned()
            .or_else(extension)
            .ok_or_else(|| {
                TmfError::invalid_query(format!(
                    "'{}' is not a filterable attribute of this resource",
                    truncate(attribute)
                ))
            })?;
        if path.field_type == FieldType::Extension && !matches!(op, Op::Eq | Op::Ne) {
            return Err(TmfError::invalid_query(format!(
                "'{}' is an extension attribute: only equality (attr=value[,value]) applies",
                truncate(attribute)
            )));
        }
        let values = if op == Op::Regex {
            if path.field_type != FieldType::String {
                return Err(TmfError::invalid_query(format!(
                    "'{attribute}' is not text: .regex does not apply"
                )));
            }
            if raw_value.chars().count() > limits.max_regex_len {
                return Err(TmfError::invalid_query(format!(
                    "the regular expression for '{attribute}' is longer than {} characters",
                    limits.max_regex_len
                )));
            }
            regex::RegexBuilder::new(raw_value)
                .size_limit(1 << 16)
                .build()
                .map_err(|_| {
                    TmfError::invalid_query(format!(
                        "the regular expression for '{attribute}' is not valid"
                    ))
                })?;
            vec![FilterValue::Text(raw_value.to_owned())]
        } else {
            let mut values = Vec::new();
            for raw in raw_value.split(',') {
                if path.field_type == FieldType::Extension {
                    values.extend(json_scalars(raw));
                } else {
                    values.push(parse_value(attribute, path.field_type, raw)?);
                }
            }
            values
        };
        if path.field_type.is_indexed_extension() && op != Op::Eq {
            return Err(TmfError::invalid_query(format!(
                "'{attribute}' is a search attribute: only equality (attr=value[,value]) applies"
            )));
        }
        if values.len() > 1 && !matches!(op, Op::Eq | Op::Ne) {
            return Err(TmfError::invalid_query(format!(
                "'{key}' takes one value; only equality accepts a comma-separated list"
            )));
        }
        // A repeated key with equality is an OR with the earlier clause.
        if let Some(existing) = self
            .filter
            .iter_mut()
            .find(|c| c.op == op && matches!(op, Op::Eq) && c.path == path)
        {
            existing.values.extend(values);
        } else {
            self.filter.push(Clause { path, op, values });
        }
        if self
            .filter
            .iter()
            .any(|c| c.values.len() > limits.max_values)
        {
            return Err(TmfError::invalid_query(format!(
                "a filter may list at most {} values",
                limits.max_values
            )));
        }
        if self.filter.len() > limits.max_clauses {
            return Err(TmfError::invalid_query(format!(
                "a query may hold at most {} filter clauses",
                limits.max_clauses
            )));
        }
        Ok(())
    }
}

fn truncate(text: &str) -> String {
    text.chars().take(64).collect()
}

/// Percent-decodes `text` to bytes (`%XX` → the byte; a `%` not followed by two hex digits
/// stays as written), with `+` read as a space when `plus_is_space` (query strings, the
/// `application/x-www-form-urlencoded` convention; never in paths).
pub fn percent_decode(text: &str, plus_is_space: bool) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let hex = |at: usize| {
        bytes
            .get(at)
            .and_then(|b| char::from(*b).to_digit(16))
            .and_then(|digit| u8::try_from(digit).ok())
    };
    while i < bytes.len() {
        match (bytes[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high << 4) | low);
                i += 3;
            }
            (b'+', _, _) if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

/// Splits a raw query string into its decoded `(name, value)` pairs, as
/// `application/x-www-form-urlencoded` reads them (`&`-separated, the first `=` ends the
/// name, `+` is a space), except that a name or value that is not UTF-8 once
/// percent-decoded is a 400 naming the parameter, never replaced by U+FFFD: a lossy value
/// would silently match nothing.
pub fn decode_pairs(raw: &str) -> TmfResult<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    for pair in raw.split('&').filter(|pair| !pair.is_empty()) {
        let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = String::from_utf8(percent_decode(raw_name, true)).map_err(|_| {
            TmfError::invalid_query(format!(
                "the name of the query parameter '{}' is not valid UTF-8 once percent-decoded",
                truncate(raw_name)
            ))
        })?;
        let value = String::from_utf8(percent_decode(raw_value, true)).map_err(|_| {
            TmfError::invalid_query(format!(
                "the value of the query parameter '{}' is not valid UTF-8 once percent-decoded",
                truncate(&name)
            ))
        })?;
        pairs.push((name, value));
    }
    Ok(pairs)
}

fn parse_count(name: &str, value: &str) -> TmfResult<u64> {
    value
        .trim()
        .parse::<u64>()
        .map_err(|_| TmfError::invalid_query(format!("{name} must be a non-negative integer")))
}

fn parse_sort_key(key: &str, catalog: &FieldCatalog) -> TmfResult<SortKey> {
    let (name, descending) = match key.strip_prefix('-') {
        Some(rest) => (rest, true),
        None => (key.strip_prefix('+').unwrap_or(key), false),
    };
    let path = catalog.resolve(name).ok_or_else(|| {
        TmfError::invalid_query(format!(
            "cannot sort on '{}': not an attribute of this resource",
            truncate(name)
        ))
    })?;
    if path.crosses_array() || path.field_type.is_indexed_extension() {
        return Err(TmfError::invalid_query(format!(
            "cannot sort on '{name}': it is inside a list"
        )));
    }
    Ok(SortKey {
        path: path.clone(),
        descending,
    })
}

/// The JSON scalars a filter value on an extension attribute stands for: the text as a
/// string, and, when it reads as a JSON literal (`true`, `12.5`, `null`), that literal too.
fn json_scalars(raw: &str) -> Vec<FilterValue> {
    let text = FilterValue::Json(serde_json::Value::String(raw.to_owned()));
    match serde_json::from_str::<serde_json::Value>(raw.trim()) {
        Ok(
            literal @ (serde_json::Value::Bool(_)
            | serde_json::Value::Number(_)
            | serde_json::Value::Null),
        ) => vec![FilterValue::Json(literal), text],
        _ => vec![text],
    }
}

fn parse_value(attribute: &str, field_type: FieldType, raw: &str) -> TmfResult<FilterValue> {
    let wrong = |expected: &str| {
        TmfError::invalid_query(format!(
            "the value '{}' for '{attribute}' is not {expected}",
            truncate(raw)
        ))
    };
    Ok(match field_type {
        FieldType::String | FieldType::Search { .. } | FieldType::ReferencedBy { .. } => {
            FilterValue::Text(raw.to_owned())
        }
        FieldType::Extension => FilterValue::Json(serde_json::Value::String(raw.to_owned())),
        FieldType::DateTime => {
            FilterValue::Instant(parse_instant(raw).ok_or_else(|| wrong("a date-time"))?)
        }
        FieldType::Number | FieldType::Integer => {
            FilterValue::Number(Decimal::from_str(raw.trim()).map_err(|_| wrong("a number"))?)
        }
        FieldType::Boolean => FilterValue::Bool(match raw.trim() {
            "true" => true,
            "false" => false,
            _ => return Err(wrong("true or false")),
        }),
    })
}

/// Reads an RFC 3339 date-time, or a plain date taken as midnight UTC.
/// Years outside 1..=9999 are refused: no database stores them alike.
pub fn parse_instant(raw: &str) -> Option<DateTime<Utc>> {
    use chrono::Datelike;
    let raw = raw.trim();
    let instant = match DateTime::parse_from_rfc3339(raw) {
        Ok(instant) => instant.with_timezone(&Utc),
        Err(_) => NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|naive| naive.and_utc())?,
    };
    (1..=9999).contains(&instant.year()).then_some(instant)
}

impl ListQuery {
    /// Whether a document satisfies every clause, evaluated in memory with the semantics of
    /// the SQL translation (for hub queries, which filter events rather than rows). Search
    /// and reverse-reference attributes are answered from indexes, not documents: a query
    /// holding one matches nothing.
    pub fn matches(&self, document: &serde_json::Value) -> bool {
        self.filter.iter().all(|clause| clause.matches(document))
    }
}

impl Clause {
    /// Whether the clause holds for a document (any element, through arrays).
    pub fn matches(&self, document: &serde_json::Value) -> bool {
        if self.path.field_type.is_indexed_extension() {
            return false;
        }
        let mut leaves = Vec::new();
        collect_leaves(document, &self.path.segments, &mut leaves);
        match self.op {
            Op::Ne => !leaves.iter().any(|leaf| {
                self.values
                    .iter()
                    .any(|v| compare(leaf, v) == Some(std::cmp::Ordering::Equal))
            }),
            Op::Regex => {
                let Some(FilterValue::Text(pattern)) = self.values.first() else {
                    return false;
                };
                let Ok(regex) = regex::RegexBuilder::new(pattern)
                    .size_limit(1 << 16)
                    .build()
                else {
                    return false;
                };
                leaves
                    .iter()
                    .any(|leaf| leaf.as_str().is_some_and(|text| regex.is_match(text)))
            }
            op => leaves.iter().any(|leaf| {
                self.values.iter().any(|value| {
                    compare(leaf, value).is_some_and(|ordering| match op {
                        Op::Eq => ordering.is_eq(),
                        Op::Gt => ordering.is_gt(),
                        Op::Gte => ordering.is_ge(),
                        Op::Lt => ordering.is_lt(),
                        Op::Lte => ordering.is_le(),
                        Op::Ne | Op::Regex => false,
                    })
                })
            }),
        }
    }
}

/// The values at the end of `segments`, through every element of the arrays on the way.
fn collect_leaves<'a>(
    value: &'a serde_json::Value,
    segments: &[crate::catalog::Segment],
    out: &mut Vec<&'a serde_json::Value>,
) {
    let Some((first, rest)) = segments.split_first() else {
        if !value.is_null() {
            out.push(value);
        }
        return;
    };
    let Some(inner) = value.get(first.name.as_str()) else {
        return;
    };
    match inner {
        serde_json::Value::Array(items) if first.is_array => {
            for item in items {
                collect_leaves(item, rest, out);
            }
        }
        other => collect_leaves(other, rest, out),
    }
}

/// Compares a document value with a filter value of the attribute's type.
fn compare(leaf: &serde_json::Value, value: &FilterValue) -> Option<std::cmp::Ordering> {
    match value {
        FilterValue::Text(text) => leaf.as_str().map(|s| s.cmp(text.as_str())),
        FilterValue::Instant(instant) => leaf
            .as_str()
            .and_then(parse_instant)
            .map(|at| at.cmp(instant)),
        FilterValue::Number(number) => {
            let own = match leaf {
                serde_json::Value::Number(n) => Decimal::from_str(&n.to_string()).ok(),
                serde_json::Value::String(s) => Decimal::from_str(s.trim()).ok(),
                _ => None,
            };
            own.map(|own| own.cmp(number))
        }
        FilterValue::Bool(flag) => leaf.as_bool().map(|own| own.cmp(flag)),
        FilterValue::Json(scalar) => match (leaf, scalar) {
            (serde_json::Value::Number(own), serde_json::Value::Number(other)) => {
                let own = Decimal::from_str(&own.to_string()).ok()?;
                Some(own.cmp(&Decimal::from_str(&other.to_string()).ok()?))
            }
            _ => (leaf == scalar).then_some(std::cmp::Ordering::Equal),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn catalog() -> FieldCatalog {
        let spec = json!({"definitions": {"Customer": {"properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "status": {"type": "string"},
            "validFor": {"properties": {"startDateTime": {"type": "string", "format": "date-time"}}},
            "amount": {"type": "number"},
            "relatedParty": {"type": "array", "items": {"properties": {"id": {"type": "string"}}}}
        }}}});
        FieldCatalog::from_swagger(&spec, "Customer").expect("catalog")
    }

    fn parse(raw: &str) -> TmfResult<ListQuery> {
        ListQuery::parse(Some(raw), &catalog(), &QueryLimits::default())
    }

    #[test]
    fn paging_fields_and_sort() {
        let q = parse("offset=5&limit=20&fields=name,status&sort=name,-validFor.startDateTime")
            .expect("parses");
        assert_eq!((q.offset, q.limit), (5, 20));
        assert_eq!(q.fields, Some(vec!["name".into(), "status".into()]));
        assert_eq!(q.sort.len(), 2);
        assert!(q.sort[1].descending);
        assert_eq!(q.sort[1].path.dotted(), "validFor.startDateTime");
    }

    #[test]
    fn fields_naming_nothing_ask_for_the_whole_resource() {
        assert_eq!(parse("fields=").expect("parses").fields, None);
        assert_eq!(parse("fields=,%20,").expect("parses").fields, None);
        assert_eq!(
            parse("fields=&fields=name").expect("parses").fields,
            Some(vec!["name".into()])
        );
    }

    #[test]
    fn or_by_comma_and_by_repeated_key() {
        let q = parse("status=active,inactive&status=closed").expect("parses");
        assert_eq!(q.filter.len(), 1);
        assert_eq!(q.filter[0].values.len(), 3);
    }

    #[test]
    fn operators_and_typed_values() {
        let q = parse("validFor.startDateTime.gte=2024-01-01&amount.lt=10.50&name.regex=^Jo")
            .expect("parses");
        assert_eq!(q.filter[0].op, Op::Gte);
        assert!(matches!(q.filter[0].values[0], FilterValue::Instant(_)));
        assert_eq!(
            q.filter[1].values[0],
            FilterValue::Number(Decimal::new(1050, 2))
        );
        assert_eq!(q.filter[2].op, Op::Regex);
    }

    #[test]
    fn refusals() {
        for bad in [
            "unknown.gt=1",
            "unknown.regex=a",
            "validFor.nope=1",
            "a'b=1",
            "limit=-1",
            "limit=100000",
            "offset=x",
            "amount=ten",
            "validFor.startDateTime.gt=yesterday",
            "amount.gt=1,2",
            "name.regex=(",
            "sort=relatedParty.id",
            "sort=nope",
            "amount.regex=1",
        ] {
            let err = parse(bad).expect_err(bad);
            assert_eq!(err.code, crate::error::ErrorCode::InvalidQuery, "{bad}");
        }
        let strict = QueryLimits {
            extension_filters: false,
            ..QueryLimits::default()
        };
        assert!(ListQuery::parse(Some("unknown=1"), &catalog(), &strict).is_err());
        let long_regex = format!("name.regex={}", "a".repeat(500));
        assert!(parse(&long_regex).is_err());
        let many = (0..40)
            .map(|i| format!("name.ne=x{i}"))
            .collect::<Vec<_>>()
            .join("&");
        assert!(parse(&many).is_err());
    }

    #[test]
    fn an_attribute_the_definition_does_not_name_filters_an_extension_by_json_equality() {
        let q = parse("vendorFlag=true&roleType.name=owner").expect("parses");
        assert_eq!(q.filter[0].path.field_type, FieldType::Extension);
        assert_eq!(q.filter[1].path.dotted(), "roleType.name");
        let document = serde_json::json!({"vendorFlag": true, "roleType": {"name": "owner"}});
        assert!(q.matches(&document));
        let as_text = serde_json::json!({"vendorFlag": "true", "roleType": {"name": "owner"}});
        assert!(q.matches(&as_text), "the text 'true' matches too");
        let other = serde_json::json!({"vendorFlag": false, "roleType": {"name": "owner"}});
        assert!(!q.matches(&other));
        let number = parse("level=3").expect("parses");
        assert!(number.matches(&serde_json::json!({"level": 3.0})));
        assert!(!number.matches(&serde_json::json!({"level": 4})));
    }

    #[test]
    fn query_text_is_decoded_strictly() {
        let q = parse("name=Zo%C3%AB+asked&status=a%2Cb%ZZ").expect("parses");
        assert_eq!(q.filter[0].values[0], FilterValue::Text("Zoë asked".into()));
        assert_eq!(
            q.filter[1].values.len(),
            2,
            "%2C is a comma, read after decoding"
        );
        assert_eq!(q.filter[1].values[1], FilterValue::Text("b%ZZ".into()));
        for (bad, named) in [
            ("name=%FF%FE", "'name'"),
            ("status=ok&name=a%C3", "'name'"),
            ("%FF=1", "'%FF'"),
        ] {
            let err = parse(bad).expect_err(bad);
            assert_eq!(err.code, crate::error::ErrorCode::InvalidQuery, "{bad}");
            assert!(err.message.contains(named), "{bad}: {}", err.message);
            assert!(err.message.contains("UTF-8"), "{bad}: {}", err.message);
        }
        // Valid text decodes exactly as form_urlencoded does.
        let raw = "a=1&&b=%20x+y&c&d==e&%C3%A9=%E2%82%AC";
        let lossy: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        assert_eq!(decode_pairs(raw).expect("valid"), lossy);
    }

    #[test]
    fn hostile_strings_are_values_not_syntax() {
        let q = parse("name=%27%3B%20DROP%20TABLE%20customer%3B--").expect("parses");
        assert_eq!(
            q.filter[0].values[0],
            FilterValue::Text("'; DROP TABLE customer;--".into())
        );
    }

    #[test]
    fn documents_are_matched_in_memory_as_in_sql() {
        let catalog = catalog();
        let limits = QueryLimits::default();
        let document = json!({"id": "1", "name": "Ada", "status": "approved",
            "validFor": {"startDateTime": "2026-01-02T00:00:00Z"}});
        let holds = |raw: &str| {
            ListQuery::parse(Some(raw), &catalog, &limits)
                .expect("query")
                .matches(&document)
        };
        assert!(holds("status=approved"));
        assert!(holds("status=validated,approved"));
        assert!(!holds("status=validated"));
        assert!(holds("status.ne=validated"));
        assert!(!holds("status.ne=approved"));
        assert!(holds("validFor.startDateTime.gt=2026-01-01"));
        assert!(!holds("validFor.startDateTime.lt=2026-01-01"));
        assert!(holds("name.regex=^A"));
        assert!(holds("name=Ada&status=approved"));
        assert!(!holds("name=Ada&status=validated"));
    }
}
