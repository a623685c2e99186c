//! `crm-bench`: the benchmark and reliability harness (see `docs/performance.md`).
//!
//! - `crm-bench load`: drives a running server over loopback with a fixed number of
//!   connections and prints throughput and p50/p99 latency per workload, with the physical
//!   baselines of the same machine measured in the same run (a bare axum handler, raw SQL)
//!   and each figure's ratio to its baseline.
//! - `crm-bench crash`: SIGKILLs a server under write load, restarts it, and checks that
//!   every acknowledged write and its event survived; fails otherwise.
//! - `crm-bench idle`: opens idle, silent and slowloris connections to a running server,
//!   checks that it closes each within its configured timeout, and reports `/health` latency
//!   and the server's memory meanwhile.
//! - `crm-bench import`: generates a bill exchange file of N rates, imports it with the real
//!   `crm-server import bills` into a database seeded with billing accounts, and reports
//!   rates per second and the command's peak memory, then reruns it (nothing may change).
//! - `crm-bench pg-restart`: restarts the local PostgreSQL cluster under write load through a
//!   running server; every acknowledged write must read back and every failure be a `503`
//!   with `Retry-After`. Never run by CI.
//!
//! It talks only to 127.0.0.1 and stops by itself.

// A report tool: its results are what it prints.
#![allow(clippy::print_stdout)]

mod crash;
mod idle;
mod import;
mod load;
mod pg_restart;
mod stats;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "crm-bench",
    about = "Load benchmark and crash test of the CRM server"
)]
struct Cli {
    #[command(subcommand)]
    command: Bench,
}

#[derive(Debug, Subcommand)]
enum Bench {
    /// Throughput and latency of the running server against same-run baselines.
    Load(load::LoadArgs),
    /// Kill the server under write load, restart it, check nothing acknowledged was lost.
    Crash(crash::CrashArgs),
    /// Idle, silent and slowloris connections: each closed within its timeout, `/health`
    /// fast and the server's memory small meanwhile.
    Idle(idle::IdleArgs),
    /// Import a generated bill file of N rates with `crm-server import bills`: rates per
    /// second and peak memory, then a rerun that changes nothing.
    Import(import::ImportArgs),
    /// Restart the local PostgreSQL cluster under write load: nothing acknowledged lost,
    /// every failure a 503 with Retry-After.
    PgRestart(pg_restart::PgRestartArgs),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Bench::Load(args) => {
            let outcomes = load::run(args).await?;
            let failed: u64 = outcomes.iter().map(|o| o.errors).sum();
            anyhow::ensure!(failed == 0, "{failed} requests failed");
        }
        Bench::Crash(args) => {
            crash::run(args).await?;
        }
        Bench::Idle(args) => idle::run(args).await?,
        Bench::PgRestart(args) => pg_restart::run(args).await?,
        Bench::Import(args) => import::run(args).await?,
    }
    Ok(())
}
