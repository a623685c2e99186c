//! Authentication, authorisation and audit history through the real router.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use crm_auth::{Claims, Role};
use crm_tests::{CUSTOMER, INDIVIDUAL, TEST_SECRET, TestApp, TestResponse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use tmf_apis::{Actor, Operation, ResourceDescriptor};

fn request(method: Method, uri: &str, token: Option<&str>, body: Option<&Value>) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "crm.test");
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    let body = match body {
        Some(body) => {
            builder = builder.header("content-type", "application/json");
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    builder.body(body).expect("request")
}

fn assert_unauthenticated(response: &TestResponse) {
    response.assert_tmf_error(401);
    let challenge = response.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.starts_with("Bearer"),
        "WWW-Authenticate: {challenge}"
    );
}

/// Every operation the generic router serves for a resource, with a request for it.
fn operations(descriptor: &ResourceDescriptor) -> Vec<(Operation, Method, String, Option<Value>)> {
    let collection = descriptor.collection_path();
    let item = format!("{collection}/some-id");
    let mut all = vec![
        (Operation::Read, Method::GET, collection.clone(), None),
        (Operation::Create, Method::POST, collection, Some(json!({}))),
        (Operation::Read, Method::GET, item.clone(), None),
        (
            Operation::Update,
            Method::PATCH,
            item.clone(),
            Some(json!({})),
        ),
        (Operation::Delete, Method::DELETE, item.clone(), None),
        (
            Operation::Read,
            Method::GET,
            format!("{item}/history"),
            None,
        ),
    ];
    // A task resource offers no PATCH or DELETE at all (405, whoever asks); a record only the
    // server writes no POST either.
    all.retain(|(_, method, _, _)| match *method {
        Method::POST => descriptor.methods.create,
        Method::PATCH => descriptor.methods.patch,
        Method::DELETE => descriptor.methods.delete,
        _ => true,
    });
    all
}

#[tokio::test]
async fn every_route_refuses_missing_tokens_and_roles_that_may_not_use_it() {
    let app = TestApp::new().await;
    assert!(!app.descriptors.is_empty());
    for descriptor in &app.descriptors {
        for (operation, method, uri, body) in operations(descriptor) {
            let anonymous = app
                .send_anonymous(request(method.clone(), &uri, None, body.as_ref()))
                .await;
            assert_unauthenticated(&anonymous);

            let mut someone_may = false;
            for role in Role::ALL {
                let token = app.token("table-test", &[role.as_str()]);
                let response = app
                    .send_anonymous(request(method.clone(), &uri, Some(&token), body.as_ref()))
                    .await;
                let actor = Actor {
                    subject: "table-test".into(),
                    roles: vec![role.as_str().into()],
                };
                let permitted = app.policy.permits(&actor, descriptor.domain, operation);
                if permitted {
                    someone_may |= role != Role::Admin;
                    assert!(
                        !matches!(response.status.as_u16(), 401 | 403),
                        "{} {method} {uri} should be open to {}: {}",
                        descriptor.type_name,
                        role.as_str(),
                        response.text
                    );
                } else {
                    let message = response.assert_tmf_error(403);
                    assert!(message.contains(descriptor.type_name), "{message}");
                }
            }
            // A route no working role may use is a route someone forgot to give a permission.
            assert!(
                someone_may || operation == Operation::Delete,
                "{method} {uri}: only admin may use it"
            );
        }
    }
}

/// The extension routes of every module (the 360 view, the timeline, erasure...) authorise
/// through the same permission table, with the permission their OpenAPI entry declares.
#[tokio::test]
async fn every_extension_route_refuses_missing_tokens_and_roles_that_may_not_use_it() {
    let app = TestApp::new().await;
    assert!(
        app.extension_operations.len() >= 3,
        "the view, the timeline and erasure at least"
    );
    for extension in &app.extension_operations {
        let method = extension.http_method();
        let uri = extension.path.replace("{id}", "no-such-id");
        let (domain, operation) = extension.permission;
        let body = (method == Method::POST).then(|| json!({}));
        let anonymous = app
            .send_anonymous(request(method.clone(), &uri, None, body.as_ref()))
            .await;
        assert_unauthenticated(&anonymous);
        let mut someone_may = false;
        for role in Role::ALL {
            let token = app.token("table-test", &[role.as_str()]);
            let response = app
                .send_anonymous(request(method.clone(), &uri, Some(&token), body.as_ref()))
                .await;
            let actor = Actor {
                subject: "table-test".into(),
                roles: vec![role.as_str().into()],
            };
            if app.policy.permits(&actor, domain, operation) {
                someone_may |= role != Role::Admin;
                assert!(
                    !matches!(response.status.as_u16(), 401 | 403),
                    "{method} {uri} should be open to {}: {}",
                    role.as_str(),
                    response.text
                );
            } else {
                response.assert_tmf_error(403);
            }
        }
        assert!(
            someone_may || operation == Operation::Delete,
            "{method} {uri}: only admin may use it"
        );
    }
}

