//! The database-restart probe: writers create individuals through a running server on
//! PostgreSQL while the probe restarts the local PostgreSQL cluster
//! (`pg_ctlcluster VERSION CLUSTER restart`). Afterwards every acknowledged write (201) must
//! read back, and every failed request must have been a `503` with `Retry-After`, never a
//! `500` or a dropped connection. A `503`ed create may nonetheless have committed (the
//! connection can drop between the commit and its acknowledgement): the probe counts those
//! by reading each one back by its own name, as a client should before retrying a create.
//!
//! It restarts a shared service, so it is never run by CI, and it refuses to restart a
//! cluster that other clients are using (unless `--force`). Without `pg_ctlcluster` it says so
//! and exits 0.

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::Row;

/// What the probe needs.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct PgRestartArgs {
    /// The server, on loopback (`http://127.0.0.1:PORT`), running on PostgreSQL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// A bearer token allowed to create and read individuals.
    #[arg(long)]
    pub token: String,
    /// Concurrent writers.
    #[arg(long, default_value_t = 4)]
    pub writers: usize,
    /// Milliseconds of load before the restart.
    #[arg(long, default_value_t = 2000)]
    pub before_ms: u64,
    /// Milliseconds of load after the restart command has returned.
    #[arg(long, default_value_t = 3000)]
    pub after_ms: u64,
    /// The PostgreSQL major version of the cluster (default: the only one `pg_lsclusters`
    /// lists under `--cluster`).
    #[arg(long)]
    pub pg_version: Option<String>,
    /// The cluster's name.
    #[arg(long, default_value = "main")]
    pub cluster: String,
    /// Where to look for other clients of the cluster before restarting it.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    pub check_url: String,
    /// The server's database: its own connections are expected there.
    #[arg(long)]
    pub database: String,
    /// Restart even when other clients are connected.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug)]
enum Outcome {
    Acknowledged {
        id: String,
    },
    Refused {
        name: String,
        status: u16,
        retry_after: bool,
    },
    Transport {
        error: String,
    },
}

fn skip(why: &str) -> anyhow::Result<()> {
    println!("pg-restart skipped: {why}");
    Ok(())
}

/// The version of the cluster named `cluster`, from `pg_lsclusters`.
fn cluster_version(cluster: &str) -> Option<String> {
    let output = Command::new("pg_lsclusters")
        .arg("--no-header")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let versions: Vec<&str> = text
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let version = fields.next()?;
            (fields.next()? == cluster).then_some(version)
        })
        .collect();
    match versions.as_slice() {
        [only] => Some((*only).to_owned()),
        _ => None,
    }
}

/// Other clients of the cluster: (database, application) of each, not counting the server's.
async fn other_clients(check_url: &str, database: &str) -> anyhow::Result<Vec<String>> {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .connect(check_url)
        .await
        .with_context(|| format!("connecting to {check_url}"))?;
    let rows = sqlx::query(
        "SELECT coalesce(datname, '') AS db, coalesce(application_name, '') AS app \
         FROM pg_stat_activity \
         WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() \
           AND datname IS DISTINCT FROM $1",
    )
    .bind(database)
    .fetch_all(&pool)
    .await?;
    pool.close().await;
    Ok(rows
        .iter()
        .map(|row| {
            format!(
                "{}/{}",
                row.try_get::<String, _>("db").unwrap_or_default(),
                row.try_get::<String, _>("app").unwrap_or_default()
            )
        })
        .collect())
}

