//! The module contract: the application is composed from the module list alone, and a new
//! domain plugs in with one list entry (its routes, permissions, settings, view sections,
//! timeline names, jobs and hooks), without any other crate knowing it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use axum::extract::{Path, Request, State};
use axum::routing::get;
use axum::{Json, Router};
use crm_module::{
    Assembled, ExtensionRoutes, Grant, Hooks, Job, Module, ModuleContext, ModuleError, Parts, Role,
    ViewContributor, ViewSubject,
};
use crm_tests::{CUSTOMER, TestApp};
use serde_json::{Value, json};
use tmf_apis::openapi::ExtensionOperation;
use tmf_apis::{AccessPolicy, Domain, Operation, RequestContext, TmfResult};
use utoipa::openapi::HttpMethod;

const TICKETS: &str = "/tmf-api/troubleTicket/v4/troubleTicket";
const ORDERS: &str = "/tmf-api/productOrderingManagement/v4/productOrder";
const GREETING: &str = "/tmf-api/greeting/v1/greeting";

#[tokio::test]
async fn the_application_is_built_from_the_module_list_alone() {
    let app = TestApp::new().await;
    let served: Vec<&str> = app.descriptors.iter().map(|d| d.type_name).collect();
    for expected in [
        "Individual",
        "Customer",
        "BillingAccount",
        "PartyInteraction",
        "ProductOffering",
        "ProductOrder",
        "Product",
        "TroubleTicket",
        "CustomerBill",
        "AppliedCustomerBillingRate",
        "CustomerBillOnDemand",
        "Sla",
        "SlaViolation",
        "SlaMeasurement",
    ] {
        assert!(served.contains(&expected), "{expected} in {served:?}");
    }
    let jobs: Vec<&str> = app.jobs.iter().map(|job| job.name()).collect();
    assert_eq!(
        jobs,
        [
            "ticketEscalation",
            "billOnDemand",
            "slaEvaluation",
            "slaExpiry",
            "loyaltyTenure",
            "loyaltyTierReview",
            "loyaltyExpiry"
        ]
    );
    let openapi = app.get("/openapi.json").await.body;
    for extension in &app.extension_operations {
        assert!(
            openapi["paths"][&extension.path].is_object(),
            "{} is documented",
            extension.path
        );
    }
    // The view's sections come from every module, in list order.
    let party = app.individual("Modular", "Person").await;
    let customer = app.customer("Modular Person", &party, "active").await;
    let view = app.get(&format!("{CUSTOMER}/{customer}/view")).await.body;
    let keys: Vec<&str> = view
        .as_object()
        .expect("a view")
        .keys()
        .map(String::as_str)
        .collect();
    for section in [
        "party",
        "accounts",
        "interactions",
        "products",
        "openOrders",
        "openTickets",
        "bills",
        "slas",
    ] {
        assert!(keys.contains(&section), "{section} in {keys:?}");
    }
}

#[tokio::test]
async fn a_shorter_module_list_serves_only_its_domains() {
    let mut modules = crm_server::modules();
    modules.retain(|module| module.name() == "customer-information");
    assert_eq!(modules.len(), 1);
    let app = TestApp::with_modules(&modules, |_| {}).await;
    assert!(
        app.descriptors
            .iter()
            .all(|d| !matches!(d.domain, Domain::Order | Domain::Ticket | Domain::Catalog))
    );
    assert!(app.jobs.is_empty());
    app.get(ORDERS).await.assert_tmf_error(404);
    app.get(TICKETS).await.assert_tmf_error(404);
    let party = app.individual("Alone", "Person").await;
    let customer = app.customer("Alone Person", &party, "active").await;
    let view = app.get(&format!("{CUSTOMER}/{customer}/view")).await;
    assert_eq!(view.status, 200, "{}", view.text);
    assert!(view.body.get("accounts").is_some());
    assert!(view.body.get("openTickets").is_none());
    assert!(
        !app.policy.permits(
            &tmf_apis::Actor {
                subject: "s".into(),
                roles: vec!["csr".into()]
            },
            Domain::Order,
            Operation::Create
        ),
        "no module grants order permissions"
    );
}

