//! The bill exchange file (`crm-server import bills FILE.xml`, `crm-server export bills`),
//! through the commands the billing module adds to the server, run over the application as
//! the binary assembles it: a generated file with refused records at known lines and
//! columns, a rerun that changes nothing, a billion-laughs DTD and a malformed file refused
//! with nothing imported, the export read back (on the same server: nothing changes; on
//! another: the same bills), and an import leaving what the API leaves (documents, balances,
//! idempotency keys recognised both ways, events).

use std::path::PathBuf;

use axum::http::{Method, StatusCode};
use crm_module::commands::Captured;
use crm_module::{CommandError, Console};
use crm_tests::TestApp;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

const BILLS: &str = "/tmf-api/customerBillManagement/v4/customerBill";
const RATES: &str = "/tmf-api/customerBillManagement/v4/appliedCustomerBillingRate";
const BILLING_ACCOUNT: &str = "/tmf-api/accountManagement/v4/billingAccount";
/// The billing accounts the sample names (those `crm-server seed --parties 2` creates).
const SAMPLE_ACCOUNTS: [&str; 2] = [
    "0000002a-0003-7000-8000-000000000000",
    "0000002a-0003-7000-8000-000000000001",
];

/// What a command printed, and how it ended.
struct Ran {
    outcome: Result<(), CommandError>,
    out: String,
    err: String,
}

impl Ran {
    /// The report's summary line.
    fn summary(&self) -> &str {
        self.out
            .lines()
            .find(|line| line.starts_with("summary: "))
            .unwrap_or_else(|| panic!("a summary in: {}\n{}", self.out, self.err))
    }

    #[track_caller]
    fn succeeded(&self) {
        assert!(
            self.outcome.is_ok(),
            "{:?}\nout: {}\nerr: {}",
            self.outcome,
            self.out,
            self.err
        );
    }

    /// The message of a refused file.
    #[track_caller]
    fn failed(&self) -> String {
        match &self.outcome {
            Err(CommandError::Failed(message)) => message.clone(),
            other => panic!("the command fails: {other:?}\n{}", self.out),
        }
    }
}

/// Runs `crm-server WORDS…` over `app`'s database, as the binary does.
async fn run(app: &TestApp, words: &[&str]) -> Ran {
    let (out, err) = (Captured::default(), Captured::default());
    let console = Console::new(Box::new(out.clone()), Box::new(err.clone()), false);
    let modules = crm_server::modules();
    let ctx = crm_server::command_context(
        app.store.clone(),
        app.settings(),
        app.clock.clone(),
        &modules,
        console,
    )
    .expect("the command context");
    let commands = crm_server::commands(&modules).expect("the commands");
    let words: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
    let (command, args) = crm_module::commands::find(&commands, &words).expect("a command");
    let outcome = command.run(&ctx, args).await;
    Ran {
        outcome,
        out: out.text(),
        err: err.text(),
    }
}

/// A file that is removed when the test ends.
struct File(PathBuf);

