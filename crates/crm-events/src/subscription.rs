//! Hub subscriptions, as stored.

use chrono::Utc;
use crm_store::ConnectionTrait;
use crm_store::Store;
use crm_store::sql::Sql;
use serde_json::{Value, json};
use tmf_apis::{TmfError, TmfResult};

use crm_store::db_error;

/// The id of the built-in subscription through which every event reaches the event bus
/// (NATS JetStream) with the same guarantees as a listener.
pub const BUS_SUBSCRIPTION: &str = "event-bus";

/// A listener registered on an API's hub. Its `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Subscription {
    /// Its id.
    pub id: String,
    /// The API's base path (`/tmf-api/customerManagement/v4/`), or `*` for the event bus.
    pub api: String,
    /// Where events are POSTed (or the NATS URL of the bus).
    pub callback: String,
    /// Which events it wants, in the filter grammar (`eventType=…&status=…`).
    pub query: Option<String>,
    /// The key deliveries are signed with (HMAC-SHA256), if any. Never shown.
    pub secret: Option<String>,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .field("api", &self.api)
            .field("callback", &self.callback)
            .field("query", &self.query)
            .field("secret", &self.secret.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl Subscription {
    /// The TMF `EventSubscription` representation (the secret is never shown).
    pub fn to_json(&self) -> Value {
        let mut body = json!({
            "id": self.id,
            "callback": self.callback,
        });
        if let (Some(query), Value::Object(map)) = (&self.query, &mut body) {
            map.insert("query".into(), Value::String(query.clone()));
        }
        body
    }
}

fn from_row(row: &crm_store::QueryResult) -> TmfResult<Subscription> {
    Ok(Subscription {
        id: row.try_get("", "id").map_err(db_error)?,
        api: row.try_get("", "api").map_err(db_error)?,
        callback: row.try_get("", "callback").map_err(db_error)?,
        query: row.try_get("", "query").map_err(db_error)?,
        secret: row.try_get("", "secret").map_err(db_error)?,
    })
}

/// Stores a new subscription.
pub(crate) async fn insert(
    store: &Store,
    subscription: &Subscription,
    created_by: &str,
) -> TmfResult<()> {
    let mut sql = Sql::new(store.backend());
    sql.push("INSERT INTO event_subscription (id, api, callback, query, secret, created_by, created_at) VALUES (")
        .bind(subscription.id.clone())
        .push(", ")
        .bind(subscription.api.clone())
        .push(", ")
        .bind(subscription.callback.clone())
        .push(", ")
        .bind(subscription.query.clone())
        .push(", ")
        .bind(subscription.secret.clone())
        .push(", ")
        .bind(created_by.to_owned())
        .push(", ")
        .bind(Utc::now().timestamp_micros())
        .push(")");
    store
        .write(async |txn| txn.execute_raw(sql.build()).await.map_err(db_error))
        .await?;
    Ok(())
}

/// Makes sure the event bus subscription exists (or, with `callback` `None`, that it does
/// not, along with its pending deliveries).
pub(crate) async fn ensure_bus(store: &Store, callback: Option<&str>) -> TmfResult<()> {
    let existing = get(store, "*", BUS_SUBSCRIPTION).await?;
    match (existing, callback) {
        (Some(existing), Some(callback)) if existing.callback == callback => Ok(()),
        (Some(_), Some(callback)) => {
            let mut sql = Sql::new(store.backend());
            sql.push("UPDATE event_subscription SET callback = ")
                .bind(callback.to_owned())
                .push(" WHERE id = ")
                .bind(BUS_SUBSCRIPTION);
            store
                .write(async |txn| txn.execute_raw(sql.build()).await.map_err(db_error))
                .await?;
            Ok(())
        }
        (None, Some(callback)) => {
            let bus = Subscription {
                id: BUS_SUBSCRIPTION.into(),
                api: "*".into(),
                callback: callback.to_owned(),
                query: None,
                secret: None,
            };
            match insert(store, &bus, "system").await {
                // Another instance created it at the same moment.
                Err(_) if get(store, "*", BUS_SUBSCRIPTION).await?.is_some() => Ok(()),
                other => other,
            }
        }
        (Some(_), None) => delete(store, "*", BUS_SUBSCRIPTION).await.map(|_| ()),
        (None, None) => Ok(()),
    }
}

/// A subscription of an API's hub.
pub(crate) async fn get(store: &Store, api: &str, id: &str) -> TmfResult<Option<Subscription>> {
    let mut sql = Sql::new(store.backend());
    sql.push("SELECT id, api, callback, query, secret FROM event_subscription WHERE id = ")
        .bind(id.to_owned())
        .push(" AND api = ")
        .bind(api.to_owned());
    let row = store
        .connection()
        .query_one_raw(sql.build())
        .await
        .map_err(db_error)?;
    row.as_ref().map(from_row).transpose()
}

/// Every subscription.
pub(crate) async fn all(connection: &impl ConnectionTrait) -> TmfResult<Vec<Subscription>> {
    let mut sql = Sql::new(connection.get_database_backend());
    sql.push("SELECT id, api, callback, query, secret FROM event_subscription ORDER BY id");
    let rows = connection
        .query_all_raw(sql.build())
        .await
        .map_err(db_error)?;
    rows.iter().map(from_row).collect()
}

/// Removes a subscription and its undelivered events; `false` when there was none.
pub(crate) async fn delete(store: &Store, api: &str, id: &str) -> TmfResult<bool> {
    let txn = store.begin().await?;
    let outcome = async {
        let mut sql = Sql::new(store.backend());
        sql.push("DELETE FROM event_subscription WHERE id = ")
            .bind(id.to_owned())
            .push(" AND api = ")
            .bind(api.to_owned());
        let deleted = txn.execute_raw(sql.build()).await.map_err(db_error)?;
        if deleted.rows_affected() == 0 {
            return Ok(false);
        }
        let mut sql = Sql::new(store.backend());
        sql.push("DELETE FROM event_delivery WHERE subscription_id = ")
            .bind(id.to_owned());
        txn.execute_raw(sql.build()).await.map_err(db_error)?;
        Ok::<_, TmfError>(true)
    }
    .await;
    crm_store::finish(txn, outcome).await
}

#[cfg(test)]
mod debug_tests {
    use super::Subscription;

    #[test]
    fn debug_never_shows_the_secret() {
        let subscription = Subscription {
            id: "s1".into(),
            api: "/tmf-api/party/v4/".into(),
            callback: "https://listener.example/cb".into(),
            query: None,
            secret: Some("a-very-long-shared-secret".into()),
        };
        let shown = format!("{subscription:?}");
        assert!(!shown.contains("a-very-long-shared-secret"), "{shown}");
        assert!(shown.contains("[redacted]") && shown.contains("listener.example"));
    }
}
