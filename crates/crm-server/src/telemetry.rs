//! Logging: one subscriber for the process, with each request's id on every line of it.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber, writing to standard error (standard output is for what a
/// command prints, such as a minted token). `RUST_LOG` overrides the default level (`info`).
pub fn init(format: &str) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = if format == "json" {
        builder.json().with_current_span(true).try_init()
    } else {
        builder.try_init()
    };
    // A second initialisation (tests) keeps the first subscriber.
    let _ = result;
}
