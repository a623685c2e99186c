//! The bill import benchmark: a generated bill exchange file of N rates, imported by the
//! real `crm-server import bills` process into a database seeded with billing accounts;
//! reports the rate of rates per second over the whole command (start-up, the checking
//! pass, the import) and the process's peak resident memory (`VmHWM`, read from `/proc`
//! while it runs). Then the same file again: nothing may change, and the rerun's time is
//! reported too.
//!
//! The file: bills of `--rates-per-bill` rates each (a monthly fee, usage, a credit, with
//! their taxes, a period, characteristics), the bills spread over the billing accounts of the
//! seeded database, each with a payment on every third bill.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::Row;

/// What the import benchmark needs.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ImportArgs {
    /// The server binary (`target/release/crm-server`).
    #[arg(long, default_value = "target/release/crm-server")]
    pub server_bin: PathBuf,
    /// Where the database and the file go (a fresh temporary directory when absent).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// The database (the embedded SQLite file in the data directory when absent).
    #[arg(long)]
    pub database_url: Option<String>,
    /// Rates in the file.
    #[arg(long, default_value_t = 1_000_000)]
    pub rates: u64,
    /// Rates per bill.
    #[arg(long, default_value_t = 100)]
    pub rates_per_bill: u64,
    /// Billing accounts seeded (the bills are spread over them).
    #[arg(long, default_value_t = 2_000)]
    pub accounts: u64,
}

/// One run of the import command.
#[derive(Debug)]
pub(crate) struct Run {
    pub elapsed: Duration,
    /// Peak resident memory, KiB.
    pub peak_kib: u64,
    pub summary: String,
}

fn generate(path: &Path, accounts: &[String], rates: u64, per_bill: u64) -> anyhow::Result<u64> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(out, "<customerBills version=\"1\">")?;
    let per_bill = per_bill.max(1);
    let bills = rates.div_ceil(per_bill);
    for b in 0..bills {
        let count = per_bill.min(rates - b * per_bill);
        let account = &accounts[usize::try_from(b).unwrap_or(0) % accounts.len()];
        // Each rate: 10.00 + 2.00 VAT = 12.00, but every tenth is a 1.50 credit.
        let credits = count / 10;
        let charges = count - credits;
        let excluded = 10 * charges;
        let tax = 2 * charges;
        let included_cents = 1200 * charges - 150 * credits;
        let due = format!("{}.{:02}", included_cents / 100, included_cents % 100);
        let paid = b % 3 == 0;
        let state = if paid { "partiallyPaid" } else { "sent" };
        let month = 1 + b % 12;
        writeln!(
            out,
            "  <customerBill billNo=\"BENCH-{b:07}\" billDate=\"2026-{month:02}-28T00:00:00Z\" paymentDueDate=\"2026-{month:02}-28T00:00:00Z\" category=\"normal\" runType=\"onCycle\" state=\"{state}\">"
        )?;
        writeln!(out, "    <billingAccount id=\"{account}\"/>")?;
        writeln!(
            out,
            "    <billingPeriod startDateTime=\"2026-{month:02}-01T00:00:00Z\" endDateTime=\"2026-{month:02}-28T23:59:59Z\"/>"
        )?;
        writeln!(out, "    <amountDue currency=\"EUR\">{due}</amountDue>")?;
        // Taxes add up over the charges; the credits lower what is asked.
        let included_taxed = format!("{}.00", excluded + tax);
        writeln!(
            out,
            "    <taxExcludedAmount currency=\"EUR\">{excluded}.00</taxExcludedAmount>"
        )?;
        writeln!(
            out,
            "    <taxIncludedAmount currency=\"EUR\">{included_taxed}</taxIncludedAmount>"
        )?;
        writeln!(
            out,
            "    <taxItem taxCategory=\"VAT\" taxRate=\"0.20\"><taxAmount currency=\"EUR\">{tax}.00</taxAmount></taxItem>"
        )?;
        if paid {
            writeln!(
                out,
                "    <appliedPayment><payment id=\"PAY-BENCH-{b:07}\"/><appliedAmount currency=\"EUR\">1.00</appliedAmount></appliedPayment>"
            )?;
        }
        for r in 0..count {
            if r % 10 == 9 {
                writeln!(
                    out,
                    "    <appliedCustomerBillingRate externalId=\"BENCH-{b:07}-{r:05}\" type=\"appliedBillingCredit\" date=\"2026-{month:02}-28T00:00:00Z\" name=\"Loyalty rebate\">"
                )?;
                writeln!(
                    out,
                    "      <taxIncludedAmount currency=\"EUR\">1.50</taxIncludedAmount>"
                )?;
            } else {
                writeln!(
                    out,
                    "    <appliedCustomerBillingRate externalId=\"BENCH-{b:07}-{r:05}\" type=\"appliedBillingCharge\" date=\"2026-{month:02}-28T00:00:00Z\" name=\"Calls to mobiles\" description=\"usage of line {r}\">"
                )?;
                writeln!(
                    out,
                    "      <periodCoverage startDateTime=\"2026-{month:02}-01T00:00:00Z\" endDateTime=\"2026-{month:02}-28T23:59:59Z\"/>"
                )?;
                writeln!(
                    out,
                    "      <taxExcludedAmount currency=\"EUR\">10.00</taxExcludedAmount>"
                )?;
                writeln!(
                    out,
                    "      <taxIncludedAmount currency=\"EUR\">12.00</taxIncludedAmount>"
                )?;
                writeln!(
                    out,
                    "      <appliedTax taxCategory=\"VAT\" taxRate=\"0.20\"><taxAmount currency=\"EUR\">2.00</taxAmount></appliedTax>"
                )?;
                writeln!(
                    out,
                    "      <characteristic name=\"chargeType\" value=\"usage\"/>"
                )?;
            }
            writeln!(out, "    </appliedCustomerBillingRate>")?;
        }
        writeln!(out, "  </customerBill>")?;
    }
    writeln!(out, "</customerBills>")?;
    out.flush()?;
    Ok(bills)
}

