//! Translation of parsed TMF list queries into SQL over JSON documents, for SQLite and
//! PostgreSQL.
//!
//! Only two kinds of text reach the SQL string: this module's own fixed fragments, and
//! attribute names taken from the resource's spec catalogue (checked against a strict
//! character set). Every client value is a bound parameter.

use sea_orm::{DbBackend, Statement, Value};
use serde_json::Value as Json;
use tmf_apis::{Clause, FieldPath, FieldType, FilterValue, ListQuery, Op, Segment};

/// A SQL statement under construction: text plus bound values, with the backend's
/// placeholder syntax.
#[derive(Debug)]
pub struct Sql {
    backend: DbBackend,
    text: String,
    values: Vec<Value>,
    aliases: usize,
}

impl Sql {
    /// An empty statement for `backend`.
    pub fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            text: String::with_capacity(256),
            values: Vec::new(),
            aliases: 0,
        }
    }

    /// Appends fixed SQL text.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        match self.backend {
            DbBackend::Postgres => {
                let n = self.values.len();
                self.text.push('$');
                self.text.push_str(&n.to_string());
            }
            _ => self.text.push('?'),
        }
        self
    }

    /// Appends placeholders bound to `values`, separated by commas: the inside of an
    /// `IN (…)`.
    pub fn bind_list<V: Into<Value>>(&mut self, values: impl IntoIterator<Item = V>) -> &mut Self {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(value);
        }
        self
    }

    fn next_alias(&mut self) -> String {
        self.aliases += 1;
        format!("e{}", self.aliases)
    }

    /// The database the statement is for.
    pub fn backend(&self) -> DbBackend {
        self.backend
    }

    /// The finished statement.
    pub fn build(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }

    /// Runs a `SELECT COUNT(*) AS total …` and returns the count.
    pub async fn count(
        self,
        connection: &impl sea_orm::ConnectionTrait,
    ) -> tmf_apis::TmfResult<u64> {
        let total: i64 = match connection
            .query_one_raw(self.build())
            .await
            .map_err(crate::error::query_error)?
        {
            Some(row) => row
                .try_get("", "total")
                .map_err(crate::error::query_error)?,
            None => 0,
        };
        Ok(u64::try_from(total).unwrap_or(0))
    }
}

/// Whether an attribute name may be spliced into SQL (the catalogue admits no other).
pub(crate) use tmf_apis::catalog::is_plain_name as is_safe_name;

/// The SQL expression that extracts the text or scalar at `segments` (none of which is an
/// array) from the JSON held in `base`.
pub(crate) fn json_scalar(backend: DbBackend, base: &str, segments: &[&str]) -> String {
    debug_assert!(segments.iter().all(|s| is_safe_name(s)));
    match backend {
        DbBackend::Postgres => {
            let path = segments
                .iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(",");
            format!("({base} #>> '{{{path}}}')")
        }
        _ => {
            if segments.is_empty() {
                return base.to_owned();
            }
            let path: String = segments.iter().map(|s| format!(".\"{s}\"")).collect();
            format!("json_extract({base}, '${path}')")
        }
    }
}

/// The SQL expression yielding the JSON array at `segments` of `base`, for iteration.
fn json_array_source(backend: DbBackend, base: &str, segments: &[&str]) -> String {
    match backend {
        DbBackend::Postgres => {
            let path = segments
                .iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(",");
            format!(
                "jsonb_array_elements(CASE WHEN jsonb_typeof({base} #> '{{{path}}}') = 'array' THEN {base} #> '{{{path}}}' ELSE '[]'::jsonb END)"
            )
        }
        _ => {
            let path: String = segments.iter().map(|s| format!(".\"{s}\"")).collect();
            format!("json_each({base}, '${path}')")
        }
    }
}

/// The expression a filter or sort on the attribute at `segments` (none a list) of `base`
/// compares: the scalar, typed as the attribute compares (an index must be on exactly this).
pub(crate) fn typed_scalar(
    backend: DbBackend,
    base: &str,
    segments: &[&str],
    field_type: FieldType,
) -> String {
    typed(backend, field_type, &json_scalar(backend, base, segments))
}

