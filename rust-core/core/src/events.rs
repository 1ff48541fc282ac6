//! Events the core hands to the integrating system, and the queue they wait in.
//!
//! The sync loop converts each sync response into these values and enqueues them; the
//! integrating system pulls batches from the queue on its own threads. A full queue makes the
//! sync loop wait, which pauses syncing instead of dropping events.
//!
//! Message content (bodies, formatted bodies, custom JSON) must never reach a log, so the types
//! that carry it implement `Debug` by hand and leave it out.

use std::{fmt, time::Duration};

use tokio::sync::{mpsc, Mutex};

use crate::audit::AuditEntry;
use crate::client::CaseReference;

/// Capacity of one client's event queue.
const QUEUE_CAPACITY: usize = 1024;

/// Something that happened in the account, as the integrating system sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    /// A room message: text, notice, emote, location or an attachment.
    Message(MessageEvent),
    /// A replacement (`m.replace`) of an earlier message.
    Edit(EditEvent),
    /// A redaction of an earlier event.
    Redaction(RedactionEvent),
    /// A reaction (`m.annotation`) to an earlier event.
    Reaction(ReactionEvent),
    /// A message-like event of any other type, such as `de.gematik.fhir`.
    Custom(CustomEvent),
    /// A state event in the timeline: a membership change, a new name, a new topic, ...
    State(StateEvent),
    /// An encrypted event whose key has not arrived (yet).
    Undecryptable(EventMeta),
    /// A user's read receipt.
    Receipt(ReceiptEvent),
    /// This account was invited into a room.
    Invite(InviteEvent),
    /// A queued message was sent, or failed for good.
    QueueUpdate(QueuedMessage),
    /// An entry was written to the audit log.
    Audit(AuditEntry),
}

impl ClientEvent {
    /// The room the event belongs to.
    pub fn room_id(&self) -> &str {
        match self {
            Self::Receipt(event) => &event.room_id,
            Self::Invite(event) => &event.room_id,
            Self::QueueUpdate(update) => &update.room_id,
            Self::Audit(entry) => entry.fields.get("room_id").map_or("", String::as_str),
            _ => self.meta().map_or("", |meta| meta.room_id.as_str()),
        }
    }

    /// As [`Self::meta`], to change.
    pub(crate) fn meta_mut(&mut self) -> Option<&mut EventMeta> {
        match self {
            Self::Message(event) => Some(&mut event.meta),
            Self::Edit(event) => Some(&mut event.meta),
            Self::Redaction(event) => Some(&mut event.meta),
            Self::Reaction(event) => Some(&mut event.meta),
            Self::Custom(event) => Some(&mut event.meta),
            Self::State(event) => Some(&mut event.meta),
            Self::Undecryptable(meta) => Some(meta),
            Self::Receipt(_) | Self::Invite(_) | Self::QueueUpdate(_) | Self::Audit(_) => None,
        }
    }

    /// ID, sender, time and encryption of a timeline event; `None` for receipts, invitations,
    /// queue updates and audit entries, which are not part of a timeline.
    pub fn meta(&self) -> Option<&EventMeta> {
        match self {
            Self::Message(event) => Some(&event.meta),
            Self::Edit(event) => Some(&event.meta),
            Self::Redaction(event) => Some(&event.meta),
            Self::Reaction(event) => Some(&event.meta),
            Self::Custom(event) => Some(&event.meta),
            Self::State(event) => Some(&event.meta),
            Self::Undecryptable(meta) => Some(meta),
            Self::Receipt(_) | Self::Invite(_) | Self::QueueUpdate(_) | Self::Audit(_) => None,
        }
    }
}

/// What every timeline event has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventMeta {
    /// Room the event was sent in.
    pub room_id: String,
    /// Event ID assigned by the homeserver.
    pub event_id: String,
    /// Full Matrix user ID of the sender.
    pub sender: String,
    /// The homeserver's timestamp in milliseconds since the Unix epoch.
    pub timestamp_millis: u64,
    /// Whether the event arrived end-to-end encrypted.
    pub encrypted: bool,
    /// The case references its room is filed under when the event is handed over; empty until
    /// then.
    pub case_references: Vec<CaseReference>,
}

/// A room message (`m.room.message`), decrypted when it was encrypted.
#[derive(Clone, PartialEq, Eq)]
pub struct MessageEvent {
    /// Room, ID, sender, time, encryption.
    pub meta: EventMeta,
    /// The message type, such as `m.text`, `m.file` or a vendor's own.
    pub message_type: String,
    /// The plain-text body (for attachments, usually the file name).
    pub body: String,
    /// The HTML body, when the sender gave one (`format: org.matrix.custom.html`).
    pub formatted_body: Option<String>,
    /// The event this message replies to.
    pub in_reply_to: Option<String>,
    /// The `geo:` URI of a location message.
    pub geo_uri: Option<String>,
    /// What an attachment message says about its file; the key to it stays in the core.
    pub attachment: Option<AttachmentInfo>,
}

/// The description of an attachment, as its message gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentInfo {
    /// The file name, if the message names one apart from its body.
    pub file_name: Option<String>,
    /// The MIME type the sender declared.
    pub mime_type: Option<String>,
    /// The size in bytes the sender declared.
    pub size: Option<u64>,
    /// Whether the file is end-to-end encrypted (`file` object) rather than plain (`url`).
    pub encrypted: bool,
}

/// A replacement of an earlier message (`m.relates_to.rel_type: m.replace`).
#[derive(Clone, PartialEq, Eq)]
pub struct EditEvent {
    /// Room, ID, sender, time, encryption.
    pub meta: EventMeta,
    /// The event that is replaced.
    pub target_event_id: String,
    /// The new plain-text body; empty when the sender deleted the message by replacing it.
    pub body: String,
    /// The new HTML body, if any.
    pub formatted_body: Option<String>,
}

