//! TMF683 `PartyInteraction`, read and written with documents like the examples of the TMF683
//! user guide.

use crate::support::*;
use serde_json::{Value, json};
use sid_model::*;

fn channel(id: &str, name: &str) -> Value {
    json!({
        "id": id,
        "href": format!("https://host/tmf-api/channel/v4/channel/{id}"),
        "name": name,
        "role": "interaction channel",
        "@baseType": "RelatedChannel",
        "@schemaLocation": "https://host/schemas/RelatedChannel.schema.json",
        "@type": "RelatedChannel",
        "@referredType": "Channel"
    })
}

fn customer_party() -> Value {
    json!({
        "id": "1140",
        "href": "https://host/tmf-api/customerManagement/v4/customer/1140",
        "name": "Moon Football Club",
        "role": "customer",
        "@baseType": "RelatedParty",
        "@schemaLocation": "https://host/schemas/RelatedParty.schema.json",
        "@type": "RelatedParty",
        "@referredType": "Customer"
    })
}

fn note(id: &str, text: &str) -> Value {
    json!({
        "id": id,
        "author": "Agent 0012",
        "date": "2019-05-02T09:20:00Z",
        "text": text,
        "@baseType": "Note",
        "@schemaLocation": "https://host/schemas/Note.schema.json",
        "@type": "Note"
    })
}

fn interaction_item() -> Value {
    json!({
        "id": "1",
        "creationDate": "2019-05-02T09:15:00Z",
        "reason": "Roaming charges on the April bill",
        "resolution": "Charges refunded",
        "attachment": [attachment()],
        "channel": [channel("2", "Call centre")],
        "item": {
            "id": "CB-4452",
            "href": "https://host/tmf-api/customerBillManagement/v4/customerBill/CB-4452",
            "name": "April bill",
            "role": "disputed bill",
            "@baseType": "CustomerBill",
            "@schemaLocation": "https://host/schemas/CustomerBill.schema.json",
            "@type": "CustomerBill",
            "@referredType": "CustomerBill"
        },
        "itemDate": {"startDateTime": "2019-05-02T09:15:00Z", "endDateTime": "2019-05-02T09:25:00Z"},
        "note": [note("1", "Refund of 12.50 EUR approved")],
        "relatedParty": [related_party()],
        "@baseType": "InteractionItem",
        "@schemaLocation": "https://host/schemas/InteractionItem.schema.json",
        "@type": "InteractionItem"
    })
}

fn party_interaction() -> Value {
    json!({
        "id": "8435",
        "href": "https://host/tmf-api/partyInteraction/v4/partyInteraction/8435",
        "creationDate": "2019-05-02T09:12:00Z",
        "description": "The customer called about the April bill",
        "direction": "inbound",
        "reason": "Bill complaint",
        "status": "completed",
        "statusChangeDate": "2019-05-02T09:30:00Z",
        "attachment": [attachment()],
        "channel": [channel("2", "Call centre"), channel("7", "Email")],
        "interactionDate": {"startDateTime": "2019-05-02T09:12:00Z", "endDateTime": "2019-05-02T09:30:00Z"},
        "interactionItem": [interaction_item(), {"reason": "Address change"}],
        "interactionRelationship": [{
            "id": "8400",
            "href": "https://host/tmf-api/partyInteraction/v4/partyInteraction/8400",
            "relationshipType": "follows",
            "@baseType": "InteractionRelationship",
            "@schemaLocation": "https://host/schemas/InteractionRelationship.schema.json",
            "@type": "InteractionRelationship"
        }],
        "note": [note("1", "Second call about the same bill"), {"text": "Customer satisfied"}],
        "relatedParty": [customer_party()],
        "@baseType": "PartyInteraction",
        "@schemaLocation": "https://host/schemas/PartyInteraction.schema.json",
        "@type": "PartyInteraction"
    })
}

#[test]
fn party_interaction_round_trips_every_property() {
    let document = party_interaction();
    let (interaction, written) = read_and_write::<PartyInteraction>(&document);
    assert_eq!(written, document);
    assert_eq!(interaction.direction, "inbound");
    assert_eq!(interaction.channel.len(), 2);
    assert_eq!(
        interaction.channel[1].href.as_deref(),
        Some("https://host/tmf-api/channel/v4/channel/7")
    );
    let items = interaction.interaction_item.expect("items");
    let item = items[0].item.as_ref().expect("an item");
    assert_eq!(
        (item.role.as_str(), item.referred_type.as_deref()),
        ("disputed bill", Some("CustomerBill"))
    );
    assert_eq!(
        items[1],
        InteractionItem {
            reason: Some("Address change".to_owned()),
            ..InteractionItem::default()
        }
    );
}

