//! The audit log: security events in an append-only file, each entry chained to the one before it
//! by a keyed hash, so that editing, deleting, inserting, reordering or cutting off entries is
//! detected.
//!
//! The file is `audit.log` in the store directory, one entry per line:
//!
//! ```text
//! {"seq":1,"time":"2026-12-04T04:05:06.789Z","event":"login","fields":{..},"mac":"<64 hex>"}
//! ```
//!
//! `mac` is HMAC-SHA256 over the previous entry's mac (32 zero bytes before the first entry)
//! followed by the line as it reads without its `mac` member. The key is derived from the
//! store's key, so only a holder of the store passphrase can write entries that verify, or
//! verify them. The sequence number and mac of the newest entry are also kept in the encrypted
//! store record `audit-head.bin`: a log that ends before its head was cut off.
//!
//! Entries name identifiers, codes and operations only, never message content or secrets.
//! Nothing switches the log off.

use std::{
    collections::BTreeMap,
    fs::{File, OpenOptions},
    io::{BufRead, BufReader, Write},
    path::Path,
    sync::{Mutex, PoisonError},
};

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

use tim_headless_checks::audit_line::{self, EntryBody};

use crate::clock::{iso8601_utc, now_millis};

use crate::{
    error::{CoreError, CoreResult},
    secret::Secret,
    store::{self, OpenedStore},
};

/// The log file in the store directory.
pub const AUDIT_FILE: &str = "audit.log";
/// The store record with the newest entry's sequence number and mac.
const HEAD_RECORD: &str = "audit-head.bin";
/// Separates the audit key from every other use of the store key.
const KEY_LABEL: &[u8] = b"tim-headless audit log v1";

type HmacSha256 = Hmac<Sha256>;

/// A security event worth an audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditEvent {
    /// The store was opened by a client.
    StoreOpened,
    /// The audit log was found damaged when the store was opened.
    AuditLogDamaged {
        /// The first entry that did not verify.
        first_broken: u64,
        /// Why it did not.
        reason: &'static str,
    },
    /// A login succeeded.
    LoggedIn {
        /// The account.
        user_id: String,
        /// The new device.
        device_id: String,
    },
    /// The homeserver refused a login's credentials.
    LoginRefused,
    /// The device logged out.
    LoggedOut {
        /// The device that is gone.
        device_id: String,
    },
    /// A call was refused before it did anything.
    RejectedCall {
        /// The API operation, such as `send`.
        operation: String,
        /// The stable error code of the refusal.
        code: String,
    },
    /// The permission configuration was changed.
    PermissionConfigChanged,
    /// Calls beyond a rate limit were refused (audited at most once a second per kind).
    RateLimited {
        /// The operation refused, such as `queue_content`.
        operation: &'static str,
        /// Its kind: `send`, `change` or `read`.
        kind: &'static str,
    },
    /// The client entered the restricted mode: it receives, but sends and changes nothing.
    RestrictedModeEntered {
        /// Why, as a stable code such as `AUDIT_LOG_DAMAGED`.
        reason: &'static str,
    },
    /// An operator ended the restricted mode.
    RestrictedModeLifted {
        /// Who, as the operator gave it.
        operator: String,
        /// The reason the mode had.
        reason: &'static str,
        /// The file the damaged log was moved to, if the restriction was for a damaged log.
        archived_log: Option<String>,
    },
    /// The previous client of this store in the process was called after it had been closed.
    CallsAfterClose {
        /// How many calls it refused.
        count: u64,
    },
    /// The client ended itself in a controlled stop.
    ControlledStop {
        /// The stop's reason code.
        reason: &'static str,
    },
    /// A record of the store failed its authentication and was moved aside.
    StoreRecordDamaged {
        /// The record, by its file name in the store.
        record: String,
        /// Where it was moved, relative to the store directory.
        moved_to: String,
    },
    /// A queued message was discarded unsent.
    QueuedMessageDiscarded {
        /// The room it was meant for.
        room_id: String,
    },
    /// This device's key backup was set up: created, or recovered from secret storage.
    KeyBackupEnabled {
        /// Whether the keys were recovered from an existing backup.
        recovered: bool,
    },
    /// Setting the key backup up failed.
    KeyBackupFailed {
        /// The stable error code.
        code: &'static str,
    },
    /// Every other device of the account was signed out.
    OtherDevicesLoggedOut {
        /// How many.
        count: usize,
    },
    /// The client declined an invitation its permission configuration blocks.
    InvitationDeclined {
        /// The room.
        room_id: String,
        /// Who invited.
        inviter: String,
    },
    /// A room was filed under a case reference.
    CaseLinked {
        /// The room.
        room_id: String,
        /// A keyed digest of the reference; the reference itself identifies a patient.
        reference_digest: String,
    },
    /// A room's link to a case reference was removed.
    CaseUnlinked {
        /// The room.
        room_id: String,
        /// As in [`Self::CaseLinked`].
        reference_digest: String,
    },
}

