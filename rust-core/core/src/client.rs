//! One account: its store, its engine client, its sync loop and its event queue.

use std::{
    collections::HashMap,
    future::Future,
    path::PathBuf,
    sync::{Arc, Mutex, PoisonError, RwLock, Weak},
    time::Duration,
};

mod backup;
mod cases;
mod delivery;
mod directory;
mod discovery;
mod information;
mod invites;
mod media;
mod messages;
mod outbox;
mod permissions;
mod report;
mod rooms;
mod security;
mod sync;

pub use backup::KeyBackupState;
pub use cases::{CaseReference, MAX_CASES_PER_ROOM, MAX_LINKED_ROOMS};
pub use directory::{
    DirectoryAddress, DirectoryEntry, DirectoryKind, DirectoryQuery, MAX_DIRECTORY_RESULTS,
};
pub use media::{AttachmentKind, AttachmentSpec, DownloadInfo};
pub use messages::HistoryPage;
pub use outbox::MAX_QUEUED_MESSAGES;
pub use permissions::{DefaultSetting, PermissionConfig, GROUP_INSURED_PERSON};
pub use report::{ClientReport, ProcedureCount};
pub use rooms::{
    check_room_options, RoomKind, RoomMember, RoomOptions, RoomSettings, RoomSummary, UserProfile,
};
pub use security::{
    RateLimits, Restriction, StopReason, BURST_SECONDS, LOGIN_FAILURE_LIMIT, LOGIN_FAILURE_WINDOW,
    MISUSE_LIMIT, MISUSE_WINDOW,
};
pub use sync::SyncHealth;

use matrix_sdk::{
    authentication::matrix::MatrixSession,
    config::RequestConfig,
    encryption::{BackupDownloadStrategy, EncryptionSettings},
    ruma::{
        api::client::{session::login::v3::Response as LoginResponse, uiaa},
        OwnedDeviceId, OwnedRoomId, RoomId,
    },
    store::RoomLoadSettings,
    Client, SessionChange, SessionMeta, SessionTokens, SqliteStoreConfig,
};
use tokio::{sync::watch, task::JoinHandle};
use url::Url;

use crate::{
    audit::{AuditEvent, AuditLog, AuditVerification},
    error::{CoreError, CoreResult},
    events::{event_queue, ClientEvent, EventQueue, EventSender, NumberedEvent},
    network::{Network, NetworkConfig},
    product::{IntegratingSystem, SelfReport},
    runtime::runtime,
    secret::Secret,
    store::{OpenedStore, StoredSession},
    validate,
};

/// Sends a login request for a new device, asking for a refresh token.
async fn login_request(
    login: matrix_sdk::authentication::matrix::LoginBuilder,
    device_display_name: Option<&str>,
) -> matrix_sdk::Result<LoginResponse> {
    let mut login = login.request_refresh_token();
    if let Some(name) = device_display_name {
        login = login.initial_device_display_name(name);
    }
    login.await
}

/// Time limit of an ordinary request, and how often the engine retries a transient failure.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
const REQUEST_RETRIES: usize = 3;
/// How long `close` waits for the engine's databases to close before it releases the store.
const ENGINE_CLOSE_LIMIT: Duration = Duration::from_secs(5);

/// What a client needs to start, apart from the store passphrase.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Where the homeserver is.
    pub homeserver: HomeserverLocation,
    /// Directory of this account's store; created when missing.
    pub store_dir: PathBuf,
    /// The system that embeds the client (for example the hospital information system).
    pub integrating_system: IntegratingSystem,
    /// How often each kind of operation may be called.
    pub rate_limits: RateLimits,
    /// Proxy, extra CA certificates and the identification header.
    pub network: NetworkConfig,
    /// The passphrase that protects the key backup; without one, keys are not backed up.
    pub recovery_passphrase: Option<Secret>,
    /// Whether the client itself declines invitations its permission configuration blocks.
    pub decline_blocked_invites: bool,
    /// The base URL of the VZD-FHIR-Directory, if the client searches it.
    pub directory_url: Option<String>,
    /// Where the structured-data client report goes, if anywhere.
    pub client_report_url: Option<String>,
    /// How long the sync loop waits after a sync before it asks for the next one, so that
    /// events arriving meanwhile come in one response: longer costs latency and saves CPU per
    /// event. At most [`MAX_SYNC_BATCH_WINDOW`]; [`DEFAULT_SYNC_BATCH_WINDOW`] suits most uses.
    pub sync_batch_window: Duration,
}

