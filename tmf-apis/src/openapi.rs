//! The OpenAPI 3 document, generated from the registered resources: paths and operations
//! from the routes the generic router serves, schemas from the official TMF definitions.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use serde_json::Value;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, HeaderBuilder, InfoBuilder, OpenApi, OpenApiBuilder,
    PathItem, PathsBuilder, Ref, RefOr, Required, ResponseBuilder, Schema,
};

use crate::resource::ResourceDescriptor;

/// An operation outside the generic resource shape (a documented extension such as the
/// customer 360 view), contributed by the crate that serves it.
#[derive(Clone)]
pub struct ExtensionOperation {
    /// `GET`, `POST`...
    pub method: HttpMethod,
    /// The path, in OpenAPI syntax (`/tmf-api/.../customer/{id}/view`).
    pub path: String,
    /// The operation id.
    pub operation_id: &'static str,
    /// What it does.
    pub summary: &'static str,
    /// The API it belongs to (its base path).
    pub tag: &'static str,
    /// Whether the path has an `{id}` parameter.
    pub has_id: bool,
    /// Whether it is paged (`offset`, `limit`, count headers).
    pub paged: bool,
    /// The permission it needs: the domain and operation its handler authorises through the
    /// permission table (the security test walks every extension operation with every role).
    pub permission: (crate::Domain, crate::Operation),
}

impl ExtensionOperation {
    /// The HTTP method.
    pub fn http_method(&self) -> http::Method {
        match self.method {
            HttpMethod::Get => http::Method::GET,
            HttpMethod::Post => http::Method::POST,
            HttpMethod::Put => http::Method::PUT,
            HttpMethod::Delete => http::Method::DELETE,
            HttpMethod::Options => http::Method::OPTIONS,
            HttpMethod::Head => http::Method::HEAD,
            HttpMethod::Patch => http::Method::PATCH,
            HttpMethod::Trace => http::Method::TRACE,
        }
    }
}

impl std::fmt::Debug for ExtensionOperation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExtensionOperation")
            .field("method", &self.http_method())
            .field("path", &self.path)
            .field("operation_id", &self.operation_id)
            .field("permission", &self.permission)
            .finish_non_exhaustive()
    }
}

fn extension_operation(extension: &ExtensionOperation) -> utoipa::openapi::path::Operation {
    let mut operation = OperationBuilder::new()
        .operation_id(Some(extension.operation_id))
        .summary(Some(extension.summary))
        .tag(extension.tag);
    if extension.has_id {
        operation = operation.parameter(id_parameter());
    }
    if extension.paged {
        operation = operation
            .parameter(integer_query_parameter(
                "offset",
                "Index of the first item to return",
            ))
            .parameter(integer_query_parameter("limit", "Most items to return"));
    }
    operation
        .response(
            "200",
            ResponseBuilder::new()
                .description("Success")
                .content("application/json", json_content(ObjectBuilder::new()))
                .build(),
        )
        .responses_from(errors(&["400", "401", "403", "404", "500"]))
        .build()
}

