//! The store directory of one account: an exclusive lock, our key file and the saved session.
//!
//! Layout of a store directory:
//! - `lock`: held with an OS file lock for as long as a client owns the store. Two live owners
//!   would fork the Olm and Megolm state, so a second owner is refused before it reads anything.
//! - `tim-store.key`: a random store cipher, exported under the caller's passphrase (PBKDF2 in
//!   the engine's store-encryption crate), and the engine's database key encrypted with it. The
//!   passphrase is checked here, before the engine opens any database, so a wrong passphrase
//!   writes nothing; and the engine gets a raw key, which spares it a key derivation per database
//!   at every start.
//! - `session.bin`: the Matrix session (user, device, tokens, homeserver) encrypted with the
//!   store cipher. The engine does not persist sessions itself.
//! - `engine/`: the engine's SQLite databases, whose values it encrypts with the database key.
//! - `damaged/`: records that failed their authentication when read, moved aside unchanged as
//!   evidence. The client goes on without them, restricted (see the client's security module).

use std::{
    fmt,
    fs::{self, File, OpenOptions, TryLockError},
    io::{self, Write},
    path::{Path, PathBuf},
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

use matrix_sdk_store_encryption::{EncryptedValue, StoreCipher};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::{
    error::{CoreError, CoreResult},
    secret::Secret,
};

const LOCK_FILE: &str = "lock";
const KEY_FILE: &str = "tim-store.key";
const SESSION_FILE: &str = "session.bin";
/// Subdirectory of downloads in progress.
const MEDIA_TEMP_DIR: &str = "media-tmp";
const ENGINE_DIR: &str = "engine";
/// Subdirectory of records that failed their authentication.
pub const DAMAGED_DIR: &str = "damaged";
const KEY_FILE_VERSION: u32 = 1;

/// A store directory that this process owns until the value is dropped.
pub struct OpenedStore {
    dir: PathBuf,
    cipher: StoreCipher,
    engine_key: Zeroizing<[u8; 32]>,
    // Held until `release` or drop: closing the file releases the OS lock, and so does the death
    // of the process.
    lock: Mutex<Option<File>>,
    // Records found damaged since the last `take_damaged`: (record, where it was moved).
    damaged: Mutex<Vec<(String, String)>>,
}

impl fmt::Debug for OpenedStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenedStore").field("dir", &self.dir).finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
struct KeyFile {
    version: u32,
    cipher: Vec<u8>,
    engine_key: EncryptedValue,
}

/// The session saved in the store: enough to restore a login without the password.
#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct StoredSession {
    /// Homeserver base URL the session belongs to.
    pub homeserver: String,
    /// Full Matrix user ID.
    pub user_id: String,
    /// Device ID of this client's device.
    pub device_id: String,
    /// Access token; never leaves the core.
    pub access_token: String,
    /// Refresh token, when the homeserver issued one; never leaves the core.
    pub refresh_token: Option<String>,
}

impl fmt::Debug for StoredSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredSession")
            .field("user_id", &self.user_id)
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

impl OpenedStore {
    /// Opens (or creates) the store at `dir` with `passphrase`, taking its lock.
    ///
    /// # Errors
    /// [`CoreError::StoreUnusable`] when `dir` is not a usable directory,
    /// [`CoreError::StoreLocked`] when another client holds it, and
    /// [`CoreError::WrongPassphrase`] when the passphrase does not open it. In each case nothing
    /// in the directory has been changed.
    pub fn open(dir: &Path, passphrase: &Secret) -> CoreResult<Self> {
        if passphrase.is_empty() {
            return Err(CoreError::invalid("storePassphrase", "must not be empty"));
        }

        // Refuse anything but a directory before creating or writing anything.
        match fs::metadata(dir) {
            Ok(metadata) if !metadata.is_dir() => {
                return Err(CoreError::StoreUnusable("the store path is not a directory"));
            }
            Ok(_) => {}
            Err(error) if error.kind() == io::ErrorKind::NotFound => create_private_dir(dir)?,
            Err(_) => return Err(CoreError::StoreUnusable("the store path cannot be read")),
        }

        let lock = take_lock(dir)?;

        let key_path = dir.join(KEY_FILE);
        let (cipher, engine_key) = match fs::read(&key_path) {
            Ok(bytes) => read_key_file(&bytes, passphrase)?,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                create_key_file(&key_path, passphrase)?
            }
            Err(_) => return Err(CoreError::StoreUnusable("the key file cannot be read")),
        };