/// The sync batch window of [`ClientConfig`] unless configured otherwise.
pub const DEFAULT_SYNC_BATCH_WINDOW: Duration = Duration::from_millis(50);
/// The longest sync batch window: beyond it, messages would wait noticeably for nothing.
pub const MAX_SYNC_BATCH_WINDOW: Duration = Duration::from_secs(1);

/// How a client finds its homeserver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HomeserverLocation {
    /// The homeserver's base URL, as configured.
    Url(String),
    /// A server name (the part of Matrix IDs after the colon) whose
    /// `https://<name>/.well-known/matrix/client` names the homeserver. Looked up when the
    /// store has no session; a saved session keeps the homeserver it was made with.
    Discover(String),
}

/// The logged-in identity of a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Full Matrix user ID.
    pub user_id: String,
    /// This client's device ID.
    pub device_id: String,
}

/// A running sync loop and the switch that stops it.
struct SyncTask {
    stop: watch::Sender<bool>,
    handle: JoinHandle<()>,
}

/// One account in this process. Cheap to share between threads.
pub struct HeadlessClient {
    homeserver: Url,
    network: Network,
    report: SelfReport,
    directory: directory::Directory,
    reporting: report::Reporting,
    recovery_passphrase: Option<Secret>,
    decline_blocked_invites: bool,
    /// See [`ClientConfig::sync_batch_window`].
    sync_batch_window: Duration,
    backup_failure: Mutex<Option<&'static str>>,
    store: Arc<OpenedStore>,
    delivery: Arc<delivery::Delivery>,
    outbox: outbox::Outbox,
    cases: cases::CaseLinks,
    audit: AuditLog,
    security: security::Security,
    // `None` once closed. The engine is replaced after a logout or a failed login: it cannot
    // take a second session.
    engine: RwLock<Option<Client>>,
    events_in: EventSender,
    events_out: EventQueue,
    sync_state: Arc<sync::SyncShared>,
    transfers: media::Transfers,
    information: information::Information,
    sync: Mutex<Option<SyncTask>>,
    session_watch: Mutex<Option<JoinHandle<()>>>,
    // Sends into one room go out one at a time: the engine's group-session encryption was seen to
    // fail an assertion under concurrent sends into one room.
    room_send_locks: Mutex<HashMap<OwnedRoomId, Arc<tokio::sync::Mutex<()>>>>,
    // `close` flips this to make operations in flight give up, then takes `activity` for
    // writing to wait until they have.
    closing: watch::Sender<bool>,
    activity: tokio::sync::RwLock<()>,
    // The client itself, for the controlled stop, which closes it from a task of its own.
    me: Weak<Self>,
}

