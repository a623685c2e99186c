//! Tenure: each member's next anniversary (a year after its `validFor` started, then every
//! year) is a row of `crm_store::deadlines` (owner `loyalty-tenure`), written when the member
//! is written. The `loyaltyTenure` job reads the anniversaries that have come (one range of an
//! index) and, on the member's lock, records a `TenureAnniversary` event of the member
//! (`eventId` `TenureAnniversary:{member}:{years}`, taken once; `event.years`), which the
//! rules judge like any other and which recomputes the member's tier (tenure thresholds), then
//! moves the row to the next anniversary. Restart-safe and safe in several instances: the
//! event is taken once per member and year.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Datelike, Months, Utc};
use crm_store::deadlines::{self, Deadline};
use crm_store::{Clock, DatabaseTransaction, DocumentService, Store};
use serde_json::{Value as Json, json};
use tmf_apis::{RequestContext, TmfResult};

use crate::earning::ProductEvents;
use crate::kinds::MemberKind;

/// The owner of the members' rows in `deadline`.
const OWNER: &str = "loyalty-tenure";
/// The job's name.
pub const TENURE_JOB: &str = "loyaltyTenure";

/// When a member's tenure started.
fn start_of(member: &Json) -> Option<DateTime<Utc>> {
    member
        .pointer("/validFor/startDateTime")
        .and_then(Json::as_str)
        .and_then(|start| start.parse().ok())
}

/// The first anniversary of `start` after `now`, and how many years it makes.
fn next_anniversary(start: DateTime<Utc>, now: DateTime<Utc>) -> Option<(DateTime<Utc>, u32)> {
    let mut years = u32::try_from(now.year() - start.year()).unwrap_or(0).max(1);
    loop {
        let at = start.checked_add_months(Months::new(years.checked_mul(12)?))?;
        if at > now {
            return Some((at, years));
        }
        years = years.checked_add(1)?;
    }
}

/// Writes (or moves) the next anniversary of member `id`, in the change that writes it.
pub(crate) async fn watch(
    txn: &DatabaseTransaction,
    id: &str,
    member: &Json,
    now: DateTime<Utc>,
) -> TmfResult<()> {
    let next = start_of(member).and_then(|start| next_anniversary(start, now));
    let row = Deadline {
        key: id.to_owned(),
        target_id: id.to_owned(),
        stage: "member".to_owned(),
        next_at: next.map(|(at, _)| deadlines::to_millis_ceil(at)),
        detail: json!({}),
    };
    deadlines::put(txn, OWNER, &row).await
}

/// The tenure job.
pub struct Tenure {
    pub(crate) store: Store,
    pub(crate) members: Arc<DocumentService<MemberKind>>,
    pub(crate) events: Arc<ProductEvents>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) interval: Duration,
}

impl std::fmt::Debug for Tenure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tenure")
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

fn system_context() -> RequestContext {
    RequestContext::system("system:loyalty-tenure", "a membership anniversary")
}

impl Tenure {
    /// One pass: every anniversary that had come by the pass's start. Returns the members.
    pub async fn run_once(&self) -> TmfResult<Vec<String>> {
        let ctx = system_context();
        let now = self.clock.now();
        let mut done = Vec::new();
        let mut pass = deadlines::DuePass::new(OWNER, now);
        while let Some(due) = pass.next_page(self.store.connection()).await? {
            for row in due {
                match self.celebrate(&ctx, &row.target_id).await {
                    Ok(true) => done.push(row.target_id.clone()),
                    Ok(false) => {}
                    Err(error) => {
                        tracing::warn!(member = %row.target_id, error = %error.message,
                            "anniversary not recorded; retried on the next pass");
                    }
                }
            }
        }
        Ok(done)
    }

    /// Records the anniversaries of member `id` that have come, on its lock.
    async fn celebrate(&self, ctx: &RequestContext, id: &str) -> TmfResult<bool> {
        self.store
            .write(async |txn| {
                let Some(member) = self.members.load_in(txn, id).await? else {
                    deadlines::remove(txn, OWNER, id).await?;
                    return Ok(false);
                };
                let now = self.clock.now();
                let Some(start) = start_of(&member) else {
                    watch(txn, id, &member, now).await?;
                    return Ok(false);
                };
                let years = next_anniversary(start, now).map_or(0, |(_, next)| next - 1);
                if years == 0 {
                    watch(txn, id, &member, now).await?;
                    return Ok(false);
                }
                let event = crm_module::BusinessEvent {
                    event_type: "TenureAnniversary",
                    source_id: format!("{id}:{years}"),
                    parties: Vec::new(),
                    payload: json!({"years": years}),
                };
                self.events.record_for(txn, ctx, id, &event).await?;
                watch(txn, id, &member, now).await?;
                Ok(true)
            })
            .await
    }
}

#[async_trait::async_trait]
impl crm_module::Job for Tenure {
    fn name(&self) -> &'static str {
        TENURE_JOB
    }

    fn interval(&self) -> Duration {
        self.interval
    }

    async fn run_once(&self) -> TmfResult<Vec<String>> {
        Tenure::run_once(self).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("a time")
    }

    #[test]
    fn the_next_anniversary_is_the_first_after_now() {
        let start = at("2024-02-29T10:00:00Z");
        assert_eq!(
            next_anniversary(start, at("2024-03-01T00:00:00Z")),
            Some((at("2025-02-28T10:00:00Z"), 1))
        );
        assert_eq!(
            next_anniversary(start, at("2026-12-06T00:00:00Z")),
            Some((at("2027-02-28T10:00:00Z"), 3))
        );
        assert_eq!(
            next_anniversary(start, at("2028-02-29T10:00:00Z")),
            Some((at("2029-02-28T10:00:00Z"), 5))
        );
    }
}
