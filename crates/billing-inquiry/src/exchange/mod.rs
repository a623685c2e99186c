//! The bill exchange file: a billing system's monthly run, or a migration from a legacy
//! billing system, as one XML file of bills, each with its rates and payments
//! (`docs/bills.xsd`, sample in `fixtures/bills/sample.xml`), read and written as streams with
//! quick-xml, and the two commands this crate adds to the server's command line:
//!
//! - `crm-server import bills FILE.xml` (`import`): records what the file holds as the API
//!   would, in batches; reports every refused record with its line and column; a rerun
//!   changes nothing and says so;
//! - `crm-server export bills [--account ID] [--since DATE] > FILE.xml` (`export`): the
//!   stored bills in the same format, which the import reads back.
//!
//! `format` is the format as one table read both ways, `reader` the streaming parser
//! with its safety limits (no DTD, no entity but XML's own, bounded tokens, depth and
//! records), `writer` the streaming writer, `progress` the display on the terminal.

pub(crate) mod export;
pub(crate) mod format;
pub(crate) mod import;
pub(crate) mod progress;
pub(crate) mod reader;
pub(crate) mod writer;

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use crm_module::{Command, CommandContext, CommandError};
use crm_store::DocumentService;
use tmf_apis::{Actor, RequestContext};

use crate::bills::BillKind;
use crate::rates::RateKind;

/// The actor recorded for what an import writes (balances' history, events).
pub const IMPORT_ACTOR: &str = "crm-server import bills";

/// The document services of bills and rates.
type Services = (
    Arc<DocumentService<BillKind>>,
    Arc<DocumentService<RateKind>>,
);

/// The document services of bills and rates, built over the command's context.
fn services(ctx: &CommandContext) -> Result<Services, CommandError> {
    let module = &ctx.module;
    let spec = |e: tmf_apis::catalog::CatalogError| CommandError::Failed(e.to_string());
    let bills = DocumentService::new(
        BillKind::new(module.clock.clone()).map_err(spec)?,
        module.store.clone(),
        module.registry.clone(),
    );
    let rates = DocumentService::new(
        RateKind::new().map_err(spec)?,
        module.store.clone(),
        module.registry.clone(),
    );
    Ok((Arc::new(bills), Arc::new(rates)))
}

/// `crm-server import bills FILE.xml`.
#[derive(Debug, Default)]
pub struct ImportBills;

#[async_trait]
impl Command for ImportBills {
    fn name(&self) -> &'static str {
        "import bills"
    }

    fn about(&self) -> &'static str {
        "Import a bill exchange file (docs/bills.xsd): bills with their rates and payments, idempotent, refused records reported"
    }

    fn usage(&self) -> &'static str {
        "FILE.xml [--batch RATES]"
    }

    async fn run(&self, ctx: &CommandContext, args: &[String]) -> Result<(), CommandError> {
        let mut file = None;
        let mut batching = import::Batching::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--batch" => {
                    let value = args
                        .next()
                        .and_then(|v| v.parse::<usize>().ok())
                        .filter(|n| *n > 0);
                    let Some(rates) = value else {
                        return Err(CommandError::Usage(
                            "--batch takes a number of rates".into(),
                        ));
                    };
                    batching.rates = rates;
                    batching.bills = (rates / 10).max(1);
                }
                flag if flag.starts_with("--") => {
                    return Err(CommandError::Usage(format!("unknown option {flag}")));
                }
                path if file.is_none() => file = Some(PathBuf::from(path)),
                extra => {
                    return Err(CommandError::Usage(format!(
                        "unexpected argument '{extra}'"
                    )));
                }
            }
        }
        let Some(file) = file else {
            return Err(CommandError::Usage("the file to import is missing".into()));
        };
        let (bills, rates) = services(ctx)?;
        let importer = import::Importer {
            bills,
            rates,
            balances: ctx.app.hooks.balances(),
            store: ctx.module.store.clone(),
            strict: ctx.app.config.strict_attributes,
            accounts: ctx.module.registry.get("BillingAccount"),
        };
        let request = RequestContext {
            actor: Actor {
                subject: IMPORT_ACTOR.to_owned(),
                roles: vec!["billing-system".to_owned()],
            },
            reason: Some(format!("imported from {}", file.display())),
            correlation_id: Some(crm_store::new_id()),
            strict_attributes: ctx.app.config.strict_attributes,
            if_match: tmf_apis::IfMatch::Absent,
            idempotency_key: None,
        };
        importer
            .run(&request, &ctx.console, &file, batching)
            .await
            .map(|_| ())
    }
}

/// `crm-server export bills [--account ID] [--since DATE]`.
#[derive(Debug, Default)]
pub struct ExportBills;

#[async_trait]
impl Command for ExportBills {
    fn name(&self) -> &'static str {
        "export bills"
    }

    fn about(&self) -> &'static str {
        "Write the stored bills, with their rates and payments, as a bill exchange file on standard output"
    }

    fn usage(&self) -> &'static str {
        "[--account ID] [--since DATE] > FILE.xml"
    }

    async fn run(&self, ctx: &CommandContext, args: &[String]) -> Result<(), CommandError> {
        let mut filter = export::Filter::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = |name: &str| {
                args.next()
                    .cloned()
                    .ok_or_else(|| CommandError::Usage(format!("{name} takes a value")))
            };
            match arg.as_str() {
                "--account" => filter.account = Some(value("--account")?),
                "--since" => {
                    let given = value("--since")?;
                    let since = tmf_apis::query::parse_instant(&given).ok_or_else(|| {
                        CommandError::Usage(format!(
                            "--since '{given}': a date (2026-11-01) or an RFC 3339 instant"
                        ))
                    })?;
                    filter.since = Some(since);
                }
                other => {
                    return Err(CommandError::Usage(format!(
                        "unexpected argument '{other}'"
                    )));
                }
            }
        }
        let (bills, rates) = services(ctx)?;
        let exporter = export::Exporter {
            bills,
            rates,
            store: ctx.module.store.clone(),
        };
        exporter.run(&ctx.console, &filter).await.map(|_| ())
    }
}

/// The commands of this crate.
pub fn commands() -> Vec<Arc<dyn Command>> {
    vec![Arc::new(ImportBills), Arc::new(ExportBills)]
}