impl HeadlessClient {
    /// Opens the account's store and restores its session if one was saved.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] for a bad configuration, the store errors of
    /// [`OpenedStore::open`], and [`CoreError::StoreUnusable`] when the saved session belongs to
    /// another homeserver.
    pub async fn open(config: ClientConfig, passphrase: Secret) -> CoreResult<Arc<Self>> {
        // Ok: the configured URL; Err: the server name to discover the homeserver of.
        let configured = match &config.homeserver {
            HomeserverLocation::Url(url) => Ok(validate::homeserver_url("homeserverUrl", url)?),
            HomeserverLocation::Discover(name) => {
                validate::server_name("serverName", name)?;
                Err(name.as_str())
            }
        };
        let system = &config.integrating_system;
        validate::label("integratingSystemName", &system.name)?;
        validate::label("integratingSystemVersion", &system.version)?;
        if let Some(vendor) = &system.vendor {
            validate::label("integratingSystemVendor", vendor)?;
        }
        config.rate_limits.validate()?;
        if config.sync_batch_window > MAX_SYNC_BATCH_WINDOW {
            return Err(CoreError::invalid("syncBatchWindow", "longer than one second"));
        }
        if config.recovery_passphrase.as_ref().is_some_and(Secret::is_empty) {
            return Err(CoreError::invalid("recoveryPassphrase", "must not be empty"));
        }
        let report = SelfReport::new(config.integrating_system.clone());
        let network = Network::new(&config.network, &report, REQUEST_TIMEOUT)?;
        let directory = directory::Directory::new(config.directory_url.as_deref())?;

        let store = OpenedStore::open(&config.store_dir, &passphrase)?;
        drop(passphrase);
        crate::process::protect_once();
        let saved_session = store.load_session()?;
        store.set_aside_engine_of_damaged_session()?;
        let homeserver = match (configured, &saved_session) {
            (Ok(url), Some(saved)) => {
                if Url::parse(&saved.homeserver).ok().as_ref() != Some(&url) {
                    return Err(CoreError::StoreUnusable(
                        "the store belongs to another homeserver",
                    ));
                }
                url
            }
            (Ok(url), None) => url,
            (Err(_), Some(saved)) => Url::parse(&saved.homeserver)
                .map_err(|_| CoreError::StoreUnusable("the saved homeserver is not a URL"))?,
            (Err(name), None) => discovery::discover(&network, name).await?,
        };

        let delivery = Arc::new(delivery::Delivery::load(&store)?);
        let outbox = outbox::Outbox::load(&store)?;
        let cases = cases::CaseLinks::load(&store)?;
        let reporting = report::Reporting::load(&store, config.client_report_url.as_deref())?;
        let sync_state = Arc::new(sync::SyncShared::load(&store));
        let (audit, audit_state) = AuditLog::open(&store)?;
        let (events_in, events_out) = event_queue();
        let client = Arc::new_cyclic(|me| Self {
            homeserver,
            network,
            report,
            directory,
            reporting,
            recovery_passphrase: config.recovery_passphrase,
            decline_blocked_invites: config.decline_blocked_invites,
            sync_batch_window: config.sync_batch_window,
            backup_failure: Mutex::new(None),
            store: Arc::new(store),
            delivery,
            outbox,
            cases,
            audit,
            security: security::Security::new(config.rate_limits),
            engine: RwLock::new(None),
            events_in,
            events_out,
            sync_state,
            transfers: media::Transfers::default(),
            information: information::Information::default(),
            sync: Mutex::new(None),
            session_watch: Mutex::new(None),
            room_send_locks: Mutex::new(HashMap::new()),
            closing: watch::Sender::new(false),
            activity: tokio::sync::RwLock::new(()),
            me: me.clone(),
        });

        client.audit(AuditEvent::StoreOpened);
        if let (Some(first_broken), Some(reason)) = (audit_state.first_broken, audit_state.reason) {
            tracing::error!(first_broken, reason, "the audit log is damaged");
            client.audit(AuditEvent::AuditLogDamaged { first_broken, reason });
            client.restrict(security::Restriction::AuditLogDamaged);
        }
        client.restrict_for_damaged_records();
        if let Some(reason) = client.stop_reason() {
            return Err(CoreError::Stopped(reason.code()));
        }

        let engine = client.build_engine().await?;
        if let Some(saved) = saved_session {
            engine
                .matrix_auth()
                .restore_session(to_matrix_session(&saved)?, RoomLoadSettings::default())
                .await
                .map_err(|error| CoreError::from_sdk("restore session", error))?;
            tracing::info!(device_id = %saved.device_id, "session restored from the store");
        }
        let restored = engine.session_meta().is_some();
        client.install_engine(engine);
        if restored {
            client.resume_queue();
        }
        Ok(client)
    }

    /// The logged-in identity, if any.
    pub fn session(&self) -> CoreResult<Option<Session>> {
        let engine = self.engine()?;
        Ok(engine.session_meta().map(|meta| Session {
            user_id: meta.user_id.to_string(),
            device_id: meta.device_id.to_string(),
        }))
    }

    /// Logs in with a user name (full user ID or localpart) and password, and saves the session.
    ///
    /// # Errors
    /// [`CoreError::AlreadyLoggedIn`], [`CoreError::AuthenticationFailed`] for refused
    /// credentials, and homeserver or network errors.
    pub async fn login_password(
        self: &Arc<Self>,
        user: &str,
        password: Secret,
        device_display_name: Option<&str>,
    ) -> CoreResult<Session> {
        validate::login_user("user", user)?;
        if password.is_empty() {
            return Err(CoreError::invalid("password", "must not be empty"));
        }
        self.login_with(device_display_name, |engine| async move {
            let login = engine.matrix_auth().login_username(user, password.expose());
            login_request(login, device_display_name).await
        })
        .await
    }

