//! Client logic of tim-headless, a headless TI-Messenger Pro client, on matrix-sdk.
//!
//! This crate owns the end-to-end encryption, the encrypted stores and the sync loop. It knows
//! nothing of JNI: the bridge crate converts its values for Java. Secrets flow into it as
//! [`Secret`] and never out; errors are [`CoreError`] values whose messages are safe to show.

// The engine's sync futures nest deeply enough to exceed the default limit when spawned.
#![recursion_limit = "256"]

pub mod audit;
mod client;
mod clock;
pub mod content;
mod error;
mod events;
pub mod logging;
pub mod network;
pub mod process;
pub mod product;
mod runtime;
mod secret;
mod store;
mod timeline;
pub mod validate;

pub use audit::{AuditEntry, AuditEvent, AuditVerification};
pub use client::{
    check_room_options, AttachmentKind, AttachmentSpec, CaseReference, ClientConfig, ClientReport,
    DefaultSetting, DirectoryAddress, DirectoryEntry, DirectoryKind, DirectoryQuery, DownloadInfo,
    HeadlessClient, HistoryPage, HomeserverLocation, KeyBackupState, PermissionConfig,
    ProcedureCount, RateLimits, Restriction, RoomKind, RoomMember, RoomOptions, RoomSettings,
    RoomSummary, Session, StopReason, SyncHealth, UserProfile, BURST_SECONDS,
    DEFAULT_SYNC_BATCH_WINDOW, GROUP_INSURED_PERSON, LOGIN_FAILURE_LIMIT, LOGIN_FAILURE_WINDOW,
    MAX_CASES_PER_ROOM, MAX_DIRECTORY_RESULTS, MAX_LINKED_ROOMS, MAX_QUEUED_MESSAGES,
    MAX_SYNC_BATCH_WINDOW, MISUSE_LIMIT, MISUSE_WINDOW,
};
pub use content::{OutgoingMessage, TextKind, MAX_EVENT_BYTES};
pub use error::{CoreError, CoreResult};
pub use events::{
    AttachmentInfo, ClientEvent, CustomEvent, EditEvent, EventMeta, InviteEvent, MessageEvent,
    NumberedEvent, QueueState, QueuedMessage, ReactionEvent, ReceiptEvent, RedactionEvent,
    StateEvent,
};
pub use runtime::{block_on, runtime};
pub use secret::Secret;
pub use tim_headless_checks::Invalid;

/// Version of the core, which the Java side compares with its own before it uses the library.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
