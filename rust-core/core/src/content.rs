//! Builds the content of the events the client sends, after checking every part of it.
//!
//! Content is built as JSON and sent raw, so that one send path serves messages, edits,
//! reactions and custom events alike, and so that a custom event's JSON is sent as given.

use serde_json::{json, Map, Value};

use crate::{
    error::{CoreError, CoreResult},
    validate,
};

/// The largest event the homeserver accepts, in bytes of JSON.
pub const MAX_EVENT_BYTES: usize = 64 * 1024;
/// What an event adds around its content: IDs, sender, timestamps, signatures and hashes.
const EVENT_ENVELOPE_BYTES: usize = 1024;
/// What an encrypted event adds around the ciphertext: algorithm, sender key, session and
/// device IDs.
const ENCRYPTION_ENVELOPE_BYTES: usize = 512;

/// The kinds of text-like message [`message`] builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// `m.text`
    Text,
    /// `m.notice`, for automated messages.
    Notice,
    /// `m.emote`, an action in the third person.
    Emote,
    /// `m.location`, with a `geo:` URI.
    Location,
}

impl TextKind {
    fn message_type(self) -> &'static str {
        match self {
            Self::Text => "m.text",
            Self::Notice => "m.notice",
            Self::Emote => "m.emote",
            Self::Location => "m.location",
        }
    }
}

/// A text-like message to send.
#[derive(Clone)]
pub struct OutgoingMessage {
    /// Which kind of message.
    pub kind: TextKind,
    /// The plain-text body; for a location, its description.
    pub body: String,
    /// An HTML body, sent as `org.matrix.custom.html` beside the plain one.
    pub formatted_body: Option<String>,
    /// The `geo:` URI of a location; required for [`TextKind::Location`], refused otherwise.
    pub geo_uri: Option<String>,
    /// The event this message replies to.
    pub reply_to: Option<String>,
}

impl OutgoingMessage {
    /// A plain `m.text` message.
    pub fn text(body: impl Into<String>) -> Self {
        Self {
            kind: TextKind::Text,
            body: body.into(),
            formatted_body: None,
            geo_uri: None,
            reply_to: None,
        }
    }
}

// Bodies are message content: they must never reach a log through `Debug`.
impl std::fmt::Debug for OutgoingMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingMessage")
            .field("kind", &self.kind)
            .field("reply_to", &self.reply_to)
            .finish_non_exhaustive()
    }
}

/// The content of a text-like message.
pub fn message(message: &OutgoingMessage) -> CoreResult<Value> {
    validate::message_body("body", &message.body)?;
    let mut content = Map::new();
    content.insert("msgtype".into(), message.kind.message_type().into());
    content.insert("body".into(), message.body.clone().into());
    if let Some(html) = &message.formatted_body {
        validate::message_body("formattedBody", html)?;
        content.insert("format".into(), "org.matrix.custom.html".into());
        content.insert("formatted_body".into(), html.clone().into());
    }

    match (message.kind, &message.geo_uri) {
        (TextKind::Location, Some(uri)) => {
            validate::geo_uri("geoUri", uri)?;
            content.insert("geo_uri".into(), uri.clone().into());
        }
        (TextKind::Location, None) => {
            return Err(CoreError::invalid("geoUri", "is required for a location"))
        }
        (_, Some(_)) => return Err(CoreError::invalid("geoUri", "belongs to locations only")),
        (_, None) => {}
    }

    if let Some(target) = &message.reply_to {
        validate::event_id("replyTo", target)?;
        content.insert("m.relates_to".into(), json!({ "m.in_reply_to": { "event_id": target } }));
    }
    Ok(Value::Object(content))
}

/// The content of an edit (`m.replace`) of `target`. An empty `body` deletes the message's text
/// ("delete by replace").
pub fn edit(target: &str, body: &str, formatted_body: Option<&str>) -> CoreResult<Value> {
    validate::event_id("targetEventId", target)?;
    if !body.is_empty() {
        validate::message_body("body", body)?;
    }
    let mut new_content = json!({ "msgtype": "m.text", "body": body });
    if let Some(html) = formatted_body {
        validate::message_body("formattedBody", html)?;
        new_content["format"] = "org.matrix.custom.html".into();
        new_content["formatted_body"] = html.into();
    }
    Ok(json!({
        "msgtype": "m.text",
        // Clients that do not understand edits show this fallback.
        "body": format!("* {body}"),
        "m.new_content": new_content,
        "m.relates_to": { "rel_type": "m.replace", "event_id": target },
    }))
}

/// The content of a reaction to `target`; the key must be exactly one user-perceived character.
pub fn reaction(target: &str, key: &str) -> CoreResult<Value> {
    validate::event_id("targetEventId", target)?;
    validate::reaction_key("key", key)?;
    Ok(json!({ "m.relates_to": { "rel_type": "m.annotation", "event_id": target, "key": key } }))
}

