//! The connection-limits probe: many idle and slow connections against a running server,
//! each of which the server must close within its configured timeout, while `/health` stays
//! fast and the server's memory stays small.
//!
//! Three kinds of hostile or careless clients, all on loopback:
//! - *idle*: a keep-alive connection that makes one request and then says nothing (closed
//!   after `connections.idle_timeout_secs`);
//! - *silent*: a connection that never sends a byte (closed `header_read_timeout_secs` after
//!   it opened);
//! - *slow* (slowloris): a request head sent one header line at a time, never finished
//!   (closed `header_read_timeout_secs` after its first byte).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::net::TcpStream;

use crate::load::memory;

/// What the probe needs.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct IdleArgs {
    /// The server, on loopback (`http://127.0.0.1:PORT`).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// The server's process id, to report its memory (`/proc/PID/status`).
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Keep-alive connections that make one request and then stay idle.
    #[arg(long, default_value_t = 1000)]
    pub idle: usize,
    /// Connections that never send anything.
    #[arg(long, default_value_t = 100)]
    pub silent: usize,
    /// Slowloris connections: one header line per `--line-ms`, never finishing the head.
    #[arg(long, default_value_t = 500)]
    pub slow: usize,
    /// Milliseconds between a slow connection's header lines.
    #[arg(long, default_value_t = 1000)]
    pub line_ms: u64,
    /// The server's `connections.header_read_timeout_secs`.
    #[arg(long, default_value_t = 10)]
    pub header_read_timeout_secs: u64,
    /// The server's `connections.idle_timeout_secs`.
    #[arg(long, default_value_t = 60)]
    pub idle_timeout_secs: u64,
    /// How much later than its timeout a connection may be closed before it counts as held
    /// open (scheduling on a busy machine).
    #[arg(long, default_value_t = 3)]
    pub slack_secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Idle,
    Silent,
    Slow,
}

/// How one connection ended.
#[derive(Debug)]
enum End {
    /// Closed by the server this long after the moment its timeout counts from.
    Closed(Duration),
    /// Refused at the server's connection cap (503).
    Refused,
    /// Still open at the probe's deadline.
    HeldOpen,
    /// Something else went wrong (the first request of an idle connection failed).
    Failed(String),
}

