//! The CRM server: settings, telemetry, the middleware stack and the composed router of
//! every application crate. `app` is the one function that builds the HTTP application;
//! `main` and the tests both use it.
//!
//! It depends on the application crates only to list them ([`modules`]): everything else
//! goes through the module contract (`crm-module`).

mod listener;
pub mod settings;
pub mod telemetry;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router, middleware};
use crm_auth::{
    Authenticator, JwksCache, JwksSource, KeySource, PermissionTable, Secret, Verifier,
};
use crm_module::{
    Assembled, Command, CommandContext, Console, Hooks, Job, Module, ModuleContext, Parts,
};
use crm_store::{Clock, PoolOptions, Store, SystemClock, TypeRegistry};
use serde_json::json;
use tmf_apis::openapi::ExtensionOperation;
use tmf_apis::{PublicBaseUrl, QueryLimits, ResourceService, RouterConfig};
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use listener::serve;
pub use settings::Settings;

/// Every application crate the server serves, in the order of their 360-view sections. A
/// new domain is a crate and an entry here.
pub fn modules() -> Vec<Arc<dyn Module>> {
    vec![
        Arc::new(customer_information::CustomerInformation),
        Arc::new(customer_order::CustomerOrder),
        Arc::new(customer_problem::CustomerProblem),
        Arc::new(billing_inquiry::BillingInquiry::default()),
        Arc::new(customer_sla::CustomerSla::default()),
        Arc::new(customer_loyalty::CustomerLoyalty::default()),
    ]
}

/// Loads the `seed` command's reproducible data set: `parties` individuals, each with a
/// customer and a billing account, in transactions of `batch` parties; `progress` hears how
/// many are done after each.
pub async fn seed(
    store: &Store,
    parties: u64,
    seed: u64,
    batch: u64,
    progress: impl FnMut(u64),
) -> Result<(), crm_store::StoreError> {
    customer_information::seed::seed(store, parties, seed, batch, progress).await
}

