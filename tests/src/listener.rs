//! A listener for event tests: a local HTTP server on 127.0.0.1 that records what it is sent
//! and can be told to fail.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::Value;
use tokio::sync::Mutex;

/// One delivery the listener accepted.
#[derive(Debug, Clone)]
pub struct Received {
    /// The request headers.
    pub headers: HeaderMap,
    /// The raw body.
    pub raw: Bytes,
    /// The body as JSON.
    pub body: Value,
    /// When it arrived.
    pub received_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Default)]
struct Shared {
    accepted: Mutex<Vec<Received>>,
    /// Requests to refuse (503) before accepting again.
    refuse: AtomicUsize,
    /// Every request, refused or not.
    requests: AtomicUsize,
}

/// A running listener; stops when dropped.
pub struct Listener {
    /// Its address.
    pub address: SocketAddr,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn receive(State(shared): State<Arc<Shared>>, headers: HeaderMap, raw: Bytes) -> StatusCode {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let refused = shared
        .refuse
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if refused {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let received_at = chrono::Utc::now();
    let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    shared.accepted.lock().await.push(Received {
        headers,
        raw,
        body,
        received_at,
    });
    StatusCode::CREATED
}

impl Listener {
    /// Starts a listener that refuses its first `refuse` requests.
    pub async fn start(refuse: usize) -> Self {
        let shared = Arc::new(Shared {
            refuse: AtomicUsize::new(refuse),
            ..Shared::default()
        });
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a listener");
        let address = socket.local_addr().expect("listener address");
        let router = Router::new()
            .route("/listener", post(receive))
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(socket, router).await;
        });
        Self {
            address,
            shared,
            server,
        }
    }

    /// The callback URL to register.
    pub fn callback(&self) -> String {
        format!("http://{}/listener", self.address)
    }

    /// Refuses the next `n` requests.
    pub fn refuse(&self, n: usize) {
        self.shared.refuse.store(n, Ordering::SeqCst);
    }

    /// How many requests arrived, refused or not.
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// What was accepted so far, in arrival order.
    pub async fn accepted(&self) -> Vec<Received> {
        self.shared.accepted.lock().await.clone()
    }

    /// Waits until at least `count` deliveries were accepted (at most `timeout`), and returns
    /// them all.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let accepted = self.accepted().await;
            if accepted.len() >= count || tokio::time::Instant::now() >= deadline {
                return accepted;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
