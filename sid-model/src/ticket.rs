//! TMF621 Trouble Ticket: a record of an issue raised by a customer or detected by the
//! provider, with its lifecycle, history, notes, attachments and the entities it concerns.
//!
//! `AttachmentRefOrValue`, `ChannelRef` (as TMF620 defines it), `Note`, `Quantity`,
//! `RelatedParty` and `TimePeriod` are identical to the types of the same name already in this
//! crate and are reused. TMF621 v4.0.0 also defines `Attachment`, `AttachmentRef` and
//! `EntityRef`, which `TroubleTicket` does not use; they are not modelled.
//!
//! One property is an extension of v4: `troubleTicketCharacteristic`, the list of
//! [`Characteristic`]s that TMF621 v5 added. It is how a ticket carries typed facts beyond the
//! v4 attributes: a bill dispute (`ticketType` "Bill Dispute") carries `disputeAmount`,
//! `creditAmount`, `creditReason`, `rejectReason` and `currency` there, as v5 models it; the
//! escalation job records its level there. A v4 client that never sends it sees it as an
//! additional property, which the v4 schemas allow.
//!
//! The clock rule of tickets (which statuses count towards a ticket's age) is here, once:
//! [`TroubleTicket::active_time`]. Escalation and service level measurement both use it.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::attachment::AttachmentRefOrValue;
use crate::catalog::reference::ChannelRef;
use crate::characteristic::Characteristic;
use crate::extension::{Extensions, Meta};
use crate::note::Note;
use crate::reference::RelatedParty;

/// A trouble ticket (TMF621 `TroubleTicket`): an issue, its status and history, the parties
/// involved and the entities it is about.
///
/// `description`, `severity` and `ticketType` are required on creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct TroubleTicket {
    /// Unique identifier of the trouble ticket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Hyperlink, a reference to the trouble ticket entity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// The date on which the trouble ticket was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<DateTime<Utc>>,
    /// Description of the trouble or issue.
    #[validate(length(min = 1))]
    pub description: String,
    /// The expected resolution date determined by the trouble ticket system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_resolution_date: Option<DateTime<Utc>>,
    /// Additional identifier coming from an external system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The date and time that the trouble ticket was last updated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_update: Option<DateTime<Utc>>,
    /// Name of the trouble ticket, typically a short description provided by the user that
    /// created the ticket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The priority of the trouble ticket and how quickly the issue should be resolved
    /// (Critical, High, Medium, Low).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    /// The resolution date requested by the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_resolution_date: Option<DateTime<Utc>>,
    /// The date and time the trouble ticket was resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution_date: Option<DateTime<Utc>>,
    /// The severity of the issue (Critical, Major, Minor).
    #[validate(length(min = 1))]
    pub severity: String,
    /// The date and time the status changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_change_date: Option<DateTime<Utc>>,
    /// The reason for changing the status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_change_reason: Option<String>,
    /// The business type of the trouble ticket: incident, complaint, request, Bill Dispute...
    #[validate(length(min = 1))]
    pub ticket_type: String,
    /// Files attached to the ticket: a picture of a broken device, a scan of a bill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub attachment: Option<Vec<AttachmentRefOrValue>>,
    /// The channel the trouble ticket came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub channel: Option<ChannelRef>,
    /// The notes of the ticket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub note: Option<Vec<Note>>,
    /// The entities the ticket is about: a product, an order, a bill, an account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub related_entity: Option<Vec<RelatedEntity>>,
    /// The parties involved: the originator, the customer, the assigned CSR or team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub related_party: Option<Vec<RelatedParty>>,
    /// The current status of the trouble ticket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TroubleTicketStatusType>,
    /// The history of status changes, populated by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub status_change: Option<Vec<StatusChange>>,
    /// Relationships with other tickets: parent and child, duplicates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub trouble_ticket_relationship: Option<Vec<TroubleTicketRelationship>>,
    /// Typed facts beyond the v4 attributes (an extension from TMF621 v5; see the module
    /// documentation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub trouble_ticket_characteristic: Option<Vec<Characteristic>>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// One change of a ticket's status (TMF621 `StatusChange`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct StatusChange {
    /// The date and time the status changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_date: Option<DateTime<Utc>>,
    /// The reason for the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_reason: Option<String>,
    /// The status the ticket changed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

crate::wire::entity_ref! {
    /// A reference to an entity of a type not known in advance, with the role it plays for the
    /// ticket (TMF621 `RelatedEntity`): `id`, `role` and `@referredType` are required.
    RelatedEntity {
        /// The role the entity plays for the ticket (`affectedProduct`, `disputedBill`...).
        #[validate(length(min = 1))]
        pub role: String,
    }
}

/// A relationship between trouble tickets (TMF621 `TroubleTicketRelationship`): the other
/// ticket and the kind of link (`isChild`, `isParent`, `duplicates`...).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct TroubleTicketRelationship {
    /// Unique identifier of the other trouble ticket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Reference of the other trouble ticket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Name of the other trouble ticket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The type of the relationship.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship_type: Option<String>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

crate::wire::object_only_serde!(TroubleTicket, StatusChange, TroubleTicketRelationship);