#[tokio::test]
async fn every_documented_api_path_needs_a_token() {
    let app = TestApp::new().await;
    let openapi = app.get("/openapi.json").await;
    let paths = openapi.body["paths"].as_object().expect("paths");
    assert!(paths.len() >= app.descriptors.len() * 2);
    for (path, item) in paths {
        let uri = path.replace("{id}", "x");
        for method in item.as_object().expect("operations").keys() {
            let method: Method = method.to_uppercase().parse().expect("method");
            let response = app
                .send_anonymous(request(method.clone(), &uri, None, None))
                .await;
            assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
        }
    }
}

#[tokio::test]
async fn health_is_open_and_openapi_is_open_unless_protected() {
    let app = TestApp::new().await;
    let health = app
        .send_anonymous(request(Method::GET, "/health", None, None))
        .await;
    assert_eq!(health.status, StatusCode::OK);
    let openapi = app
        .send_anonymous(request(Method::GET, "/openapi.json", None, None))
        .await;
    assert_eq!(openapi.status, StatusCode::OK);

    let protected = TestApp::with_settings(|s| s.auth.protect_openapi = true).await;
    let refused = protected
        .send_anonymous(request(Method::GET, "/openapi.json", None, None))
        .await;
    assert_unauthenticated(&refused);
    let health = protected
        .send_anonymous(request(Method::GET, "/health", None, None))
        .await;
    assert_eq!(health.status, StatusCode::OK);
}

fn claims(overrides: Value) -> Claims {
    let now = chrono::Utc::now().timestamp();
    let mut value = json!({
        "sub": "mallory", "roles": ["admin"], "iss": "crm", "aud": "crm",
        "exp": now + 600, "nbf": now - 10, "iat": now - 10
    });
    if let (Value::Object(base), Value::Object(extra)) = (&mut value, overrides) {
        base.extend(extra);
    }
    serde_json::from_value(value).expect("claims")
}

fn hs256(claims: &Claims, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign")
}

#[tokio::test]
async fn bad_tokens_are_refused() {
    let app = TestApp::new().await;
    let now = chrono::Utc::now().timestamp();
    let good = hs256(&claims(json!({})), TEST_SECRET);
    let ok = app
        .send_anonymous(request(Method::GET, INDIVIDUAL, Some(&good), None))
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);

    let csr = hs256(&claims(json!({"roles": ["csr"]})), TEST_SECRET);
    let (head, rest) = good.split_once('.').expect("jwt");
    let (_payload, signature) = rest.split_once('.').expect("jwt");
    let csr_payload = csr.split('.').nth(1).expect("payload");
    let tampered = format!("{head}.{csr_payload}.{signature}");
    // {"alg":"none","typ":"JWT"}
    let alg_none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{csr_payload}.");

    let cases = [
        (
            "expired",
            hs256(&claims(json!({"exp": now - 3600})), TEST_SECRET),
        ),
        (
            "not yet valid",
            hs256(&claims(json!({"nbf": now + 3600})), TEST_SECRET),
        ),
        (
            "wrong issuer",
            hs256(&claims(json!({"iss": "someone-else"})), TEST_SECRET),
        ),
        (
            "wrong audience",
            hs256(&claims(json!({"aud": "another-api"})), TEST_SECRET),
        ),
        (
            "wrong secret",
            hs256(&claims(json!({})), "not-the-secret-not-the-secret-not-it"),
        ),
        ("tampered", tampered),
        ("alg none", alg_none),
        ("garbage", "not.a.jwt".into()),
        (
            "empty subject",
            hs256(&claims(json!({"sub": " "})), TEST_SECRET),
        ),
    ];
    for (name, token) in cases {
        let response = app
            .send_anonymous(request(Method::GET, INDIVIDUAL, Some(&token), None))
            .await;
        assert_eq!(
            response.status,
            StatusCode::UNAUTHORIZED,
            "{name}: {}",
            response.text
        );
        assert_unauthenticated(&response);
    }
    let basic = Request::builder()
        .uri(INDIVIDUAL)
        .header("authorization", "Basic YWRtaW46YWRtaW4=")
        .body(Body::empty())
        .expect("request");
    assert_unauthenticated(&app.send_anonymous(basic).await);
}

