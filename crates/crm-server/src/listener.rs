//! The listener: the server's own accept loop over hyper's HTTP/1.1 connections, because
//! `axum::serve` bounds neither how long a client may take to send a request head, nor how
//! long a kept-alive connection may stay idle, nor how many connections may be open.
//!
//! Each connection runs in one task that also watches it. A connection is, at any moment,
//! *fresh* (opened, no request yet), reading a request *head*, *busy* (a request is being
//! handled: `request_timeout_secs` bounds it) or *idle* (kept alive after a response). A fresh
//! connection must deliver its first head within `header_read_timeout_secs` of opening; a
//! later request, within that time of its first byte; an idle one is closed after
//! `idle_timeout_secs` without traffic. Such a connection is dropped without an answer: no
//! request of it is in flight. (hyper's own `header_read_timeout` also runs while a
//! connection is idle, so it cannot tell the two apart; it is not used.)
//!
//! The cap is a semaphore of `max_connections` slots, one held by each connection task; a
//! connection beyond it gets a `503` with `Retry-After` and is closed at once. On shutdown the
//! loop stops accepting, idle connections close at once, requests in flight finish (hyper's
//! graceful shutdown), and `serve` returns when every slot is back.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tmf_apis::error::RETRY_AFTER_SECS;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::Instant;
use tower::ServiceExt;

use crate::settings::ConnectionSettings;

/// The limits in force, as durations.
#[derive(Debug, Clone, Copy)]
struct Limits {
    header_read: Duration,
    idle: Duration,
    max_connections: usize,
}

impl From<&ConnectionSettings> for Limits {
    fn from(settings: &ConnectionSettings) -> Self {
        Self {
            header_read: Duration::from_secs(settings.header_read_timeout_secs.max(1)),
            idle: Duration::from_secs(settings.idle_timeout_secs.max(1)),
            // The semaphore's permits are counted in `u32` when all are taken back.
            max_connections: settings.max_connections.clamp(1, u32::MAX as usize),
        }
    }
}

/// Serves `router` on `listener` with the connection limits of `settings` until `shutdown`
/// completes; then stops accepting, closes idle connections, lets requests in flight finish
/// and returns once every connection has ended.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    settings: &ConnectionSettings,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let limits = Limits::from(settings);
    warn_if_files_are_short(limits.max_connections);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stop, stopped) = watch::channel(false);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(None)
        .keep_alive(true)
        // Oversized heads reach the stack, which refuses them with a TMF 431.
        .max_buf_size(crate::HEAD_READ_BYTES)
        .max_headers(crate::HEAD_READ_LINES);
    let http = Arc::new(http);
    let refusal = Arc::new(refusal());
    let mut refusals = Throttled::default();
    let mut accept_errors = Throttled::default();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    if !is_connection_error(&error) {
                        // Out of file descriptors (EMFILE/ENFILE) or memory: the listener
                        // is fine, so wait for connections to close rather than spin.
                        if accept_errors.due() {
                            tracing::warn!(%error, "cannot accept connections; retrying");
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    continue;
                }
            },
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            if refusals.due() {
                tracing::warn!(
                    max_connections = limits.max_connections,
                    "connection limit reached; refusing new connections with 503"
                );
            }
            // The socket's send buffer is empty: the answer fits without waiting.
            let _ = stream.try_write(&refusal);
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(
            stream,
            router.clone(),
            http.clone(),
            limits,
            stopped.clone(),
            slot,
        ));
    }
    drop(listener);
    tracing::info!("no longer accepting connections; finishing requests in flight");
    let _ = stop.send(true);
    // Every connection holds a slot until it ends.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = slots.acquire_many(all).await;
    Ok(())
}

/// Errors of one incoming connection (it went away before it was accepted), not of the
/// listener.
fn is_connection_error(error: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    )
}

/// At most one log line a second about the same condition.
#[derive(Default)]
struct Throttled(Option<Instant>);

impl Throttled {
    fn due(&mut self) -> bool {
        let now = Instant::now();
        match self.0 {
            Some(last) if now.duration_since(last) < Duration::from_secs(1) => false,
            _ => {
                self.0 = Some(now);
                true
            }
        }
    }
}

