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

use std::{path::PathBuf, time::Duration};

use jni::{
    objects::{JCharArray, JClass, JObject, JString},
    sys::{jboolean, jint, jlong},
    Env, EnvUnowned,
};
use tim_headless_core::{block_on, logging, validate, ClientConfig, HeadlessClient};

use crate::errors::{BridgeError, BridgeResult, ThrowTyped};

/// Runs an entry point's body: a panic or an error becomes a typed Java exception, and the
/// function returns the type's default value, which Java never sees because of the exception.
fn entry<'local, T: Default>(
    env: &mut EnvUnowned<'local>,
    body: impl FnOnce(&mut Env<'local>) -> BridgeResult<T>,
) -> T {
    env.with_env(body).resolve::<ThrowTyped>()
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
/// char[] storePassphrase, String integratingSystemName, String integratingSystemVersion)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientOpen<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    homeserver_url: JString<'local>,
    store_directory: JString<'local>,
    store_passphrase: JCharArray<'local>,
    system_name: JString<'local>,
    system_version: JString<'local>,
) -> jlong {
    entry(&mut env, |env| {
        let config = ClientConfig {
            homeserver_url: convert::required_string(env, "homeserverUrl", &homeserver_url)?,
            store_dir: PathBuf::from(convert::required_string(
                env,
                "storeDirectory",
                &store_directory,
            )?),
            integrating_system_name: convert::required_string(
                env,
                "integratingSystemName",
                &system_name,
            )?,
            integrating_system_version: convert::required_string(
                env,
                "integratingSystemVersion",
                &system_version,
            )?,
        };
        let passphrase = convert::secret(env, "storePassphrase", &store_passphrase)?;
        let client = block_on(HeadlessClient::open(config, passphrase))?;
        Ok(handles::insert(client))
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

/// `static native String clientCreateEncryptedRoom(long handle, String invitee)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientCreateEncryptedRoom<
    'local,
>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    invitee: JString<'local>,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let invitee = convert::optional_string(env, &invitee)?;
        let room_id = block_on(client.create_encrypted_room(invitee.as_deref()))?;
        convert::string(env, &room_id)
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

/// `static native String clientSendText(long handle, String roomId, String body)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_health_tim_headless_internal_NativeBridge_clientSendText<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    room_id: JString<'local>,
    body: JString<'local>,
) -> JObject<'local> {
    entry(&mut env, |env| {
        let client = handles::get(handle)?;
        let room_id = convert::required_string(env, "roomId", &room_id)?;
        let body = convert::required_string(env, "body", &body)?;
        let event_id = block_on(client.send_text(&room_id, &body))?;
        convert::string(env, &event_id)
    })
}

/// `static native ClientEvent[] clientNextEvents(long handle, int timeoutMillis, int max)`
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
        convert::events(env, events)
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

/// `static native void validate(int kind, String parameter, String value)`: lets the Java API
/// refuse bad input synchronously, before it schedules any work, with the core's own rules.
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
            _ => return Err(tim_headless_core::CoreError::invalid("kind", "unknown").into()),
        };
        let value = convert::required_string(env, parameter, &value)?;
        match kind {
            VALIDATE_USER_ID => validate::user_id(parameter, &value).map(|_| ()),
            VALIDATE_ROOM_ID => validate::room_id(parameter, &value).map(|_| ()),
            _ => validate::message_body(parameter, &value),
        }
        .map_err(BridgeError::from)
    })
}
