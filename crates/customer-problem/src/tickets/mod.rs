//! TMF621 `troubleTicket`: the stored kind with its rules, and the API in front of it.
//!
//! [`TicketKind`] holds the rules every write obeys, whoever makes it (a client, the
//! escalation job): severities and priorities from the settings, the lifecycle
//! ([`crate::lifecycle`]) with its history (`statusChange`), the server's dates
//! (`creationDate`, `lastUpdate`, `statusChangeDate`, `resolutionDate`,
//! `expectedResolutionDate`), relationship types, attachment sizes, and the references it
//! holds (parties, related entities, related tickets), which are checked and indexed.
//!
//! [`Tickets`] is the API's side: what a client may not set (the server's dates and history,
//! the escalation level), notes that are only ever appended and are signed and dated by the
//! server, a parent that cannot close while a child is open, and a ticket logged from a
//! contact with the customer recorded as a TMF683 `partyInteraction` in the same transaction.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use crm_module::SubtypeRules;
use crm_store::{
    Clock, DatabaseTransaction, DocumentService, DocumentWriter, DomainRules, Erasure, Notes,
    Reference, ResourceKind, StoredType, lifecycle_error,
};
use rust_decimal::Decimal;

use serde_json::Value as Json;
use sid_model::{
    Characteristic, InteractionItem, InteractionRelatedParty, Lifecycle, PartyInteraction,
    RelatedChannel, RelatedEntity, RelatedEntityRefOrValue, StatusChange, TimePeriod,
    TroubleTicket, TroubleTicketStatusType as Status, check_create,
};
use tmf_apis::catalog::CatalogError;
use tmf_apis::{Domain, EventKind, RequestContext, ResourceDescriptor, TmfError, TmfResult};

use crate::lifecycle::{self, Move};
use crate::settings::TicketSettings;

mod error;

pub use error::TicketError;

/// The table tickets are stored in.
pub const TICKET_TABLE: &str = "trouble_ticket";

/// The base path of TMF621.
pub const TICKET_BASE: &str = "/tmf-api/troubleTicket/v4/";

/// Where tickets are stored.
pub const TROUBLE_TICKET: StoredType = StoredType {
    table: TICKET_TABLE,
    kind: "TroubleTicket",
};

/// The characteristic in which the escalation job records a ticket's escalation level.
pub const ESCALATION_LEVEL: &str = "escalationLevel";

/// The business events of a ticket besides the generic four: `TroubleTicketResolvedEvent`
/// (defined by TMF621) and `TroubleTicketEscalationEvent` (this product's).
pub const TICKET_EVENTS: &[&str] = &["Resolved", "Escalation"];

/// The relationship types between tickets that this CRM gives a meaning: `isChild` (the
/// other ticket is this one's parent), `isParent` (the other ticket is this one's child),
/// `duplicates` (this ticket duplicates the other) and `relatesTo`. Any other value is kept
/// as sent (TMF621 types `relationshipType` as a free string).
pub const RELATIONSHIP_TYPES: [&str; 4] = ["isChild", "isParent", "duplicates", "relatesTo"];

/// What a party reference may point at.
const PARTIES: &[&str] = &["Individual", "Organization", "Customer", "PartyRole"];

/// What a ticket may be about: products, orders, bills and their items, accounts, the
/// interactions it came from. Types another crate stores (`CustomerBill`) are checked once
/// that crate registers them; until then no such entity exists to refer to.
const ENTITIES: &[&str] = &[
    "Product",
    "ProductOrder",
    "CustomerBill",
    "AppliedCustomerBillingRate",
    "BillingAccount",
    "PartyAccount",
    "SettlementAccount",
    "FinancialAccount",
    "PartyInteraction",
];

/// The attributes that belong to the server: a client may neither send them on create nor
/// change them afterwards.
const SERVER_OWNED: [&str; 6] = [
    "creationDate",
    "lastUpdate",
    "statusChangeDate",
    "statusChange",
    "resolutionDate",
    "expectedResolutionDate",
];

