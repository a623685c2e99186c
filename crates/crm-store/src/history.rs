//! Writing and reading the audit history.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Value};
use serde_json::{Map, Value as Json, json};
use tmf_apis::{Page, RequestContext, TmfResult};

use crate::error::db_error;
use crate::sql::Sql;

/// What happened to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// It was created.
    Create,
    /// It was changed.
    Update,
    /// It was deleted.
    Delete,
    /// Its personal data was erased.
    Erase,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Erase => "erase",
        }
    }
}

/// The attribute-level difference between two representations: each top-level attribute
/// whose value differs, with its previous and new value (absent side: `null`).
pub fn changes(previous: Option<&Json>, new: Option<&Json>) -> Vec<Json> {
    let empty = Map::new();
    let before = previous.and_then(Json::as_object).unwrap_or(&empty);
    let after = new.and_then(Json::as_object).unwrap_or(&empty);
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .filter(|name| before.get(*name) != after.get(*name))
        .map(|name| {
            json!({
                "attribute": name,
                "previous": before.get(name).cloned().unwrap_or(Json::Null),
                "new": after.get(name).cloned().unwrap_or(Json::Null),
            })
        })
        .collect()
}

/// Removes erased values from the history of a resource: every recorded value is erased by
/// the rule of [`crate::erase_document`] with the kind's `erasure` (a value erased as a whole
/// becomes [`crate::ERASED`]; without an erasure, only reference names are masked), and
/// every reason given for a change is kept only as the fact that one was given
/// ([`crate::ERASED`]).
pub(crate) async fn scrub(
    connection: &impl ConnectionTrait,
    table: &str,
    resource_id: &str,
    erasure: Option<&crate::Erasure>,
) -> TmfResult<()> {
    let backend = connection.get_database_backend();
    let mut select = Sql::new(backend);
    select
        .push("SELECT id, reason, changes FROM audit_history WHERE resource_table = ")
        .bind(table.to_owned())
        .push(" AND resource_id = ")
        .bind(resource_id.to_owned());
    let rows = connection
        .query_all_raw(select.build())
        .await
        .map_err(db_error)?;
    for row in rows {
        let id: String = row.try_get("", "id").map_err(db_error)?;
        let reason: Option<String> = row.try_get("", "reason").map_err(db_error)?;
        let changes = crate::document::read_json(&row, "changes")?;
        let mut scrubbed = Vec::new();
        for change in changes.as_array().cloned().unwrap_or_default() {
            let attribute = change["attribute"].as_str().unwrap_or_default().to_owned();
            let scrub_value =
                |value: &Json| crate::document::erase_attribute(&attribute, value, erasure);
            scrubbed.push(json!({
                "attribute": attribute,
                "previous": scrub_value(&change["previous"]),
                "new": scrub_value(&change["new"]),
            }));
        }
        let scrubbed = Json::Array(scrubbed);
        let value = match backend {
            DbBackend::Postgres => Value::Json(Some(Box::new(scrubbed))),
            _ => Value::from(scrubbed.to_string()),
        };
        let mut update = Sql::new(backend);
        update
            .push("UPDATE audit_history SET changes = ")
            .bind(value)
            .push(", reason = ")
            .bind(reason.map(|_| crate::ERASED.to_owned()))
            .push(" WHERE id = ")
            .bind(id);
        connection
            .execute_raw(update.build())
            .await
            .map_err(db_error)?;
    }
    Ok(())
}

/// One history record to write.
pub(crate) struct Record<'a> {
    pub(crate) table: &'a str,
    pub(crate) resource_type: &'a str,
    pub(crate) resource_id: &'a str,
    pub(crate) action: Action,
    pub(crate) changes: Vec<Json>,
}

