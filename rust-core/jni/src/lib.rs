//! JNI bridge of tim-headless: the only code that touches JNI.
//!
//! It converts arguments, calls the core and converts results back; it holds no client logic.
//! Every entry point runs its body through [`entry`], which contains panics and maps each error
//! to a typed Java exception (see [`errors`]). Clients cross to Java as `long` handles into a
//! table ([`handles`]). Blocking calls block the calling Java thread on the shared runtime; the
//! Java side runs them on its own executor so that its callers get futures.
//!
//! The Java peer of these functions is `health.tim.headless.internal.NativeBridge`.

mod classes;
mod convert;
mod errors;
mod handles;
mod wire;

use std::{path::PathBuf, time::Duration};

use jni::{
    objects::{JByteArray, JCharArray, JClass, JObject, JObjectArray, JString},
    sys::{jboolean, jint, jlong},
    Env, EnvUnowned,
};
use tim_headless_core::network::NetworkConfig;
use tim_headless_core::product::{Identification, IdentificationFormat, IntegratingSystem};
use tim_headless_core::{
    block_on, check_room_options, content, logging, validate, AttachmentSpec, CaseReference,
    ClientConfig, DefaultSetting, DirectoryKind, DirectoryQuery, HeadlessClient,
    HomeserverLocation, OutgoingMessage, PermissionConfig, RateLimits, RoomKind, RoomOptions,
    TextKind, GROUP_INSURED_PERSON,
};

use crate::errors::{BridgeError, BridgeResult, ThrowTyped};

/// Runs an entry point's body: a panic or an error becomes a typed Java exception, and the
/// function returns the type's default value, which Java never sees because of the exception.
fn entry<'local, T: Default>(
    env: &mut EnvUnowned<'local>,
    body: impl FnOnce(&mut Env<'local>) -> BridgeResult<T>,
) -> T {
    env.with_env(body).resolve::<ThrowTyped>()
}

fn invalid(parameter: &'static str, reason: &'static str) -> BridgeError {
    BridgeError::Core(tim_headless_core::CoreError::invalid(parameter, reason))
}

fn millis(parameter: &'static str, value: jint) -> BridgeResult<Duration> {
    u64::try_from(value).map(Duration::from_millis).map_err(|_| {
        BridgeError::Core(tim_headless_core::CoreError::invalid(parameter, "must not be negative"))
    })
}

fn count(parameter: &'static str, value: jint) -> BridgeResult<usize> {
    usize::try_from(value).map_err(|_| {
        BridgeError::Core(tim_headless_core::CoreError::invalid(parameter, "must not be negative"))
    })
}

/// `static native String nativeVersion()`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_nativeVersion<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> JObject<'local> {
    entry(&mut env, |env| convert::string(env, tim_headless_core::VERSION))
}

/// `static native int nativeInit(int logLevel)`: caches classes, installs the panic hook and
/// the log collector; returns the log level in force.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_nativeInit<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    log_level: jint,
) -> jint {
    entry(&mut env, |env| {
        classes::init(env)?;
        errors::install_panic_hook();
        let level = u8::try_from(log_level.clamp(0, 4)).unwrap_or(3);
        Ok(jint::from(logging::install(level)))
    })
}

/// `static native NativeLogRecord[] nextLogRecords(int timeoutMillis, int max)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_nextLogRecords<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    timeout_millis: jint,
    max: jint,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let timeout = millis("timeoutMillis", timeout_millis)?;
        let records = logging::next_records(timeout, count("max", max)?);
        convert::log_records(env, records)
    })
}

/// `static native long droppedLogRecords()`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_droppedLogRecords<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> jlong {
    entry(&mut env, |_| Ok(i64::try_from(logging::take_dropped_count()).unwrap_or(i64::MAX)))
}

/// `static native long clientOpen(String homeserverUrl, String storeDirectory,
/// char[] storePassphrase, char[] recoveryPassphrase, String optionsJson)`: the recovery
/// passphrase may be null, and so may the URL when the options name a server to discover; the
/// options are [`OpenOptions`] as JSON, so that
/// new settings do not widen the signature.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientOpen<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    homeserver_url: JString<'local>,
    store_directory: JString<'local>,
    store_passphrase: JCharArray<'local>,
    recovery_passphrase: JCharArray<'local>,
    options_json: JString<'local>,
) -> jlong {
    entry(&mut env, |env| {
        let options: OpenOptions =
            serde_json::from_str(&convert::required_string(env, "options", &options_json)?)
                .map_err(|_| invalid("options", "not the options object this library expects"))?;
        let format = match options.identification_format.as_str() {
            "TEXT" => IdentificationFormat::Text,
            "JSON" => IdentificationFormat::Json,
            _ => return Err(invalid("identificationFormat", "unknown")),
        };
        let recovery_passphrase = if recovery_passphrase.is_null() {
            None
        } else {
            Some(convert::secret(env, "recoveryPassphrase", &recovery_passphrase)?)
        };
        let config = ClientConfig {
            homeserver: match options.server_name {
                Some(name) if homeserver_url.is_null() => HomeserverLocation::Discover(name),
                Some(_) => return Err(invalid("serverName", "excludes homeserverUrl")),
                None => HomeserverLocation::Url(convert::required_string(
                    env,
                    "homeserverUrl",
                    &homeserver_url,
                )?),
            },
            store_dir: PathBuf::from(convert::required_string(
                env,
                "storeDirectory",
                &store_directory,
            )?),
            integrating_system: IntegratingSystem {
                name: options.integrating_system_name,
                version: options.integrating_system_version,
                vendor: options.integrating_system_vendor,
            },
            rate_limits: RateLimits {
                sends_per_second: options.sends_per_second,
                changes_per_second: options.changes_per_second,
                reads_per_second: options.reads_per_second,
            },
            network: NetworkConfig {
                proxy_url: options.proxy_url,
                trusted_certificates_pem: options.trusted_certificates_pem,
                identification: Identification {
                    header_name: options.identification_header,
                    format,
                },
            },
            recovery_passphrase,
            decline_blocked_invites: options.decline_blocked_invitations,
            directory_url: options.directory_url,
            client_report_url: options.client_report_url,
            sync_batch_window: Duration::from_millis(options.sync_batch_window_millis),
        };
        let passphrase = convert::secret(env, "storePassphrase", &store_passphrase)?;
        let client = block_on(HeadlessClient::open(config, passphrase))?;
        Ok(handles::insert(client))
    })
}

