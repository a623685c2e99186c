//! Black-box test support: a fresh database per test (a temporary SQLite file, or a fresh
//! PostgreSQL schema when `TEST_DATABASE_URL` is set), the real router built by
//! `crm_server::app`, and requests sent to it in memory.

use std::path::PathBuf;
use std::sync::Arc;

pub mod listener;
pub mod schema;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use crm_auth::Secret;
use crm_server::{AppState, Settings, app};
use crm_store::{PoolOptions, ShiftedClock, Store};
use http_body_util::BodyExt;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use tower::ServiceExt;

/// Where the test's database lives, removed when the test ends.
enum TestDb {
    Sqlite(PathBuf),
    Postgres {
        url: String,
        schema: String,
    },
    /// Another instance's database: removed by the instance that made it.
    Shared,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self {
            TestDb::Shared => {}
            TestDb::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            TestDb::Postgres { url, schema } => {
                let (url, schema) = (url.clone(), schema.clone());
                // Drop runs inside the test's runtime: clean up from a thread of its own.
                let _ = std::thread::spawn(move || {
                    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    runtime.block_on(async {
                        if let Ok(store) = Store::connect(&url, &small_pool(None)).await {
                            // Never wait for long: a lock held by a test's leftover connection
                            // must not hang the suite (the schema is then left behind).
                            let _ = store
                                .connection()
                                .execute_unprepared(&format!(
                                    "SET lock_timeout = '10s'; DROP SCHEMA IF EXISTS {schema} CASCADE"
                                ))
                                .await;
                            store.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

fn small_pool(schema: Option<String>) -> PoolOptions {
    PoolOptions {
        max_connections: 4,
        schema,
        ..PoolOptions::default()
    }
}

/// A response, with its body read.
#[derive(Debug)]
pub struct TestResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body as JSON (`Null` when empty or not JSON).
    pub body: Value,
    /// The body as text.
    pub text: String,
}

impl TestResponse {
    /// Asserts the status, showing the body when it is not the one expected.
    #[track_caller]
    pub fn assert_status(&self, status: StatusCode, what: &str) {
        assert_eq!(
            self.status, status,
            "{what}: unexpected status; body: {}",
            self.text
        );
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `id` of the returned resource.
    pub fn id(&self) -> String {
        self.body["id"].as_str().unwrap_or_default().to_owned()
    }

    /// Asserts a TMF Error body with this status, and returns its message.
    pub fn assert_tmf_error(&self, status: u16) -> String {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text
        );
        for field in ["code", "reason", "message", "status", "@type"] {
            assert!(
                self.body.get(field).is_some_and(Value::is_string),
                "error body lacks '{field}': {}",
                self.text
            );
        }
        assert_eq!(self.body["status"], status.to_string(), "{}", self.text);
        assert_eq!(self.body["@type"], "Error");
        self.body["message"].as_str().unwrap_or_default().to_owned()
    }
}

/// A running application over a database of its own. Its database is removed when it is
/// dropped.
pub struct TestApp {
    router: Router,
    /// Every resource the application serves (the route table).
    pub descriptors: Vec<tmf_apis::ResourceDescriptor>,
    settings: Settings,
    admin_token: String,
    /// The store, for tests that look underneath the API.
    pub store: Store,
    /// The event dispatcher of this instance (not started: tests start it).
    pub dispatcher: crm_events::Dispatcher,
    /// The clock of the business rules: tests move it forward.
    pub clock: Arc<ShiftedClock>,
    /// The background jobs of this instance (not started: tests run passes of them).
    pub jobs: Vec<Arc<dyn crm_module::Job>>,
    /// The OpenAPI entries of every extension route, with the permission each needs.
    pub extension_operations: Vec<tmf_apis::openapi::ExtensionOperation>,
    /// The permission table the application was composed with.
    pub policy: Arc<dyn tmf_apis::AccessPolicy>,
    db_url: String,
    db_schema: Option<String>,
    _db: TestDb,
}

impl std::fmt::Debug for TestApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestApp")
            .field("descriptors", &self.descriptors.len())
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

/// Whether the tests run against PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok_and(|url| url.starts_with("postgres"))
}

/// A TMF683 interaction body: `customer` called about a slow line, with every property a
/// client sets (the agent is the test token's subject, stated as the server records it).
pub fn phone_call(customer: &str) -> Value {
    json!({
        "description": "Customer called about a slow line",
        "direction": "inbound",
        "reason": "fault report",
        "status": "open",
        "interactionDate": {"startDateTime": "2026-11-23T10:00:00Z"},
        "channel": [{"id": "ch-phone", "href": "urn:channel:phone", "name": "phone", "role": "contact"}],
        "relatedParty": [
            {"id": customer, "href": format!("{CUSTOMER}/{customer}"), "@referredType": "Customer", "role": "customer"},
            {"id": "test-admin", "href": "urn:crm:user:test-admin", "@referredType": "User", "role": "agent"}
        ],
        "note": [{"text": "line tested remotely"}]
    })
}

/// The path of the resource `id` in the collection `path`.
pub fn item(path: &str, id: &str) -> String {
    format!("{path}/{id}")
}

impl TestApp {
    /// The ticket escalation job.
    pub fn escalator(&self) -> Arc<dyn crm_module::Job> {
        self.jobs
            .iter()
            .find(|job| job.name() == "ticketEscalation")
            .cloned()
            .expect("the application has the ticket escalation job")
    }

    /// `X-Total-Count` of the list `uri`.
    pub async fn total(&self, uri: &str) -> u64 {
        let response = self.get(uri).await;
        response.assert_status(StatusCode::OK, &format!("list {uri}"));
        response
            .header("x-total-count")
            .expect("a list has X-Total-Count")
            .parse()
            .expect("X-Total-Count is a number")
    }

    /// Starts an application on a fresh database.
    pub async fn new() -> Self {
        Self::with_settings(|_| {}).await
    }

    /// Starts an application on a fresh database with adjusted settings.
    pub async fn with_settings(adjust: impl FnOnce(&mut Settings)) -> Self {
        Self::with_modules(&crm_server::modules(), adjust).await
    }

    /// Starts an application of `modules` (the server's list, or another) on a fresh
    /// database with adjusted settings.
    pub async fn with_modules(
        modules: &[Arc<dyn crm_module::Module>],
        adjust: impl FnOnce(&mut Settings),
    ) -> Self {
        let unique = uuid::Uuid::now_v7().simple().to_string();
        let (store, db, db_url, db_schema) = match std::env::var("TEST_DATABASE_URL") {
            Ok(url) if url.starts_with("postgres") => {
                let schema = format!("t_{unique}");
                let admin = Store::connect(&url, &small_pool(None))
                    .await
                    .expect("TEST_DATABASE_URL must reach PostgreSQL");
                admin
                    .connection()
                    .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
                    .await
                    .expect("create schema");
                admin.close().await;
                let store = Store::connect(&url, &small_pool(Some(schema.clone())))
                    .await
                    .expect("connect to test schema");
                (
                    store,
                    TestDb::Postgres {
                        url: url.clone(),
                        schema: schema.clone(),
                    },
                    url,
                    Some(schema),
                )
            }
            _ => {
                let path = std::env::temp_dir().join(format!("crm-test-{unique}.db"));
                let url = format!("sqlite://{}", path.display());
                let store = Store::connect(&url, &small_pool(None))
                    .await
                    .expect("open SQLite");
                (store, TestDb::Sqlite(path), url, None)
            }
        };
        crm_module::migrate(&store, modules)
            .await
            .expect("migrations");
        let mut settings = Settings::load(None).expect("default settings");
        settings.auth.hs256_secret = Some(Secret::new(TEST_SECRET));
        adjust(&mut settings);
        let clock = Arc::new(ShiftedClock::default());
        let state = AppState::with_modules(store.clone(), &settings, clock.clone(), modules)
            .await
            .expect("wire the app");
        let jobs = state.jobs.clone();
        let extension_operations = state.extension_operations.clone();
        let policy = state.config.policy.clone();
        let descriptors = state
            .services
            .iter()
            .map(|s| s.descriptor().clone())
            .collect();
        let dispatcher = state.dispatcher.clone();
        let router = app(state, &settings);
        let mut app = Self {
            router,
            descriptors,
            settings,
            admin_token: String::new(),
            store,
            dispatcher,
            clock,
            jobs,
            extension_operations,
            policy,
            db_url,
            db_schema,
            _db: db,
        };
        app.admin_token = app.token("test-admin", &["admin"]);
        app
    }

    /// A second server instance on the same database, through connections of its own (as a
    /// second process sharing one PostgreSQL would have), with the same settings. It must not
    /// outlive this one, which removes the database.
    pub async fn another_instance(&self) -> TestApp {
        let store = Store::connect(&self.db_url, &small_pool(self.db_schema.clone()))
            .await
            .expect("connect again");
        let clock = Arc::new(ShiftedClock::default());
        let state = AppState::with_clock(store.clone(), &self.settings, clock.clone())
            .await
            .expect("wire the second instance");
        let jobs = state.jobs.clone();
        let dispatcher = state.dispatcher.clone();
        let router = app(state, &self.settings);
        TestApp {
            router,
            descriptors: self.descriptors.clone(),
            settings: self.settings.clone(),
            admin_token: self.admin_token.clone(),
            store,
            dispatcher,
            clock,
            jobs,
            extension_operations: self.extension_operations.clone(),
            policy: self.policy.clone(),
            db_url: self.db_url.clone(),
            db_schema: self.db_schema.clone(),
            _db: TestDb::Shared,
        }
    }

    /// Another server instance's dispatcher on the same database, through connections of
    /// its own (as a second process, or this one restarted, would have).
    pub async fn another_dispatcher(&self) -> crm_events::Dispatcher {
        let store = Store::connect(&self.db_url, &small_pool(self.db_schema.clone()))
            .await
            .expect("connect again");
        crm_events::Dispatcher::new(store, self.settings.events.clone(), &self.descriptors, None)
            .await
            .expect("dispatcher")
    }

    /// The settings the application runs with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// A valid token for `subject` with `roles`, signed with the test secret.
    pub fn token(&self, subject: &str, roles: &[&str]) -> String {
        let secret = self
            .settings
            .auth
            .hs256_secret
            .clone()
            .unwrap_or_else(|| Secret::new(TEST_SECRET));
        crm_auth::mint(
            &secret,
            &self.settings.auth.issuer,
            &self.settings.auth.audience,
            subject,
            &roles.iter().map(|r| (*r).to_owned()).collect::<Vec<_>>(),
            std::time::Duration::from_secs(600),
        )
        .expect("mint a token")
    }

    /// Sends `method uri` with `headers` and, if given, a JSON `body` (a merge patch on
    /// `PATCH`), as the test administrator.
    pub async fn send_with(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> TestResponse {
        let content_type = if method == Method::PATCH {
            "application/merge-patch+json"
        } else {
            "application/json"
        };
        let mut builder = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        if body.is_some() {
            builder = builder.header("content-type", content_type);
        }
        let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
        self.send(builder.body(body).expect("a request")).await
    }

    /// Sends a request as is, without adding a token.
    pub async fn send_anonymous(&self, request: Request<Body>) -> TestResponse {
        self.dispatch(request).await
    }

    /// Sends a request, as the test administrator unless it carries its own
    /// `Authorization` header.
    pub async fn send(&self, mut request: Request<Body>) -> TestResponse {
        if !request.headers().contains_key("authorization") {
            let value = format!("Bearer {}", self.admin_token)
                .parse()
                .expect("header value");
            request.headers_mut().insert("authorization", value);
        }
        self.dispatch(request).await
    }

    async fn dispatch(&self, request: Request<Body>) -> TestResponse {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router never fails");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        TestResponse {
            status,
            headers,
            body,
            text,
        }
    }

    /// Sends a request with a raw body and content type.
    pub async fn raw(
        &self,
        method: Method,
        uri: &str,
        content_type: Option<&str>,
        body: impl Into<Body>,
    ) -> TestResponse {
        let mut builder = Request::builder()
            .method(method)
            .uri(uri)
            .header("host", "crm.test");
        if let Some(content_type) = content_type {
            builder = builder.header("content-type", content_type);
        }
        self.send(builder.body(body.into()).expect("request")).await
    }

    /// `GET uri`.
    pub async fn get(&self, uri: &str) -> TestResponse {
        self.raw(Method::GET, uri, None, Body::empty()).await
    }

    /// `POST uri` with a JSON body.
    pub async fn post(&self, uri: &str, body: &Value) -> TestResponse {
        self.raw(
            Method::POST,
            uri,
            Some("application/json"),
            body.to_string(),
        )
        .await
    }

    /// `PATCH uri` with a body of the given media type.
    pub async fn patch(&self, uri: &str, content_type: &str, body: &Value) -> TestResponse {
        self.raw(Method::PATCH, uri, Some(content_type), body.to_string())
            .await
    }

    /// `POST`s the privacy erasure of the individual `id`, as the admin.
    pub async fn erase(&self, id: &str) -> TestResponse {
        self.raw(
            Method::POST,
            &format!("{INDIVIDUAL}/{id}/erasure"),
            None,
            Body::empty(),
        )
        .await
    }

    /// `DELETE uri`.
    pub async fn delete(&self, uri: &str) -> TestResponse {
        self.raw(Method::DELETE, uri, None, Body::empty()).await
    }

    /// Creates an individual and returns its id.
    pub async fn individual(&self, given: &str, family: &str) -> String {
        let response = self
            .post(
                INDIVIDUAL,
                &serde_json::json!({"givenName": given, "familyName": family}),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
        response.id()
    }

    /// Creates an individual reachable at the phone number `phone` and returns its id.
    pub async fn individual_with_phone(&self, given: &str, family: &str, phone: &str) -> String {
        let response = self
            .post(
                INDIVIDUAL,
                &serde_json::json!({"givenName": given, "familyName": family, "contactMedium": [
                    {"mediumType": "phone", "characteristic": {"phoneNumber": phone}}
                ]}),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
        response.id()
    }

    /// The type of every event in the outbox, in no particular order.
    pub async fn event_types(&self) -> Vec<String> {
        use sea_orm::ConnectionTrait;
        let rows = self
            .store
            .connection()
            .query_all_raw(sea_orm::Statement::from_string(
                self.store.backend(),
                "SELECT event_type FROM event_outbox",
            ))
            .await
            .expect("events");
        rows.iter()
            .map(|row| row.try_get::<String>("", "event_type").expect("type"))
            .collect()
    }

    /// Creates a customer engaging the individual `party`, brings it to `status` through
    /// the lifecycle (a customer cannot be created inactive or closed), and returns its id.
    pub async fn customer(&self, name: &str, party: &str, status: &str) -> String {
        let (initial, then) = match status {
            "inactive" => ("active", Some("inactive")),
            "closed" => ("initialized", Some("closed")),
            other => (other, None),
        };
        let response = self
            .post(
                CUSTOMER,
                &serde_json::json!({
                    "name": name,
                    "status": initial,
                    "engagedParty": {"id": party, "@referredType": "Individual"}
                }),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
        let id = response.id();
        if let Some(status) = then {
            let moved = self
                .patch(
                    &format!("{CUSTOMER}/{id}"),
                    "application/merge-patch+json",
                    &serde_json::json!({ "status": status }),
                )
                .await;
            assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
        }
        id
    }
}

/// The HS256 secret of test applications.
pub const TEST_SECRET: &str = "test-secret-that-is-long-enough-for-hs256";

/// `/tmf-api/party/v4/individual`.
pub const INDIVIDUAL: &str = "/tmf-api/party/v4/individual";
/// `/tmf-api/party/v4/organization`.
pub const ORGANIZATION: &str = "/tmf-api/party/v4/organization";
/// `/tmf-api/customerManagement/v4/customer`.
pub const CUSTOMER: &str = "/tmf-api/customerManagement/v4/customer";
/// `/tmf-api/partyRoleManagement/v4/partyRole`.
pub const PARTY_ROLE: &str = "/tmf-api/partyRoleManagement/v4/partyRole";
