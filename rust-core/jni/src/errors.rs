//! The one place where native failures become Java exceptions.
//!
//! Every entry point runs through [`crate::entry`], which resolves its outcome with
//! [`ThrowTyped`]: errors map to named exception classes through an exhaustive `match`, so a new
//! error variant cannot ship without a decision about its Java type, and panics become an
//! `InternalException` whose message says nothing about the panic. Panic payloads, Rust debug
//! output and engine error texts never reach Java.

use std::panic::{self, AssertUnwindSafe};

use jni::{
    errors::ErrorPolicy,
    jni_sig, jni_str,
    objects::{JObject, JString, JThrowable, JValue},
    Env,
};
use tim_headless_core::CoreError;

use crate::classes::{classes, ExceptionClass};

/// Everything an entry point can fail with.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BridgeError {
    /// The core refused or failed the call.
    #[error(transparent)]
    Core(#[from] CoreError),

    /// A required argument was `null`.
    #[error("invalid {0}: must not be null")]
    NullArgument(&'static str),

    /// The handle names no live client (closed, destroyed, or never issued).
    #[error("the client is closed")]
    InvalidHandle,

    /// A JNI call failed; a Java exception may be pending already.
    #[error("a call between Java and native code failed")]
    Jni(#[from] jni::errors::Error),
}

pub(crate) type BridgeResult<T> = Result<T, BridgeError>;

/// The exception class and stable error code of each failure.
impl From<tim_headless_core::Invalid> for BridgeError {
    fn from(invalid: tim_headless_core::Invalid) -> Self {
        Self::Core(invalid.into())
    }
}

fn classify(error: &BridgeError) -> (ExceptionClass, &'static str) {
    match error {
        BridgeError::Core(core) => (exception_class(core), core.code()),
        BridgeError::NullArgument(_) => (ExceptionClass::InvalidArgument, "INVALID_ARGUMENT"),
        BridgeError::InvalidHandle => (ExceptionClass::ClientClosed, "CLIENT_CLOSED"),
        BridgeError::Jni(_) => (ExceptionClass::Internal, "INTERNAL"),
    }
}

fn exception_class(error: &CoreError) -> ExceptionClass {
    match error {
        CoreError::InvalidArgument { .. } => ExceptionClass::InvalidArgument,
        CoreError::Closed | CoreError::Stopped(_) => ExceptionClass::ClientClosed,
        CoreError::NotLoggedIn
        | CoreError::AlreadyLoggedIn
        | CoreError::WrongRoomState(_)
        | CoreError::QueueFull
        | CoreError::QueuedMessageSending
        | CoreError::SendDiscarded
        | CoreError::Restricted(_)
        | CoreError::NotRestricted
        | CoreError::RateLimited(_) => ExceptionClass::ClientState,
        CoreError::WrongPassphrase | CoreError::StoreLocked | CoreError::StoreUnusable(_) => {
            ExceptionClass::Store
        }
        CoreError::AuthenticationFailed | CoreError::RecoveryPassphraseRefused => {
            ExceptionClass::Authentication
        }
        CoreError::KeyBackupUnavailable(_) | CoreError::NotConfigured(_) => {
            ExceptionClass::ClientState
        }
        CoreError::Homeserver { .. } => ExceptionClass::Homeserver,
        CoreError::InviteRefused { .. } => ExceptionClass::InviteRefused,
        CoreError::Network => ExceptionClass::Network,
        CoreError::RoomNotFound | CoreError::EventNotFound | CoreError::QueuedMessageNotFound => {
            ExceptionClass::NotFound
        }
        CoreError::NotOwnEvent | CoreError::RedactionExpired => ExceptionClass::NotPermitted,
        CoreError::AttachmentTampered => ExceptionClass::Integrity,
        CoreError::Internal(_) => ExceptionClass::Internal,
    }
}

const PANIC_CODE: &str = "NATIVE_PANIC";
const PANIC_MESSAGE: &str = "a native operation failed unexpectedly; the client may be unusable";

/// Error policy of every entry point: throw the typed exception, return the type's default.
pub(crate) struct ThrowTyped;

impl<T: Default> ErrorPolicy<T, BridgeError> for ThrowTyped {
    type Captures<'unowned_env_local: 'native_method, 'native_method> = ();

    fn on_error<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _captures: &mut Self::Captures<'unowned_env_local, 'native_method>,
        error: BridgeError,
    ) -> jni::errors::Result<T> {
        // A Java exception raised by a JNI call (out of memory, say) is already on its way.
        if env.exception_check() {
            return Ok(T::default());
        }
        if let BridgeError::Jni(jni_error) = &error {
            tracing::warn!(error = %jni_error, "jni call failed");
        }
        let (class, code) = classify(&error);
        throw(env, class, code, &error.to_string(), homeserver_details(&error));
        Ok(T::default())
    }

    fn on_panic<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _captures: &mut Self::Captures<'unowned_env_local, 'native_method>,
        payload: Box<dyn std::any::Any + Send + 'static>,
    ) -> jni::errors::Result<T> {
        // Dropping a payload can itself panic; it must not unwind into the JVM.
        if let Err(second) = panic::catch_unwind(AssertUnwindSafe(|| drop(payload))) {
            std::mem::forget(second);
        }
        if env.exception_check() {
            env.exception_clear();
        }
        throw(env, ExceptionClass::Internal, PANIC_CODE, PANIC_MESSAGE, None);
        Ok(T::default())
    }
}