    /// Logs in with a login token (`m.login.token`) that the integrating system obtained, for
    /// example at the end of an SSO flow, and saves the session. A token works once.
    ///
    /// # Errors
    /// As [`Self::login_password`]; a used, expired or unknown token is
    /// [`CoreError::AuthenticationFailed`].
    pub async fn login_token(
        self: &Arc<Self>,
        token: Secret,
        device_display_name: Option<&str>,
    ) -> CoreResult<Session> {
        if token.is_empty() || token.expose().len() > 4096 {
            return Err(CoreError::invalid("loginToken", "must have 1 to 4096 characters"));
        }
        self.login_with(device_display_name, |engine| async move {
            let login = engine.matrix_auth().login_token(token.expose());
            login_request(login, device_display_name).await
        })
        .await
    }

    /// The steps every login shares: checks, the request `login` makes, the engine reset after
    /// a refusal, saving the session, the audit entry and the key backup.
    async fn login_with<F, Fut>(
        self: &Arc<Self>,
        device_display_name: Option<&str>,
        login: F,
    ) -> CoreResult<Session>
    where
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = matrix_sdk::Result<LoginResponse>>,
    {
        self.guarded(async {
            if let Some(name) = device_display_name {
                validate::label("deviceDisplayName", name)?;
            }
            self.require_login_allowed()?;
            let engine = self.engine()?;
            if engine.session_meta().is_some() {
                return Err(CoreError::AlreadyLoggedIn);
            }

            let response = match login(engine.clone()).await {
                Ok(response) => response,
                Err(error) => {
                    // The engine cannot take a session after a failed attempt: start a fresh one.
                    self.replace_engine().await?;
                    let error = match CoreError::from_sdk("login", error) {
                        CoreError::Homeserver { status: 403, .. } => {
                            CoreError::AuthenticationFailed
                        }
                        other => other,
                    };
                    if matches!(error, CoreError::AuthenticationFailed) {
                        self.audit(AuditEvent::LoginRefused);
                        self.note_refused_login();
                    }
                    return Err(error);
                }
            };

            self.save_session(&engine)?;
            tracing::info!(device_id = %response.device_id, "logged in");
            self.audit(AuditEvent::LoggedIn {
                user_id: response.user_id.to_string(),
                device_id: response.device_id.to_string(),
            });
            self.set_up_key_backup_after_login(&engine).await;
            Ok(Session {
                user_id: response.user_id.to_string(),
                device_id: response.device_id.to_string(),
            })
        })
        .await
    }

    /// Signs every other device of this account out (their keys are deleted on the server), as
    /// after a device was lost or a store was copied. The homeserver asks for the account's
    /// password to confirm. Returns how many devices were signed out.
    ///
    /// # Errors
    /// [`CoreError::AuthenticationFailed`] for a wrong password, [`CoreError::NotLoggedIn`],
    /// [`CoreError::Restricted`], [`CoreError::RateLimited`], homeserver and network errors.
    pub async fn logout_other_devices(&self, password: Secret) -> CoreResult<usize> {
        if password.is_empty() {
            return Err(CoreError::invalid("password", "must not be empty"));
        }
        self.admit(security::Operation::Change, "logout_other_devices")?;
        self.guarded(async {
            let engine = self.logged_in_engine()?;
            let own = engine.device_id().ok_or(CoreError::NotLoggedIn)?.to_owned();
            let user = engine.user_id().ok_or(CoreError::NotLoggedIn)?.to_owned();
            let devices = engine
                .devices()
                .await
                .map_err(|error| CoreError::from_http("list devices", error))?
                .devices;
            let others: Vec<OwnedDeviceId> = devices
                .into_iter()
                .map(|device| device.device_id)
                .filter(|id| *id != own)
                .collect();
            if others.is_empty() {
                return Ok(0);
            }

            // The first attempt fails with the interactive-auth session the second one needs.
            let session = match engine.delete_devices(&others, None).await {
                Ok(_) => return Ok(others.len()),
                Err(error) => error
                    .as_uiaa_response()
                    .and_then(|info| info.session.clone())
                    .ok_or_else(|| CoreError::from_http("sign out devices", error))?,
            };
            let mut auth =
                uiaa::Password::new(uiaa::UserIdentifier::from(user), password.expose().to_owned());
            auth.session = Some(session);
            engine.delete_devices(&others, Some(uiaa::AuthData::Password(auth))).await.map_err(
                |error| {
                    // A refused password comes back as another interactive-auth challenge.
                    if error.as_uiaa_response().is_some() {
                        return CoreError::AuthenticationFailed;
                    }
                    CoreError::from_http("sign out devices", error)
                },
            )?;
            self.audit(AuditEvent::OtherDevicesLoggedOut { count: others.len() });
            Ok(others.len())
        })
        .await
    }

