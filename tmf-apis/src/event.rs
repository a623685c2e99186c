//! TMF notifications: the event types a resource emits and the envelope they travel in, as
//! the v4 specs define them (`<Resource>CreateEvent`, `…AttributeValueChangeEvent`,
//! `…StateChangeEvent`, `…DeleteEvent`; `{eventId, eventTime, eventType, correlationId,
//! domain, title, description, priority, timeOcurred, event: {<resource>: {...}}}`).

use serde_json::{Map, Value};

use crate::resource::ResourceDescriptor;

/// What happened to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// It was created.
    Create,
    /// Attributes other than its state changed.
    AttributeValueChange,
    /// Its state (`status`, `state`, `lifecycleStatus`) changed.
    StateChange,
    /// It was deleted.
    Delete,
    /// A business event of the resource's own, named by what comes between the type name and
    /// `Event`: `Domain("Resolved")` is `TroubleTicketResolvedEvent`. The resource's
    /// descriptor lists the ones it emits ([`ResourceDescriptor::domain_events`]).
    Domain(&'static str),
}

impl EventKind {
    /// Every kind, in the order a resource's life runs.
    pub const ALL: [Self; 4] = [
        Self::Create,
        Self::AttributeValueChange,
        Self::StateChange,
        Self::Delete,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::Create => "Create",
            Self::AttributeValueChange => "AttributeValueChange",
            Self::StateChange => "StateChange",
            Self::Delete => "Delete",
            Self::Domain(name) => name,
        }
    }

    fn verb(self) -> String {
        match self {
            Self::Create => "created".into(),
            Self::AttributeValueChange => "changed".into(),
            Self::StateChange => "changed state".into(),
            Self::Delete => "deleted".into(),
            Self::Domain(name) => name.to_lowercase(),
        }
    }
}

/// The top-level attributes that hold a resource's state: a change to one of them is a
/// state change, any other change an attribute value change.
pub const STATE_ATTRIBUTES: [&str; 3] = ["state", "status", "lifecycleStatus"];

impl ResourceDescriptor {
    /// The event type of `kind` for this resource. Where the spec names the state change a
    /// status change (TMF683 `PartyInteractionStatusChangeEvent`), the spec's name is used.
    ///
    /// Where the spec spells the name in other letter cases (TMF623's `SLAViolationCreateEvent`
    /// of the type `SlaViolation`), the spec's spelling is used; a business event the spec
    /// defines under its own whole name (`Domain("LoyaltyEarn")`: `LoyaltyEarnEvent`) has it.
    pub fn event_type(&self, kind: EventKind) -> String {
        // A business event the spec names whole (TMF658's `LoyaltyEarnEvent`, a domain event
        // of `LoyaltyBalance`): that name.
        if let EventKind::Domain(own) = kind {
            let whole = format!("{own}Event");
            if self.defines(&whole) {
                return whole;
            }
        }
        let name = format!("{}{}Event", self.type_name, kind.name());
        if self.defines(&name) {
            return name;
        }
        if kind == EventKind::StateChange {
            let status = format!("{}StatusChangeEvent", self.type_name);
            if self.defines(&status) {
                return status;
            }
        }
        self.spec
            .get("definitions")
            .and_then(Value::as_object)
            .and_then(|definitions| {
                definitions
                    .keys()
                    .find(|defined| defined.eq_ignore_ascii_case(&name))
            })
            .cloned()
            .unwrap_or(name)
    }

    /// Every event type this resource emits: the four of every resource, then its own.
    pub fn event_types(&self) -> Vec<String> {
        EventKind::ALL
            .into_iter()
            .chain(
                self.domain_events
                    .iter()
                    .map(|name| EventKind::Domain(name)),
            )
            .map(|kind| self.event_type(kind))
            .collect()
    }

    /// Whether the spec defines `definition`.
    pub fn defines(&self, definition: &str) -> bool {
        self.spec
            .get("definitions")
            .and_then(|d| d.get(definition))
            .is_some()
    }

    /// The API's name, the event `domain` (`customerManagement` of
    /// `/tmf-api/customerManagement/v4/`).
    pub fn api_name(&self) -> &'static str {
        api_name(self.base_path)
    }

    /// The key of the resource in an event payload: the type name in lower camel case.
    pub fn payload_key(&self) -> String {
        let mut chars = self.type_name.chars();
        match chars.next() {
            Some(first) => first.to_lowercase().chain(chars).collect(),
            None => String::new(),
        }
    }
}

/// The API's name in a base path (`customerManagement` of `/tmf-api/customerManagement/v4/`).
pub fn api_name(base_path: &str) -> &str {
    base_path
        .trim_start_matches("/tmf-api/")
        .split('/')
        .next()
        .unwrap_or(base_path)
}