        Ok(Self {
            dir: dir.to_owned(),
            cipher,
            engine_key,
            lock: Mutex::new(Some(lock)),
            damaged: Mutex::new(Vec::new()),
        })
    }

    /// Gives up ownership of the store, so that another client may open it, while this value may
    /// live on in calls that are finishing. Idempotent.
    pub fn release(&self) {
        self.lock.lock().unwrap_or_else(PoisonError::into_inner).take();
    }

    /// Whether [`Self::release`] has run: from then on another client may own the store, and
    /// nothing may be written to it.
    pub fn is_released(&self) -> bool {
        self.lock.lock().unwrap_or_else(PoisonError::into_inner).is_none()
    }

    /// Directory of the engine's databases.
    pub fn engine_dir(&self) -> PathBuf {
        self.dir.join(ENGINE_DIR)
    }

    /// Directory of downloads in progress. It only ever holds ciphertext: a download is kept
    /// here until its hash is checked, and decrypted only while it is read out.
    pub fn media_temp_dir(&self) -> PathBuf {
        self.dir.join(MEDIA_TEMP_DIR)
    }

    /// The raw key of the engine's databases.
    pub fn engine_key(&self) -> &[u8; 32] {
        &self.engine_key
    }

    /// Waits until the engine's SQLite databases are closed, for at most `limit`.
    ///
    /// The engine closes its connections on background threads after it is dropped. Waiting until
    /// this process holds no file in the engine's directory makes `close` return with the store at
    /// rest, so that it can be copied or opened again at once. Where the process's open files
    /// cannot be listed (no `/proc`), it returns at once. Returns whether they closed in time.
    pub async fn wait_until_engine_closed(&self, limit: Duration) -> bool {
        // Descriptors point at canonical paths.
        let engine_dir = fs::canonicalize(self.engine_dir()).unwrap_or_else(|_| self.engine_dir());
        let deadline = Instant::now() + limit;
        loop {
            if !process_has_open_files_in(&engine_dir) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Saves the session, replacing an earlier one atomically.
    pub fn save_session(&self, session: &StoredSession) -> CoreResult<()> {
        self.save_record(SESSION_FILE, session)
    }

    /// Loads the saved session, if there is one.
    pub fn load_session(&self) -> CoreResult<Option<StoredSession>> {
        self.load_record(SESSION_FILE)
    }

    /// Removes the saved session (after a logout).
    pub fn delete_session(&self) -> CoreResult<()> {
        self.delete_record(SESSION_FILE)
    }

    /// Saves a small value encrypted with the store cipher, replacing the file atomically. A
    /// name may lie in a subdirectory (`outbox/1.bin`), which is created when missing.
    pub fn save_record<T: serde::Serialize>(&self, name: &str, value: &T) -> CoreResult<()> {
        let encrypted = self
            .cipher
            .encrypt_value(value)
            .map_err(|_| CoreError::Internal("encrypt a store record"))?;
        let path = self.dir.join(name);
        if let Some(parent) = path.parent().filter(|parent| !parent.is_dir()) {
            create_private_dir(parent)?;
        }
        write_atomically(&path, &encrypted)
    }

    /// The names of the records in a subdirectory, sorted, for [`Self::load_record`]; none
    /// when the subdirectory does not exist. Leftovers of interrupted writes are skipped.
    pub fn record_names(&self, subdirectory: &str) -> CoreResult<Vec<String>> {
        let entries = match fs::read_dir(self.dir.join(subdirectory)) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(_) => return Err(CoreError::StoreUnusable("a store directory cannot be read")),
        };
        let mut names: Vec<String> = entries
            .flatten()
            .filter_map(|entry| entry.file_name().into_string().ok())
            .filter(|name| name.ends_with(".bin"))
            .map(|name| format!("{subdirectory}/{name}"))
            .collect();
        names.sort();
        Ok(names)
    }

    /// Loads a value saved by [`Self::save_record`]; `None` if there is none. A record that
    /// fails its authentication (changed outside the client) is moved into `damaged/`, kept as
    /// evidence, and treated as missing; [`Self::take_damaged`] reports it.
    ///
    /// # Errors
    /// [`CoreError::StoreUnusable`] when the file cannot be read or a damaged one moved.
    pub fn load_record<T: serde::de::DeserializeOwned>(&self, name: &str) -> CoreResult<Option<T>> {
        match read_record(&self.cipher, &self.dir, name) {
            Ok(value) => Ok(value),
            Err(RecordError::Unreadable) => {
                Err(CoreError::StoreUnusable("a store record cannot be read"))
            }
            Err(RecordError::Damaged) => {
                let moved_to = self.move_aside(name)?;
                tracing::error!(record = name, "a store record failed its authentication");
                self.damaged
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push((name.to_owned(), moved_to));
                Ok(None)
            }
        }
    }

    /// When the saved session was found damaged, moves the engine's databases into `damaged/`
    /// too: they belong to a device whose session is lost, and a new login needs fresh ones.
    /// Kept rather than deleted, as the session's record is.
    ///
    /// # Errors
    /// [`CoreError::StoreUnusable`] when they cannot be moved.
    pub fn set_aside_engine_of_damaged_session(&self) -> CoreResult<()> {
        let session_damaged = self
            .damaged
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .any(|(record, _)| record == SESSION_FILE);
        if session_damaged && self.engine_dir().is_dir() {
            let moved_to = self.move_aside(ENGINE_DIR)?;
            self.damaged
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((ENGINE_DIR.to_owned(), moved_to));
        }
        Ok(())
    }

    /// The records found damaged since the last call, each with where it was moved.
    pub fn take_damaged(&self) -> Vec<(String, String)> {
        std::mem::take(&mut *self.damaged.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn move_aside(&self, name: &str) -> CoreResult<String> {
        let unusable = |_| CoreError::StoreUnusable("a damaged store record cannot be moved aside");
        let damaged_dir = self.dir.join(DAMAGED_DIR);
        if !damaged_dir.is_dir() {
            create_private_dir(&damaged_dir)?;
        }
        let flat_name = name.replace('/', "_");
        let moved_to = format!("{DAMAGED_DIR}/{}-{flat_name}", crate::clock::now_millis());
        fs::rename(self.dir.join(name), self.dir.join(&moved_to)).map_err(unusable)?;
        Ok(moved_to)
    }

    /// The store directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The store cipher and the engine key, read with the passphrase from the key file of a
    /// store that need not be opened: nothing is locked, created or written. For tools that
    /// inspect a store, such as the audit log verifier.
    ///
    /// # Errors
    /// [`CoreError::WrongPassphrase`], and [`CoreError::StoreUnusable`] when there is no
    /// readable key file.
    pub(crate) fn read_keys(
        dir: &Path,
        passphrase: &Secret,
    ) -> CoreResult<(StoreCipher, Zeroizing<[u8; 32]>)> {
        let bytes = fs::read(dir.join(KEY_FILE))
            .map_err(|_| CoreError::StoreUnusable("the store has no readable key file"))?;
        read_key_file(&bytes, passphrase)
    }

    /// Deletes a record; a missing one is fine.
    pub fn delete_record(&self, name: &str) -> CoreResult<()> {
        match fs::remove_file(self.dir.join(name)) {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(_) => Err(CoreError::StoreUnusable("a store record cannot be deleted")),
        }
    }
}

/// Loads a record of the store in `dir` with its cipher; `None` if there is none. For tools
/// that only read: a damaged record is an error here and stays where it is.
///
/// # Errors
/// [`CoreError::StoreUnusable`] when it cannot be read or is damaged.
pub(crate) fn load_record_with<T: serde::de::DeserializeOwned>(
    cipher: &StoreCipher,
    dir: &Path,
    name: &str,
) -> CoreResult<Option<T>> {
    read_record(cipher, dir, name).map_err(|error| match error {
        RecordError::Unreadable => CoreError::StoreUnusable("a store record cannot be read"),
        RecordError::Damaged => CoreError::StoreUnusable("a store record is damaged"),
    })
}

enum RecordError {
    Unreadable,
    /// Present but not decryptable with the store cipher: changed outside the client.
    Damaged,
}

fn read_record<T: serde::de::DeserializeOwned>(
    cipher: &StoreCipher,
    dir: &Path,
    name: &str,
) -> Result<Option<T>, RecordError> {
    let mut bytes = match fs::read(dir.join(name)) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(_) => return Err(RecordError::Unreadable),
    };
    let value = cipher.decrypt_value(&bytes).map(Some).map_err(|_| RecordError::Damaged);
    // Records may hold tokens; the ciphertext buffer is wiped like any secret.
    bytes.zeroize();
    value
}

fn process_has_open_files_in(dir: &Path) -> bool {
    let Ok(descriptors) = fs::read_dir("/proc/self/fd") else { return false };
    descriptors
        .flatten()
        .filter_map(|descriptor| fs::read_link(descriptor.path()).ok())
        .any(|target| target.starts_with(dir))
}

fn take_lock(dir: &Path) -> CoreResult<File> {
    let lock = open_private(&dir.join(LOCK_FILE), false)
        .map_err(|_| CoreError::StoreUnusable("the store directory is not writable"))?;
    match lock.try_lock() {
        Ok(()) => Ok(lock),
        Err(TryLockError::WouldBlock) => Err(CoreError::StoreLocked),
        Err(TryLockError::Error(_)) => Err(CoreError::StoreUnusable("the store cannot be locked")),
    }
}

fn read_key_file(
    bytes: &[u8],
    passphrase: &Secret,
) -> CoreResult<(StoreCipher, Zeroizing<[u8; 32]>)> {
    let key_file: KeyFile = serde_json::from_slice(bytes)
        .map_err(|_| CoreError::StoreUnusable("the key file is damaged"))?;
    if key_file.version != KEY_FILE_VERSION {
        return Err(CoreError::StoreUnusable("the key file has an unknown version"));
    }

    // The engine's import fails with an encryption error when the derived key does not
    // authenticate the exported cipher: that is a wrong passphrase, not damage.
    let cipher =
        StoreCipher::import(passphrase.expose(), &key_file.cipher).map_err(
            |error| match error {
                matrix_sdk_store_encryption::Error::Encryption(_) => CoreError::WrongPassphrase,
                _ => CoreError::StoreUnusable("the key file is damaged"),
            },
        )?;

    let mut raw = cipher
        .decrypt_value_data(key_file.engine_key)
        .map_err(|_| CoreError::StoreUnusable("the key file is damaged"))?;
    let engine_key = to_key(&raw);
    raw.zeroize();
    Ok((cipher, engine_key?))
}

fn create_key_file(
    path: &Path,
    passphrase: &Secret,
) -> CoreResult<(StoreCipher, Zeroizing<[u8; 32]>)> {
    let cipher = StoreCipher::new().map_err(|_| CoreError::Internal("create the store cipher"))?;

    let mut engine_key = Zeroizing::new([0u8; 32]);
    getrandom::getrandom(engine_key.as_mut())
        .map_err(|_| CoreError::Internal("no randomness from the operating system"))?;

    let exported =
        cipher.export(passphrase.expose()).map_err(|_| CoreError::Internal("export the cipher"))?;
    let encrypted_key = cipher
        .encrypt_value_data(engine_key.to_vec())
        .map_err(|_| CoreError::Internal("encrypt the database key"))?;
    let key_file =
        KeyFile { version: KEY_FILE_VERSION, cipher: exported, engine_key: encrypted_key };
    let bytes =
        serde_json::to_vec(&key_file).map_err(|_| CoreError::Internal("encode the key file"))?;

    write_atomically(path, &bytes)?;
    Ok((cipher, engine_key))
}

fn to_key(raw: &[u8]) -> CoreResult<Zeroizing<[u8; 32]>> {
    let mut key = Zeroizing::new([0u8; 32]);
    if raw.len() != key.len() {
        return Err(CoreError::StoreUnusable("the key file is damaged"));
    }
    key.copy_from_slice(raw);
    Ok(key)
}

fn create_private_dir(dir: &Path) -> CoreResult<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|_| CoreError::StoreUnusable("the store directory cannot be created"))
}

