//! The one tokio runtime that every client in the process shares.
//!
//! Clients are cheap next to a runtime: a contact center may run dozens of accounts in one JVM,
//! and each needing its own worker threads would multiply threads for no gain.

use std::{future::Future, sync::LazyLock};

use tokio::runtime::{Builder, Runtime};

static RUNTIME: LazyLock<Runtime> = LazyLock::new(|| {
    Builder::new_multi_thread()
        .enable_all()
        .thread_name("tim-headless-rt")
        .build()
        .expect("the operating system refused to start the runtime's threads")
});

/// The shared runtime.
pub fn runtime() -> &'static Runtime {
    &RUNTIME
}

/// Runs a future to completion on the shared runtime, blocking the calling thread.
///
/// Callers are threads outside the runtime (Java threads through the bridge, test threads).
pub fn block_on<F: Future>(future: F) -> F::Output {
    RUNTIME.block_on(future)
}
