//! SLA evaluator benchmark (see docs/performance.md): one pass of the `slaEvaluation` job over
//! a database holding TICKETS open tickets covered by an SLA, when none of them has crossed a
//! threshold, then when CROSSING of them have (each turns `atRisk`: assessed again, its
//! deadline row and the ticket rewritten with its history and event).
//!
//! `cargo bench -p crm-tests --bench sla_pass [-- TICKETS CROSSING]` (defaults 1000000 and
//! 1000). On PostgreSQL with `TEST_DATABASE_URL` set. One ticket is created through the API
//! (its SLA targets assessed as any ticket's are); the others are copies of it made in SQL,
//! each with its own id and its own deadline row, the rows' next crossings 10 ms apart.

#![allow(clippy::print_stdout, reason = "the benchmark's report is its output")]

use std::time::Instant;

use chrono::Duration;
use crm_store::Clock;
use crm_tests::{TestApp, on_postgres};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;

const SLAS: &str = "/tmf-api/slaManagement/v4/sla";
const TICKETS: &str = "/tmf-api/troubleTicket/v4/troubleTicket";
const MERGE: &str = "application/merge-patch+json";

/// The copies' next crossings are this far apart.
const SPREAD_MS: i64 = 10;

async fn run(app: &TestApp, sql: &str) {
    app.store
        .connection()
        .execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let backend = app.store.backend();
    let row = app
        .store
        .connection()
        .query_one_raw(Statement::from_string(backend, sql.to_owned()))
        .await
        .expect("a count")
        .expect("a row");
    row.try_get_by_index::<i64>(0).expect("a number")
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let arg = |i: usize, default: i64| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let tickets = arg(0, 1_000_000).max(1);
    let crossing = arg(1, 1_000).clamp(0, tickets - 1);
    let postgres = on_postgres();
    let app = TestApp::new().await;

    // A customer with an active SLA: Critical tickets resolved within 4 h.
    let party = app.individual("Ada", "Lovelace").await;
    let now = app.clock.now();
    let sla = app
        .post(
            SLAS,
            &json!({
                "name": "Business fibre SLA", "version": "1",
                "validFor": {"startDateTime": now - Duration::days(1),
                             "endDateTime": now + Duration::days(365)},
                "relatedParty": [{"id": party, "role": "SLAConsumer", "@referredType": "Individual"}],
                "rule": [{"id": "resolution", "metric": "ticketResolutionTime", "unit": "h",
                          "referenceValue": "4", "operator": ".le"}],
            }),
        )
        .await;
    assert_eq!(sla.status.as_u16(), 201, "{}", sla.text);
    for state in ["approved", "active"] {
        let moved = app
            .patch(
                &format!("{SLAS}/{}", sla.id()),
                MERGE,
                &json!({"state": state}),
            )
            .await;
        assert_eq!(moved.status.as_u16(), 200, "{}", moved.text);
    }
    let ticket = app
        .post(
            TICKETS,
            &json!({"description": "No sync on the fibre line", "severity": "Critical",
                "ticketType": "incident",
                "relatedParty": [{"id": party, "role": "customer", "@referredType": "Individual"}]}),
        )
        .await;
    assert_eq!(ticket.status.as_u16(), 201, "{}", ticket.text);
    assert_eq!(ticket.body["slaStanding"], "onTrack", "{}", ticket.text);
    let template = ticket.id();

    // The copies: the ticket's row and its deadline row, with new ids.
    let started = Instant::now();
    let backend = app.store.backend();
    let columns: Vec<String> = {
        let sql = match backend {
            DbBackend::Postgres => "SELECT column_name AS name FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = 'trouble_ticket' \
                 ORDER BY ordinal_position"
                .to_owned(),
            _ => "SELECT name FROM pragma_table_info('trouble_ticket')".to_owned(),
        };
        let rows = app
            .store
            .connection()
            .query_all_raw(Statement::from_string(backend, sql))
            .await
            .expect("columns");
        rows.iter()
            .map(|row| row.try_get::<String>("", "name").expect("a name"))
            .collect()
    };
    let new_id = match postgres {
        true => "'bench-' || lpad(n::text, 8, '0')",
        false => "printf('bench-%08d', n)",
    };
    let body = match postgres {
        true => format!("replace(t.body::text, '{template}', {new_id})::jsonb"),
        false => format!("replace(t.body, '{template}', {new_id})"),
    };
    let selected: Vec<String> = columns
        .iter()
        .map(|column| match column.as_str() {
            "id" => new_id.to_owned(),
            "body" => body.clone(),
            other => format!("t.{other}"),
        })
        .collect();
    const CHUNK: i64 = 100_000;
    let copies = tickets - 1;
    let mut from = 0;
    while from < copies {
        let to = (from + CHUNK).min(copies);
        let series = format!(
            "WITH RECURSIVE seq(n) AS (SELECT {from} UNION ALL SELECT n + 1 FROM seq WHERE n < {})",
            to - 1
        );
        run(
            &app,
            &format!(
                "INSERT INTO trouble_ticket ({}) {series} SELECT {} FROM seq, trouble_ticket t \
                 WHERE t.id = '{template}'",
                columns.join(", "),
                selected.join(", ")
            ),
        )
        .await;
        run(
            &app,
            &format!(
                "INSERT INTO deadline (owner, watch_key, target_id, stage, next_at, detail) \
                 {series} SELECT d.owner, replace(d.watch_key, '{template}', {new_id}), {new_id}, \
                 d.stage, d.next_at + {SPREAD_MS} * (n + 1), d.detail FROM seq, deadline d \
                 WHERE d.target_id = '{template}'"
            ),
        )
        .await;
        from = to;
    }
    match backend {
        DbBackend::Postgres => run(&app, "ANALYZE").await,
        _ => run(&app, "PRAGMA optimize; ANALYZE").await,
    }
    let loaded = started.elapsed();
    let open = count(&app, "SELECT COUNT(*) FROM trouble_ticket").await;
    let watched = count(
        &app,
        "SELECT COUNT(*) FROM deadline WHERE next_at IS NOT NULL",
    )
    .await;
    println!(
        "loaded {open} open covered tickets ({watched} watched targets) in {:.1} s",
        loaded.as_secs_f64()
    );

    let evaluator = app
        .jobs
        .iter()
        .find(|job| job.name() == "slaEvaluation")
        .cloned()
        .expect("the evaluator");
    let database = if postgres { "PostgreSQL" } else { "SQLite" };
    // Nothing has crossed yet: the pass finds nothing, whatever the number watched.
    let started = Instant::now();
    let moved = evaluator.run_once().await.expect("a pass");
    let idle = started.elapsed();
    assert!(moved.is_empty(), "nothing is due yet");
    println!(
        "{database}: pass over {open} open covered tickets, none crossing: {:.1} ms",
        idle.as_secs_f64() * 1000.0
    );
    // The template and `crossing` copies turn atRisk (at 3 h 12 min).
    let template_next = count(
        &app,
        &format!("SELECT next_at FROM deadline WHERE target_id = '{template}'"),
    )
    .await;
    let target = template_next + SPREAD_MS * crossing;
    let ahead = target - app.clock.now().timestamp_millis();
    app.clock.advance(Duration::milliseconds(ahead.max(0)));
    let started = Instant::now();
    let moved = evaluator.run_once().await.expect("a pass");
    let busy = started.elapsed();
    assert_eq!(moved.len() as i64, crossing + 1, "the tickets that crossed");
    println!(
        "{database}: pass over {open} open covered tickets, {} crossing: {:.1} ms ({:.2} ms a ticket)",
        moved.len(),
        busy.as_secs_f64() * 1000.0,
        busy.as_secs_f64() * 1000.0 / moved.len() as f64
    );
    let at_risk = count(&app, "SELECT COUNT(*) FROM deadline WHERE stage = 'atRisk'").await;
    assert_eq!(at_risk, crossing + 1);
}
