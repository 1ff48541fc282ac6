//! The lines of the audit log: how an entry is sealed with its mac and how a line is checked.
//!
//! A line is the entry's JSON body with a last member `mac`:
//!
//! ```text
//! {"seq":1,"time":"2026-12-04T04:05:06.789Z","event":"login","fields":{..},"mac":"<64 hex>"}
//! ```
//!
//! `mac` is HMAC-SHA256 over the previous entry's mac followed by the body as it reads without
//! its `mac` member. Reading the file and keeping the chain's key is the core's business; this
//! module only turns bodies into lines and lines back into verified entries.

use std::collections::BTreeMap;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// How a line ends: the mac member and the closing brace.
const MAC_PREFIX: &str = ",\"mac\":\"";
const MAC_HEX_LEN: usize = 64;

type HmacSha256 = Hmac<Sha256>;

/// An entry's content before its mac, in the order the fields are written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryBody {
    /// Position in the chain, from 1.
    pub seq: u64,
    /// UTC time of writing, ISO 8601 with milliseconds.
    pub time: String,
    /// The event's name.
    pub event: String,
    /// The event's details: identifiers and codes.
    pub fields: BTreeMap<String, String>,
}

/// The line of `body` chained to `previous`, newline included, and its mac.
pub fn seal(key: &[u8; 32], previous: &[u8; 32], body: &EntryBody) -> (String, [u8; 32]) {
    // Serialising a struct of strings and integers into a string cannot fail.
    let body_json = serde_json::to_string(body).unwrap_or_else(|_| unreachable!());
    let mac = entry_mac(key, previous, &body_json);
    let open = body_json.strip_suffix('}').unwrap_or(&body_json);
    (format!("{open}{MAC_PREFIX}{}\"}}\n", hex(&mac)), mac)
}

/// The mac of a line (without its newline) that verifies as entry `expected` after `previous`;
/// otherwise why not.
///
/// # Errors
/// A short reason that names the kind of damage, never the line's content.
pub fn check(
    key: &[u8; 32],
    previous: &[u8; 32],
    expected: u64,
    line: &[u8],
) -> Result<[u8; 32], &'static str> {
    let line = std::str::from_utf8(line).map_err(|_| "the entry is not text")?;
    let body_end =
        line.len().checked_sub(MAC_PREFIX.len() + MAC_HEX_LEN + 2).ok_or("the entry has no mac")?;
    if !line.is_char_boundary(body_end) {
        return Err("the entry has no mac");
    }
    let (body_start, mac_part) = line.split_at(body_end);
    let mac_hex = mac_part
        .strip_prefix(MAC_PREFIX)
        .and_then(|rest| rest.strip_suffix("\"}"))
        .ok_or("the entry has no mac")?;
    let body_json = format!("{body_start}}}");
    let mac = entry_mac(key, previous, &body_json);
    if !constant_time_eq(hex(&mac).as_bytes(), mac_hex.as_bytes()) {
        return Err("the entry's mac does not match: it was changed, moved or inserted");
    }
    let body: EntryBody = serde_json::from_str(&body_json).map_err(|_| "the entry is malformed")?;
    if body.seq != expected {
        return Err("the entry's sequence number is out of order");
    }
    Ok(mac)
}

fn entry_mac(key: &[u8; 32], previous: &[u8; 32], body_json: &str) -> [u8; 32] {
    // HMAC takes a key of any length.
    let mut mac = HmacSha256::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(previous);
    mac.update(body_json.as_bytes());
    mac.finalize().into_bytes().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0, |diff, (x, y)| diff | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(seq: u64) -> EntryBody {
        let fields = BTreeMap::from([("user_id".to_owned(), "@a:example.org".to_owned())]);
        EntryBody {
            seq,
            time: "2026-12-04T00:00:00.000Z".to_owned(),
            event: "login".into(),
            fields,
        }
    }

    #[test]
    fn a_sealed_line_checks_and_chains() {
        let key = [7; 32];
        let (first, first_mac) = seal(&key, &[0; 32], &body(1));
        let (second, second_mac) = seal(&key, &first_mac, &body(2));
        assert_eq!(check(&key, &[0; 32], 1, first.trim_end().as_bytes()), Ok(first_mac));
        assert_eq!(check(&key, &first_mac, 2, second.trim_end().as_bytes()), Ok(second_mac));
    }

    #[test]
    fn a_changed_moved_or_cut_line_is_refused() {
        let key = [7; 32];
        let (line, _) = seal(&key, &[0; 32], &body(1));
        let line = line.trim_end();
        assert!(check(&key, &[0; 32], 2, line.as_bytes()).is_err(), "out of order");
        assert!(check(&key, &[1; 32], 1, line.as_bytes()).is_err(), "other predecessor");
        assert!(check(&[8; 32], &[0; 32], 1, line.as_bytes()).is_err(), "other key");
        let edited = line.replace("@a:", "@b:");
        assert!(check(&key, &[0; 32], 1, edited.as_bytes()).is_err(), "edited");
        assert!(check(&key, &[0; 32], 1, &line.as_bytes()[..line.len() - 3]).is_err(), "cut");
        // 81 bytes: the mac would begin inside a two-byte character.
        let multibyte = format!("{}a", "ä".repeat(40));
        assert!(check(&key, &[0; 32], 1, multibyte.as_bytes()).is_err(), "no mac");
    }
}
