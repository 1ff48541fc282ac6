//! Java classes the bridge instantiates, looked up once while a Java thread calls `init`.
//!
//! Threads that Rust starts see only the system class loader, which cannot find our classes
//! inside an application server's or Spring Boot's nested jars; and entry points run on Java
//! threads whose loader may differ. Caching global references at initialisation, through the
//! loader of the class that loaded the library, avoids both problems.

use std::sync::OnceLock;

use jni::{jni_str, objects::JClass, refs::Global, strings::JNIStr, Env};

/// The exception classes of the public API that native code throws.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ExceptionClass {
    InvalidArgument,
    ClientClosed,
    ClientState,
    Store,
    Authentication,
    Homeserver,
    InviteRefused,
    Network,
    NotFound,
    NotPermitted,
    Integrity,
    Internal,
}

pub(crate) struct JavaClasses {
    exceptions: [Global<JClass<'static>>; 12],
    pub(crate) session: Global<JClass<'static>>,
    pub(crate) log_record: Global<JClass<'static>>,
}

impl JavaClasses {
    pub(crate) fn exception(&self, class: ExceptionClass) -> &Global<JClass<'static>> {
        &self.exceptions[class as usize]
    }
}

static CLASSES: OnceLock<JavaClasses> = OnceLock::new();

pub(crate) fn classes() -> Option<&'static JavaClasses> {
    CLASSES.get()
}

/// Looks every class up once; later calls do nothing.
pub(crate) fn init(env: &mut Env<'_>) -> jni::errors::Result<()> {
    if CLASSES.get().is_some() {
        return Ok(());
    }
    let mut global = |name: &JNIStr| -> jni::errors::Result<Global<JClass<'static>>> {
        let local = env.find_class(name)?;
        env.new_global_ref(local)
    };
    let loaded = JavaClasses {
        // Same order as `ExceptionClass`.
        exceptions: [
            global(jni_str!("health/tim/headless/InvalidArgumentException"))?,
            global(jni_str!("health/tim/headless/ClientClosedException"))?,
            global(jni_str!("health/tim/headless/ClientStateException"))?,
            global(jni_str!("health/tim/headless/StoreException"))?,
            global(jni_str!("health/tim/headless/AuthenticationException"))?,
            global(jni_str!("health/tim/headless/HomeserverException"))?,
            global(jni_str!("health/tim/headless/InviteRefusedException"))?,
            global(jni_str!("health/tim/headless/NetworkException"))?,
            global(jni_str!("health/tim/headless/NotFoundException"))?,
            global(jni_str!("health/tim/headless/NotPermittedException"))?,
            global(jni_str!("health/tim/headless/IntegrityException"))?,
            global(jni_str!("health/tim/headless/InternalException"))?,
        ],
        session: global(jni_str!("health/tim/headless/Session"))?,
        log_record: global(jni_str!("health/tim/headless/internal/NativeLogRecord"))?,
    };
    let _ = CLASSES.set(loaded);
    Ok(())
}
