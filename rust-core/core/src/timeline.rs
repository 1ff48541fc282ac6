//! Turns the JSON of timeline events into [`ClientEvent`]s.
//!
//! The engine hands over events as raw JSON (decrypted where it could). Reading them as JSON
//! instead of through typed event structs keeps events of unknown or malformed shape: a vendor's
//! own message type or a custom event still reaches the integrating system instead of being
//! dropped by a failed deserialisation. Only an event without ID, sender or timestamp is skipped.

use serde_json::Value;

use crate::events::{
    AttachmentInfo, ClientEvent, CustomEvent, EditEvent, EventMeta, InviteEvent, MessageEvent,
    ReactionEvent, ReceiptEvent, RedactionEvent, StateEvent,
};

/// The format value of an HTML `formatted_body`.
const HTML_FORMAT: &str = "org.matrix.custom.html";
/// Message types whose content describes a file.
const ATTACHMENT_TYPES: [&str; 4] = ["m.file", "m.image", "m.audio", "m.video"];

/// Converts one timeline event; `None` for an event that lacks its ID, sender or timestamp.
pub(crate) fn convert(room_id: &str, event: &Value, encrypted: bool) -> Option<ClientEvent> {
    let meta = meta(room_id, event, encrypted)?;
    let event_type = text(event, "type")?;
    let content = event.get("content").filter(|c| c.is_object()).cloned().unwrap_or_default();

    if let Some(state_key) = text(event, "state_key") {
        return Some(ClientEvent::State(StateEvent {
            meta,
            event_type: event_type.to_owned(),
            state_key: state_key.to_owned(),
            content_json: json_object(&content),
        }));
    }

    let converted = match event_type {
        "m.room.message" => message(meta, &content),
        "m.room.redaction" => redaction(meta, event, &content),
        "m.reaction" => reaction(meta, &content),
        "m.room.encrypted" => Some(ClientEvent::Undecryptable(meta)),
        _ => None,
    };
    converted.or_else(|| {
        // Anything we could not read as its own kind is handed over as it is.
        let meta = self::meta(room_id, event, encrypted)?;
        Some(ClientEvent::Custom(CustomEvent {
            meta,
            event_type: event_type.to_owned(),
            content_json: json_object(&content),
        }))
    })
}

/// The ID, sender and timestamp of an event, if it has them.
pub(crate) fn meta(room_id: &str, event: &Value, encrypted: bool) -> Option<EventMeta> {
    Some(EventMeta {
        room_id: room_id.to_owned(),
        event_id: text(event, "event_id")?.to_owned(),
        sender: text(event, "sender")?.to_owned(),
        timestamp_millis: event.get("origin_server_ts")?.as_u64()?,
        encrypted,
        case_references: Vec::new(),
    })
}

/// Whether this device sent the event: the server adds the transaction ID only for the device
/// that sent it, so the event is the echo of one of our own send calls.
pub(crate) fn is_own_echo(event: &Value) -> bool {
    event.get("unsigned").and_then(|unsigned| unsigned.get("transaction_id")).is_some()
}

/// The read receipts in an `m.receipt` ephemeral event.
pub(crate) fn receipts(room_id: &str, event: &Value) -> Vec<ReceiptEvent> {
    if text(event, "type") != Some("m.receipt") {
        return Vec::new();
    }
    let Some(content) = event.get("content").and_then(Value::as_object) else {
        return Vec::new();
    };

    let mut receipts = Vec::new();
    for (event_id, by_type) in content {
        let Some(by_type) = by_type.as_object() else { continue };
        for (receipt_type, by_user) in by_type {
            let Some(by_user) = by_user.as_object() else { continue };
            for (user_id, details) in by_user {
                receipts.push(ReceiptEvent {
                    room_id: room_id.to_owned(),
                    event_id: event_id.clone(),
                    user_id: user_id.clone(),
                    receipt_type: receipt_type.clone(),
                    timestamp_millis: details.get("ts").and_then(Value::as_u64),
                });
            }
        }
    }
    receipts
}

/// The invitation in a stripped `m.room.member` event, if it invites `own_user_id`.
pub(crate) fn invite(room_id: &str, stripped: &Value, own_user_id: &str) -> Option<InviteEvent> {
    let is_member_event = text(stripped, "type") == Some("m.room.member");
    let for_us = text(stripped, "state_key") == Some(own_user_id);
    let membership = stripped.get("content").and_then(|content| text(content, "membership"));
    if !is_member_event || !for_us || membership != Some("invite") {
        return None;
    }
    Some(InviteEvent { room_id: room_id.to_owned(), inviter: text(stripped, "sender")?.to_owned() })
}

