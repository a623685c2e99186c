//! The OpenAPI 3 document, generated from the registered resources: paths and operations
//! from the routes the generic router serves, schemas from the official TMF definitions.

use std::collections::BTreeMap;

use serde_json::Value;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, HeaderBuilder, InfoBuilder, OpenApi, OpenApiBuilder,
    PathItem, PathsBuilder, Ref, RefOr, Required, ResponseBuilder, Schema,
};

use crate::resource::ResourceDescriptor;

/// Builds the OpenAPI document of the given resources.
pub fn openapi_document(title: &str, version: &str, resources: &[&ResourceDescriptor]) -> OpenApi {
    let mut paths = PathsBuilder::new();
    let mut schemas: BTreeMap<String, RefOr<Schema>> = BTreeMap::new();
    for descriptor in resources {
        for (name, schema) in spec_schemas(&descriptor.spec) {
            schemas.entry(name).or_insert(schema);
        }
        let type_name = descriptor.type_name;
        paths = paths
            .path(
                descriptor.collection_path(),
                PathItem::new(HttpMethod::Get, list_operation(descriptor)),
            )
            .path(
                descriptor.collection_path(),
                PathItem::new(
                    HttpMethod::Post,
                    OperationBuilder::new()
                        .operation_id(Some(format!("create{type_name}")))
                        .summary(Some(format!("Creates a {type_name}")))
                        .tag(descriptor.base_path)
                        .request_body(Some(
                            RequestBodyBuilder::new()
                                .required(Some(Required::True))
                                .content(
                                    "application/json",
                                    ContentBuilder::new()
                                        .schema(Some(schema_ref(&format!("{type_name}_Create"))))
                                        .build(),
                                )
                                .build(),
                        ))
                        .response("201", resource_response(type_name, "Created"))
                        .responses_from(errors(&["400", "401", "403", "415", "422", "500"])),
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
                        .response("200", resource_response(type_name, "Success"))
                        .responses_from(errors(&["400", "401", "403", "404", "500"])),
                ),
            )
            .path(
                descriptor.item_path(),
                PathItem::new(
                    HttpMethod::Patch,
                    patch_operation(type_name, descriptor.base_path),
                ),
            )
            .path(
                descriptor.item_path(),
                PathItem::new(
                    HttpMethod::Delete,
                    OperationBuilder::new()
                        .operation_id(Some(format!("delete{type_name}")))
                        .summary(Some(format!("Deletes a {type_name}")))
                        .tag(descriptor.base_path)
                        .parameter(id_parameter())
                        .response("204", ResponseBuilder::new().description("Deleted").build())
                        .responses_from(errors(&["401", "403", "404", "409", "500"])),
                ),
            );
    }
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

fn schema_ref(name: &str) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

fn resource_response(type_name: &str, description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(schema_ref(type_name)))
                .build(),
        )
        .build()
}

fn errors(statuses: &[&'static str]) -> Vec<(&'static str, utoipa::openapi::Response)> {
    statuses
        .iter()
        .map(|status| {
            (
                *status,
                ResponseBuilder::new()
                    .description("Error")
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(schema_ref("Error")))
                            .build(),
                    )
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

fn list_operation(descriptor: &ResourceDescriptor) -> utoipa::openapi::path::Operation {
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
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(ArrayBuilder::new().items(schema_ref(type_name))))
                        .build(),
                )
                .build(),
        )
        .responses_from(errors(&["400", "401", "403", "500"]))
        .build()
}

fn patch_operation(type_name: &str, tag: &str) -> utoipa::openapi::path::Operation {
    let update = || {
        ContentBuilder::new()
            .schema(Some(schema_ref(&format!("{type_name}_Update"))))
            .build()
    };
    OperationBuilder::new()
        .operation_id(Some(format!("patch{type_name}")))
        .summary(Some(format!(
            "Updates a {type_name} partially (merge patch or JSON Patch)"
        )))
        .tag(tag)
        .parameter(id_parameter())
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
        .response("200", resource_response(type_name, "Updated"))
        .responses_from(errors(&["400", "401", "403", "404", "415", "422", "500"]))
        .build()
}

/// The definitions of a Swagger 2.0 document as OpenAPI 3 component schemas.
fn spec_schemas(spec: &Value) -> Vec<(String, RefOr<Schema>)> {
    let Some(definitions) = spec.get("definitions").and_then(Value::as_object) else {
        return Vec::new();
    };
    definitions
        .iter()
        .filter_map(|(name, definition)| {
            let converted = to_openapi3(definition.clone());
            match serde_json::from_value::<RefOr<Schema>>(converted) {
                Ok(schema) => Some((name.clone(), schema)),
                Err(error) => {
                    tracing::warn!(definition = %name, %error, "spec definition not representable");
                    None
                }
            }
        })
        .collect()
}

/// Rewrites `#/definitions/` references and drops Swagger-2-only keywords.
fn to_openapi3(mut value: Value) -> Value {
    match &mut value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("$ref") {
                *reference = reference.replace("#/definitions/", "#/components/schemas/");
                // In OpenAPI 3.0 a $ref replaces its siblings.
                map.retain(|k, _| k == "$ref");
                return value;
            }
            if matches!(map.get("discriminator"), Some(Value::String(_))) {
                map.remove("discriminator");
            }
            for (_, child) in map.iter_mut() {
                *child = to_openapi3(child.take());
            }
        }
        Value::Array(items) => {
            for item in items.iter_mut() {
                *item = to_openapi3(item.take());
            }
        }
        _ => {}
    }
    value
}
