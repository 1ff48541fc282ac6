//! Events the core hands to the integrating system, and the queue they wait in.
//!
//! The engine runs event handlers inline in its sync loop. Our handlers only convert and
//! enqueue; the integrating system pulls batches from the queue on its own threads. A full queue
//! makes the handlers wait, which pauses syncing instead of dropping events.

use std::{fmt, time::Duration};

use tokio::sync::{mpsc, Mutex};

/// Capacity of one client's event queue.
const QUEUE_CAPACITY: usize = 1024;

/// Something that happened in the account, as the integrating system sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    /// A room message from another user.
    Message(MessageEvent),
    /// This account was invited into a room.
    Invite(InviteEvent),
}

/// A room message, decrypted when it was encrypted.
#[derive(Clone, PartialEq, Eq)]
pub struct MessageEvent {
    /// Room the message was sent in.
    pub room_id: String,
    /// Event ID assigned by the homeserver.
    pub event_id: String,
    /// Full Matrix user ID of the sender.
    pub sender: String,
    /// Sender's timestamp in milliseconds since the Unix epoch.
    pub timestamp_millis: u64,
    /// The message type, such as `m.text` or `m.notice`.
    pub message_type: String,
    /// The plain-text body.
    pub body: String,
    /// Whether the message arrived end-to-end encrypted.
    pub encrypted: bool,
}

// The body is message content: it must never reach a log through `Debug`.
impl fmt::Debug for MessageEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessageEvent")
            .field("room_id", &self.room_id)
            .field("event_id", &self.event_id)
            .field("sender", &self.sender)
            .field("message_type", &self.message_type)
            .field("encrypted", &self.encrypted)
            .finish_non_exhaustive()
    }
}

/// An invitation of this account into a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteEvent {
    /// Room this account is invited to.
    pub room_id: String,
    /// Full Matrix user ID of the inviting user.
    pub inviter: String,
}

/// The sending half, cloned into every event handler.
pub(crate) type EventSender = mpsc::Sender<ClientEvent>;

/// The receiving half, shared by the threads that pull events.
pub(crate) struct EventQueue {
    receiver: Mutex<mpsc::Receiver<ClientEvent>>,
}

pub(crate) fn event_queue() -> (EventSender, EventQueue) {
    let (sender, receiver) = mpsc::channel(QUEUE_CAPACITY);
    (sender, EventQueue { receiver: Mutex::new(receiver) })
}

impl EventQueue {
    /// Waits up to `timeout` for the first event, then takes whatever else is ready, up to `max`.
    pub(crate) async fn next_batch(&self, timeout: Duration, max: usize) -> Vec<ClientEvent> {
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
