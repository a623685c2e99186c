//! `crm-server`: serve the TMF APIs, apply database migrations, or run a module's command
//! (`crm-server commands` lists them: `import bills FILE.xml`, `export bills`, ...).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use crm_server::{AppState, Settings, app, telemetry};
use crm_store::{PoolOptions, Store};

#[derive(Debug, Parser)]
#[command(
    name = "crm-server",
    version,
    about = "Telecom CRM serving TM Forum Open APIs v4"
)]
struct Cli {
    /// A TOML settings file (environment variables prefixed CRM_ override it).
    #[arg(long, global = true, env = "CRM_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the APIs (the default). Migrations are applied on start.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load a reproducible data set: N individuals, each with a customer and a billing account.
    Seed {
        /// How many parties.
        #[arg(long, default_value_t = 10_000)]
        parties: u64,
        /// The seed of the generator (same seed, same data).
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Parties per transaction.
        #[arg(long, default_value_t = 5_000)]
        batch: u64,
    },
    /// Mint a bearer token signed with the server's HS256 secret.
    Token {
        /// The subject (user or system id).
        #[arg(long)]
        subject: String,
        /// A role to grant (repeat for several): csr, supervisor, billing-system, integration, admin.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 3600)]
        ttl: u64,
    },
    /// List the commands the modules add (`import bills`, `export bills`, ...).
    Commands,
    /// A command a module adds, with its arguments (see `commands`).
    #[command(external_subcommand)]
    Module(Vec<String>),
}

/// The modules' commands, listed after the built-in ones in `--help`.
fn command_help() -> String {
    match crm_server::commands(&crm_server::modules()) {
        Ok(commands) => format!(
            "Commands of the modules:\n{}",
            crm_module::commands::listing(&commands)
        ),
        Err(error) => format!("Commands of the modules: {error}"),
    }
}

