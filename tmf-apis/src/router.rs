//! The generic resource router: every TMF resource gets list, create, retrieve, patch and
//! delete with the same status codes, headers and error bodies, from one implementation.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::Value;

use crate::access::{AccessPolicy, IfMatch, Operation, RequestContext, entity_tag};
use crate::body::{RawBody, media_type, parse_json, require_json};
use crate::error::{ErrorCode, TmfError, TmfResult};
use crate::patch::PatchDocument;
use crate::projection::project;
use crate::query::{ListQuery, QueryLimits};
use crate::resource::{ResourceDescriptor, ResourceService, Versioned};

/// `X-Total-Count`: how many resources match the filter.
pub static X_TOTAL_COUNT: HeaderName = HeaderName::from_static("x-total-count");
/// `X-Result-Count`: how many resources this response holds.
pub static X_RESULT_COUNT: HeaderName = HeaderName::from_static("x-result-count");

/// The public base URL (`scheme://host[:port]`) that `href`s and `Location` start with.
///
/// Installed as a request extension by the server when configured; otherwise derived from
/// the request's `X-Forwarded-Proto`/`X-Forwarded-Host`/`Host` headers.
#[derive(Debug, Clone)]
pub struct PublicBaseUrl(pub Arc<str>);

/// What every resource router shares: query limits and the access policy.
#[derive(Clone)]
pub struct RouterConfig {
    /// Query cost limits.
    pub limits: Arc<QueryLimits>,
    /// Who may do what.
    pub policy: Arc<dyn AccessPolicy>,
    /// Whether bodies are read with extension attributes refused (`strict_attributes`).
    pub strict_attributes: bool,
    /// Whether `PATCH` and `DELETE` need `If-Match` (428 without: `require_if_match`).
    pub require_if_match: bool,
    /// The collection path of every resource type served (`Individual` →
    /// `/tmf-api/party/v4/individual`): the `href` of a reference to one is derived from it.
    pub links: Arc<BTreeMap<String, String>>,
}

impl std::fmt::Debug for RouterConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouterConfig")
            .field("limits", &self.limits)
            .field("strict_attributes", &self.strict_attributes)
            .field("require_if_match", &self.require_if_match)
            .field("links", &self.links.len())
            .finish_non_exhaustive()
    }
}

/// A path parameter, extracted as axum's `Path` extracts it (the handlers here take it
/// under that name), refused as a TMF Error: a path whose parameter is not UTF-8 once
/// percent-decoded (`/individual/%FF%FE`) is a 400 `INVALID_PATH` naming the path.
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = TmfError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Self(value)),
            Err(rejection) if rejection.status().is_server_error() => {
                Err(TmfError::internal(rejection.body_text()))
            }
            Err(rejection) => Err(invalid_path(parts.uri.path(), &rejection.body_text())),
        }
    }
}

/// 400 `INVALID_PATH` naming `path` (as sent, percent-encoded); `detail` says why when the
/// path is not simply undecodable.
pub fn invalid_path(path: &str, detail: &str) -> TmfError {
    let shown: String = path.chars().take(256).collect();
    if String::from_utf8(crate::query::percent_decode(path, false)).is_err() {
        TmfError::new(
            ErrorCode::InvalidPath,
            format!("the path '{shown}' is not valid UTF-8 once percent-decoded"),
        )
    } else {
        TmfError::new(
            ErrorCode::InvalidPath,
            format!("the path '{shown}' cannot be read: {detail}"),
        )
    }
}

#[derive(Clone)]
struct ResourceState {
    service: Arc<dyn ResourceService>,
    config: RouterConfig,
}

impl ResourceState {
    fn authorize(&self, request: &Request, operation: Operation) -> TmfResult<RequestContext> {
        let mut ctx = RequestContext::authorize(
            request,
            self.config.policy.as_ref(),
            self.service.descriptor(),
            operation,
        )?;
        ctx.strict_attributes = self.config.strict_attributes;
        Ok(ctx)
    }
}