/// The parts of an event that vary from one to the next.
#[derive(Debug, Clone)]
pub struct EventHeader<'a> {
    /// Stable and unique: listeners drop duplicates by it.
    pub event_id: &'a str,
    /// When the change was committed (RFC 3339).
    pub event_time: &'a str,
    /// The request's correlation id, if any.
    pub correlation_id: Option<&'a str>,
    /// For attribute value changes: the changed attributes, comma-separated.
    pub field_path: Option<&'a str>,
}

/// The notification body of an event about `resource` (its full representation, with `id`
/// and `href`).
pub fn envelope(
    descriptor: &ResourceDescriptor,
    kind: EventKind,
    header: &EventHeader<'_>,
    resource: Value,
) -> Value {
    let event_type = descriptor.event_type(kind);
    let id = resource.get("id").and_then(Value::as_str).unwrap_or("");
    let mut body = Map::new();
    body.insert("eventId".into(), header.event_id.into());
    body.insert("eventTime".into(), header.event_time.into());
    body.insert("eventType".into(), event_type.into());
    if let Some(correlation_id) = header.correlation_id {
        body.insert("correlationId".into(), correlation_id.into());
    }
    body.insert("domain".into(), descriptor.api_name().into());
    body.insert(
        "title".into(),
        format!("{} {}", descriptor.type_name, kind.verb()).into(),
    );
    body.insert(
        "description".into(),
        format!("{} {id} {}", descriptor.type_name, kind.verb()).into(),
    );
    body.insert("priority".into(), "normal".into());
    body.insert("timeOcurred".into(), header.event_time.into());
    if kind == EventKind::AttributeValueChange
        && let Some(field_path) = header.field_path
    {
        body.insert("fieldPath".into(), field_path.into());
    }
    let mut payload = Map::new();
    payload.insert(descriptor.payload_key(), resource);
    body.insert("event".into(), Value::Object(payload));
    Value::Object(body)
}

/// The events a change from `before` to `after` gives rise to: a create, a delete, or a state
/// change and/or an attribute value change (with the changed attributes). Nothing for a
/// change that changed nothing.
pub fn events_of_change(
    before: Option<&Value>,
    after: Option<&Value>,
) -> Vec<(EventKind, Option<String>)> {
    match (before, after) {
        (None, Some(_)) => vec![(EventKind::Create, None)],
        (Some(_), None) => vec![(EventKind::Delete, None)],
        (Some(Value::Object(before)), Some(Value::Object(after))) => {
            let mut changed: Vec<&str> = after
                .iter()
                .filter(|(key, value)| before.get(key.as_str()) != Some(value))
                .map(|(key, _)| key.as_str())
                .chain(
                    before
                        .keys()
                        .filter(|key| !after.contains_key(key.as_str()))
                        .map(String::as_str),
                )
                .filter(|key| *key != "href")
                .collect();
            changed.sort_unstable();
            let (state, other): (Vec<&str>, Vec<&str>) = changed
                .into_iter()
                .partition(|key| STATE_ATTRIBUTES.contains(key));
            let mut events = Vec::new();
            if !state.is_empty() {
                events.push((EventKind::StateChange, None));
            }
            if !other.is_empty() {
                events.push((EventKind::AttributeValueChange, Some(other.join(","))));
            }
            events
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_change_of_state_and_of_attributes_gives_both_events() {
        let before = json!({"id": "1", "status": "approved", "name": "a"});
        let after = json!({"id": "1", "status": "validated", "name": "b", "note": "x"});
        assert_eq!(
            events_of_change(Some(&before), Some(&after)),
            vec![
                (EventKind::StateChange, None),
                (
                    EventKind::AttributeValueChange,
                    Some("name,note".to_owned())
                ),
            ]
        );
    }

    #[test]
    fn creation_deletion_and_no_change() {
        let doc = json!({"id": "1"});
        assert_eq!(
            events_of_change(None, Some(&doc)),
            vec![(EventKind::Create, None)]
        );
        assert_eq!(
            events_of_change(Some(&doc), None),
            vec![(EventKind::Delete, None)]
        );
        assert!(events_of_change(Some(&doc), Some(&doc)).is_empty());
    }

    #[test]
    fn a_removed_attribute_is_a_change() {
        let before = json!({"id": "1", "name": "a"});
        let after = json!({"id": "1"});
        assert_eq!(
            events_of_change(Some(&before), Some(&after)),
            vec![(EventKind::AttributeValueChange, Some("name".to_owned()))]
        );
    }
}