/// The settings `HeadlessClient.Builder` collects, besides URL, store and passphrase. It holds
/// nothing secret.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct OpenOptions {
    integrating_system_name: String,
    integrating_system_version: String,
    integrating_system_vendor: Option<String>,
    sends_per_second: u32,
    changes_per_second: u32,
    reads_per_second: u32,
    proxy_url: Option<String>,
    trusted_certificates_pem: Option<String>,
    identification_header: String,
    identification_format: String,
    decline_blocked_invitations: bool,
    server_name: Option<String>,
    directory_url: Option<String>,
    client_report_url: Option<String>,
    sync_batch_window_millis: u64,
}

/// `static native byte[] clientSelfReport(long handle)`: the self-report in the wire format.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientSelfReport<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let report = wire::self_report(handles::get(handle)?.self_report());
        convert::bytes(env, &report)
    })
}

/// `static native byte[] verifyAuditLog(String storeDirectory, char[] storePassphrase)`:
/// verifies the audit log of a store no client needs to hold; nothing is locked or written.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_verifyAuditLog<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    store_directory: JString<'local>,
    store_passphrase: JCharArray<'local>,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let dir = PathBuf::from(convert::required_string(env, "storeDirectory", &store_directory)?);
        let passphrase = convert::secret(env, "storePassphrase", &store_passphrase)?;
        let verification = tim_headless_core::audit::verify_store(&dir, &passphrase)?;
        convert::bytes(env, &wire::audit_verification(&verification))
    })
}

/// `static native byte[] clientVerifyAuditLog(long handle)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientVerifyAuditLog<
    'local,
>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let verification = client.verify_audit_log()?;
        convert::bytes(env, &wire::audit_verification(&verification))
    })
}

/// `static native void clientAuditRejected(long handle, String operation, String code)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientAuditRejected<
    'local,
>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    operation: JString<'local>,
    code: JString<'local>,
) {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let operation = convert::required_string(env, "operation", &operation)?;
        let code = convert::required_string(env, "code", &code)?;
        Ok(client.audit_rejected_call(&operation, &code)?)
    })
}

/// `static native void clientAuditCallsAfterClose(long handle, long count)`: audits the calls the
/// previous client of this store refused after its close.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientAuditCallsAfterClose<
    'local,
>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    count: jlong,
) {
    entry(&mut env, |_env| {
        let client = handles::get(handle)?;
        let count = u64::try_from(count).map_err(|_| invalid("count", "must not be negative"))?;
        Ok(client.audit_calls_after_close(count)?)
    })
}

/// `static native String clientStopReason(long handle)`: the reason code of a controlled stop,
/// or `null` while the client runs.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientStopReason<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        match client.stop_reason() {
            Some(reason) => convert::string(env, reason.code()),
            None => Ok(JObject::null()),
        }
    })
}

/// `static native String clientRestriction(long handle)`: the reason code of the restricted
/// mode, or `null` when the client is not restricted.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientRestriction<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        match client.restriction() {
            Some(restriction) => convert::string(env, restriction.code()),
            None => Ok(JObject::null()),
        }
    })
}

/// `static native void clientLiftRestriction(long handle, String operator)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientLiftRestriction<
    'local,
>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    operator: JString<'local>,
) {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let operator = convert::required_string(env, "operator", &operator)?;
        Ok(client.lift_restriction(&operator)?)
    })
}

/// `static native void clientClose(long handle)`: closes and forgets the client; idempotent.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientClose<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    entry(&mut env, |_| {
        if let Some(client) = handles::remove(handle) {
            block_on(client.close());
        }
        Ok(())
    })
}

/// `static native Session clientSession(long handle)`: the session, or `null`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientSession<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let session = handles::get(handle)?.session()?;
        convert::session(env, session)
    })
}

/// `static native Session clientLoginPassword(long handle, String user, char[] password,
/// String deviceDisplayName)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientLoginPassword<
    'local,
>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    user: JString<'local>,
    password: JCharArray<'local>,
    device_display_name: JString<'local>,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let user = convert::required_string(env, "user", &user)?;
        let password = convert::secret(env, "password", &password)?;
        let device_name = convert::optional_string(env, &device_display_name)?;
        let session = block_on(client.login_password(&user, password, device_name.as_deref()))?;
        convert::session(env, Some(session))
    })
}

