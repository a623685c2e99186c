//! Every class of error leaves with a TMF Error body (`code`, `reason`, `message`, `status`,
//! `@type`), including those of the HTTP layer: request heads over the limits (431), bodies
//! over the limit written whole before the response is read (413, the body drained), paths,
//! query strings and headers that are not UTF-8 (400 naming what cannot be read).
//!
//! The 431 and 413 cases run against a real server (`crm_server::serve` on 127.0.0.1, port
//! 0) with a raw TCP client, since what matters there is what hyper and the kernel do.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, StatusCode};
use crm_server::{AppState, MAX_HEADER_BYTES, MAX_HEADER_LINES};
use crm_tests::{CUSTOMER, INDIVIDUAL, TestApp, TestResponse};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------
// A real server and a raw client
// ---------------------------------------------------------------------------------------

/// Serves the application of `app` (same database and settings) on a port of its own.
async fn serve(app: &TestApp) -> SocketAddr {
    let state = AppState::with_store(app.store.clone(), app.settings())
        .await
        .expect("wire the app");
    let router = crm_server::app(state, app.settings());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let connections = app.settings().connections.clone();
    tokio::spawn(async move {
        let _ = crm_server::serve(listener, router, &connections, std::future::pending()).await;
    });
    address
}

/// A response read off the wire.
#[derive(Debug)]
struct Wire {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Wire {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// Asserts a TMF Error with `status` and `code`; returns its message.
    #[track_caller]
    fn assert_tmf_error(&self, status: u16, code: &str) -> String {
        let body = self.json();
        assert_eq!(
            self.status,
            status,
            "unexpected status; body: {}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(body["code"], code, "{body}");
        assert_eq!(body["status"], status.to_string(), "{body}");
        assert_eq!(body["@type"], "Error", "{body}");
        assert!(body["reason"].is_string(), "{body}");
        body["message"].as_str().unwrap_or_default().to_owned()
    }
}

/// One connection, read through a buffer that survives between responses (keep-alive).
struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    fn connect(address: SocketAddr) -> Self {
        let stream = TcpStream::connect(address).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        stream
            .set_write_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        Self {
            reader: BufReader::new(stream),
        }
    }

    /// Writes the whole request, then reads the response.
    fn exchange(&mut self, request: &[u8]) -> std::io::Result<Wire> {
        self.reader.get_mut().write_all(request)?;
        self.reader.get_mut().flush()?;
        self.read_response()
    }

    fn read_response(&mut self) -> std::io::Result<Wire> {
        let mut status_line = String::new();
        self.reader.read_line(&mut status_line)?;
        let status = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("no status line: {status_line:?}")))?;
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line)?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
            }
        }
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        let mut body = Vec::new();
        if let Some(length) = header("content-length") {
            let length: usize = length.parse().map_err(std::io::Error::other)?;
            body.resize(length, 0);
            self.reader.read_exact(&mut body)?;
        } else if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
            loop {
                let mut size = String::new();
                self.reader.read_line(&mut size)?;
                let size = usize::from_str_radix(size.trim(), 16).map_err(std::io::Error::other)?;
                let mut chunk = vec![0; size + 2];
                self.reader.read_exact(&mut chunk)?;
                if size == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..size]);
            }
        } else if status != 304 && status != 204 {
            self.reader.read_to_end(&mut body)?;
        }
        Ok(Wire {
            status,
            headers,
            body,
        })
    }
}

/// The head of a request with the admin's token and `extra` header lines.
fn head(app: &TestApp, method: &str, path: &str, extra: &[String]) -> Vec<u8> {
    let token = app.token("test-admin", &["admin"]);
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nHost: crm.test\r\nAuthorization: Bearer {token}\r\n");
    for line in extra {
        head.push_str(line);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    head.into_bytes()
}

/// Runs blocking client code off the runtime.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("client thread")
}

async fn individuals(app: &TestApp) -> u64 {
    app.total(INDIVIDUAL).await
}