/// Builds the OpenAPI document of the given resources and extension operations.
pub fn openapi_document(
    title: &str,
    version: &str,
    resources: &[&ResourceDescriptor],
    extensions: &[ExtensionOperation],
) -> OpenApi {
    let mut paths = PathsBuilder::new();
    for extension in extensions {
        paths = paths.path(
            extension.path.clone(),
            PathItem::new(extension.method.clone(), extension_operation(extension)),
        );
    }
    let components = SpecComponents::build(resources);
    for descriptor in resources {
        let type_name = descriptor.type_name;
        let resource_schema = components.name(descriptor, type_name);
        // A resource the specification serves read-only (TMF678's bills and rates) has no
        // `_Create`: what this server accepts on create (an extension) is the resource itself.
        let create_name = format!("{type_name}_Create");
        let has_create = descriptor
            .spec
            .pointer(&format!("/definitions/{create_name}"))
            .is_some();
        let create_schema = match has_create {
            true => components.name(descriptor, &create_name),
            false => resource_schema.clone(),
        };
        let create_summary = match has_create {
            true => format!("Creates a {type_name}"),
            false => format!(
                "Records a {type_name} (extension: the specification defines no create; the body is a {type_name})"
            ),
        };
        let update_schema = components.name(descriptor, &format!("{type_name}_Update"));
        paths = paths
            .path(
                descriptor.collection_path(),
                PathItem::new(
                    HttpMethod::Get,
                    list_operation(descriptor, &resource_schema),
                ),
            )
            .path(
                descriptor.item_path(),
                PathItem::new(
                    HttpMethod::Get,
                    OperationBuilder::new()
                        .operation_id(Some(format!("retrieve{type_name}")))
                        .summary(Some(format!("Retrieves a {type_name} by id")))
                        .tag(descriptor.base_path)
                        .parameter(id_parameter())
                        .parameter(query_parameter(
                            "fields",
                            "Attributes to return, comma-separated",
                        ))
                        .parameter(header_parameter(
                            "If-None-Match",
                            "Entity tags of copies the client holds: 304 when one is current",
                        ))
                        .response("200", versioned_response(&resource_schema, "Success"))
                        .response("304", not_modified())
                        .responses_from(errors(&["400", "401", "403", "404", "500"])),
                ),
            )
            .path(
                descriptor.history_path(),
                PathItem::new(HttpMethod::Get, history_operation(descriptor)),
            );
        if descriptor.methods.create {
            paths = paths.path(
                descriptor.collection_path(),
                PathItem::new(
                    HttpMethod::Post,
                    OperationBuilder::new()
                        .operation_id(Some(format!("create{type_name}")))
                        .summary(Some(create_summary))
                        .tag(descriptor.base_path)
                        .request_body(Some(json_request_body(&create_schema)))
                        .response("201", versioned_response(&resource_schema, "Created"))
                        .responses_from(errors(&["400", "401", "403", "415", "422", "500"])),
                ),
            );
        }
        if descriptor.methods.patch {
            paths = paths.path(
                descriptor.item_path(),
                PathItem::new(
                    HttpMethod::Patch,
                    patch_operation(
                        type_name,
                        &resource_schema,
                        &update_schema,
                        descriptor.base_path,
                    ),
                ),
            );
        }
        if descriptor.methods.put {
            paths = paths.path(
                descriptor.item_path(),
                PathItem::new(
                    HttpMethod::Put,
                    OperationBuilder::new()
                        .operation_id(Some(format!("update{type_name}")))
                        .summary(Some(format!("Replaces a {type_name}")))
                        .tag(descriptor.base_path)
                        .parameter(id_parameter())
                        .parameter(if_match_parameter())
                        .request_body(Some(json_request_body(&update_schema)))
                        .response("200", versioned_response(&resource_schema, "Replaced"))
                        .responses_from(errors(&[
                            "400", "401", "403", "404", "409", "412", "415", "422", "428", "500",
                        ])),
                ),
            );
        }
        if descriptor.methods.delete {
            paths = paths.path(
                descriptor.item_path(),
                PathItem::new(
                    HttpMethod::Delete,
                    OperationBuilder::new()
                        .operation_id(Some(format!("delete{type_name}")))
                        .summary(Some(format!("Deletes a {type_name}")))
                        .tag(descriptor.base_path)
                        .parameter(id_parameter())
                        .parameter(if_match_parameter())
                        .response("204", ResponseBuilder::new().description("Deleted").build())
                        .responses_from(errors(&["401", "403", "404", "409", "412", "428", "500"])),
                ),
            );
        }
    }
    let mut apis: Vec<&ResourceDescriptor> = Vec::new();
    for descriptor in resources {
        if !apis.iter().any(|d| d.base_path == descriptor.base_path) {
            apis.push(descriptor);
        }
    }
    for descriptor in apis {
        paths = hub_paths(paths, descriptor, &components);
    }
    let schemas = components.schemas;
    let mut components = ComponentsBuilder::new().security_scheme(
        "bearerAuth",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .build(),
        ),
    );
    for (name, schema) in schemas {
        components = components.schema(name, schema);
    }
    OpenApiBuilder::new()
        .info(InfoBuilder::new().title(title).version(version).build())
        .paths(paths.build())
        .components(Some(components.build()))
        .security(Some(vec![SecurityRequirement::new(
            "bearerAuth",
            Vec::<String>::new(),
        )]))
        .build()
}