/// The routes of one resource: the collection, the item, and the item's history.
pub fn resource_routes(service: Arc<dyn ResourceService>, config: RouterConfig) -> Router {
    let descriptor = service.descriptor();
    let collection = descriptor.collection_path();
    let item = descriptor.item_path();
    let history_path = descriptor.history_path();
    let mut item_methods = get(retrieve);
    if descriptor.methods.patch {
        item_methods = item_methods.patch(patch);
    }
    if descriptor.methods.delete {
        item_methods = item_methods.delete(delete);
    }
    if descriptor.methods.put {
        item_methods = item_methods.put(put);
    }
    let mut collection_methods = get(list);
    if descriptor.methods.create {
        collection_methods = collection_methods.post(create);
    }
    Router::new()
        .route(&collection, collection_methods)
        .route(&item, item_methods)
        .route(&history_path, get(history))
        .with_state(ResourceState { service, config })
}

fn base_url(request_headers: &HeaderMap, configured: Option<&PublicBaseUrl>) -> String {
    if let Some(PublicBaseUrl(url)) = configured {
        return url.trim_end_matches('/').to_owned();
    }
    let header = |name: &str| {
        request_headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(',').next().unwrap_or(v).trim().to_owned())
            .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_graphic()))
    };
    let scheme = header("x-forwarded-proto")
        .filter(|s| s == "http" || s == "https")
        .unwrap_or_else(|| "http".to_owned());
    let host = header("x-forwarded-host")
        .or_else(|| header("host"))
        .unwrap_or_else(|| "localhost".to_owned());
    format!("{scheme}://{host}")
}

/// The public base URL (`scheme://host[:port]`) for links in the response to `request`:
/// the configured [`PublicBaseUrl`], else the forwarded or `Host` headers.
pub fn request_base_url(request: &Request) -> String {
    base_url(
        request.headers(),
        request.extensions().get::<PublicBaseUrl>(),
    )
}

/// Sets `href` on a document from the base URL and the document's id, and on every reference
/// inside it to a served type (`links`).
pub fn with_href(
    (descriptor, links): (&ResourceDescriptor, &BTreeMap<String, String>),
    base: &str,
    mut document: Value,
) -> Value {
    if let Value::Object(map) = &mut document {
        for value in map.values_mut() {
            link_references(value, links, base);
        }
    }
    if let Some(id) = document.get("id").and_then(Value::as_str) {
        let href = format!("{base}{}/{id}", descriptor.collection_path());
        if let Value::Object(map) = &mut document {
            map.insert("href".to_owned(), Value::String(href));
        }
    }
    document
}

/// Gives every reference inside `value` to a served type (an object with `id` and an
/// `@referredType` in `links`) that has no `href` one, derived like a resource's own. The
/// server drops the `href` of every reference it checks, so those are always derived; an
/// `href` a client gave to a reference the server keeps as given stays as it was.
pub fn link_references(value: &mut Value, links: &BTreeMap<String, String>, base: &str) {
    match value {
        Value::Object(map) => {
            let target = match (map.get("id"), map.get("@referredType")) {
                _ if map.contains_key("href") => None,
                (Some(Value::String(id)), Some(Value::String(kind))) => {
                    links.get(kind).map(|path| format!("{base}{path}/{id}"))
                }
                _ => None,
            };
            if let Some(href) = target {
                map.insert("href".to_owned(), Value::String(href));
            }
            for inner in map.values_mut() {
                link_references(inner, links, base);
            }
        }
        Value::Array(items) => {
            for item in items {
                link_references(item, links, base);
            }
        }
        _ => {}
    }
}

struct RequestBase {
    url: String,
}

impl RequestBase {
    fn from_parts(headers: &HeaderMap, request: &Request) -> Self {
        Self {
            url: base_url(headers, request.extensions().get::<PublicBaseUrl>()),
        }
    }
}

/// The partial representation `fields=` asks for, which keeps the attributes the resource's
/// schema requires too, so that a partial representation is still a valid one.
fn projection(descriptor: &ResourceDescriptor, document: &Value, fields: &[String]) -> Value {
    let mut selected = fields.to_vec();
    selected.extend(descriptor.required_attributes());
    project(document, &selected)
}