    /// Logs out on the homeserver, deletes the device's keys and the saved session.
    ///
    /// The device is gone on the server, so its keys in the store are of no further use. Messages
    /// still in the send queue are discarded: another device could not send them under their
    /// transaction IDs, which is what protects against duplicates.
    ///
    /// # Errors
    /// [`CoreError::NotLoggedIn`], and homeserver or network errors (then nothing was deleted).
    pub async fn logout(self: &Arc<Self>) -> CoreResult<()> {
        self.guarded(async {
            let engine = self.engine()?;
            if engine.session_meta().is_none() {
                return Err(CoreError::NotLoggedIn);
            }
            self.stop_sync().await?;

            engine
                .matrix_auth()
                .logout()
                .await
                .map_err(|error| CoreError::from_http("logout", error))?;
            let device_id = engine.device_id().map(ToString::to_string).unwrap_or_default();
            self.store.delete_session()?;
            self.audit(AuditEvent::LoggedOut { device_id });
            self.delivery.reset(&self.store)?;
            self.outbox.clear(&self.store);
            self.sync_state.clear(&self.store)?;
            drop(engine);

            self.retire_engine();
            if !self.store.wait_until_engine_closed(ENGINE_CLOSE_LIMIT).await {
                tracing::warn!("the logged-out device's databases were still open");
            }
            if std::fs::remove_dir_all(self.store.engine_dir()).is_err() {
                tracing::warn!("the logged-out device's databases could not be removed");
            }
            let fresh = self.build_engine().await?;
            self.install_engine(fresh);
            tracing::info!("logged out");
            Ok(())
        })
        .await
    }

    /// Starts the sync loop; does nothing when it runs already.
    ///
    /// # Errors
    /// [`CoreError::NotLoggedIn`], [`CoreError::Closed`].
    pub fn start_sync(self: &Arc<Self>) -> CoreResult<()> {
        let engine = self.logged_in_engine()?;
        let mut sync = self.sync.lock().unwrap_or_else(PoisonError::into_inner);
        if sync.as_ref().is_some_and(|task| !task.handle.is_finished()) {
            return Ok(());
        }
        let (stop, stopped) = watch::channel(false);
        let context = sync::SyncContext {
            events: self.events_in.clone(),
            shared: self.sync_state.clone(),
            delivery: self.delivery.clone(),
            store: self.store.clone(),
            client: Arc::downgrade(self),
            batch_window: self.sync_batch_window,
        };
        let handle = runtime().spawn(sync::sync_loop(engine, context, stopped));
        *sync = Some(SyncTask { stop, handle });
        tracing::info!("sync loop started");
        Ok(())
    }

    /// Stops the sync loop and waits until it has ended; does nothing when it is not running.
    pub async fn stop_sync(&self) -> CoreResult<()> {
        let task = self.sync.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(task) = task {
            let _ = task.stop.send(true);
            if task.handle.await.is_err() {
                tracing::error!("the sync loop ended abnormally");
            }
            tracing::info!("sync loop stopped");
        }
        Ok(())
    }

    /// Whether the sync loop is running.
    pub fn is_syncing(&self) -> bool {
        let sync = self.sync.lock().unwrap_or_else(PoisonError::into_inner);
        sync.as_ref().is_some_and(|task| !task.handle.is_finished())
    }