/// `static native Session clientLoginToken(long handle, char[] loginToken,
/// String deviceDisplayName)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientLoginToken<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    login_token: JCharArray<'local>,
    device_display_name: JString<'local>,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let token = convert::secret(env, "loginToken", &login_token)?;
        let device_name = convert::optional_string(env, &device_display_name)?;
        let session = block_on(client.login_token(token, device_name.as_deref()))?;
        convert::session(env, Some(session))
    })
}

/// `static native int clientLogoutOtherDevices(long handle, char[] password)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientLogoutOtherDevices<
    'local,
>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    password: JCharArray<'local>,
) -> jint {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let password = convert::secret(env, "password", &password)?;
        let count = block_on(client.logout_other_devices(password))?;
        Ok(jint::try_from(count).unwrap_or(jint::MAX))
    })
}

/// `static native void clientLogout(long handle)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientLogout<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    entry(&mut env, |_| Ok(block_on(handles::get(handle)?.logout())?))
}

/// `static native void clientStartSync(long handle)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientStartSync<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    entry(&mut env, |_| Ok(handles::get(handle)?.start_sync()?))
}

/// `static native void clientStopSync(long handle)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientStopSync<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    entry(&mut env, |_| Ok(block_on(handles::get(handle)?.stop_sync())?))
}

/// `static native boolean clientIsSyncing(long handle)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientIsSyncing<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> jboolean {
    entry(&mut env, |_| Ok(handles::get(handle)?.is_syncing()))
}

/// `static native byte[] clientSyncStatus(long handle)`: the sync loop's state in the wire format.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientSyncStatus<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        convert::bytes(env, &wire::sync_status(client.is_syncing(), client.sync_health()))
    })
}

/// `static native void checkRoomOptions(int kind, boolean encrypted, String name, String topic,
/// String invitee, String roomVersion)`: applies the creation rules without sending anything.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_checkRoomOptions<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    kind: jint,
    encrypted: jboolean,
    name: JString<'local>,
    topic: JString<'local>,
    invitee: JString<'local>,
    room_version: JString<'local>,
) {
    entry(&mut env, |env| {
        let options = room_options(env, kind, encrypted, &name, &topic, &invitee, &room_version)?;
        Ok(check_room_options(&options)?)
    })
}

/// `static native String clientCreateRoom(long handle, int kind, boolean encrypted, String name,
/// String topic, String invitee, String roomVersion)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientCreateRoom<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    kind: jint,
    encrypted: jboolean,
    name: JString<'local>,
    topic: JString<'local>,
    invitee: JString<'local>,
    room_version: JString<'local>,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let options = room_options(env, kind, encrypted, &name, &topic, &invitee, &room_version)?;
        let room_id = block_on(client.create_room(options))?;
        convert::string(env, &room_id)
    })
}

/// Room kinds as `NativeBridge` numbers them.
const ROOM_KIND_PRIVATE: jint = 1;
const ROOM_KIND_DIRECT: jint = 2;
const ROOM_KIND_PUBLIC_UNENCRYPTED: jint = 3;

fn room_options(
    env: &Env<'_>,
    kind: jint,
    encrypted: jboolean,
    name: &JString<'_>,
    topic: &JString<'_>,
    invitee: &JString<'_>,
    room_version: &JString<'_>,
) -> BridgeResult<RoomOptions> {
    let kind = match kind {
        ROOM_KIND_PRIVATE => RoomKind::Private,
        ROOM_KIND_DIRECT => RoomKind::Direct,
        ROOM_KIND_PUBLIC_UNENCRYPTED => RoomKind::PublicUnencrypted,
        _ => return Err(invalid("kind", "unknown")),
    };
    Ok(RoomOptions {
        kind,
        encrypted,
        name: convert::optional_string(env, name)?,
        topic: convert::optional_string(env, topic)?,
        invitee: convert::optional_string(env, invitee)?,
        room_version: convert::optional_string(env, room_version)?,
    })
}

/// `static native void clientJoinRoom(long handle, String roomId)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientJoinRoom<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    room_id: JString<'local>,
) {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let room_id = convert::required_string(env, "roomId", &room_id)?;
        Ok(block_on(client.join_room(&room_id))?)
    })
}

/// `static native void clientInvite(long handle, String roomId, String userId)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientInvite<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    room_id: JString<'local>,
    user_id: JString<'local>,
) {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let room_id = convert::required_string(env, "roomId", &room_id)?;
        let user_id = convert::required_string(env, "userId", &user_id)?;
        Ok(block_on(client.invite(&room_id, &user_id))?)
    })
}

/// What [`Java_health_tim_headless_internal_NativeBridge_clientChangeMembership`] does.
const MEMBERSHIP_DECLINE: jint = 1;
const MEMBERSHIP_LEAVE: jint = 2;
const MEMBERSHIP_FORGET: jint = 3;

/// `static native void clientChangeMembership(long handle, String roomId, int change)`:
/// declines an invitation, leaves a room or forgets a left room.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientChangeMembership<
    'local,
>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    room_id: JString<'local>,
    change: jint,
) {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let room_id = convert::required_string(env, "roomId", &room_id)?;
        Ok(match change {
            MEMBERSHIP_DECLINE => block_on(client.decline_invite(&room_id)),
            MEMBERSHIP_LEAVE => block_on(client.leave_room(&room_id)),
            MEMBERSHIP_FORGET => block_on(client.forget_room(&room_id)),
            _ => return Err(invalid("change", "unknown")),
        }?)
    })
}