impl File {
    fn new(text: &str) -> Self {
        let path = std::env::temp_dir().join(format!("bills-{}.xml", uuid::Uuid::now_v7()));
        std::fs::write(&path, text).expect("write the file");
        Self(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("a UTF-8 path")
    }
}

impl Drop for File {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

async fn import(app: &TestApp, text: &str, extra: &[&str]) -> Ran {
    let file = File::new(text);
    let mut words = vec!["import", "bills", file.path()];
    words.extend_from_slice(extra);
    run(app, &words).await
}

/// A billing account of a new individual.
async fn account(app: &TestApp, name: &str) -> String {
    let party = app.individual(name, "Billed").await;
    let account = app
        .post(
            BILLING_ACCOUNT,
            &json!({"name": format!("{name}'s bills"), "relatedParty": [
                {"id": party, "role": "owner", "@referredType": "Individual"}]}),
        )
        .await;
    account.assert_status(StatusCode::CREATED, "billing account");
    account.id()
}

/// How many rows `table` holds.
async fn rows(app: &TestApp, table: &str) -> i64 {
    rows_where(app, table, "1 = 1").await
}

async fn rows_where(app: &TestApp, table: &str, condition: &str) -> i64 {
    let row = app
        .store
        .connection()
        .query_one_raw(crm_store::Statement::from_string(
            app.store.backend(),
            format!("SELECT COUNT(*) AS n FROM {table} WHERE {condition}"),
        ))
        .await
        .expect("count")
        .expect("row");
    row.try_get("", "n").expect("n")
}

/// The row counts of every table an import writes.
async fn footprint(app: &TestApp) -> Vec<(&'static str, i64)> {
    let mut counts = Vec::new();
    for table in [
        "customer_bill",
        "applied_billing_rate",
        "entity_ref",
        "search_key",
        "idempotency_key",
        "event_outbox",
        "audit_history",
    ] {
        counts.push((table, rows(app, table).await));
    }
    counts
}

/// The receivable balance of `account` in euros, as the API shows it.
async fn receivable(app: &TestApp, account: &str) -> Option<String> {
    let account = app.get(&format!("{BILLING_ACCOUNT}/{account}")).await;
    account.body["accountBalance"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|b| b["balanceType"] == "receivableBalance")
        .map(|b| b["amount"]["value"].to_string())
}

/// A file being generated, knowing the line of each element it writes.
#[derive(Default)]
struct Generated {
    text: String,
    lines: usize,
}

impl Generated {
    /// Appends a line; returns its number.
    fn line(&mut self, line: &str) -> usize {
        self.text.push_str(line);
        self.text.push('\n');
        self.lines += 1;
        self.lines
    }
}

/// What goes wrong with a generated bill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flaw {
    None,
    /// This rate's taxes do not add up.
    RateSum(usize),
    /// The bill's billing account does not exist.
    UnknownAccount,
    /// This rate is in dollars on a bill in euros.
    RateCurrency(usize),
    /// This rate's amount is not a decimal.
    BadDecimal(usize),
    /// The bill says nothing of what it asks for.
    NoAmountDue,
    /// The bill asks for less than its rates add up to.
    Exceeds,
}

/// Where the generator put the elements a rejection names.
#[derive(Debug, Default)]
struct Places {
    bill: usize,
    rates: Vec<usize>,
    amounts: Vec<usize>,
}

/// Writes a bill of `rates` rates of 12.00 EUR (10.00 + 20 % VAT).
fn bill(file: &mut Generated, number: &str, account: &str, rates: usize, flaw: Flaw) -> Places {
    let n = rates as u64;
    let due = if flaw == Flaw::Exceeds { n - 1 } else { n };
    let account = if flaw == Flaw::UnknownAccount {
        "no-such-account"
    } else {
        account
    };
    let mut places = Places {
        bill: file.line(&format!(
            "  <customerBill billNo=\"{number}\" billDate=\"2026-11-30T00:00:00Z\" paymentDueDate=\"2026-12-20T00:00:00Z\" state=\"sent\">"
        )),
        ..Places::default()
    };
    file.line(&format!("    <billingAccount id=\"{account}\"/>"));
    if flaw != Flaw::NoAmountDue {
        file.line(&format!(
            "    <amountDue currency=\"EUR\">{}.00</amountDue>",
            12 * due
        ));
    }
    file.line(&format!(
        "    <taxExcludedAmount currency=\"EUR\">{}.00</taxExcludedAmount>",
        10 * due
    ));
    file.line(&format!(
        "    <taxIncludedAmount currency=\"EUR\">{}.00</taxIncludedAmount>",
        12 * due
    ));
    file.line(&format!(
        "    <taxItem taxCategory=\"VAT\" taxRate=\"0.20\"><taxAmount currency=\"EUR\">{}.00</taxAmount></taxItem>",
        2 * due
    ));
    for i in 0..rates {
        let currency = if flaw == Flaw::RateCurrency(i) {
            "USD"
        } else {
            "EUR"
        };
        let included = match flaw {
            Flaw::RateSum(r) if r == i => "12.01",
            Flaw::BadDecimal(r) if r == i => "12,00",
            _ => "12.00",
        };
        places.rates.push(file.line(&format!(
            "    <appliedCustomerBillingRate externalId=\"{number}-R{i}\" type=\"appliedBillingCharge\" date=\"2026-11-30T00:00:00Z\" name=\"line {i}\">"
        )));
        file.line(&format!(
            "      <taxExcludedAmount currency=\"{currency}\">10.00</taxExcludedAmount>"
        ));
        places.amounts.push(file.line(&format!(
            "      <taxIncludedAmount currency=\"{currency}\">{included}</taxIncludedAmount>"
        )));
        file.line(&format!(
            "      <appliedTax taxCategory=\"VAT\" taxRate=\"0.20\"><taxAmount currency=\"{currency}\">2.00</taxAmount></appliedTax>"
        ));
        file.line("    </appliedCustomerBillingRate>");
    }
    file.line("  </customerBill>");
    places
}

fn start(file: &mut Generated) {
    file.line("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    file.line("<customerBills version=\"1\">");
}

fn end(file: &mut Generated) {
    file.line("</customerBills>");
}

/// The line reporting a rejection at `line`, `column`; panics naming what was printed when
/// there is none.
fn reported(ran: &Ran, line: usize, column: usize) -> &str {
    let prefix = format!("rejected line {line}, column {column}: ");
    ran.out
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| {
            panic!(
                "a rejection at line {line}, column {column} in:\n{}",
                ran.out
            )
        })
}

