//! Conversions between Java values and the core's values.

use jni::{
    jni_sig,
    objects::{JByteArray, JCharArray, JObject, JObjectArray, JString, JValue},
    Env,
};
use tim_headless_core::logging::LogRecord;
use tim_headless_core::{Secret, Session};

use crate::{
    classes::classes,
    errors::{BridgeError, BridgeResult},
};

/// Reads a required string argument.
pub(crate) fn required_string(
    env: &Env<'_>,
    parameter: &'static str,
    value: &JString<'_>,
) -> BridgeResult<String> {
    if value.is_null() {
        return Err(BridgeError::NullArgument(parameter));
    }
    Ok(value.try_to_string(env)?)
}

/// Reads an optional string argument (`null` is `None`).
pub(crate) fn optional_string(env: &Env<'_>, value: &JString<'_>) -> BridgeResult<Option<String>> {
    if value.is_null() {
        return Ok(None);
    }
    Ok(Some(value.try_to_string(env)?))
}

/// Copies a `char[]` secret into native memory; the Java side wipes its array afterwards.
pub(crate) fn secret(
    env: &Env<'_>,
    parameter: &'static str,
    value: &JCharArray<'_>,
) -> BridgeResult<Secret> {
    if value.is_null() {
        return Err(BridgeError::NullArgument(parameter));
    }
    let mut units = vec![0u16; value.len(env)?];
    value.get_region(env, 0, &mut units)?;
    Secret::from_utf16(units).ok_or(BridgeError::Core(tim_headless_core::CoreError::invalid(
        parameter,
        "is not valid UTF-16",
    )))
}

pub(crate) fn string<'local>(env: &mut Env<'local>, value: &str) -> BridgeResult<JObject<'local>> {
    Ok(JString::from_str(env, value)?.into())
}

fn classes_or_error() -> BridgeResult<&'static crate::classes::JavaClasses> {
    classes().ok_or(BridgeError::Jni(jni::errors::Error::NullPtr("class cache")))
}

pub(crate) fn session<'local>(
    env: &mut Env<'local>,
    session: Option<Session>,
) -> BridgeResult<JObject<'local>> {
    let Some(session) = session else { return Ok(JObject::null()) };
    let user_id = JString::from_str(env, &session.user_id)?;
    let device_id = JString::from_str(env, &session.device_id)?;
    Ok(env.new_object(
        &classes_or_error()?.session,
        jni_sig!((userId: java.lang.String, deviceId: java.lang.String) -> void),
        &[JValue::Object(&user_id), JValue::Object(&device_id)],
    )?)
}

/// Most elements a `String[]` argument may have.
const MAX_STRING_ARRAY: usize = 10_000;

/// Reads a required `String[]` argument; no element may be `null`.
pub(crate) fn string_array(
    env: &mut Env<'_>,
    parameter: &'static str,
    value: &JObjectArray<'_, JString<'static>>,
) -> BridgeResult<Vec<String>> {
    if value.is_null() {
        return Err(BridgeError::NullArgument(parameter));
    }
    let length = value.len(env)?;
    if length > MAX_STRING_ARRAY {
        return Err(BridgeError::Core(tim_headless_core::CoreError::invalid(
            parameter,
            "has too many elements",
        )));
    }
    let mut strings = Vec::with_capacity(length);
    for index in 0..length {
        let element = value.get_element(env, index)?;
        if element.is_null() {
            return Err(BridgeError::NullArgument(parameter));
        }
        strings.push(element.try_to_string(env)?);
        // One local reference at a time, however long the array.
        env.delete_local_ref(element);
    }
    Ok(strings)
}

/// Copies the first `length` bytes of a `byte[]` argument.
pub(crate) fn byte_prefix(
    env: &Env<'_>,
    parameter: &'static str,
    value: &JByteArray<'_>,
    length: i32,
) -> BridgeResult<Vec<u8>> {
    if value.is_null() {
        return Err(BridgeError::NullArgument(parameter));
    }
    let available = value.len(env)?;
    let length = usize::try_from(length).ok().filter(|length| *length <= available).ok_or(
        BridgeError::Core(tim_headless_core::CoreError::invalid(
            "length",
            "must be between 0 and the array's length",
        )),
    )?;
    let mut signed = vec![0i8; length];
    value.get_region(env, 0, &mut signed)?;
    Ok(signed.into_iter().map(|byte| byte as u8).collect())
}

/// Hands encoded bytes (see [`crate::wire`]) to Java as a `byte[]`.
pub(crate) fn bytes<'local>(env: &mut Env<'local>, bytes: &[u8]) -> BridgeResult<JObject<'local>> {
    Ok(env.byte_array_from_slice(bytes)?.into())
}

pub(crate) fn log_records<'local>(
    env: &mut Env<'local>,
    records: Vec<LogRecord>,
) -> BridgeResult<JObject<'local>> {
    let classes = classes_or_error()?;
    let array: JObjectArray<'local> =
        env.new_object_array(len(records.len())?, &classes.log_record, JObject::null())?;

    for (index, record) in records.into_iter().enumerate() {
        env.with_local_frame(4, |env| -> BridgeResult<()> {
            let target = JString::from_str(env, &record.target)?;
            let message = JString::from_str(env, &record.message)?;
            let element = env.new_object(
                &classes.log_record,
                jni_sig!((level: jint, target: java.lang.String, message: java.lang.String) -> void),
                &[JValue::Int(i32::from(record.level)), JValue::Object(&target), JValue::Object(&message)],
            )?;
            array.set_element(env, index, &element)?;
            Ok(())
        })?;
    }
    Ok(array.into())
}

fn len(count: usize) -> BridgeResult<i32> {
    i32::try_from(count).map_err(|_| BridgeError::Jni(jni::errors::Error::NullPtr("array length")))
}
