//! Checks of every parameter that enters the core, done before anything else happens.
//!
//! Each check returns the parsed value or an [`Invalid`] that names the parameter and the reason,
//! never the value itself (it may be a message or a secret).

use ruma_common::{OwnedEventId, OwnedRoomId, OwnedServerName, OwnedUserId};
use unicode_segmentation::UnicodeSegmentation;
use url::Url;

use crate::Invalid;

/// Result of a check.
pub type CheckResult<T> = Result<T, Invalid>;

/// Longest Matrix identifier the specification allows, in bytes.
const MAX_IDENTIFIER_BYTES: usize = 255;

/// Longest message body we accept. A whole event may not exceed 64 KiB; the rest of the event
/// (ids, keys, encryption envelope, base64 growth of the ciphertext) needs room too.
pub const MAX_BODY_BYTES: usize = 32 * 1024;

/// Longest name or version of the integrating system.
const MAX_LABEL_CHARS: usize = 128;

/// Parses a full Matrix user ID such as `@alice:example.org`.
pub fn user_id(parameter: &'static str, value: &str) -> CheckResult<OwnedUserId> {
    check_identifier(parameter, value, '@')?;
    let parsed = OwnedUserId::try_from(value)
        .map_err(|_| Invalid::new(parameter, "not a valid Matrix user ID"))?;
    if parsed.localpart().is_empty() {
        return Err(Invalid::new(parameter, "has an empty localpart"));
    }
    Ok(parsed)
}

/// Parses a Matrix room ID such as `!abc:example.org`.
pub fn room_id(parameter: &'static str, value: &str) -> CheckResult<OwnedRoomId> {
    check_identifier(parameter, value, '!')?;
    let parsed =
        OwnedRoomId::try_from(value).map_err(|_| Invalid::new(parameter, "not a valid room ID"))?;
    // Room IDs without a server name exist only from room version 12 on, which TI-M does not use.
    if parsed.server_name().is_none() {
        return Err(Invalid::new(parameter, "must name its server"));
    }
    Ok(parsed)
}

/// Checks the user name of a password login: a full user ID or a bare localpart.
pub fn login_user(parameter: &'static str, value: &str) -> CheckResult<()> {
    if value.starts_with('@') {
        return user_id(parameter, value).map(|_| ());
    }
    if value.is_empty() {
        return Err(Invalid::new(parameter, "must not be empty"));
    }
    if value.len() > MAX_IDENTIFIER_BYTES {
        return Err(Invalid::new(parameter, "is too long"));
    }
    let allowed = |c: char| matches!(c, 'a'..='z' | '0'..='9' | '.' | '_' | '=' | '-' | '/' | '+');
    if !value.chars().all(allowed) {
        return Err(Invalid::new(parameter, "not a valid user ID or localpart"));
    }
    Ok(())
}

