//! Live clients by handle.
//!
//! Java holds a `long` that names a client in this table, never a pointer: a stale, forged or
//! reused handle finds nothing and becomes a typed error instead of undefined behaviour.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicI64, Ordering},
        Arc, LazyLock, Mutex, PoisonError,
    },
};

use tim_headless_core::HeadlessClient;

use crate::errors::{BridgeError, BridgeResult};

static CLIENTS: LazyLock<Mutex<HashMap<i64, Arc<HeadlessClient>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));
static NEXT_HANDLE: AtomicI64 = AtomicI64::new(1);

/// Registers a client and returns its handle.
pub(crate) fn insert(client: Arc<HeadlessClient>) -> i64 {
    let handle = NEXT_HANDLE.fetch_add(1, Ordering::Relaxed);
    CLIENTS.lock().unwrap_or_else(PoisonError::into_inner).insert(handle, client);
    handle
}

/// The client a handle names.
pub(crate) fn get(handle: i64) -> BridgeResult<Arc<HeadlessClient>> {
    CLIENTS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&handle)
        .cloned()
        .ok_or(BridgeError::InvalidHandle)
}

/// Forgets a handle; the client is dropped once no call in flight holds it any more.
pub(crate) fn remove(handle: i64) -> Option<Arc<HeadlessClient>> {
    CLIENTS.lock().unwrap_or_else(PoisonError::into_inner).remove(&handle)
}
