//! The crash test: a write load against a real server process, SIGKILL at a random moment,
//! a restart, and then every write that was acknowledged (201) must be readable, with its
//! `IndividualCreateEvent` in the outbox. Repeated `rounds` times on one database.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use rand::Rng;
use sqlx::Row;

/// What the crash test needs.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct CrashArgs {
    /// The server binary (`target/release/crm-server`).
    #[arg(long, default_value = "target/release/crm-server")]
    pub server_bin: PathBuf,
    /// Where the server keeps its data (a fresh temporary directory when absent).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// The database (the embedded SQLite file in the data directory when absent).
    #[arg(long)]
    pub database_url: Option<String>,
    /// Kill-and-restart rounds.
    #[arg(long, default_value_t = 20)]
    pub rounds: u32,
    /// Concurrent writers.
    #[arg(long, default_value_t = 8)]
    pub writers: usize,
    /// The kill comes at a random moment between these many milliseconds of load.
    #[arg(long, default_value_t = 300)]
    pub min_ms: u64,
    /// See `min_ms`.
    #[arg(long, default_value_t = 2500)]
    pub max_ms: u64,
    /// The loopback port the server listens on.
    #[arg(long, default_value_t = 18_181)]
    pub port: u16,
}

struct Server {
    args: CrashArgs,
    data_dir: PathBuf,
    database_url: String,
}

impl Server {
    fn command(&self) -> Command {
        let mut command = Command::new(&self.args.server_bin);
        command
            .env("CRM_LISTEN", format!("127.0.0.1:{}", self.args.port))
            .env("CRM_DATA_DIR", &self.data_dir)
            .env("CRM_DATABASE_URL", &self.database_url)
            .env("CRM_LOG_FORMAT", "json")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    }

    fn token(&self) -> anyhow::Result<String> {
        let output = self
            .command()
            .args(["token", "--subject", "crash-test", "--role", "admin"])
            .stdout(Stdio::piped())
            .output()
            .context("running the server binary")?;
        anyhow::ensure!(output.status.success(), "`crm-server token` failed");
        Ok(String::from_utf8(output.stdout)?.trim().to_owned())
    }

    /// Starts the server and waits until it answers; returns it and how long that took.
    async fn start(&self, client: &reqwest::Client) -> anyhow::Result<(Child, Duration)> {
        let started = Instant::now();
        let mut child = self
            .command()
            .arg("serve")
            .spawn()
            .context("starting the server")?;
        let health = format!("http://127.0.0.1:{}/health", self.args.port);
        while started.elapsed() < Duration::from_secs(60) {
            if let Ok(response) = client.get(&health).send().await
                && response.status().is_success()
            {
                return Ok((child, started.elapsed()));
            }
            if let Some(status) = child.try_wait().context("watching the server")? {
                anyhow::bail!(
                    "the server exited before answering ({status}): start it by hand on this database to see why"
                );
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let _ = child.kill();
        anyhow::bail!("the server did not answer within 60 s")
    }
}

/// What one round found.
#[derive(Debug)]
pub(crate) struct Round {
    /// Writes acknowledged before the kill.
    pub acknowledged: usize,
    /// Acknowledged writes missing after the restart.
    pub lost: usize,
    /// Acknowledged writes without their create event in the outbox.
    pub without_event: usize,
    /// Time from start to the first healthy answer after the restart.
    pub restart: Duration,
}

async fn events_of(database_url: &str, ids: &[String]) -> anyhow::Result<usize> {
    let mut found = 0;
    if database_url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(database_url).await?;
        for chunk in ids.chunks(500) {
            let row = sqlx::query("SELECT COUNT(DISTINCT resource_id) AS n FROM event_outbox WHERE event_type = 'IndividualCreateEvent' AND resource_id = ANY($1)")
                .bind(chunk)
                .fetch_one(&pool)
                .await?;
            found += usize::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0);
        }
        pool.close().await;
    } else {
        let pool = sqlx::SqlitePool::connect(database_url).await?;
        for id in ids {
            let row = sqlx::query("SELECT COUNT(*) AS n FROM event_outbox WHERE event_type = 'IndividualCreateEvent' AND resource_id = ?")
                .bind(id)
                .fetch_one(&pool)
                .await?;
            if row.try_get::<i64, _>("n")? > 0 {
                found += 1;
            }
        }
        pool.close().await;
    }
    Ok(found)
}