#[tokio::test]
async fn a_generated_file_is_imported_with_its_refused_records_reported_and_a_rerun_changes_nothing()
 {
    let app = TestApp::new().await;
    let account = account(&app, "Ada").await;
    let mut file = Generated::default();
    start(&mut file);
    let flaws = [
        Flaw::None,
        Flaw::None,
        Flaw::RateSum(2),
        Flaw::None,
        Flaw::UnknownAccount,
        Flaw::None,
        Flaw::RateCurrency(1),
        Flaw::None,
        Flaw::BadDecimal(3),
        Flaw::None,
        Flaw::NoAmountDue,
        Flaw::None,
        Flaw::Exceeds,
        Flaw::None,
    ];
    let mut places = Vec::new();
    for (i, flaw) in flaws.iter().enumerate() {
        places.push(bill(&mut file, &format!("B-{i:02}"), &account, 4, *flaw));
        if i == 6 {
            file.line("  <invoice number=\"x\"><line/></invoice>");
        }
    }
    let unknown_element = places[6].rates[3] + 6;
    end(&mut file);

    // Small batches: several transactions, the refused records among them.
    let ran = import(&app, &file.text, &["--batch", "7"]).await;
    ran.succeeded();
    let good = flaws.iter().filter(|f| **f == Flaw::None).count();
    assert_eq!(
        ran.summary(),
        format!(
            "summary: imported {good} bills / {} rates, 0 bills / 0 rates already present unchanged, 6 bills / 24 rates rejected, 1 unknown element rejected",
            good * 4
        ),
        "{}",
        ran.out
    );
    // Each refusal at its line and column, in the API's words where the rule is the API's.
    let rate = reported(&ran, places[2].rates[2], 5);
    assert!(
        rate.contains("appliedCustomerBillingRate externalId 'B-02-R2': 'taxIncludedAmount' is 12.01, but taxExcludedAmount + Σ appliedTax.taxAmount gives 12.00"),
        "{rate}"
    );
    let unit = reported(&ran, places[2].bill, 3);
    assert!(
        unit.contains("customerBill billNo 'B-02' of billing account")
            && unit.contains("with its 4 rates: 1 rate is refused (below)"),
        "{unit}"
    );
    let unknown = reported(&ran, places[4].bill, 3);
    assert!(
        unknown.ends_with(
            "customerBill billNo 'B-04' of billing account 'no-such-account': 'billingAccount': BillingAccount 'no-such-account' does not exist"
        ),
        "{unknown}"
    );
    let currency = reported(&ran, places[6].rates[1], 5);
    assert!(
        currency.ends_with(
            "appliedCustomerBillingRate externalId 'B-06-R1': 'taxIncludedAmount' is in USD, but the bill is in EUR: one currency per bill"
        ),
        "{currency}"
    );
    let element = reported(&ran, unknown_element, 3);
    assert!(
        element.contains("<invoice>: not an element of a bill file"),
        "{element}"
    );
    let decimal = reported(&ran, places[8].amounts[3], 7);
    assert!(
        decimal.ends_with(
            "appliedCustomerBillingRate externalId 'B-08-R3': 'taxIncludedAmount.value': '12,00' is not a decimal number"
        ),
        "{decimal}"
    );
    let due = reported(&ran, places[10].bill, 3);
    assert!(
        due.ends_with("'amountDue' is required: a bill says what it asks for"),
        "{due}"
    );
    let exceeds = reported(&ran, places[12].rates[3], 5);
    assert!(
        exceeds.contains("would add up to 48.00, more than its taxIncludedAmount 36.00"),
        "{exceeds}"
    );

    // The rest is stored, and nothing of a refused bill: a bill and its rates are one unit.
    assert_eq!(app.total(BILLS).await, good as u64);
    assert_eq!(app.total(RATES).await, good as u64 * 4);
    for refused in ["B-02", "B-04", "B-06", "B-08", "B-10", "B-12"] {
        assert_eq!(
            app.total(&format!("{BILLS}?billNo={refused}")).await,
            0,
            "{refused}"
        );
        assert_eq!(
            app.total(&format!("{RATES}?externalId={refused}-R0")).await,
            0,
            "{refused}"
        );
    }
    let stored = app.get(&format!("{BILLS}?billNo=B-00")).await;
    assert_eq!(
        stored.body[0]["remainingAmount"]["value"].to_string(),
        "48.00"
    );
    assert_eq!(stored.body[0]["state"], "sent");
    let lines = app
        .get(&format!(
            "{RATES}?bill.id={}",
            stored.body[0]["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(lines.header("x-total-count"), Some("4"));
    assert_eq!(lines.body[0]["isBilled"], true);
    assert_eq!(lines.body[0]["billingAccount"]["id"], account.as_str());
    // One create event per bill, as the API writes; none per rate; no history of a load.
    assert_eq!(
        rows_where(
            &app,
            "event_outbox",
            "event_type = 'CustomerBillCreateEvent'"
        )
        .await,
        good as i64
    );
    assert_eq!(
        rows_where(
            &app,
            "event_outbox",
            "event_type = 'AppliedCustomerBillingRateCreateEvent'"
        )
        .await,
        0
    );
    assert_eq!(
        rows_where(&app, "audit_history", "resource_table = 'customer_bill'").await,
        0
    );
    assert_eq!(receivable(&app, &account).await.as_deref(), Some("384.00"));

    // Again: nothing changes, and the report says so.
    let before = footprint(&app).await;
    let account_before = app.get(&format!("{BILLING_ACCOUNT}/{account}")).await.body;
    let again = import(&app, &file.text, &[]).await;
    again.succeeded();
    assert_eq!(
        again.summary(),
        format!(
            "summary: imported 0 bills / 0 rates, {good} bills / {} rates already present unchanged, 6 bills / 24 rates rejected, 1 unknown element rejected",
            good * 4
        )
    );
    assert!(again.out.contains("nothing changed"), "{}", again.out);
    assert_eq!(footprint(&app).await, before, "no row written");
    assert_eq!(
        app.get(&format!("{BILLING_ACCOUNT}/{account}")).await.body,
        account_before
    );
}

#[tokio::test]
async fn a_billion_laughs_dtd_and_a_malformed_file_are_refused_with_nothing_imported() {
    let app = TestApp::new().await;
    let account = account(&app, "Grace").await;
    let laughs = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE customerBills [\n <!ENTITY lol \"lol\">\n{}]>\n<customerBills><customerBill billNo=\"&lol9;\"><billingAccount id=\"{account}\"/></customerBill></customerBills>\n",
        (1..10)
            .map(|i| format!(
                " <!ENTITY lol{i} \"{}\">\n",
                format!(
                    "&lol{};",
                    if i == 1 {
                        String::new()
                    } else {
                        (i - 1).to_string()
                    }
                )
                .repeat(10)
            ))
            .collect::<String>()
    );
    let refused = import(&app, &laughs, &[]).await.failed();
    assert!(
        refused.contains(
            "is refused, nothing was imported: line 2, column 1: a DTD (<!DOCTYPE ...>) is refused"
        ),
        "{refused}"
    );
    let external = "<?xml version=\"1.0\"?>\n<!DOCTYPE customerBills SYSTEM \"file:///etc/passwd\">\n<customerBills/>\n";
    assert!(import(&app, external, &[]).await.failed().contains("a DTD"));
    let entity = format!(
        "<customerBills>\n  <customerBill billNo=\"&xxe;\"><billingAccount id=\"{account}\"/></customerBill>\n</customerBills>\n"
    );
    let refused = import(&app, &entity, &[]).await.failed();
    assert!(
        refused.contains("line 2, column 3: the entity '&xxe;' is not declared"),
        "{refused}"
    );

    // Good bills first, a broken tag far below: refused, nothing written. The check reads
    // beside the import, so with small batches some are written before it reaches the broken
    // tag: they stay uncommitted, and are undone.
    for (bills, batch) in [(5, None), (1000, Some("3"))] {
        let mut file = Generated::default();
        start(&mut file);
        for i in 0..bills {
            bill(&mut file, &format!("M-{i}"), &account, 3, Flaw::None);
        }
        let broken =
            file.line("  <customerBill billNo=\"M-X\"><billingAccount id=\"x\"></customerBill>");
        end(&mut file);
        let args: Vec<&str> = batch
            .map(|rates| vec!["--batch", rates])
            .unwrap_or_default();
        let refused = import(&app, &file.text, &args).await.failed();
        assert!(
            refused.contains(&format!("nothing was imported: line {broken}, column")),
            "{refused}"
        );
        assert!(refused.contains("not well-formed XML"), "{refused}");
    }
    let mut file = Generated::default();
    start(&mut file);
    for i in 0..5 {
        bill(&mut file, &format!("T-{i}"), &account, 3, Flaw::None);
    }
    end(&mut file);
    let truncated = &file.text[..file.text.len() / 2];
    assert!(
        import(&app, truncated, &[])
            .await
            .failed()
            .contains("nothing was imported")
    );
    let missing = run(&app, &["import", "bills", "/no/such/file.xml"])
        .await
        .failed();
    assert!(
        missing.contains("cannot read /no/such/file.xml"),
        "{missing}"
    );
    assert!(matches!(
        run(&app, &["import", "bills"]).await.outcome,
        Err(CommandError::Usage(_))
    ));
    assert_eq!(app.total(BILLS).await, 0);
    assert_eq!(app.total(RATES).await, 0);
    assert_eq!(rows(&app, "idempotency_key").await, 0);
}

/// The sample file, its billing accounts replaced by `accounts`.
fn sample(accounts: [&str; 2]) -> String {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/bills/sample.xml"),
    )
    .expect("the sample");
    text.replace(SAMPLE_ACCOUNTS[0], accounts[0])
        .replace(SAMPLE_ACCOUNTS[1], accounts[1])
}

#[tokio::test]
async fn an_export_reads_back_as_the_same_bills_on_this_server_and_another() {
    let app = TestApp::new().await;
    let accounts = [account(&app, "Ada").await, account(&app, "Alan").await];
    let ran = import(&app, &sample([&accounts[0], &accounts[1]]), &[]).await;
    ran.succeeded();
    assert_eq!(
        ran.summary(),
        "summary: imported 3 bills / 6 rates, 0 bills / 0 rates already present unchanged, 0 bills / 0 rates rejected"
    );
    // The balances the API keeps: unsettled bills' remaining amounts.
    assert_eq!(
        receivable(&app, &accounts[0]).await.as_deref(),
        Some("166.00")
    );
    assert_eq!(
        receivable(&app, &accounts[1]).await.as_deref(),
        Some("0.00")
    );

    let exported = run(&app, &["export", "bills"]).await;
    exported.succeeded();
    assert!(
        exported.err.contains("exported 3 bills / 6 rates"),
        "{}",
        exported.err
    );
    assert!(
        exported
            .out
            .contains("<amountDue currency=\"EUR\">120.00</amountDue>"),
        "{}",
        exported.out
    );
    assert!(
        exported
            .out
            .contains("<property name=\"value\" value=\"182\"/>")
    );
    // Filters: one account, bills from a date.
    let one = run(&app, &["export", "bills", "--account", &accounts[1]]).await;
    assert!(one.err.contains("exported 1 bill / 1 rate"), "{}", one.err);
    assert!(one.out.contains("INV-2026-11-0002") && !one.out.contains("INV-2026-11-0001"));
    let since = run(&app, &["export", "bills", "--since", "2026-12-01"]).await;
    assert!(
        since.err.contains("exported 1 bill / 2 rates"),
        "{}",
        since.err
    );
    assert!(since.out.contains("INV-2026-12-0001"));
    assert!(matches!(
        run(&app, &["export", "bills", "--since", "yesterday"])
            .await
            .outcome,
        Err(CommandError::Usage(_))
    ));

    // Read back here: everything is already present, unchanged (though what was sent was
    // less than what is stored: states, completed references).
    let before = footprint(&app).await;
    let again = import(&app, &exported.out, &[]).await;
    again.succeeded();
    assert_eq!(
        again.summary(),
        "summary: imported 0 bills / 0 rates, 3 bills / 6 rates already present unchanged, 0 bills / 0 rates rejected"
    );
    assert_eq!(footprint(&app).await, before);

    // A payment recorded since: the stored bill differs from the old export, which is then
    // refused in the API's words, and the new export reads back unchanged.
    let bill = app
        .get(&format!("{BILLS}?billNo=INV-2026-12-0001"))
        .await
        .body[0]
        .clone();
    let biller = format!("Bearer {}", app.token("billing-run", &["billing-system"]));
    let paid: Value = serde_json::from_str(
        r#"{"payment": {"id": "PAY-X"}, "appliedAmount": {"unit": "EUR", "value": 6.00}}"#,
    )
    .expect("payment");
    app.send_with(
        Method::POST,
        &format!(
            "{BILLS}/{}/appliedPayment",
            bill["id"].as_str().expect("id")
        ),
        &[("Authorization", &biller)],
        Some(&paid),
    )
    .await
    .assert_status(StatusCode::CREATED, "payment");
    let stale = import(&app, &exported.out, &[]).await;
    assert!(
        stale.out.contains(&format!(
            "billNo 'INV-2026-12-0001' of billing account '{}' is already CustomerBill '{}', with other content",
            accounts[0],
            bill["id"].as_str().expect("id")
        )),
        "{}",
        stale.out
    );
    let fresh = run(&app, &["export", "bills"]).await;
    let again = import(&app, &fresh.out, &[]).await;
    assert!(
        again
            .summary()
            .contains("3 bills / 6 rates already present unchanged")
    );
    assert_eq!(
        receivable(&app, &accounts[0]).await.as_deref(),
        Some("160.00")
    );

    // On another server, with its own accounts: the same bills, exported the same way.
    let other = TestApp::new().await;
    let theirs = [account(&other, "Ada").await, account(&other, "Alan").await];
    let moved = fresh
        .out
        .replace(&accounts[0], &theirs[0])
        .replace(&accounts[1], &theirs[1]);
    let ran = import(&other, &moved, &[]).await;
    ran.succeeded();
    assert!(
        ran.summary()
            .starts_with("summary: imported 3 bills / 6 rates")
    );
    let back = run(&other, &["export", "bills"]).await;
    let back = back
        .out
        .replace(&theirs[0], &accounts[0])
        .replace(&theirs[1], &accounts[1]);
    assert_eq!(back, fresh.out, "the round trip keeps every bill as it was");
    assert_eq!(
        receivable(&other, &theirs[0]).await.as_deref(),
        Some("160.00")
    );
}

/// The first sample bill, with its rates, as a billing system would send them to the API.
fn api_bill(account: &str) -> Value {
    serde_json::from_str(&format!(
        r#"{{"billNo": "INV-2026-11-0001", "billDate": "2026-11-30T00:00:00Z", "paymentDueDate": "2026-12-20T00:00:00Z",
        "nextBillDate": "2026-12-31T00:00:00Z", "category": "normal", "runType": "onCycle", "state": "partiallyPaid",
        "billingAccount": {{"id": "{account}"}},
        "billingPeriod": {{"startDateTime": "2026-11-01T00:00:00Z", "endDateTime": "2026-11-30T23:59:59Z"}},
        "amountDue": {{"unit": "EUR", "value": 120.00}}, "remainingAmount": {{"unit": "EUR", "value": 100.00}},
        "taxExcludedAmount": {{"unit": "EUR", "value": 100.00}}, "taxIncludedAmount": {{"unit": "EUR", "value": 120.00}},
        "taxItem": [{{"taxCategory": "VAT", "taxRate": 0.20, "taxAmount": {{"unit": "EUR", "value": 20.00}}}}],
        "appliedPayment": [{{"payment": {{"id": "PAY-2026-11-0042", "name": "direct debit"}}, "appliedAmount": {{"unit": "EUR", "value": 20.00}}}}]}}"#
    ))
    .expect("bill")
}

