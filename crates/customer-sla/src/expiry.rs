//! The `slaExpiry` job: an `active` SLA whose `validFor` has ended moves to `expired`, with
//! its history and `SlaStateChangeEvent`, by the same rules as a client's move
//! (`slas::judge_patch`). Each SLA is locked and judged again in its own transaction, so several
//! instances (or a restart in the middle of a pass) expire it once; the time is the injected
//! clock's.

use std::sync::Arc;
use std::time::Duration;

use crm_store::{Clock, DocumentService, Store};
use sid_model::{Sla, SlaStateType as State};
use tmf_apis::body::from_value;
use tmf_apis::{ListQuery, QueryLimits, RequestContext, ResourceService, TmfError, TmfResult};

use crate::slas::{SlaKind, judge_patch};

/// The job's name.
pub const EXPIRY_JOB: &str = "slaExpiry";

/// Who the history names for the job's changes.
const EXPIRY_ACTOR: &str = "system:sla-expiry";

/// SLAs read per page.
const PAGE: u64 = 500;

/// The expiry job.
pub struct Expiry {
    pub(crate) store: Store,
    pub(crate) slas: Arc<DocumentService<SlaKind>>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) interval: Duration,
}

impl std::fmt::Debug for Expiry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Expiry")
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

fn system_context() -> RequestContext {
    RequestContext::system(EXPIRY_ACTOR, "the SLA's validFor ended")
}

/// Whether `sla` is active and its period ended at `now`.
fn ended(sla: &Sla, now: chrono::DateTime<chrono::Utc>) -> bool {
    sla.state == Some(State::Active)
        && sla
            .valid_for
            .as_ref()
            .and_then(|period| period.end_date_time)
            .is_some_and(|end| end <= now)
}

impl Expiry {
    /// One pass: expires every active SLA whose period has ended. Returns their ids.
    pub async fn run_once(&self) -> TmfResult<Vec<String>> {
        let ctx = system_context();
        let limits = QueryLimits {
            max_limit: PAGE,
            ..QueryLimits::default()
        };
        let mut due = Vec::new();
        let mut offset = 0;
        loop {
            let raw = format!("state=active&sort=id&offset={offset}&limit={PAGE}");
            let query = ListQuery::parse(Some(&raw), &self.slas.descriptor().catalog, &limits)?;
            let page = self.slas.list(&ctx, &query).await?;
            let now = self.clock.now();
            for document in &page.items {
                if let Ok(sla) = from_value::<Sla>(document.clone())
                    && ended(&sla, now)
                    && let Some(id) = sla.id
                {
                    due.push(id);
                }
            }
            if (page.items.len() as u64) < PAGE {
                break;
            }
            offset += PAGE;
        }
        let mut expired = Vec::new();
        for id in due {
            match self.expire_one(&ctx, &id).await {
                Ok(true) => expired.push(id),
                Ok(false) => {}
                Err(error) => {
                    tracing::warn!(sla = %id, error = %error.message, "expiry failed; retried on the next pass");
                }
            }
        }
        if !expired.is_empty() {
            self.store.events().notify();
        }
        Ok(expired)
    }

    /// Expires SLA `id` if, once locked, it is still active and ended.
    async fn expire_one(&self, ctx: &RequestContext, id: &str) -> TmfResult<bool> {
        self.store
            .write(async |txn| {
                let Some(document) = self.slas.load_in(txn, id).await? else {
                    return Ok(false);
                };
                let previous: Sla = from_value(document).map_err(|e| {
                    TmfError::internal(format!("stored SLA {id} unreadable: {}", e.message))
                })?;
                let now = self.clock.now();
                if !ended(&previous, now) {
                    return Ok(false);
                }
                let mut requested = previous.clone();
                requested.state = Some(State::Expired);
                let expired =
                    judge_patch(&previous, requested, now, false).map_err(TmfError::from)?;
                let document = serde_json::to_value(&expired).map_err(TmfError::internal)?;
                self.slas.replace_in(txn, ctx, id, document).await?;
                tracing::info!(sla = %id, "SLA expired");
                Ok(true)
            })
            .await
    }
}

#[async_trait::async_trait]
impl crm_module::Job for Expiry {
    fn name(&self) -> &'static str {
        EXPIRY_JOB
    }

    fn interval(&self) -> Duration {
        self.interval
    }

    async fn run_once(&self) -> TmfResult<Vec<String>> {
        Expiry::run_once(self).await
    }
}
