//! Hub queries: which events a listener wants, in the filter grammar of GET.
//!
//! `eventType=CustomerCreateEvent,CustomerDeleteEvent` restricts the event types; any other
//! clause (`status=active`, `event.customer.status=active`, `validFor.startDateTime.gt=…`)
//! is an attribute filter on the resource the event carries, evaluated as a list filter
//! would be. Spaces around `=` and `&` and a leading `?` are tolerated, as TMF examples
//! write them (`eventType = CustomerCreateEvent`).

use std::collections::HashMap;

use serde_json::Value;
use tmf_apis::{ListQuery, QueryLimits, ResourceDescriptor, TmfError, TmfResult};

/// A parsed hub query.
#[derive(Debug, Clone, Default)]
pub struct HubQuery {
    /// The wanted event types; empty: all.
    event_types: Vec<String>,
    /// Whether the query filters on attributes at all.
    has_attribute_filter: bool,
    /// The attribute filter per resource type it applies to (a type whose catalogue does
    /// not know an attribute of the query gets no events).
    filters: HashMap<&'static str, ListQuery>,
}

impl HubQuery {
    /// Parses `raw` for the resources of one API; a 400 names what is wrong.
    pub fn parse(raw: Option<&str>, resources: &[ResourceDescriptor]) -> TmfResult<Self> {
        let mut query = Self::default();
        let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
            return Ok(query);
        };
        let known: Vec<String> = resources.iter().flat_map(|r| r.event_types()).collect();
        let mut attributes: Vec<(String, String)> = Vec::new();
        for part in raw.trim_start_matches('?').split('&') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (key, value) = part.split_once('=').ok_or_else(|| {
                TmfError::invalid_body(format!("hub query: '{part}' is not attribute=value"))
            })?;
            let (key, value) = (key.trim(), value.trim());
            if key == "eventType" || key == "eventType.eq" {
                for event_type in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                    if !known.iter().any(|k| k == event_type) {
                        return Err(TmfError::invalid_body(format!(
                            "hub query: '{event_type}' is not an event type of this API; expected one of {}",
                            known.join(", ")
                        )));
                    }
                    query.event_types.push(event_type.to_owned());
                }
            } else {
                attributes.push((key.to_owned(), value.to_owned()));
            }
        }
        if attributes.is_empty() {
            return Ok(query);
        }
        query.has_attribute_filter = true;
        let limits = QueryLimits::default();
        let mut first_error = None;
        for resource in resources {
            let prefix = format!("event.{}.", resource.payload_key());
            let text = attributes
                .iter()
                .map(|(key, value)| format!("{}={value}", key.strip_prefix(&prefix).unwrap_or(key)))
                .collect::<Vec<_>>()
                .join("&");
            match ListQuery::parse(Some(&text), &resource.catalog, &limits) {
                Ok(parsed)
                    if parsed
                        .filter
                        .iter()
                        .all(|c| !c.path.field_type.is_indexed_extension()) =>
                {
                    query.filters.insert(resource.type_name, parsed);
                }
                Ok(_) => {
                    first_error.get_or_insert_with(|| {
                        TmfError::invalid_body("hub query: search attributes cannot filter events")
                    });
                }
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        if query.filters.is_empty() {
            let error = first_error.unwrap_or_else(|| TmfError::invalid_body("hub query"));
            return Err(TmfError::invalid_body(format!(
                "hub query: {}",
                error.message
            )));
        }
        Ok(query)
    }

    /// A query that wants nothing (for a stored query that no longer parses).
    pub(crate) fn nothing() -> Self {
        Self {
            event_types: Vec::new(),
            has_attribute_filter: true,
            filters: HashMap::new(),
        }
    }

    /// Whether an event of `event_type` about a resource of `resource_type` (carried in
    /// `event`, the notification body) is wanted.
    pub fn wants(
        &self,
        event_type: &str,
        resource_type: &str,
        event: impl FnOnce() -> Option<Value>,
    ) -> bool {
        if !self.event_types.is_empty() && !self.event_types.iter().any(|t| t == event_type) {
            return false;
        }
        if !self.has_attribute_filter {
            return true;
        }
        let Some(filter) = self.filters.get(resource_type) else {
            return false;
        };
        event().is_some_and(|resource| filter.matches(&resource))
    }
}