fn keys_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/keys")
}

fn signed(algorithm: Algorithm, kid: &str, pem_file: &str, claims: &Claims) -> String {
    let pem = std::fs::read(keys_dir().join(pem_file)).expect("test key");
    let key = match algorithm {
        Algorithm::ES256 => EncodingKey::from_ec_pem(&pem),
        _ => EncodingKey::from_rsa_pem(&pem),
    }
    .expect("key");
    let mut header = Header::new(algorithm);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(&header, claims, &key).expect("sign")
}

#[tokio::test]
async fn jwks_keys_verify_rs256_and_es256_and_rotate_without_restart() {
    let jwks = std::env::temp_dir().join(format!("crm-jwks-{}.json", uuid::Uuid::now_v7()));
    std::fs::copy(keys_dir().join("jwks-a.json"), &jwks).expect("copy jwks");
    let path = jwks.clone();
    let app = TestApp::with_settings(move |s| {
        s.auth.jwks_file = Some(path);
        s.auth.jwks_min_refresh_secs = 0;
    })
    .await;
    let claims = claims(json!({"roles": ["csr"]}));
    let get = |token: String| request(Method::GET, INDIVIDUAL, Some(&token), None);

    let rsa_a = signed(Algorithm::RS256, "key-a", "rsa-a.pem", &claims);
    let ec_c = signed(Algorithm::ES256, "key-c", "ec-c.pem", &claims);
    let rsa_b = signed(Algorithm::RS256, "key-b", "rsa-b.pem", &claims);
    assert_eq!(
        app.send_anonymous(get(rsa_a.clone())).await.status,
        StatusCode::OK
    );
    assert_eq!(app.send_anonymous(get(ec_c)).await.status, StatusCode::OK);
    assert_unauthenticated(&app.send_anonymous(get(rsa_b.clone())).await);
    // key-b's signature presented under key-a's id.
    let forged = signed(Algorithm::RS256, "key-a", "rsa-b.pem", &claims);
    assert_unauthenticated(&app.send_anonymous(get(forged)).await);
    // An HS256 token is refused when keys come from a JWKS.
    assert_unauthenticated(&app.send_anonymous(get(hs256(&claims, TEST_SECRET))).await);

    // Rotation: the issuer now publishes key-b only.
    std::fs::copy(keys_dir().join("jwks-b.json"), &jwks).expect("rotate");
    assert_eq!(app.send_anonymous(get(rsa_b)).await.status, StatusCode::OK);
    assert_unauthenticated(&app.send_anonymous(get(rsa_a)).await);
    let _ = std::fs::remove_file(jwks);
}

#[tokio::test]
async fn jwks_is_fetched_from_a_url() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let document = std::fs::read_to_string(keys_dir().join("jwks-a.json")).expect("jwks");
    let server = axum::Router::new().route(
        "/jwks.json",
        axum::routing::get(move || {
            let document = document.clone();
            async move { ([("content-type", "application/json")], document) }
        }),
    );
    let handle = tokio::spawn(async move {
        let _ = axum::serve(listener, server).await;
    });
    let app = TestApp::with_settings(move |s| {
        s.auth.jwks_url = Some(format!("http://{address}/jwks.json"));
    })
    .await;
    let token = signed(Algorithm::RS256, "key-a", "rsa-a.pem", &claims(json!({})));
    let response = app
        .send_anonymous(request(Method::GET, INDIVIDUAL, Some(&token), None))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    handle.abort();
}

async fn as_actor(
    app: &TestApp,
    token: &str,
    method: Method,
    uri: &str,
    content_type: Option<&str>,
    body: Option<Value>,
    reason: Option<&str>,
) -> TestResponse {
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "crm.test")
        .header("authorization", format!("Bearer {token}"));
    if let Some(content_type) = content_type {
        builder = builder.header("content-type", content_type);
    }
    if let Some(reason) = reason {
        builder = builder.header("x-reason", reason);
    }
    let body = body
        .map(|b| Body::from(b.to_string()))
        .unwrap_or_else(Body::empty);
    app.send_anonymous(builder.body(body).expect("request"))
        .await
}

