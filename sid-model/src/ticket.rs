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

use chrono::{DateTime, Duration, Utc};
use validator::Validate;

use crate::attachment::AttachmentRefOrValue;
use crate::catalog::reference::ChannelRef;
use crate::characteristic::Characteristic;
use crate::lifecycle::Lifecycle;
use crate::note::Note;
use crate::reference::RelatedParty;

crate::wire::wire! {
    /// A trouble ticket (TMF621 `TroubleTicket`): an issue, its status and history, the parties
    /// involved and the entities it is about.
    ///
    /// `description`, `severity` and `ticketType` are required on creation.
    pub struct TroubleTicket {
        /// Unique identifier of the trouble ticket.
        id: Option<String>,
        /// Hyperlink, a reference to the trouble ticket entity.
        href: Option<String>,
        /// The date on which the trouble ticket was created.
        creation_date: Option<DateTime<Utc>>,
        /// Description of the trouble or issue.
        description: String,
        /// The expected resolution date determined by the trouble ticket system.
        expected_resolution_date: Option<DateTime<Utc>>,
        /// Additional identifier coming from an external system.
        external_id: Option<String>,
        /// The date and time that the trouble ticket was last updated.
        last_update: Option<DateTime<Utc>>,
        /// Name of the trouble ticket, typically a short description provided by the user that
        /// created the ticket.
        name: Option<String>,
        /// The priority of the trouble ticket and how quickly the issue should be resolved
        /// (Critical, High, Medium, Low).
        priority: Option<String>,
        /// The resolution date requested by the user.
        requested_resolution_date: Option<DateTime<Utc>>,
        /// The date and time the trouble ticket was resolved.
        resolution_date: Option<DateTime<Utc>>,
        /// The severity of the issue (Critical, Major, Minor).
        severity: String,
        /// The date and time the status changed.
        status_change_date: Option<DateTime<Utc>>,
        /// The reason for changing the status.
        status_change_reason: Option<String>,
        /// The business type of the trouble ticket: incident, complaint, request, Bill Dispute...
        ticket_type: String,
        /// Files attached to the ticket: a picture of a broken device, a scan of a bill.
        #[validate(nested)]
        attachment: Option<Vec<AttachmentRefOrValue>>,
        /// The channel the trouble ticket came from.
        #[validate(nested)]
        channel: Option<ChannelRef>,
        /// The notes of the ticket.
        #[validate(nested)]
        note: Option<Vec<Note>>,
        /// The entities the ticket is about: a product, an order, a bill, an account.
        #[validate(nested)]
        related_entity: Option<Vec<RelatedEntity>>,
        /// The parties involved: the originator, the customer, the assigned CSR or team.
        #[validate(nested)]
        related_party: Option<Vec<RelatedParty>>,
        /// The current status of the trouble ticket.
        status: Option<TroubleTicketStatusType>,
        /// The history of status changes, populated by the server.
        #[validate(nested)]
        status_change: Option<Vec<StatusChange>>,
        /// Relationships with other tickets: parent and child, duplicates.
        #[validate(nested)]
        trouble_ticket_relationship: Option<Vec<TroubleTicketRelationship>>,
        /// Typed facts beyond the v4 attributes (an extension from TMF621 v5; see the module
        /// documentation).
        #[validate(nested)]
        trouble_ticket_characteristic: Option<Vec<Characteristic>>,
    }

    /// One change of a ticket's status (TMF621 `StatusChange`).
    #[derive(Default)]
    pub struct StatusChange {
        /// The date and time the status changed.
        change_date: Option<DateTime<Utc>>,
        /// The reason for the change.
        change_reason: Option<String>,
        /// The status the ticket changed to.
        status: Option<String>,
    }
}

crate::wire::entity_ref! {
    /// A reference to an entity of a type not known in advance, with the role it plays for the
    /// ticket (TMF621 `RelatedEntity`): `id`, `role` and `@referredType` are required.
    RelatedEntity {
        /// The role the entity plays for the ticket (`affectedProduct`, `disputedBill`...).
        role: String,
    }
}