/// Restarts the cluster, with load on, and checks what the clients saw.
pub(crate) async fn run(args: PgRestartArgs) -> anyhow::Result<()> {
    let address = crate::idle::loopback(&args.url)?;
    if Command::new("pg_ctlcluster")
        .arg("--help")
        .output()
        .is_err()
    {
        return skip("pg_ctlcluster is not installed (Debian's postgresql-common)");
    }
    let Some(version) = args
        .pg_version
        .clone()
        .or_else(|| cluster_version(&args.cluster))
    else {
        return skip(&format!(
            "no single PostgreSQL cluster named '{}' (pg_lsclusters); name one with --pg-version",
            args.cluster
        ));
    };
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let base = format!("http://{address}");
    let health = client.get(format!("{base}/health")).send().await;
    if !health.is_ok_and(|r| r.status().is_success()) {
        anyhow::bail!("the server at {base} is not healthy; start it on PostgreSQL first");
    }
    match other_clients(&args.check_url, &args.database).await {
        Ok(others) if !others.is_empty() && !args.force => {
            return skip(&format!(
                "{} other clients are using PostgreSQL ({}); restarting it would break them (--force to do it anyway)",
                others.len(),
                others.join(", ")
            ));
        }
        Ok(_) => {}
        Err(error) if !args.force => {
            return skip(&format!(
                "cannot see who else uses PostgreSQL ({error:#}); --force to restart anyway"
            ));
        }
        Err(_) => {}
    }

    let run = uuid::Uuid::now_v7().simple().to_string();
    let collection = format!("{base}/tmf-api/party/v4/individual");
    let auth = format!("Bearer {}", args.token);
    let outcomes = Arc::new(Mutex::new(Vec::<(Instant, Outcome)>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for worker in 0..args.writers {
        let (client, auth, collection, outcomes, stop, run) = (
            client.clone(),
            auth.clone(),
            collection.clone(),
            outcomes.clone(),
            stop.clone(),
            run.clone(),
        );
        writers.push(tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let name = format!("PgRestart{run}W{worker}N{n}");
                let sent = client
                    .post(&collection)
                    .header("authorization", &auth)
                    .header("content-type", "application/json")
                    .header("x-correlation-id", &name)
                    .body(format!(
                        r#"{{"givenName":"Restart","familyName":"{name}"}}"#
                    ))
                    .send()
                    .await;
                let mut pause = Duration::ZERO;
                let outcome = match sent {
                    Err(error) => Outcome::Transport {
                        error: error.to_string(),
                    },
                    Ok(response) if response.status().as_u16() == 201 => {
                        let text = response.text().await.unwrap_or_default();
                        let id = serde_json::from_str::<serde_json::Value>(&text)
                            .ok()
                            .and_then(|v| v["id"].as_str().map(str::to_owned))
                            .unwrap_or_default();
                        Outcome::Acknowledged { id }
                    }
                    Ok(response) => {
                        let retry_after = response
                            .headers()
                            .get("retry-after")
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| v.parse::<u64>().ok());
                        // A client honours Retry-After (capped, for the probe's sake).
                        pause = Duration::from_secs(retry_after.unwrap_or(0).min(5));
                        Outcome::Refused {
                            name,
                            status: response.status().as_u16(),
                            retry_after: retry_after.is_some(),
                        }
                    }
                };
                if let Ok(mut outcomes) = outcomes.lock() {
                    outcomes.push((Instant::now(), outcome));
                }
                tokio::time::sleep(pause).await;
            }
        }));
    }

    tokio::time::sleep(Duration::from_millis(args.before_ms)).await;
    println!(
        "restarting PostgreSQL {version}/{} under {} writers",
        args.cluster, args.writers
    );
    let restart_started = Instant::now();
    let (version_, cluster) = (version.clone(), args.cluster.clone());
    let restarted = tokio::task::spawn_blocking(move || {
        Command::new("pg_ctlcluster")
            .args(["--skip-systemctl-redirect", &version_, &cluster, "restart"])
            .output()
    })
    .await?;
    let restart_took = restart_started.elapsed();
    let restart_error = match &restarted {
        Ok(output) if output.status.success() => None,
        Ok(output) => Some(format!(
            "pg_ctlcluster restart failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )),
        Err(error) => Some(format!("running pg_ctlcluster: {error}")),
    };
    tokio::time::sleep(Duration::from_millis(args.after_ms)).await;
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await?;
    }
    if let Some(error) = restart_error {
        anyhow::bail!(error);
    }

    // Every acknowledged write must read back; every refused create is looked for by name.
    let started = Instant::now();
    loop {
        let health = client.get(format!("{base}/health")).send().await;
        if health.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not become healthy again within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let outcomes = std::mem::take(&mut *outcomes.lock().map_err(|_| anyhow::anyhow!("poisoned"))?);
    let (mut acknowledged, mut lost, mut stored_anyway) = (0usize, 0usize, 0usize);
    let (mut unavailable, mut without_retry_after) = (0usize, 0usize);
    let mut other_statuses = Vec::new();
    let mut transport = Vec::new();
    let mut first_failure: Option<Instant> = None;
    let mut last_failure: Option<Instant> = None;
    for (at, outcome) in &outcomes {
        match outcome {
            Outcome::Acknowledged { id } => {
                acknowledged += 1;
                let response = client
                    .get(format!("{collection}/{id}"))
                    .header("authorization", &auth)
                    .send()
                    .await?;
                if response.status().as_u16() != 200 {
                    lost += 1;
                }
                continue;
            }
            Outcome::Refused {
                name,
                status,
                retry_after,
            } => {
                if *status == 503 {
                    unavailable += 1;
                    if !retry_after {
                        without_retry_after += 1;
                    }
                } else {
                    other_statuses.push(*status);
                }
                let found = client
                    .get(format!("{collection}?familyName={name}&fields=id"))
                    .header("authorization", &auth)
                    .send()
                    .await?
                    .text()
                    .await
                    .ok()
                    .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
                    .and_then(|v| v.as_array().map(Vec::len))
                    .unwrap_or(0);
                if found > 0 {
                    stored_anyway += 1;
                }
            }
            Outcome::Transport { error } => transport.push(error.clone()),
        }
        first_failure.get_or_insert(*at);
        last_failure = Some(*at);
    }
    let outage = match (first_failure, last_failure) {
        (Some(first), Some(last)) => format!(
            "failures from {:.2} s to {:.2} s after the restart began",
            first
                .saturating_duration_since(restart_started)
                .as_secs_f64(),
            last.saturating_duration_since(restart_started)
                .as_secs_f64()
        ),
        _ => "no request failed".to_owned(),
    };
    println!(
        "restart took {} ms; {} writes: {acknowledged} acknowledged ({lost} not readable afterwards), {unavailable} answered 503 ({without_retry_after} without Retry-After; {stored_anyway} of the refused creates were stored nonetheless), {} other statuses {:?}, {} transport errors; {outage}",
        restart_took.as_millis(),
        outcomes.len(),
        other_statuses.len(),
        other_statuses,
        transport.len()
    );
    if let Some(error) = transport.first() {
        println!("first transport error: {error}");
    }
    anyhow::ensure!(lost == 0, "{lost} acknowledged writes were lost");
    anyhow::ensure!(
        other_statuses.is_empty() && transport.is_empty() && without_retry_after == 0,
        "every failed request must be a 503 with Retry-After"
    );
    Ok(())
}