// ---------------------------------------------------------------------------------------
// 413: the body is drained, so a client that writes it whole reads the answer
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn an_oversized_body_written_whole_before_reading_gets_the_413_and_the_connection_lives() {
    let app = TestApp::new().await;
    let address = serve(&app).await;
    let limit = app.settings().body_limit_bytes;
    // Three times the limit: far more than the socket buffers hold, so a server that closed
    // without reading would reset the connection under the client's feet.
    let oversized = format!("{{\"givenName\": \"{}\"}}", "x".repeat(3 * limit));
    for round in 0..5 {
        let mut request = head(
            &app,
            "POST",
            INDIVIDUAL,
            &[
                "Content-Type: application/json".to_owned(),
                format!("Content-Length: {}", oversized.len()),
            ],
        );
        request.extend_from_slice(oversized.as_bytes());
        let health = b"GET /health HTTP/1.1\r\nHost: crm.test\r\n\r\n".to_vec();
        let (refused, then) = blocking(move || {
            let mut client = Client::connect(address);
            let refused = client
                .exchange(&request)
                .expect("the 413 is read, not reset");
            (refused, client.exchange(&health))
        })
        .await;
        let message = refused.assert_tmf_error(413, "PAYLOAD_TOO_LARGE");
        assert!(
            message.contains(&limit.to_string()),
            "round {round}: {message}"
        );
        let then = then.expect("the connection is still usable: the body was drained");
        assert_eq!(then.status, 200, "round {round}: GET /health after the 413");
    }

    // Without a declared length (chunked), the limit is found while reading; drained too.
    let mut request = head(
        &app,
        "POST",
        INDIVIDUAL,
        &[
            "Content-Type: application/json".to_owned(),
            "Transfer-Encoding: chunked".to_owned(),
        ],
    );
    for chunk in oversized.as_bytes().chunks(64 * 1024) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let refused = blocking(move || Client::connect(address).exchange(&request))
        .await
        .expect("the 413 is read, not reset");
    refused.assert_tmf_error(413, "PAYLOAD_TOO_LARGE");
    assert_eq!(individuals(&app).await, 0, "nothing was stored");
}

#[tokio::test]
async fn an_oversized_body_is_a_tmf_413_through_every_reader() {
    let app = TestApp::with_settings(|s| s.body_limit_bytes = 4096).await;
    let id = app.individual("Small", "Body").await;
    let huge = "y".repeat(3 * 4096);
    let hub = "/tmf-api/party/v4/hub";
    for (method, uri, content_type, body) in [
        (
            Method::POST,
            INDIVIDUAL.to_owned(),
            "application/json",
            json!({"givenName": huge}).to_string(),
        ),
        (
            Method::PATCH,
            format!("{INDIVIDUAL}/{id}"),
            "application/merge-patch+json",
            json!({"familyName": huge}).to_string(),
        ),
        (
            Method::POST,
            hub.to_owned(),
            "application/json",
            json!({"callback": format!("https://listener.example.com/{huge}")}).to_string(),
        ),
    ] {
        let what = format!("{method} {uri}");
        let response = app.raw(method, &uri, Some(content_type), body).await;
        let message = response.assert_tmf_error(413);
        assert_eq!(response.body["code"], "PAYLOAD_TOO_LARGE", "{what}");
        assert!(message.contains("4096 bytes"), "{what}: {message}");
    }
    assert_eq!(individuals(&app).await, 1);
}