/// Parses the homeserver's base URL: `http` or `https`, with a host, without credentials,
/// query or fragment.
pub fn homeserver_url(parameter: &'static str, value: &str) -> CheckResult<Url> {
    if value.trim().is_empty() {
        return Err(Invalid::new(parameter, "must not be empty"));
    }
    let url = Url::parse(value).map_err(|_| Invalid::new(parameter, "not a valid URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Invalid::new(parameter, "must use http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Invalid::new(parameter, "must name a host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Invalid::new(parameter, "must not contain credentials"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Invalid::new(parameter, "must not have a query or fragment"));
    }
    Ok(url)
}

/// Checks a text message body: not empty, not too large, no NUL characters.
pub fn message_body(parameter: &'static str, value: &str) -> CheckResult<()> {
    if value.is_empty() {
        return Err(Invalid::new(parameter, "must not be empty"));
    }
    if value.len() > MAX_BODY_BYTES {
        return Err(Invalid::new(parameter, "exceeds 32 KiB in UTF-8"));
    }
    if value.contains('\0') {
        return Err(Invalid::new(parameter, "must not contain NUL characters"));
    }
    Ok(())
}

/// Checks a short printable label such as the integrating system's name or version.
pub fn label(parameter: &'static str, value: &str) -> CheckResult<()> {
    bounded_label(parameter, value, MAX_LABEL_CHARS)
}

/// Checks a single-line text of at most `max_chars` characters: not blank, no control
/// characters.
pub fn bounded_label(parameter: &'static str, value: &str, max_chars: usize) -> CheckResult<()> {
    if value.trim().is_empty() {
        return Err(Invalid::new(parameter, "must not be empty"));
    }
    if value.chars().count() > max_chars {
        return Err(Invalid::new(parameter, "is too long"));
    }
    if value.chars().any(char::is_control) {
        return Err(Invalid::new(parameter, "must not contain control characters"));
    }
    Ok(())
}

/// Checks a name that goes into an audit entry, such as an operation or an error code: 1 to 64
/// characters of ASCII letters, digits and `_`, so that an entry can never carry free text.
pub fn audit_identifier(parameter: &'static str, value: &str) -> CheckResult<()> {
    if value.is_empty() || value.len() > 64 {
        return Err(Invalid::new(parameter, "must have 1 to 64 characters"));
    }
    if !value.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'_') {
        return Err(Invalid::new(parameter, "may hold only ASCII letters, digits and _"));
    }
    Ok(())
}

/// Parses a Matrix event ID such as `$abc` (room versions 4 and later) or `$abc:example.org`.
pub fn event_id(parameter: &'static str, value: &str) -> CheckResult<OwnedEventId> {
    check_identifier(parameter, value, '$')?;
    OwnedEventId::try_from(value).map_err(|_| Invalid::new(parameter, "not a valid event ID"))
}

/// Checks a reaction key: exactly one user-perceived character (one grapheme cluster), so that
/// an emoji with a skin tone or a flag counts as one.
pub fn reaction_key(parameter: &'static str, value: &str) -> CheckResult<()> {
    let mut characters = value.graphemes(true);
    match (characters.next(), characters.next()) {
        (Some(character), None) if !character.chars().any(char::is_control) => Ok(()),
        (None, _) => Err(Invalid::new(parameter, "must not be empty")),
        _ => Err(Invalid::new(parameter, "must be exactly one character")),
    }
}

/// Checks the type of a custom event: namespaced like `de.gematik.fhir`, outside the `m.`
/// namespace (the typed methods send those), at most 255 bytes.
pub fn custom_event_type(parameter: &'static str, value: &str) -> CheckResult<()> {
    event_type(parameter, value)?;
    if value.starts_with("m.") {
        return Err(Invalid::new(parameter, "must not be in the m. namespace"));
    }
    Ok(())
}

/// Checks an event type: not empty, at most 255 bytes, printable ASCII without spaces.
pub fn event_type(parameter: &'static str, value: &str) -> CheckResult<()> {
    if value.is_empty() {
        return Err(Invalid::new(parameter, "must not be empty"));
    }
    if value.len() > MAX_IDENTIFIER_BYTES {
        return Err(Invalid::new(parameter, "exceeds 255 bytes"));
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Invalid::new(parameter, "must be printable ASCII without spaces"));
    }
    Ok(())
}

/// Checks a room name, topic or reason: at most `max_chars` characters, no NUL.
pub fn short_text(parameter: &'static str, value: &str, max_chars: usize) -> CheckResult<()> {
    if value.chars().count() > max_chars {
        return Err(Invalid::new(parameter, "is too long"));
    }
    if value.contains('\0') {
        return Err(Invalid::new(parameter, "must not contain NUL characters"));
    }
    Ok(())
}

/// Longest room name, in characters.
const MAX_ROOM_NAME_CHARS: usize = 255;
/// Longest topic or reason (kick, redaction), in characters.
const MAX_LONG_TEXT_CHARS: usize = 4096;

/// Checks a room name: at most 255 characters, no NUL; empty removes the name.
pub fn room_name(parameter: &'static str, value: &str) -> CheckResult<()> {
    short_text(parameter, value, MAX_ROOM_NAME_CHARS)
}

