//! TMF683 Party Interaction: an interaction between a party and the enterprise, such as a
//! call, a store visit or a message, with the items it was about.
//!
//! TMF683 v4 defines `RelatedParty` with `href` required besides `id` and `@referredType`;
//! that form is [`InteractionRelatedParty`], distinct from the party model's [`RelatedParty`].
//! `AttachmentRefOrValue`, `Note`, `Quantity`, `EntityRef` and `TimePeriod` are identical to the
//! types of the same name already in this crate and are reused. The definitions that no
//! property of `PartyInteraction` refers to (`Attachment`, `AttachmentRef`, `EntityValue` and
//! the `PartyInteractionStatusExampleType` enumeration, whose values are only examples for
//! the free-text `status`) are not modelled.

use chrono::{DateTime, Utc};
use validator::Validate;

use crate::attachment::AttachmentRefOrValue;
use crate::note::Note;
use crate::reference::RelatedParty;
use crate::time::TimePeriod;

crate::wire::wire! {
    /// An interaction between a party and the enterprise (TMF683 `PartyInteraction`): a call, a
    /// store visit, a message, ..., over a period, through one or more channels.
    ///
    /// `interactionDate`, `reason`, `status`, `direction` and at least one `channel` are required
    /// on creation.
    pub struct PartyInteraction {
        /// Unique identifier of the party interaction, assigned by the server.
        id: Option<String>,
        /// Hyperlink to access the party interaction, assigned by the server.
        href: Option<String>,
        /// Date when the interaction is created in the system.
        creation_date: Option<DateTime<Utc>>,
        /// Description of the interaction.
        description: Option<String>,
        /// Specifies who started the interaction: the party or the enterprise exposing this API.
        /// Possible values are `inbound` and `outbound`.
        direction: String,
        /// Reason why the interaction happened.
        reason: String,
        /// Status of the interaction (for instance `open`, `inProgress`, `completed`).
        status: String,
        /// Last time the status changed.
        status_change_date: Option<DateTime<Utc>>,
        /// Documents, pictures or videos attached to the interaction.
        #[validate(nested)]
        attachment: Option<Vec<AttachmentRefOrValue>>,
        /// Where the interaction took place (web, mobile app, store, kiosk, ...); at least one.
        #[validate(length(min = 1), nested)]
        channel: Vec<RelatedChannel>,
        /// The period during which the interaction took place. Start and end differ for a call or
        /// a store visit; they are the same (or only one is given) for a message or another
        /// momentary interaction.
        #[validate(nested)]
        interaction_date: TimePeriod,
        /// The items the interaction was about.
        #[validate(nested)]
        interaction_item: Option<Vec<InteractionItem>>,
        /// Other interactions this one is related to.
        #[validate(nested)]
        interaction_relationship: Option<Vec<InteractionRelationship>>,
        /// Notes about the interaction.
        #[validate(nested)]
        note: Option<Vec<Note>>,
        /// The parties or party roles that took part in the interaction.
        #[validate(nested)]
        related_party: Option<Vec<InteractionRelatedParty>>,
    }

    /// One thing a party interaction was about (TMF683 `InteractionItem`): a product order, a
    /// trouble ticket, a bill, ..., with why it was referred and how it was resolved.
    #[derive(Default)]
    pub struct InteractionItem {
        /// Unique identifier of the interaction item.
        id: Option<String>,
        /// Date when the interaction item is created in the system.
        creation_date: Option<DateTime<Utc>>,
        /// Reason why this item is referred.
        reason: Option<String>,
        /// Resolution of the interaction item.
        resolution: Option<String>,
        /// Documents, pictures or videos attached to the item.
        #[validate(nested)]
        attachment: Option<Vec<AttachmentRefOrValue>>,
        /// Where the interaction about this item took place (web, mobile app, store, kiosk, ...).
        #[validate(nested)]
        channel: Option<Vec<RelatedChannel>>,
        /// The entity the item is about, of a type not known in advance.
        #[validate(nested)]
        item: Option<RelatedEntityRefOrValue>,
        /// Moment this item is referred.
        #[validate(nested)]
        item_date: Option<TimePeriod>,
        /// Notes about the item.
        #[validate(nested)]
        note: Option<Vec<Note>>,
        /// The parties or party roles concerned by the item.
        #[validate(nested)]
        related_party: Option<Vec<InteractionRelatedParty>>,
    }

    /// A link from a party interaction to another one (TMF683 `InteractionRelationship`).
    #[derive(Default)]
    pub struct InteractionRelationship {
        /// Unique identifier of the referenced party interaction.
        id: Option<String>,
        /// Hyperlink to access the referenced party interaction.
        href: Option<String>,
        /// Type of the interaction relationship.
        relationship_type: Option<String>,
    }
}

crate::wire::entity_ref! {
    /// A channel related to an entity (TMF683 `RelatedChannel`): online web, mobile app, social
    /// network, store, ...
    ///
    /// `id` and `href` are required.
    RelatedChannel {
        /// Role played by the channel.
        role: Option<String>,
    }
}

crate::wire::wire! {
    /// A reference to an entity whose type is not known in advance, given by reference or by value
    /// (TMF683 `RelatedEntityRefOrValue`), with the role it plays.
    ///
    /// The polymorphic `@type`, `@schemaLocation` and `@referredType` describe the entity, not this
    /// wrapper. Only the properties the specification lists are accepted. `role` is required.
    pub struct RelatedEntityRefOrValue @referredType {
        /// Unique identifier of the related entity.
        id: Option<String>,
        /// Reference of the related entity.
        href: Option<String>,
        /// Name of the related entity.
        name: Option<String>,
        /// Role played by the entity in the interaction item.
        role: String,
    }
}

/// A party or party role that took part in an interaction (TMF683 `RelatedParty`). TMF683
/// requires `href` besides `id` and `@referredType`; the server completes both from the
/// stored party, so the input form is the party model's [`RelatedParty`].
pub type InteractionRelatedParty = RelatedParty;
