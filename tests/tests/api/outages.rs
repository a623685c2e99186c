//! Database outages are retryable: a lost, refused or closed database connection, a pool
//! with nothing to give, a server shutting down or failing over answer `503` with
//! `Retry-After` and a TMF Error body, never `500`; and the server serves again once the
//! database is back.
//!
//! The shared PostgreSQL is never stopped here: on PostgreSQL the tests end their own
//! connection (`pg_terminate_backend(pg_backend_pid())`) and raise the outage SQLSTATEs
//! themselves; `crm-bench pg-restart` restarts a real cluster (docs/performance.md).

use std::time::Duration;

use axum::http::StatusCode;
use crm_auth::Secret;
use crm_server::{AppState, Settings, app};
use crm_store::{PoolOptions, Store, db_error};
use crm_tests::{INDIVIDUAL, TEST_SECRET, TestApp, TestResponse, on_postgres};
use sea_orm::ConnectionTrait;
use serde_json::json;

/// A 503 a client may retry: `Retry-After` and a TMF Error with code `UNAVAILABLE`.
#[track_caller]
fn assert_retryable(response: &TestResponse, what: &str) {
    response.assert_status(StatusCode::SERVICE_UNAVAILABLE, what);
    response.assert_tmf_error(503);
    assert_eq!(
        response.body["code"], "UNAVAILABLE",
        "{what}: {}",
        response.text
    );
    assert_eq!(response.header("retry-after"), Some("1"), "{what}");
}

#[tokio::test]
async fn a_closed_pool_answers_503_with_retry_after_on_reads_and_writes() {
    let app = TestApp::new().await;
    let id = app.individual("Ana", "Lopes").await;
    // Every connection of the application's pool goes away and none can be had.
    app.store.clone().close().await;
    assert_retryable(&app.get(&format!("{INDIVIDUAL}/{id}")).await, "read");
    assert_retryable(&app.get(&format!("{INDIVIDUAL}?limit=5")).await, "list");
    assert_retryable(
        &app.post(
            INDIVIDUAL,
            &json!({"givenName": "Rui", "familyName": "Costa"}),
        )
        .await,
        "create",
    );
    assert_retryable(
        &app.patch(
            &format!("{INDIVIDUAL}/{id}"),
            "application/merge-patch+json",
            &json!({"givenName": "Ana Maria"}),
        )
        .await,
        "patch",
    );
    assert_retryable(&app.delete(&format!("{INDIVIDUAL}/{id}")).await, "delete");
}

#[tokio::test]
async fn a_refused_database_connection_is_503() {
    // Nothing listens on port 1 of the loopback: the connection is refused.
    let mut options = sea_orm::ConnectOptions::new("postgres://crm@127.0.0.1:1/crm");
    options
        .connect_timeout(Duration::from_secs(1))
        .acquire_timeout(Duration::from_secs(1));
    let error = sea_orm::Database::connect(options)
        .await
        .expect_err("nothing listens there");
    let mapped = db_error(error);
    assert_eq!(mapped.status(), StatusCode::SERVICE_UNAVAILABLE, "{mapped}");
    assert_eq!(mapped.code, tmf_apis::ErrorCode::Unavailable);
}

#[tokio::test]
async fn postgres_connection_errors_are_503_and_the_pool_recovers() {
    if !on_postgres() {
        return;
    }
    let app = TestApp::new().await;
    let db = app.store.connection();
    // The server ends this connection as it does on a fast shutdown or restart (57P01).
    let error = db
        .execute_unprepared("SELECT pg_terminate_backend(pg_backend_pid())")
        .await
        .expect_err("the backend is terminated");
    let mapped = db_error(error);
    assert_eq!(mapped.status(), StatusCode::SERVICE_UNAVAILABLE, "{mapped}");
    // The SQLSTATEs of a lost connection, a shutdown, a restart, full connection slots and a
    // server demoted to a standby, as PostgreSQL reports them.
    for code in [
        "08006", "08003", "57P01", "57P02", "57P03", "53300", "25006",
    ] {
        let error = db
            .execute_unprepared(&format!(
                "DO $$ BEGIN RAISE EXCEPTION 'outage' USING ERRCODE = '{code}'; END $$"
            ))
            .await
            .expect_err("raised");
        let mapped = db_error(error);
        assert_eq!(
            mapped.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "{code}: {mapped}"
        );
    }
    // A bug is still a bug.
    let error = db
        .execute_unprepared("SELECT * FROM no_such_table")
        .await
        .expect_err("no table");
    assert_eq!(db_error(error).status(), StatusCode::INTERNAL_SERVER_ERROR);
    // The pool replaces the terminated connection: the API serves again.
    app.individual("Ana", "Lopes").await;
}

