//! Client logic of tim-headless, a headless TI-Messenger Pro client, on matrix-sdk.
//!
//! This crate owns the end-to-end encryption, the encrypted stores and the sync loop. It knows
//! nothing of JNI: the bridge crate converts its values for Java. Secrets flow into it as
//! [`Secret`] and never out; errors are [`CoreError`] values whose messages are safe to show.

// The engine's sync futures nest deeply enough to exceed the default limit when spawned.
#![recursion_limit = "256"]

mod client;
mod error;
mod events;
pub mod logging;
mod runtime;
mod secret;
mod store;
pub mod validate;

pub use client::{ClientConfig, HeadlessClient, Session};
pub use error::{CoreError, CoreResult};
pub use events::{ClientEvent, InviteEvent, MessageEvent};
pub use runtime::{block_on, runtime};
pub use secret::Secret;

/// Version of the core, which the Java side compares with its own before it uses the library.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
