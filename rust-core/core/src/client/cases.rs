//! Case links: the integrating system files a room under one or more of its own case
//! references (a patient, a case, an encounter), so that a chat lands next to the file it
//! concerns. The links are the most sensitive data the client holds about a room: they live
//! only in the encrypted store, never go to the homeserver, and the audit log names a keyed
//! digest of a reference instead of the reference itself.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::security::Operation;
use super::HeadlessClient;
use crate::audit::AuditEvent;
use crate::store::OpenedStore;
use crate::{validate, CoreError, CoreResult};

const CASES_RECORD: &str = "cases.bin";

/// At most this many references per room, and rooms with links per client.
pub const MAX_CASES_PER_ROOM: usize = 32;
/// See [`MAX_CASES_PER_ROOM`].
pub const MAX_LINKED_ROOMS: usize = 100_000;

const MAX_SYSTEM_CHARS: usize = 128;
const MAX_VALUE_CHARS: usize = 256;
const MAX_FHIR_REFERENCE_CHARS: usize = 1024;

/// One of the integrating system's own references: opaque to the client.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CaseReference {
    /// Which kind of identifier, in the integrating system's terms, for example `fall` or a
    /// FHIR identifier system URI such as `urn:oid:1.2.276.0.76.4.8`.
    pub system: String,
    /// The identifier itself.
    pub value: String,
    /// A FHIR reference to the resource, such as `Encounter/4711` or an absolute URL.
    pub fhir_reference: Option<String>,
}

impl std::fmt::Debug for CaseReference {
    // A reference identifies a patient: it stays out of logs and panic messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CaseReference(..)")
    }
}

impl CaseReference {
    /// Checks the reference's parts.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] naming `system`, `value` or `fhirReference`.
    pub fn validate(&self) -> CoreResult<()> {
        validate::bounded_label("system", &self.system, MAX_SYSTEM_CHARS)?;
        validate::bounded_label("value", &self.value, MAX_VALUE_CHARS)?;
        if let Some(reference) = &self.fhir_reference {
            fhir_reference(reference)?;
        }
        Ok(())
    }

    /// Whether `other` names the same case: system and value decide, the FHIR reference is
    /// only a pointer to it.
    fn same_case(&self, other: &CaseReference) -> bool {
        self.system == other.system && self.value == other.value
    }
}

/// A relative FHIR reference (`Type/id`, FHIR's id grammar) or an absolute `http(s)` or `urn`
/// reference.
fn fhir_reference(reference: &str) -> CoreResult<()> {
    const PARAMETER: &str = "fhirReference";
    if reference.is_empty() || reference.chars().count() > MAX_FHIR_REFERENCE_CHARS {
        return Err(CoreError::invalid(PARAMETER, "must have 1 to 1024 characters"));
    }
    if let Some((resource_type, id)) = reference.split_once('/') {
        let type_ok = resource_type.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && resource_type.chars().all(|c| c.is_ascii_alphabetic());
        let id_ok = (1..=64).contains(&id.len())
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        if type_ok && id_ok {
            return Ok(());
        }
    }
    let absolute =
        ["https://", "http://", "urn:"].iter().any(|scheme| reference.starts_with(scheme));
    if absolute && !reference.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Ok(());
    }
    Err(CoreError::invalid(PARAMETER, "must be Type/id or an absolute URL"))
}

/// The links of one client, loaded from the store at open and saved after each change.
#[derive(Default)]
pub(crate) struct CaseLinks {
    by_room: Mutex<BTreeMap<String, Vec<CaseReference>>>,
}

impl CaseLinks {
    pub(crate) fn load(store: &OpenedStore) -> CoreResult<Self> {
        let saved: Option<BTreeMap<String, Vec<CaseReference>>> =
            store.load_record(CASES_RECORD)?;
        Ok(Self { by_room: Mutex::new(saved.unwrap_or_default()) })
    }

    /// The references of a room, in the order they were linked.
    pub(crate) fn of_room(&self, room_id: &str) -> Vec<CaseReference> {
        let links = self.by_room.lock().unwrap_or_else(PoisonError::into_inner);
        links.get(room_id).cloned().unwrap_or_default()
    }
}

/// A keyed digest of a reference for the audit log: the same case gives the same digest in one
/// store, so an auditor can follow it, but the digest does not reveal the identifier.
fn reference_digest(key: &[u8; 32], reference: &CaseReference) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(b"tim-headless case reference digest\0");
    mac.update(reference.system.as_bytes());
    mac.update(b"\0");
    mac.update(reference.value.as_bytes());
    let digest = mac.finalize().into_bytes();
    digest[..8].iter().map(|byte| format!("{byte:02x}")).collect()
}

impl HeadlessClient {
    /// Gives a timeline event its room's case references as they are now.
    pub(crate) fn stamp_case_references(&self, event: &mut crate::events::ClientEvent) {
        if let Some(meta) = event.meta_mut() {
            meta.case_references = self.cases.of_room(&meta.room_id);
        }
    }

    /// A room's case references as they are now.
    pub(crate) fn cases_of_room(&self, room_id: &str) -> Vec<CaseReference> {
        self.cases.of_room(room_id)
    }