/// `static native void clientKick(long handle, String roomId, String userId, String reason)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientKick<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    room_id: JString<'local>,
    user_id: JString<'local>,
    reason: JString<'local>,
) {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let room_id = convert::required_string(env, "roomId", &room_id)?;
        let user_id = convert::required_string(env, "userId", &user_id)?;
        let reason = convert::optional_string(env, &reason)?;
        Ok(block_on(client.kick(&room_id, &user_id, reason.as_deref()))?)
    })
}

/// `static native void clientSetRoomText(long handle, String roomId, boolean topic,
/// String value)`: sets the name (or the topic) as both the Matrix and the TI-M event.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientSetRoomText<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    room_id: JString<'local>,
    topic: jboolean,
    value: JString<'local>,
) {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let room_id = convert::required_string(env, "roomId", &room_id)?;
        let value = convert::required_string(env, if topic { "topic" } else { "name" }, &value)?;
        Ok(if topic {
            block_on(client.set_room_topic(&room_id, &value))
        } else {
            block_on(client.set_room_name(&room_id, &value))
        }?)
    })
}

/// `static native byte[] clientRooms(long handle)`: the room summaries, encoded.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientRooms<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let rooms = block_on(handles::get(handle)?.rooms())?;
        convert::bytes(env, &wire::room_summaries(&rooms))
    })
}

/// What [`Java_health_tim_headless_internal_NativeBridge_clientRoomInfo`] reads.
const ROOM_INFO_SUMMARY: jint = 1;
const ROOM_INFO_MEMBERS: jint = 2;
const ROOM_INFO_STATE: jint = 3;
const ROOM_INFO_SETTINGS: jint = 4;

/// `static native byte[] clientRoomInfo(long handle, String roomId, int what)`: a room's
/// summary, members, state events or settings, encoded.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientRoomInfo<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    room_id: JString<'local>,
    what: jint,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let room_id = convert::required_string(env, "roomId", &room_id)?;
        let encoded = match what {
            ROOM_INFO_SUMMARY => {
                wire::single_room_summary(&block_on(client.room_summary(&room_id))?)
            }
            ROOM_INFO_MEMBERS => wire::room_members(&block_on(client.room_members(&room_id))?),
            ROOM_INFO_STATE => wire::state_events(&block_on(client.room_state(&room_id))?),
            ROOM_INFO_SETTINGS => wire::room_settings(&block_on(client.room_settings(&room_id))?),
            _ => return Err(invalid("what", "unknown")),
        };
        convert::bytes(env, &encoded)
    })
}

/// `static native byte[] clientSearchUsers(long handle, String term, int limit)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientSearchUsers<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    term: JString<'local>,
    limit: jint,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let term = convert::required_string(env, "term", &term)?;
        let limit = u32::try_from(limit).map_err(|_| invalid("limit", "must not be negative"))?;
        let users = block_on(client.search_users(&term, limit))?;
        convert::bytes(env, &wire::user_profiles(&users))
    })
}

/// `static native byte[] clientProfile(long handle, String userId)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientProfile<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    user_id: JString<'local>,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let user_id = convert::required_string(env, "userId", &user_id)?;
        let profile = block_on(client.profile(&user_id))?;
        convert::bytes(env, &wire::single_user_profile(&profile))
    })
}

/// Message kinds as `NativeBridge` numbers them.
const MESSAGE_TEXT: jint = 1;
const MESSAGE_NOTICE: jint = 2;
const MESSAGE_EMOTE: jint = 3;
const MESSAGE_LOCATION: jint = 4;

fn outgoing_message(
    env: &Env<'_>,
    kind: jint,
    body: &JString<'_>,
    formatted_body: &JString<'_>,
    geo_uri: &JString<'_>,
    reply_to: &JString<'_>,
) -> BridgeResult<OutgoingMessage> {
    let kind = match kind {
        MESSAGE_TEXT => TextKind::Text,
        MESSAGE_NOTICE => TextKind::Notice,
        MESSAGE_EMOTE => TextKind::Emote,
        MESSAGE_LOCATION => TextKind::Location,
        _ => return Err(invalid("kind", "unknown")),
    };
    Ok(OutgoingMessage {
        kind,
        body: convert::required_string(env, "body", body)?,
        formatted_body: convert::optional_string(env, formatted_body)?,
        geo_uri: convert::optional_string(env, geo_uri)?,
        reply_to: convert::optional_string(env, reply_to)?,
    })
}

/// `static native void checkMessage(int kind, String body, String formattedBody, String geoUri,
/// String replyTo)`: applies the message rules without sending anything.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_checkMessage<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    kind: jint,
    body: JString<'local>,
    formatted_body: JString<'local>,
    geo_uri: JString<'local>,
    reply_to: JString<'local>,
) {
    entry(&mut env, |env| {
        let message = outgoing_message(env, kind, &body, &formatted_body, &geo_uri, &reply_to)?;
        Ok(content::message(&message).map(|_| ())?)
    })
}

/// `static native byte[] clientQueueMessage(long handle, String roomId, int kind, String body,
/// String formattedBody, String geoUri, String replyTo, boolean awaited)`: returns once the
/// message is saved in the send queue.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientQueueMessage<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    room_id: JString<'local>,
    kind: jint,
    body: JString<'local>,
    formatted_body: JString<'local>,
    geo_uri: JString<'local>,
    reply_to: JString<'local>,
    awaited: jboolean,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let room_id = convert::required_string(env, "roomId", &room_id)?;
        let message = outgoing_message(env, kind, &body, &formatted_body, &geo_uri, &reply_to)?;
        let queued = block_on(client.queue_message(&room_id, &message, awaited))?;
        convert::bytes(env, &wire::single_queued_message(&queued))
    })
}