fn message(meta: EventMeta, content: &Value) -> Option<ClientEvent> {
    let relation = content.get("m.relates_to");
    if relation.and_then(|r| text(r, "rel_type")) == Some("m.replace") {
        let target_event_id = relation.and_then(|r| text(r, "event_id"))?.to_owned();
        // Receivers take the new text from `m.new_content`; the outer body is a fallback.
        let new_content = content.get("m.new_content").filter(|c| c.is_object()).unwrap_or(content);
        return Some(ClientEvent::Edit(EditEvent {
            meta,
            target_event_id,
            body: text(new_content, "body").unwrap_or_default().to_owned(),
            formatted_body: html_body(new_content),
        }));
    }

    // A redacted message has lost its content; it is handed over as a custom event.
    let message_type = text(content, "msgtype")?;
    let in_reply_to = relation
        .and_then(|r| r.get("m.in_reply_to"))
        .and_then(|reply| text(reply, "event_id"))
        .map(str::to_owned);
    let geo_uri = (message_type == "m.location")
        .then(|| text(content, "geo_uri").map(str::to_owned))
        .flatten();
    let attachment = ATTACHMENT_TYPES.contains(&message_type).then(|| attachment(content));

    Some(ClientEvent::Message(MessageEvent {
        meta,
        message_type: message_type.to_owned(),
        body: text(content, "body").unwrap_or_default().to_owned(),
        formatted_body: html_body(content),
        in_reply_to,
        geo_uri,
        attachment,
    }))
}

fn attachment(content: &Value) -> AttachmentInfo {
    let info = content.get("info");
    AttachmentInfo {
        file_name: text(content, "filename").map(str::to_owned),
        mime_type: info.and_then(|i| text(i, "mimetype")).map(str::to_owned),
        size: info.and_then(|i| i.get("size")).and_then(Value::as_u64),
        encrypted: content.get("file").is_some_and(Value::is_object),
    }
}

fn redaction(meta: EventMeta, event: &Value, content: &Value) -> Option<ClientEvent> {
    // Up to room version 10 the target is a top-level key; from 11 on it is in the content.
    let target = text(event, "redacts").or_else(|| text(content, "redacts"))?;
    Some(ClientEvent::Redaction(RedactionEvent {
        meta,
        target_event_id: target.to_owned(),
        reason: text(content, "reason").map(str::to_owned),
    }))
}

fn reaction(meta: EventMeta, content: &Value) -> Option<ClientEvent> {
    let relation = content.get("m.relates_to")?;
    if text(relation, "rel_type") != Some("m.annotation") {
        return None;
    }
    Some(ClientEvent::Reaction(ReactionEvent {
        meta,
        target_event_id: text(relation, "event_id")?.to_owned(),
        key: text(relation, "key")?.to_owned(),
    }))
}

fn html_body(content: &Value) -> Option<String> {
    if text(content, "format") != Some(HTML_FORMAT) {
        return None;
    }
    text(content, "formatted_body").map(str::to_owned)
}

fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

