//! Event delivery benchmark (see docs/performance.md): the sustained rate at which the
//! dispatcher delivers a backlog of events to a local listener, and the latency from a
//! change's commit to its delivery under a steady write load.
//!
//! `cargo bench -p crm-tests --bench event_delivery [-- EVENTS WRITES_PER_SECOND SECONDS]`
//! (defaults 20000, 200, 10). On PostgreSQL with `TEST_DATABASE_URL` set. `BENCH_BATCH`,
//! `BENCH_CONCURRENCY` and `BENCH_WORKERS` override the dispatcher's batch size, requests in
//! flight per worker and workers. Talks only to 127.0.0.1 and stops by itself.

#![allow(clippy::print_stdout, reason = "the benchmark's report is its output")]

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use crm_tests::listener::Listener;
use crm_tests::{INDIVIDUAL, TestApp, on_postgres};
use sea_orm::ConnectionTrait;
use serde_json::json;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((sorted.len() as f64) * p).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A dispatcher setting from the environment (to explore), else the given value.
fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let arg = |i: usize, default: u64| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let backlog = arg(0, 20_000) as usize;
    let rate = arg(1, 200);
    let seconds = arg(2, 10);
    let database = if on_postgres() {
        "PostgreSQL"
    } else {
        "SQLite"
    };

    let app = TestApp::with_settings(|settings| {
        let events = &mut settings.events;
        events.allowed_callback_hosts = vec!["127.0.0.1".into()];
        events.poll_interval_ms = 100;
        events.batch_size = setting("BENCH_BATCH", 1000);
        events.concurrency = setting("BENCH_CONCURRENCY", 64);
        events.workers = setting("BENCH_WORKERS", 2);
    })
    .await;
    let listener = Listener::start(0).await;
    let subscribed = app
        .post(
            "/tmf-api/party/v4/hub",
            &json!({ "callback": listener.callback() }),
        )
        .await;
    assert_eq!(subscribed.status.as_u16(), 201, "{}", subscribed.text);

    // 1. A backlog: one real event, repeated under fresh ids and resources, written straight
    // into the outbox (as a burst of committed changes would leave it).
    let template_id = app.individual("Bench", "Template").await;
    let template = app
        .store
        .connection()
        .query_one_raw(sea_orm::Statement::from_string(
            app.store.backend(),
            "SELECT api, event_type, resource_type, body FROM event_outbox ORDER BY seq LIMIT 1",
        ))
        .await
        .expect("template event")
        .expect("one event");
    let body: String = template.try_get("", "body").expect("body");
    let api: String = template.try_get("", "api").expect("api");
    let started = Instant::now();
    for chunk in (0..backlog).collect::<Vec<_>>().chunks(500) {
        let mut sql = crm_store::sql::Sql::new(app.store.backend());
        sql.push("INSERT INTO event_outbox (event_id, api, event_type, resource_type, resource_id, body, created_at) VALUES ");
        for (i, n) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            let event_id = uuid::Uuid::now_v7().to_string();
            let resource_id = format!("bench-{n}");
            let event = body.replace(&template_id, &resource_id).replacen(
                "\"eventId\":\"",
                &format!("\"eventId\":\"{event_id}"),
                1,
            );
            sql.push("(")
                .bind(event_id)
                .push(", ")
                .bind(api.clone())
                .push(", 'IndividualCreateEvent', 'Individual', ")
                .bind(resource_id)
                .push(", ")
                .bind(event)
                .push(", ")
                .bind(Utc::now().timestamp_micros())
                .push(")");
        }
        app.store
            .connection()
            .execute_raw(sql.build())
            .await
            .expect("backlog");
    }
    eprintln!(
        "backlog of {backlog} events written in {:?}",
        started.elapsed()
    );

    let dispatcher = app.dispatcher.start();
    let started = Instant::now();
    let expected = backlog + 1;
    let received = listener
        .wait_for(expected, Duration::from_secs(600))
        .await
        .len();
    let elapsed = started.elapsed();
    assert_eq!(received, expected, "every event of the backlog delivered");
    let throughput = backlog as f64 / elapsed.as_secs_f64();

    // 2. Latency: steady writes through the API; commit-to-delivery per event.
    let before = listener.accepted().await.len();
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let writes = (rate * seconds) as usize;
    let mut ticker = tokio::time::interval(interval);
    for n in 0..writes {
        ticker.tick().await;
        let created = app
            .post(
                INDIVIDUAL,
                &json!({"givenName": format!("L{n}"), "familyName": "Latency"}),
            )
            .await;
        assert_eq!(created.status.as_u16(), 201, "{}", created.text);
    }
    let accepted = listener
        .wait_for(before + writes, Duration::from_secs(120))
        .await;
    dispatcher.stop().await;
    assert_eq!(accepted.len(), before + writes, "every write delivered");
    let mut latencies: Vec<f64> = accepted[before..]
        .iter()
        .filter_map(|event| {
            let committed = DateTime::parse_from_rfc3339(event.body["eventTime"].as_str()?).ok()?;
            let waited = event.received_at - committed.with_timezone(&Utc);
            Some(waited.num_microseconds()? as f64 / 1000.0)
        })
        .collect();
    latencies.sort_by(f64::total_cmp);
    assert_eq!(latencies.len(), writes, "a latency for every write");
    println!(
        "| database | backlog delivered | events/s | writes/s | commit→delivery p50 ms | p99 ms |"
    );
    println!("|---|---|---|---|---|---|");
    println!(
        "| {database} | {backlog} in {:.2} s | {throughput:.0} | {rate} for {seconds} s | {:.1} | {:.1} |",
        elapsed.as_secs_f64(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
    );
}