/// `static native String clientAwaitQueued(long handle, String transactionId)`: the event ID
/// once the message is sent.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientAwaitQueued<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    transaction_id: JString<'local>,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let transaction_id = convert::required_string(env, "transactionId", &transaction_id)?;
        let event_id = block_on(client.await_queued(&transaction_id))?;
        convert::string(env, &event_id)
    })
}

/// `static native byte[] clientQueuedMessages(long handle)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientQueuedMessages<
    'local,
>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        convert::bytes(env, &wire::queued_messages(&client.queued_messages()))
    })
}

/// `static native void clientRetryQueued(long handle, String transactionId)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientRetryQueued<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    transaction_id: JString<'local>,
) {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let transaction_id = convert::required_string(env, "transactionId", &transaction_id)?;
        Ok(client.retry_queued(&transaction_id)?)
    })
}

/// `static native void clientDiscardQueued(long handle, String transactionId)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientDiscardQueued<
    'local,
>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    transaction_id: JString<'local>,
) {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let transaction_id = convert::required_string(env, "transactionId", &transaction_id)?;
        Ok(client.discard_queued(&transaction_id)?)
    })
}

/// `static native void checkEdit(String target, String body, String formattedBody)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_checkEdit<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    target: JString<'local>,
    body: JString<'local>,
    formatted_body: JString<'local>,
) {
    entry(&mut env, |env| {
        let target = convert::required_string(env, "targetEventId", &target)?;
        let body = convert::required_string(env, "body", &body)?;
        let formatted_body = convert::optional_string(env, &formatted_body)?;
        Ok(content::edit(&target, &body, formatted_body.as_deref()).map(|_| ())?)
    })
}

/// `static native String clientEditMessage(long handle, String roomId, String target,
/// String body, String formattedBody)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientEditMessage<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    room_id: JString<'local>,
    target: JString<'local>,
    body: JString<'local>,
    formatted_body: JString<'local>,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let room_id = convert::required_string(env, "roomId", &room_id)?;
        let target = convert::required_string(env, "targetEventId", &target)?;
        let body = convert::required_string(env, "body", &body)?;
        let formatted_body = convert::optional_string(env, &formatted_body)?;
        let event_id =
            block_on(client.edit_message(&room_id, &target, &body, formatted_body.as_deref()))?;
        convert::string(env, &event_id)
    })
}

/// `static native String clientReact(long handle, String roomId, String target, String key)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientReact<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    room_id: JString<'local>,
    target: JString<'local>,
    key: JString<'local>,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let room_id = convert::required_string(env, "roomId", &room_id)?;
        let target = convert::required_string(env, "targetEventId", &target)?;
        let key = convert::required_string(env, "key", &key)?;
        let event_id = block_on(client.react(&room_id, &target, &key))?;
        convert::string(env, &event_id)
    })
}

/// `static native void checkCustom(String eventType, String contentJson)`: the checks that do
/// not depend on the room (whether it encrypts changes the size limit's margin).
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_checkCustom<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    event_type: JString<'local>,
    content_json: JString<'local>,
) {
    entry(&mut env, |env| {
        let event_type = convert::required_string(env, "eventType", &event_type)?;
        let content_json = convert::required_string(env, "contentJson", &content_json)?;
        Ok(content::custom(&event_type, &content_json, false).map(|_| ())?)
    })
}

/// `static native byte[] clientQueueCustom(long handle, String roomId, String eventType,
/// String contentJson, boolean awaited)`: returns once the event is saved in the send queue.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientQueueCustom<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    room_id: JString<'local>,
    event_type: JString<'local>,
    content_json: JString<'local>,
    awaited: jboolean,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let room_id = convert::required_string(env, "roomId", &room_id)?;
        let event_type = convert::required_string(env, "eventType", &event_type)?;
        let content_json = convert::required_string(env, "contentJson", &content_json)?;
        let queued = block_on(client.queue_custom(&room_id, &event_type, &content_json, awaited))?;
        convert::bytes(env, &wire::single_queued_message(&queued))
    })
}

/// `static native void clientRedact(long handle, String roomId, String target, String reason)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientRedact<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    room_id: JString<'local>,
    target: JString<'local>,
    reason: JString<'local>,
) {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let room_id = convert::required_string(env, "roomId", &room_id)?;
        let target = convert::required_string(env, "targetEventId", &target)?;
        let reason = convert::optional_string(env, &reason)?;
        Ok(block_on(client.redact(&room_id, &target, reason.as_deref()))?)
    })
}

/// `static native byte[] clientHistory(long handle, String roomId, String from, int limit)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientHistory<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    room_id: JString<'local>,
    from: JString<'local>,
    limit: jint,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let room_id = convert::required_string(env, "roomId", &room_id)?;
        let from = convert::optional_string(env, &from)?;
        let limit = u32::try_from(limit).map_err(|_| invalid("limit", "must not be negative"))?;
        let page = block_on(client.history(&room_id, from.as_deref(), limit))?;
        convert::bytes(env, &wire::history_page(&page))
    })
}

/// `static native byte[] clientEvent(long handle, String roomId, String eventId)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientEvent<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    room_id: JString<'local>,
    event_id: JString<'local>,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let room_id = convert::required_string(env, "roomId", &room_id)?;
        let event_id = convert::required_string(env, "eventId", &event_id)?;
        let event = block_on(client.event(&room_id, &event_id))?;
        convert::bytes(env, &wire::single_event(&event))
    })
}