fn api_rates(bill: &str) -> Vec<Value> {
    [
        format!(
            r#"{{"externalId": "RT-2026-11-0001-1", "type": "appliedBillingCharge", "date": "2026-11-30T00:00:00Z", "name": "Fibre 500 monthly fee",
            "periodCoverage": {{"startDateTime": "2026-11-01T00:00:00Z", "endDateTime": "2026-11-30T23:59:59Z"}},
            "taxExcludedAmount": {{"unit": "EUR", "value": 50.00}}, "taxIncludedAmount": {{"unit": "EUR", "value": 60.00}},
            "appliedTax": [{{"taxCategory": "VAT", "taxRate": 0.20, "taxAmount": {{"unit": "EUR", "value": 10.00}}}}],
            "characteristic": [{{"name": "chargeType", "value": "recurring"}}], "isBilled": true, "bill": {{"id": "{bill}"}}}}"#
        ),
        format!(
            r#"{{"externalId": "RT-2026-11-0001-2", "type": "appliedBillingCharge", "date": "2026-11-30T00:00:00Z", "name": "Calls to mobiles",
            "description": "182 minutes, 14 November to 29 November",
            "taxExcludedAmount": {{"unit": "EUR", "value": 40.00}}, "taxIncludedAmount": {{"unit": "EUR", "value": 48.00}},
            "appliedTax": [{{"taxCategory": "VAT", "taxRate": 0.20, "taxAmount": {{"unit": "EUR", "value": 8.00}}}}],
            "characteristic": [{{"name": "chargeType", "value": "usage"}}, {{"name": "minutes", "valueType": "integer", "value": 182}}],
            "isBilled": true, "bill": {{"id": "{bill}"}}}}"#
        ),
        format!(
            r#"{{"externalId": "RT-2026-11-0001-3", "type": "appliedBillingCredit", "date": "2026-11-30T00:00:00Z", "name": "Loyalty rebate",
            "taxIncludedAmount": {{"unit": "EUR", "value": 5.00}}, "isBilled": true, "bill": {{"id": "{bill}"}}}}"#
        ),
    ]
    .iter()
    .map(|text| serde_json::from_str(text).expect("rate"))
    .collect()
}

