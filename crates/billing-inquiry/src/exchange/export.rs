//! `crm-server export bills [--account ID] [--since DATE] > FILE.xml`: the stored bills, each
//! with its rates and payments, in the format the import reads, streamed to standard output:
//! bills are read in pages of [`PAGE`] in id order (a keyset walk, no offset), each bill's
//! rates by `bill.id` (its index), and each bill written as soon as it is read, so memory
//! stays flat whatever the number of bills. `--account` keeps the bills of one billing
//! account, `--since` those whose `billDate` is at or after the date (an RFC 3339 instant or a
//! day, `2026-11-01`); both are the list filters of the API (`billingAccount.id=`,
//! `billDate.gte=`). Reads go through the pool, never the write lock, so a running server
//! goes on serving and writing meanwhile.

use std::io::{BufWriter, Write};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use chrono::{DateTime, SecondsFormat, Utc};
use crm_module::{CommandError, Console};
use crm_store::{DocumentService, Store};
use serde_json::Value as Json;
use tmf_apis::{ListQuery, QueryLimits, ResourceService, TmfResult};

use super::progress::{Meter, Progress, plural};
use super::writer::BillWriter;
use crate::bills::BillKind;
use crate::rates::RateKind;

/// Bills read per query.
pub(crate) const PAGE: u64 = 200;

/// What an export reads through.
pub(crate) struct Exporter {
    pub bills: Arc<DocumentService<BillKind>>,
    pub rates: Arc<DocumentService<RateKind>>,
    pub store: Store,
}

impl std::fmt::Debug for Exporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exporter").finish_non_exhaustive()
    }
}

/// Which bills an export writes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filter {
    pub account: Option<String>,
    pub since: Option<DateTime<Utc>>,
}

/// The console's standard output as a `Write`, locked for each write (the writer above it
/// buffers), counting the bytes written.
struct Out {
    console: Console,
    meter: Arc<Meter>,
}

impl Write for Out {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let written = self.console.out().write(bytes)?;
        self.meter
            .bytes
            .fetch_add(written as u64, Ordering::Relaxed);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.console.out().flush()
    }
}

impl Exporter {
    /// The list query of `filter`, read with the resource's own catalogue.
    fn query(&self, filter: &Filter) -> TmfResult<ListQuery> {
        let mut raw = form_urlencoded::Serializer::new(String::new());
        if let Some(account) = &filter.account {
            raw.append_pair("billingAccount.id", account);
        }
        if let Some(since) = &filter.since {
            raw.append_pair(
                "billDate.gte",
                &since.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            );
        }
        let raw = raw.finish();
        ListQuery::parse(
            Some(&raw),
            &self.bills.descriptor().catalog,
            &QueryLimits::default(),
        )
    }

    /// Writes the bills of `filter` to `console`'s standard output; progress and the summary
    /// on its standard error.
    pub(crate) async fn run(
        &self,
        console: &Console,
        filter: &Filter,
    ) -> Result<(u64, u64), CommandError> {
        let failed =
            |e: tmf_apis::TmfError| CommandError::Failed(format!("reading bills: {}", e.message));
        let written = |e: std::io::Error| CommandError::Failed(format!("writing: {e}"));
        let query = self.query(filter).map_err(failed)?;
        let meter = Arc::new(Meter::default());
        let progress = Progress::start(console, "exporting bills".into(), None, meter.clone());
        let out = BufWriter::with_capacity(
            64 * 1024,
            Out {
                console: console.clone(),
                meter: meter.clone(),
            },
        );
        let connection = self.store.connection();
        let mut writer = BillWriter::new(out).map_err(written)?;
        let (mut bills, mut rates) = (0u64, 0u64);
        let mut after: Option<String> = None;
        loop {
            let page = self
                .bills
                .scan(connection, &query, after.as_deref(), PAGE)
                .await
                .map_err(failed)?;
            let Some(last) = page.last() else {
                break;
            };
            after = last.get("id").and_then(Json::as_str).map(str::to_owned);
            for bill in &page {
                let id = bill.get("id").and_then(Json::as_str).unwrap_or_default();
                let lines = self
                    .rates
                    .find_in(connection, "bill.id", id)
                    .await
                    .map_err(failed)?;
                writer.bill(bill, &lines).map_err(written)?;
                bills += 1;
                rates += lines.len() as u64;
            }
            meter.bills.store(bills, Ordering::Relaxed);
            meter.rates.store(rates, Ordering::Relaxed);
            if (page.len() as u64) < PAGE || after.is_none() {
                break;
            }
        }
        let mut out = writer.finish().map_err(written)?;
        out.flush().map_err(written)?;
        progress.finish().await;
        let _ = writeln!(
            console.err(),
            "exported {} / {}",
            plural(bills, "bill", "bills"),
            plural(rates, "rate", "rates")
        );
        Ok((bills, rates))
    }
}
