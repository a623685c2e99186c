//! The contract between the generic TMF router and a resource's service.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;

use crate::access::{Domain, RequestContext};
use crate::catalog::FieldCatalog;
use crate::error::TmfResult;
use crate::patch::PatchDocument;
use crate::query::ListQuery;

/// What the router needs to know about a resource: where it lives and what it looks like.
#[derive(Debug, Clone)]
pub struct ResourceDescriptor {
    /// The API's base path, with leading and trailing slash (`/tmf-api/party/v4/`).
    pub base_path: &'static str,
    /// The resource's path segment (`individual`).
    pub name: &'static str,
    /// The resource's type name, the default `@type` (`Individual`).
    pub type_name: &'static str,
    /// The business area, for permissions.
    pub domain: Domain,
    /// The spec file the resource is defined in (Swagger 2.0), for the OpenAPI document.
    pub spec: Arc<Value>,
    /// Filterable and sortable attributes.
    pub catalog: Arc<FieldCatalog>,
    /// The item operations the spec defines beyond retrieval.
    pub methods: Methods,
    /// The business events the resource emits besides create, attribute value change, state
    /// change and delete (`Resolved` for `TroubleTicketResolvedEvent`).
    pub domain_events: &'static [&'static str],
}

/// Which item operations a resource offers besides list, create and retrieve: most TMF
/// resources can be patched and deleted; task resources (`cancelProductOrder`) cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Methods {
    /// `POST {collection}`.
    pub create: bool,
    /// `PATCH {item}`.
    pub patch: bool,
    /// `DELETE {item}`.
    pub delete: bool,
    /// `PUT {item}`: a whole replacement, where the spec defines one (TMF658's conditions,
    /// actions and event types), judged as a patch that replaces the document.
    pub put: bool,
}

impl Methods {
    /// Create, patch and delete.
    pub const ALL: Self = Self {
        create: true,
        patch: true,
        delete: true,
        put: false,
    };
    /// Create, patch, replace and delete.
    pub const ALL_AND_PUT: Self = Self {
        create: true,
        patch: true,
        delete: true,
        put: true,
    };
    /// A task resource: created and read, never changed by clients.
    pub const TASK: Self = Self {
        create: true,
        patch: false,
        delete: false,
        put: false,
    };
    /// A record only the server writes (TMF623 `slaViolation`): clients read it (405 on every
    /// write).
    pub const READ_ONLY: Self = Self {
        create: false,
        patch: false,
        delete: false,
        put: false,
    };
}

impl ResourceDescriptor {
    /// The attributes the spec's definition of the resource type requires.
    pub fn required_attributes(&self) -> Vec<String> {
        self.spec
            .pointer(&format!("/definitions/{}/required", self.type_name))
            .and_then(Value::as_array)
            .map(|names| {
                names
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The descriptor of resource `name` of type `type_name` defined in `spec`, patchable
    /// and deletable, with the filterable attributes the spec gives the type.
    pub fn from_spec(
        spec: Arc<Value>,
        base_path: &'static str,
        name: &'static str,
        type_name: &'static str,
        domain: Domain,
    ) -> Result<Self, crate::catalog::CatalogError> {
        let catalog = FieldCatalog::from_swagger(&spec, type_name)?;
        Ok(Self {
            base_path,
            name,
            type_name,
            domain,
            spec,
            catalog: Arc::new(catalog),
            methods: Methods::ALL,
            domain_events: &[],
        })
    }

    /// The same descriptor, emitting these business events too.
    pub fn with_domain_events(mut self, events: &'static [&'static str]) -> Self {
        self.domain_events = events;
        self
    }

    /// `{basePath}{name}`.
    pub fn collection_path(&self) -> String {
        format!("{}{}", self.base_path, self.name)
    }

    /// `{basePath}{name}/{id}/history` in axum's path syntax.
    pub fn history_path(&self) -> String {
        format!("{}{}/{{id}}/history", self.base_path, self.name)
    }

    /// `{basePath}{name}/{id}` in axum's path syntax.
    pub fn item_path(&self) -> String {
        format!("{}{}/{{id}}", self.base_path, self.name)
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The documents of the page, in order.
    pub items: Vec<Value>,
    /// How many documents match the filter in all.
    pub total: u64,
}

/// A document with the version it is stored at, which its `ETag` is derived from.
#[derive(Debug, Clone, PartialEq)]
pub struct Versioned {
    /// The stored document.
    pub document: Value,
    /// The stored version; `None` when the service does not keep one.
    pub version: Option<i64>,
    /// Whether a create found what it asks for already stored (a client's retry, by the
    /// resource's natural key or the request's `Idempotency-Key`) and wrote nothing: answered
    /// 200, not 201.
    pub replayed: bool,
}

impl Versioned {
    /// A document whose version is not known.
    pub fn unversioned(document: Value) -> Self {
        Self {
            document,
            version: None,
            replayed: false,
        }
    }
}

/// The operations of a TMF resource. Documents travel as JSON objects without `href`,
/// which the router derives from the request.
#[async_trait]
pub trait ResourceService: Send + Sync + 'static {
    /// The resource this service serves.
    fn descriptor(&self) -> &ResourceDescriptor;

    /// A filtered, sorted page.
    async fn list(&self, ctx: &RequestContext, query: &ListQuery) -> TmfResult<Page>;

    /// Creates a resource from a `_Create` body; returns the stored document.
    async fn create(&self, ctx: &RequestContext, body: Value) -> TmfResult<Value>;

    /// The document with this id.
    async fn retrieve(&self, ctx: &RequestContext, id: &str) -> TmfResult<Value>;

    /// Applies a patch; returns the whole updated document.
    async fn patch(&self, ctx: &RequestContext, id: &str, patch: PatchDocument)
    -> TmfResult<Value>;

    /// Deletes the resource.
    async fn delete(&self, ctx: &RequestContext, id: &str) -> TmfResult<()>;

    /// [`create`](Self::create), with the version of what it stored.
    async fn create_versioned(&self, ctx: &RequestContext, body: Value) -> TmfResult<Versioned> {
        self.create(ctx, body).await.map(Versioned::unversioned)
    }

    /// [`retrieve`](Self::retrieve), with the version the document is stored at, read
    /// together.
    async fn retrieve_versioned(&self, ctx: &RequestContext, id: &str) -> TmfResult<Versioned> {
        self.retrieve(ctx, id).await.map(Versioned::unversioned)
    }

    /// [`patch`](Self::patch) (which honours `ctx.if_match`), with the version of the
    /// document it returns.
    async fn patch_versioned(
        &self,
        ctx: &RequestContext,
        id: &str,
        patch: PatchDocument,
    ) -> TmfResult<Versioned> {
        self.patch(ctx, id, patch).await.map(Versioned::unversioned)
    }

    /// The change history of the resource, newest first (it outlives the resource).
    async fn history(
        &self,
        ctx: &RequestContext,
        id: &str,
        offset: u64,
        limit: u64,
    ) -> TmfResult<Page>;
}
