//! Progress of a long exchange: on a terminal, an `indicatif` bar of the bytes read out of
//! the file's size, with the rate and the time left; otherwise (a log, a pipe, a test) a
//! plain line every few seconds. Both read counters the work updates as it goes, from a task
//! of their own, so the work never waits for the display.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crm_module::Console;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How often a plain progress line is written.
pub(crate) const PLAIN_EVERY: Duration = Duration::from_secs(5);

/// What the work has done so far.
#[derive(Debug, Default)]
pub(crate) struct Meter {
    /// Bytes of the file read (or written).
    pub bytes: Arc<AtomicU64>,
    /// Bills done.
    pub bills: AtomicU64,
    /// Rates done.
    pub rates: AtomicU64,
}

impl Meter {
    fn counts(&self) -> (u64, u64, u64) {
        (
            self.bytes.load(Ordering::Relaxed),
            self.bills.load(Ordering::Relaxed),
            self.rates.load(Ordering::Relaxed),
        )
    }
}

/// A running display of a [`Meter`].
pub(crate) struct Progress {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress").finish_non_exhaustive()
    }
}

/// `n` with thousands separated (`1,000,000`).
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n` and the noun that goes with it (`1 bill`, `2 bills`).
pub(crate) fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

impl Progress {
    /// Shows `phase` (`importing bills.xml`) over `meter`, out of `total` bytes when known.
    pub(crate) fn start(
        console: &Console,
        phase: String,
        total: Option<u64>,
        meter: Arc<Meter>,
    ) -> Self {
        let (stop, mut stopped) = watch::channel(false);
        let console = console.clone();
        let task = tokio::spawn(async move {
            let started = Instant::now();
            let bar = console.is_terminal().then(|| {
                let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
                let template = match total {
                    Some(_) => "{msg} [{wide_bar}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec}, ETA {eta}",
                    None => "{spinner} {msg} {binary_bytes} {binary_bytes_per_sec}, {elapsed}",
                };
                if let Ok(style) = ProgressStyle::with_template(template) {
                    bar.set_style(style.progress_chars("=> "));
                }
                bar
            });
            let tick = match bar {
                Some(_) => Duration::from_millis(200),
                None => PLAIN_EVERY,
            };
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(tick) => {}
                    _ = stopped.changed() => break,
                }
                let (bytes, bills, rates) = meter.counts();
                let elapsed = started.elapsed().as_secs_f64().max(0.001);
                let per_second = rates as f64 / elapsed;
                let counts = format!(
                    "{} bills, {} rates ({} rates/s)",
                    thousands(bills),
                    thousands(rates),
                    thousands(per_second as u64)
                );
                match &bar {
                    Some(bar) => {
                        bar.set_position(bytes);
                        bar.set_message(format!("{phase}: {counts}"));
                    }
                    None => {
                        let done = match total {
                            Some(total) if total > 0 => {
                                let share = bytes as f64 / total as f64;
                                let left = if share > 0.0 {
                                    format!(", about {:.0} s left", elapsed * (1.0 - share) / share)
                                } else {
                                    String::new()
                                };
                                format!(
                                    "{:.0}% ({:.1} of {:.1} MiB){left}",
                                    share * 100.0,
                                    mib(bytes),
                                    mib(total)
                                )
                            }
                            _ => format!("{:.1} MiB", mib(bytes)),
                        };
                        let _ = writeln!(console.err(), "{phase}: {done}, {counts}");
                    }
                }
            }
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
        });
        Self { stop, task }
    }

    /// Stops the display (a bar is cleared: the summary follows).
    pub(crate) async fn finish(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