/// The hub of one API: register, retrieve and unregister a listener (TMF630), plus the
/// documented extensions listing a subscription's deliveries and redelivering dead letters.
fn hub_paths(
    paths: PathsBuilder,
    descriptor: &ResourceDescriptor,
    components: &SpecComponents,
) -> PathsBuilder {
    let api = descriptor.api_name();
    let hub = format!("{}hub", descriptor.base_path);
    let item = format!("{hub}/{{id}}");
    let subscription = components.name(descriptor, "EventSubscription");
    let input = components.name(descriptor, "EventSubscriptionInput");
    let operation = |id: String, summary: &str| {
        OperationBuilder::new()
            .operation_id(Some(id))
            .summary(Some(summary.to_owned()))
            .tag(descriptor.base_path)
    };
    paths
        .path(
            hub.clone(),
            PathItem::new(
                HttpMethod::Post,
                operation(format!("{api}RegisterListener"), "Registers a listener (callback and query); the integration and admin roles may")
                    .request_body(Some(json_request_body(&input)))
                    .response("201", resource_response(&subscription, "Subscribed"))
                    .responses_from(errors(&["400", "401", "403", "415", "500"])),
            ),
        )
        .path(
            item.clone(),
            PathItem::new(
                HttpMethod::Get,
                operation(format!("{api}RetrieveListener"), "Retrieves a listener's subscription")
                    .parameter(id_parameter())
                    .response("200", resource_response(&subscription, "Success"))
                    .responses_from(errors(&["401", "403", "404", "500"])),
            ),
        )
        .path(
            item.clone(),
            PathItem::new(
                HttpMethod::Delete,
                operation(format!("{api}UnregisterListener"), "Unregisters a listener; its undelivered events are dropped")
                    .parameter(id_parameter())
                    .response("204", ResponseBuilder::new().description("Deleted").build())
                    .responses_from(errors(&["401", "403", "404", "500"])),
            ),
        )
        .path(
            format!("{item}/delivery"),
            PathItem::new(
                HttpMethod::Get,
                operation(format!("{api}ListDeliveries"), "Extension: the subscription's recent deliveries and failures, newest first (filter by status: pending, delivered, dead)")
                    .parameter(id_parameter())
                    .parameter(query_parameter("status", "pending, delivered or dead"))
                    .parameter(integer_query_parameter("offset", "Index of the first item to return"))
                    .parameter(integer_query_parameter("limit", "Most items to return"))
                    .response(
                        "200",
                        ResponseBuilder::new()
                            .description("Success")
                            .content("application/json", json_content(ObjectBuilder::new()))
                            .build(),
                    )
                    .responses_from(errors(&["400", "401", "403", "404", "500"])),
            ),
        )
        .path(
            format!("{item}/redeliver"),
            PathItem::new(
                HttpMethod::Post,
                operation(format!("{api}Redeliver"), "Extension: delivers the subscription's dead-lettered events again (all, or those named by eventId=)")
                    .parameter(id_parameter())
                    .parameter(query_parameter("eventId", "Event ids, comma-separated"))
                    .response(
                        "200",
                        ResponseBuilder::new()
                            .description("How many deliveries were scheduled again")
                            .content("application/json", json_content(ObjectBuilder::new()))
                            .build(),
                    )
                    .responses_from(errors(&["400", "401", "403", "404", "500"])),
            ),
        )
}

trait ResponsesFrom {
    fn responses_from(self, responses: Vec<(&'static str, utoipa::openapi::Response)>) -> Self;
}

impl ResponsesFrom for OperationBuilder {
    fn responses_from(self, responses: Vec<(&'static str, utoipa::openapi::Response)>) -> Self {
        responses
            .into_iter()
            .fold(self, |op, (status, response)| op.response(status, response))
    }
}

/// `application/json` content of a schema.
fn json_content(schema: impl Into<RefOr<Schema>>) -> utoipa::openapi::content::Content {
    ContentBuilder::new().schema(Some(schema)).build()
}

/// A required JSON request body of the named schema.
fn json_request_body(schema_name: &str) -> utoipa::openapi::request_body::RequestBody {
    RequestBodyBuilder::new()
        .required(Some(Required::True))
        .content("application/json", json_content(schema_ref(schema_name)))
        .build()
}

fn schema_ref(name: &str) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

fn resource_response(schema_name: &str, description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", json_content(schema_ref(schema_name)))
        .build()
}

/// A resource response with the strong `ETag` of the version it shows.
fn versioned_response(schema_name: &str, description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .header(
            "ETag",
            HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .description(Some(
                    "The stored version of the resource (strong, `\"v3\"`)",
                ))
                .build(),
        )
        .content("application/json", json_content(schema_ref(schema_name)))
        .build()
}

/// The 304 of a retrieve whose `If-None-Match` names the current version.
fn not_modified() -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description("Not modified: the copy the client holds is current")
        .build()
}

/// An optional request header.
fn header_parameter(name: &str, description: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build()
}

/// `If-Match` of a write (412 when it names another version; 428 without it when the server
/// requires it).
fn if_match_parameter() -> utoipa::openapi::path::Parameter {
    header_parameter(
        "If-Match",
        "Entity tag of the version the change applies to (412 otherwise); `*`: any",
    )
}

fn errors(statuses: &[&'static str]) -> Vec<(&'static str, utoipa::openapi::Response)> {
    statuses
        .iter()
        .map(|status| {
            (
                *status,
                ResponseBuilder::new()
                    .description("Error")
                    .content("application/json", json_content(schema_ref("Error")))
                    .build(),
            )
        })
        .collect()
}

fn id_parameter() -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name("id")
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some("Identifier of the resource"))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build()
}

fn query_parameter(name: &str, description: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build()
}

fn integer_query_parameter(name: &str, description: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0)),
        ))
        .build()
}