/// The roles of the parties a contact is recorded with.
const CONTACT_ROLES: [&str; 2] = ["customer", "originator"];

/// Whether a stored ticket is still open (for the 360 view).
pub fn is_open_ticket(ticket: &Json) -> bool {
    ticket
        .get("status")
        .and_then(Json::as_str)
        .and_then(Status::parse)
        .is_some_and(Status::is_open)
}

/// The escalation level recorded on a ticket (0: never escalated).
pub fn escalation_level(ticket: &TroubleTicket) -> u32 {
    escalation_characteristic(ticket)
        .and_then(|c| c.value.as_u64())
        .and_then(|level| u32::try_from(level).ok())
        .unwrap_or(0)
}

fn escalation_characteristic(ticket: &TroubleTicket) -> Option<&Characteristic> {
    ticket
        .trouble_ticket_characteristic
        .iter()
        .flatten()
        .find(|c| c.name == ESCALATION_LEVEL)
}

fn status_of(ticket: &TroubleTicket) -> Status {
    ticket.status.unwrap_or(Status::Acknowledged)
}

/// The TMF621 `troubleTicket` resource as stored, with the rules every write obeys.
pub struct TicketKind {
    descriptor: ResourceDescriptor,
    settings: Arc<TicketSettings>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for TicketKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TicketKind")
            .field("type_name", &self.descriptor.type_name)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl TicketKind {
    /// The kind, with its attributes and events read from the TMF621 specification.
    pub fn new(settings: Arc<TicketSettings>, clock: Arc<dyn Clock>) -> Result<Self, CatalogError> {
        Ok(Self {
            descriptor: ResourceDescriptor::from_spec(
                crate::spec::trouble_ticket(),
                TICKET_BASE,
                "troubleTicket",
                "TroubleTicket",
                Domain::Ticket,
            )?
            .with_domain_events(TICKET_EVENTS),
            settings,
            clock,
        })
    }

    fn canonical_values(&self, ticket: &mut TroubleTicket) -> Result<(), TicketError> {
        let settings = &self.settings;
        ticket.severity = settings
            .severity(&ticket.severity)
            .ok_or_else(|| TicketError::UnknownSeverity {
                given: ticket.severity.clone(),
                allowed: settings.severities.join(", "),
            })?
            .to_owned();
        let priority = match ticket.priority.as_deref() {
            Some(given) => {
                settings
                    .priority(given)
                    .ok_or_else(|| TicketError::UnknownPriority {
                        given: given.to_owned(),
                        allowed: settings.priorities.join(", "),
                    })?
            }
            None => settings
                .default_priority(&ticket.severity)
                .unwrap_or_else(|| settings.priorities[0].as_str()),
        };
        ticket.priority = Some(priority.to_owned());
        Ok(())
    }

    fn check_relationships(&self, ticket: &TroubleTicket) -> Result<(), TicketError> {
        for (i, relationship) in ticket
            .trouble_ticket_relationship
            .iter()
            .flatten()
            .enumerate()
        {
            let Some(other) = relationship.id.as_deref().filter(|id| !id.is_empty()) else {
                return Err(TicketError::RelationshipWithoutId { index: i });
            };
            if ticket.id.as_deref() == Some(other) {
                return Err(TicketError::RelatedToItself { index: i });
            }
            // `relationshipType` is a free string in TMF621: any value is kept;
            // `isParent` and `isChild` keep their meaning (a parent closes after its children).
        }
        Ok(())
    }

    fn check_attachments(&self, ticket: &TroubleTicket) -> Result<(), TicketError> {
        let limit = Decimal::from(self.settings.max_attachment_bytes);
        for (i, attachment) in ticket.attachment.iter().flatten().enumerate() {
            let (Some(bytes), Some(size)) = (attachment.size_in_bytes(), &attachment.size) else {
                continue;
            };
            if bytes > limit {
                return Err(TicketError::AttachmentTooLarge {
                    index: i,
                    amount: size.amount.unwrap_or_default(),
                    units: size.units.clone().unwrap_or_else(|| "bytes".into()),
                    limit: self.settings.max_attachment_bytes,
                });
            }
        }
        Ok(())
    }

    /// The rules of every write: canonical severity and priority, relationships,
    /// attachment sizes, and the lifecycle with its dates (`previous` is `None` on create).
    fn judge(
        &self,
        previous: Option<&TroubleTicket>,
        ticket: &mut TroubleTicket,
    ) -> Result<(), TicketError> {
        let now = self.clock.now();
        self.canonical_values(ticket)?;
        self.check_relationships(ticket)?;
        self.check_attachments(ticket)?;
        match previous {
            None => self.start(ticket, now),
            Some(previous) => {
                self.advance(previous, ticket, now)?;
                ticket.last_update = previous.last_update;
                if ticket != previous {
                    ticket.last_update = Some(now);
                }
                Ok(())
            }
        }
    }

    /// The lifecycle on create: a ticket starts `acknowledged`, with its first history entry,
    /// its dates and its resolution target.
    fn start(&self, ticket: &mut TroubleTicket, now: DateTime<Utc>) -> Result<(), TicketError> {
        check_create(status_of(ticket)).map_err(lifecycle_error)?;
        ticket.status = Some(Status::INITIAL);
        ticket.creation_date = Some(now);
        ticket.last_update = Some(now);
        ticket.status_change_date = Some(now);
        ticket.resolution_date = None;
        ticket.status_change = Some(vec![StatusChange {
            change_date: Some(now),
            change_reason: ticket.status_change_reason.clone(),
            status: Some(Status::Acknowledged.as_str().to_owned()),
            ..StatusChange::default()
        }]);
        ticket.expected_resolution_date = self
            .settings
            .resolution_target(&ticket.severity)
            .map(|target| now + target);
        Ok(())
    }

    /// The lifecycle on change: the move is judged, recorded with its reason and date, and
    /// the dates follow it.
    fn advance(
        &self,
        previous: &TroubleTicket,
        ticket: &mut TroubleTicket,
        now: DateTime<Utc>,
    ) -> Result<(), TicketError> {
        let from = status_of(previous);
        let to = status_of(ticket);
        let verdict = lifecycle::judge(
            from,
            to,
            previous.resolution_date,
            now,
            self.settings.reopen_window(),
        )?;
        if verdict == Move::Stay {
            return Ok(());
        }
        // A reason is the one given with this move; the previous move's stays in history.
        if ticket.status_change_reason == previous.status_change_reason {
            ticket.status_change_reason = None;
        }
        ticket
            .status_change
            .get_or_insert_with(Vec::new)
            .push(StatusChange {
                change_date: Some(now),
                change_reason: ticket.status_change_reason.clone(),
                status: Some(to.as_str().to_owned()),
                ..StatusChange::default()
            });
        ticket.status_change_date = Some(now);
        match (verdict, to) {
            (Move::Reopen, _) => ticket.resolution_date = None,
            (_, Status::Resolved) => ticket.resolution_date = Some(now),
            _ => {}
        }
        // Time waiting for the customer moves the resolution target later by as much.
        if from == Status::Pending
            && let (Some(expected), Some(since)) =
                (ticket.expected_resolution_date, previous.status_change_date)
        {
            ticket.expected_resolution_date =
                Some(expected + (now - since).max(chrono::Duration::zero()));
        }
        Ok(())
    }
}

impl ResourceKind for TicketKind {
    type Model = TroubleTicket;