    /// How the sync loop fares: when a sync last succeeded, and the failures since.
    pub fn sync_health(&self) -> sync::SyncHealth {
        self.sync_state.health()
    }

    /// Waits up to `timeout` for events and returns at most `max` of them.
    ///
    /// Each event comes with its sequence number; acknowledge it with
    /// [`Self::acknowledge_events`] once it has been handed over, so that a restart does not
    /// deliver it again.
    pub async fn next_events(
        &self,
        timeout: Duration,
        max: usize,
    ) -> CoreResult<Vec<NumberedEvent>> {
        if max == 0 {
            return Err(CoreError::invalid("maxEvents", "must be at least 1"));
        }
        if self.stop_reason().is_some() {
            return self.events_left_at_stop(max).await;
        }
        let waited = self
            .guarded(async {
                // The queue outlives engine replacements; `guarded` refuses a closed client.
                let mut events = self.events_out.next_batch(timeout, max).await;
                // Stamped at hand-over, so that a link made while an event waited applies to it.
                for (_, event) in &mut events {
                    self.stamp_case_references(event);
                    if let ClientEvent::Custom(custom) = event {
                        self.count_received(&custom.event_type, &custom.content_json);
                    }
                }
                Ok(events)
            })
            .await;
        match waited {
            // A stop during the wait: what it queued is still to be handed over.
            Err(CoreError::Stopped(_)) => self.events_left_at_stop(max).await,
            other => other,
        }
    }

    /// What was queued up to a controlled stop, its own audit entry among it: it still reaches
    /// the integrating system, and once nothing is left the stop is the answer.
    async fn events_left_at_stop(&self, max: usize) -> CoreResult<Vec<NumberedEvent>> {
        let events = self.events_out.next_batch(Duration::ZERO, max).await;
        if events.is_empty() {
            Err(self.closed_error())
        } else {
            Ok(events)
        }
    }

    /// Records that every event up to `sequence` has been handed to the integrating system.
    ///
    /// # Errors
    /// [`CoreError::StoreUnusable`] when the record cannot be saved.
    pub fn acknowledge_events(&self, sequence: u64) -> CoreResult<()> {
        self.delivery.acknowledge(&self.store, sequence)
    }

    /// Stops the sync loop, ends operations in flight (they fail with [`CoreError::Closed`]),
    /// releases the engine and then the store's lock, so that another client may open the store
    /// as soon as this returns. Idempotent.
    pub async fn close(&self) {
        self.begin_closing();
        let _quiet = self.activity.write().await;

        let _ = self.stop_sync().await;
        self.transfers.abort_all();
        let watcher = self.session_watch.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(watcher) = watcher {
            watcher.abort();
            let _ = watcher.await;
        }
        self.retire_engine();
        if !self.store.wait_until_engine_closed(ENGINE_CLOSE_LIMIT).await {
            tracing::warn!("the engine's databases were still open when the store was released");
        }
        self.store.release();
    }

    /// Tells operations in flight to give up; `close` then waits for them.
    fn begin_closing(&self) {
        self.closing.send_replace(true);
    }

    /// What a call of a closing client fails with: [`CoreError::Stopped`] after a controlled
    /// stop, else [`CoreError::Closed`].
    fn closed_error(&self) -> CoreError {
        match self.stop_reason() {
            Some(reason) => CoreError::Stopped(reason.code()),
            None => CoreError::Closed,
        }
    }

    /// Runs an operation that uses the engine, unless the client is closing; `close` waits for
    /// it after telling it to give up.
    async fn guarded<T>(&self, operation: impl Future<Output = CoreResult<T>>) -> CoreResult<T> {
        let _active = self.activity.read().await;
        let mut closing = self.closing.subscribe();
        if *closing.borrow_and_update() {
            return Err(self.closed_error());
        }
        tokio::select! {
            biased;
            _ = closing.wait_for(|closing| *closing) => Err(self.closed_error()),
            result = operation => result,
        }
    }