/// Sends one request over a new loopback connection and reads the answer up to its close.
async fn http(address: std::net::SocketAddr, request: &str) -> String {
    let stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    let mut sent = 0;
    while sent < request.len() {
        stream.writable().await.expect("writable");
        match stream.try_write(&request.as_bytes()[sent..]) {
            Ok(n) => sent += n,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("send: {e}"),
        }
    }
    let mut answer = Vec::new();
    let mut buffer = vec![0; 4096];
    loop {
        stream.readable().await.expect("readable");
        match stream.try_read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buffer[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => break,
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn through_the_listener_an_outage_is_503_with_retry_after_even_on_health() {
    let path =
        std::env::temp_dir().join(format!("crm-outage-{}.db", uuid::Uuid::now_v7().simple()));
    let store = Store::connect(
        &format!("sqlite://{}", path.display()),
        &PoolOptions {
            max_connections: 2,
            ..PoolOptions::default()
        },
    )
    .await
    .expect("open SQLite");
    crm_module::migrate(&store, &crm_server::modules())
        .await
        .expect("migrations");
    let mut settings = Settings::load(None).expect("default settings");
    settings.auth.hs256_secret = Some(Secret::new(TEST_SECRET));
    let state = AppState::with_store(store.clone(), &settings)
        .await
        .expect("wire the app");
    let router = app(state, &settings);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let connections = settings.connections.clone();
    let server = tokio::spawn(async move {
        crm_server::serve(listener, router, &connections, std::future::pending()).await
    });
    let token = crm_auth::mint(
        &Secret::new(TEST_SECRET),
        &settings.auth.issuer,
        &settings.auth.audience,
        "outage-test",
        &["admin".to_owned()],
        Duration::from_secs(600),
    )
    .expect("token");
    let get = |uri: &str| {
        format!(
            "GET {uri} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
        )
    };
    let answer = http(address, &get("/health")).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    store.close().await;
    let answer = http(address, &get(&format!("{INDIVIDUAL}?limit=1"))).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("retry-after: 1"), "{answer}");
    assert!(answer.contains(r#""code":"UNAVAILABLE""#), "{answer}");
    let answer = http(address, &get("/health")).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("retry-after: 1"), "{answer}");

    server.abort();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[tokio::test]
async fn a_client_unsure_whether_its_create_committed_finds_it_by_its_own_reference() {
    let app = TestApp::new().await;
    let reference = format!("req-{}", uuid::Uuid::now_v7().simple());
    let body = json!({
        "givenName": "Ana",
        "familyName": "Lopes",
        "externalReference": [{"externalReferenceType": "clientRequest", "name": reference}]
    });
    let lookup = format!("{INDIVIDUAL}?externalReference.name={reference}&fields=id");
    // Before the create: not there, so creating is safe.
    assert_eq!(app.total(&lookup).await, 0);
    let created = app.post(INDIVIDUAL, &body).await;
    created.assert_status(StatusCode::CREATED, "create");
    // The answer was lost (a 503 after the commit): the re-read finds it, so no retry.
    let found = app.get(&lookup).await;
    found.assert_status(StatusCode::OK, "re-read");
    assert_eq!(found.body[0]["id"], created.body["id"], "{}", found.text);
    assert_eq!(app.total(&lookup).await, 1);
}
