//! Every parameter check on arbitrary text: none may panic, a refusal names the parameter that
//! was checked, and what the identifier checks accept reads back unchanged. (A refusal cannot
//! echo the value: its parameter and reason are static texts.)

#![no_main]

use libfuzzer_sys::fuzz_target;
use tim_headless_checks::{validate, Invalid};

fuzz_target!(|data: &[u8]| {
    // The first byte picks the size bound of the bounded checks; the rest is the value, as the
    // JNI bridge would pass it after converting from UTF-16 (invalid sequences replaced).
    let Some((&bound, rest)) = data.split_first() else { return };
    let value = String::from_utf8_lossy(rest);
    let value = value.as_ref();
    let max_chars = usize::from(bound);

    let refusals: Vec<(&str, Option<Invalid>)> = vec![
        (
            "userId",
            validate::user_id("userId", value).map(|id| assert_eq!(id.as_str(), value)).err(),
        ),
        (
            "roomId",
            validate::room_id("roomId", value).map(|id| assert_eq!(id.as_str(), value)).err(),
        ),
        (
            "eventId",
            validate::event_id("eventId", value).map(|id| assert_eq!(id.as_str(), value)).err(),
        ),
        (
            "serverName",
            validate::server_name("serverName", value)
                .map(|name| assert_eq!(name.as_str(), value))
                .err(),
        ),
        ("user", validate::login_user("user", value).err()),
        ("homeserverUrl", validate::homeserver_url("homeserverUrl", value).err()),
        ("body", validate::message_body("body", value).err()),
        ("label", validate::label("label", value).err()),
        ("label", validate::bounded_label("label", value, max_chars).err()),
        ("operator", validate::audit_identifier("operator", value).err()),
        ("key", validate::reaction_key("key", value).err()),
        ("eventType", validate::custom_event_type("eventType", value).err()),
        ("eventType", validate::event_type("eventType", value).err()),
        ("name", validate::short_text("name", value, max_chars).err()),
        ("name", validate::room_name("name", value).err()),
        ("topic", validate::long_text("topic", value).err()),
        ("term", validate::search_term("term", value).err()),
        ("geoUri", validate::geo_uri("geoUri", value).err()),
        ("content", validate::json_object("content", value, 64 * 1024).err()),
        ("ikNumber", validate::ik_number("ikNumber", value).err()),
        ("fileName", validate::file_name("fileName", value).err()),
        ("mimeType", validate::mime_type("mimeType", value).err()),
    ];
    for (parameter, refusal) in refusals {
        if let Some(refusal) = refusal {
            assert_eq!(refusal.parameter, parameter, "a refusal names the parameter checked");
            assert!(refusal.to_string().starts_with("invalid "));
        }
    }
});