    fn descriptor(&self) -> &ResourceDescriptor {
        &self.descriptor
    }

    fn stored_type(&self) -> StoredType {
        TROUBLE_TICKET
    }

    fn references(&self, ticket: &TroubleTicket) -> Vec<Reference> {
        let parties = Reference::related_parties(ticket.related_party.as_deref(), PARTIES);
        let entities = ticket
            .related_entity
            .iter()
            .flatten()
            .enumerate()
            .map(|(i, entity)| Reference {
                path: format!("relatedEntity[{i}]"),
                id: entity.id.clone(),
                referred_type: entity.referred_type.clone(),
                allowed: ENTITIES,
            });
        let tickets = ticket
            .trouble_ticket_relationship
            .iter()
            .flatten()
            .enumerate()
            .filter_map(|(i, relationship)| {
                Some(Reference {
                    path: format!("troubleTicketRelationship[{i}]"),
                    id: relationship.id.clone()?,
                    referred_type: None,
                    allowed: &["TroubleTicket"],
                })
            });
        parties.chain(entities).chain(tickets).collect()
    }

    /// A ticket keeps what happened and when (statuses and their history, dates, severity,
    /// priority, type, channel, the names and amounts of its characteristics) and its
    /// references, with names masked; its required description is masked; its name, notes,
    /// attachments' text, every status change reason and all other text (free text about a
    /// person) are removed.
    fn erasure(&self) -> Option<Erasure> {
        Some(Erasure {
            keep: &[
                "severity",
                "priority",
                "ticketType",
                "externalId",
                "channel.name",
                "relationshipType",
                "troubleTicketCharacteristic.name",
                "troubleTicketCharacteristic.valueType",
            ],
            erase: &[],
        })
    }