/// `static native void clientSendReadReceipt(long handle, String roomId, String eventId)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientSendReadReceipt<
    'local,
>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    room_id: JString<'local>,
    event_id: JString<'local>,
) {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let room_id = convert::required_string(env, "roomId", &room_id)?;
        let event_id = convert::required_string(env, "eventId", &event_id)?;
        Ok(block_on(client.send_read_receipt(&room_id, &event_id))?)
    })
}

/// `static native long clientBeginUpload(long handle, String roomId, String fileName,
/// String mimeType, long size)`: starts an attachment upload; returns its ID.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientBeginUpload<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    room_id: JString<'local>,
    file_name: JString<'local>,
    mime_type: JString<'local>,
    size: jlong,
) -> jlong {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let room_id = convert::required_string(env, "roomId", &room_id)?;
        let spec = AttachmentSpec {
            file_name: convert::required_string(env, "fileName", &file_name)?,
            mime_type: convert::required_string(env, "mimeType", &mime_type)?,
            size: u64::try_from(size).map_err(|_| invalid("size", "must not be negative"))?,
        };
        let id = block_on(client.begin_attachment(&room_id, spec))?;
        transfer_handle(id)
    })
}

/// `static native void clientWriteUpload(long handle, long uploadId, byte[] chunk, int length)`:
/// hands the first `length` bytes of `chunk` to the upload; blocks while the upload is behind.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientWriteUpload<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    upload_id: jlong,
    chunk: JByteArray<'local>,
    length: jint,
) {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let bytes = convert::byte_prefix(env, "chunk", &chunk, length)?;
        Ok(client.write_attachment(transfer_id(upload_id)?, &bytes)?)
    })
}

/// `static native String clientFinishUpload(long handle, long uploadId)`: completes the upload
/// and sends its message; returns the event ID.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientFinishUpload<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    upload_id: jlong,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let event_id = block_on(client.finish_attachment(transfer_id(upload_id)?))?;
        convert::string(env, &event_id)
    })
}

/// `static native void clientAbortUpload(long handle, long uploadId)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientAbortUpload<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    upload_id: jlong,
) {
    entry(&mut env, |_| {
        handles::get(handle)?.abort_attachment(transfer_id(upload_id)?);
        Ok(())
    })
}

/// `static native byte[] clientBeginDownload(long handle, String roomId, String eventId)`:
/// downloads and checks an attachment; returns its ID and description, encoded.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientBeginDownload<
    'local,
>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    room_id: JString<'local>,
    event_id: JString<'local>,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let room_id = convert::required_string(env, "roomId", &room_id)?;
        let event_id = convert::required_string(env, "eventId", &event_id)?;
        let (id, info) = block_on(client.begin_download(&room_id, &event_id))?;
        convert::bytes(env, &wire::download(id, &info))
    })
}

/// `static native byte[] clientReadDownload(long handle, long downloadId)`: the next decrypted
/// chunk, or `null` at the end.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientReadDownload<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    download_id: jlong,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        match client.read_download(transfer_id(download_id)?)? {
            Some(chunk) => convert::bytes(env, &chunk),
            None => Ok(JObject::null()),
        }
    })
}

/// `static native void clientCloseDownload(long handle, long downloadId)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientCloseDownload<
    'local,
>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    download_id: jlong,
) {
    entry(&mut env, |_| {
        handles::get(handle)?.close_download(transfer_id(download_id)?);
        Ok(())
    })
}

fn transfer_handle(id: u64) -> BridgeResult<jlong> {
    i64::try_from(id).map_err(|_| BridgeError::Core(tim_headless_core::CoreError::Internal("ids")))
}

fn transfer_id(id: jlong) -> BridgeResult<u64> {
    u64::try_from(id).map_err(|_| invalid("transferId", "must not be negative"))
}

/// Default settings as `NativeBridge` numbers them.
const PERMISSION_ALLOW_ALL: jint = 1;
const PERMISSION_BLOCK_ALL: jint = 2;

fn permission_config(
    env: &mut Env<'_>,
    default_setting: jint,
    users: &JObjectArray<'_, JString<'static>>,
    servers: &JObjectArray<'_, JString<'static>>,
    insured_persons: jboolean,
) -> BridgeResult<PermissionConfig> {
    let default_setting = match default_setting {
        PERMISSION_ALLOW_ALL => DefaultSetting::AllowAll,
        PERMISSION_BLOCK_ALL => DefaultSetting::BlockAll,
        _ => return Err(invalid("defaultSetting", "unknown")),
    };
    let mut group_exceptions = std::collections::BTreeSet::new();
    if insured_persons {
        group_exceptions.insert(GROUP_INSURED_PERSON.to_owned());
    }
    Ok(PermissionConfig {
        default_setting,
        user_exceptions: convert::string_array(env, "userExceptions", users)?.into_iter().collect(),
        server_exceptions: convert::string_array(env, "serverExceptions", servers)?
            .into_iter()
            .collect(),
        group_exceptions,
    })
}

/// `static native void checkPermissionConfig(int defaultSetting, String[] users,
/// String[] servers, boolean insuredPersons)`: applies the schema without writing anything.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_checkPermissionConfig<
    'local,