/// Everything the HTTP application needs, built once at start-up from the modules.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Every resource service of every module.
    pub services: Vec<Arc<dyn ResourceService>>,
    /// Delivers the outbox to listeners (started by `serve`).
    pub dispatcher: crm_events::Dispatcher,
    /// The permission table, the query limits and the links, for every route.
    pub config: RouterConfig,
    /// The OpenAPI document, rendered once.
    pub openapi: Arc<serde_json::Value>,
    /// Token verification.
    pub authenticator: Arc<Authenticator>,
    /// The modules' extension routes.
    pub extensions: Vec<Router>,
    /// The OpenAPI entries of the extension routes (each with the permission it needs).
    pub extension_operations: Vec<ExtensionOperation>,
    /// The modules' background jobs (started by `serve`).
    pub jobs: Vec<Arc<dyn Job>>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("services", &crm_module::type_names(&self.services))
            .field("extension_operations", &self.extension_operations.len())
            .field(
                "jobs",
                &self.jobs.iter().map(|j| j.name()).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

/// The HS256 secret in force when no JWKS is configured: the configured one, or the one kept
/// in the data directory (created on first use).
pub fn signing_secret(settings: &Settings) -> anyhow::Result<Secret> {
    match &settings.auth.hs256_secret {
        Some(secret) => Ok(secret.clone()),
        None => Ok(crm_auth::local_secret(&settings.data_dir)?),
    }
}

fn authenticator(settings: &Settings) -> anyhow::Result<Authenticator> {
    let auth = &settings.auth;
    let jwks = match (&auth.jwks_file, &auth.jwks_url) {
        (Some(file), _) => Some(JwksSource::File(file.clone())),
        (None, Some(url)) => Some(JwksSource::Url(url.clone())),
        (None, None) => None,
    };
    let keys = match jwks {
        Some(source) => KeySource::Jwks(JwksCache::new(
            source,
            Duration::from_secs(auth.jwks_max_age_secs),
            Duration::from_secs(auth.jwks_min_refresh_secs),
        )),
        None => KeySource::Hs256(signing_secret(settings)?),
    };
    Ok(Authenticator {
        verifier: Verifier::new(keys, auth.issuer.clone(), auth.audience.clone()),
        protect_openapi: auth.protect_openapi,
    })
}

impl AppState {
    /// Connects to the database, applies migrations, and wires every API.
    pub async fn build(settings: &Settings, pool: PoolOptions) -> anyhow::Result<Self> {
        if settings.database_url.is_none() {
            std::fs::create_dir_all(&settings.data_dir)?;
        }
        let store = Store::connect(&settings.database_url(), &pool).await?;
        crm_module::migrate(&store, &modules()).await?;
        store.optimize().await?;
        Self::with_store(store, settings).await
    }

    /// Wires every API over an already migrated store, on the system's clock.
    pub async fn with_store(store: Store, settings: &Settings) -> anyhow::Result<Self> {
        Self::with_clock(store, settings, Arc::new(SystemClock)).await
    }

    /// Wires every module over an already migrated store, with `clock` as the time of every
    /// business rule.
    pub async fn with_clock(
        store: Store,
        settings: &Settings,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        Self::with_modules(store, settings, clock, &modules()).await
    }

    /// Assembles `modules` over an already migrated store: types and permissions, then
    /// hooks, then each module's parts, then the extension routes over the whole.
    pub async fn with_modules(
        store: Store,
        settings: &Settings,
        clock: Arc<dyn Clock>,
        modules: &[Arc<dyn Module>],
    ) -> anyhow::Result<Self> {
        let Assembly {
            assembled, jobs, ..
        } = assemble(store.clone(), settings, clock, modules)?;
        let mut extensions = Vec::new();
        let mut extension_operations = Vec::new();
        for module in modules {
            let routes = module.routes(&assembled)?;
            extensions.push(routes.router);
            extension_operations.extend(routes.operations);
        }
        let descriptors: Vec<_> = assembled.services.iter().map(|s| s.descriptor()).collect();
        let openapi = tmf_apis::openapi::openapi_document(
            "Telecom CRM — TM Forum Open APIs v4",
            env!("CARGO_PKG_VERSION"),
            &descriptors,
            &extension_operations,
        );
        let resources: Vec<_> = descriptors.into_iter().cloned().collect();
        let dispatcher = crm_events::Dispatcher::new(
            store.clone(),
            settings.events.clone(),
            &resources,
            settings.public_url.clone(),
        )
        .await?;
        Ok(Self {
            store,
            services: assembled.services,
            dispatcher,
            config: assembled.config,
            openapi: Arc::new(serde_json::to_value(&openapi)?),
            authenticator: Arc::new(authenticator(settings)?),
            extensions,
            extension_operations,
            jobs,
        })
    }

    /// The job named `name` (`ticketEscalation`).
    pub fn job(&self, name: &str) -> Option<Arc<dyn Job>> {
        self.jobs.iter().find(|job| job.name() == name).cloned()
    }
}

/// The application as `modules` make it over a migrated store, before any route is built.
struct Assembly {
    /// What every module built from.
    ctx: ModuleContext,
    /// Every service, eraser, view section, timeline source and hook, and the router
    /// configuration.
    assembled: Assembled,
    /// The modules' background jobs.
    jobs: Vec<Arc<dyn Job>>,
}

/// Assembles `modules` over a migrated store: types and permissions, then hooks, then each
/// module's parts, then the router configuration over the whole.
fn assemble(
    store: Store,
    settings: &Settings,
    clock: Arc<dyn Clock>,
    modules: &[Arc<dyn Module>],
) -> anyhow::Result<Assembly> {
    let mut registry = TypeRegistry::default();
    let mut grants = Vec::new();
    for module in modules {
        module.register_types(&mut registry);
        grants.extend(module.permissions());
    }
    warn_unread_sections(settings, modules);
    let ctx = ModuleContext::new(
        store.clone(),
        Arc::new(registry),
        clock,
        settings.sections.clone(),
    );
    let mut hooks = Hooks::default();
    for module in modules {
        module.offer(&ctx, &mut hooks)?;
    }
    let mut parts = Parts::default();
    for module in modules {
        parts.extend(module.build(&ctx, &hooks)?);
    }
    let limits = QueryLimits {
        default_limit: settings.default_page_size,
        max_limit: settings.max_page_size,
        extension_filters: !settings.strict_attributes,
        ..QueryLimits::default()
    };
    let links = parts
        .services
        .iter()
        .map(|s| {
            let descriptor = s.descriptor();
            (
                descriptor.type_name.to_owned(),
                descriptor.collection_path(),
            )
        })
        .collect();
    let config = RouterConfig {
        limits: Arc::new(limits),
        policy: Arc::new(PermissionTable::new(grants)),
        strict_attributes: settings.strict_attributes,
        require_if_match: settings.require_if_match,
        links: Arc::new(links),
    };
    let assembled = Assembled {
        store,
        services: parts.services,
        erasers: parts.erasers,
        view_sections: parts.view_sections,
        timeline: parts.timeline,
        hooks,
        config,
    };
    Ok(Assembly {
        ctx,
        assembled,
        jobs: parts.jobs,
    })
}

/// Every command the `modules` add to the command line, in module order; an error naming a
/// command two modules offer.
pub fn commands(modules: &[Arc<dyn Module>]) -> anyhow::Result<Vec<Arc<dyn Command>>> {
    let mut commands: Vec<Arc<dyn Command>> = Vec::new();
    for module in modules {
        for command in module.commands() {
            anyhow::ensure!(
                commands.iter().all(|c| c.name() != command.name()),
                "the command '{}' is offered twice (module {})",
                command.name(),
                module.name()
            );
            commands.push(command);
        }
    }
    Ok(commands)
}

/// What a module's command runs over: `modules` assembled over a migrated `store` as for
/// serving (every service and hook; no routes, listener, dispatcher or job started), with
/// `clock` and `console`.
pub fn command_context(
    store: Store,
    settings: &Settings,
    clock: Arc<dyn Clock>,
    modules: &[Arc<dyn Module>],
    console: Console,
) -> anyhow::Result<CommandContext> {
    let Assembly { ctx, assembled, .. } = assemble(store, settings, clock, modules)?;
    Ok(CommandContext {
        module: ctx,
        app: assembled,
        console,
    })
}

/// Logs the settings sections no module reads (a misspelt section name).
fn warn_unread_sections(settings: &Settings, modules: &[Arc<dyn Module>]) {
    for section in settings.sections.keys() {
        let read = modules
            .iter()
            .any(|module| module.settings_sections().contains(&section.as_str()));
        if !read && section != "config" {
            tracing::warn!(section = %section, "no module reads this settings section");
        }
    }
}

/// The HTTP application: every API's routes, `/health`, `/openapi.json`, and the
/// middleware stack (header limits, request id, tracing, timeout, body limit, TMF error
/// bodies).
pub fn app(state: AppState, settings: &Settings) -> Router {
    let mut router = Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(openapi))
        .with_state(state.clone());
    let config = state.config.clone();
    for service in &state.services {
        router = router.merge(tmf_apis::resource_routes(service.clone(), config.clone()));
    }
    let resources: Vec<_> = state
        .services
        .iter()
        .map(|s| s.descriptor().clone())
        .collect();
    router = router.merge(crm_events::routes(
        crm_events::HubState {
            store: state.store.clone(),
            policy: config.policy.clone(),
            callbacks: crm_events::CallbackPolicy::new(&settings.events.allowed_callback_hosts),
        },
        &resources,
    ));
    for extension in &state.extensions {
        router = router.merge(extension.clone());
    }
    let public_url = settings
        .public_url
        .as_deref()
        .map(|url| PublicBaseUrl(Arc::from(url)));
    let request_id = HeaderName::from_static("x-request-id");
    router
        .fallback(tmf_apis::unknown_route)
        .layer(DefaultBodyLimit::max(settings.body_limit_bytes))
        .layer(middleware::from_fn_with_state(
            state.authenticator.clone(),
            crm_auth::authenticate,
        ))
        .layer(tower::util::option_layer(cors(settings)))
        .layer(middleware::from_fn(
            move |mut request: Request, next: middleware::Next| {
                let public_url = public_url.clone();
                async move {
                    if let Some(url) = public_url {
                        request.extensions_mut().insert(url);
                    }
                    next.run(request).await
                }
            },
        ))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http().make_span_with(|request: &Request| {
                        let id = request
                            .headers()
                            .get("x-request-id")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("-");
                        tracing::info_span!(
                            "request",
                            request_id = %id,
                            method = %request.method(),
                            path = %request.uri().path(),
                            actor = tracing::field::Empty,
                        )
                    }),
                )
                .layer(PropagateRequestIdLayer::new(request_id))
                // Outermost but for the ids: every error response, whoever made it (the
                // timeout below included), leaves with a TMF Error body.
                .layer(middleware::map_response(tmf_apis::tmf_error_bodies))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::SERVICE_UNAVAILABLE,
                    Duration::from_secs(settings.request_timeout_secs),
                )),
        )
        // Outermost: the client's own headers are counted (not the request id set above),
        // before anything reads one (the token included).
        .layer(middleware::from_fn(refuse_large_heads))
}

