//! Driving a workload with a fixed number of concurrent connections for a fixed time, and
//! what came of it: throughput and latency percentiles.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The outcome of one workload.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    /// What was measured.
    pub name: String,
    /// Requests completed successfully.
    pub ok: u64,
    /// Requests that failed (an unexpected status or a transport error).
    pub errors: u64,
    /// Completed requests per second.
    pub throughput: f64,
    /// Median latency, milliseconds.
    pub p50_ms: f64,
    /// 99th percentile latency, milliseconds.
    pub p99_ms: f64,
    /// The first error seen, if any.
    pub first_error: Option<String>,
}

/// Runs `request(worker, n)` on `connections` workers for `duration` (after a warm-up of a
/// tenth of it, not measured), each worker sequentially.
pub(crate) async fn drive<F, Fut>(
    name: &str,
    connections: usize,
    duration: Duration,
    request: F,
) -> Outcome
where
    F: Fn(usize, u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send,
{
    let request = Arc::new(request);
    let warm_up = duration / 10;
    let started = Instant::now();
    let measure_from = started + warm_up;
    let until = measure_from + duration;
    let mut workers = Vec::with_capacity(connections);
    for worker in 0..connections {
        let request = request.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies: Vec<u32> = Vec::new();
            let mut errors = 0u64;
            let mut first_error = None;
            let mut n = 0u64;
            loop {
                let sent = Instant::now();
                if sent >= until {
                    break;
                }
                let result = request(worker, n).await;
                n += 1;
                if sent < measure_from {
                    continue;
                }
                match result {
                    Ok(()) => {
                        let micros = sent.elapsed().as_micros();
                        latencies.push(u32::try_from(micros).unwrap_or(u32::MAX));
                    }
                    Err(error) => {
                        errors += 1;
                        first_error.get_or_insert(error);
                    }
                }
            }
            (latencies, errors, first_error)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    for worker in workers {
        if let Ok((mut l, e, f)) = worker.await {
            latencies.append(&mut l);
            errors += e;
            if first_error.is_none() {
                first_error = f;
            }
        }
    }
    latencies.sort_unstable();
    let percentile = |p: f64| -> f64 {
        if latencies.is_empty() {
            return f64::NAN;
        }
        let rank = ((p * latencies.len() as f64).ceil() as usize).clamp(1, latencies.len());
        f64::from(latencies[rank - 1]) / 1000.0
    };
    Outcome {
        name: name.to_owned(),
        ok: latencies.len() as u64,
        errors,
        throughput: latencies.len() as f64 / duration.as_secs_f64(),
        p50_ms: percentile(0.50),
        p99_ms: percentile(0.99),
        first_error,
    }
}
