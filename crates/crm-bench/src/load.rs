//! The load benchmark: the running server against the physical baselines of the same
//! machine, measured in one run with one client.
//!
//! - retrieve by id (`GET customer/{id}`) against a bare axum handler that returns the same
//!   JSON from memory;
//! - create (`POST individual`) against a raw one-row insert;
//! - a filtered, paged list (`customer?status=active&search.name=<prefix>&limit=20`);
//! - the customer 360 view;
//! - raw one-row select by key, for reference.
//!
//! Ids and names are those of `crm-server seed --parties N --seed S`.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use rand::Rng;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::stats::{Outcome, drive};

/// What the load benchmark needs.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct LoadArgs {
    /// The running server.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// A bearer token (`crm-server token --subject bench --role admin`).
    #[arg(long, env = "CRM_BENCH_TOKEN")]
    pub token: String,
    /// The server's database, for the raw SQL baselines.
    #[arg(long, env = "CRM_DATABASE_URL", default_value = "sqlite://data/crm.db")]
    pub database_url: String,
    /// How many parties the data set has (`seed --parties`).
    #[arg(long, default_value_t = 1_000_000)]
    pub parties: u64,
    /// The seed of the data set (`seed --seed`).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Concurrent connections.
    #[arg(long, default_value_t = 16)]
    pub connections: usize,
    /// Measured seconds per workload.
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// The server's process id, to report its memory.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Run only these workloads (comma-separated: bare, select, insert, retrieve, create,
    /// list, view); all when absent. For profiling one of them.
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
}

/// The id the seeder gives the `n`th resource of `kind` (1 party, 2 customer, 3 account).
fn seeded_id(seed: u64, kind: u8, n: u64) -> String {
    format!("{:08x}-{kind:04x}-7000-8000-{n:012x}", seed & 0xffff_ffff)
}

/// Selective name prefixes of the seeded customers.
const PREFIXES: [&str; 8] = [
    "ana ro", "jose ga", "mia sm", "chen ki", "noah br", "lea du", "sofia si", "yuki ha",
];

/// The server's database, reached directly.
enum Raw {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Raw {
    async fn connect(url: &str, connections: usize) -> anyhow::Result<Self> {
        let max = u32::try_from(connections).unwrap_or(16);
        if url.starts_with("postgres") {
            let pool = PgPoolOptions::new()
                .max_connections(max)
                .connect(url)
                .await?;
            Ok(Self::Postgres(pool))
        } else {
            let options: SqliteConnectOptions = url.parse()?;
            let options = options
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(30));
            let pool = SqlitePoolOptions::new()
                .max_connections(max)
                .connect_with(options)
                .await?;
            Ok(Self::Sqlite(pool))
        }
    }

    async fn execute(&self, sql: &str) -> anyhow::Result<()> {
        match self {
            Self::Sqlite(pool) => sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(pool)
                .await
                .map(|_| ())?,
            Self::Postgres(pool) => sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(pool)
                .await
                .map(|_| ())?,
        }
        Ok(())
    }