    /// Files a room under a case reference. Linking a case the room has already replaces its
    /// FHIR reference. Works without a session: the links are local.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] for a malformed room ID or reference, or when the room
    /// has [`MAX_CASES_PER_ROOM`] references or the client [`MAX_LINKED_ROOMS`] linked rooms;
    /// [`CoreError::Restricted`], [`CoreError::RateLimited`], and
    /// [`CoreError::StoreUnusable`] when the links cannot be saved (they are then unchanged).
    pub fn link_case(&self, room_id: &str, reference: CaseReference) -> CoreResult<()> {
        let room_id = validate::room_id("roomId", room_id)?.to_string();
        reference.validate()?;
        self.admit(Operation::Change, "link_case")?;

        let digest = reference_digest(self.store.engine_key(), &reference);
        let mut links = self.cases.by_room.lock().unwrap_or_else(PoisonError::into_inner);
        let mut changed = links.clone();
        if !changed.contains_key(&room_id) && changed.len() >= MAX_LINKED_ROOMS {
            return Err(CoreError::invalid("roomId", "the client has 100000 linked rooms"));
        }
        let references = changed.entry(room_id.clone()).or_default();
        match references.iter().position(|linked| linked.same_case(&reference)) {
            Some(index) => references[index] = reference,
            None if references.len() >= MAX_CASES_PER_ROOM => {
                return Err(CoreError::invalid("reference", "the room has 32 case references"));
            }
            None => references.push(reference),
        }
        self.store.save_record(CASES_RECORD, &changed)?;
        *links = changed;
        drop(links);

        self.audit(AuditEvent::CaseLinked { room_id, reference_digest: digest });
        Ok(())
    }

    /// Removes a room's link to a case (system and value decide). Returns whether there was
    /// one.
    ///
    /// # Errors
    /// As [`Self::link_case`], without the limits.
    pub fn unlink_case(&self, room_id: &str, reference: &CaseReference) -> CoreResult<bool> {
        let room_id = validate::room_id("roomId", room_id)?.to_string();
        reference.validate()?;
        self.admit(Operation::Change, "unlink_case")?;

        let digest = reference_digest(self.store.engine_key(), reference);
        let mut links = self.cases.by_room.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(references) = links.get(&room_id) else {
            return Ok(false);
        };
        if !references.iter().any(|linked| linked.same_case(reference)) {
            return Ok(false);
        }
        let mut changed = links.clone();
        let remaining = changed.entry(room_id.clone()).or_default();
        remaining.retain(|linked| !linked.same_case(reference));
        if remaining.is_empty() {
            changed.remove(&room_id);
        }
        self.store.save_record(CASES_RECORD, &changed)?;
        *links = changed;
        drop(links);

        self.audit(AuditEvent::CaseUnlinked { room_id, reference_digest: digest });
        Ok(true)
    }

    /// The case references a room is filed under, in the order they were linked.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] for a malformed room ID.
    pub fn case_references(&self, room_id: &str) -> CoreResult<Vec<CaseReference>> {
        let room_id = validate::room_id("roomId", room_id)?;
        Ok(self.cases.of_room(room_id.as_str()))
    }

    /// The rooms filed under a case (system and value decide), sorted by room ID.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] for a malformed reference.
    pub fn rooms_for_case(&self, reference: &CaseReference) -> CoreResult<Vec<String>> {
        reference.validate()?;
        let links = self.cases.by_room.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(links
            .iter()
            .filter(|(_, references)| references.iter().any(|linked| linked.same_case(reference)))
            .map(|(room, _)| room.clone())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(value: &str) -> CaseReference {
        CaseReference { system: "fall".into(), value: value.into(), fhir_reference: None }
    }

    #[test]
    fn references_are_checked_part_by_part() {
        assert!(reference("4711").validate().is_ok());
        for (bad, part) in [
            (CaseReference { system: " ".into(), ..reference("1") }, "system"),
            (reference(""), "value"),
            (reference(&"x".repeat(257)), "value"),
            (reference("a\nb"), "value"),
        ] {
            let error = bad.validate().expect_err(part);
            assert!(error.to_string().contains(part), "{error}");
        }
        for good in
            ["Encounter/4711", "Patient/a-b.c", "https://fhir.klinik.local/Patient/1", "urn:uuid:1"]
        {
            let linked = CaseReference { fhir_reference: Some(good.into()), ..reference("1") };
            assert!(linked.validate().is_ok(), "{good}");
        }
        for bad in ["encounter/1", "Encounter/", "Encounter/a b", "ftp://x", "", "Patient/1/2"] {
            let linked = CaseReference { fhir_reference: Some(bad.into()), ..reference("1") };
            assert!(linked.validate().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_reference_never_shows_in_debug_and_its_digest_is_stable_and_keyed() {
        let case = reference("Patient Müller 1950");
        assert!(!format!("{case:?}").contains("Müller"));

        let key = [7u8; 32];
        let digest = reference_digest(&key, &case);
        assert_eq!(digest.len(), 16);
        assert_eq!(digest, reference_digest(&key, &case));
        assert_ne!(digest, reference_digest(&[8u8; 32], &case));
        assert_ne!(digest, reference_digest(&key, &reference("Patient Müller 1951")));
    }
}