/// Writes a record in the caller's transaction.
pub(crate) async fn write(
    connection: &impl ConnectionTrait,
    ctx: &RequestContext,
    record: Record<'_>,
) -> TmfResult<()> {
    let backend = connection.get_database_backend();
    let changes = Json::Array(record.changes);
    let changes = match backend {
        DbBackend::Postgres => Value::Json(Some(Box::new(changes))),
        _ => Value::from(changes.to_string()),
    };
    let mut sql = Sql::new(backend);
    sql.push("INSERT INTO audit_history (id, resource_table, resource_type, resource_id, action, actor, actor_roles, reason, occurred_at, changes) VALUES (")
        .bind(uuid::Uuid::now_v7().to_string())
        .push(", ")
        .bind(record.table.to_owned())
        .push(", ")
        .bind(record.resource_type.to_owned())
        .push(", ")
        .bind(record.resource_id.to_owned())
        .push(", ")
        .bind(record.action.as_str())
        .push(", ")
        .bind(ctx.actor.subject.clone())
        .push(", ")
        .bind(ctx.actor.roles.join(","))
        .push(", ")
        .bind(ctx.reason.clone())
        .push(", ")
        .bind(Utc::now().timestamp_micros())
        .push(", ")
        .bind(changes)
        .push(")");
    connection
        .execute_raw(sql.build())
        .await
        .map_err(db_error)?;
    Ok(())
}

/// The history of one resource, newest first.
pub(crate) async fn read(
    connection: &impl ConnectionTrait,
    table: &str,
    resource_id: &str,
    offset: u64,
    limit: u64,
) -> TmfResult<Page> {
    read_many(
        connection,
        &[(table.to_owned(), resource_id.to_owned())],
        offset,
        limit,
    )
    .await
}