impl AuditEvent {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::StoreOpened => "store_opened",
            Self::AuditLogDamaged { .. } => "audit_log_damaged",
            Self::LoggedIn { .. } => "logged_in",
            Self::LoginRefused => "login_refused",
            Self::LoggedOut { .. } => "logged_out",
            Self::RejectedCall { .. } => "rejected_call",
            Self::PermissionConfigChanged => "permission_config_changed",
            Self::QueuedMessageDiscarded { .. } => "queued_message_discarded",
            Self::RestrictedModeEntered { .. } => "restricted_mode_entered",
            Self::RateLimited { .. } => "rate_limited",
            Self::RestrictedModeLifted { .. } => "restricted_mode_lifted",
            Self::ControlledStop { .. } => "controlled_stop",
            Self::CallsAfterClose { .. } => "calls_after_close",
            Self::StoreRecordDamaged { .. } => "store_record_damaged",
            Self::KeyBackupEnabled { .. } => "key_backup_enabled",
            Self::KeyBackupFailed { .. } => "key_backup_failed",
            Self::InvitationDeclined { .. } => "invitation_declined",
            Self::OtherDevicesLoggedOut { .. } => "other_devices_logged_out",
            Self::CaseLinked { .. } => "case_linked",
            Self::CaseUnlinked { .. } => "case_unlinked",
        }
    }

    fn fields(&self) -> BTreeMap<String, String> {
        let pairs: Vec<(&str, String)> = match self {
            Self::StoreOpened | Self::LoginRefused | Self::PermissionConfigChanged => Vec::new(),
            Self::AuditLogDamaged { first_broken, reason } => {
                vec![("first_broken", first_broken.to_string()), ("reason", (*reason).to_owned())]
            }
            Self::LoggedIn { user_id, device_id } => {
                vec![("user_id", user_id.clone()), ("device_id", device_id.clone())]
            }
            Self::LoggedOut { device_id } => vec![("device_id", device_id.clone())],
            Self::RejectedCall { operation, code } => {
                vec![("operation", operation.clone()), ("code", code.clone())]
            }
            Self::QueuedMessageDiscarded { room_id } => vec![("room_id", room_id.clone())],
            Self::KeyBackupEnabled { recovered } => vec![("recovered", recovered.to_string())],
            Self::KeyBackupFailed { code } => vec![("code", (*code).to_owned())],
            Self::OtherDevicesLoggedOut { count } => vec![("count", count.to_string())],
            Self::CallsAfterClose { count } => vec![("count", count.to_string())],
            Self::InvitationDeclined { room_id, inviter } => {
                vec![("room_id", room_id.clone()), ("inviter", inviter.clone())]
            }
            Self::CaseLinked { room_id, reference_digest }
            | Self::CaseUnlinked { room_id, reference_digest } => {
                vec![("room_id", room_id.clone()), ("reference_digest", reference_digest.clone())]
            }
            Self::RestrictedModeEntered { reason } | Self::ControlledStop { reason } => {
                vec![("reason", (*reason).to_owned())]
            }
            Self::StoreRecordDamaged { record, moved_to } => {
                vec![("record", record.clone()), ("moved_to", moved_to.clone())]
            }
            Self::RateLimited { operation, kind } => {
                vec![("operation", (*operation).to_owned()), ("kind", (*kind).to_owned())]
            }
            Self::RestrictedModeLifted { operator, reason, archived_log } => {
                let mut fields =
                    vec![("operator", operator.clone()), ("reason", (*reason).to_owned())];
                if let Some(archived) = archived_log {
                    fields.push(("archived_log", archived.clone()));
                }
                fields
            }
        };
        pairs.into_iter().map(|(name, value)| (name.to_owned(), value)).collect()
    }
}