/// The ids of the first `n` billing accounts of the database.
async fn accounts(database_url: &str, n: u64) -> anyhow::Result<Vec<String>> {
    let limit = i64::try_from(n).unwrap_or(i64::MAX);
    let rows = if database_url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(database_url).await?;
        let rows = sqlx::query(
            "SELECT id FROM account WHERE kind = 'BillingAccount' ORDER BY id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&pool)
        .await?;
        pool.close().await;
        rows.iter()
            .map(|row| row.try_get::<String, _>("id"))
            .collect::<Result<Vec<_>, _>>()?
    } else {
        let pool = sqlx::SqlitePool::connect(database_url).await?;
        let rows =
            sqlx::query("SELECT id FROM account WHERE kind = 'BillingAccount' ORDER BY id LIMIT ?")
                .bind(limit)
                .fetch_all(&pool)
                .await?;
        pool.close().await;
        rows.iter()
            .map(|row| row.try_get::<String, _>("id"))
            .collect::<Result<Vec<_>, _>>()?
    };
    anyhow::ensure!(!rows.is_empty(), "no billing account in {database_url}");
    Ok(rows)
}

/// Runs `crm-server ARGS` to its end, following its peak memory.
fn run_server(args: &ImportArgs, env: &[(&str, String)], words: &[&str]) -> anyhow::Result<Run> {
    let mut command = Command::new(&args.server_bin);
    command
        .args(words)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (key, value) in env {
        command.env(key, value);
    }
    let started = Instant::now();
    let mut child = command
        .spawn()
        .with_context(|| format!("starting {}", args.server_bin.display()))?;
    let pid = child.id();
    let mut stdout = child.stdout.take().context("the command's output")?;
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut text);
        text
    });
    let mut peak_kib = 0;
    let status = loop {
        if let Some((_, hwm)) = crate::load::memory(pid) {
            peak_kib = peak_kib.max(hwm);
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    let output = reader.join().unwrap_or_default();
    anyhow::ensure!(
        status.success(),
        "crm-server {words:?} failed ({status}): {output}"
    );
    let summary = output
        .lines()
        .filter(|line| line.starts_with("summary:") || line.starts_with("nothing changed"))
        .collect::<Vec<_>>()
        .join("\n");
    Ok(Run {
        elapsed,
        peak_kib,
        summary,
    })
}

/// Seeds, generates, imports twice, and prints the figures.
pub(crate) async fn run(args: ImportArgs) -> anyhow::Result<()> {
    let data_dir = match &args.data_dir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("crm-bench-import-{}", uuid::Uuid::now_v7())),
    };
    std::fs::create_dir_all(&data_dir)?;
    let database_url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("crm.db").display()));
    let env = [
        ("CRM_DATA_DIR", data_dir.display().to_string()),
        ("CRM_DATABASE_URL", database_url.clone()),
    ];
    let accounts_arg = args.accounts.to_string();
    let seeded = run_server(
        &args,
        &env,
        &["seed", "--parties", &accounts_arg, "--batch", "5000"],
    )?;
    println!(
        "seeded {} billing accounts in {:.1} s",
        args.accounts,
        seeded.elapsed.as_secs_f64()
    );
    let accounts = accounts(&database_url, args.accounts).await?;
    let file = data_dir.join("bills.xml");
    let started = Instant::now();
    let bills = generate(&file, &accounts, args.rates, args.rates_per_bill)?;
    let size = std::fs::metadata(&file)?.len();
    println!(
        "generated {} bills / {} rates, {:.1} MiB, in {:.1} s: {}",
        bills,
        args.rates,
        size as f64 / (1024.0 * 1024.0),
        started.elapsed().as_secs_f64(),
        file.display()
    );
    let path = file.display().to_string();
    for what in ["import", "rerun (nothing to do)"] {
        let result = run_server(&args, &env, &["import", "bills", &path])?;
        let seconds = result.elapsed.as_secs_f64();
        println!(
            "{what}: {:.1} s, {:.0} rates/s, {:.0} bills/s, peak RSS {:.0} MiB\n  {}",
            seconds,
            args.rates as f64 / seconds,
            bills as f64 / seconds,
            result.peak_kib as f64 / 1024.0,
            result.summary.replace('\n', "\n  ")
        );
        anyhow::ensure!(
            what == "import" || result.summary.contains("nothing changed"),
            "the same file imported again changed something: {}",
            result.summary
        );
    }
    if args.data_dir.is_none() {
        let _ = std::fs::remove_dir_all(&data_dir);
    }
    Ok(())
}