/// Wraps a leaf expression so that it compares with the attribute's type.
fn typed(backend: DbBackend, field_type: FieldType, expression: &str) -> String {
    match (backend, field_type) {
        (DbBackend::Postgres, FieldType::DateTime) => format!("({expression})::timestamptz"),
        (DbBackend::Postgres, FieldType::Number | FieldType::Integer) => {
            format!("({expression})::numeric")
        }
        (_, FieldType::DateTime) => format!("julianday({expression})"),
        _ => expression.to_owned(),
    }
}

/// Binds a filter value with the type its attribute compares as.
fn bind_typed(sql: &mut Sql, value: &FilterValue) {
    let backend = sql.backend();
    match (backend, value) {
        (_, FilterValue::Text(text)) => {
            sql.bind(text.clone());
        }
        (DbBackend::Postgres, FilterValue::Instant(instant)) => {
            sql.push("CAST(")
                .bind(instant.to_rfc3339())
                .push(" AS timestamptz)");
        }
        (_, FilterValue::Instant(instant)) => {
            sql.push("julianday(").bind(instant.to_rfc3339()).push(")");
        }
        (DbBackend::Postgres, FilterValue::Number(number)) => {
            sql.push("CAST(")
                .bind(number.to_string())
                .push(" AS numeric)");
        }
        (_, FilterValue::Number(number)) => {
            // SQLite compares JSON numbers as doubles; exact enough for ordering.
            let as_double: f64 = number.to_string().parse().unwrap_or(f64::NAN);
            sql.bind(as_double);
        }
        (DbBackend::Postgres, FilterValue::Bool(flag)) => {
            sql.bind(flag.to_string());
        }
        (_, FilterValue::Bool(flag)) => {
            sql.bind(i64::from(*flag));
        }
        (_, FilterValue::Json(value)) => {
            sql.bind(value.to_string());
        }
    }
}

/// Appends an equality of the extension attribute at `segments` of `base` with any of the
/// JSON scalars `values`, compared as JSON: by type and value (numbers as numbers).
fn push_extension_match(sql: &mut Sql, base: &str, segments: &[Segment], values: &[FilterValue]) {
    let names: Vec<&str> = segments.iter().map(|s| s.name.as_str()).collect();
    debug_assert!(names.iter().all(|s| is_safe_name(s)));
    let scalars = values.iter().filter_map(|value| match value {
        FilterValue::Json(scalar) => Some(scalar),
        _ => None,
    });
    if sql.backend() == DbBackend::Postgres {
        // jsonb equality compares by type, numbers numerically.
        let path: Vec<String> = names.iter().map(|s| format!("\"{s}\"")).collect();
        sql.push("(")
            .push(base)
            .push(" #> '{")
            .push(&path.join(","))
            .push("}') IN (");
        for (i, scalar) in scalars.enumerate() {
            sql.push(if i == 0 { "" } else { ", " })
                .push("CAST(")
                .bind(scalar.to_string())
                .push(" AS jsonb)");
        }
        sql.push(")");
        return;
    }
    let path: String = names.iter().map(|s| format!(".\"{s}\"")).collect();
    let kind = format!("json_type({base}, '${path}')");
    let value = format!("json_extract({base}, '${path}')");
    sql.push("(FALSE");
    for scalar in scalars {
        sql.push(" OR ");
        match scalar {
            Json::String(text) => {
                sql.push("(")
                    .push(&kind)
                    .push(" = 'text' AND ")
                    .push(&value)
                    .push(" = ");
                sql.bind(text.clone()).push(")");
            }
            Json::Number(number) => {
                let as_double: f64 = number.to_string().parse().unwrap_or(f64::NAN);
                sql.push("(")
                    .push(&kind)
                    .push(" IN ('integer', 'real') AND ")
                    .push(&value);
                sql.push(" = ").bind(as_double).push(")");
            }
            Json::Bool(flag) => {
                sql.push(&kind)
                    .push(if *flag { " = 'true'" } else { " = 'false'" });
            }
            _ => {
                sql.push(&kind).push(" = 'null'");
            }
        }
    }
    sql.push(")");
}