// ---------------------------------------------------------------------------------------
// 431: request heads over the limits
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn request_heads_over_the_limits_are_a_tmf_431_from_a_real_server() {
    let app = TestApp::new().await;
    let address = serve(&app).await;
    let one_megabyte = vec![format!("X-Big: {}", "a".repeat(1_000_000))];
    let many_lines: Vec<String> = (0..200).map(|i| format!("X-Line-{i}: {i}")).collect();
    let just_over = vec![format!("X-Big: {}", "b".repeat(MAX_HEADER_BYTES))];
    for (what, lines, mention) in [
        ("a 1 MB header", one_megabyte, "X-Big"),
        ("200 header lines", many_lines, "202 header lines"),
        ("headers just over the limit", just_over, "x-big"),
    ] {
        let request = head(&app, "GET", INDIVIDUAL, &lines);
        let response = blocking(move || Client::connect(address).exchange(&request))
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let message = response.assert_tmf_error(431, "HEADERS_TOO_LARGE");
        assert!(
            message
                .to_ascii_lowercase()
                .contains(&mention.to_ascii_lowercase()),
            "{what}: {message}"
        );
    }
    // Within the limits, the same request passes.
    let within: Vec<String> = (0..MAX_HEADER_LINES - 10)
        .map(|i| format!("X-Line-{i}: {i}"))
        .collect();
    let request = head(&app, "GET", INDIVIDUAL, &within);
    let response = blocking(move || Client::connect(address).exchange(&request))
        .await
        .expect("response");
    assert_eq!(
        response.status,
        200,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
}

#[tokio::test]
async fn request_heads_over_the_limits_are_a_tmf_431_through_the_router() {
    let app = TestApp::new().await;
    let mut many = Request::builder()
        .uri(INDIVIDUAL)
        .header("host", "crm.test");
    for i in 0..=MAX_HEADER_LINES {
        many = many.header(format!("x-line-{i}"), "1");
    }
    let response = app.send(many.body(Body::empty()).expect("request")).await;
    response.assert_tmf_error(431);
    assert_eq!(response.body["code"], "HEADERS_TOO_LARGE");
    let big = Request::builder()
        .uri(INDIVIDUAL)
        .header("host", "crm.test")
        .header("x-big", "c".repeat(MAX_HEADER_BYTES))
        .body(Body::empty())
        .expect("request");
    let message = app.send(big).await.assert_tmf_error(431);
    assert!(message.contains(&MAX_HEADER_BYTES.to_string()), "{message}");
}

// ---------------------------------------------------------------------------------------
// 400: paths, query strings and headers that are not UTF-8
// ---------------------------------------------------------------------------------------

#[track_caller]
fn refused(response: &TestResponse, code: &str, mentions: &[&str], what: &str) {
    let message = response.assert_tmf_error(400);
    assert_eq!(response.body["code"], code, "{what}: {}", response.text);
    for mention in mentions {
        assert!(
            message.contains(mention),
            "{what}: '{mention}' not in {message}"
        );
    }
}

#[tokio::test]
async fn a_path_that_is_not_utf8_is_a_400_naming_the_path() {
    let app = TestApp::new().await;
    let bad = "%FF%FE";
    let item = format!("{INDIVIDUAL}/{bad}");
    let customer = format!("{CUSTOMER}/{bad}");
    let hub = format!("/tmf-api/party/v4/hub/{bad}");
    for (method, uri) in [
        (Method::GET, item.clone()),
        (Method::PATCH, item.clone()),
        (Method::DELETE, item.clone()),
        (Method::GET, format!("{item}/history")),
        (Method::POST, format!("{item}/erasure")),
        (Method::GET, format!("{customer}/view")),
        (Method::GET, format!("{customer}/timeline")),
        (Method::GET, hub.clone()),
        (Method::DELETE, hub),
    ] {
        let what = format!("{method} {uri}");
        let content_type = (method == Method::PATCH).then_some("application/merge-patch+json");
        let response = app.raw(method, &uri, content_type, "{}").await;
        refused(&response, "INVALID_PATH", &[&uri], &what);
    }
    // A path that is UTF-8 once decoded is read as usual: the id does not exist.
    let response = app.get(&format!("{INDIVIDUAL}/Zo%C3%AB")).await;
    let message = response.assert_tmf_error(404);
    assert!(message.contains("Zoë"), "{message}");
}

#[tokio::test]
async fn a_query_that_is_not_utf8_is_a_400_naming_the_parameter() {
    let app = TestApp::new().await;
    let zoe = app.individual("Zoë", "Quinn").await;
    for (query, mention) in [
        ("givenName=%FF%FE", "'givenName'"),
        ("familyName=Quinn&givenName=Zo%EB", "'givenName'"),
        ("search.phone=%FF", "'search.phone'"),
        ("search.name=%C3", "'search.name'"),
        ("%FF%FE=x", "'%FF%FE'"),
    ] {
        let uri = format!("{INDIVIDUAL}?{query}");
        refused(
            &app.get(&uri).await,
            "INVALID_QUERY",
            &[mention, "UTF-8"],
            &uri,
        );
    }
    // So do the queries of a retrieve, a history and the hub's own routes.
    for uri in [
        format!("{INDIVIDUAL}/{zoe}?fields=%FF"),
        format!("{INDIVIDUAL}/{zoe}/history?limit=%FF"),
        "/tmf-api/party/v4/hub/none/delivery?status=%FF".to_owned(),
    ] {
        let response = app.get(&uri).await;
        assert!(
            matches!(response.status.as_u16(), 400 | 404),
            "{uri}: {} {}",
            response.status,
            response.text
        );
        if response.status == StatusCode::BAD_REQUEST {
            refused(&response, "INVALID_QUERY", &["UTF-8"], &uri);
        }
    }
    let history = app
        .get(&format!("{INDIVIDUAL}/{zoe}/history?limit=%FF"))
        .await;
    refused(&history, "INVALID_QUERY", &["UTF-8"], "history");
    // Percent-encoded UTF-8 is read exactly.
    let found = app.get(&format!("{INDIVIDUAL}?givenName=Zo%C3%AB")).await;
    found.assert_status(StatusCode::OK, "givenName=Zoë");
    assert_eq!(found.body[0]["id"], zoe.as_str(), "{}", found.text);
}

fn with_header(
    method: Method,
    uri: &str,
    name: &str,
    value: &[u8],
    body: Option<Value>,
) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "crm.test")
        .header(
            name,
            HeaderValue::from_bytes(value).expect("obs-text is a header value"),
        );
    let body = match body {
        Some(body) => {
            builder = builder.header("content-type", "application/json");
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    builder.body(body).expect("request")
}

async fn outbox_bodies(app: &TestApp, id: &str) -> Vec<Value> {
    let backend = app.store.connection().get_database_backend();
    app.store
        .connection()
        .query_all_raw(Statement::from_string(
            backend,
            format!("SELECT body FROM event_outbox WHERE resource_id = '{id}'"),
        ))
        .await
        .expect("outbox")
        .iter()
        .map(|row| {
            let text: String = row.try_get("", "body").expect("body");
            serde_json::from_str(&text).expect("JSON")
        })
        .collect()
}

#[tokio::test]
async fn text_headers_are_utf8_kept_exactly_and_anything_else_is_a_400_naming_the_header() {
    let app = TestApp::new().await;
    let body = json!({"givenName": "Header", "familyName": "Text"});
    let created = app
        .send(with_header(
            Method::POST,
            INDIVIDUAL,
            "x-reason",
            "Zoë asked — twice".as_bytes(),
            Some(body.clone()),
        ))
        .await;
    created.assert_status(StatusCode::CREATED, "X-Reason in UTF-8");
    let id = created.id();
    let history = app.get(&format!("{INDIVIDUAL}/{id}/history")).await;
    assert_eq!(
        history.body[0]["reason"], "Zoë asked — twice",
        "{}",
        history.text
    );

    let correlated = app
        .send(with_header(
            Method::POST,
            INDIVIDUAL,
            "x-correlation-id",
            "commande-née-42".as_bytes(),
            Some(body.clone()),
        ))
        .await;
    correlated.assert_status(StatusCode::CREATED, "X-Correlation-ID in UTF-8");
    let events = outbox_bodies(&app, &correlated.id()).await;
    assert!(!events.is_empty());
    for event in events {
        assert_eq!(event["correlationId"], "commande-née-42", "{event}");
    }

    let before = individuals(&app).await;
    for name in ["X-Reason", "X-Correlation-ID", "X-Request-ID"] {
        for value in [&b"\xff\xfe"[..], b"caf\xe9", b"ok \xc3"] {
            for (method, uri, body) in [
                (Method::POST, INDIVIDUAL.to_owned(), Some(body.clone())),
                (Method::GET, format!("{INDIVIDUAL}/{id}"), None),
            ] {
                let what = format!("{method} {uri} with {name}: {value:?}");
                let response = app.send(with_header(method, &uri, name, value, body)).await;
                refused(&response, "INVALID_HEADER", &[name, "UTF-8"], &what);
            }
        }
    }
    assert_eq!(individuals(&app).await, before, "nothing was stored");
}

#[tokio::test]
async fn utf8_header_bytes_on_the_wire_reach_the_history() {
    let app = TestApp::new().await;
    let address = serve(&app).await;
    let body = json!({"givenName": "On", "familyName": "Wire"}).to_string();
    let request = |reason: &[u8]| {
        let mut request = head(
            &app,
            "POST",
            INDIVIDUAL,
            &[
                "Content-Type: application/json".to_owned(),
                format!("Content-Length: {}", body.len()),
            ],
        );
        // The X-Reason line goes in as raw bytes (obs-text), before the blank line.
        let end = request.len() - 2;
        let mut line = b"X-Reason: ".to_vec();
        line.extend_from_slice(reason);
        line.extend_from_slice(b"\r\n");
        request.splice(end..end, line);
        request.extend_from_slice(body.as_bytes());
        request
    };
    let good = request("Zoë asked".as_bytes());
    let bad = request(b"Zo\xeb asked");
    let (created, refused) = blocking(move || {
        let mut client = Client::connect(address);
        let created = client.exchange(&good).expect("response");
        (created, client.exchange(&bad).expect("response"))
    })
    .await;
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let message = refused.assert_tmf_error(400, "INVALID_HEADER");
    assert!(message.contains("X-Reason"), "{message}");
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let history = app.get(&format!("{INDIVIDUAL}/{id}/history")).await;
    assert_eq!(history.body[0]["reason"], "Zoë asked", "{}", history.text);
    assert_eq!(individuals(&app).await, 1);
    assert!(
        refused
            .headers
            .iter()
            .any(|(name, value)| name == "content-type" && value.contains("json"))
    );
}
