//! What servers answer, from arbitrary bytes: a VZD-FHIR-Directory search bundle, its search
//! token, and a `.well-known/matrix/client` document. Parsing never panics, and what comes out
//! passes the same checks as the caller's own input.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tim_headless_checks::{directory, discovery, validate};

fuzz_target!(|data: &[u8]| {
    if let Ok(url) = discovery::homeserver_from_document(data) {
        let text = url.as_str().trim_end_matches('/');
        assert!(validate::homeserver_url("homeserverUrl", text).is_ok(), "a found URL checks");
    }

    let _ = directory::token_expiry(&String::from_utf8_lossy(data));

    let Ok(bundle) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    for kind in [directory::DirectoryKind::Practitioner, directory::DirectoryKind::HealthcareService]
    {
        for entry in directory::entries(kind, &bundle) {
            assert_eq!(entry.kind, kind);
            for matrix_id in &entry.matrix_ids {
                assert!(validate::user_id("matrixId", matrix_id).is_ok(), "only valid IDs");
            }
        }
    }
});