/// Appends the values of an equality clause as `column IN (...)`, or, for prefix search,
/// as ranges (`column >= v AND column < v + U+10FFFF`) that an index answers.
fn push_key_match(sql: &mut Sql, column: &str, values: &[FilterValue], prefix: bool) {
    let texts: Vec<&str> = values
        .iter()
        .filter_map(|v| match v {
            FilterValue::Text(text) => Some(text.as_str()),
            _ => None,
        })
        .collect();
    if prefix {
        sql.push("(");
        for (i, text) in texts.iter().enumerate() {
            if i > 0 {
                sql.push(" OR ");
            }
            sql.push("(")
                .push(column)
                .push(" >= ")
                .bind((*text).to_owned())
                .push(" AND ")
                .push(column)
                .push(" < ")
                .bind(format!("{text}\u{10FFFF}"))
                .push(")");
        }
        if texts.is_empty() {
            sql.push("1 = 0");
        }
        sql.push(")");
    } else {
        sql.push(column)
            .push(" IN (")
            .bind_list(texts.iter().map(|text| (*text).to_owned()));
        if texts.is_empty() {
            sql.push("NULL");
        }
        sql.push(")");
    }
}

/// A search attribute as a condition on a row of `table`: a probe of the index per row
/// (`id IN (…)` would gather every match first: all the active customers, to narrow a name
/// search by status).
fn push_search(
    sql: &mut Sql,
    (table, kind): (&str, &str),
    key: &str,
    prefix: bool,
    values: &[FilterValue],
) {
    sql.push("EXISTS (SELECT 1 FROM search_key WHERE ");
    push_own_keys(sql, (table, kind), key, values, prefix);
    sql.push(" AND source_id = ").push(table).push(".id)");
}

/// The search keys of resources of `kind` in `table` that match: an index range scan.
fn push_own_keys(
    sql: &mut Sql,
    (table, kind): (&str, &str),
    key: &str,
    values: &[FilterValue],
    prefix: bool,
) {
    sql.push("key_type = ")
        .bind(key.to_owned())
        .push(" AND source_table = ")
        .bind(table.to_owned())
        .push(" AND source_kind = ")
        .bind(kind.to_owned())
        .push(" AND ");
    push_key_match(sql, "key_value", values, prefix);
}

/// A query led by a search of the index: the leading search clause, and the other clauses,
/// which only narrow its matches.
#[derive(Debug)]
pub(crate) struct LedSearch<'q> {
    /// The leading search clause.
    pub lead: &'q Clause,
    /// Its index key type, and whether it matches by prefix.
    pub key: (&'static str, bool),
    /// Every other clause of the query.
    pub rest: Vec<&'q Clause>,
}

impl<'q> LedSearch<'q> {
    /// The search that leads `query`, if it has one: its first search other than of an
    /// indexed attribute's keys (`attributes`: a status matches too many to lead a name),
    /// else its first search of such keys.
    pub(crate) fn of(query: &'q ListQuery, attributes: &[&str]) -> Option<Self> {
        let searches = || {
            query.filter.iter().enumerate().filter_map(|(i, clause)| {
                match (clause.op, clause.path.field_type) {
                    (Op::Eq, FieldType::Search { key, .. }) => Some((i, key)),
                    _ => None,
                }
            })
        };
        let (position, _) = searches()
            .find(|(_, key)| !attributes.contains(key))
            .or_else(|| searches().next())?;
        let lead = &query.filter[position];
        let FieldType::Search { key, prefix } = lead.path.field_type else {
            return None;
        };
        let rest = query
            .filter
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != position)
            .map(|(_, clause)| clause)
            .collect();
        Some(Self {
            lead,
            key: (key, prefix),
            rest,
        })
    }

    /// The one value the search looks for, when the query may be paged in key order: one
    /// value and no sort. Such a page is read straight from the index ([`push_key_page`]),
    /// the other clauses checked on each chunk of matches, instead of gathering every match
    /// to sort it by id.
    pub(crate) fn keyset_value(&self, query: &ListQuery) -> Option<&'q str> {
        match (self.lead.values.as_slice(), query.sort.is_empty()) {
            ([FilterValue::Text(value)], true) => Some(value.as_str()),
            _ => None,
        }
    }
}

/// `SELECT id` of the resources among `ids` that satisfy every clause of `rest`.
pub(crate) fn push_narrowing(
    sql: &mut Sql,
    (table, kind): (&str, &str),
    ids: &[String],
    rest: &[&Clause],
) {
    sql.push("SELECT id FROM ")
        .push(table)
        .push(" WHERE kind = ")
        .bind(kind.to_owned())
        .push(" AND id IN (")
        .bind_list(ids.iter().cloned())
        .push(")");
    for clause in rest {
        sql.push(" AND (");
        push_clause(sql, (table, kind), "body", clause);
        sql.push(")");
    }
}