/// The status of a trouble ticket (TMF621 `TroubleTicketStatusType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TroubleTicketStatusType {
    /// `acknowledged`: the ticket has been received and validated.
    #[serde(rename = "acknowledged")]
    Acknowledged,
    /// `rejected`: the ticket was refused (not a valid issue, missing information).
    #[serde(rename = "rejected")]
    Rejected,
    /// `pending`: the ticket waits for information from the customer.
    #[serde(rename = "pending")]
    Pending,
    /// `held`: work on the ticket is suspended for a business reason of the provider.
    #[serde(rename = "held")]
    Held,
    /// `inProgress`: the issue is being worked on.
    #[serde(rename = "inProgress")]
    InProgress,
    /// `cancelled`: the ticket was withdrawn.
    #[serde(rename = "cancelled")]
    Cancelled,
    /// `closed`: the resolution was confirmed; the ticket is over.
    #[serde(rename = "closed")]
    Closed,
    /// `resolved`: the issue has been fixed, awaiting closure.
    #[serde(rename = "resolved")]
    Resolved,
}

impl TroubleTicketStatusType {
    /// Every status, in the specification's order.
    pub const ALL: [Self; 8] = [
        Self::Acknowledged,
        Self::Rejected,
        Self::Pending,
        Self::Held,
        Self::InProgress,
        Self::Cancelled,
        Self::Closed,
        Self::Resolved,
    ];

    /// The wire spelling of the status.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Acknowledged => "acknowledged",
            Self::Rejected => "rejected",
            Self::Pending => "pending",
            Self::Held => "held",
            Self::InProgress => "inProgress",
            Self::Cancelled => "cancelled",
            Self::Closed => "closed",
            Self::Resolved => "resolved",
        }
    }

    /// The status of this wire spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    /// Whether time in this status counts towards the ticket's age: it does while the
    /// provider has the ticket in hand (`acknowledged`, `inProgress`, `held`); it does not
    /// while the ticket waits for the customer (`pending`) or once it is resolved or over.
    pub fn clock_runs(self) -> bool {
        matches!(self, Self::Acknowledged | Self::InProgress | Self::Held)
    }

    /// Whether the ticket is still open: not resolved and not over.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Acknowledged | Self::InProgress | Self::Pending | Self::Held
        )
    }

    /// Whether nothing can happen to the ticket any more.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Closed | Self::Cancelled | Self::Rejected)
    }
}

impl fmt::Display for TroubleTicketStatusType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TroubleTicket {
    /// How long the ticket has been in the provider's hands up to `now`: the time since its
    /// creation spent in statuses whose clock runs ([`TroubleTicketStatusType::clock_runs`]),
    /// read from `creationDate` and the `statusChange` history. Time waiting for the customer
    /// (`pending`) does not count, nor time after resolution; a reopened ticket's clock runs
    /// again. This is the one clock rule of tickets: escalation and service levels use it.
    pub fn active_time(&self, now: DateTime<Utc>) -> Duration {
        let mut changes: Vec<(DateTime<Utc>, TroubleTicketStatusType)> = self
            .status_change
            .iter()
            .flatten()
            .filter_map(|change| {
                Some((
                    change.change_date?,
                    TroubleTicketStatusType::parse(change.status.as_deref()?)?,
                ))
            })
            .collect();
        changes.sort_by_key(|(at, _)| *at);
        let Some(start) = self
            .creation_date
            .or_else(|| changes.first().map(|(at, _)| *at))
        else {
            return Duration::zero();
        };
        let mut total = Duration::zero();
        let mut since = start;
        let mut status = TroubleTicketStatusType::Acknowledged;
        for (at, next) in changes {
            let at = at.clamp(since, now.max(since));
            if status.clock_runs() {
                total += at - since;
            }
            since = at;
            status = next;
        }
        if status.clock_runs() && now > since {
            total += now - since;
        }
        total
    }
}

#[cfg(test)]
mod clock_tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::minutes(minutes)
    }

    fn ticket(history: &[(i64, &str)]) -> TroubleTicket {
        TroubleTicket {
            id: None,
            href: None,
            creation_date: Some(at(0)),
            description: "No signal".into(),
            expected_resolution_date: None,
            external_id: None,
            last_update: None,
            name: None,
            priority: None,
            requested_resolution_date: None,
            resolution_date: None,
            severity: "Major".into(),
            status_change_date: None,
            status_change_reason: None,
            ticket_type: "incident".into(),
            attachment: None,
            channel: None,
            note: None,
            related_entity: None,
            related_party: None,
            status: None,
            status_change: Some(
                history
                    .iter()
                    .map(|(minute, status)| StatusChange {
                        change_date: Some(at(*minute)),
                        status: Some((*status).to_owned()),
                        ..StatusChange::default()
                    })
                    .collect(),
            ),
            trouble_ticket_relationship: None,
            trouble_ticket_characteristic: None,
            meta: Default::default(),
            extensions: Default::default(),
        }
    }

    #[test]
    fn time_waiting_for_the_customer_does_not_count() {
        let t = ticket(&[
            (0, "acknowledged"),
            (10, "inProgress"),
            (30, "pending"),
            (90, "inProgress"),
        ]);
        assert_eq!(t.active_time(at(100)), Duration::minutes(40));
    }

    #[test]
    fn the_clock_stops_at_resolution_and_runs_again_on_reopening() {
        let t = ticket(&[
            (0, "acknowledged"),
            (5, "inProgress"),
            (20, "held"),
            (50, "resolved"),
            (200, "inProgress"),
        ]);
        assert_eq!(t.active_time(at(60)), Duration::minutes(50));
        assert_eq!(t.active_time(at(210)), Duration::minutes(60));
    }

    #[test]
    fn a_moment_before_creation_counts_nothing() {
        let t = ticket(&[(0, "acknowledged")]);
        assert_eq!(t.active_time(at(-5)), Duration::zero());
        assert_eq!(t.active_time(at(15)), Duration::minutes(15));
    }
}