/// `document` without what differs between two copies of one bill or rate.
fn plain(mut document: Value) -> Value {
    if let Some(map) = document.as_object_mut() {
        for key in ["id", "href", "lastUpdate", "bill"] {
            map.remove(key);
        }
        // Derived on output from the id.
        if let Some(account) = map.get_mut("billingAccount").and_then(Value::as_object_mut) {
            account.remove("href");
        }
    }
    document
}

#[tokio::test]
async fn the_import_stores_what_the_api_stores_and_each_recognises_the_other_s_records() {
    let app = TestApp::new().await;
    let imported = account(&app, "Ada").await;
    let other = account(&app, "Alan").await;
    let biller = format!("Bearer {}", app.token("billing-run", &["billing-system"]));
    let post = |uri: &'static str, body: Value| {
        let (app, biller) = (&app, &biller);
        async move {
            app.send_with(Method::POST, uri, &[("Authorization", biller)], Some(&body))
                .await
        }
    };
    // The sample's first bill through the file, for one account.
    let sample = sample([&imported, &other]);
    let first_bill_only = {
        let end = sample
            .find("  <customerBill billNo=\"INV-2026-11-0002\"")
            .expect("second bill");
        format!("{}</customerBills>\n", &sample[..end])
    };
    import(&app, &first_bill_only, &[]).await.succeeded();
    let from_file = app
        .get(&format!("{BILLS}?billingAccount.id={imported}"))
        .await
        .body[0]
        .clone();
    let file_bill_id = from_file["id"].as_str().expect("id").to_owned();

    // The API knows it: the same bill sent again is the stored one (200), and so are its rates.
    let again = post(BILLS, api_bill(&imported)).await;
    again.assert_status(StatusCode::OK, "the imported bill, sent to the API");
    assert_eq!(again.id(), file_bill_id);
    for rate in api_rates(&file_bill_id) {
        let again = post(RATES, rate).await;
        again.assert_status(StatusCode::OK, "an imported rate, sent to the API");
    }
    let changed = post(BILLS, {
        let mut bill = api_bill(&imported);
        bill["category"] = json!("interim");
        bill
    })
    .await;
    changed.assert_tmf_error(409);

    // The same bill through the API for the other account (its rates under other ids, since
    // rate ids are the billing system's and unique), then the file: already present.
    let pushed = post(BILLS, api_bill(&other)).await;
    pushed.assert_status(StatusCode::CREATED, "bill through the API");
    for mut rate in api_rates(&pushed.id()) {
        let id = rate["externalId"]
            .as_str()
            .expect("id")
            .replace("RT-", "RT-API-");
        rate["externalId"] = json!(id);
        post(RATES, rate)
            .await
            .assert_status(StatusCode::CREATED, "rate");
    }
    let file_for_other = first_bill_only
        .replace(&imported, &other)
        .replace("externalId=\"RT-", "externalId=\"RT-API-");
    let before = footprint(&app).await;
    let ran = import(&app, &file_for_other, &[]).await;
    assert_eq!(
        ran.summary(),
        "summary: imported 0 bills / 0 rates, 1 bill / 3 rates already present unchanged, 0 bills / 0 rates rejected"
    );
    assert_eq!(footprint(&app).await, before);

    // The documents are the same, but for ids and the stamps of the moment.
    let from_api = app.get(&format!("{BILLS}/{}", pushed.id())).await.body;
    let mut expected = plain(from_api);
    expected["billingAccount"]["id"] = json!(imported);
    assert_eq!(plain(from_file), expected);
    let rates_of = |bill: String| {
        let app = &app;
        async move {
            let mut lines = app.get(&format!("{RATES}?bill.id={bill}")).await.body;
            let lines = lines.as_array_mut().expect("a list");
            lines.sort_by_key(|line| line["externalId"].to_string());
            lines.iter().cloned().map(plain).collect::<Vec<_>>()
        }
    };
    let file_rates = rates_of(file_bill_id.clone()).await;
    let api_rates: Vec<Value> = rates_of(pushed.id())
        .await
        .into_iter()
        .map(|mut rate| {
            rate["billingAccount"]["id"] = json!(imported);
            let id = rate["externalId"]
                .as_str()
                .expect("id")
                .replace("RT-API-", "RT-");
            rate["externalId"] = json!(id);
            rate
        })
        .collect();
    assert_eq!(file_rates, api_rates);
    // And the balances.
    assert_eq!(
        receivable(&app, &imported).await,
        receivable(&app, &other).await
    );
    assert_eq!(receivable(&app, &imported).await.as_deref(), Some("100.00"));
}

