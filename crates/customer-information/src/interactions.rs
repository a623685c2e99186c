//! TMF683 Party Interaction: every contact with a customer, with the CSR who handled it
//! taken from the token.

use crm_store::{Erasure, Reference, ResourceKind, StoredType};
use sid_model::{InteractionRelatedParty, PartyInteraction};
use tmf_apis::{RequestContext, ResourceDescriptor, TmfResult};

use crate::resources::PARTIES_AND_ROLES;

/// TMF683 `partyInteraction`.
pub const PARTY_INTERACTION: StoredType = StoredType {
    table: "party_interaction",
    kind: "PartyInteraction",
};

/// The role of the related party that is the acting CSR.
pub const AGENT_ROLE: &str = "agent";

/// TMF683 `partyInteraction`.
pub(crate) struct InteractionKind(pub(crate) ResourceDescriptor);

impl ResourceKind for InteractionKind {
    type Model = PartyInteraction;

    fn descriptor(&self) -> &ResourceDescriptor {
        &self.0
    }

    fn stored_type(&self) -> StoredType {
        PARTY_INTERACTION
    }

    /// Erasure keeps what happened (when, which way, through which channel, in what status,
    /// with whom and about what by reference) and removes what was said: description, notes,
    /// attachments, the items' reasons and resolutions; the required reason is masked.
    fn erasure(&self) -> Option<Erasure> {
        Some(Erasure {
            keep: &["direction", "channel.name", "relationshipType"],
            erase: &[],
        })
    }

    /// Related parties point into the party store, except the agent, whose identity is
    /// the token's subject (a user of this system, not necessarily a party).
    fn references(&self, model: &PartyInteraction) -> Vec<Reference> {
        model
            .related_party
            .as_deref()
            .unwrap_or_default()
            .iter()
            .enumerate()
            .filter(|(_, party)| party.role.as_deref() != Some(AGENT_ROLE))
            .map(|(i, party)| Reference {
                path: format!("relatedParty[{i}]"),
                id: party.id.clone(),
                referred_type: party.referred_type.clone(),
                allowed: PARTIES_AND_ROLES,
            })
            .collect()
    }

    fn prepare(
        &self,
        ctx: &RequestContext,
        previous: Option<&PartyInteraction>,
        model: &mut PartyInteraction,
    ) -> TmfResult<()> {
        // `direction` and the channels' names are free strings in TMF683: kept as sent
        // (`inbound` and `outbound` keep their meaning wherever they are read). A channel is
        // not stored here, so its `href`, which TMF683 requires, is completed with a URN.
        for related in &mut model.channel {
            if related.href.is_none() {
                related.href = Some(format!("urn:crm:channel:{}", related.id));
            }
        }
        // The agent is whoever logged the interaction: from the token on create, kept
        // unchanged afterwards; a client cannot name another.
        let agent = match previous {
            Some(previous) => previous
                .related_party
                .as_deref()
                .unwrap_or_default()
                .iter()
                .find(|p| p.role.as_deref() == Some(AGENT_ROLE))
                .cloned(),
            None => Some(InteractionRelatedParty {
                id: ctx.actor.subject.clone(),
                href: Some(format!("urn:crm:user:{}", ctx.actor.subject)),
                name: None,
                role: Some(AGENT_ROLE.to_owned()),
                meta: Default::default(),
                extensions: Default::default(),
                referred_type: Some("User".to_owned()),
            }),
        };
        let mut parties: Vec<InteractionRelatedParty> = model
            .related_party
            .take()
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p.role.as_deref() != Some(AGENT_ROLE))
            .collect();
        parties.extend(agent);
        model.related_party = (!parties.is_empty()).then_some(parties);
        Ok(())
    }
}
