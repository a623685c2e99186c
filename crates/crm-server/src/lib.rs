//! The CRM server: settings, telemetry, the middleware stack and the composed router of
//! every application crate. `app` is the one function that builds the HTTP application;
//! `main` and the tests both use it.
//!
//! This is the only crate that depends on application crates.

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
use crm_auth::{Authenticator, JwksCache, JwksSource, KeySource, RolePolicy, Secret, Verifier};
use crm_store::{Clock, PoolOptions, Store, SystemClock, TypeRegistry};
use customer_information::view::ReferencingSection;
use serde_json::json;
use tmf_apis::{PublicBaseUrl, QueryLimits, ResourceService, RouterConfig};
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use listener::serve;
pub use settings::Settings;

/// Everything the HTTP application needs, built once at start-up.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Every resource service of every API.
    pub services: Vec<Arc<dyn ResourceService>>,
    /// Delivers the outbox to listeners (started by `serve`).
    pub dispatcher: crm_events::Dispatcher,
    /// Query cost limits.
    pub limits: Arc<QueryLimits>,
    /// The OpenAPI document, rendered once.
    pub openapi: Arc<serde_json::Value>,
    /// Token verification.
    pub authenticator: Arc<Authenticator>,
    /// The customer service behind the 360 view.
    pub customers: Arc<dyn ResourceService>,
    /// The individual service, where privacy erasure starts.
    pub individuals: Arc<dyn ResourceService>,
    /// Every resource kind that can hold personal data, erased together in one transaction.
    pub erasers: Vec<Arc<dyn crm_store::Erasable>>,
    /// The sections of the customer 360 view, from every domain.
    pub customer_view: customer_information::view::CustomerView,
    /// The trouble ticket escalation job (started by `serve`).
    pub escalator: Arc<customer_problem::Escalator>,
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
        store.migrate().await?;
        store.optimize().await?;
        Self::with_store(store, settings).await
    }

    /// Wires every API over an already migrated store, on the system's clock.
    pub async fn with_store(store: Store, settings: &Settings) -> anyhow::Result<Self> {
        Self::with_clock(store, settings, Arc::new(SystemClock)).await
    }

    /// Wires every API over an already migrated store, with `clock` as the time of the
    /// business rules that read one (ticket ages and escalation).
    pub async fn with_clock(
        store: Store,
        settings: &Settings,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        let mut registry = TypeRegistry::default();
        customer_information::register_types(&mut registry);
        customer_order::register_types(&mut registry);
        customer_problem::register_types(&mut registry);
        let registry = Arc::new(registry);
        let customer_information::Services {
            all: services,
            erasers,
            customers,
            individuals,
            interactions,
        } = customer_information::services(&store, &registry)?;
        let mut services = services;
        let mut erasers = erasers;
        let ordering = customer_order::services(
            &store,
            &registry,
            customer_order::ordering::OrderSettings {
                lead_time: customer_order::ordering::Duration::hours(i64::from(
                    settings.order_lead_time_hours,
                )),
            },
            clock.clone(),
        )?;
        services.extend(ordering.all);
        erasers.extend(ordering.erasers);
        let problems = customer_problem::services(
            &store,
            &registry,
            settings.tickets.clone(),
            clock,
            Some(interactions),
        )?;
        services.extend(problems.all);
        erasers.extend(problems.erasers);
        let mut customer_view = customer_information::view::CustomerView::new(&store);
        customer_view.register(Arc::new(ReferencingSection {
            section: "products",
            table: customer_order::inventory::INVENTORY_TABLE,
            kinds: &["Product"],
            keep: None,
            store: store.clone(),
        }));
        customer_view.register(Arc::new(ReferencingSection {
            section: "openOrders",
            table: customer_order::ordering::ORDER_TABLE,
            kinds: &["ProductOrder"],
            keep: Some(customer_order::ordering::is_open_order),
            store: store.clone(),
        }));
        customer_view.register(Arc::new(ReferencingSection {
            section: "openTickets",
            table: customer_problem::tickets::TICKET_TABLE,
            kinds: &["TroubleTicket"],
            keep: Some(customer_problem::tickets::is_open_ticket),
            store: store.clone(),
        }));
        let descriptors: Vec<_> = services.iter().map(|s| s.descriptor()).collect();
        let mut extensions = customer_information::view::operations(customers.as_ref());
        extensions.extend(customer_information::erasure::operations(
            individuals.as_ref(),
        ));
        let openapi = tmf_apis::openapi::openapi_document(
            "Telecom CRM — TM Forum Open APIs v4",
            env!("CARGO_PKG_VERSION"),
            &descriptors,
            &extensions,
        );
        let limits = QueryLimits {
            default_limit: settings.default_page_size,
            max_limit: settings.max_page_size,
            extension_filters: !settings.strict_attributes,
            ..QueryLimits::default()
        };
        let resources: Vec<_> = services.iter().map(|s| s.descriptor().clone()).collect();
        let dispatcher = crm_events::Dispatcher::new(
            store.clone(),
            settings.events.clone(),
            &resources,
            settings.public_url.clone(),
        )
        .await?;
        Ok(Self {
            store,
            services,
            dispatcher,
            limits: Arc::new(limits),
            openapi: Arc::new(serde_json::to_value(&openapi)?),
            authenticator: Arc::new(authenticator(settings)?),
            customers,
            individuals,
            erasers,
            customer_view,
            escalator: problems.escalator,
        })
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
    let links = state
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
        limits: state.limits.clone(),
        policy: Arc::new(RolePolicy),
        strict_attributes: settings.strict_attributes,
        require_if_match: settings.require_if_match,
        links: Arc::new(links),
    };
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
    router = router.merge(customer_information::erasure::routes(
        state.individuals.clone(),
        state.erasers.clone(),
        state.store.clone(),
        config.policy.clone(),
    ));
    router = router.merge(customer_information::view::routes(
        state.customers.clone(),
        state.customer_view.clone(),
        state.store.clone(),
        config.clone(),
    ));
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