fn list_operation(
    descriptor: &ResourceDescriptor,
    resource_schema: &str,
) -> utoipa::openapi::path::Operation {
    let type_name = descriptor.type_name;
    let count_header = |description: &str| {
        HeaderBuilder::new()
            .schema(Some(ObjectBuilder::new().schema_type(Type::Integer)))
            .description(Some(description))
            .build()
    };
    OperationBuilder::new()
        .operation_id(Some(format!("list{type_name}")))
        .summary(Some(format!(
            "Lists or finds {type_name} objects; any attribute can be a filter (attr=value, attr.gt=, .gte, .lt, .lte, .ne, .regex; comma for OR)"
        )))
        .tag(descriptor.base_path)
        .parameter(query_parameter("fields", "Attributes to return, comma-separated"))
        .parameter(integer_query_parameter("offset", "Index of the first item to return"))
        .parameter(integer_query_parameter("limit", "Most items to return"))
        .parameter(query_parameter("sort", "Attributes to order by, comma-separated; '-' for descending"))
        .response(
            "200",
            ResponseBuilder::new()
                .description("Success")
                .header("X-Total-Count", count_header("Number of matching items"))
                .header("X-Result-Count", count_header("Number of items in this response"))
                .content("application/json", json_content(ArrayBuilder::new().items(schema_ref(resource_schema))))
                .build(),
        )
        .responses_from(errors(&["400", "401", "403", "500"]))
        .build()
}

fn history_operation(descriptor: &ResourceDescriptor) -> utoipa::openapi::path::Operation {
    let type_name = descriptor.type_name;
    OperationBuilder::new()
        .operation_id(Some(format!("history{type_name}")))
        .summary(Some(format!(
            "Change history of a {type_name}, newest first (extension: who, when, what changed, why); kept after deletion"
        )))
        .tag(descriptor.base_path)
        .parameter(id_parameter())
        .parameter(integer_query_parameter("offset", "Index of the first entry to return"))
        .parameter(integer_query_parameter("limit", "Most entries to return"))
        .response(
            "200",
            ResponseBuilder::new()
                .description("History entries")
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(
                            ArrayBuilder::new()
                                .items(ObjectBuilder::new().schema_type(Type::Object)),
                        ))
                        .build(),
                )
                .build(),
        )
        .responses_from(errors(&["400", "401", "403", "404", "500"]))
        .build()
}

fn patch_operation(
    type_name: &str,
    resource_schema: &str,
    update_schema: &str,
    tag: &str,
) -> utoipa::openapi::path::Operation {
    let update = || {
        ContentBuilder::new()
            .schema(Some(schema_ref(update_schema)))
            .build()
    };
    OperationBuilder::new()
        .operation_id(Some(format!("patch{type_name}")))
        .summary(Some(format!(
            "Updates a {type_name} partially (merge patch or JSON Patch)"
        )))
        .tag(tag)
        .parameter(id_parameter())
        .parameter(if_match_parameter())
        .request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content("application/merge-patch+json", update())
                .content("application/json", update())
                .content(
                    "application/json-patch+json",
                    ContentBuilder::new()
                        .schema(Some(
                            ArrayBuilder::new()
                                .items(ObjectBuilder::new().schema_type(Type::Object)),
                        ))
                        .build(),
                )
                .build(),
        ))
        .response("200", versioned_response(resource_schema, "Updated"))
        .responses_from(errors(&[
            "400", "401", "403", "404", "409", "412", "415", "422", "428", "500",
        ]))
        .build()
}

/// The component schemas of every spec behind the resources. Specs share definition names
/// (`ContactMedium`, `RelatedParty`, ...) that do not always mean the same thing (TMF629's
/// `ContactMedium` requires what TMF632's does not): a name is shared only when the
/// definitions agree, transitively; otherwise the later spec's schema is published as
/// `{Name}_{api}` and its references are rewritten to match.
struct SpecComponents {
    schemas: BTreeMap<String, RefOr<Schema>>,
    renames: Vec<(*const Value, HashMap<String, String>)>,
}