/// A bill of 36.00 EUR (room for three rates of 12.00) with the rates `rates` (`(id, amount)`).
fn roomy_bill(account: &str, number: &str, rates: &[(&str, &str)]) -> String {
    let mut xml = format!(
        "  <customerBill billNo=\"{number}\" state=\"new\">\n    <billingAccount id=\"{account}\"/>\n    <amountDue currency=\"EUR\">36.00</amountDue>\n    <taxIncludedAmount currency=\"EUR\">36.00</taxIncludedAmount>\n"
    );
    for (id, amount) in rates {
        xml.push_str(&format!(
            "    <appliedCustomerBillingRate externalId=\"{id}\" type=\"appliedBillingCharge\"><taxIncludedAmount currency=\"EUR\">{amount}</taxIncludedAmount></appliedCustomerBillingRate>\n"
        ));
    }
    xml.push_str("  </customerBill>\n");
    xml
}

fn file_of(bills: &[String]) -> String {
    format!("<customerBills>\n{}</customerBills>\n", bills.concat())
}

/// Rates by bill and by account in the reference index, and how many rows of `entity_ref`
/// say so (none: the rates' table indexes both).
async fn rate_references(app: &TestApp, path: &str, target: &str) -> (i64, i64) {
    let condition = format!(
        "source_table = 'applied_billing_rate' AND path = '{path}' AND target_id = '{target}'"
    );
    (
        rows_where(app, "reference_index", &condition).await,
        rows_where(app, "entity_ref", &condition).await,
    )
}