    /// Writes an audit entry and hands it to the integrating system. A log that someone else
    /// changed on disk restricts the client; a log that cannot be written stops it, since the
    /// client must not act unaudited.
    pub(crate) fn audit(&self, event: AuditEvent) {
        if self.store.is_released() {
            // Another client may own the store now: two writers would fork the chain.
            tracing::warn!(event = event.name(), "an audit entry after close was not written");
            return;
        }
        match self.audit.record(&self.store, &event) {
            Ok(recorded) => {
                let first_new = recorded.entry.sequence;
                // Not recorded for delivery (sequence 0): the file is the record.
                if self.events_in.try_send((0, ClientEvent::Audit(recorded.entry))).is_err() {
                    tracing::warn!("an audit entry was not handed over: the event queue is full");
                }
                if recorded.file_changed {
                    tracing::error!("the audit log was changed on disk while the client ran");
                    self.audit(AuditEvent::AuditLogDamaged {
                        first_broken: first_new,
                        reason: "the log was changed on disk while the client ran",
                    });
                    self.restrict(security::Restriction::AuditLogDamaged);
                }
            }
            Err(error) => {
                tracing::error!(error = %error, "the audit log could not be written");
                self.stop(security::StopReason::AuditLogUnwritable);
            }
        }
    }

    /// Audits the records the store found damaged (and moved aside) and restricts the client.
    fn restrict_for_damaged_records(&self) {
        let damaged = self.store.take_damaged();
        if damaged.is_empty() {
            return;
        }
        for (record, moved_to) in damaged {
            self.audit(AuditEvent::StoreRecordDamaged { record, moved_to });
        }
        self.restrict(security::Restriction::StoreDamaged);
    }

    /// Audits a call the Java side refused before it reached the core.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] for an operation or code that is not a short identifier.
    pub fn audit_rejected_call(&self, operation: &str, code: &str) -> CoreResult<()> {
        if *self.closing.borrow() {
            return Err(self.closed_error());
        }
        validate::audit_identifier("operation", operation)?;
        validate::audit_identifier("code", code)?;
        self.audit(AuditEvent::RejectedCall {
            operation: operation.to_owned(),
            code: code.to_owned(),
        });
        self.note_refused_call();
        Ok(())
    }

    /// Audits that the previous client of this store in the process refused `count` calls after
    /// it had been closed: a use-after-close in the integrating system, which that client could
    /// not write into the log it had already closed.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] for a count of zero.
    pub fn audit_calls_after_close(&self, count: u64) -> CoreResult<()> {
        if count == 0 {
            return Err(CoreError::invalid("count", "must be at least 1"));
        }
        self.audit(AuditEvent::CallsAfterClose { count });
        Ok(())
    }

    /// Verifies the audit log as it is on disk.
    ///
    /// # Errors
    /// [`CoreError::StoreUnusable`] when it cannot be read.
    pub fn verify_audit_log(&self) -> CoreResult<AuditVerification> {
        self.audit.verify(&self.store)
    }

    /// What this client reports about itself: product, versions, platform, the integrating
    /// system and when the client was opened.
    pub fn self_report(&self) -> &SelfReport {
        &self.report
    }

    /// Whether [`Self::close`] has run.
    pub fn is_closed(&self) -> bool {
        self.engine.read().unwrap_or_else(PoisonError::into_inner).is_none()
    }

    /// The current engine. There is none after `close`, and for a moment during `logout`, while
    /// the logged-out device's databases are replaced: then the client is simply not logged in.
    fn engine(&self) -> CoreResult<Client> {
        let engine = self.engine.read().unwrap_or_else(PoisonError::into_inner).clone();
        engine.ok_or_else(|| {
            if *self.closing.borrow() {
                self.closed_error()
            } else {
                CoreError::NotLoggedIn
            }
        })
    }

    fn logged_in_engine(&self) -> CoreResult<Client> {
        let engine = self.engine()?;
        if engine.session_meta().is_none() {
            return Err(CoreError::NotLoggedIn);
        }
        Ok(engine)
    }

