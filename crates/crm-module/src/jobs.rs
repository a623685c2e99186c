//! Background jobs: a module declares them, the server starts them, each on its interval,
//! and stops them after the pass in hand on shutdown.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tmf_apis::TmfResult;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::Instrument;

/// A job that runs in passes (the ticket escalation).
#[async_trait]
pub trait Job: Send + Sync + 'static {
    /// Its name, in logs and for tests to find it (`ticketEscalation`).
    fn name(&self) -> &'static str;

    /// The pause between two passes.
    fn interval(&self) -> Duration;

    /// One pass; the ids of the resources it changed.
    async fn run_once(&self) -> TmfResult<Vec<String>>;
}

impl dyn Job {
    /// Runs the job: a pass at once, then one every [`Job::interval`] until stopped. Each
    /// pass runs in a `job` span naming the job; a failed pass is logged and the next one
    /// runs on time.
    pub fn start(self: &Arc<Self>) -> JobHandle {
        let (shutdown, mut stop) = watch::channel(false);
        let job = self.clone();
        let interval = job.interval().max(Duration::from_millis(10));
        let task = tokio::spawn(async move {
            loop {
                let span =
                    tracing::info_span!("job", name = job.name(), changed = tracing::field::Empty);
                let pass = async {
                    match job.run_once().await {
                        Ok(changed) => {
                            tracing::Span::current().record("changed", changed.len());
                        }
                        Err(error) => {
                            tracing::warn!(error = %error.message, "job pass failed");
                        }
                    }
                };
                pass.instrument(span).await;
                tokio::select! {
                    _ = tokio::time::sleep(interval) => {}
                    _ = stop.changed() => break,
                }
            }
        });
        JobHandle { shutdown, task }
    }
}

/// A running job.
#[derive(Debug)]
pub struct JobHandle {
    shutdown: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl JobHandle {
    /// Stops the job after the pass in hand.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let _ = self.task.await;
    }
}