/// `SELECT key_value, source_id` of the resources of `kind` in `table` whose keys match, in
/// key order (then id), after the key `after` (keyset paging), at most `chunk`.
pub(crate) fn push_key_page(
    sql: &mut Sql,
    (table, kind): (&str, &str),
    (key, prefix, value): (&str, bool, &str),
    after: Option<&(String, String)>,
    chunk: i64,
) {
    let values = [FilterValue::Text(value.to_owned())];
    sql.push("SELECT key_value, source_id FROM search_key WHERE ");
    push_own_keys(sql, (table, kind), key, &values, prefix);
    if let Some((after_key, after_id)) = after {
        // A range the index answers (`>=`), then the tie on the key broken by id.
        sql.push(" AND key_value >= ")
            .bind(after_key.clone())
            .push(" AND (key_value > ")
            .bind(after_key.clone())
            .push(" OR source_id > ")
            .bind(after_id.clone())
            .push(")");
    }
    sql.push(" ORDER BY key_value, source_id LIMIT ")
        .bind(chunk);
}

/// The ids of the resources of `kind` in `table` whose keys match: a subquery for `FROM`,
/// each id once.
fn push_matched_ids(
    sql: &mut Sql,
    (table, kind): (&str, &str),
    (key, prefix): (&str, bool),
    values: &[FilterValue],
    alias: &str,
) {
    sql.push("(SELECT DISTINCT source_id AS id FROM search_key WHERE ");
    push_own_keys(sql, (table, kind), key, values, prefix);
    sql.push(") ").push(alias);
}

/// `SELECT COUNT(*) AS total` of the resources the query selects. A query led by a search
/// (a CSR's name prefix) is counted from the search index: the matching ids, each once
/// (`COUNT(*)` over a `DISTINCT` subquery, which PostgreSQL hashes where `COUNT(DISTINCT)`
/// would sort); a lone search of the resource's own keys is an index-only range scan
/// however many resources match. When the other clauses are all probes of the index (an
/// indexed attribute's equality), the matches are counted with those probes and no row is
/// read. When other clauses narrow it otherwise, the matches drive (`CROSS JOIN` keeps them
/// the outer loop on SQLite) and only their rows are read. Any other query is counted over
/// the table.
pub(crate) fn push_count(
    sql: &mut Sql,
    (table, kind): (&str, &str),
    query: &ListQuery,
    attributes: &[&str],
) {
    if let Some(led) = LedSearch::of(query, attributes) {
        sql.push("SELECT COUNT(*) AS total FROM ");
        let probes_only = !led.rest.is_empty()
            && led
                .rest
                .iter()
                .all(|clause| matches!(clause.path.field_type, FieldType::Search { .. }));
        if probes_only {
            // Every other clause probes the index by id (and checks the kind): the matches
            // stand in for the table's rows, which are never read.
            push_matched_ids(sql, (table, kind), led.key, &led.lead.values, table);
            for (i, clause) in led.rest.iter().enumerate() {
                sql.push(if i == 0 { " WHERE (" } else { " AND (" });
                push_clause(sql, (table, kind), "body", clause);
                sql.push(")");
            }
            return;
        }
        push_matched_ids(sql, (table, kind), led.key, &led.lead.values, "matched");
        if !led.rest.is_empty() {
            sql.push(" CROSS JOIN ")
                .push(table)
                .push(" WHERE ")
                .push(table)
                .push(".id = matched.id AND ")
                .push(table)
                .push(".kind = ")
                .bind(kind.to_owned());
            for clause in &led.rest {
                sql.push(" AND (");
                push_clause(sql, (table, kind), "body", clause);
                sql.push(")");
            }
        }
        return;
    }
    sql.push("SELECT COUNT(*) AS total FROM ").push(table);
    push_where(sql, table, kind, query);
}

/// Reverse references: the resources a `referrer` row (by id) refers to, directly or through
/// this resource's `via` reference.
fn push_referenced_by(
    sql: &mut Sql,
    table: &str,
    referrer: &str,
    via: Option<&str>,
    values: &[FilterValue],
) {
    sql.push(table)
        .push(".id IN (SELECT target_id FROM reference_index WHERE source_table = ")
        .bind(referrer.to_owned())
        .push(" AND ");
    push_key_match(sql, "source_id", values, false);
    sql.push(" AND target_table = ").bind(table.to_owned());
    if let Some(via) = via {
        sql.push(" UNION SELECT r.source_id FROM reference_index a JOIN reference_index r ON r.target_table = a.target_table AND r.target_id = a.target_id WHERE a.source_table = ")
            .bind(referrer.to_owned())
            .push(" AND ");
        push_key_match(sql, "a.source_id", values, false);
        sql.push(" AND r.source_table = ")
            .bind(table.to_owned())
            .push(" AND r.path = ")
            .bind(via.to_owned());
    }
    sql.push(")");
}

