//! TMF630 REST conventions, written once for every TM Forum Open API this product serves:
//! the TMF Error body, list queries (filter, sort, paging, `fields`), merge and JSON
//! patches, the generic resource router, and the OpenAPI document.
//!
//! This crate knows HTTP and the TMF conventions, not business: it must not depend on any
//! application crate, nor on the database layer. Resources plug in by implementing
//! [`ResourceService`].

pub mod access;
pub mod body;
pub mod catalog;
pub mod error;
pub mod event;
pub mod notes;
pub mod openapi;
pub mod patch;
pub mod projection;
pub mod query;
pub mod resource;
pub mod router;

pub use access::{AccessPolicy, Actor, Domain, IfMatch, Operation, RequestContext, entity_tag};
pub use catalog::{FieldCatalog, FieldPath, FieldType, Segment, is_plain_name};
pub use error::{ErrorCode, TmfError, TmfResult};
pub use event::{EventHeader, EventKind, envelope, events_of_change};
pub use patch::PatchDocument;
pub use query::{Clause, FilterValue, ListQuery, Op, QueryLimits, SortKey};
pub use resource::{Methods, Page, ResourceDescriptor, ResourceService, Versioned};
pub use router::{
    PublicBaseUrl, RouterConfig, link_references, list_response, request_base_url, resource_routes,
    tmf_error_bodies, unknown_route, with_href,
};