>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    default_setting: jint,
    users: JObjectArray<'local, JString<'static>>,
    servers: JObjectArray<'local, JString<'static>>,
    insured_persons: jboolean,
) {
    entry(&mut env, |env| {
        let config = permission_config(env, default_setting, &users, &servers, insured_persons)?;
        Ok(config.validate()?)
    })
}

/// `static native void clientSetPermissionConfig(long handle, int defaultSetting,
/// String[] users, String[] servers, boolean insuredPersons)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientSetPermissionConfig<
    'local,
>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    default_setting: jint,
    users: JObjectArray<'local, JString<'static>>,
    servers: JObjectArray<'local, JString<'static>>,
    insured_persons: jboolean,
) {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let config = permission_config(env, default_setting, &users, &servers, insured_persons)?;
        Ok(block_on(client.set_permission_config(&config))?)
    })
}

/// `static native byte[] clientPermissionConfig(long handle)`: the encoded configuration, or
/// `null` when none is set.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientPermissionConfig<
    'local,
>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JObject<'local> {
    entry(&mut env, |env| match block_on(handles::get(handle)?.permission_config())? {
        Some(config) => convert::bytes(env, &wire::permission_config(&config)),
        None => Ok(JObject::null()),
    })
}

/// `static native boolean clientIsInsurance(long handle, String serverName)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientIsInsurance<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    server_name: JString<'local>,
) -> jboolean {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let server_name = convert::required_string(env, "serverName", &server_name)?;
        Ok(block_on(client.is_insurance(&server_name))?)
    })
}

/// `static native String clientFindByIk(long handle, String ikNumber)`: the server name, or
/// `null` when the Fachdienst knows none.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientFindByIk<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    ik_number: JString<'local>,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let ik_number = convert::required_string(env, "ikNumber", &ik_number)?;
        match block_on(client.find_by_ik(&ik_number))? {
            Some(server_name) => convert::string(env, &server_name),
            None => Ok(JObject::null()),
        }
    })
}

/// `static native void clientAcknowledgeEvents(long handle, long sequence)`: every event up to
/// `sequence` has been handed to the listeners.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientAcknowledgeEvents<
    'local,
>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    sequence: jlong,
) {
    entry(&mut env, |_| {
        let sequence =
            u64::try_from(sequence).map_err(|_| invalid("sequence", "must not be negative"))?;
        Ok(handles::get(handle)?.acknowledge_events(sequence)?)
    })
}

/// `static native byte[] clientNextEvents(long handle, int timeoutMillis, int max)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientNextEvents<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    timeout_millis: jint,
    max: jint,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let timeout = millis("timeoutMillis", timeout_millis)?;
        let events = block_on(client.next_events(timeout, count("max", max)?))?;
        convert::bytes(env, &wire::events(&events))
    })
}

/// `static native void selfTestError(String code)`: throws the exception that native code
/// throws for `code`. Touches no client; it lets tests check every mapping.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_selfTestError<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    code: JString<'local>,
) {
    entry(&mut env, |env| {
        let code = convert::required_string(env, "code", &code)?;
        Err(errors::sample_error(&code).unwrap_or(BridgeError::Core(
            tim_headless_core::CoreError::invalid("code", "names no error kind"),
        )))
    })
}

/// `static native void selfTestPanic()`: panics inside an entry point. Touches no client; it
/// lets tests check that a panic arrives as an exception instead of ending the JVM.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_selfTestPanic<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
) {
    entry(&mut env, |_| -> BridgeResult<()> {
        panic!("self-test panic with a secret-looking payload: hunter2");
    })
}

/// What `validate` checks: the same rules the client applies before it acts.
const VALIDATE_USER_ID: jint = 1;
const VALIDATE_ROOM_ID: jint = 2;
const VALIDATE_MESSAGE_BODY: jint = 3;
const VALIDATE_EVENT_ID: jint = 4;
const VALIDATE_ROOM_NAME: jint = 5;
const VALIDATE_ROOM_TOPIC: jint = 6;
const VALIDATE_REASON: jint = 7;
const VALIDATE_SEARCH_TERM: jint = 8;
const VALIDATE_REACTION_KEY: jint = 9;
const VALIDATE_FILE_NAME: jint = 10;
const VALIDATE_MIME_TYPE: jint = 11;
const VALIDATE_SERVER_NAME: jint = 12;
const VALIDATE_IK_NUMBER: jint = 13;

/// `static native void validate(int kind, String value)`: lets the Java API refuse bad input
/// synchronously, before it schedules any work, with the core's own rules.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_validate<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    kind: jint,
    value: JString<'local>,
) {
    entry(&mut env, |env| {
        let parameter = match kind {
            VALIDATE_USER_ID => "userId",
            VALIDATE_ROOM_ID => "roomId",
            VALIDATE_MESSAGE_BODY => "body",
            VALIDATE_EVENT_ID => "eventId",
            VALIDATE_ROOM_NAME => "name",
            VALIDATE_ROOM_TOPIC => "topic",
            VALIDATE_REASON => "reason",
            VALIDATE_SEARCH_TERM => "term",
            VALIDATE_REACTION_KEY => "key",
            VALIDATE_FILE_NAME => "fileName",
            VALIDATE_MIME_TYPE => "mimeType",
            VALIDATE_SERVER_NAME => "serverName",
            VALIDATE_IK_NUMBER => "ikNumber",
            _ => return Err(invalid("kind", "unknown")),
        };
        let value = convert::required_string(env, parameter, &value)?;
        match kind {
            VALIDATE_USER_ID => validate::user_id(parameter, &value).map(|_| ()),
            VALIDATE_ROOM_ID => validate::room_id(parameter, &value).map(|_| ()),
            VALIDATE_MESSAGE_BODY => validate::message_body(parameter, &value),
            VALIDATE_EVENT_ID => validate::event_id(parameter, &value).map(|_| ()),
            VALIDATE_ROOM_NAME => validate::room_name(parameter, &value),
            VALIDATE_SEARCH_TERM => validate::search_term(parameter, &value),
            VALIDATE_REACTION_KEY => validate::reaction_key(parameter, &value),
            VALIDATE_FILE_NAME => validate::file_name(parameter, &value),
            VALIDATE_MIME_TYPE => validate::mime_type(parameter, &value),
            VALIDATE_SERVER_NAME => validate::server_name(parameter, &value).map(|_| ()),
            VALIDATE_IK_NUMBER => validate::ik_number(parameter, &value),
            _ => validate::long_text(parameter, &value),
        }
        .map_err(BridgeError::from)
    })
}