/// A redaction of an earlier event.
#[derive(Clone, PartialEq, Eq)]
pub struct RedactionEvent {
    /// Room, ID, sender, time, encryption.
    pub meta: EventMeta,
    /// The redacted event.
    pub target_event_id: String,
    /// The reason the sender gave, if any.
    pub reason: Option<String>,
}

/// A reaction to an earlier event.
#[derive(Clone, PartialEq, Eq)]
pub struct ReactionEvent {
    /// Room, ID, sender, time, encryption.
    pub meta: EventMeta,
    /// The event reacted to.
    pub target_event_id: String,
    /// The reaction key, usually one emoji.
    pub key: String,
}

/// A message-like event of a type the core does not interpret.
#[derive(Clone, PartialEq, Eq)]
pub struct CustomEvent {
    /// Room, ID, sender, time, encryption.
    pub meta: EventMeta,
    /// The event type, such as `de.gematik.fhir`.
    pub event_type: String,
    /// The event content, as a JSON object.
    pub content_json: String,
}

/// A state event, from the timeline or from the room's current state.
#[derive(Clone, PartialEq, Eq)]
pub struct StateEvent {
    /// Room, ID, sender, time, encryption (state events are never encrypted).
    pub meta: EventMeta,
    /// The event type, such as `m.room.member`.
    pub event_type: String,
    /// The state key; often empty.
    pub state_key: String,
    /// The event content, as a JSON object.
    pub content_json: String,
}

/// A read receipt of one user for one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptEvent {
    /// Room of the event.
    pub room_id: String,
    /// The event the user has read up to.
    pub event_id: String,
    /// Full Matrix user ID of the reader.
    pub user_id: String,
    /// `m.read` or `m.read.private`.
    pub receipt_type: String,
    /// When the user read it, in milliseconds since the Unix epoch, if the server says.
    pub timestamp_millis: Option<u64>,
}

/// An invitation of this account into a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteEvent {
    /// Room this account is invited to.
    pub room_id: String,
    /// Full Matrix user ID of the inviting user.
    pub inviter: String,
}

impl fmt::Debug for MessageEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessageEvent")
            .field("meta", &self.meta)
            .field("message_type", &self.message_type)
            .field("in_reply_to", &self.in_reply_to)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for EditEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EditEvent")
            .field("meta", &self.meta)
            .field("target_event_id", &self.target_event_id)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for RedactionEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedactionEvent")
            .field("meta", &self.meta)
            .field("target_event_id", &self.target_event_id)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for ReactionEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReactionEvent")
            .field("meta", &self.meta)
            .field("target_event_id", &self.target_event_id)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for CustomEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomEvent")
            .field("meta", &self.meta)
            .field("event_type", &self.event_type)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for StateEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StateEvent")
            .field("meta", &self.meta)
            .field("event_type", &self.event_type)
            .field("state_key", &self.state_key)
            .finish_non_exhaustive()
    }
}

/// A message in the send queue and how far it got. It names the message, never its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMessage {
    /// The transaction ID the message is sent with, unique to this device.
    pub transaction_id: String,
    /// The room the message goes to.
    pub room_id: String,
    /// The event type, such as `m.room.message` or `de.gematik.fhir`.
    pub event_type: String,
    /// When the message was queued, in milliseconds since the Unix epoch.
    pub queued_at_millis: u64,
    /// Attempts to send it so far, counting one in progress.
    pub attempts: u32,
    /// Where it stands.
    pub state: QueueState,
}

/// Where a queued message stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueState {
    /// Waiting for its turn, or for the next attempt after a transient failure.
    Waiting,
    /// An attempt to send it runs.
    Sending,
    /// The homeserver accepted it; it has left the queue.
    Sent {
        /// The event ID the homeserver assigned.
        event_id: String,
    },
    /// It could not be sent and waits for a retry or for being discarded.
    Failed {
        /// The stable code of the failure, as `ErrorCode` names it.
        error_code: String,
        /// The HTTP status of the homeserver's refusal, if it refused.
        status: Option<u16>,
        /// The Matrix error code of the homeserver's refusal, if it refused.
        errcode: Option<String>,
    },
}

/// An event and its delivery sequence number, which the receiver acknowledges.
pub type NumberedEvent = (u64, ClientEvent);

/// The sending half, held by the sync loop.
pub(crate) type EventSender = mpsc::Sender<NumberedEvent>;

/// The receiving half, shared by the threads that pull events.
pub(crate) struct EventQueue {
    receiver: Mutex<mpsc::Receiver<NumberedEvent>>,
}

pub(crate) fn event_queue() -> (EventSender, EventQueue) {
    let (sender, receiver) = mpsc::channel(QUEUE_CAPACITY);
    (sender, EventQueue { receiver: Mutex::new(receiver) })
}

impl EventQueue {
    /// Waits up to `timeout` for the first event, then takes whatever else is ready, up to `max`.
    pub(crate) async fn next_batch(&self, timeout: Duration, max: usize) -> Vec<NumberedEvent> {
        let mut receiver = self.receiver.lock().await;
        let mut batch = Vec::new();

        match tokio::time::timeout(timeout, receiver.recv()).await {
            Ok(Some(event)) => batch.push(event),
            Ok(None) | Err(_) => return batch,
        }
        while batch.len() < max {
            match receiver.try_recv() {
                Ok(event) => batch.push(event),
                Err(_) => break,
            }
        }
        batch
    }
}