fn fields_only(raw_query: Option<&str>) -> TmfResult<Option<Vec<String>>> {
    let Some(raw) = raw_query else {
        return Ok(None);
    };
    let fields: Vec<String> = crate::query::decode_pairs(raw)?
        .into_iter()
        .filter(|(k, _)| k == "fields")
        .flat_map(|(_, v)| {
            v.split(',')
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    Ok((!fields.is_empty()).then_some(fields))
}

/// A 200 list response: the items as a JSON array, with `X-Total-Count` (all that match)
/// and `X-Result-Count` (how many this response holds).
pub fn list_response(items: Vec<Value>, total: u64) -> Response {
    let result_count = items.len() as u64;
    (
        StatusCode::OK,
        [
            (X_TOTAL_COUNT.clone(), HeaderValue::from(total)),
            (X_RESULT_COUNT.clone(), HeaderValue::from(result_count)),
        ],
        Json(items),
    )
        .into_response()
}

async fn list(
    State(state): State<ResourceState>,
    RawQuery(raw_query): RawQuery,
    request: Request,
) -> TmfResult<Response> {
    let ctx = state.authorize(&request, Operation::Read)?;
    let base = RequestBase::from_parts(request.headers(), &request);
    let descriptor = state.service.descriptor();
    let query = ListQuery::parse(
        raw_query.as_deref(),
        &descriptor.catalog,
        &state.config.limits,
    )?;
    let page = state.service.list(&ctx, &query).await?;
    let items: Vec<Value> = page
        .items
        .into_iter()
        .map(|doc| {
            let doc = with_href((descriptor, &state.config.links), &base.url, doc);
            match &query.fields {
                Some(fields) => projection(descriptor, &doc, fields),
                None => doc,
            }
        })
        .collect();
    Ok(list_response(items, page.total))
}

async fn create(State(state): State<ResourceState>, request: Request) -> TmfResult<Response> {
    let ctx = state.authorize(&request, Operation::Create)?;
    let base = RequestBase::from_parts(request.headers(), &request);
    require_json(request.headers())?;
    let RawBody(bytes) = RawBody::from_request(request, &()).await?;
    let body = parse_json(&bytes)?;
    if !body.is_object() {
        return Err(TmfError::invalid_body(
            "the request body must be a JSON object",
        ));
    }
    let descriptor = state.service.descriptor();
    let Versioned {
        document,
        version,
        replayed,
    } = state.service.create_versioned(&ctx, body).await?;
    let created = with_href((descriptor, &state.config.links), &base.url, document);
    let location = created
        .get("href")
        .and_then(Value::as_str)
        .and_then(|h| HeaderValue::from_str(h).ok());
    // A retry of a create that is already stored is answered with it, as a read: 200.
    let status = match replayed {
        true => StatusCode::OK,
        false => StatusCode::CREATED,
    };
    let mut response = (status, Json(created)).into_response();
    if let Some(location) = location {
        response.headers_mut().insert(header::LOCATION, location);
    }
    with_etag(&mut response, version);
    Ok(response)
}

/// Sets the strong `ETag` of a document stored at `version`.
fn with_etag(response: &mut Response, version: Option<i64>) {
    if let Some(tag) = version.and_then(|v| HeaderValue::from_str(&entity_tag(v)).ok()) {
        response.headers_mut().insert(header::ETAG, tag);
    }
}

/// The `If-Match` precondition of a write; a 428 when the server requires one and there is
/// none, a 400 when the header is not text.
fn if_match(state: &ResourceState, headers: &HeaderMap) -> TmfResult<IfMatch> {
    let values: Vec<&HeaderValue> = headers.get_all(header::IF_MATCH).iter().collect();
    if values.is_empty() {
        if state.config.require_if_match {
            return Err(TmfError::new(
                ErrorCode::PreconditionRequired,
                "this server requires If-Match on PATCH and DELETE: send the ETag of the \
                 version the change is based on",
            ));
        }
        return Ok(IfMatch::Absent);
    }
    let mut text = Vec::with_capacity(values.len());
    for value in values {
        text.push(value.to_str().map_err(|_| {
            TmfError::new(ErrorCode::InvalidBody, "the If-Match header is not text")
        })?);
    }
    Ok(IfMatch::parse(&text.join(",")))
}

async fn retrieve(
    State(state): State<ResourceState>,
    Path(id): Path<String>,
    RawQuery(raw_query): RawQuery,
    request: Request,
) -> TmfResult<Response> {
    let ctx = state.authorize(&request, Operation::Read)?;
    let base = RequestBase::from_parts(request.headers(), &request);
    let descriptor = state.service.descriptor();
    let Versioned {
        document, version, ..
    } = state.service.retrieve_versioned(&ctx, &id).await?;
    if let Some(version) = version
        && none_match(request.headers(), &entity_tag(version))
    {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        with_etag(&mut response, Some(version));
        return Ok(response);
    }
    let document = with_href((descriptor, &state.config.links), &base.url, document);
    let mut response = Json(match fields_only(raw_query.as_deref())? {
        Some(fields) => projection(descriptor, &document, &fields),
        None => document,
    })
    .into_response();
    with_etag(&mut response, version);
    Ok(response)
}

/// Whether `If-None-Match` names `current` (or is `*`): the client's copy is current.
/// Compared weakly, as RFC 9110 §13.1.2 says.
fn none_match(headers: &HeaderMap, current: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == "*" || tag == current)
}

async fn patch(
    State(state): State<ResourceState>,
    Path(id): Path<String>,
    request: Request,
) -> TmfResult<Response> {
    let mut ctx = state.authorize(&request, Operation::Update)?;
    ctx.if_match = if_match(&state, request.headers())?;
    let base = RequestBase::from_parts(request.headers(), &request);
    let media = media_type(request.headers()).ok_or_else(|| {
        TmfError::new(
            ErrorCode::UnsupportedMediaType,
            "PATCH needs a Content-Type: application/merge-patch+json, application/json-patch+json or application/json",
        )
    })?;
    let RawBody(bytes) = RawBody::from_request(request, &()).await?;
    let patch = PatchDocument::parse(&media, &bytes)?;
    patched(&state, &ctx, &id, &base, patch).await
}

/// Applies `patch` to the resource `id` and answers with the resource as changed, its `href`
/// and its `ETag` (`PATCH`, and `PUT` as the patch that replaces the document).
async fn patched(
    state: &ResourceState,
    ctx: &RequestContext,
    id: &str,
    base: &RequestBase,
    patch: PatchDocument,
) -> TmfResult<Response> {
    let descriptor = state.service.descriptor();
    let Versioned {
        document, version, ..
    } = state.service.patch_versioned(ctx, id, patch).await?;
    let mut response = Json(with_href(
        (descriptor, &state.config.links),
        &base.url,
        document,
    ))
    .into_response();
    with_etag(&mut response, version);
    Ok(response)
}

/// `PUT {item}`: the body replaces the resource (its `id` and `href` stay the server's). It is
/// judged as the JSON Patch that replaces the whole document, so every rule of a patch holds
/// (the attributes only the server writes must be sent as stored).
async fn put(
    State(state): State<ResourceState>,
    Path(id): Path<String>,
    request: Request,
) -> TmfResult<Response> {
    let mut ctx = state.authorize(&request, Operation::Update)?;
    ctx.if_match = if_match(&state, request.headers())?;
    let base = RequestBase::from_parts(request.headers(), &request);
    let json = media_type(request.headers()).is_some_and(|media| media == "application/json");
    if !json {
        return Err(TmfError::new(
            ErrorCode::UnsupportedMediaType,
            "PUT needs a Content-Type: application/json",
        ));
    }
    let RawBody(bytes) = RawBody::from_request(request, &()).await?;
    let mut body = crate::body::parse_json(&bytes)?;
    let Some(map) = body.as_object_mut() else {
        return Err(TmfError::invalid_body("a PUT body is a JSON object"));
    };
    for owned in ["id", "href"] {
        if map.contains_key(owned) {
            return Err(TmfError::invalid_value(format!(
                "'{owned}' is set by the server"
            )));
        }
    }
    map.insert("id".into(), Value::String(id.clone()));
    patched(&state, &ctx, &id, &base, PatchDocument::replacement(body)).await
}

async fn delete(
    State(state): State<ResourceState>,
    Path(id): Path<String>,
    request: Request,
) -> TmfResult<StatusCode> {
    let mut ctx = state.authorize(&request, Operation::Delete)?;
    ctx.if_match = if_match(&state, request.headers())?;
    state.service.delete(&ctx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET {resource}/{id}/history`: who changed what, newest first, paged.
async fn history(
    State(state): State<ResourceState>,
    Path(id): Path<String>,
    RawQuery(raw_query): RawQuery,
    request: Request,
) -> TmfResult<Response> {
    let ctx = state.authorize(&request, Operation::Read)?;
    let paging = ListQuery::parse(
        paging_only(raw_query.as_deref())?.as_deref(),
        &crate::catalog::FieldCatalog::default(),
        &state.config.limits,
    )?;
    let page = state
        .service
        .history(&ctx, &id, paging.offset, paging.limit)
        .await?;
    Ok(list_response(page.items, page.total))
}

/// Keeps only `offset` and `limit` of a query string.
fn paging_only(raw_query: Option<&str>) -> TmfResult<Option<String>> {
    let Some(raw) = raw_query else {
        return Ok(None);
    };
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (key, value) in crate::query::decode_pairs(raw)? {
        if key == "offset" || key == "limit" {
            out.append_pair(&key, &value);
        }
    }
    Ok(Some(out.finish()))
}

/// The fallback for paths no API serves: a TMF 404.
pub async fn unknown_route(request: Request) -> TmfError {
    TmfError::new(
        ErrorCode::NotFound,
        format!("no resource is served at '{}'", request.uri().path()),
    )
}

/// Middleware that gives a TMF Error body to error responses produced outside our
/// handlers (405 from the method router, 413 from body limits, 408/503 from timeouts, 400
/// from axum's own `Path` on a path that is not UTF-8, 431), keeping their headers (such as
/// `Allow`).
pub async fn tmf_error_bodies(uri: axum::http::Uri, response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let error = match status {
        StatusCode::METHOD_NOT_ALLOWED => TmfError::new(
            ErrorCode::MethodNotAllowed,
            "this method is not allowed on this path",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => TmfError::new(
            ErrorCode::PayloadTooLarge,
            "the request body exceeds the size limit",
        ),
        StatusCode::REQUEST_TIMEOUT
        | StatusCode::SERVICE_UNAVAILABLE
        | StatusCode::GATEWAY_TIMEOUT => {
            TmfError::new(ErrorCode::Timeout, "the request did not complete in time")
        }
        StatusCode::NOT_FOUND => TmfError::new(ErrorCode::NotFound, "not found"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            TmfError::new(ErrorCode::UnsupportedMediaType, "unsupported media type")
        }
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => TmfError::new(
            ErrorCode::HeadersTooLarge,
            "the request headers exceed the size limit",
        ),
        // The other crates' routes read their parameters with axum's `Path`, whose
        // refusal is plain text.
        StatusCode::BAD_REQUEST
            if String::from_utf8(crate::query::percent_decode(uri.path(), false)).is_err() =>
        {
            invalid_path(uri.path(), "")
        }
        s if s.is_client_error() => {
            TmfError::invalid_body(s.canonical_reason().unwrap_or("bad request").to_owned())
        }
        _ => TmfError::new(
            ErrorCode::Internal,
            "the server failed to process the request",
        ),
    };
    let mut body = error.body();
    body.status = status.as_u16().to_string();
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Json(body).into_response().into_body())
}