#[tokio::test]
async fn a_rate_s_bill_and_account_are_found_through_the_rates_own_table() {
    let app = TestApp::new().await;
    let accounts = [account(&app, "Ada").await, account(&app, "Alan").await];
    import(&app, &sample([&accounts[0], &accounts[1]]), &[])
        .await
        .succeeded();
    let bill = app
        .get(&format!("{BILLS}?billingAccount.id={}", accounts[0]))
        .await
        .body[0]["id"]
        .as_str()
        .expect("bill")
        .to_owned();
    let lines = app.get(&format!("{RATES}?bill.id={bill}")).await.body;
    let lines = lines.as_array().expect("rates").len() as i64;
    assert!(lines > 0, "the bill has lines");
    assert_eq!(rate_references(&app, "bill", &bill).await, (lines, 0));

    // A rate the API records waits on its account: found by it the same way.
    let biller = format!("Bearer {}", app.token("billing-run", &["billing-system"]));
    let before = rate_references(&app, "billingAccount", &accounts[1]).await;
    let unbilled = json!({"externalId": "RT-UNBILLED-1", "type": "appliedBillingCharge",
        "date": "2026-12-01T00:00:00Z", "name": "Roaming pack", "isBilled": false,
        "billingAccount": {"id": accounts[1]},
        "taxIncludedAmount": {"unit": "EUR", "value": 6.00}});
    app.send_with(
        Method::POST,
        RATES,
        &[("Authorization", &biller)],
        Some(&unbilled),
    )
    .await
    .assert_status(StatusCode::CREATED, "an unbilled rate");
    assert_eq!(
        rate_references(&app, "billingAccount", &accounts[1]).await,
        (before.0 + 1, 0)
    );

    // What refers to the account, as the 360 view and erasure read it, holds the rates.
    let referring =
        crm_store::relations::referencing(app.store.connection(), &[accounts[1].clone()])
            .await
            .expect("referring");
    let rates = referring
        .iter()
        .filter(|(table, _)| table == "applied_billing_rate")
        .count() as i64;
    assert_eq!(rates, before.0 + 1);
}