/// mimalloc rather than glibc's malloc: the bill import's reading thread spent a third of its
/// time allocating and freeing (docs/performance.md, "Bill exchange import").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let matches = Cli::command().after_help(command_help()).get_matches();
    let cli = Cli::from_arg_matches(&matches).map_err(|e| e.exit())?;
    let settings = Settings::load(cli.config.as_deref()).context("reading settings")?;
    telemetry::init(&settings.log_format);
    let pool = PoolOptions {
        max_connections: settings.max_connections,
        ..PoolOptions::default()
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings, pool).await.map(|()| ExitCode::SUCCESS),
        Command::Commands => {
            use std::io::Write;
            let commands = crm_server::commands(&crm_server::modules())?;
            writeln!(
                std::io::stdout(),
                "{}",
                crm_module::commands::listing(&commands)
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Module(words) => run_module_command(settings, pool, &words).await,
        Command::Token {
            subject,
            roles,
            ttl,
        } => {
            for role in &roles {
                if crm_auth::Role::parse(role).is_none() {
                    anyhow::bail!(
                        "unknown role '{role}': use csr, supervisor, billing-system, integration or admin"
                    );
                }
            }
            let secret = crm_server::signing_secret(&settings)?;
            let token = crm_auth::mint(
                &secret,
                &settings.auth.issuer,
                &settings.auth.audience,
                &subject,
                &roles,
                std::time::Duration::from_secs(ttl),
            )?;
            use std::io::Write;
            writeln!(std::io::stdout(), "{token}")?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Seed {
            parties,
            seed,
            batch,
        } => {
            if settings.database_url.is_none() {
                std::fs::create_dir_all(&settings.data_dir)?;
            }
            // One connection with a large page cache: the load's index inserts land on
            // random pages of indexes much larger than SQLite's default 2 MiB cache.
            let pool = PoolOptions {
                max_connections: 1,
                sqlite_cache_kib: Some(256 * 1024),
                ..pool
            };
            let store = Store::connect(&settings.database_url(), &pool).await?;
            crm_module::migrate(&store, &crm_server::modules()).await?;
            let started = std::time::Instant::now();
            crm_server::seed(&store, parties, seed, batch, |done| {
                tracing::info!(done, elapsed_s = started.elapsed().as_secs(), "seeding");
            })
            .await?;
            tracing::info!(
                parties,
                elapsed_s = started.elapsed().as_secs_f64(),
                "seeded"
            );
            // Planner statistics (and, on PostgreSQL, the visibility map that index-only scans
            // need) for the freshly loaded tables.
            store.analyze().await?;
            tracing::info!(elapsed_s = started.elapsed().as_secs_f64(), "analyzed");
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            if settings.database_url.is_none() {
                std::fs::create_dir_all(&settings.data_dir)?;
            }
            let store = Store::connect(&settings.database_url(), &pool).await?;
            crm_module::migrate(&store, &crm_server::modules()).await?;
            tracing::info!("migrations applied");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Runs the module command `words` names (`import bills FILE.xml`) over the migrated
/// database, on the process's console: status 0 when it did its work, 1 when it failed, 2
/// when its arguments do not read.
async fn run_module_command(
    settings: crm_server::Settings,
    pool: PoolOptions,
    words: &[String],
) -> anyhow::Result<ExitCode> {
    use std::io::Write;
    let modules = crm_server::modules();
    let commands = crm_server::commands(&modules)?;
    let Some((command, args)) = crm_module::commands::find(&commands, words) else {
        anyhow::bail!(
            "unknown command '{}'; the modules' commands are:\n{}",
            words.join(" "),
            crm_module::commands::listing(&commands)
        );
    };
    if settings.database_url.is_none() {
        std::fs::create_dir_all(&settings.data_dir)?;
    }
    // One connection: a command's work is one writer's, and SQLite empties a connection's
    // page cache whenever another connection has written since its last transaction, so two
    // connections taking turns (as a pool hands them out) would start every batch of an
    // import with a cold cache, reading its index pages again (a 1,000,000-rate import took
    // 21.2-23.7 s with two, 19.8 s with one). Its cache is larger than SQLite's 2 MiB (an
    // import's index inserts land on pages of indexes much larger than that) but bounded, so
    // memory stays flat.
    let pool = PoolOptions {
        max_connections: 1,
        sqlite_cache_kib: Some(48 * 1024),
        ..pool
    };
    let store = Store::connect(&settings.database_url(), &pool).await?;
    crm_module::migrate(&store, &modules).await?;
    let ctx = crm_server::command_context(
        store.clone(),
        &settings,
        Arc::new(crm_store::SystemClock),
        &modules,
        crm_module::Console::process(),
    )?;
    let outcome = command.run(&ctx, args).await;
    let _ = ctx.console.out().flush();
    store.close().await;
    match outcome {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(error) => {
            let mut err = std::io::stderr();
            let _ = writeln!(err, "crm-server {}: {error}", command.name());
            if let crm_module::CommandError::Usage(_) = error {
                let _ = writeln!(
                    err,
                    "usage: crm-server {} {}",
                    command.name(),
                    command.usage()
                );
            }
            Ok(ExitCode::from(error.status()))
        }
    }
}

async fn serve(settings: Settings, pool: PoolOptions) -> anyhow::Result<()> {
    tracing::info!(settings = ?settings, "starting");
    let state = AppState::build(&settings, pool).await?;
    let store = state.store.clone();
    let dispatcher = settings.events.dispatch.then(|| state.dispatcher.start());
    let jobs: Vec<_> = state.jobs.iter().map(|job| job.start()).collect();
    let router = app(state, &settings);
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("binding {}", settings.listen))?;
    tracing::info!(address = %settings.listen, "listening");
    crm_server::serve(listener, router, &settings.connections, shutdown_signal()).await?;
    for job in jobs {
        job.stop().await;
    }
    if let Some(dispatcher) = dispatcher {
        dispatcher.stop().await;
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested");
}
