//! Points that expire. Every balance carries, besides its `quantity` (what was granted, never
//! changed), two attributes the server keeps: `remaining` (the points still to burn, the
//! quantity at first) and `state` (`active`, then `expired`). Its end of window is a row of
//! `crm_store::deadlines` (owner `loyalty-expiry`), written in the change that writes the
//! balance; the `loyaltyExpiry` job reads the rows whose end has come (one range of an index)
//! and expires each balance on its lock, in its own change: `state` `expired`, what was left
//! kept as `expiredQuantity`, `remaining` nothing, with its history and
//! `LoyaltyBalanceStateChangeEvent`. Two instances, or a pass interrupted anywhere, expire a
//! balance once: the state is checked on the lock.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use crm_store::deadlines::{self, Deadline};
use crm_store::{Clock, DatabaseTransaction, DocumentService, Store};
use rust_decimal::Decimal;
use serde_json::{Value as Json, json};
use tmf_apis::{RequestContext, TmfError, TmfResult};

use crate::kinds::BalanceKind;

/// The owner of the balances' rows in `deadline`.
pub(crate) const OWNER: &str = "loyalty-expiry";
/// The job's name.
pub const EXPIRY_JOB: &str = "loyaltyExpiry";
/// Who the history names for expiries.
const EXPIRY_ACTOR: &str = "system:loyalty-expiry";
/// A balance whose points may be burned.
pub const ACTIVE: &str = "active";
/// A balance whose window has ended.
pub const EXPIRED: &str = "expired";

/// The end of a balance's window, from its document.
fn end_of(balance: &Json) -> Option<DateTime<Utc>> {
    balance
        .pointer("/validFor/endDateTime")
        .and_then(Json::as_str)
        .and_then(|end| end.parse().ok())
}

/// Sets what the server keeps on a new balance (`remaining` its quantity, `state` active).
pub(crate) fn open(balance: &mut Json) {
    let quantity = balance.get("quantity").cloned().unwrap_or(Json::Null);
    if let Some(map) = balance.as_object_mut() {
        map.insert("remaining".into(), quantity);
        map.insert("state".into(), json!(ACTIVE));
    }
}

/// Writes (or moves) the expiry of balance `id` (`document`), in the change that writes it.
pub(crate) async fn watch(txn: &DatabaseTransaction, id: &str, document: &Json) -> TmfResult<()> {
    let expired = document.get("state").and_then(Json::as_str) == Some(EXPIRED);
    let row = Deadline {
        key: id.to_owned(),
        target_id: id.to_owned(),
        stage: if expired { EXPIRED } else { ACTIVE }.to_owned(),
        next_at: end_of(document)
            .filter(|_| !expired)
            .map(deadlines::to_millis_ceil),
        detail: json!({}),
    };
    deadlines::put(txn, OWNER, &row).await
}

/// The expiry job.
pub struct Expiry {
    pub(crate) store: Store,
    pub(crate) balances: Arc<DocumentService<BalanceKind>>,
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
    RequestContext::system(EXPIRY_ACTOR, "the balance's validFor ended")
}

impl Expiry {
    /// One pass: expires every balance whose window had ended by the pass's start. Returns
    /// their ids.
    pub async fn run_once(&self) -> TmfResult<Vec<String>> {
        let ctx = system_context();
        let now = self.clock.now();
        let mut expired = Vec::new();
        let mut pass = deadlines::DuePass::new(OWNER, now);
        while let Some(due) = pass.next_page(self.store.connection()).await? {
            for row in due {
                match self.expire_one(&ctx, &row.target_id).await {
                    Ok(true) => expired.push(row.target_id.clone()),
                    Ok(false) => {}
                    Err(error) => {
                        tracing::warn!(balance = %row.target_id, error = %error.message,
                            "expiry failed; retried on the next pass");
                    }
                }
            }
        }
        Ok(expired)
    }

    /// Expires balance `id` if, once locked, it is still active and its window has ended.
    async fn expire_one(&self, ctx: &RequestContext, id: &str) -> TmfResult<bool> {
        self.store
            .write(async |txn| {
                let Some(mut balance) = self.balances.load_in(txn, id).await? else {
                    deadlines::remove(txn, OWNER, id).await?;
                    return Ok(false);
                };
                let now = self.clock.now();
                let active = balance.get("state").and_then(Json::as_str) != Some(EXPIRED);
                if !active || end_of(&balance).is_none_or(|end| end > now) {
                    // Expired already, or its window moved: the row follows the balance.
                    watch(txn, id, &balance).await?;
                    return Ok(false);
                }
                let unit = balance
                    .pointer("/quantity/unit")
                    .and_then(Json::as_str)
                    .unwrap_or(crate::earning::POINTS)
                    .to_owned();
                let left = balance.get("remaining").cloned().unwrap_or(Json::Null);
                let map = balance
                    .as_object_mut()
                    .ok_or_else(|| TmfError::internal(format!("balance {id} is not an object")))?;
                map.insert("expiredQuantity".into(), left);
                map.insert(
                    "remaining".into(),
                    crate::earning::quantity(&unit, Decimal::ZERO),
                );
                map.insert("state".into(), json!(EXPIRED));
                let stored = self.balances.replace_in(txn, ctx, id, balance).await?;
                watch(txn, id, &stored).await?;
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