fn homeserver_details(error: &BridgeError) -> Option<(u16, &str)> {
    match error {
        BridgeError::Core(
            CoreError::Homeserver { status, errcode }
            | CoreError::InviteRefused { status, errcode },
        ) => Some((*status, errcode)),
        _ => None,
    }
}

/// Throws the named exception; when even that fails (the class cache is missing because the
/// library was loaded without its Java loader), falls back to `IllegalStateException`.
fn throw(
    env: &mut Env<'_>,
    class: ExceptionClass,
    code: &str,
    message: &str,
    homeserver: Option<(u16, &str)>,
) {
    let thrown = build_exception(env, class, code, message, homeserver)
        .and_then(|exception| env.throw(exception));
    if !env.exception_check() {
        tracing::error!(error = ?thrown.err(), "typed exception could not be thrown");
        let _ =
            env.throw_new(jni_str!("java/lang/IllegalStateException"), jni_str!("native error"));
    }
}

fn build_exception<'local>(
    env: &mut Env<'local>,
    class: ExceptionClass,
    code: &str,
    message: &str,
    homeserver: Option<(u16, &str)>,
) -> jni::errors::Result<JThrowable<'local>> {
    let classes = classes().ok_or(jni::errors::Error::NullPtr("class cache"))?;
    let java_code = JString::from_str(env, code)?;
    let java_message = JString::from_str(env, message)?;

    let exception: JObject<'local> = match homeserver {
        Some((status, errcode)) => {
            let java_errcode = JString::from_str(env, errcode)?;
            // Homeserver errors and their subclasses take status and error code.
            env.new_object(
                classes.exception(class),
                jni_sig!(
                    (code: java.lang.String, message: java.lang.String, status: jint,
                     errcode: java.lang.String) -> void
                ),
                &[
                    JValue::Object(&java_code),
                    JValue::Object(&java_message),
                    JValue::Int(i32::from(status)),
                    JValue::Object(&java_errcode),
                ],
            )?
        }
        None => env.new_object(
            classes.exception(class),
            jni_sig!((code: java.lang.String, message: java.lang.String) -> void),
            &[JValue::Object(&java_code), JValue::Object(&java_message)],
        )?,
    };
    env.cast_local::<JThrowable>(exception)
}

/// Replaces the default panic hook, which prints the payload and a backtrace to stderr: both may
/// contain internal state. The location alone goes to the native log.
pub(crate) fn install_panic_hook() {
    panic::set_hook(Box::new(|info| {
        let location = info.location().map(|l| format!("{}:{}", l.file(), l.line()));
        tracing::error!(location = location.as_deref().unwrap_or("unknown"), "native panic");
    }));
}

/// The errors the self-test entry point can raise, one per stable code, so that Java tests can
/// check each mapping without provoking the condition for real.
pub(crate) fn sample_error(code: &str) -> Option<BridgeError> {
    let core = |error: CoreError| Some(BridgeError::Core(error));
    match code {
        "INVALID_ARGUMENT" => core(CoreError::invalid("sample", "self-test")),
        "CLIENT_CLOSED" => core(CoreError::Closed),
        "CLIENT_STOPPED" => core(CoreError::Stopped("PERSISTENT_MISUSE")),
        "NOT_LOGGED_IN" => core(CoreError::NotLoggedIn),
        "ALREADY_LOGGED_IN" => core(CoreError::AlreadyLoggedIn),
        "STORE_WRONG_PASSPHRASE" => core(CoreError::WrongPassphrase),
        "STORE_LOCKED" => core(CoreError::StoreLocked),
        "STORE_UNUSABLE" => core(CoreError::StoreUnusable("self-test")),
        "AUTHENTICATION_FAILED" => core(CoreError::AuthenticationFailed),
        "RECOVERY_PASSPHRASE_REFUSED" => core(CoreError::RecoveryPassphraseRefused),
        "KEY_BACKUP_UNAVAILABLE" => core(CoreError::KeyBackupUnavailable("self-test")),
        "NOT_CONFIGURED" => core(CoreError::NotConfigured("selfTest")),
        "HOMESERVER_ERROR" => {
            core(CoreError::Homeserver { status: 403, errcode: "M_FORBIDDEN".to_owned() })
        }
        "NETWORK_ERROR" => core(CoreError::Network),
        "INVITE_REFUSED" => {
            core(CoreError::InviteRefused { status: 403, errcode: "M_FORBIDDEN".to_owned() })
        }
        "ROOM_NOT_FOUND" => core(CoreError::RoomNotFound),
        "WRONG_ROOM_STATE" => core(CoreError::WrongRoomState("self-test")),
        "EVENT_NOT_FOUND" => core(CoreError::EventNotFound),
        "NOT_OWN_EVENT" => core(CoreError::NotOwnEvent),
        "REDACTION_EXPIRED" => core(CoreError::RedactionExpired),
        "ATTACHMENT_TAMPERED" => core(CoreError::AttachmentTampered),
        "QUEUE_FULL" => core(CoreError::QueueFull),
        "QUEUED_MESSAGE_NOT_FOUND" => core(CoreError::QueuedMessageNotFound),
        "QUEUED_MESSAGE_SENDING" => core(CoreError::QueuedMessageSending),
        "SEND_DISCARDED" => core(CoreError::SendDiscarded),
        "CLIENT_RESTRICTED" => core(CoreError::Restricted("self-test")),
        "NOT_RESTRICTED" => core(CoreError::NotRestricted),
        "RATE_LIMITED" => core(CoreError::RateLimited("send")),
        "INTERNAL" => core(CoreError::Internal("self-test")),
        _ => None,
    }
}