/// Appends `clause` as a boolean SQL condition on the document column `body` of `table`.
pub(crate) fn push_clause(sql: &mut Sql, (table, kind): (&str, &str), body: &str, clause: &Clause) {
    match clause.path.field_type {
        FieldType::Search { key, prefix } => {
            return push_search(sql, (table, kind), key, prefix, &clause.values);
        }
        FieldType::ReferencedBy {
            table: referrer,
            via,
        } => return push_referenced_by(sql, table, referrer, via, &clause.values),
        FieldType::Extension => {
            let negate = clause.op == Op::Ne;
            sql.push(if negate { "NOT COALESCE(" } else { "" });
            push_extension_match(sql, body, &clause.path.segments, &clause.values);
            sql.push(if negate { ", FALSE)" } else { "" });
            return;
        }
        _ => {}
    }
    match clause.op {
        Op::Ne => {
            // Holds when no value (no element, for lists) equals any of the values.
            sql.push("NOT COALESCE(");
            push_path_condition(sql, body, &clause.path.segments, clause, Op::Eq);
            sql.push(", FALSE)");
        }
        op => push_path_condition(sql, body, &clause.path.segments, clause, op),
    }
}

fn push_path_condition(sql: &mut Sql, base: &str, segments: &[Segment], clause: &Clause, op: Op) {
    let backend = sql.backend();
    match segments.iter().position(|s| s.is_array) {
        Some(index) => {
            let through: Vec<&str> = segments[..=index].iter().map(|s| s.name.as_str()).collect();
            let alias = sql.next_alias();
            let source = json_array_source(backend, base, &through);
            sql.push("EXISTS (SELECT 1 FROM ")
                .push(&source)
                .push(" AS ")
                .push(&alias)
                .push(" WHERE ");
            let element = format!("{alias}.value");
            push_path_condition(sql, &element, &segments[index + 1..], clause, op);
            sql.push(")");
        }
        None => {
            let names: Vec<&str> = segments.iter().map(|s| s.name.as_str()).collect();
            let scalar = if names.is_empty() && backend == DbBackend::Postgres {
                format!("({base} #>> '{{}}')")
            } else {
                json_scalar(backend, base, &names)
            };
            let left = typed(backend, clause.path.field_type, &scalar);
            push_comparison(sql, &left, clause, op);
        }
    }
}

fn push_comparison(sql: &mut Sql, left: &str, clause: &Clause, op: Op) {
    let backend = sql.backend();
    match op {
        Op::Eq if clause.values.len() > 1 => {
            sql.push(left).push(" IN (");
            for (i, value) in clause.values.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                bind_typed(sql, value);
            }
            sql.push(")");
        }
        Op::Regex => {
            let operator = if backend == DbBackend::Postgres {
                " ~ "
            } else {
                " REGEXP "
            };
            sql.push(left).push(operator);
            if let Some(value) = clause.values.first() {
                bind_typed(sql, value);
            }
        }
        op => {
            sql.push(left).push(" ").push(op.sql()).push(" ");
            if let Some(value) = clause.values.first() {
                bind_typed(sql, value);
            }
        }
    }
}

/// The ORDER BY expression of an attribute (never crossing a list).
fn sort_expression(backend: DbBackend, body: &str, path: &FieldPath) -> String {
    let names: Vec<&str> = path.segments.iter().map(|s| s.name.as_str()).collect();
    typed_scalar(backend, body, &names, path.field_type)
}

/// Appends ` WHERE …` for the kind and all clauses of `query`.
pub(crate) fn push_where(sql: &mut Sql, table: &str, kind: &str, query: &ListQuery) {
    sql.push(" WHERE kind = ").bind(kind.to_owned());
    for clause in &query.filter {
        sql.push(" AND (");
        push_clause(sql, (table, kind), "body", clause);
        sql.push(")");
    }
}

