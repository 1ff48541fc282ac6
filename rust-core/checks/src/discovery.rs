//! The client-server API's `.well-known/matrix/client` document, which a server name publishes
//! to say where its homeserver is: read from untrusted bytes into a checked base URL.

use serde_json::Value;
use url::Url;

use crate::{
    validate::{self, CheckResult},
    Invalid,
};

/// The largest document accepted.
const MAX_DOCUMENT_BYTES: usize = 64 * 1024;

/// The homeserver's base URL from a `.well-known/matrix/client` document, checked like a
/// configured one.
///
/// # Errors
/// [`Invalid`] naming `serverName` for a document that is too large, no JSON, names no base
/// URL, or one that the homeserver URL check refuses.
pub fn homeserver_from_document(body: &[u8]) -> CheckResult<Url> {
    let malformed = || Invalid::new("serverName", "publishes a malformed .well-known");
    if body.len() > MAX_DOCUMENT_BYTES {
        return Err(malformed());
    }
    let document: Value = serde_json::from_slice(body).map_err(|_| malformed())?;
    let base_url = document
        .get("m.homeserver")
        .and_then(|homeserver| homeserver.get("base_url"))
        .and_then(Value::as_str)
        .ok_or_else(malformed)?;
    validate::homeserver_url("serverName", base_url.trim_end_matches('/')).map_err(|_| malformed())
}