    fn domain_events(
        &self,
        previous: Option<&TroubleTicket>,
        current: &TroubleTicket,
    ) -> Vec<EventKind> {
        let mut events = Vec::new();
        if status_of(current) == Status::Resolved
            && previous.is_none_or(|p| status_of(p) != Status::Resolved)
        {
            events.push(EventKind::Domain("Resolved"));
        }
        if escalation_level(current) > previous.map_or(0, escalation_level) {
            events.push(EventKind::Domain("Escalation"));
        }
        events
    }

    fn prepare(
        &self,
        _ctx: &RequestContext,
        previous: Option<&TroubleTicket>,
        ticket: &mut TroubleTicket,
    ) -> TmfResult<()> {
        self.judge(previous, ticket).map_err(TmfError::from)
    }
}

/// The rules other domains set for tickets, through the hooks of the module contract.
#[derive(Default)]
pub struct ForeignRules {
    /// Those of a `ticketType` another domain owns ("Bill Dispute": billing's), by type.
    pub subtypes: BTreeMap<String, Arc<dyn SubtypeRules>>,
    /// Those every ticket obeys (the SLA domain's targets), after the type's.
    pub every: Vec<Arc<dyn SubtypeRules>>,
}

impl std::fmt::Debug for ForeignRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ForeignRules")
            .field("subtypes", &self.subtypes.keys().collect::<Vec<_>>())
            .field("every", &self.every.len())
            .finish()
    }
}