/// A domain written for this test: an extension route, a permission, a settings section, a
/// view section, a timeline name and a job, all from one list entry.
struct Greetings {
    passes: Arc<AtomicUsize>,
    salutation: std::sync::OnceLock<String>,
}

impl Greetings {
    fn new(passes: Arc<AtomicUsize>) -> Self {
        Self {
            passes,
            salutation: std::sync::OnceLock::new(),
        }
    }
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
struct GreetingSettings {
    salutation: String,
}

#[derive(Clone)]
struct GreetingState {
    salutation: String,
    policy: Arc<dyn AccessPolicy>,
}

async fn greet(
    State(state): State<GreetingState>,
    Path(id): Path<String>,
    request: Request,
) -> TmfResult<Json<Value>> {
    RequestContext::authorize_in(
        &request,
        state.policy.as_ref(),
        Domain::Loyalty,
        "Greeting",
        Operation::Read,
    )?;
    Ok(Json(
        json!({"id": id, "text": format!("{} {id}", state.salutation)}),
    ))
}

struct GreetingSection;

#[async_trait]
impl ViewContributor for GreetingSection {
    fn section(&self) -> &'static str {
        "greetings"
    }

    async fn contribute(&self, _ctx: &RequestContext, subject: &ViewSubject) -> TmfResult<Value> {
        Ok(json!([{"to": subject.customer_id}]))
    }
}

struct Greeter {
    passes: Arc<AtomicUsize>,
}

#[async_trait]
impl Job for Greeter {
    fn name(&self) -> &'static str {
        "greeter"
    }

    fn interval(&self) -> Duration {
        Duration::from_millis(20)
    }

    async fn run_once(&self) -> TmfResult<Vec<String>> {
        self.passes.fetch_add(1, Ordering::SeqCst);
        Ok(Vec::new())
    }
}

impl Module for Greetings {
    fn name(&self) -> &'static str {
        "greetings"
    }

    fn schema(&self) -> &'static [crm_store::SchemaStep] {
        const SCHEMA: &[crm_store::SchemaStep] = &[crm_store::SchemaStep::document_table(
            "0001_greeting",
            "greeting",
            &["to"],
        )];
        SCHEMA
    }

    fn settings_sections(&self) -> &'static [&'static str] {
        &["greetings"]
    }

    fn permissions(&self) -> Vec<Grant> {
        vec![Grant::new(
            Role::BillingSystem,
            Domain::Loyalty,
            &[Operation::Read],
        )]
    }

    fn build(&self, ctx: &ModuleContext, _hooks: &Hooks) -> Result<Parts, ModuleError> {
        let settings = ctx.settings::<GreetingSettings>("greetings")?;
        let _ = self.salutation.set(settings.salutation);
        Ok(Parts {
            view_sections: vec![Arc::new(GreetingSection)],
            jobs: vec![Arc::new(Greeter {
                passes: self.passes.clone(),
            })],
            ..Parts::default()
        })
    }

    fn routes(&self, app: &Assembled) -> Result<ExtensionRoutes, ModuleError> {
        // The hooks every module offered are there for the routes too.
        app.hooks
            .writer("PartyInteraction")
            .ok_or_else(|| ModuleError::Hook("no PartyInteraction writer offered".into()))?;
        let salutation = self.salutation.get().cloned().unwrap_or_default();
        Ok(ExtensionRoutes {
            router: Router::new()
                .route(&format!("{GREETING}/{{id}}"), get(greet))
                .with_state(GreetingState {
                    salutation,
                    policy: app.config.policy.clone(),
                }),
            operations: vec![ExtensionOperation {
                method: HttpMethod::Get,
                path: format!("{GREETING}/{{id}}"),
                operation_id: "retrieveGreeting",
                summary: "A greeting",
                tag: "/tmf-api/greeting/v1/",
                has_id: true,
                paged: false,
                permission: (Domain::Loyalty, Operation::Read),
            }],
        })
    }
}