fn open_private(path: &Path, truncate: bool) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(truncate);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Writes through a temporary file and a rename, so that a crash leaves the old or the new
/// content, never a torn file.
fn write_atomically(path: &Path, bytes: &[u8]) -> CoreResult<()> {
    let unusable = |_| CoreError::StoreUnusable("the store directory is not writable");
    let temporary = path.with_extension("tmp");

    let mut file = open_private(&temporary, true).map_err(unusable)?;
    file.write_all(bytes).map_err(unusable)?;
    file.sync_all().map_err(unusable)?;
    drop(file);

    fs::rename(&temporary, path).map_err(unusable)?;
    if let Some(parent) = path.parent() {
        // Persist the rename itself; a failure here only weakens durability, not correctness.
        let _ = File::open(parent).and_then(|dir| dir.sync_all());
    }
    Ok(())
}

/// Scratch stores for the tests of the modules that keep records in the store.
#[cfg(test)]
pub(crate) mod testing {
    use std::path::PathBuf;

    use super::OpenedStore;
    use crate::secret::Secret;

    /// The passphrase of every scratch store.
    pub(crate) fn passphrase() -> Secret {
        Secret::from_utf16("scratch store".encode_utf16().collect()).expect("passphrase")
    }

    /// A fresh store in the temporary directory, named after the test module and case.
    pub(crate) fn scratch_store(module: &str, case: &str) -> (PathBuf, OpenedStore) {
        let name = format!("tim-{module}-{case}-{}", std::process::id());
        let dir = std::env::temp_dir().join(name);
        let _ = std::fs::remove_dir_all(&dir);
        let store = OpenedStore::open(&dir, &passphrase()).expect("open scratch store");
        (dir, store)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("tim-store-test-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn secret(text: &str) -> Secret {
        Secret::new(text.to_owned())
    }

    #[test]
    fn reopens_with_the_same_passphrase_and_the_same_engine_key() {
        let dir = scratch_dir("reopen");
        let first = OpenedStore::open(&dir, &secret("correct horse")).expect("create");
        let key = *first.engine_key();
        drop(first);

        let second = OpenedStore::open(&dir, &secret("correct horse")).expect("reopen");
        assert_eq!(*second.engine_key(), key);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn wrong_passphrase_is_refused_and_changes_nothing() {
        let dir = scratch_dir("wrong");
        drop(OpenedStore::open(&dir, &secret("right")).expect("create"));
        let before = fs::read(dir.join(KEY_FILE)).expect("key file");

        let error = OpenedStore::open(&dir, &secret("wrong")).expect_err("must refuse");
        assert!(matches!(error, CoreError::WrongPassphrase), "{error:?}");
        assert_eq!(fs::read(dir.join(KEY_FILE)).expect("key file"), before);
        assert!(!dir.join(SESSION_FILE).exists());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_second_owner_is_refused_while_the_first_holds_the_store() {
        let dir = scratch_dir("lock");
        let owner = OpenedStore::open(&dir, &secret("pw")).expect("create");
        let error = OpenedStore::open(&dir, &secret("pw")).expect_err("second owner");
        assert!(matches!(error, CoreError::StoreLocked), "{error:?}");
        drop(owner);
        assert!(OpenedStore::open(&dir, &secret("pw")).is_ok());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_file_in_place_of_the_directory_is_refused_untouched() {
        let dir = scratch_dir("file");
        fs::write(&dir, b"not a directory").expect("write");
        let error = OpenedStore::open(&dir, &secret("pw")).expect_err("file");
        assert!(matches!(error, CoreError::StoreUnusable(_)), "{error:?}");
        assert_eq!(fs::read(&dir).expect("read"), b"not a directory");
        let _ = fs::remove_file(&dir);
    }

    #[test]
    fn the_session_round_trips_encrypted() {
        let dir = scratch_dir("session");
        let store = OpenedStore::open(&dir, &secret("pw")).expect("create");
        let session = StoredSession {
            homeserver: "http://127.0.0.1:8008/".to_owned(),
            user_id: "@alice:localhost".to_owned(),
            device_id: "DEVICE".to_owned(),
            access_token: "syt_secret_access_token".to_owned(),
            refresh_token: Some("syr_secret_refresh_token".to_owned()),
        };
        store.save_session(&session).expect("save");

        let on_disk = fs::read(dir.join(SESSION_FILE)).expect("read");
        assert!(!contains(&on_disk, b"syt_secret_access_token"));
        assert!(!contains(&on_disk, b"@alice:localhost"));

        let loaded = store.load_session().expect("load").expect("present");
        assert_eq!(loaded.access_token, "syt_secret_access_token");
        assert!(!format!("{loaded:?}").contains("syt_"));
        store.delete_session().expect("delete");
        assert!(store.load_session().expect("load").is_none());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_damaged_record_is_moved_aside_and_reported_once() {
        let dir = scratch_dir("damaged-record");
        let store = OpenedStore::open(&dir, &secret("pw")).expect("create");
        store.save_record("cases.bin", &vec![1u32, 2, 3]).expect("save");
        let mut bytes = fs::read(dir.join("cases.bin")).expect("read");
        let middle = bytes.len() / 2;
        bytes[middle] ^= 1;
        fs::write(dir.join("cases.bin"), &bytes).expect("flip a bit");

        let loaded: Option<Vec<u32>> = store.load_record("cases.bin").expect("no error");
        assert!(loaded.is_none(), "a damaged record counts as missing");
        let damaged = store.take_damaged();
        assert_eq!(damaged.len(), 1);
        assert_eq!(damaged[0].0, "cases.bin");
        assert_eq!(fs::read(dir.join(&damaged[0].1)).expect("kept"), bytes, "kept unchanged");
        assert!(!dir.join("cases.bin").exists());
        assert!(store.take_damaged().is_empty(), "reported once");
        let _ = fs::remove_dir_all(&dir);
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|window| window == needle)
    }
}