/// The trouble ticket API: the rules of the client's side, over the stored kind.
pub struct Tickets {
    tickets: Arc<DocumentService<TicketKind>>,
    interactions: Option<Arc<dyn DocumentWriter>>,
    subtypes: BTreeMap<String, Arc<dyn SubtypeRules>>,
    type_rules: Vec<Arc<dyn SubtypeRules>>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Tickets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tickets")
            .field("interactions", &self.interactions.is_some())
            .field("subtypes", &self.subtypes.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Tickets {
    /// The API over `tickets`; a ticket logged from a contact is recorded through
    /// `interactions` (TMF683) when given; a ticket also obeys the rules other domains set
    /// (`rules`).
    pub fn new(
        tickets: Arc<DocumentService<TicketKind>>,
        interactions: Option<Arc<dyn DocumentWriter>>,
        rules: ForeignRules,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            tickets,
            interactions,
            subtypes: rules.subtypes,
            type_rules: rules.every,
            clock,
        }
    }

    /// The rules of the domain that owns the ticket's type, if one does: they judge (and may
    /// amend) the ticket in the write's transaction, then the rules other domains add to every
    /// ticket. A ticket may become of an owned type (its owner judges it as new to the type),
    /// but never leave one: the owner's records would no longer follow it (422).
    async fn apply_foreign_rules(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        previous: Option<&TroubleTicket>,
        ticket: TroubleTicket,
    ) -> Result<TroubleTicket, TicketError> {
        if let Some(before) = previous.map(|p| &p.ticket_type)
            && *before != ticket.ticket_type
            && self.subtypes.contains_key(before)
        {
            return Err(TicketError::OwnedTypeChanged {
                owned: before.clone(),
                requested: ticket.ticket_type.clone(),
            });
        }
        // Other domains judge the ticket as it will be stored: its severity and priority
        // canonical, a default priority given (an SLA rule selects tickets by them).
        let mut ticket = ticket;
        self.tickets.kind().canonical_values(&mut ticket)?;
        let rules: Vec<Arc<dyn SubtypeRules>> = self
            .subtypes
            .get(&ticket.ticket_type)
            .into_iter()
            .chain(&self.type_rules)
            .cloned()
            .collect();
        Ok(crm_module::apply_rules(&rules, txn, ctx, previous, ticket).await?)
    }
    /// A ticket logged from a contact (it names the `channel` and the customer or
    /// originator) records that contact as an inbound TMF683 interaction about the ticket,
    /// unless the client already refers to one. Returns the reference to add to the ticket.
    async fn record_contact(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        ticket: &TroubleTicket,
    ) -> Result<Option<RelatedEntity>, TicketError> {
        let (Some(interactions), Some(channel)) = (&self.interactions, &ticket.channel) else {
            return Ok(None);
        };
        let already = ticket
            .related_entity
            .iter()
            .flatten()
            .any(|e| e.referred_type.as_deref() == Some(interactions.type_name()));
        let parties: Vec<InteractionRelatedParty> = ticket
            .related_party
            .iter()
            .flatten()
            .filter(|p| {
                p.role
                    .as_deref()
                    .is_some_and(|r| CONTACT_ROLES.contains(&r))
            })
            .map(|p| InteractionRelatedParty {
                id: p.id.clone(),
                href: Some(p.href.clone().unwrap_or_else(|| {
                    format!(
                        "urn:crm:{}:{}",
                        p.referred_type.as_deref().unwrap_or("Party"),
                        p.id
                    )
                })),
                name: p.name.clone(),
                role: p.role.clone(),
                meta: Default::default(),
                referred_type: p.referred_type.clone(),
                extensions: Default::default(),
            })
            .collect();
        if already || parties.is_empty() {
            return Ok(None);
        }
        let now = self.clock.now();
        let contact = PartyInteraction {
            id: None,
            href: None,
            creation_date: None,
            description: None,
            direction: "inbound".into(),
            reason: ticket
                .name
                .clone()
                .unwrap_or_else(|| ticket.ticket_type.clone()),
            status: "completed".into(),
            status_change_date: None,
            attachment: None,
            channel: vec![RelatedChannel {
                id: channel.id.clone(),
                href: Some(
                    channel
                        .href
                        .clone()
                        .unwrap_or_else(|| format!("urn:crm:channel:{}", channel.id)),
                ),
                name: channel.name.clone(),
                role: None,
                meta: Default::default(),
                referred_type: None,
                extensions: Default::default(),
            }],
            interaction_date: TimePeriod::between(now, now),
            interaction_item: Some(vec![InteractionItem {
                reason: Some("trouble ticket logged".into()),
                item: Some(RelatedEntityRefOrValue {
                    id: Some(id.to_owned()),
                    href: Some(format!("{TICKET_BASE}troubleTicket/{id}")),
                    name: None,
                    role: "troubleTicket".into(),
                    meta: Default::default(),
                    referred_type: Some("TroubleTicket".into()),
                    extensions: Default::default(),
                }),
                ..InteractionItem::default()
            }]),
            interaction_relationship: None,
            note: None,
            related_party: Some(parties),
            meta: Default::default(),
            extensions: Default::default(),
        };
        let body = serde_json::to_value(&contact).map_err(TmfError::internal)?;
        let interaction = interactions
            .create_in(txn, ctx, body)
            .await
            .map_err(TicketError::Contact)?;
        let interaction_id = interaction
            .get("id")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_owned();
        Ok(Some(RelatedEntity {
            id: interaction_id,
            href: None,
            name: None,
            role: "originatingInteraction".into(),
            meta: Default::default(),
            extensions: Default::default(),
            referred_type: Some(interactions.type_name().to_owned()),
        }))
    }

    /// A parent closes after its children: its `isParent` relationships, and every ticket
    /// that names it in an `isChild` one, must be closed, cancelled or rejected.
    async fn refuse_open_children(
        &self,
        txn: &DatabaseTransaction,
        id: &str,
        ticket: &TroubleTicket,
    ) -> Result<(), TicketError> {
        let mut children: Vec<String> = ticket
            .trouble_ticket_relationship
            .iter()
            .flatten()
            .filter(|r| r.relationship_type.as_deref() == Some("isParent"))
            .filter_map(|r| r.id.clone())
            .collect();
        let referring = crm_store::relations::referencing(txn, &[id.to_owned()]).await?;
        for (table, source) in referring {
            if table != TICKET_TABLE || children.contains(&source) {
                continue;
            }
            let Some(document) = self.tickets.read_in(txn, &source).await? else {
                continue;
            };
            let names_this_as_parent = document["troubleTicketRelationship"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|r| r["id"] == id && r["relationshipType"] == "isChild");
            if names_this_as_parent {
                children.push(source);
            }
        }
        for child in children {
            let Some(document) = self.tickets.read_in(txn, &child).await? else {
                continue;
            };
            let status = document["status"].as_str().unwrap_or_default();
            if Status::parse(status).is_none_or(|s| !s.is_final()) {
                return Err(TicketError::OpenChild {
                    ticket: id.to_owned(),
                    child,
                    status: status.to_owned(),
                });
            }
        }
        Ok(())
    }
}

#[async_trait]
impl DomainRules<TicketKind> for Tickets {
    type Error = TicketError;