/// One written entry, as the integrating system receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Position in the log, from 1.
    pub sequence: u64,
    /// When it was written, in milliseconds since the Unix epoch (UTC).
    pub time_millis: u64,
    /// What happened, such as `logged_in` or `rejected_call`.
    pub event: String,
    /// Its details: identifiers and codes.
    pub fields: BTreeMap<String, String>,
}

/// What a verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditVerification {
    /// Entries that verified, from the first on.
    pub verified_entries: u64,
    /// The sequence number of the first entry that does not verify, or of the first missing one.
    pub first_broken: Option<u64>,
    /// Why it does not verify.
    pub reason: Option<&'static str>,
}

impl AuditVerification {
    /// Whether the log is intact.
    pub fn is_intact(&self) -> bool {
        self.first_broken.is_none()
    }
}

#[derive(Serialize, Deserialize)]
struct Head {
    sequence: u64,
    mac: [u8; 32],
    /// The entry the current file continues: its first line is entry `base_sequence + 1`,
    /// chained to `base_mac`. Zero for a log that was never archived.
    #[serde(default)]
    base_sequence: u64,
    #[serde(default)]
    base_mac: [u8; 32],
}

struct Tail {
    file: File,
    /// The file as this log last left it: inode and length. Anything else on disk means that
    /// someone else wrote, cut, replaced or deleted it while the client ran.
    identity: FileIdentity,
    sequence: u64,
    mac: [u8; 32],
    base: (u64, [u8; 32]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileIdentity {
    inode: u64,
    length: u64,
}

impl FileIdentity {
    fn of(metadata: &std::fs::Metadata) -> Self {
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(metadata);
        #[cfg(not(unix))]
        let inode = 0;
        Self { inode, length: metadata.len() }
    }

    fn on_disk(path: &Path) -> Option<Self> {
        std::fs::metadata(path).ok().map(|metadata| Self::of(&metadata))
    }
}

/// An entry as written, and whether the file had been changed by someone else before.
pub(crate) struct Recorded {
    pub(crate) entry: AuditEntry,
    /// The file on disk was not as this log had left it: edited, cut, replaced or deleted.
    /// The entry was written to the file now at the path.
    pub(crate) file_changed: bool,
}

/// The audit log of one store, open for appending.
pub(crate) struct AuditLog {
    key: Zeroizing<[u8; 32]>,
    path: std::path::PathBuf,
    tail: Mutex<Tail>,
}

impl AuditLog {
    /// Verifies the log and opens it for appending after its last intact entry. A damaged log
    /// is kept as it is (it is evidence) and continued; the damage is returned, and recorded as
    /// the first new entry.
    ///
    /// # Errors
    /// [`CoreError::StoreUnusable`] when the log or its head cannot be read or written.
    pub(crate) fn open(store: &OpenedStore) -> CoreResult<(Self, AuditVerification)> {
        let key = audit_key(store.engine_key());
        let path = store.dir().join(AUDIT_FILE);
        let head: Option<Head> = store.load_record(HEAD_RECORD)?;
        let scan = scan(&path, &key, head.as_ref())?;

        let file = open_for_append(&path)
            .map_err(|_| CoreError::StoreUnusable("the audit log cannot be opened"))?;
        let identity = identity_of(&file)
            .map_err(|_| CoreError::StoreUnusable("the audit log cannot be opened"))?;
        // New entries follow the newest one written, which the head names; only an intact log
        // one entry past its head (a crash between the append and the head's update) goes on
        // from its own end.
        let crashed_before_head = scan.verification.is_intact()
            && head.as_ref().is_none_or(|head| scan.last_sequence > head.sequence);
        let (sequence, mac) = match head {
            Some(head) if !crashed_before_head => (head.sequence, head.mac),
            _ => (scan.last_sequence, scan.last_mac),
        };
        let base = head_base(store)?;
        let tail = Tail { file, identity, sequence, mac, base };
        let log = Self { key, path, tail: Mutex::new(tail) };
        Ok((log, scan.verification))
    }

    /// Appends an entry, flushed to disk, and moves the head. A file that someone else changed
    /// since the last entry is reported in [`Recorded::file_changed`]; the entry then goes to
    /// the file now at the path (created if it was deleted), so that nothing is written into
    /// a file that is no longer there.
    ///
    /// # Errors
    /// [`CoreError::StoreUnusable`] when it cannot be written.
    pub(crate) fn record(&self, store: &OpenedStore, event: &AuditEvent) -> CoreResult<Recorded> {
        let mut tail = self.tail.lock().unwrap_or_else(PoisonError::into_inner);
        let unwritable = |_| CoreError::StoreUnusable("the audit log cannot be written");
        let file_changed = FileIdentity::on_disk(&self.path) != Some(tail.identity);
        if file_changed {
            tail.file = open_for_append(&self.path).map_err(unwritable)?;
        }

        let time_millis = now_millis();
        let body = EntryBody {
            seq: tail.sequence + 1,
            time: iso8601_utc(time_millis),
            event: event.name().to_owned(),
            fields: event.fields(),
        };
        let (line, mac) = audit_line::seal(&self.key, &tail.mac, &body);
        tail.file.write_all(line.as_bytes()).map_err(unwritable)?;
        tail.file.sync_data().map_err(unwritable)?;
        tail.identity = identity_of(&tail.file).map_err(unwritable)?;
        tail.sequence = body.seq;
        tail.mac = mac;
        let (base_sequence, base_mac) = tail.base;
        store
            .save_record(HEAD_RECORD, &Head { sequence: body.seq, mac, base_sequence, base_mac })?;
        let entry =
            AuditEntry { sequence: body.seq, time_millis, event: body.event, fields: body.fields };
        Ok(Recorded { entry, file_changed })
    }

    /// Moves the current file aside as `audit-archived-<millis>.log`, kept as evidence, and goes
    /// on in a fresh file that continues the chain after the newest entry written: the numbering
    /// and the macs go on, so the archive and the new file together still account for every
    /// entry. This is how an operator ends the restriction a damaged log caused.
    ///
    /// # Errors
    /// [`CoreError::StoreUnusable`] when the file cannot be moved or created.
    pub(crate) fn archive(&self, store: &OpenedStore) -> CoreResult<String> {
        let mut tail = self.tail.lock().unwrap_or_else(PoisonError::into_inner);
        let archived = format!("audit-archived-{}.log", now_millis());
        let unusable = |_| CoreError::StoreUnusable("the audit log cannot be archived");
        std::fs::rename(store.dir().join(AUDIT_FILE), store.dir().join(&archived))
            .map_err(unusable)?;
        tail.file = open_for_append(&self.path).map_err(unusable)?;
        tail.identity = identity_of(&tail.file).map_err(unusable)?;
        tail.base = (tail.sequence, tail.mac);
        let head = Head {
            sequence: tail.sequence,
            mac: tail.mac,
            base_sequence: tail.sequence,
            base_mac: tail.mac,
        };
        store.save_record(HEAD_RECORD, &head)?;
        Ok(archived)
    }

    /// Verifies the log as it is on disk now.
    ///
    /// # Errors
    /// [`CoreError::StoreUnusable`] when it cannot be read.
    pub(crate) fn verify(&self, store: &OpenedStore) -> CoreResult<AuditVerification> {
        // Appends wait, so that the file and its head agree while they are read.
        let _quiet = self.tail.lock().unwrap_or_else(PoisonError::into_inner);
        let head: Option<Head> = store.load_record(HEAD_RECORD)?;
        Ok(scan(&store.dir().join(AUDIT_FILE), &self.key, head.as_ref())?.verification)
    }
}

/// Verifies the audit log of a store that no client needs to hold: the passphrase opens the key
/// file, nothing is locked or written. For the command-line verifier.
///
/// # Errors
/// [`CoreError::WrongPassphrase`], [`CoreError::StoreUnusable`].
pub fn verify_store(dir: &Path, passphrase: &Secret) -> CoreResult<AuditVerification> {
    let (cipher, engine_key) = OpenedStore::read_keys(dir, passphrase)?;
    let key = audit_key(&engine_key);
    let head: Option<Head> = store::load_record_with(&cipher, dir, HEAD_RECORD)?;
    Ok(scan(&dir.join(AUDIT_FILE), &key, head.as_ref())?.verification)
}

fn open_for_append(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

fn identity_of(file: &File) -> std::io::Result<FileIdentity> {
    file.metadata().map(|metadata| FileIdentity::of(&metadata))
}

/// Where the current file starts, as the head records it.
fn head_base(store: &OpenedStore) -> CoreResult<(u64, [u8; 32])> {
    let head: Option<Head> = store.load_record(HEAD_RECORD)?;
    Ok(head.map_or((0, [0; 32]), |head| (head.base_sequence, head.base_mac)))
}

struct Scan {
    verification: AuditVerification,
    last_sequence: u64,
    last_mac: [u8; 32],
}

/// Reads the log from the start and checks each entry's sequence number and mac, then that it
/// reaches its head.
fn scan(path: &Path, key: &[u8; 32], head: Option<&Head>) -> CoreResult<Scan> {
    let base_sequence = head.map_or(0, |head| head.base_sequence);
    let mut scan = Scan {
        verification: AuditVerification { verified_entries: 0, first_broken: None, reason: None },
        last_sequence: base_sequence,
        last_mac: head.map_or([0; 32], |head| head.base_mac),
    };
    let file = match File::open(path) {
        Ok(file) => Some(file),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(_) => return Err(CoreError::StoreUnusable("the audit log cannot be read")),
    };

    if let Some(file) = file {
        for line in BufReader::new(file).split(b'\n') {
            let line =
                line.map_err(|_| CoreError::StoreUnusable("the audit log cannot be read"))?;
            let expected = scan.last_sequence + 1;
            match audit_line::check(key, &scan.last_mac, expected, &line) {
                Ok(mac) => {
                    scan.last_sequence = expected;
                    scan.last_mac = mac;
                    scan.verification.verified_entries = expected - base_sequence;
                }
                Err(reason) => {
                    scan.verification.first_broken = Some(expected);
                    scan.verification.reason = Some(reason);
                    return Ok(scan);
                }
            }
        }
    }

    // An append that crashed before its head moved leaves one entry more than the head says,
    // which is fine; fewer entries than the head means some were cut off.
    match head {
        Some(head) if head.sequence > scan.last_sequence => {
            scan.verification.first_broken = Some(scan.last_sequence + 1);
            scan.verification.reason = Some("entries are missing at the end");
        }
        Some(head) if head.sequence == scan.last_sequence && head.mac != scan.last_mac => {
            scan.verification.first_broken = Some(head.sequence);
            scan.verification.reason = Some("the newest entry is not the one the head names");
        }
        None if scan.last_sequence > base_sequence => {
            scan.verification.first_broken = Some(1);
            scan.verification.reason = Some("the log's head record is missing");
        }
        _ => {}
    }
    Ok(scan)
}

fn audit_key(store_key: &[u8; 32]) -> Zeroizing<[u8; 32]> {
    let mut derive = HmacSha256::new_from_slice(store_key).unwrap_or_else(|_| unreachable!());
    derive.update(KEY_LABEL);
    Zeroizing::new(derive.finalize().into_bytes().into())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::store::testing::{self, passphrase};

    fn scratch_store(name: &str) -> (PathBuf, OpenedStore) {
        testing::scratch_store("audit", name)
    }

    fn write_entries(store: &OpenedStore, count: usize) -> AuditLog {
        let (log, verification) = AuditLog::open(store).expect("open log");
        assert!(verification.is_intact());
        for index in 0..count {
            let event = AuditEvent::RejectedCall {
                operation: format!("operation{index}"),
                code: "INVALID_ARGUMENT".into(),
            };
            log.record(store, &event).expect("record");
        }
        log
    }

    /// A small deterministic generator, so that a failing tampering can be repeated.
    struct XorShift(u64);

    impl XorShift {
        fn below(&mut self, bound: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            usize::try_from(self.0 % bound as u64).expect("fits")
        }
    }

    #[test]
    fn entries_chain_across_reopening_and_verify_with_the_passphrase_alone() {
        let (dir, store) = scratch_store("chain");
        let log = write_entries(&store, 3);
        assert_eq!(log.verify(&store).expect("verify").verified_entries, 3);
        drop(log);

        let (log, verification) = AuditLog::open(&store).expect("reopen");
        assert!(verification.is_intact());
        let entry = log.record(&store, &AuditEvent::LoginRefused).expect("record").entry;
        assert_eq!(entry.sequence, 4);
        assert_eq!(entry.event, "login_refused");

        let offline = verify_store(&dir, &passphrase()).expect("verify offline");
        assert_eq!(
            offline,
            AuditVerification { verified_entries: 4, first_broken: None, reason: None }
        );
        let wrong = Secret::from_utf16("wrong".encode_utf16().collect()).expect("passphrase");
        assert!(matches!(verify_store(&dir, &wrong), Err(CoreError::WrongPassphrase)));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_thousand_random_tamperings_are_all_detected() {
        let (dir, store) = scratch_store("tamper");
        drop(write_entries(&store, 12));
        let path = dir.join(AUDIT_FILE);
        let original = std::fs::read(&path).expect("read log");
        let lines: Vec<Vec<u8>> =
            original.split_inclusive(|byte| *byte == b'\n').map(<[u8]>::to_vec).collect();
        let mut random = XorShift(0x5eed_1234_abcd_0001);
        let mut detected = 0;
        // What `verify_store` does, without deriving the passphrase's key a thousand times.
        let key = audit_key(store.engine_key());
        let head: Option<Head> = store.load_record(HEAD_RECORD).expect("head");
        let verify = || scan(&path, &key, head.as_ref()).expect("verify").verification;

        for round in 0..1000 {
            let mut tampered = lines.clone();
            let what = round % 6;
            match what {
                0 => {
                    // Change one byte of one entry to a different printable one.
                    let line = random.below(tampered.len());
                    let at = random.below(tampered[line].len() - 1);
                    let old = tampered[line][at];
                    tampered[line][at] = if old == b'x' { b'y' } else { b'x' };
                }
                1 => {
                    tampered.remove(random.below(tampered.len()));
                }
                2 => {
                    let copy = tampered[random.below(tampered.len())].clone();
                    tampered.insert(random.below(tampered.len() + 1), copy);
                }
                3 => {
                    let first = random.below(tampered.len());
                    let second = (first + 1 + random.below(tampered.len() - 1)) % tampered.len();
                    tampered.swap(first, second);
                }
                4 => {
                    let keep = random.below(tampered.len());
                    tampered.truncate(keep);
                }
                _ => {
                    // Cut the file inside an entry.
                    let line = random.below(tampered.len());
                    let keep = random.below(tampered[line].len() - 1);
                    tampered[line].truncate(keep);
                    tampered.truncate(line + 1);
                }
            }
            std::fs::write(&path, tampered.concat()).expect("write tampered log");
            let verification = verify();
            assert!(!verification.is_intact(), "tampering {round} (kind {what}) went unnoticed");
            // An entry inserted after the last one is the thirteenth.
            assert!(verification.first_broken.is_some_and(|first| first <= 13));
            detected += 1;
        }
        assert_eq!(detected, 1000);

        std::fs::write(&path, &original).expect("restore log");
        assert!(verify().is_intact());
        assert!(verify_store(&dir, &passphrase()).expect("verify").is_intact());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_damaged_log_is_kept_and_continued_after_its_head() {
        let (dir, store) = scratch_store("damaged");
        drop(write_entries(&store, 3));
        let path = dir.join(AUDIT_FILE);
        let text = std::fs::read_to_string(&path).expect("read log");
        std::fs::write(&path, text.replacen("operation1", "operationX", 1)).expect("edit");

        let (log, verification) = AuditLog::open(&store).expect("reopen");
        assert_eq!(verification.first_broken, Some(2));
        assert_eq!(verification.verified_entries, 1);
        let entry = log.record(&store, &AuditEvent::StoreOpened).expect("record").entry;
        assert_eq!(entry.sequence, 4, "numbering goes on after the newest entry written");
        assert_eq!(log.verify(&store).expect("verify").first_broken, Some(2));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn archiving_a_damaged_log_continues_the_chain_in_a_fresh_file() {
        let (dir, store) = scratch_store("archive");
        drop(write_entries(&store, 3));
        let path = dir.join(AUDIT_FILE);
        let text = std::fs::read_to_string(&path).expect("read log");
        std::fs::write(&path, text.replacen("operation2", "operationX", 1)).expect("edit");

        let (log, verification) = AuditLog::open(&store).expect("reopen");
        assert_eq!(verification.first_broken, Some(3));
        let archived = log.archive(&store).expect("archive");
        assert!(dir.join(&archived).exists(), "the damaged log is kept");
        let entry = log.record(&store, &AuditEvent::StoreOpened).expect("record").entry;
        assert_eq!(entry.sequence, 4);
        let verification = log.verify(&store).expect("verify");
        assert!(verification.is_intact());
        assert_eq!(verification.verified_entries, 1);
        drop(log);

        let (_log, verification) = AuditLog::open(&store).expect("reopen");
        assert!(verification.is_intact());
        assert!(verify_store(&dir, &passphrase()).expect("verify offline").is_intact());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_file_changed_while_open_is_reported_and_written_to_as_it_now_is() {
        let (dir, store) = scratch_store("changed");
        let log = write_entries(&store, 2);
        let path = dir.join(AUDIT_FILE);
        let unchanged = log.record(&store, &AuditEvent::StoreOpened).expect("record");
        assert!(!unchanged.file_changed);

        let mut appended = OpenOptions::new().append(true).open(&path).expect("open");
        appended.write_all(b"{\"seq\":99}\n").expect("append a forged line");
        drop(appended);
        assert!(log.record(&store, &AuditEvent::StoreOpened).expect("record").file_changed);
        assert!(!log.record(&store, &AuditEvent::StoreOpened).expect("record").file_changed);

        std::fs::remove_file(&path).expect("delete the log");
        let after_delete = log.record(&store, &AuditEvent::StoreOpened).expect("record");
        assert!(after_delete.file_changed);
        assert!(path.exists(), "the entry went to a new file at the path");
        assert!(!log.verify(&store).expect("verify").is_intact(), "entries are missing");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn times_are_utc_in_iso_8601() {
        assert_eq!(iso8601_utc(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601_utc(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(iso8601_utc(1_796_357_106_789), "2026-12-04T04:05:06.789Z");
    }
}
