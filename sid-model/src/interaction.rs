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
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::attachment::AttachmentRefOrValue;
use crate::extension::{Extensions, Meta};
use crate::note::Note;
use crate::reference::RelatedParty;
use crate::time::TimePeriod;

/// An interaction between a party and the enterprise (TMF683 `PartyInteraction`): a call, a
/// store visit, a message, ..., over a period, through one or more channels.
///
/// `interactionDate`, `reason`, `status`, `direction` and at least one `channel` are required
/// on creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct PartyInteraction {
    /// Unique identifier of the party interaction, assigned by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Hyperlink to access the party interaction, assigned by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Date when the interaction is created in the system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<DateTime<Utc>>,
    /// Description of the interaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Specifies who started the interaction: the party or the enterprise exposing this API.
    /// Possible values are `inbound` and `outbound`.
    #[validate(length(min = 1))]
    pub direction: String,
    /// Reason why the interaction happened.
    #[validate(length(min = 1))]
    pub reason: String,
    /// Status of the interaction (for instance `open`, `inProgress`, `completed`).
    #[validate(length(min = 1))]
    pub status: String,
    /// Last time the status changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_change_date: Option<DateTime<Utc>>,
    /// Documents, pictures or videos attached to the interaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub attachment: Option<Vec<AttachmentRefOrValue>>,
    /// Where the interaction took place (web, mobile app, store, kiosk, ...); at least one.
    #[validate(length(min = 1), nested)]
    pub channel: Vec<RelatedChannel>,
    /// The period during which the interaction took place. Start and end differ for a call or
    /// a store visit; they are the same (or only one is given) for a message or another
    /// momentary interaction.
    #[validate(nested)]
    pub interaction_date: TimePeriod,
    /// The items the interaction was about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub interaction_item: Option<Vec<InteractionItem>>,
    /// Other interactions this one is related to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub interaction_relationship: Option<Vec<InteractionRelationship>>,
    /// Notes about the interaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub note: Option<Vec<Note>>,
    /// The parties or party roles that took part in the interaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub related_party: Option<Vec<InteractionRelatedParty>>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// One thing a party interaction was about (TMF683 `InteractionItem`): a product order, a
/// trouble ticket, a bill, ..., with why it was referred and how it was resolved.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct InteractionItem {
    /// Unique identifier of the interaction item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Date when the interaction item is created in the system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<DateTime<Utc>>,
    /// Reason why this item is referred.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Resolution of the interaction item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
    /// Documents, pictures or videos attached to the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub attachment: Option<Vec<AttachmentRefOrValue>>,
    /// Where the interaction about this item took place (web, mobile app, store, kiosk, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub channel: Option<Vec<RelatedChannel>>,
    /// The entity the item is about, of a type not known in advance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub item: Option<RelatedEntityRefOrValue>,
    /// Moment this item is referred.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub item_date: Option<TimePeriod>,
    /// Notes about the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub note: Option<Vec<Note>>,
    /// The parties or party roles concerned by the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub related_party: Option<Vec<InteractionRelatedParty>>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A link from a party interaction to another one (TMF683 `InteractionRelationship`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct InteractionRelationship {
    /// Unique identifier of the referenced party interaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Hyperlink to access the referenced party interaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Type of the interaction relationship.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship_type: Option<String>,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

crate::wire::entity_ref! {
    /// A channel related to an entity (TMF683 `RelatedChannel`): online web, mobile app, social
    /// network, store, ...
    ///
    /// `id` and `href` are required.
    RelatedChannel {
        /// Role played by the channel.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub role: Option<String>,
    }
}

/// A reference to an entity whose type is not known in advance, given by reference or by value
/// (TMF683 `RelatedEntityRefOrValue`), with the role it plays.
///
/// The polymorphic `@type`, `@schemaLocation` and `@referredType` describe the entity, not this
/// wrapper. Only the properties the specification lists are accepted. `role` is required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct RelatedEntityRefOrValue {
    /// Unique identifier of the related entity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Reference of the related entity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Name of the related entity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Role played by the entity in the interaction item.
    #[validate(length(min = 1))]
    pub role: String,
    /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
    #[serde(flatten)]
    pub meta: Meta,
    /// The actual type of the target instance, when needed for disambiguation.
    #[serde(
        rename = "@referredType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub referred_type: Option<String>,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

/// A party or party role that took part in an interaction (TMF683 `RelatedParty`). TMF683
/// requires `href` besides `id` and `@referredType`; the server completes both from the
/// stored party, so the input form is the party model's [`RelatedParty`].
pub type InteractionRelatedParty = RelatedParty;

crate::wire::object_only_serde!(
    PartyInteraction,
    InteractionItem,
    InteractionRelationship,
    RelatedEntityRefOrValue
);