#[test]
fn party_interaction_needs_what_tmf683_requires_on_creation() {
    let minimal = json!({
        "direction": "outbound",
        "reason": "Welcome call",
        "status": "open",
        "channel": [{"id": "2", "href": "https://host/tmf-api/channel/v4/channel/2"}],
        "interactionDate": {"startDateTime": "2019-05-02T09:12:00Z"}
    });
    let (interaction, written) = read_and_write::<PartyInteraction>(&minimal);
    assert_eq!(written, minimal);
    assert_eq!(interaction.id, None);

    for pointer in [
        "/interactionDate",
        "/reason",
        "/status",
        "/direction",
        "/channel",
        "/channel/0/id",
        "/relatedParty/0/id",
        "/interactionItem/0/item/role",
    ] {
        let mut document = party_interaction();
        remove(&mut document, pointer);
        let name = pointer.rsplit('/').next().expect("a property");
        assert!(
            refusal::<PartyInteraction>(document).contains(name),
            "{pointer}"
        );
    }
}

#[test]
fn party_interaction_keeps_unknown_properties_at_any_depth() {
    for pointer in [
        "/priority",
        "/channel/0/channelType",
        "/interactionItem/0/item/amount",
        "/interactionItem/0/note/0/visibility",
        "/interactionItem/0/attachment/0/size/precision",
        "/interactionRelationship/0/@referredType",
        "/interactionDate/duration",
    ] {
        let mut document = party_interaction();
        set(&mut document, pointer, json!("surprise"));
        let name = pointer.rsplit('/').next().expect("a property");
        assert!(
            kept_unless_strict::<PartyInteraction>(document, pointer).contains(name),
            "{pointer}"
        );
    }
}

#[test]
fn party_interaction_refuses_wrong_types() {
    for (pointer, wrong) in [
        ("/direction", json!(1)),
        ("/status", json!({"name": "completed"})),
        ("/creationDate", json!("02/05/2019")),
        ("/statusChangeDate", json!(1556788200)),
        ("/channel", json!(channel("2", "Call centre"))),
        ("/interactionDate", json!("2019-05-02T09:12:00Z")),
        ("/interactionItem/0/item", json!([])),
        ("/interactionItem/0/itemDate/endDateTime", json!("later")),
        ("/interactionItem/0/attachment/0/size/amount", json!("big")),
        ("/interactionRelationship", json!({"id": "8400"})),
        ("/note/0/date", json!(true)),
        ("/relatedParty/0/href", json!(7)),
    ] {
        let mut document = party_interaction();
        set(&mut document, pointer, wrong.clone());
        assert!(
            serde_json::from_value::<PartyInteraction>(document).is_err(),
            "accepted {wrong} at {pointer}"
        );
    }
}

#[test]
fn party_interaction_rules_name_the_offending_property() {
    // TMF683 asks for at least one channel on creation.
    let mut no_channel = party_interaction();
    set(&mut no_channel, "/channel", json!([]));
    let violation = first_violation_of::<PartyInteraction>(no_channel);
    assert_eq!(
        (violation.path.as_str(), violation.message.as_str()),
        ("channel", "must not be empty")
    );

    let mut reversed = party_interaction();
    set(
        &mut reversed,
        "/interactionDate/endDateTime",
        json!("2019-05-01T00:00:00Z"),
    );
    assert_eq!(
        first_violation_of::<PartyInteraction>(reversed).path,
        "interactionDate.endDateTime"
    );

    let mut deep = party_interaction();
    set(
        &mut deep,
        "/interactionItem/0/attachment/0/validFor/startDateTime",
        json!("2030-01-01T00:00:00Z"),
    );
    assert_eq!(
        first_violation_of::<PartyInteraction>(deep).path,
        "interactionItem[0].attachment[0].validFor.endDateTime"
    );

    // Direction, reason and status are free text: empty ones are accepted.
    let mut empty_texts = party_interaction();
    for pointer in ["/direction", "/reason", "/status"] {
        set(&mut empty_texts, pointer, json!(""));
    }
    assert_eq!(
        read_and_write::<PartyInteraction>(&empty_texts).1,
        empty_texts
    );
}

#[test]
fn related_parties_of_interactions_may_come_without_a_hyperlink() {
    // TMF683 requires `href`: the server completes it from the stored party.
    let party: InteractionRelatedParty =
        serde_json::from_value(json!({"id": "1140", "@referredType": "Customer"}))
            .expect("no href");
    assert_eq!(party.href, None);
    let written = serde_json::to_value(&party).expect("write");
    assert_eq!(written, json!({"id": "1140", "@referredType": "Customer"}));
}