fn json_object(content: &Value) -> String {
    if content.is_object() {
        content.to_string()
    } else {
        "{}".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const ROOM: &str = "!room:example.org";

    fn event(event_type: &str, content: Value) -> Value {
        json!({
            "type": event_type,
            "event_id": "$event",
            "sender": "@alice:example.org",
            "origin_server_ts": 1_700_000_000_000_u64,
            "content": content,
        })
    }

    #[test]
    fn reads_text_with_html_and_reply() {
        let converted = convert(
            ROOM,
            &event(
                "m.room.message",
                json!({
                    "msgtype": "m.text",
                    "body": "hello",
                    "format": "org.matrix.custom.html",
                    "formatted_body": "<b>hello</b>",
                    "m.relates_to": { "m.in_reply_to": { "event_id": "$earlier" } },
                }),
            ),
            true,
        );
        let Some(ClientEvent::Message(message)) = converted else { panic!("{converted:?}") };
        assert_eq!(message.meta.event_id, "$event");
        assert_eq!(message.meta.timestamp_millis, 1_700_000_000_000);
        assert!(message.meta.encrypted);
        assert_eq!(message.message_type, "m.text");
        assert_eq!(message.body, "hello");
        assert_eq!(message.formatted_body.as_deref(), Some("<b>hello</b>"));
        assert_eq!(message.in_reply_to.as_deref(), Some("$earlier"));
        assert_eq!(message.attachment, None);
    }

    #[test]
    fn reads_location_and_attachment_descriptions() {
        let location = convert(
            ROOM,
            &event(
                "m.room.message",
                json!({ "msgtype": "m.location", "body": "here", "geo_uri": "geo:52.5,13.4" }),
            ),
            false,
        );
        let Some(ClientEvent::Message(location)) = location else { panic!("{location:?}") };
        assert_eq!(location.geo_uri.as_deref(), Some("geo:52.5,13.4"));

        let image = convert(
            ROOM,
            &event(
                "m.room.message",
                json!({
                    "msgtype": "m.image",
                    "body": "scan.png",
                    "filename": "scan.png",
                    "info": { "mimetype": "image/png", "size": 1234 },
                    "file": { "v": "v2", "url": "mxc://example.org/abc" },
                }),
            ),
            true,
        );
        let Some(ClientEvent::Message(image)) = image else { panic!("{image:?}") };
        let attachment = image.attachment.expect("attachment");
        assert_eq!(attachment.file_name.as_deref(), Some("scan.png"));
        assert_eq!(attachment.mime_type.as_deref(), Some("image/png"));
        assert_eq!(attachment.size, Some(1234));
        assert!(attachment.encrypted);
    }

    #[test]
    fn reads_edits_from_the_new_content() {
        let converted = convert(
            ROOM,
            &event(
                "m.room.message",
                json!({
                    "msgtype": "m.text",
                    "body": "* fixed",
                    "m.new_content": { "msgtype": "m.text", "body": "fixed" },
                    "m.relates_to": { "rel_type": "m.replace", "event_id": "$original" },
                }),
            ),
            true,
        );
        let Some(ClientEvent::Edit(edit)) = converted else { panic!("{converted:?}") };
        assert_eq!(edit.target_event_id, "$original");
        assert_eq!(edit.body, "fixed");
    }

    #[test]
    fn reads_redactions_of_both_room_version_shapes() {
        let mut old_shape = event("m.room.redaction", json!({ "reason": "typo" }));
        old_shape["redacts"] = json!("$gone");
        let new_shape = event("m.room.redaction", json!({ "redacts": "$gone" }));
        for raw in [old_shape, new_shape] {
            let converted = convert(ROOM, &raw, false);
            let Some(ClientEvent::Redaction(redaction)) = converted else {
                panic!("{converted:?}")
            };
            assert_eq!(redaction.target_event_id, "$gone");
        }
    }

    #[test]
    fn reads_reactions_and_keeps_unknown_types_as_custom() {
        let reaction = convert(
            ROOM,
            &event(
                "m.reaction",
                json!({ "m.relates_to": {
                    "rel_type": "m.annotation", "event_id": "$target", "key": "👍"
                } }),
            ),
            true,
        );
        let Some(ClientEvent::Reaction(reaction)) = reaction else { panic!("{reaction:?}") };
        assert_eq!((reaction.target_event_id.as_str(), reaction.key.as_str()), ("$target", "👍"));

        let custom = convert(ROOM, &event("de.gematik.fhir", json!({ "resourceType": "x" })), true);
        let Some(ClientEvent::Custom(custom)) = custom else { panic!("{custom:?}") };
        assert_eq!(custom.event_type, "de.gematik.fhir");
        let content: Value = serde_json::from_str(&custom.content_json).expect("json");
        assert_eq!(content["resourceType"], "x");

        // A redacted message has no msgtype any more.
        let redacted = convert(ROOM, &event("m.room.message", json!({})), true);
        assert!(matches!(redacted, Some(ClientEvent::Custom(_))), "{redacted:?}");
    }

    #[test]
    fn reads_state_events_and_skips_events_without_identity() {
        let mut member = event("m.room.member", json!({ "membership": "join" }));
        member["state_key"] = json!("@bob:example.org");
        let Some(ClientEvent::State(state)) = convert(ROOM, &member, false) else { panic!() };
        assert_eq!(state.event_type, "m.room.member");
        assert_eq!(state.state_key, "@bob:example.org");

        let mut anonymous = event("m.room.message", json!({ "msgtype": "m.text", "body": "x" }));
        anonymous.as_object_mut().expect("object").remove("sender");
        assert_eq!(convert(ROOM, &anonymous, false), None);
    }

    #[test]
    fn recognises_echoes_receipts_and_invites() {
        let mut echo = event("m.room.message", json!({ "msgtype": "m.text", "body": "x" }));
        assert!(!is_own_echo(&echo));
        echo["unsigned"] = json!({ "transaction_id": "t1" });
        assert!(is_own_echo(&echo));

        let receipt = json!({
            "type": "m.receipt",
            "content": { "$read": { "m.read": { "@bob:example.org": { "ts": 42 } } } },
        });
        let receipts = receipts(ROOM, &receipt);
        assert_eq!(receipts.len(), 1);
        assert_eq!(receipts[0].event_id, "$read");
        assert_eq!(receipts[0].user_id, "@bob:example.org");
        assert_eq!(receipts[0].timestamp_millis, Some(42));

        let stripped = json!({
            "type": "m.room.member",
            "state_key": "@me:example.org",
            "sender": "@alice:example.org",
            "content": { "membership": "invite" },
        });
        let invite = invite(ROOM, &stripped, "@me:example.org").expect("invite");
        assert_eq!(invite.inviter, "@alice:example.org");
        assert_eq!(self::invite(ROOM, &stripped, "@other:example.org"), None);
    }
}