#[tokio::test]
async fn history_records_who_changed_what_and_outlives_the_resource() {
    let app = TestApp::new().await;
    let alice = app.token("alice", &["csr"]);
    let bob = app.token("bob", &["supervisor"]);
    let party = app.individual("Hist", "Ory").await;
    let created = as_actor(
        &app,
        &alice,
        Method::POST,
        CUSTOMER,
        Some("application/json"),
        Some(json!({"name": "Hist Ory", "status": "initialized",
            "engagedParty": {"id": party, "@referredType": "Individual"}})),
        Some("walk-in customer"),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let uri = format!("{CUSTOMER}/{}", created.id());

    let patched = as_actor(
        &app,
        &bob,
        Method::PATCH,
        &uri,
        Some("application/merge-patch+json"),
        Some(json!({"status": "active"})),
        Some("identity checked"),
    )
    .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);

    // A refused change leaves no history.
    let refused = as_actor(
        &app,
        &bob,
        Method::PATCH,
        &uri,
        Some("application/merge-patch+json"),
        Some(json!({"engagedParty": {"id": "ghost", "@referredType": "Individual"}})),
        None,
    )
    .await;
    refused.assert_tmf_error(422);

    let history = as_actor(
        &app,
        &alice,
        Method::GET,
        &format!("{uri}/history"),
        None,
        None,
        None,
    )
    .await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.text);
    assert_eq!(history.header("x-total-count"), Some("2"));
    let entries = history.body.as_array().expect("array");
    assert_eq!(entries[0]["action"], "update");
    assert_eq!(entries[0]["actor"]["id"], "bob");
    assert_eq!(entries[0]["actor"]["roles"], json!(["supervisor"]));
    assert_eq!(entries[0]["reason"], "identity checked");
    assert_eq!(
        entries[0]["changes"],
        json!([{"attribute": "status", "previous": "initialized", "new": "active"}])
    );
    assert_eq!(entries[1]["action"], "create");
    assert_eq!(entries[1]["actor"]["id"], "alice");
    assert_eq!(entries[1]["reason"], "walk-in customer");
    assert!(
        entries[1]["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .any(|c| c["attribute"] == "name" && c["new"] == "Hist Ory" && c["previous"].is_null())
    );
    assert!(
        entries[0]["occurredAt"]
            .as_str()
            .is_some_and(|t| t.ends_with("+00:00") || t.ends_with('Z'))
    );

    // A CSR may not delete; a supervisor may, and the history survives.
    as_actor(&app, &alice, Method::DELETE, &uri, None, None, None)
        .await
        .assert_tmf_error(403);
    let deleted = as_actor(
        &app,
        &bob,
        Method::DELETE,
        &uri,
        None,
        None,
        Some("duplicate"),
    )
    .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let history = app.get(&format!("{uri}/history?limit=1")).await;
    assert_eq!(history.header("x-total-count"), Some("3"));
    assert_eq!(history.header("x-result-count"), Some("1"));
    assert_eq!(history.body[0]["action"], "delete");
    assert_eq!(history.body[0]["actor"]["id"], "bob");
    assert!(
        history.body[0]["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .any(|c| c["attribute"] == "status" && c["previous"] == "active" && c["new"].is_null())
    );

    app.get(&format!("{CUSTOMER}/never-existed/history"))
        .await
        .assert_tmf_error(404);
}

#[tokio::test]
async fn cors_is_closed_by_default_and_opens_for_configured_origins() {
    let preflight = |app_origin: &str| {
        Request::builder()
            .method(Method::OPTIONS)
            .uri(INDIVIDUAL)
            .header("origin", app_origin)
            .header("access-control-request-method", "GET")
            .body(Body::empty())
            .expect("request")
    };
    let closed = TestApp::new().await;
    let response = closed
        .send_anonymous(preflight("https://evil.example"))
        .await;
    assert!(response.header("access-control-allow-origin").is_none());

    let open = TestApp::with_settings(|s| {
        s.cors_allowed_origins = vec!["https://csr.operator.example".into()];
    })
    .await;
    let allowed = open
        .send_anonymous(preflight("https://csr.operator.example"))
        .await;
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://csr.operator.example")
    );
    let other = open.send_anonymous(preflight("https://evil.example")).await;
    assert!(other.header("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn minted_tokens_expire() {
    let app = TestApp::new().await;
    let token = crm_auth::mint(
        &crm_auth::Secret::new(TEST_SECRET),
        "crm",
        "crm",
        "shortlived",
        &["csr".to_owned()],
        Duration::from_secs(0),
    )
    .expect("mint");
    // Within the 30 s leeway a just-expired token still passes; one past it does not.
    let ok = app
        .send_anonymous(request(Method::GET, INDIVIDUAL, Some(&token), None))
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    let old = hs256(
        &claims(json!({"exp": chrono::Utc::now().timestamp() - 31, "roles": ["csr"]})),
        TEST_SECRET,
    );
    assert_unauthenticated(
        &app.send_anonymous(request(Method::GET, INDIVIDUAL, Some(&old), None))
            .await,
    );
}