/// Parses a custom event's type and JSON content and checks that the event fits the size limit.
pub fn custom(event_type: &str, content_json: &str, encrypted_room: bool) -> CoreResult<Value> {
    validate::custom_event_type("eventType", event_type)?;
    let content = validate::json_object("contentJson", content_json, MAX_EVENT_BYTES)?;
    check_event_size("contentJson", event_type, &content, encrypted_room)?;
    Ok(content)
}

/// Refuses content whose event would exceed the homeserver's 64 KiB limit.
///
/// For an encrypted room the estimate follows what the engine sends: the event type and content
/// are encrypted together, the ciphertext is base64 (4 bytes for every 3), and the encryption
/// envelope and the event envelope come on top. The estimate errs on the large side, so an
/// event it lets through is not refused by the server for its size.
pub fn check_event_size(
    parameter: &'static str,
    event_type: &str,
    content: &Value,
    encrypted_room: bool,
) -> CoreResult<()> {
    let content_bytes = content.to_string().len();
    let estimate = if encrypted_room {
        let plaintext = content_bytes + event_type.len() + 2 * 255 + 64;
        plaintext.div_ceil(3) * 4 + ENCRYPTION_ENVELOPE_BYTES + EVENT_ENVELOPE_BYTES
    } else {
        content_bytes + event_type.len() + EVENT_ENVELOPE_BYTES
    };
    if estimate > MAX_EVENT_BYTES {
        return Err(CoreError::invalid(parameter, "exceeds the 64 KiB event limit"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(kind: TextKind) -> OutgoingMessage {
        OutgoingMessage {
            kind,
            body: "hello".into(),
            formatted_body: None,
            geo_uri: None,
            reply_to: None,
        }
    }

    #[test]
    fn builds_text_kinds_with_html_and_replies() {
        let mut message = text(TextKind::Notice);
        message.formatted_body = Some("<i>hello</i>".into());
        message.reply_to = Some("$earlier:example.org".into());
        let content = super::message(&message).expect("content");
        assert_eq!(content["msgtype"], "m.notice");
        assert_eq!(content["format"], "org.matrix.custom.html");
        assert_eq!(content["formatted_body"], "<i>hello</i>");
        assert_eq!(content["m.relates_to"]["m.in_reply_to"]["event_id"], "$earlier:example.org");

        assert_eq!(super::message(&text(TextKind::Emote)).expect("emote")["msgtype"], "m.emote");
    }

    #[test]
    fn locations_need_a_valid_geo_uri() {
        let mut location = text(TextKind::Location);
        assert!(super::message(&location).is_err());
        location.geo_uri = Some("geo:52.52,13.405".into());
        assert_eq!(super::message(&location).expect("location")["geo_uri"], "geo:52.52,13.405");
        for bad in ["52.52,13.405", "geo:", "geo:91,0", "geo:a,b", "geo:1"] {
            location.geo_uri = Some(bad.into());
            assert!(super::message(&location).is_err(), "{bad}");
        }
        let mut plain = text(TextKind::Text);
        plain.geo_uri = Some("geo:1,2".into());
        assert!(super::message(&plain).is_err());
    }

    #[test]
    fn edits_carry_new_content_and_may_empty_the_body() {
        let content = edit("$original", "fixed", None).expect("edit");
        assert_eq!(content["m.new_content"]["body"], "fixed");
        assert_eq!(content["m.relates_to"]["rel_type"], "m.replace");
        assert_eq!(content["m.relates_to"]["event_id"], "$original");

        let deletion = edit("$original", "", None).expect("delete by replace");
        assert_eq!(deletion["m.new_content"]["body"], "");
        assert!(edit("not-an-event-id", "x", None).is_err());
    }

    #[test]
    fn reactions_take_exactly_one_character() {
        assert!(reaction("$target", "👍").is_ok());
        assert!(reaction("$target", "👍🏽").is_ok(), "an emoji with a skin tone is one character");
        assert!(reaction("$target", "x").is_ok());
        for bad in ["", "ab", "👍👍"] {
            assert!(reaction("$target", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn custom_events_must_be_objects_within_the_size_limit() {
        assert!(custom("de.gematik.fhir", r#"{"resourceType":"Patient"}"#, true).is_ok());
        assert!(custom("de.gematik.fhir", "[1,2]", true).is_err());
        assert!(custom("de.gematik.fhir", "{not json", true).is_err());
        assert!(custom("m.room.message", "{}", true).is_err(), "typed methods send m.* events");
        assert!(custom("", "{}", true).is_err());

        let sized = |bytes: usize| format!(r#"{{"data":"{}"}}"#, "x".repeat(bytes));
        assert!(custom("de.gematik.fhir", &sized(40 * 1024), false).is_ok());
        assert!(custom("de.gematik.fhir", &sized(40 * 1024), true).is_ok());
        assert!(custom("de.gematik.fhir", &sized(50 * 1024), true).is_err(), "base64 grows it");
        assert!(custom("de.gematik.fhir", &sized(62 * 1024), false).is_ok());
        assert!(custom("de.gematik.fhir", &sized(64 * 1024), false).is_err());
    }
}