    /// The server's dates and history: neither sent on create nor changed by a patch.
    fn server_owned(&self) -> &'static [&'static str] {
        &SERVER_OWNED
    }

    fn notes(&self) -> Option<Notes<'_>> {
        Some(Notes {
            attribute: "note",
            clock: &*self.clock,
        })
    }

    /// The escalation level is the job's; a ticket logged from a contact records it.
    async fn create(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        mut ticket: TroubleTicket,
    ) -> Result<TroubleTicket, TicketError> {
        if escalation_characteristic(&ticket).is_some() {
            return Err(TicketError::EscalationLevelGiven);
        }
        if let Some(interaction) = self.record_contact(txn, ctx, id, &ticket).await? {
            ticket
                .related_entity
                .get_or_insert_with(Vec::new)
                .push(interaction);
        }
        // Other domains' rules know the ticket by its id (the SLA targets keep its due times).
        ticket.id = Some(id.to_owned());
        self.apply_foreign_rules(txn, ctx, None, ticket).await
    }

    /// The escalation level stays the job's; a parent closes after its children.
    async fn patch(
        &self,
        txn: &DatabaseTransaction,
        ctx: &RequestContext,
        id: &str,
        previous: &TroubleTicket,
        ticket: TroubleTicket,
    ) -> Result<TroubleTicket, TicketError> {
        if escalation_characteristic(&ticket) != escalation_characteristic(previous) {
            return Err(TicketError::EscalationLevelGiven);
        }
        if status_of(&ticket) == Status::Closed && status_of(previous) != Status::Closed {
            self.refuse_open_children(txn, id, &ticket).await?;
        }
        self.apply_foreign_rules(txn, ctx, Some(previous), ticket)
            .await
    }
}