fn as_bearer(uri: &str, token: &str) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::get(uri)
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .expect("a request")
}

#[tokio::test]
async fn a_new_domain_plugs_in_with_one_list_entry() {
    let passes = Arc::new(AtomicUsize::new(0));
    let mut modules = crm_server::modules();
    modules.push(Arc::new(Greetings::new(passes.clone())));
    let app = TestApp::with_modules(&modules, |settings| {
        settings
            .sections
            .insert("greetings".into(), json!({"salutation": "Hi"}));
    })
    .await;
    // Its route, documented, behind its permission.
    let greeting = app.get(&format!("{GREETING}/ana")).await;
    assert_eq!(greeting.status, 200, "{}", greeting.text);
    assert_eq!(greeting.body["text"], "Hi ana");
    let openapi = app.get("/openapi.json").await.body;
    assert!(openapi["paths"][format!("{GREETING}/{{id}}")]["get"].is_object());
    let billing = app.token("biller", &["billing-system"]);
    let allowed = app
        .send_anonymous(as_bearer(&format!("{GREETING}/ana"), &billing))
        .await;
    assert_eq!(allowed.status, 200, "{}", allowed.text);
    let csr_may_read_everything = app
        .send_anonymous(as_bearer(
            &format!("{GREETING}/ana"),
            &app.token("c", &["csr"]),
        ))
        .await;
    assert_eq!(csr_may_read_everything.status, 200);
    // Its table, from its own schema steps: no migration of the store names it.
    use crm_store::ConnectionTrait;
    let rows = app
        .store
        .connection()
        .query_one_raw(crm_store::Statement::from_string(
            app.store.backend(),
            "SELECT COUNT(*) AS n FROM greeting",
        ))
        .await
        .expect("the module's table exists")
        .expect("a count");
    assert_eq!(rows.try_get::<i64>("", "n").expect("n"), 0);
    // Its view section, after every other.
    let party = app.individual("Greeted", "Person").await;
    let customer = app.customer("Greeted Person", &party, "active").await;
    let view = app.get(&format!("{CUSTOMER}/{customer}/view")).await.body;
    assert_eq!(view["greetings"][0]["to"], customer.as_str());
    // Its job, started like every job.
    let job = app
        .jobs
        .iter()
        .find(|job| job.name() == "greeter")
        .expect("the greeter job")
        .clone();
    let running = job.start();
    tokio::time::timeout(Duration::from_secs(10), async {
        while passes.load(Ordering::SeqCst) < 2 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the job ran twice");
    running.stop().await;
}

#[tokio::test]
async fn a_module_section_that_does_not_read_is_refused_at_start() {
    let mut modules = crm_server::modules();
    modules.push(Arc::new(Greetings::new(Arc::new(AtomicUsize::new(0)))));
    let mut settings = crm_server::Settings::load(None).expect("defaults");
    settings
        .sections
        .insert("greetings".into(), json!({"salutation": 42}));
    let refused = assemble(&modules, &settings).await.expect_err("refused");
    assert!(refused.to_string().contains("[greetings]"), "{refused:#}");
}

/// Rules for tickets of type "Warranty Claim", owned by a domain that `customer-problem` does
/// not know (as billing owns "Bill Dispute"): a claim names its amount, and the owner marks it
/// as its own.
struct DisputeRules;

#[async_trait]
impl crm_module::SubtypeRules for DisputeRules {
    async fn apply(
        &self,
        _txn: &crm_store::DatabaseTransaction,
        _ctx: &RequestContext,
        previous: Option<&Value>,
        requested: &mut Value,
    ) -> TmfResult<()> {
        let names_amount = requested["troubleTicketCharacteristic"]
            .as_array()
            .is_some_and(|list| list.iter().any(|c| c["name"] == "disputedAmount"));
        if !names_amount {
            return Err(tmf_apis::TmfError::invalid_value(
                "a warranty claim names its disputedAmount",
            ));
        }
        if previous.is_none() {
            requested["troubleTicketCharacteristic"]
                .as_array_mut()
                .expect("a list")
                .push(json!({"name": "disputeOwner", "value": "billing"}));
        }
        Ok(())
    }
}

struct Disputes;

impl Module for Disputes {
    fn name(&self) -> &'static str {
        "disputes"
    }

    fn offer(&self, _ctx: &ModuleContext, hooks: &mut Hooks) -> Result<(), ModuleError> {
        hooks.offer_subtype("TroubleTicket", "Warranty Claim", Arc::new(DisputeRules))
    }

    fn build(&self, _ctx: &ModuleContext, _hooks: &Hooks) -> Result<Parts, ModuleError> {
        Ok(Parts::default())
    }
}

#[tokio::test]
async fn a_domain_owns_the_rules_of_its_ticket_type_through_a_hook() {
    let mut modules = crm_server::modules();
    // Listed last: hooks are offered before any module builds.
    modules.push(Arc::new(Disputes));
    let app = TestApp::with_modules(&modules, |_| {}).await;
    let refused = app
        .post(
            TICKETS,
            &json!({"description": "bill too high", "severity": "Minor", "ticketType": "Warranty Claim"}),
        )
        .await;
    let message = refused.assert_tmf_error(422);
    assert!(message.contains("disputedAmount"), "{message}");
    assert_eq!(app.total(TICKETS).await, 0, "nothing stored");
    let created = app
        .post(
            TICKETS,
            &json!({"description": "bill too high", "severity": "Minor", "ticketType": "Warranty Claim",
                    "troubleTicketCharacteristic": [{"name": "disputedAmount", "value": "12.50"}]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(
        created.body["troubleTicketCharacteristic"][1]["name"],
        "disputeOwner"
    );
    // A patch is judged too.
    let uri = format!("{TICKETS}/{}", created.id());
    let patched = app
        .patch(
            &uri,
            "application/merge-patch+json",
            &json!({"troubleTicketCharacteristic": []}),
        )
        .await;
    patched.assert_tmf_error(422);
    // Other ticket types are the ticket domain's alone.
    let incident = app
        .post(
            TICKETS,
            &json!({"description": "no dial tone", "severity": "Minor", "ticketType": "incident"}),
        )
        .await;
    assert_eq!(incident.status, 201, "{}", incident.text);
}

#[tokio::test]
async fn a_hook_offered_twice_is_refused_at_start() {
    let mut modules = crm_server::modules();
    modules.push(Arc::new(Disputes));
    modules.push(Arc::new(Disputes));
    let settings = crm_server::Settings::load(None).expect("defaults");
    let refused = assemble(&modules, &settings).await.expect_err("refused");
    assert!(refused.to_string().contains("offered twice"), "{refused:#}");
}

/// Assembles `modules` over a fresh SQLite database, as the server does at start.
async fn assemble(
    modules: &[Arc<dyn Module>],
    settings: &crm_server::Settings,
) -> anyhow::Result<crm_server::AppState> {
    let path =
        std::env::temp_dir().join(format!("crm-modules-{}.db", uuid::Uuid::now_v7().simple()));
    let store = crm_store::Store::connect(
        &format!("sqlite://{}", path.display()),
        &crm_store::PoolOptions::default(),
    )
    .await?;
    crm_module::migrate(&store, modules).await?;
    let assembled = crm_server::AppState::with_modules(
        store.clone(),
        settings,
        Arc::new(crm_store::SystemClock),
        modules,
    )
    .await;
    store.close().await;
    let _ = std::fs::remove_file(&path);
    assembled
}
