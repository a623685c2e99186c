//! The `slaEvaluation` job: finds the targets that crossed a threshold since they were last
//! assessed (their `atRiskDate` or `dueDate`: the rows of `deadline` whose `next_at` has come,
//! one range of its partial index, however many resources are watched) and assesses each
//! resource again ([`crate::standing`]), in its own transaction on the locked resource: its
//! standing moves (`onTrack → atRisk → breached`), a breach records its violation and proposed
//! compensation, and the resource is written through the writer its domain offers (history,
//! `…AttributeValueChangeEvent`) by `system:sla-evaluator`.
//!
//! Every instance runs it. Two passes that reach the same resource are serialised on its
//! lock, and the second finds the standing already moved: one violation per rule and
//! resource. Everything a pass knows is in the rows, so a pass stopped anywhere (a restart, a
//! crash) is carried on by the next; the time is the injected clock's.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use crm_store::deadlines::{self, Cursor};
use crm_store::{Clock, DocumentWriter, Store};
use serde_json::Value as Json;
use sid_model::{ProductOrder, TroubleTicket};
use tmf_apis::body::from_value;
use tmf_apis::{Actor, RequestContext, TmfError, TmfResult};

use crate::standing::OWNER;
use crate::targets::{COMPLETION, Targets, watch_order, watch_ticket};

/// The job's name.
pub const EVALUATION_JOB: &str = "slaEvaluation";

/// Who the history names for the job's changes.
const EVALUATOR_ACTOR: &str = "system:sla-evaluator";

/// Rows read per query.
const PAGE: u64 = 500;

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
    RequestContext {
        actor: Actor {
            subject: EVALUATOR_ACTOR.to_owned(),
            roles: Vec::new(),
        },
        reason: Some("an SLA target crossed a threshold".to_owned()),
        correlation_id: None,
        strict_attributes: false,
        idempotency_key: None,
        if_match: tmf_apis::IfMatch::Absent,
    }
}

/// The type of the resource a row of `metric` watches.
fn watched_type(detail: &Json) -> &'static str {
    match detail.get("metric").and_then(Json::as_str) {
        Some(COMPLETION) => "ProductOrder",
        _ => "TroubleTicket",
    }
}

impl Evaluator {
    /// One pass: assesses again every resource with a target whose threshold has come, at
    /// most `limit` of them (`None`: all). Returns the ids of those whose standing changed.
    pub async fn run_some(&self, limit: Option<usize>) -> TmfResult<Vec<String>> {
        let ctx = system_context();
        let mut cursor: Option<Cursor> = None;
        let mut seen = HashSet::new();
        let mut changed = Vec::new();
        // What crossed by the pass's start; what crosses meanwhile is the next pass's.
        let now = self.clock.now();
        'pass: loop {
            let due =
                deadlines::due(self.store.connection(), OWNER, now, cursor.as_ref(), PAGE).await?;
            let Some(last) = due.last() else {
                break;
            };
            cursor = last.next_at.map(|at| (at, last.key.clone()));
            for row in &due {
                if !seen.insert(row.target_id.clone()) {
                    continue;
                }
                if limit.is_some_and(|limit| seen.len() > limit) {
                    break 'pass;
                }
                let type_name = watched_type(&row.detail);
                match self.reassess(&ctx, type_name, &row.target_id).await {
                    Ok(true) => changed.push(row.target_id.clone()),
                    Ok(false) => {}
                    Err(error) => {
                        tracing::warn!(target_id = %row.target_id, error = %error.message,
                            "SLA standing not assessed; retried on the next pass");
                    }
                }
            }
            if (due.len() as u64) < PAGE || cursor.is_none() {
                break;
            }
        }
        if !changed.is_empty() {
            self.store.events().notify();
        }
        Ok(changed)
    }

    /// Assesses the resource `id` of `type_name` again, locked; whether its standing changed.
    async fn reassess(&self, ctx: &RequestContext, type_name: &str, id: &str) -> TmfResult<bool> {
        let Some(writer) = self.writers.get(type_name) else {
            return Ok(false);
        };
        self.store
            .write(async |txn| {
                let Some(mut document) = writer.load_in(txn, id).await? else {
                    // Gone (erased, deleted): nothing to watch.
                    for row in deadlines::of_target(txn, OWNER, id).await? {
                        deadlines::remove(txn, OWNER, &row.key).await?;
                    }
                    return Ok(false);
                };
                let now = self.clock.now();
                let unreadable = |e: TmfError| {
                    TmfError::internal(format!("stored {type_name} {id} unreadable: {}", e.message))
                };
                let watched = match type_name {
                    "ProductOrder" => {
                        let order: ProductOrder =
                            from_value(document.clone()).map_err(unreadable)?;
                        watch_order(Some(&order), &order, now)
                    }
                    _ => {
                        let ticket: TroubleTicket =
                            from_value(document.clone()).map_err(unreadable)?;
                        watch_ticket(Some(&ticket), &ticket, now)
                    }
                };
                let Some(watched) = watched else {
                    return Ok(false);
                };
                let changed = self
                    .targets
                    .follow(txn, ctx, &watched, &mut document)
                    .await?;
                if changed {
                    writer.replace_in(txn, ctx, id, document).await?;
                    tracing::info!(%type_name, %id, "SLA standing changed");
                }
                Ok(changed)
            })
            .await
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
        self.run_some(None).await
    }
}
