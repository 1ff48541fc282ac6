//! The audit log's line check on arbitrary bytes, and sealing arbitrary entries: checking never
//! panics, a sealed entry checks as itself, and any change of one byte of it is refused.

#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use tim_headless_checks::audit_line::{self, EntryBody};

const KEY: [u8; 32] = [0x5a; 32];
const PREVIOUS: [u8; 32] = [0x17; 32];

fuzz_target!(|data: &[u8]| {
    // Whatever a damaged or forged file holds, checking it only says yes or why not.
    let _ = audit_line::check(&KEY, &PREVIOUS, 1, data);

    // An entry whose event name and field come from the input.
    let text = String::from_utf8_lossy(data);
    let (event, value) = text.split_at(
        text.char_indices().nth(text.chars().count() / 2).map_or(text.len(), |(index, _)| index),
    );
    let fields = BTreeMap::from([("field".to_owned(), value.to_owned())]);
    let body = EntryBody {
        seq: 7,
        time: "2026-12-04T00:00:00.000Z".to_owned(),
        event: event.to_owned(),
        fields,
    };
    let (line, mac) = audit_line::seal(&KEY, &PREVIOUS, &body);
    let line = line.strip_suffix('\n').expect("a sealed line ends with a newline").as_bytes();
    assert_eq!(audit_line::check(&KEY, &PREVIOUS, 7, line), Ok(mac), "a sealed entry checks");

    // Change one byte, chosen by the input, to another value.
    if let Some(&first) = data.first() {
        let position = usize::from(first) * 31 % line.len();
        let mut changed = line.to_vec();
        changed[position] ^= 0x01 | (first & 0xfe);
        assert!(audit_line::check(&KEY, &PREVIOUS, 7, &changed).is_err(), "a change is detected");
    }
});