#[tokio::test]
async fn a_stored_bill_takes_new_rates_from_a_later_file_judged_on_the_stored_bill() {
    let app = TestApp::new().await;
    let account = account(&app, "Ada").await;
    let first = file_of(&[roomy_bill(
        &account,
        "X",
        &[("X-0", "12.00"), ("X-1", "12.00")],
    )]);
    import(&app, &first, &[]).await.succeeded();
    // Two more lines: the fourth would take the bill beyond 36.00, so neither is written.
    let more = file_of(&[roomy_bill(
        &account,
        "X",
        &[
            ("X-0", "12.00"),
            ("X-1", "12.00"),
            ("X-2", "12.00"),
            ("X-3", "12.00"),
        ],
    )]);
    let ran = import(&app, &more, &[]).await;
    assert!(
        ran.out
            .contains("would add up to 48.00, more than its taxIncludedAmount 36.00"),
        "{}",
        ran.out
    );
    assert_eq!(app.total(RATES).await, 2);
    // One more line fits: written on the stored bill, the rest present.
    let fits = file_of(&[roomy_bill(
        &account,
        "X",
        &[("X-0", "12.00"), ("X-1", "12.00"), ("X-2", "12.00")],
    )]);
    let ran = import(&app, &fits, &[]).await;
    assert_eq!(
        ran.summary(),
        "summary: imported 0 bills / 1 rate, 1 bill / 2 rates already present unchanged, 0 bills / 0 rates rejected"
    );
    let bill = app.get(&format!("{BILLS}?billNo=X")).await.body[0]["id"].clone();
    assert_eq!(
        app.total(&format!("{RATES}?bill.id={}", bill.as_str().expect("id")))
            .await,
        3
    );
    // The same line twice in a bill is stored once; twice with other content, refused.
    let twice = file_of(&[
        roomy_bill(&account, "Y", &[("Y-0", "12.00"), ("Y-0", "12.00")]),
        roomy_bill(&account, "Z", &[("Z-0", "12.00"), ("Z-0", "11.00")]),
    ]);
    let ran = import(&app, &twice, &[]).await;
    assert_eq!(
        ran.summary(),
        "summary: imported 1 bill / 1 rate, 0 bills / 1 rate already present unchanged, 1 bill / 2 rates rejected",
        "{}",
        ran.out
    );
    assert!(
        ran.out
            .contains("externalId 'Z-0' is given twice in this bill, with other content")
    );
    // An existing rate id on another, new bill: the API's 409.
    let moved = file_of(&[roomy_bill(&account, "W", &[("X-0", "12.00")])]);
    let ran = import(&app, &moved, &[]).await;
    assert!(
        ran.out
            .contains("externalId 'X-0' is already AppliedCustomerBillingRate"),
        "{}",
        ran.out
    );
    assert_eq!(app.total(&format!("{BILLS}?billNo=W")).await, 0);
}

#[tokio::test]
async fn the_server_lists_the_modules_commands() {
    let commands = crm_server::commands(&crm_server::modules()).expect("commands");
    let listing = crm_module::commands::listing(&commands);
    assert!(listing.contains("import bills FILE.xml"), "{listing}");
    assert!(
        listing.contains("export bills [--account ID] [--since DATE]"),
        "{listing}"
    );
    let words: Vec<String> = ["import", "bills", "x.xml"].map(String::from).to_vec();
    let (command, args) = crm_module::commands::find(&commands, &words).expect("found");
    assert_eq!((command.name(), args), ("import bills", &words[2..]));
    assert!(crm_module::commands::find(&commands, &["import".to_owned()]).is_none());
}
