//! The `slaEvaluation` job: finds the targets that crossed a threshold since they were last
//! assessed (their `atRiskDate` or `dueDate`: the rows of `deadline` whose `next_at` has come,
//! one range of its partial index, however many resources are watched) and assesses each
//! resource again ([`crate::standing`]), on the locked resource: its
//! standing moves (`onTrack → atRisk → breached`), a breach records its violation and proposed
//! compensation, and the resource is written through the writer its domain offers (history,
//! `…AttributeValueChangeEvent`) by `system:sla-evaluator`. A hundred resources share a
//! transaction (one commit), each in a part of its own (a savepoint) that fails alone.
//!
//! Every instance runs it. Two passes that reach the same resource are serialised on its
//! lock, and the second finds the standing already moved: one violation per rule and
//! resource. Everything a pass knows is in the rows, so a pass stopped anywhere (a restart, a
//! crash) is carried on by the next; the time is the injected clock's.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use crm_store::deadlines;
use crm_store::{Clock, DatabaseTransaction, DocumentWriter, Store};
use serde_json::Value as Json;
use sid_model::{ProductOrder, TroubleTicket};
use tmf_apis::body::from_value;
use tmf_apis::{RequestContext, TmfError, TmfResult};

use crate::standing::OWNER;
use crate::targets::{COMPLETION, Targets, watch_order, watch_ticket};

/// The job's name.
pub const EVALUATION_JOB: &str = "slaEvaluation";

/// Who the history names for the job's changes.
const EVALUATOR_ACTOR: &str = "system:sla-evaluator";

/// Resources assessed per transaction: one commit (one `fsync`) for them all.
const BATCH: usize = 100;

/// The evaluator job.
pub struct Evaluator {
    pub(crate) store: Store,
    pub(crate) targets: Arc<Targets>,
    /// The writers of the watched types, by type name.
    pub(crate) writers: BTreeMap<&'static str, Arc<dyn DocumentWriter>>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) interval: Duration,
}

impl std::fmt::Debug for Evaluator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Evaluator")
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

fn system_context() -> RequestContext {
    RequestContext::system(EVALUATOR_ACTOR, "an SLA target crossed a threshold")
}

/// The type of the resource a row watches: named by a queued row, else its metric's.
fn watched_type(detail: &Json) -> &'static str {
    let queued = detail.get("@referredType").and_then(Json::as_str);
    match (queued, detail.get("metric").and_then(Json::as_str)) {
        (Some("ProductOrder"), _) | (None, Some(COMPLETION)) => "ProductOrder",
        _ => "TroubleTicket",
    }
}

impl Evaluator {
    /// One pass: assesses again every resource with a target whose threshold had come by the
    /// pass's start. Returns the ids of those whose standing changed.
    pub async fn run_once(&self) -> TmfResult<Vec<String>> {
        let ctx = system_context();
        // What crossed by the pass's start; what crosses meanwhile is the next pass's.
        let now = self.clock.now();
        let mut seen = HashSet::new();
        let mut changed = Vec::new();
        let mut pass = deadlines::DuePass::new(OWNER, now);
        while let Some(due) = pass.next_page(self.store.connection()).await? {
            let mut targets: Vec<(&'static str, String)> = due
                .iter()
                .filter(|row| seen.insert(row.target_id.clone()))
                .map(|row| (watched_type(&row.detail), row.target_id.clone()))
                .collect();
            for batch in targets.chunks_mut(BATCH) {
                // Locked in one order by every instance: two passes never wait on each other
                // in a circle.
                batch.sort_by(|a, b| a.1.cmp(&b.1));
                match self.reassess_batch(&ctx, batch).await {
                    Ok(moved) => changed.extend(moved),
                    Err(error) => {
                        tracing::warn!(error = %error.message,
                            "SLA standings not assessed; retried on the next pass");
                    }
                }
            }
        }
        Ok(changed)
    }

    /// Assesses the resources of `batch` again, in one transaction (one commit for them all),
    /// each in a part of its own that fails alone. Returns those whose standing changed.
    async fn reassess_batch(
        &self,
        ctx: &RequestContext,
        batch: &[(&'static str, String)],
    ) -> TmfResult<Vec<String>> {
        self.store
            .write(async |txn| {
                let mut changed = Vec::new();
                for (type_name, id) in batch {
                    let outcome = crm_store::attempt(txn, async |part| {
                        self.reassess(part, ctx, type_name, id).await
                    })
                    .await?;
                    match outcome {
                        Ok(true) => changed.push(id.clone()),
                        Ok(false) => {}
                        Err(error) => {
                            tracing::warn!(%type_name, %id, error = %error.message,
                                "SLA standing not assessed; retried on the next pass");
                        }
                    }
                }
                Ok(changed)
            })
            .await
    }

    /// Assesses the resource `id` of `type_name` again, locked, within `txn`; whether its
    /// standing changed.
    async fn reassess(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        type_name: &str,
        id: &str,
    ) -> TmfResult<bool> {
        // Gone (erased, deleted), or of a type no module serves: nothing to watch.
        let forget = async || -> TmfResult<bool> {
            for row in deadlines::of_target(txn, OWNER, id).await? {
                deadlines::remove(txn, OWNER, &row.key).await?;
            }
            Ok(false)
        };
        let Some(writer) = self.writers.get(type_name) else {
            return forget().await;
        };
        let Some(mut document) = writer.load_in(txn, id).await? else {
            return forget().await;
        };
        let now = self.clock.now();
        let unreadable = |e: TmfError| {
            TmfError::internal(format!("stored {type_name} {id} unreadable: {}", e.message))
        };
        let watched = match type_name {
            "ProductOrder" => {
                let order: ProductOrder = from_value(document.clone()).map_err(unreadable)?;
                watch_order(Some(&order), &order, now)
            }
            _ => {
                let ticket: TroubleTicket = from_value(document.clone()).map_err(unreadable)?;
                watch_ticket(Some(&ticket), &ticket, now)
            }
        };
        let Some(watched) = watched else {
            return forget().await;
        };
        let changed = self
            .targets
            .follow(txn, ctx, &watched, &mut document)
            .await?;
        if changed {
            writer.replace_in(txn, ctx, id, document).await?;
            tracing::debug!(%type_name, %id, "SLA standing changed");
        }
        Ok(changed)
    }
}

#[async_trait::async_trait]
impl crm_module::Job for Evaluator {
    fn name(&self) -> &'static str {
        EVALUATION_JOB
    }

    fn interval(&self) -> Duration {
        self.interval
    }

    async fn run_once(&self) -> TmfResult<Vec<String>> {
        Evaluator::run_once(self).await
    }
}