crate::wire::wire! {
    /// A relationship between trouble tickets (TMF621 `TroubleTicketRelationship`): the other
    /// ticket and the kind of link (`isChild`, `isParent`, `duplicates`...).
    #[derive(Default)]
    pub struct TroubleTicketRelationship {
        /// Unique identifier of the other trouble ticket.
        id: Option<String>,
        /// Reference of the other trouble ticket.
        href: Option<String>,
        /// Name of the other trouble ticket.
        name: Option<String>,
        /// The type of the relationship.
        relationship_type: Option<String>,
    }
}

crate::wire::wire_enum! {
    /// The status of a trouble ticket (TMF621 `TroubleTicketStatusType`).
    pub enum TroubleTicketStatusType {
        /// `acknowledged`: the ticket has been received and validated.
        "acknowledged" => Acknowledged,
        /// `rejected`: the ticket was refused (not a valid issue, missing information).
        "rejected" => Rejected,
        /// `pending`: the ticket waits for information from the customer.
        "pending" => Pending,
        /// `held`: work on the ticket is suspended for a business reason of the provider.
        "held" => Held,
        /// `inProgress`: the issue is being worked on.
        "inProgress" => InProgress,
        /// `cancelled`: the ticket was withdrawn.
        "cancelled" => Cancelled,
        /// `closed`: the resolution was confirmed; the ticket is over.
        "closed" => Closed,
        /// `resolved`: the issue has been fixed, awaiting closure.
        "resolved" => Resolved,
    }
}

impl TroubleTicketStatusType {
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
}

/// The TMF621 ticket lifecycle (a resolved ticket goes back to work only within the reopening
/// window, a rule of the problem domain that calls this table for the step):
///
/// ```text
/// acknowledged ─→ inProgress ⇄ pending | held
///      │             │   └──→ resolved ─→ closed
///      │             │           └─→ inProgress   (reopened)
///      └─→ rejected  └─→ cancelled  (cancelled also from acknowledged, pending, held)
/// ```
///
/// `closed`, `rejected` and `cancelled` are final.
impl Lifecycle for TroubleTicketStatusType {
    const ENTITY: &'static str = "TroubleTicket";
    const ATTRIBUTE: &'static str = "status";
    const STATES: &'static [Self] = &Self::ALL;
    const CREATE: &'static [Self] = &[Self::Acknowledged];
    const INITIAL: Self = Self::Acknowledged;
    const FINAL: &'static [Self] = &[Self::Closed, Self::Rejected, Self::Cancelled];

    fn name(self) -> &'static str {
        self.as_str()
    }

    fn next(self) -> &'static [Self] {
        use TroubleTicketStatusType::*;
        match self {
            Acknowledged => &[InProgress, Rejected, Cancelled],
            InProgress => &[Pending, Held, Resolved, Cancelled],
            Pending | Held => &[InProgress, Cancelled],
            Resolved => &[Closed, InProgress],
            Closed | Rejected | Cancelled => &[],
        }
    }
}

impl TroubleTicket {
    /// How long the ticket has been in the provider's hands up to `now`: the time since its
    /// creation spent in statuses whose clock runs ([`TroubleTicketStatusType::clock_runs`]),
    /// read from `creationDate` and the `statusChange` history. Time waiting for the customer
    /// (`pending`) does not count, nor time after resolution; a reopened ticket's clock runs
    /// again. This is the one clock rule of tickets: escalation and service levels use it.
    pub fn active_time(&self, now: DateTime<Utc>) -> Duration {
        self.active_periods(now)
            .into_iter()
            .fold(Duration::zero(), |total, (from, to)| total + (to - from))
    }

    /// The periods up to `now` in which the ticket's clock ran (what [`active_time`] adds
    /// up), oldest first: for a measure that counts only some of that time (business hours).
    ///
    /// [`active_time`]: Self::active_time
    pub fn active_periods(&self, now: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
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
            return Vec::new();
        };
        let mut periods = Vec::new();
        let mut since = start;
        let mut status = TroubleTicketStatusType::Acknowledged;
        for (at, next) in changes {
            let at = at.clamp(since, now.max(since));
            if status.clock_runs() && at > since {
                periods.push((since, at));
            }
            since = at;
            status = next;
        }
        if status.clock_runs() && now > since {
            periods.push((since, now));
        }
        periods
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