/// Checks a topic or a reason: at most 4096 characters, no NUL.
pub fn long_text(parameter: &'static str, value: &str) -> CheckResult<()> {
    short_text(parameter, value, MAX_LONG_TEXT_CHARS)
}

/// Checks a search term or other free text that must not be blank.
pub fn search_term(parameter: &'static str, value: &str) -> CheckResult<()> {
    if value.trim().is_empty() {
        return Err(Invalid::new(parameter, "must not be blank"));
    }
    short_text(parameter, value, MAX_LABEL_CHARS)
}

/// Checks a `geo:` URI: `geo:` followed by latitude and longitude (and optional extras).
pub fn geo_uri(parameter: &'static str, value: &str) -> CheckResult<()> {
    let Some(rest) = value.strip_prefix("geo:") else {
        return Err(Invalid::new(parameter, "must start with geo:"));
    };
    let coordinates = rest.split(';').next().unwrap_or_default();
    let mut parts = coordinates.split(',');
    let latitude = parts.next().and_then(|part| part.parse::<f64>().ok());
    let longitude = parts.next().and_then(|part| part.parse::<f64>().ok());
    match (latitude, longitude) {
        (Some(lat), Some(lon))
            if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) =>
        {
            Ok(())
        }
        _ => Err(Invalid::new(parameter, "must give latitude and longitude")),
    }
}

/// Parses a JSON object of at most `max_bytes`.
pub fn json_object(
    parameter: &'static str,
    value: &str,
    max_bytes: usize,
) -> CheckResult<serde_json::Value> {
    if value.len() > max_bytes {
        return Err(Invalid::new(parameter, "exceeds the 64 KiB event limit"));
    }
    let parsed: serde_json::Value =
        serde_json::from_str(value).map_err(|_| Invalid::new(parameter, "is not valid JSON"))?;
    if !parsed.is_object() {
        return Err(Invalid::new(parameter, "must be a JSON object"));
    }
    Ok(parsed)
}

/// Parses a Matrix server name: a host name or IP literal with an optional port.
pub fn server_name(parameter: &'static str, value: &str) -> CheckResult<OwnedServerName> {
    if value.is_empty() || value.len() > MAX_IDENTIFIER_BYTES {
        return Err(Invalid::new(parameter, "not a valid server name"));
    }
    OwnedServerName::try_from(value).map_err(|_| Invalid::new(parameter, "not a valid server name"))
}

/// Checks an IK number (Institutionskennzeichen): nine digits.
pub fn ik_number(parameter: &'static str, value: &str) -> CheckResult<()> {
    if value.len() != 9 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Invalid::new(parameter, "must have nine digits"));
    }
    Ok(())
}

/// Checks an attachment's file name: printable, not blank, at most 255 characters.
pub fn file_name(parameter: &'static str, value: &str) -> CheckResult<()> {
    if value.trim().is_empty() {
        return Err(Invalid::new(parameter, "must not be blank"));
    }
    if value.chars().count() > 255 {
        return Err(Invalid::new(parameter, "exceeds 255 characters"));
    }
    if value.chars().any(char::is_control) {
        return Err(Invalid::new(parameter, "must not contain control characters"));
    }
    Ok(())
}