/// The merged history of several resources (`(table, id)` pairs), newest first.
pub async fn read_many(
    connection: &impl ConnectionTrait,
    resources: &[(String, String)],
    offset: u64,
    limit: u64,
) -> TmfResult<Page> {
    if resources.is_empty() {
        return Ok(Page {
            items: Vec::new(),
            total: 0,
        });
    }
    let backend = connection.get_database_backend();
    let scope = |sql: &mut Sql| {
        sql.push(" WHERE (");
        for (i, (table, id)) in resources.iter().enumerate() {
            if i > 0 {
                sql.push(" OR ");
            }
            sql.push("(resource_table = ")
                .bind(table.clone())
                .push(" AND resource_id = ")
                .bind(id.clone())
                .push(")");
        }
        sql.push(")");
    };
    let mut count = Sql::new(backend);
    count.push("SELECT COUNT(*) AS total FROM audit_history");
    scope(&mut count);
    let total = count.count(connection).await?;
    let mut select = Sql::new(backend);
    select.push("SELECT id, resource_type, resource_id, action, actor, actor_roles, reason, occurred_at, changes FROM audit_history");
    scope(&mut select);
    select
        .push(" ORDER BY occurred_at DESC, id DESC LIMIT ")
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .push(" OFFSET ")
        .bind(i64::try_from(offset).unwrap_or(i64::MAX));
    let rows = connection
        .query_all_raw(select.build())
        .await
        .map_err(db_error)?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let get = |column: &str| -> TmfResult<String> { row.try_get("", column).map_err(db_error) };
        let occurred_at: i64 = row.try_get("", "occurred_at").map_err(db_error)?;
        let reason: Option<String> = row.try_get("", "reason").map_err(db_error)?;
        let changes = crate::document::read_json(&row, "changes")?;
        let roles = get("actor_roles")?;
        let mut entry = json!({
            "id": get("id")?,
            "resourceType": get("resource_type")?,
            "resourceId": get("resource_id")?,
            "action": get("action")?,
            "actor": {
                "id": get("actor")?,
                "roles": roles.split(',').filter(|r| !r.is_empty()).collect::<Vec<_>>(),
            },
            "occurredAt": DateTime::<Utc>::from_timestamp_micros(occurred_at)
                .map(|t| t.to_rfc3339())
                .unwrap_or_default(),
            "changes": changes,
            "@type": "HistoryEntry",
        });
        if let (Some(reason), Json::Object(map)) = (reason, &mut entry) {
            map.insert("reason".into(), Json::String(reason));
        }
        items.push(entry);
    }
    Ok(Page { items, total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_list_each_differing_attribute_with_both_values() {
        let before = json!({"id": "1", "name": "A", "status": "active", "note": "x"});
        let after = json!({"id": "1", "name": "B", "status": "active", "extra": 1});
        assert_eq!(
            changes(Some(&before), Some(&after)),
            vec![
                json!({"attribute": "extra", "previous": null, "new": 1}),
                json!({"attribute": "name", "previous": "A", "new": "B"}),
                json!({"attribute": "note", "previous": "x", "new": null}),
            ]
        );
        assert_eq!(changes(None, Some(&json!({"a": 1}))).len(), 1);
        assert!(changes(Some(&before), Some(&before)).is_empty());
    }

    const KIND: crate::Erasure = crate::Erasure {
        keep: &["severity", "characteristic.name"],
        erase: &["birthDate"],
    };

    /// A ticket-like document with personal text everywhere, and what erasure makes of it
    /// when the model requires `description` and `characteristic[].value`.
    #[test]
    fn erasure_keeps_what_the_rule_keeps_and_nothing_else() {
        let document = json!({
            "id": "t1", "@type": "Ticket", "@schemaLocation": "urn:schema",
            "name": "Ada's line", "description": "Ada Lovelace is angry",
            "severity": "Major", "status": "open", "birthDate": "1815-12-10",
            "creationDate": "2026-01-01T00:00:00Z", "escalated": true,
            "vendorNote": "Ada", "vendorDetails": {"nested": {"remark": "Ada"}, "level": 3},
            "amount": {"unit": "EUR", "value": 12.5},
            "size": {"units": "MB", "amount": 3},
            "relatedParty": [{"id": "c1", "name": "Ada Lovelace", "role": "customer",
                "@referredType": "Customer", "vendorNote": "Ada"}],
            "note": [{"id": "n1", "date": "2026-01-01T00:00:00Z", "text": "call Ada"}],
            "statusChange": [{"status": "open", "changeDate": "2026-01-01T00:00:00Z",
                "changeReason": "Ada asked"}],
            "characteristic": [{"name": "speed", "value": "Ada's 500M"}],
            "tags": ["Ada", "2026-01-02"]
        });
        let valid = |candidate: &Json| {
            candidate.get("description").is_some()
                && candidate["characteristic"]
                    .as_array()
                    .is_none_or(|items| items.iter().all(|c| c.get("value").is_some()))
        };
        let (erased, touched) = crate::erase_document(&document, &KIND, valid);
        assert_eq!(
            erased,
            json!({
                "id": "t1", "@type": "Ticket", "@schemaLocation": "urn:schema",
                "description": crate::ERASED, "severity": "Major", "status": "open",
                "creationDate": "2026-01-01T00:00:00Z", "escalated": true,
                "vendorDetails": {"level": 3},
                "amount": {"unit": "EUR", "value": 12.5},
                "size": {"units": "MB", "amount": 3},
                "relatedParty": [{"id": "c1", "name": crate::ERASED, "role": "customer",
                    "@referredType": "Customer"}],
                "statusChange": [{"status": "open", "changeDate": "2026-01-01T00:00:00Z"}],
                "characteristic": [{"name": "speed", "value": crate::ERASED}]
            })
        );
        assert!(!erased.to_string().contains("Ada"), "{erased}");
        // A list that holds nothing kept for its own sake once erased (dates alone) goes.
        for attribute in [
            "name",
            "note",
            "birthDate",
            "vendorNote",
            "statusChange",
            "tags",
        ] {
            assert!(touched.iter().any(|t| t == attribute), "{touched:?}");
        }
        // Erasing again changes nothing.
        assert_eq!(crate::erase_document(&erased, &KIND, valid).0, erased);
    }

    #[test]
    fn recorded_values_are_erased_by_the_same_rule() {
        let erase = |attribute: &str, value: Json| {
            crate::document::erase_attribute(attribute, &value, Some(&KIND))
        };
        assert_eq!(erase("name", json!("Ada")), json!(crate::ERASED));
        assert_eq!(
            erase("note", json!([{"text": "Ada"}])),
            json!(crate::ERASED)
        );
        assert_eq!(erase("severity", json!("Major")), json!("Major"));
        assert_eq!(erase("name", Json::Null), Json::Null);
        assert_eq!(
            erase(
                "statusChange",
                json!([{"status": "open", "changeReason": "Ada"}])
            ),
            json!([{"status": "open"}])
        );
        // A kind without an erasure keeps its own values and masks its references' names.
        let party = json!([{"id": "p1", "name": "Ada", "@referredType": "Individual"}]);
        assert_eq!(
            crate::document::erase_attribute("relatedParty", &party, None),
            json!([{"id": "p1", "name": crate::ERASED, "@referredType": "Individual"}])
        );
        assert_eq!(
            crate::document::erase_attribute("name", &json!("Owls Ltd"), None),
            json!("Owls Ltd")
        );
    }
}