/// The reference a case call names, from its three arguments.
fn case_reference(
    env: &Env<'_>,
    system: &JString<'_>,
    value: &JString<'_>,
    fhir_reference: &JString<'_>,
) -> BridgeResult<CaseReference> {
    Ok(CaseReference {
        system: convert::required_string(env, "system", system)?,
        value: convert::required_string(env, "value", value)?,
        fhir_reference: convert::optional_string(env, fhir_reference)?,
    })
}

/// `static native void clientLinkCase(long handle, String roomId, String system, String value,
/// String fhirReference)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientLinkCase<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    room_id: JString<'local>,
    system: JString<'local>,
    value: JString<'local>,
    fhir_reference: JString<'local>,
) {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let room_id = convert::required_string(env, "roomId", &room_id)?;
        let reference = case_reference(env, &system, &value, &fhir_reference)?;
        Ok(client.link_case(&room_id, reference)?)
    })
}

/// `static native boolean clientUnlinkCase(long handle, String roomId, String system,
/// String value)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientUnlinkCase<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    room_id: JString<'local>,
    system: JString<'local>,
    value: JString<'local>,
) -> jboolean {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let room_id = convert::required_string(env, "roomId", &room_id)?;
        let reference = case_reference(env, &system, &value, &JString::null())?;
        Ok(client.unlink_case(&room_id, &reference)?)
    })
}

/// `static native byte[] clientCaseReferences(long handle, String roomId)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientCaseReferences<
    'local,
>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    room_id: JString<'local>,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let room_id = convert::required_string(env, "roomId", &room_id)?;
        let references = client.case_references(&room_id)?;
        convert::bytes(env, &wire::case_references(&references))
    })
}

/// `static native byte[] clientRoomsForCase(long handle, String system, String value)`: the room
/// IDs as a wire list of strings.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientRoomsForCase<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    system: JString<'local>,
    value: JString<'local>,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let reference = case_reference(env, &system, &value, &JString::null())?;
        let rooms = client.rooms_for_case(&reference)?;
        convert::bytes(env, &wire::strings(&rooms))
    })
}

/// `static native void clientEnableKeyBackup(long handle, char[] recoveryPassphrase)`; blocking.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientEnableKeyBackup<
    'local,
>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    recovery_passphrase: JCharArray<'local>,
) {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let passphrase = convert::secret(env, "recoveryPassphrase", &recovery_passphrase)?;
        Ok(block_on(client.enable_key_backup(passphrase))?)
    })
}

/// `static native byte[] clientKeyBackupState(long handle)`: the state in the wire format.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientKeyBackupState<
    'local,
>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let state = block_on(client.key_backup_state())?;
        convert::bytes(env, &wire::key_backup_state(state))
    })
}

/// Directory kinds as `NativeBridge` numbers them.
const DIRECTORY_PRACTITIONER: jint = 1;
const DIRECTORY_HEALTHCARE_SERVICE: jint = 2;

/// `static native byte[] clientSearchDirectory(long handle, int kind, String name, String city,
/// String postalCode, String matrixId, int limit)`; blocking. The entries in the wire format.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientSearchDirectory<
    'local,
>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    kind: jint,
    name: JString<'local>,
    city: JString<'local>,
    postal_code: JString<'local>,
    matrix_id: JString<'local>,
    limit: jint,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let kind = match kind {
            DIRECTORY_PRACTITIONER => DirectoryKind::Practitioner,
            DIRECTORY_HEALTHCARE_SERVICE => DirectoryKind::HealthcareService,
            _ => return Err(invalid("kind", "unknown")),
        };
        let query = DirectoryQuery {
            name: convert::optional_string(env, &name)?,
            city: convert::optional_string(env, &city)?,
            postal_code: convert::optional_string(env, &postal_code)?,
            matrix_id: convert::optional_string(env, &matrix_id)?,
            limit: u32::try_from(limit).map_err(|_| invalid("limit", "must not be negative"))?,
        };
        let found = block_on(client.search_directory(kind, &query))?;
        convert::bytes(env, &wire::directory_entries(&found))
    })
}

/// `static native byte[] clientReport(long handle)`: the counts of the next client report.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientReport<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let report = handles::get(handle)?.client_report();
        convert::bytes(env, &wire::client_report(&report))
    })
}

/// `static native boolean clientSendReport(long handle)`; blocking.
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientSendReport<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> jboolean {
    entry(&mut env, |_| Ok(block_on(handles::get(handle)?.send_client_report())?))
}
