//! Who is calling and what they may do: the acting identity carried by every request, the
//! operation classes of the generic router, and the policy contract the server fills in.
//!
//! Authentication (verifying a token) happens in the server's middleware, which puts an
//! [`Actor`] into the request's extensions. Authorisation happens here, once, in
//! [`RequestContext::authorize`], which every generic handler calls first.

use axum::extract::Request;

use crate::error::{ErrorCode, TmfError, TmfResult};
use crate::resource::ResourceDescriptor;

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The token's subject: a CSR's user id, a system's client id.
    pub subject: String,
    /// The roles the token grants (unknown names are kept and simply grant nothing).
    pub roles: Vec<String>,
}

/// The business area a resource belongs to; permissions are granted per area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Domain {
    /// Individuals and organizations.
    Party,
    /// Customers.
    Customer,
    /// Party roles other than customer.
    PartyRole,
    /// Accounts.
    Account,
    /// Party interactions.
    Interaction,
    /// Product catalog.
    Catalog,
    /// Product orders.
    Order,
    /// Product inventory.
    Inventory,
    /// Trouble tickets.
    Ticket,
    /// Bills and bill items.
    Bill,
    /// Requests for a bill on demand (a customer asks a CSR for a bill now).
    BillRequest,
    /// Bill disputes.
    Dispute,
    /// Adjustments (money moves).
    Adjustment,
    /// Service level agreements.
    Sla,
    /// Measurements of SLA metrics reported by assurance and monitoring systems.
    SlaMeasurement,
    /// Loyalty programmes, their rules and the points granted by hand.
    Loyalty,
    /// Loyalty members and their enrolments.
    LoyaltyMember,
    /// Business events reported to loyalty by other systems.
    LoyaltyEvent,
    /// Event subscriptions (hubs).
    Hub,
}

/// What a request does to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Retrieve, list, history.
    Read,
    /// Create.
    Create,
    /// Patch or state change.
    Update,
    /// Delete.
    Delete,
    /// Approve (maker-checker).
    Approve,
}

/// The permission table: which actors may do what. Implemented once, by the server.
pub trait AccessPolicy: Send + Sync + 'static {
    /// Whether `actor` may perform `operation` in `domain`.
    fn permits(&self, actor: &Actor, domain: Domain, operation: Operation) -> bool;
}

/// Longest accepted `Idempotency-Key`, in characters.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 255;

/// The `Idempotency-Key` header: UTF-8, non-empty once trimmed, at most
/// [`MAX_IDEMPOTENCY_KEY_CHARS`] characters (never cut: two keys must not become one).
fn idempotency_key(headers: &axum::http::HeaderMap) -> TmfResult<Option<String>> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let refused = |why: &str| {
        TmfError::new(
            ErrorCode::InvalidHeader,
            format!("the Idempotency-Key header {why}"),
        )
    };
    let text = std::str::from_utf8(value.as_bytes())
        .map_err(|_| refused("is not valid UTF-8"))?
        .trim();
    if text.is_empty() {
        return Err(refused("is empty"));
    }
    if text.chars().count() > MAX_IDEMPOTENCY_KEY_CHARS {
        return Err(refused(&format!(
            "is longer than {MAX_IDEMPOTENCY_KEY_CHARS} characters"
        )));
    }
    Ok(Some(text.to_owned()))
}

/// Longest accepted `X-Reason`.
const MAX_REASON_CHARS: usize = 500;

/// The acting identity and the stated reason of one request, handed to services.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestContext {
    /// Who acts.
    pub actor: Actor,
    /// Why, from the `X-Reason` header (recorded in history).
    pub reason: Option<String>,
    /// What ties the request's events together: the `X-Correlation-ID` header, else the
    /// request id.
    pub correlation_id: Option<String>,
    /// Whether bodies are read with extension attributes refused (the server's
    /// `strict_attributes` setting; `sid_model::strict_attributes` scopes it to a read).
    pub strict_attributes: bool,
    /// What the request's `If-Match` asks of the stored version of its target (writes).
    pub if_match: IfMatch,
    /// The client's `Idempotency-Key` (a create sent again with the same key and body is
    /// answered with what the first one created; with another body, refused).
    pub idempotency_key: Option<String>,
}

/// An `If-Match` precondition (RFC 9110 §13.1.1): the entity tags a write may apply to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum IfMatch {
    /// No `If-Match`: the write applies to whatever is stored.
    #[default]
    Absent,
    /// `If-Match: *`: the resource must exist.
    Any,
    /// The strong entity tags listed (weak ones never match, as the RFC says).
    Tags(Vec<String>),
}