    /// One row by key: what a retrieve costs the database.
    async fn select(&self, id: &str) -> Result<(), String> {
        let found = match self {
            Self::Sqlite(pool) => sqlx::query("SELECT body FROM customer WHERE id = ?")
                .bind(id)
                .fetch_optional(pool)
                .await
                .map(|r| r.is_some()),
            Self::Postgres(pool) => sqlx::query("SELECT body::text FROM customer WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await
                .map(|r| r.is_some()),
        };
        match found {
            Ok(true) => Ok(()),
            Ok(false) => Err(format!("no customer {id}")),
            Err(e) => Err(e.to_string()),
        }
    }

    /// One row in its own transaction: what a create costs the database at least.
    async fn insert(&self, id: &str, body: &str) -> Result<(), String> {
        let done = match self {
            Self::Sqlite(pool) => {
                sqlx::query("INSERT INTO bench_baseline (id, body) VALUES (?, ?)")
                    .bind(id)
                    .bind(body)
                    .execute(pool)
                    .await
                    .map(|_| ())
            }
            Self::Postgres(pool) => {
                sqlx::query("INSERT INTO bench_baseline (id, body) VALUES ($1, $2::jsonb)")
                    .bind(id)
                    .bind(body)
                    .execute(pool)
                    .await
                    .map(|_| ())
            }
        };
        done.map_err(|e| e.to_string())
    }

    async fn close(&self) {
        match self {
            Self::Sqlite(pool) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }
}

async fn expect_status(
    response: reqwest::Result<reqwest::Response>,
    status: u16,
) -> Result<(), String> {
    let response = response.map_err(|e| e.to_string())?;
    let got = response.status().as_u16();
    let body = response.bytes().await.map_err(|e| e.to_string())?;
    if got == status {
        Ok(())
    } else {
        Err(format!("status {got}: {}", String::from_utf8_lossy(&body)))
    }
}

/// A bare axum server on an ephemeral loopback port, answering every `GET /customer/{id}`
/// with `body`: the cost of HTTP and JSON bytes alone.
async fn bare_axum(body: Arc<Vec<u8>>) -> anyhow::Result<String> {
    let app = axum::Router::new().route(
        "/customer/{id}",
        axum::routing::get(move || {
            let body = body.clone();
            async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    body.as_ref().clone(),
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(format!("http://{address}"))
}

/// The server's resident memory, KiB: (current, peak), from `/proc`.
pub(crate) fn memory(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let read = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
    };
    Some((read("VmRSS:")?, read("VmHWM:")?))
}

fn row(outcome: &Outcome, baseline: Option<&Outcome>) -> String {
    let ratio = baseline.map_or("—".to_owned(), |b| {
        format!(
            "{:.0} % of {}",
            100.0 * outcome.throughput / b.throughput,
            b.name
        )
    });
    let errors = match &outcome.first_error {
        Some(e) => format!(
            "{} ({})",
            outcome.errors,
            e.chars().take(80).collect::<String>()
        ),
        None => outcome.errors.to_string(),
    };
    format!(
        "| {} | {} | {:.0} | {:.2} | {:.2} | {} | {} |",
        outcome.name, outcome.ok, outcome.throughput, outcome.p50_ms, outcome.p99_ms, ratio, errors
    )
}

/// Runs every workload and prints the table.
pub(crate) async fn run(args: LoadArgs) -> anyhow::Result<Vec<Outcome>> {
    let duration = Duration::from_secs_f64(args.seconds);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.connections)
        .build()?;
    let auth = format!("Bearer {}", args.token);
    let api = format!("{}/tmf-api", args.url.trim_end_matches('/'));
    let parties = args.parties.max(1);
    let seed = args.seed;

    let sample = seeded_id(seed, 2, 0);
    let probe = client
        .get(format!("{api}/customerManagement/v4/customer/{sample}"))
        .header("authorization", &auth)
        .send()
        .await
        .context("the server does not answer")?;
    anyhow::ensure!(
        probe.status().is_success(),
        "customer {sample} of the seeded data set is not there ({}): seed the database first",
        probe.status()
    );
    let sample_body = Arc::new(probe.bytes().await?.to_vec());

    let raw = Arc::new(Raw::connect(&args.database_url, args.connections).await?);
    raw.execute("DROP TABLE IF EXISTS bench_baseline").await?;
    let body_type = if args.database_url.starts_with("postgres") {
        "JSONB"
    } else {
        "TEXT"
    };
    raw.execute(&format!(
        "CREATE TABLE bench_baseline (id TEXT PRIMARY KEY, body {body_type} NOT NULL)"
    ))
    .await?;

    let mut outcomes = Vec::new();
    let wants = |workload: &str| args.only.is_empty() || args.only.iter().any(|o| o == workload);
    let bare = bare_axum(sample_body).await?;
    if wants("bare") {
        let bare_outcome = {
            let client = client.clone();
            drive(
                "bare axum, same JSON from memory",
                args.connections,
                duration,
                move |_, _| {
                    let client = client.clone();
                    let url = format!("{bare}/customer/{}", rand::rng().random_range(0..parties));
                    async move { expect_status(client.get(url).send().await, 200).await }
                },
            )
            .await
        };
        outcomes.push(bare_outcome);
    }

    if wants("select") {
        let select_outcome = {
            let raw = raw.clone();
            drive(
                "raw SQL select by key",
                args.connections,
                duration,
                move |_, _| {
                    let raw = raw.clone();
                    let id = seeded_id(seed, 2, rand::rng().random_range(0..parties));
                    async move { raw.select(&id).await }
                },
            )
            .await
        };
        outcomes.push(select_outcome);
    }

    let document = r#"{"@type":"Individual","givenName":"Bench","familyName":"Baseline","status":"initialized"}"#;
    if wants("insert") {
        let insert_outcome = {
            let raw = raw.clone();
            drive("raw SQL insert", args.connections, duration, move |_, _| {
                let raw = raw.clone();
                let id = uuid::Uuid::now_v7().to_string();
                async move { raw.insert(&id, document).await }
            })
            .await
        };
        outcomes.push(insert_outcome);
    }

    if wants("retrieve") {
        let retrieve = {
            let (client, auth, api) = (client.clone(), auth.clone(), api.clone());
            drive(
                "retrieve customer by id",
                args.connections,
                duration,
                move |_, _| {
                    let id = seeded_id(seed, 2, rand::rng().random_range(0..parties));
                    let request = client
                        .get(format!("{api}/customerManagement/v4/customer/{id}"))
                        .header("authorization", &auth);
                    async move { expect_status(request.send().await, 200).await }
                },
            )
            .await
        };
        outcomes.push(retrieve);
    }

    if wants("create") {
        let create = {
            let (client, auth, api) = (client.clone(), auth.clone(), api.clone());
            drive(
                "create individual",
                args.connections,
                duration,
                move |worker, n| {
                    let body =
                        format!(r#"{{"givenName":"Bench","familyName":"Load{worker}x{n}"}}"#);
                    let request = client
                        .post(format!("{api}/party/v4/individual"))
                        .header("authorization", &auth)
                        .header("content-type", "application/json")
                        .body(body);
                    async move { expect_status(request.send().await, 201).await }
                },
            )
            .await
        };
        outcomes.push(create);
    }

    if wants("list") {
        let list = {
            let (client, auth, api) = (client.clone(), auth.clone(), api.clone());
            drive(
                "customers: status=active, name prefix, limit=20",
                args.connections,
                duration,
                move |_, n| {
                    let prefix = PREFIXES[(n as usize) % PREFIXES.len()];
                    let request = client
                        .get(format!("{api}/customerManagement/v4/customer"))
                        .query(&[
                            ("status", "active"),
                            ("search.name", prefix),
                            ("limit", "20"),
                        ])
                        .header("authorization", &auth);
                    async move { expect_status(request.send().await, 200).await }
                },
            )
            .await
        };
        outcomes.push(list);
    }

    if wants("view") {
        let view = {
            let (client, auth, api) = (client.clone(), auth.clone(), api.clone());
            drive(
                "customer 360 view",
                args.connections,
                duration,
                move |_, _| {
                    let id = seeded_id(seed, 2, rand::rng().random_range(0..parties));
                    let request = client
                        .get(format!("{api}/customerManagement/v4/customer/{id}/view"))
                        .header("authorization", &auth);
                    async move { expect_status(request.send().await, 200).await }
                },
            )
            .await
        };
        outcomes.push(view);
    }

    raw.execute("DROP TABLE IF EXISTS bench_baseline").await?;
    raw.close().await;

    let find = |name: &str| outcomes.iter().find(|o| o.name.starts_with(name));
    println!(
        "{} connections, {} s per workload, {} parties (seed {})\n",
        args.connections, args.seconds, parties, seed
    );
    println!("| workload | requests | req/s | p50 ms | p99 ms | ratio to baseline | errors |");
    println!("|---|---|---|---|---|---|---|");
    for outcome in &outcomes {
        let baseline = match outcome.name.as_str() {
            "retrieve customer by id" => find("bare axum"),
            "create individual" => find("raw SQL insert"),
            _ => None,
        };
        println!("{}", row(outcome, baseline));
    }
    if let Some(pid) = args.server_pid {
        match memory(pid) {
            Some((now, peak)) => println!(
                "\nserver memory: peak {} MiB, now {} MiB",
                (peak + 512) / 1024,
                (now + 512) / 1024
            ),
            None => println!("\nserver memory: process {pid} not readable"),
        }
    }
    Ok(outcomes)
}