/// Most header lines a request may carry (a TMF 431 beyond).
pub const MAX_HEADER_LINES: usize = 100;
/// Most bytes a request's headers may take, counting each line's name, value and 4 bytes of
/// separators (a TMF 431 beyond).
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// How much of a request head the listener reads (hyper's `max_buf_size`), well above
/// [`MAX_HEADER_BYTES`] so that an oversized head reaches the stack and is refused there
/// with a TMF Error. A head larger still gets hyper's own 431, which has no body.
pub const HEAD_READ_BYTES: usize = 1024 * 1024 + MAX_HEADER_BYTES;
/// How many header lines the listener reads (hyper's `max_headers`), above
/// [`MAX_HEADER_LINES`] for the same reason; beyond it, hyper's own 431.
pub const HEAD_READ_LINES: usize = 256;

/// Refuses a request whose headers exceed [`MAX_HEADER_LINES`] or [`MAX_HEADER_BYTES`] with
/// a TMF 431 naming the limit (and the largest header).
async fn refuse_large_heads(request: Request, next: middleware::Next) -> axum::response::Response {
    let headers = request.headers();
    let too_large = |message: String| {
        tmf_apis::TmfError::new(tmf_apis::ErrorCode::HeadersTooLarge, message).into_response()
    };
    if headers.len() > MAX_HEADER_LINES {
        return too_large(format!(
            "the request has {} header lines, more than the {MAX_HEADER_LINES} allowed",
            headers.len()
        ));
    }
    let size = |(name, value): (&HeaderName, &axum::http::HeaderValue)| {
        name.as_str().len() + value.len() + 4
    };
    let total: usize = headers.iter().map(size).sum();
    if total > MAX_HEADER_BYTES {
        let largest = headers
            .iter()
            .max_by_key(|header| size(*header))
            .map(|(name, value)| format!(" (the largest, {name}, takes {} bytes)", value.len()))
            .unwrap_or_default();
        return too_large(format!(
            "the request headers take {total} bytes, more than the {MAX_HEADER_BYTES} allowed{largest}"
        ));
    }
    next.run(request).await
}

/// CORS: absent (no cross-origin headers, OPTIONS is an ordinary method) unless origins
/// are configured.
fn cors(settings: &Settings) -> Option<CorsLayer> {
    let origins: Vec<axum::http::HeaderValue> = settings
        .cors_allowed_origins
        .iter()
        .filter_map(|origin| origin.parse().ok())
        .collect();
    if origins.is_empty() {
        return None;
    }
    let layer = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([
            axum::http::Method::GET,
            axum::http::Method::POST,
            axum::http::Method::PATCH,
            axum::http::Method::DELETE,
        ])
        .allow_headers([
            axum::http::header::AUTHORIZATION,
            axum::http::header::CONTENT_TYPE,
            HeaderName::from_static("x-reason"),
        ])
        .expose_headers([
            HeaderName::from_static("x-total-count"),
            HeaderName::from_static("x-result-count"),
            axum::http::header::LOCATION,
        ]);
    Some(layer)
}

async fn health(State(state): State<AppState>) -> impl IntoResponse {
    if state.store.ping().await {
        (
            StatusCode::OK,
            Json(json!({"status": "up", "database": "up"})),
        )
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "down", "database": "down"})),
        )
    }
}

async fn openapi(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(state.openapi.as_ref().clone())
}