impl IfMatch {
    /// Reads the header's value (`"v3"`, `"v3", "v4"`, `*`, `W/"v3"`).
    pub fn parse(value: &str) -> Self {
        let value = value.trim();
        if value == "*" {
            return Self::Any;
        }
        Self::Tags(
            value
                .split(',')
                .map(str::trim)
                .filter(|tag| tag.starts_with('"'))
                .map(str::to_owned)
                .collect(),
        )
    }

    /// Whether a resource stored at `version` satisfies the precondition; a 412 naming the
    /// current entity tag otherwise.
    pub fn check(&self, version: i64) -> Result<(), crate::TmfError> {
        let current = entity_tag(version);
        match self {
            Self::Absent | Self::Any => Ok(()),
            Self::Tags(tags) if tags.contains(&current) => Ok(()),
            Self::Tags(_) => Err(crate::TmfError::new(
                crate::ErrorCode::PreconditionFailed,
                format!(
                    "If-Match does not name the stored version, which is {current}: \
                     read the resource again and reapply the change"
                ),
            )),
        }
    }
}

/// The strong entity tag of a resource stored at `version` (`"v3"`).
pub fn entity_tag(version: i64) -> String {
    format!("\"v{version}\"")
}

impl RequestContext {
    /// The context of the server acting on its own (a background job): `subject` names it in
    /// the history (`system:sla-expiry`), with no roles, saying `reason`.
    pub fn system(subject: &str, reason: impl Into<String>) -> Self {
        Self {
            actor: Actor {
                subject: subject.to_owned(),
                roles: Vec::new(),
            },
            reason: Some(reason.into()),
            correlation_id: None,
            strict_attributes: false,
            if_match: IfMatch::Absent,
            idempotency_key: None,
        }
    }

    /// This change carried on by the server as `subject` (a violation recorded, points
    /// earned in a client's write), saying `reason`: the correlation kept, the client's
    /// `If-Match` and `Idempotency-Key` left with the client's own resource.
    pub fn acting_as(&self, subject: &str, reason: impl Into<String>) -> Self {
        Self {
            correlation_id: self.correlation_id.clone(),
            strict_attributes: self.strict_attributes,
            ..Self::system(subject, reason)
        }
    }

    /// Authenticates (an [`Actor`] must be in the request's extensions) and authorises
    /// `operation` on the resource's domain; 401 or 403 otherwise.
    pub fn authorize(
        request: &Request,
        policy: &dyn AccessPolicy,
        descriptor: &ResourceDescriptor,
        operation: Operation,
    ) -> TmfResult<Self> {
        Self::authorize_in(
            request,
            policy,
            descriptor.domain,
            descriptor.type_name,
            operation,
        )
    }

    /// [`RequestContext::authorize`] for what is not a resource of its own (`subject`
    /// names it in the refusal).
    pub fn authorize_in(
        request: &Request,
        policy: &dyn AccessPolicy,
        domain: Domain,
        subject: &str,
        operation: Operation,
    ) -> TmfResult<Self> {
        let actor = request
            .extensions()
            .get::<Actor>()
            .cloned()
            .ok_or_else(|| {
                TmfError::new(ErrorCode::Unauthenticated, "a bearer token is required")
            })?;
        if !policy.permits(&actor, domain, operation) {
            return Err(TmfError::new(
                ErrorCode::Forbidden,
                format!("the caller's roles do not allow {operation:?} on {subject}"),
            ));
        }
        // The text headers are UTF-8, kept as sent (trimmed, at most MAX_REASON_CHARS
        // characters); a value that is not UTF-8 is refused rather than dropped.
        let header = |name: &str| -> TmfResult<Option<String>> {
            let Some(value) = request.headers().get(name.to_ascii_lowercase()) else {
                return Ok(None);
            };
            let text = std::str::from_utf8(value.as_bytes()).map_err(|_| {
                TmfError::new(
                    ErrorCode::InvalidHeader,
                    format!("the {name} header is not valid UTF-8"),
                )
            })?;
            let text: String = text.trim().chars().take(MAX_REASON_CHARS).collect();
            Ok((!text.is_empty()).then_some(text))
        };
        let reason = header("X-Reason")?;
        let request_id = header("X-Request-ID")?;
        let correlation_id = header("X-Correlation-ID")?.or(request_id);
        let idempotency_key = idempotency_key(request.headers())?;
        Ok(Self {
            actor,
            reason,
            correlation_id,
            strict_attributes: false,
            if_match: IfMatch::Absent,
            idempotency_key,
        })
    }
}