/// The answer to a connection beyond the cap: a TMF Error, `Retry-After`, and close.
fn refusal() -> Vec<u8> {
    let body = tmf_apis::TmfError::new(
        tmf_apis::ErrorCode::Unavailable,
        "the server has too many open connections; retry later",
    )
    .body();
    let body = serde_json::to_string(&body).unwrap_or_default();
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         retry-after: {RETRY_AFTER_SECS}\r\nconnection: close\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Warns when the process may run out of file descriptors before reaching the cap.
fn warn_if_files_are_short(max_connections: usize) {
    let Ok(limits) = std::fs::read_to_string("/proc/self/limits") else {
        return;
    };
    let soft = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))
        .and_then(|line| line.split_whitespace().nth(3))
        .and_then(|soft| soft.parse::<usize>().ok());
    // Database connections, the data files, the listener, the log.
    const RESERVE: usize = 64;
    if let Some(soft) = soft
        && soft < max_connections + RESERVE
    {
        tracing::warn!(
            open_files = soft,
            max_connections,
            "the process may open fewer files than connections.max_connections needs \
             (raise `ulimit -n`); beyond it new connections wait until others close"
        );
    }
}

const FRESH: u64 = 0;
const HEAD: u64 = 1;
const BUSY: u64 = 2;
const IDLE: u64 = 3;

/// What a connection is doing and since when, shared by its reads and writes, its
/// service and its watcher (all in the connection's task; atomics make them `Send`).
struct Activity {
    opened: Instant,
    /// The phase in the low two bits, the milliseconds since `opened` at which it
    /// began (or, idle, of the last write) above them.
    state: AtomicU64,
    in_flight: AtomicUsize,
    /// Wakes the watcher when a deadline comes earlier or appears.
    changed: Notify,
}

impl Activity {
    fn new() -> Self {
        Self {
            opened: Instant::now(),
            state: AtomicU64::new(FRESH),
            in_flight: AtomicUsize::new(0),
            changed: Notify::new(),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX >> 2)
    }

    fn load(&self) -> (u64, u64) {
        let state = self.state.load(Ordering::Relaxed);
        (state & 3, state >> 2)
    }

    fn set(&self, phase: u64, since_ms: u64) {
        self.state.store(since_ms << 2 | phase, Ordering::Relaxed);
    }

    /// Bytes arrived.
    fn read(&self) {
        if self.load().0 == IDLE {
            self.set(HEAD, self.now_ms());
            self.changed.notify_one();
        }
    }

    /// Bytes left: an idle connection still writing a response is not idle.
    fn wrote(&self) {
        if self.load().0 == IDLE {
            self.set(IDLE, self.now_ms());
        }
    }

    fn request_started(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        self.set(BUSY, self.now_ms());
    }

    fn request_ended(&self) {
        if self.in_flight.fetch_sub(1, Ordering::Relaxed) == 1 {
            self.set(IDLE, self.now_ms());
            self.changed.notify_one();
        }
    }

    /// When the connection is to be closed if nothing changes; `None` while busy.
    fn deadline(&self, limits: &Limits) -> Option<Instant> {
        let (phase, since) = self.load();
        let timeout = match phase {
            FRESH | HEAD => limits.header_read,
            IDLE => limits.idle,
            _ => return None,
        };
        Some(self.opened + Duration::from_millis(since) + timeout)
    }
}

/// The TCP stream, telling the connection's [`Activity`] about its traffic.
struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let result = Pin::new(&mut this.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            this.activity.read();
        }
        result
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.stream).poll_write(cx, buf);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.wrote();
        }
        result
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.wrote();
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// The router as hyper's service, marking the connection busy while a request is handled.
#[derive(Clone)]
struct Tracked {
    router: Router,
    activity: Arc<Activity>,
}

/// Marks the end of a request, however its handling ends (a dropped future included).
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.request_ended();
    }
}

type Handling = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