impl SpecComponents {
    fn build(resources: &[&ResourceDescriptor]) -> Self {
        let mut specs: Vec<&Arc<Value>> = Vec::new();
        for descriptor in resources {
            if !specs.iter().any(|s| Arc::ptr_eq(s, &descriptor.spec)) {
                specs.push(&descriptor.spec);
            }
        }
        let empty = serde_json::Map::new();
        let mut owners: HashMap<String, &Value> = HashMap::new();
        let mut renames = Vec::new();
        let mut schemas = BTreeMap::new();
        for spec in specs {
            let definitions = spec
                .get("definitions")
                .and_then(Value::as_object)
                .unwrap_or(&empty);
            // Names whose definition differs from the one already published...
            let mut conflicted: HashSet<&str> = definitions
                .iter()
                .filter(|(name, definition)| {
                    owners
                        .get(name.as_str())
                        .is_some_and(|owner| owner != definition)
                })
                .map(|(name, _)| name.as_str())
                .collect();
            // ...and, transitively, names that refer to one of them.
            loop {
                let before = conflicted.len();
                for (name, definition) in definitions {
                    if owners.contains_key(name) && !conflicted.contains(name.as_str()) {
                        let mut refs = Vec::new();
                        collect_refs(definition, &mut refs);
                        if refs.iter().any(|r| conflicted.contains(r.as_str())) {
                            conflicted.insert(name.as_str());
                        }
                    }
                }
                if conflicted.len() == before {
                    break;
                }
            }
            let tag = api_tag(spec);
            let map: HashMap<String, String> = conflicted
                .iter()
                .map(|name| ((*name).to_owned(), format!("{name}_{tag}")))
                .collect();
            for (name, definition) in definitions {
                let published = map.get(name).cloned().unwrap_or_else(|| name.clone());
                if schemas.contains_key(&published) {
                    continue;
                }
                owners.entry(name.clone()).or_insert(definition);
                if let Some(schema) = to_schema(name, definition, &map) {
                    schemas.insert(published, schema);
                }
            }
            renames.push((Arc::as_ptr(spec), map));
        }
        Self { schemas, renames }
    }

    /// The published name of `name` as the descriptor's spec defines it.
    fn name(&self, descriptor: &ResourceDescriptor, name: &str) -> String {
        self.renames
            .iter()
            .find(|(spec, _)| *spec == Arc::as_ptr(&descriptor.spec))
            .and_then(|(_, map)| map.get(name).cloned())
            .unwrap_or_else(|| name.to_owned())
    }
}

/// A short name for a spec's API, from its base path (`/tmf-api/customerManagement/v4/`).
fn api_tag(spec: &Value) -> String {
    spec.get("basePath")
        .and_then(Value::as_str)
        .and_then(|path| path.trim_matches('/').split('/').nth(1))
        .unwrap_or("api")
        .to_owned()
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                out.push(reference.trim_start_matches("#/definitions/").to_owned());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

fn to_schema(
    name: &str,
    definition: &Value,
    renames: &HashMap<String, String>,
) -> Option<RefOr<Schema>> {
    let converted = to_openapi3(definition.clone(), renames);
    match serde_json::from_value::<RefOr<Schema>>(converted) {
        Ok(schema) => Some(schema),
        // A definition that constrains nothing (TMF's `Any`): any value.
        Err(_) if definition.get("type").is_none() && definition.get("properties").is_none() => {
            Some(RefOr::T(Schema::Object(ObjectBuilder::new().build())))
        }
        Err(error) => {
            tracing::warn!(definition = %name, %error, "spec definition not representable");
            None
        }
    }
}

/// Rewrites `#/definitions/` references (applying renames) and drops Swagger-2-only keywords.
fn to_openapi3(mut value: Value, renames: &HashMap<String, String>) -> Value {
    match &mut value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("$ref") {
                let target = reference.trim_start_matches("#/definitions/");
                let target = renames.get(target).map(String::as_str).unwrap_or(target);
                *reference = format!("#/components/schemas/{target}");
                // In OpenAPI 3.0 a $ref replaces its siblings.
                map.retain(|k, _| k == "$ref");
                return value;
            }
            if matches!(map.get("discriminator"), Some(Value::String(_))) {
                map.remove("discriminator");
            }
            for (_, child) in map.iter_mut() {
                *child = to_openapi3(child.take(), renames);
            }
        }
        Value::Array(items) => {
            for item in items.iter_mut() {
                *item = to_openapi3(item.take(), renames);
            }
        }
        _ => {}
    }
    value
}