    fn room_send_lock(&self, room_id: &RoomId) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.room_send_locks.lock().unwrap_or_else(PoisonError::into_inner);
        locks.entry(room_id.to_owned()).or_default().clone()
    }

    async fn build_engine(&self) -> CoreResult<Client> {
        let database =
            SqliteStoreConfig::new(self.store.engine_dir()).key(Some(self.store.engine_key()));
        let engine = Client::builder()
            .homeserver_url(self.homeserver.as_str())
            // The configured URL stays authoritative: a login response's `well_known` must not
            // move the client to another host (past an egress proxy, say) until the next restart.
            .respect_login_well_known(false)
            .http_client(self.network.client().clone())
            .sqlite_store_with_config_and_cache_path(database, None::<PathBuf>)
            .handle_refresh_tokens()
            // A new device of the account fetches every key once it has the backup's key.
            .with_encryption_settings(EncryptionSettings {
                backup_download_strategy: BackupDownloadStrategy::OneShot,
                ..EncryptionSettings::default()
            })
            .request_config(
                RequestConfig::new().timeout(REQUEST_TIMEOUT).retry_limit(REQUEST_RETRIES),
            )
            .build()
            .await
            .map_err(CoreError::from_build)?;
        Ok(engine)
    }

    /// Makes `engine` the client's engine, retiring the one before it.
    fn install_engine(self: &Arc<Self>, engine: Client) {
        let watcher = runtime().spawn(save_refreshed_tokens(Arc::downgrade(self), engine.clone()));
        let old_watcher =
            self.session_watch.lock().unwrap_or_else(PoisonError::into_inner).replace(watcher);
        if let Some(old) = old_watcher {
            old.abort();
        }
        let old = self.engine.write().unwrap_or_else(PoisonError::into_inner).replace(engine);
        drop_in_runtime(old);
    }

    async fn replace_engine(self: &Arc<Self>) -> CoreResult<()> {
        let fresh = self.build_engine().await?;
        self.install_engine(fresh);
        Ok(())
    }

    /// Takes the engine out and drops it inside the runtime: dropping it on a plain thread panics
    /// in the SQLite pool's clean-up.
    fn retire_engine(&self) {
        if let Some(watcher) =
            self.session_watch.lock().unwrap_or_else(PoisonError::into_inner).take()
        {
            watcher.abort();
        }
        let old = self.engine.write().unwrap_or_else(PoisonError::into_inner).take();
        drop_in_runtime(old);
    }

    fn save_session(&self, engine: &Client) -> CoreResult<()> {
        let meta = engine.session_meta().ok_or(CoreError::NotLoggedIn)?;
        let tokens = engine.session_tokens().ok_or(CoreError::NotLoggedIn)?;
        self.store.save_session(&StoredSession {
            homeserver: self.homeserver.to_string(),
            user_id: meta.user_id.to_string(),
            device_id: meta.device_id.to_string(),
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
        })
    }
}

impl Drop for HeadlessClient {
    fn drop(&mut self) {
        if let Some(task) = self.sync.get_mut().unwrap_or_else(PoisonError::into_inner).take() {
            task.handle.abort();
        }
        self.retire_engine();
    }
}

fn drop_in_runtime(engine: Option<Client>) {
    if let Some(engine) = engine {
        let _context = runtime().enter();
        drop(engine);
    }
}

fn to_matrix_session(saved: &StoredSession) -> CoreResult<MatrixSession> {
    let damaged = |_| CoreError::StoreUnusable("the saved session is damaged");
    Ok(MatrixSession {
        meta: SessionMeta {
            user_id: saved.user_id.as_str().try_into().map_err(damaged)?,
            device_id: saved.device_id.as_str().into(),
        },
        tokens: SessionTokens {
            access_token: saved.access_token.clone(),
            refresh_token: saved.refresh_token.clone(),
        },
    })
}

/// Saves the session again whenever the engine refreshed its tokens, so that a restart after a
/// refresh does not come back with a revoked token.
async fn save_refreshed_tokens(client: std::sync::Weak<HeadlessClient>, engine: Client) {
    let mut changes = engine.subscribe_to_session_changes();
    loop {
        match changes.recv().await {
            Ok(SessionChange::TokensRefreshed) => {
                let Some(client) = client.upgrade() else { return };
                if client.save_session(&engine).is_err() {
                    tracing::warn!("refreshed tokens could not be saved");
                }
            }
            Ok(SessionChange::UnknownToken(data)) => {
                tracing::warn!(
                    soft_logout = data.soft_logout,
                    "the homeserver no longer knows the token"
                );
            }
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                // A missed refresh leaves only the current tokens worth saving.
                let Some(client) = client.upgrade() else { return };
                let _ = client.save_session(&engine);
            }
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        }
    }
}