/// Runs the rounds and prints one line each; fails if any acknowledged write was lost.
pub(crate) async fn run(args: CrashArgs) -> anyhow::Result<Vec<Round>> {
    let data_dir = match &args.data_dir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("crm-crash-{}", uuid::Uuid::now_v7().simple())),
    };
    std::fs::create_dir_all(&data_dir)?;
    let database_url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("crm.db").display()));
    let server = Server {
        args: args.clone(),
        data_dir,
        database_url: database_url.clone(),
    };
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()?;
    let token = server.token()?;
    let auth = format!("Bearer {token}");
    let base = format!("http://127.0.0.1:{}/tmf-api/party/v4/individual", args.port);
    let (mut child, _) = server.start(&client).await?;
    let mut rounds = Vec::new();
    for round in 0..args.rounds {
        let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
        let mut writers = Vec::new();
        for worker in 0..args.writers {
            let (client, auth, base, acknowledged) = (
                client.clone(),
                auth.clone(),
                base.clone(),
                acknowledged.clone(),
            );
            writers.push(tokio::spawn(async move {
                for n in 0u64.. {
                    let body =
                        format!(r#"{{"givenName":"Crash","familyName":"R{round}W{worker}N{n}"}}"#);
                    let sent = client
                        .post(&base)
                        .header("authorization", &auth)
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .await;
                    let Ok(response) = sent else { break };
                    if response.status().as_u16() != 201 {
                        continue;
                    }
                    let Ok(text) = response.text().await else {
                        break;
                    };
                    let id = serde_json::from_str::<serde_json::Value>(&text)
                        .ok()
                        .and_then(|v| v["id"].as_str().map(str::to_owned));
                    if let (Some(id), Ok(mut ids)) = (id, acknowledged.lock()) {
                        ids.push(id);
                    }
                }
            }));
        }
        let delay = rand::rng().random_range(args.min_ms..=args.max_ms.max(args.min_ms));
        tokio::time::sleep(Duration::from_millis(delay)).await;
        child.kill().context("SIGKILL")?;
        let _ = child.wait();
        for writer in writers {
            let _ = writer.await;
        }
        let ids: Vec<String> = acknowledged
            .lock()
            .map(|ids| ids.clone())
            .unwrap_or_default();
        let (restarted, restart) = server.start(&client).await?;
        child = restarted;
        let mut lost = 0;
        for id in &ids {
            let response = client
                .get(format!("{base}/{id}"))
                .header("authorization", &auth)
                .send()
                .await?;
            if response.status().as_u16() != 200 {
                lost += 1;
            }
        }
        let with_event = events_of(&database_url, &ids).await?;
        let result = Round {
            acknowledged: ids.len(),
            lost,
            without_event: ids.len() - with_event.min(ids.len()),
            restart,
        };
        println!(
            "round {:>2}: killed after {delay} ms; {} acknowledged, {} lost, {} without their event; restart {} ms",
            round + 1,
            result.acknowledged,
            result.lost,
            result.without_event,
            result.restart.as_millis()
        );
        rounds.push(result);
    }
    child.kill().ok();
    let _ = child.wait();
    let lost: usize = rounds.iter().map(|r| r.lost + r.without_event).sum();
    let acknowledged: usize = rounds.iter().map(|r| r.acknowledged).sum();
    let clean = rounds
        .iter()
        .filter(|r| r.lost == 0 && r.without_event == 0)
        .count();
    println!(
        "{clean} of {} rounds without loss; {acknowledged} acknowledged writes, {lost} lost or without event",
        rounds.len()
    );
    anyhow::ensure!(lost == 0, "acknowledged writes were lost");
    Ok(rounds)
}