/// The loopback address of `url`; anything but 127.0.0.1 is refused.
pub(crate) fn loopback(url: &str) -> anyhow::Result<std::net::SocketAddr> {
    let rest = url.strip_prefix("http://127.0.0.1:").ok_or_else(|| {
        anyhow::anyhow!("the probe talks to http://127.0.0.1:PORT only, not {url}")
    })?;
    let port: u16 = rest.trim_end_matches('/').parse()?;
    Ok(std::net::SocketAddr::from(([127, 0, 0, 1], port)))
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

/// The next bytes; empty when the server closed (or reset) the connection.
async fn receive(stream: &TcpStream) -> Vec<u8> {
    let mut buffer = vec![0; 2048];
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

fn refused(answer: &[u8]) -> bool {
    answer.starts_with(b"HTTP/1.1 503")
        && String::from_utf8_lossy(answer).contains("too many open connections")
}

/// Waits for the server to close `stream`, at most `limit` after `from`; how long after
/// `from` it did.
async fn closed_after(stream: &TcpStream, from: Instant, limit: Duration) -> End {
    let wait = async {
        loop {
            let bytes = receive(stream).await;
            if bytes.is_empty() {
                return End::Closed(from.elapsed());
            }
            if refused(&bytes) {
                return End::Refused;
            }
        }
    };
    match tokio::time::timeout_at((from + limit).into(), wait).await {
        Ok(end) => end,
        Err(_) => End::HeldOpen,
    }
}

async fn idle(stream: TcpStream, limit: Duration) -> End {
    let request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    if let Err(error) = send(&stream, request).await {
        return End::Failed(format!("sending the first request: {error}"));
    }
    // The whole answer: its head, then `content-length` bytes of body.
    let mut answer = Vec::new();
    loop {
        let bytes = receive(&stream).await;
        if bytes.is_empty() {
            return End::Failed("closed before answering the first request".into());
        }
        answer.extend_from_slice(&bytes);
        if refused(&answer) {
            return End::Refused;
        }
        let text = String::from_utf8_lossy(&answer);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if answer.len() >= end + 4 + length {
                if !text.starts_with("HTTP/1.1 200") {
                    return End::Failed(format!(
                        "first request answered {}",
                        text.lines().next().unwrap_or_default()
                    ));
                }
                break;
            }
        }
    }
    closed_after(&stream, Instant::now(), limit).await
}

async fn slow(stream: TcpStream, line: Duration, limit: Duration) -> End {
    let started = Instant::now();
    let trickle = async {
        let _ = send(&stream, b"GET /health HTTP/1.1\r\n").await;
        for n in 0u64.. {
            tokio::time::sleep(line).await;
            let header = format!("X-Slow-{n}: one line at a time\r\n");
            if send(&stream, header.as_bytes()).await.is_err() {
                break;
            }
        }
        std::future::pending::<()>().await;
    };
    tokio::select! {
        end = closed_after(&stream, started, limit) => end,
        () = trickle => End::Failed("unreachable".into()),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Opens the connections, waits for the server to close them, prints what happened; fails
/// if any was held open past its timeout (or closed well before it), or `/health` failed.
pub(crate) async fn run(args: IdleArgs) -> anyhow::Result<()> {
    let address = loopback(&args.url)?;
    let header_read = Duration::from_secs(args.header_read_timeout_secs);
    let idle_timeout = Duration::from_secs(args.idle_timeout_secs);
    let slack = Duration::from_secs(args.slack_secs);
    let before = args.server_pid.and_then(memory);
    let stop = Arc::new(AtomicBool::new(false));

    // The server's memory, sampled.
    let sampler = args.server_pid.map(|pid| {
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut peak = 0;
            while !stop.load(Ordering::Relaxed) {
                if let Some((rss, _)) = memory(pid) {
                    peak = peak.max(rss);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            peak
        })
    });
    // `/health`, every 100 ms, on a connection of its own.
    let health = {
        let stop = stop.clone();
        let url = format!("http://{address}/health");
        tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()?;
            let (mut latencies, mut failures) = (Vec::new(), 0u64);
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                match client.get(&url).send().await {
                    Ok(response) if response.status().is_success() => {
                        let _ = response.bytes().await;
                        latencies.push(started.elapsed());
                    }
                    _ => failures += 1,
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            anyhow::Ok((latencies, failures))
        })
    };

    let mut tasks = Vec::new();
    let mut short_of_files = None;
    let plan = [
        (Kind::Idle, args.idle),
        (Kind::Silent, args.silent),
        (Kind::Slow, args.slow),
    ];
    let opening = Instant::now();
    'open: for (kind, count) in plan {
        for _ in 0..count {
            let stream = match TcpStream::connect(address).await {
                Ok(stream) => stream,
                Err(error) if error.raw_os_error() == Some(24) => {
                    // EMFILE: this process's descriptor limit, not the server's doing.
                    short_of_files = Some(tasks.len());
                    break 'open;
                }
                Err(error) => anyhow::bail!("connecting to {address}: {error}"),
            };
            let line = Duration::from_millis(args.line_ms);
            tasks.push((
                kind,
                tokio::spawn(async move {
                    match kind {
                        Kind::Idle => idle(stream, idle_timeout + slack).await,
                        Kind::Silent => {
                            closed_after(&stream, Instant::now(), header_read + slack).await
                        }
                        Kind::Slow => slow(stream, line, header_read + slack).await,
                    }
                }),
            ));
        }
    }
    let opened_in = opening.elapsed();
    let mut ends: Vec<(Kind, End)> = Vec::new();
    for (kind, task) in tasks {
        ends.push((kind, task.await?));
    }
    stop.store(true, Ordering::Relaxed);
    let (latencies, health_failures) = health.await??;
    let peak = match sampler {
        Some(sampler) => Some(sampler.await?),
        None => None,
    };
    // What the server gives back once the connections are gone.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = args.server_pid.and_then(memory);

    println!(
        "opened {} connections in {} ms ({} idle after one request, {} silent, {} slow: one header line every {} ms)",
        ends.len(),
        opened_in.as_millis(),
        args.idle,
        args.silent,
        args.slow,
        args.line_ms
    );
    if let Some(opened) = short_of_files {
        println!(
            "note: this process ran out of file descriptors after {opened} sockets (EMFILE); raise `ulimit -n` to open them all"
        );
    }
    let mut problems = 0usize;
    for (kind, timeout, label) in [
        (Kind::Idle, idle_timeout, "idle (keep-alive)"),
        (Kind::Silent, header_read, "silent"),
        (Kind::Slow, header_read, "slow (slowloris)"),
    ] {
        let of_kind: Vec<&End> = ends
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, e)| e)
            .collect();
        if of_kind.is_empty() {
            continue;
        }
        let mut closed: Vec<Duration> = of_kind
            .iter()
            .filter_map(|e| match e {
                End::Closed(after) => Some(*after),
                _ => None,
            })
            .collect();
        closed.sort();
        let refused = of_kind.iter().filter(|e| matches!(e, End::Refused)).count();
        let held = of_kind
            .iter()
            .filter(|e| matches!(e, End::HeldOpen))
            .count();
        let failed: Vec<&String> = of_kind
            .iter()
            .filter_map(|e| match e {
                End::Failed(why) => Some(why),
                _ => None,
            })
            .collect();
        // Closing a little early is the timer's granularity; much earlier is a fault.
        let early = closed
            .iter()
            .filter(|after| **after + Duration::from_millis(500) < timeout)
            .count();
        let range = match (closed.first(), closed.last()) {
            (Some(first), Some(last)) => format!(
                "after {:.2}–{:.2} s",
                first.as_secs_f64(),
                last.as_secs_f64()
            ),
            _ => "—".to_owned(),
        };
        println!(
            "{label:<18} {:>5} opened, {:>5} closed by the server {range} (timeout {} s); {held} held open, {early} closed early, {refused} refused at the cap, {} failed",
            of_kind.len(),
            closed.len(),
            timeout.as_secs(),
            failed.len()
        );
        if let Some(why) = failed.first() {
            println!("  first failure: {why}");
        }
        problems += held + early + failed.len();
    }
    let mut sorted = latencies.clone();
    sorted.sort();
    println!(
        "/health meanwhile: {} answered, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {health_failures} failed",
        sorted.len(),
        percentile(&sorted, 50.0).as_secs_f64() * 1e3,
        percentile(&sorted, 99.0).as_secs_f64() * 1e3,
        sorted.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
    if let Some(pid) = args.server_pid {
        match (before, peak, after) {
            (Some((before, _)), Some(peak), Some((after, hwm))) => println!(
                "server {pid} memory: RSS {:.1} MiB before, peak {:.1} MiB during (VmHWM {:.1} MiB), {:.1} MiB after the connections closed",
                mib(before),
                mib(peak),
                mib(hwm),
                mib(after)
            ),
            _ => println!("server {pid} memory: /proc/{pid}/status not readable"),
        }
    }
    anyhow::ensure!(
        problems == 0,
        "{problems} connections were held open past their timeout, closed early, or failed"
    );
    anyhow::ensure!(
        health_failures == 0,
        "{health_failures} /health requests failed"
    );
    Ok(())
}