impl hyper::service::Service<Request<Incoming>> for Tracked {
    type Response = Response;
    type Error = Infallible;
    type Future = Handling;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        self.activity.request_started();
        let in_flight = InFlight(self.activity.clone());
        let router = self.router.clone();
        Box::pin(async move {
            let _in_flight = in_flight;
            let mut response = router.oneshot(request).await?;
            // Whatever made a 503 (the request timeout, a store outage, `/health`), the
            // client may retry it: say when.
            if response.status() == StatusCode::SERVICE_UNAVAILABLE {
                response
                    .headers_mut()
                    .entry(header::RETRY_AFTER)
                    .or_insert(HeaderValue::from_static(RETRY_AFTER_SECS));
            }
            Ok(response)
        })
    }
}

/// Serves one connection and watches its deadlines; the slot is given back when it ends.
async fn connection(
    stream: TcpStream,
    router: Router,
    http: Arc<hyper::server::conn::http1::Builder>,
    limits: Limits,
    mut stopped: watch::Receiver<bool>,
    _slot: OwnedSemaphorePermit,
) {
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        stream,
        activity: activity.clone(),
    });
    let service = Tracked {
        router,
        activity: activity.clone(),
    };
    let mut conn = std::pin::pin!(http.serve_connection(io, service));
    let mut stopping = false;
    loop {
        if !stopping && *stopped.borrow_and_update() {
            stopping = true;
            if matches!(activity.load().0, FRESH | HEAD) {
                // Nothing in flight to finish (at most a request head still arriving).
                return;
            }
            // Closes an idle or fresh connection now, a busy one after its response.
            conn.as_mut().graceful_shutdown();
        }
        let deadline = activity.deadline(&limits);
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%error, "connection ended with an error");
                }
                return;
            }
            () = activity.changed.notified() => {}
            () = tokio::time::sleep_until(deadline.unwrap_or_else(Instant::now)),
                if deadline.is_some() =>
            {
                if activity.deadline(&limits).is_some_and(|d| d <= Instant::now()) {
                    tracing::debug!(phase = activity.load().0, "connection timed out; closing");
                    return;
                }
            }
            changed = stopped.changed(), if !stopping => {
                if changed.is_err() {
                    // The server is gone: as good as a shutdown.
                    stopping = true;
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use axum::Router;
    use axum::routing::get;
    use tokio::net::{TcpListener, TcpStream};
    use tokio::time::Instant;

    use crate::settings::ConnectionSettings;

    const GET: &[u8] = b"GET /ok HTTP/1.1\r\nHost: test\r\n\r\n";

    /// A server with these limits on a loopback port; stopped when the sender is dropped
    /// or sent to.
    async fn server(
        settings: ConnectionSettings,
    ) -> (
        std::net::SocketAddr,
        tokio::sync::oneshot::Sender<()>,
        tokio::task::JoinHandle<()>,
    ) {
        let router = Router::new().route("/ok", get(|| async { "ok" })).route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_millis(500)).await;
                "slow"
            }),
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            super::serve(listener, router, &settings, async {
                let _ = stopped.await;
            })
            .await
            .expect("serve");
        });
        (address, stop, task)
    }

    fn limits(header_read: u64, idle: u64, max: usize) -> ConnectionSettings {
        ConnectionSettings {
            header_read_timeout_secs: header_read,
            idle_timeout_secs: idle,
            max_connections: max,
        }
    }

    async fn send(stream: &TcpStream, bytes: &[u8]) -> std::io::Result<()> {
        let mut sent = 0;
        while sent < bytes.len() {
            stream.writable().await?;
            match stream.try_write(&bytes[sent..]) {
                Ok(n) => sent += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// What arrives next; empty when the server closed the connection.
    async fn receive(stream: &TcpStream) -> Vec<u8> {
        let mut buffer = vec![0; 4096];
        loop {
            if stream.readable().await.is_err() {
                return Vec::new();
            }
            match stream.try_read(&mut buffer) {
                Ok(n) => return buffer[..n].to_vec(),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(_) => return Vec::new(),
            }
        }
    }

    /// Reads until the server closes; how long that took.
    async fn time_to_close(stream: &TcpStream) -> Duration {
        let started = Instant::now();
        while !receive(stream).await.is_empty() {}
        started.elapsed()
    }

    #[tokio::test]
    async fn keep_alive_serves_several_requests_then_idle_connections_close() {
        let (address, _stop, _) = server(limits(5, 1, 16)).await;
        let stream = TcpStream::connect(address).await.expect("connect");
        for _ in 0..3 {
            send(&stream, GET).await.expect("send");
            let answer = String::from_utf8_lossy(&receive(&stream).await).into_owned();
            assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
            assert!(answer.ends_with("ok"), "{answer}");
        }
        let idle = time_to_close(&stream).await;
        assert!(
            idle >= Duration::from_millis(900) && idle < Duration::from_secs(3),
            "closed after {idle:?} idle"
        );
    }

    #[tokio::test]
    async fn a_slow_request_head_or_a_silent_connection_is_closed_at_the_header_timeout() {
        let (address, _stop, _) = server(limits(1, 30, 16)).await;
        let silent = TcpStream::connect(address).await.expect("connect");
        let slow = TcpStream::connect(address).await.expect("connect");
        let started = Instant::now();
        let trickle = async {
            for line in ["GET /ok HTTP/1.1\r\n", "Host: test\r\n", "X-A: b\r\n"] {
                if send(&slow, line.as_bytes()).await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(400)).await;
            }
            time_to_close(&slow).await;
            started.elapsed()
        };
        let (silent, slow) = tokio::join!(time_to_close(&silent), trickle);
        for (what, after) in [("silent", silent), ("slow", slow)] {
            assert!(
                after >= Duration::from_millis(900) && after < Duration::from_secs(3),
                "{what} connection closed after {after:?}"
            );
        }
        // The header timeout of a later request counts from its first byte, not from the
        // end of the idle time before it.
        let kept = TcpStream::connect(address).await.expect("connect");
        send(&kept, GET).await.expect("send");
        assert!(!receive(&kept).await.is_empty());
        tokio::time::sleep(Duration::from_millis(1500)).await;
        send(&kept, GET).await.expect("send after idle");
        let answer = String::from_utf8_lossy(&receive(&kept).await).into_owned();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }

    #[tokio::test]
    async fn beyond_the_cap_a_connection_gets_503_and_is_closed_and_its_slot_returns() {
        let (address, _stop, _) = server(limits(5, 5, 2)).await;
        let first = TcpStream::connect(address).await.expect("connect");
        let second = TcpStream::connect(address).await.expect("connect");
        send(&first, GET).await.expect("send");
        assert!(!receive(&first).await.is_empty());
        send(&second, GET).await.expect("send");
        assert!(!receive(&second).await.is_empty());
        let third = TcpStream::connect(address).await.expect("connect");
        let answer = String::from_utf8_lossy(&receive(&third).await).into_owned();
        assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
        assert!(answer.contains("retry-after: 1"), "{answer}");
        assert!(answer.contains(r#""@type":"Error""#), "{answer}");
        assert!(receive(&third).await.is_empty(), "closed after the 503");
        drop(first);
        // The slot comes back once the server has seen the close.
        let mut served = false;
        for _ in 0..50 {
            let again = TcpStream::connect(address).await.expect("connect");
            let _ = send(&again, GET).await;
            if receive(&again).await.starts_with(b"HTTP/1.1 200") {
                served = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(served, "a closed connection gave its slot back");
    }

    #[tokio::test]
    async fn shutdown_finishes_requests_in_flight_and_closes_idle_connections() {
        let (address, stop, task) = server(limits(5, 30, 16)).await;
        let idle = TcpStream::connect(address).await.expect("connect");
        send(&idle, GET).await.expect("send");
        assert!(!receive(&idle).await.is_empty());
        let busy = TcpStream::connect(address).await.expect("connect");
        send(&busy, b"GET /slow HTTP/1.1\r\nHost: test\r\n\r\n")
            .await
            .expect("send");
        tokio::time::sleep(Duration::from_millis(100)).await;
        stop.send(()).expect("stop");
        let answer = String::from_utf8_lossy(&receive(&busy).await).into_owned();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.ends_with("slow"), "{answer}");
        assert!(time_to_close(&idle).await < Duration::from_secs(2));
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .expect("serve returns once every connection has ended")
            .expect("serve");
    }
}