/// Checks a MIME type such as `application/pdf`: `type/subtype` of RFC 6838 token
/// characters, at most 255 bytes, without parameters.
pub fn mime_type(parameter: &'static str, value: &str) -> CheckResult<()> {
    let token = |part: &str| {
        !part.is_empty()
            && part.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    match value.split_once('/') {
        Some((kind, subtype))
            if value.len() <= MAX_IDENTIFIER_BYTES && token(kind) && token(subtype) =>
        {
            Ok(())
        }
        _ => Err(Invalid::new(parameter, "not a MIME type like application/pdf")),
    }
}

fn check_identifier(parameter: &'static str, value: &str, sigil: char) -> CheckResult<()> {
    if value.is_empty() {
        return Err(Invalid::new(parameter, "must not be empty"));
    }
    if value.len() > MAX_IDENTIFIER_BYTES {
        return Err(Invalid::new(parameter, "exceeds 255 bytes"));
    }
    if !value.starts_with(sigil) {
        return Err(Invalid::new(parameter, "has the wrong sigil"));
    }
    if value.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Invalid::new(parameter, "must not contain spaces or control characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_well_formed_identifiers() {
        assert!(user_id("userId", "@alice:example.org").is_ok());
        assert!(user_id("userId", "@bob:127.0.0.1:8008").is_ok());
        assert!(room_id("roomId", "!abcdef:example.org").is_ok());
        assert!(login_user("user", "alice").is_ok());
        assert!(login_user("user", "@alice:localhost").is_ok());
    }

    #[test]
    fn refuses_malformed_identifiers_without_echoing_them() {
        for bad in ["", "alice", "@alice", "@al ice:example.org", "!room:example.org", "@:x"] {
            let error = user_id("userId", bad).expect_err(bad);
            let text = error.to_string();
            assert!(text.starts_with("invalid userId"), "{text}");
            assert!(bad.is_empty() || !text.contains(bad), "{text}");
        }
        let long = format!("@{}:example.org", "a".repeat(300));
        assert!(user_id("userId", &long).is_err());
        for bad in ["", "#alias:example.org", "!", "!nocolon", "!a:b\n"] {
            assert!(room_id("roomId", bad).is_err(), "{bad:?}");
        }
        for bad in ["", "Alice", "a b", "al:ice", "ä"] {
            assert!(login_user("user", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn homeserver_url_must_be_plain_http_or_https() {
        assert!(homeserver_url("homeserverUrl", "http://127.0.0.1:8008").is_ok());
        assert!(homeserver_url("homeserverUrl", "https://matrix.example.org/").is_ok());
        for bad in [
            "",
            "   ",
            "not a url",
            "ftp://example.org",
            "file:///etc/passwd",
            "https://user:pw@example.org",
            "https://example.org/?a=b",
            "https://example.org/#x",
            "https://",
        ] {
            assert!(homeserver_url("homeserverUrl", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn message_bodies_are_bounded() {
        assert!(message_body("body", "hello").is_ok());
        assert!(message_body("body", "").is_err());
        assert!(message_body("body", "a\0b").is_err());
        assert!(message_body("body", &"x".repeat(MAX_BODY_BYTES)).is_ok());
        assert!(message_body("body", &"x".repeat(MAX_BODY_BYTES + 1)).is_err());
    }

    #[test]
    fn event_ids_types_and_texts_are_checked() {
        assert!(event_id("eventId", "$abc123").is_ok());
        assert!(event_id("eventId", "$abc:example.org").is_ok());
        for bad in ["", "abc", "!abc:example.org", "$a b"] {
            assert!(event_id("eventId", bad).is_err(), "{bad:?}");
        }
        assert!(custom_event_type("eventType", "de.gematik.fhir").is_ok());
        for bad in ["", "m.room.message", "with space", "ü.x"] {
            assert!(custom_event_type("eventType", bad).is_err(), "{bad:?}");
        }
        assert!(short_text("name", "Station 3", 10).is_ok());
        assert!(short_text("name", "Station 3b!", 10).is_err());
        assert!(room_name("name", &"n".repeat(255)).is_ok());
        assert!(room_name("name", &"n".repeat(256)).is_err());
        assert!(long_text("topic", &"t".repeat(4096)).is_ok());
        assert!(long_text("topic", &"t".repeat(4097)).is_err());
        assert!(search_term("term", "  ").is_err());
        assert!(mime_type("mimeType", "application/pdf").is_ok());
        assert!(mime_type("mimeType", "image/svg+xml").is_ok());
        for bad in ["", "pdf", "text/", "/plain", "text/plain; charset=utf-8", "a/b/c"] {
            assert!(mime_type("mimeType", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn labels_are_short_and_printable() {
        assert!(label("name", "KIS Beispiel").is_ok());
        assert!(label("name", " ").is_err());
        assert!(label("name", "a\u{7}b").is_err());
        assert!(label("name", &"n".repeat(129)).is_err());
    }
}