/// Appends ` ORDER BY … LIMIT … OFFSET …`.
pub(crate) fn push_order_and_page(sql: &mut Sql, query: &ListQuery) {
    let backend = sql.backend();
    sql.push(" ORDER BY ");
    for key in &query.sort {
        let expression = sort_expression(backend, "body", &key.path);
        sql.push(&expression)
            .push(if key.descending { " DESC" } else { " ASC" })
            .push(", ");
    }
    sql.push("id ASC LIMIT ")
        .bind(i64::try_from(query.limit).unwrap_or(i64::MAX))
        .push(" OFFSET ")
        .bind(i64::try_from(query.offset).unwrap_or(i64::MAX));
}

#[cfg(test)]
mod tests {
    use super::*;
    use tmf_apis::{FieldCatalog, QueryLimits};

    fn catalog() -> FieldCatalog {
        let spec = serde_json::json!({"definitions": {"C": {"properties": {
            "name": {"type": "string"},
            "validFor": {"properties": {"startDateTime": {"type": "string", "format": "date-time"}}},
            "relatedParty": {"type": "array", "items": {"properties": {"id": {"type": "string"}}}}
        }}}});
        FieldCatalog::from_swagger(&spec, "C").expect("catalog")
    }

    fn statement(backend: DbBackend, raw: &str) -> Statement {
        let query =
            ListQuery::parse(Some(raw), &catalog(), &QueryLimits::default()).expect("query");
        let mut sql = Sql::new(backend);
        sql.push("SELECT body FROM customer");
        push_where(&mut sql, "customer", "Customer", &query);
        push_order_and_page(&mut sql, &query);
        sql.build()
    }

    #[test]
    fn client_text_is_only_ever_bound() {
        for backend in [DbBackend::Sqlite, DbBackend::Postgres] {
            let stmt = statement(
                backend,
                "name=x'%20OR%201=1--&relatedParty.id=a,b&sort=-validFor.startDateTime",
            );
            assert!(!stmt.sql.contains("OR 1=1"), "{}", stmt.sql);
            assert!(stmt.sql.contains("EXISTS"), "{}", stmt.sql);
            let values = stmt.values.expect("values").0;
            assert!(values.contains(&Value::from("x' OR 1=1--".to_owned())));
        }
    }

    #[test]
    fn a_name_search_leads_and_an_indexed_attribute_only_when_alone() {
        let mut catalog = catalog();
        let name = FieldType::Search {
            key: "name",
            prefix: true,
        };
        catalog.insert_search("name", name);
        let parse = |raw: &str| {
            let mut query =
                ListQuery::parse(Some(raw), &catalog, &QueryLimits::default()).expect("query");
            // What the document service makes of an indexed attribute's equality.
            for clause in &mut query.filter {
                if clause
                    .path
                    .segments
                    .first()
                    .is_some_and(|s| s.name == "name")
                {
                    clause.path.field_type = FieldType::Search {
                        key: "status",
                        prefix: false,
                    };
                }
            }
            query
        };
        let both = parse("name=active&search.name=ana");
        let led = LedSearch::of(&both, &["status"]).expect("led");
        assert_eq!(led.key.0, "name");
        assert_eq!(led.rest.len(), 1);
        assert_eq!(led.keyset_value(&both), Some("ana"));

        let alone = parse("name=active");
        let led = LedSearch::of(&alone, &["status"]).expect("led");
        assert_eq!(led.key.0, "status");
        assert!(led.rest.is_empty());

        let sorted = parse("search.name=ana&sort=name");
        let led = LedSearch::of(&sorted, &["status"]).expect("led");
        assert_eq!(
            led.keyset_value(&sorted),
            None,
            "a sort is paged in its own order"
        );
        assert!(LedSearch::of(&parse("validFor.startDateTime.gt=2024-01-01"), &[]).is_none());
    }

    #[test]
    fn postgres_placeholders_are_numbered() {
        let stmt = statement(
            DbBackend::Postgres,
            "name=a&validFor.startDateTime.gt=2024-01-01",
        );
        assert!(
            stmt.sql.contains("$1") && stmt.sql.contains("$3"),
            "{}",
            stmt.sql
        );
        assert!(stmt.sql.contains("::timestamptz"), "{}", stmt.sql);
    }

    #[test]
    fn names_outside_the_safe_set_are_refused() {
        assert!(is_safe_name("@referredType"));
        assert!(!is_safe_name("a'b"));
        assert!(!is_safe_name("a.b"));
        assert!(!is_safe_name(""));
    }
}
