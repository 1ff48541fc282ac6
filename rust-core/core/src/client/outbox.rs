//! The send queue: messages are saved in the store before they are sent, so that a crash or a
//! lost connection between the send call and the homeserver's answer loses none of them.
//!
//! Each queued message is one encrypted record in the store's `outbox/` directory, written when
//! the message is accepted and deleted when the homeserver has answered with its event ID. One
//! task per room sends that room's messages in the order they were queued. A message keeps the
//! transaction ID it was given when it was queued: when a crash came after the homeserver had
//! stored the event but before its answer arrived, sending again after the restart with the same
//! ID makes the homeserver answer with the first event instead of storing a second one.
//!
//! Failures the homeserver or the network may get over (no connection, HTTP 5xx, rate limits)
//! are retried with growing pauses for as long as the client is open. Any other failure ends
//! the attempt: a caller that waits for the message gets the error, and a message nobody waits
//! for (queued without waiting, or left from before a restart) stays in the queue as failed
//! until it is retried or discarded.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap, HashSet},
    sync::{Arc, Mutex, PoisonError, Weak},
    time::Duration,
};

use matrix_sdk::{ruma::TransactionId, RoomState};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::oneshot;

use super::{messages, security::Operation, HeadlessClient};
use crate::clock::now_millis;
use crate::{
    content::{self, OutgoingMessage},
    error::{CoreError, CoreResult},
    events::{ClientEvent, QueueState, QueuedMessage},
    runtime::runtime,
    store::OpenedStore,
};

/// Directory of the queue's records inside the store.
const OUTBOX_DIR: &str = "outbox";
/// Most messages one client keeps queued; beyond it, sends are refused until some went out.
pub const MAX_QUEUED_MESSAGES: usize = 1000;
/// The pause after the first transient failure, doubled after each further one up to the last.
const RETRY_PAUSE_FIRST: Duration = Duration::from_secs(1);
const RETRY_PAUSE_MAX: Duration = Duration::from_secs(60);

/// One queued message as saved in the store. The record file is encrypted with the store
/// cipher, like every record; the content never appears in a log.
#[derive(Clone, Serialize, Deserialize)]
struct QueuedRecord {
    sequence: u64,
    transaction_id: String,
    room_id: String,
    event_type: String,
    content_json: String,
    queued_at_millis: u64,
    attempts: u32,
    failure: Option<Failure>,
}

/// Why a message was given up.
#[derive(Clone, Serialize, Deserialize)]
struct Failure {
    error_code: String,
    status: Option<u16>,
    errcode: Option<String>,
}

type Outcome = CoreResult<String>;

struct Entry {
    record: QueuedRecord,
    sending: bool,
    /// The caller waiting for the event ID, if one does.
    waiter: Option<oneshot::Sender<Outcome>>,
}

#[derive(Default)]
struct State {
    entries: BTreeMap<u64, Entry>,
    next_sequence: u64,
    /// Rooms whose sending task runs.
    sending_rooms: HashSet<String>,
    /// Receiving ends for callers that queued a message and wait for it, by transaction ID.
    receivers: HashMap<String, oneshot::Receiver<Outcome>>,
}

/// The queue of one client.
pub(crate) struct Outbox {
    state: Mutex<State>,
}

impl Outbox {
    /// Loads the messages left in the store by an earlier run.
    ///
    /// # Errors
    /// [`CoreError::StoreUnusable`] when a record cannot be read.
    pub(crate) fn load(store: &OpenedStore) -> CoreResult<Self> {
        let mut state = State { next_sequence: 1, ..State::default() };
        for name in store.record_names(OUTBOX_DIR)? {
            let Some(record) = store.load_record::<QueuedRecord>(&name)? else { continue };
            state.next_sequence = state.next_sequence.max(record.sequence + 1);
            state.entries.insert(record.sequence, Entry { record, sending: false, waiter: None });
        }
        if !state.entries.is_empty() {
            tracing::info!(queued = state.entries.len(), "queued messages found in the store");
        }
        Ok(Self { state: Mutex::new(state) })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Saves a new message and returns its snapshot; with `awaited`, the caller may then wait
    /// for its outcome with [`Self::take_receiver`].
    fn add(
        &self,
        store: &OpenedStore,
        room_id: &str,
        event_type: &str,
        content: &Value,
        awaited: bool,
    ) -> CoreResult<QueuedMessage> {
        let mut state = self.lock();
        if state.entries.len() >= MAX_QUEUED_MESSAGES {
            return Err(CoreError::QueueFull);
        }
        let record = QueuedRecord {
            sequence: state.next_sequence,
            transaction_id: TransactionId::new().to_string(),
            room_id: room_id.to_owned(),
            event_type: event_type.to_owned(),
            content_json: content.to_string(),
            queued_at_millis: now_millis(),
            attempts: 0,
            failure: None,
        };
        store.save_record(&record_name(record.sequence), &record)?;

        state.next_sequence += 1;
        let waiter = awaited.then(|| {
            let (sender, receiver) = oneshot::channel();
            state.receivers.insert(record.transaction_id.clone(), receiver);
            sender
        });
        let snapshot = snapshot(&record, false);
        state.entries.insert(record.sequence, Entry { record, sending: false, waiter });
        Ok(snapshot)
    }

    fn take_receiver(&self, transaction_id: &str) -> Option<oneshot::Receiver<Outcome>> {
        self.lock().receivers.remove(transaction_id)
    }

    /// Registers a sending task for the room; `false` if one runs already.
    fn claim_room(&self, room_id: &str) -> bool {
        self.lock().sending_rooms.insert(room_id.to_owned())
    }

    /// The room's oldest message that waits to be sent, marked as being sent. `None` ends the
    /// room's task: the check and the task's removal happen under one lock, so a message
    /// queued meanwhile finds no task and starts a new one.
    fn next_to_send(&self, room_id: &str) -> Option<QueuedRecord> {
        let mut state = self.lock();
        let next = state.entries.values_mut().find(|entry| {
            entry.record.room_id == room_id && entry.record.failure.is_none() && !entry.sending
        });
        match next {
            Some(entry) => {
                entry.sending = true;
                entry.record.attempts += 1;
                Some(entry.record.clone())
            }
            None => {
                state.sending_rooms.remove(room_id);
                None
            }
        }
    }

    /// The message went out: its record goes, its waiter gets the event ID.
    fn sent(&self, store: &OpenedStore, sequence: u64, event_id: String) -> Option<QueuedMessage> {
        let entry = self.lock().entries.remove(&sequence)?;
        if store.delete_record(&record_name(sequence)).is_err() {
            // A restart then sends it again with the same transaction ID, which the homeserver
            // answers with this event: no duplicate.
            tracing::warn!("a sent message's queue record could not be deleted");
        }
        let mut update = snapshot(&entry.record, false);
        update.state = QueueState::Sent { event_id: event_id.clone() };
        if let Some(waiter) = entry.waiter {
            let _ = waiter.send(Ok(event_id));
        }
        Some(update)
    }

    /// The attempt failed for a reason that may pass; the message waits for the next one.
    fn retry_later(&self, store: &OpenedStore, sequence: u64) {
        let mut state = self.lock();
        if let Some(entry) = state.entries.get_mut(&sequence) {
            entry.sending = false;
            if store.save_record(&record_name(sequence), &entry.record).is_err() {
                tracing::warn!("a queued message's attempt count could not be saved");
            }
        }
    }

    /// The attempt was interrupted (the client is closing); the message stays queued.
    fn interrupted(&self, sequence: u64, room_id: &str) {
        let mut state = self.lock();
        if let Some(entry) = state.entries.get_mut(&sequence) {
            entry.sending = false;
        }
        state.sending_rooms.remove(room_id);
    }

    /// The message cannot be sent. A waiting caller gets the error and the message leaves the
    /// queue; otherwise it stays, marked as failed.
    fn failed(
        &self,
        store: &OpenedStore,
        sequence: u64,
        error: CoreError,
    ) -> Option<QueuedMessage> {
        let failure = Failure {
            error_code: error.code().to_owned(),
            status: error.http_status(),
            errcode: error.matrix_errcode().map(str::to_owned),
        };
        let mut state = self.lock();
        let entry = state.entries.get_mut(&sequence)?;
        entry.sending = false;
        entry.record.failure = Some(failure);
        let update = snapshot(&entry.record, false);

        let waiting = entry.waiter.as_ref().is_some_and(|waiter| !waiter.is_closed());
        if waiting {
            let entry = state.entries.remove(&sequence)?;
            drop(state);
            let _ = store.delete_record(&record_name(sequence));
            if let Some(waiter) = entry.waiter {
                let _ = waiter.send(Err(error));
            }
        } else if store.save_record(&record_name(sequence), &entry.record).is_err() {
            tracing::warn!("a failed message's queue record could not be updated");
        }
        Some(update)
    }

    fn list(&self) -> Vec<QueuedMessage> {
        self.lock().entries.values().map(|entry| snapshot(&entry.record, entry.sending)).collect()
    }

    /// Makes a failed message wait for sending again; returns its room.
    fn retry(&self, store: &OpenedStore, transaction_id: &str) -> CoreResult<String> {
        let mut state = self.lock();
        let entry = find(&mut state, transaction_id)?;
        if entry.record.failure.take().is_some() {
            entry.record.attempts = 0;
            store.save_record(&record_name(entry.record.sequence), &entry.record)?;
        }
        Ok(entry.record.room_id.clone())
    }

    /// Removes a message that is not being sent; a waiting caller gets
    /// [`CoreError::SendDiscarded`].
    fn discard(&self, store: &OpenedStore, transaction_id: &str) -> CoreResult<String> {
        let mut state = self.lock();
        let entry = find(&mut state, transaction_id)?;
        if entry.sending {
            return Err(CoreError::QueuedMessageSending);
        }
        let sequence = entry.record.sequence;
        let room_id = entry.record.room_id.clone();
        store.delete_record(&record_name(sequence))?;
        if let Some(entry) = state.entries.remove(&sequence) {
            if let Some(waiter) = entry.waiter {
                let _ = waiter.send(Err(CoreError::SendDiscarded));
            }
        }
        state.receivers.remove(transaction_id);
        Ok(room_id)
    }

    /// Forgets every message, as after a logout: another device cannot send them with the same
    /// transaction IDs.
    pub(crate) fn clear(&self, store: &OpenedStore) {
        let mut state = self.lock();
        for (sequence, entry) in std::mem::take(&mut state.entries) {
            let _ = store.delete_record(&record_name(sequence));
            if let Some(waiter) = entry.waiter {
                let _ = waiter.send(Err(CoreError::NotLoggedIn));
            }
        }
        state.receivers.clear();
    }

    /// Rooms with messages waiting to be sent.
    fn rooms_waiting(&self) -> Vec<String> {
        let state = self.lock();
        let rooms: BTreeSet<String> = state
            .entries
            .values()
            .filter(|entry| entry.record.failure.is_none())
            .map(|entry| entry.record.room_id.clone())
            .collect();
        rooms.into_iter().collect()
    }
}

impl HeadlessClient {
    /// Queues a text, notice, emote or location message; see [`Self::queue_content`].
    pub async fn queue_message(
        self: &Arc<Self>,
        room_id: &str,
        message: &OutgoingMessage,
        awaited: bool,
    ) -> CoreResult<QueuedMessage> {
        let content = content::message(message)?;
        self.queue_content(room_id, "m.room.message", content, "content", awaited).await
    }

    /// Queues a message-like event of a custom type; see [`Self::queue_content`].
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] also for a bad type, content that is not a JSON object,
    /// or an event that would exceed 64 KiB.
    pub async fn queue_custom(
        self: &Arc<Self>,
        room_id: &str,
        event_type: &str,
        content_json: &str,
        awaited: bool,
    ) -> CoreResult<QueuedMessage> {
        // The size is checked here as if in the clear, and again by `queue_content` once the
        // room's encryption is known.
        let content = content::custom(event_type, content_json, false)?;
        self.queue_content(room_id, event_type, content, "contentJson", awaited).await
    }

    /// Saves the content in the send queue and starts sending it; returns once it is saved.
    ///
    /// With `awaited`, wait for the outcome with [`Self::await_queued`]. `size_parameter` names
    /// the argument a refusal for the event's size blames.
    ///
    /// # Errors
    /// [`CoreError::RoomNotFound`], [`CoreError::WrongRoomState`] when the client has not joined
    /// the room, [`CoreError::InvalidArgument`] for an event above 64 KiB,
    /// [`CoreError::QueueFull`], and [`CoreError::StoreUnusable`] when it cannot be saved.
    async fn queue_content(
        self: &Arc<Self>,
        room_id: &str,
        event_type: &str,
        content: Value,
        size_parameter: &'static str,
        awaited: bool,
    ) -> CoreResult<QueuedMessage> {
        self.admit(Operation::Send, "queue_content")?;
        let queued = self
            .guarded(async {
                let room = self.room_in_state(room_id, RoomState::Joined)?;
                let encrypted = messages::room_encrypts(&room).await?;
                content::check_event_size(size_parameter, event_type, &content, encrypted)?;
                self.outbox.add(&self.store, room.room_id().as_str(), event_type, &content, awaited)
            })
            .await?;
        self.start_room_sender(&queued.room_id);
        Ok(queued)
    }

    /// Queues content, waits until it is sent and returns its event ID: a crash in between
    /// leaves it queued for the next start.
    pub(super) async fn send_queued_and_wait(
        self: &Arc<Self>,
        room_id: &str,
        event_type: &str,
        content: Value,
    ) -> CoreResult<String> {
        let queued = self.queue_content(room_id, event_type, content, "content", true).await?;
        self.await_queued(&queued.transaction_id).await
    }

    /// Waits until a message queued with `awaited` was sent, and returns its event ID.
    ///
    /// # Errors
    /// [`CoreError::QueuedMessageNotFound`] for a transaction ID that was not queued with
    /// `awaited` or is awaited already, [`CoreError::SendDiscarded`], [`CoreError::Closed`]
    /// (the message stays queued), and every error of the attempt that ended it.
    pub async fn await_queued(&self, transaction_id: &str) -> CoreResult<String> {
        let receiver =
            self.outbox.take_receiver(transaction_id).ok_or(CoreError::QueuedMessageNotFound)?;
        self.guarded(async {
            // A dropped sender means the queue was cleared by a logout.
            receiver.await.unwrap_or(Err(CoreError::NotLoggedIn))
        })
        .await
    }

    /// The messages in the queue, oldest first: waiting, being sent, or failed.
    pub fn queued_messages(&self) -> Vec<QueuedMessage> {
        self.outbox.list()
    }

    /// Sends a failed message again; a message that has not failed is left as it is.
    ///
    /// # Errors
    /// [`CoreError::QueuedMessageNotFound`], [`CoreError::StoreUnusable`].
    pub fn retry_queued(self: &Arc<Self>, transaction_id: &str) -> CoreResult<()> {
        let room_id = self.outbox.retry(&self.store, transaction_id)?;
        self.start_room_sender(&room_id);
        Ok(())
    }

    /// Removes a message from the queue without sending it.
    ///
    /// # Errors
    /// [`CoreError::QueuedMessageNotFound`], [`CoreError::QueuedMessageSending`] while an
    /// attempt to send it runs (it may reach the homeserver), [`CoreError::StoreUnusable`].
    pub fn discard_queued(&self, transaction_id: &str) -> CoreResult<()> {
        let room_id = self.outbox.discard(&self.store, transaction_id)?;
        self.audit(crate::audit::AuditEvent::QueuedMessageDiscarded { room_id });
        Ok(())
    }

    /// Starts sending what an earlier run left in the queue.
    pub(super) fn resume_queue(self: &Arc<Self>) {
        for room_id in self.outbox.rooms_waiting() {
            self.start_room_sender(&room_id);
        }
    }

    fn start_room_sender(self: &Arc<Self>, room_id: &str) {
        if self.outbox.claim_room(room_id) {
            runtime().spawn(send_room_queue(Arc::downgrade(self), room_id.to_owned()));
        }
    }

    /// One attempt to send a queued message, with its own transaction ID.
    async fn send_queued(&self, record: &QueuedRecord) -> CoreResult<String> {
        let room = self.room_in_state(&record.room_id, RoomState::Joined)?;
        let content: Value = serde_json::from_str(&record.content_json)
            .map_err(|_| CoreError::StoreUnusable("a queued message is damaged"))?;
        let transaction_id: &TransactionId = record.transaction_id.as_str().into();

        let lock = self.room_send_lock(room.room_id());
        let _one_at_a_time = lock.lock().await;
        let result = room
            .send_raw(&record.event_type, content)
            .with_transaction_id(transaction_id)
            .await
            .map_err(|error| CoreError::from_sdk("send event", error))?;
        tracing::debug!(room_id = %room.room_id(), event_id = %result.response.event_id,
            "queued event sent");
        Ok(result.response.event_id.to_string())
    }

    /// Hands a queue update to the integrating system. Updates are not recorded for delivery
    /// (sequence 0): after a restart, the queue's state is read with `queued_messages`, and a
    /// waiting `send` learns its outcome on its own path. So an update that finds the event queue
    /// full (nobody takes events, or not fast enough) is dropped at once: waiting for room would
    /// hold up the room's next message behind an update that nobody may ever read.
    async fn report_queue_update(&self, update: QueuedMessage) {
        let event = (0, ClientEvent::QueueUpdate(update));
        if self.events_in.try_send(event).is_err() {
            tracing::warn!("a queue update was dropped: the event queue is full");
        }
    }
}

/// Sends one room's queued messages in order until none waits; see the module documentation.
async fn send_room_queue(client: Weak<HeadlessClient>, room_id: String) {
    let mut pause = RETRY_PAUSE_FIRST;
    loop {
        let Some(client) = client.upgrade() else { return };
        let Some(record) = client.outbox.next_to_send(&room_id) else { return };
        if client.restriction().is_some() {
            // Restricted clients send nothing; lifting the restriction resumes the queue.
            client.outbox.interrupted(record.sequence, &room_id);
            return;
        }

        match client.guarded(client.send_queued(&record)).await {
            Ok(event_id) => {
                pause = RETRY_PAUSE_FIRST;
                client.count_sent(&record.event_type, &record.content_json);
                if let Some(update) = client.outbox.sent(&client.store, record.sequence, event_id) {
                    client.report_queue_update(update).await;
                }
            }
            Err(CoreError::Closed | CoreError::Stopped(_) | CoreError::NotLoggedIn) => {
                client.outbox.interrupted(record.sequence, &room_id);
                return;
            }
            Err(error) if is_transient(&error) => {
                tracing::info!(error = %error, pause_ms = pause.as_millis() as u64,
                    "a queued message will be sent again");
                client.outbox.retry_later(&client.store, record.sequence);
                let mut closing = client.closing.subscribe();
                // The client must be free to go while this task sleeps.
                drop(client);
                tokio::select! {
                    _ = closing.wait_for(|closing| *closing) => return,
                    _ = tokio::time::sleep(pause) => {}
                }
                pause = (pause * 2).min(RETRY_PAUSE_MAX);
            }
            Err(error) => {
                tracing::warn!(error = %error, "a queued message could not be sent");
                if let Some(update) = client.outbox.failed(&client.store, record.sequence, error) {
                    client.report_queue_update(update).await;
                }
            }
        }
    }
}

/// Whether a failed attempt is worth repeating: no connection, a server error or a rate limit.
fn is_transient(error: &CoreError) -> bool {
    match error {
        CoreError::Network => true,
        CoreError::Homeserver { status, .. } => *status >= 500 || *status == 429,
        _ => false,
    }
}

fn find<'a>(state: &'a mut State, transaction_id: &str) -> CoreResult<&'a mut Entry> {
    state
        .entries
        .values_mut()
        .find(|entry| entry.record.transaction_id == transaction_id)
        .ok_or(CoreError::QueuedMessageNotFound)
}

fn snapshot(record: &QueuedRecord, sending: bool) -> QueuedMessage {
    let state = match (&record.failure, sending) {
        (Some(failure), _) => QueueState::Failed {
            error_code: failure.error_code.clone(),
            status: failure.status,
            errcode: failure.errcode.clone(),
        },
        (None, true) => QueueState::Sending,
        (None, false) => QueueState::Waiting,
    };
    QueuedMessage {
        transaction_id: record.transaction_id.clone(),
        room_id: record.room_id.clone(),
        event_type: record.event_type.clone(),
        queued_at_millis: record.queued_at_millis,
        attempts: record.attempts,
        state,
    }
}

fn record_name(sequence: u64) -> String {
    format!("{OUTBOX_DIR}/{sequence:020}.bin")
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use serde_json::json;

    use super::*;
    use crate::store::testing::{self, passphrase};

    const ROOM: &str = "!room:example.org";

    fn scratch_store(name: &str) -> (PathBuf, OpenedStore) {
        testing::scratch_store("outbox", name)
    }

    fn reopen(dir: &Path, store: OpenedStore) -> (OpenedStore, Outbox) {
        drop(store);
        let store = OpenedStore::open(dir, &passphrase()).expect("reopen store");
        let outbox = Outbox::load(&store).expect("load queue");
        (store, outbox)
    }

    #[test]
    fn queued_messages_survive_a_restart_in_order_with_their_transaction_ids() {
        let (dir, store) = scratch_store("restart");
        let outbox = Outbox::load(&store).expect("load queue");
        let first = outbox
            .add(&store, ROOM, "m.room.message", &json!({"body": "1"}), true)
            .expect("queue operation");
        let second = outbox
            .add(&store, ROOM, "m.room.message", &json!({"body": "2"}), false)
            .expect("queue operation");
        drop(outbox);

        let (store, outbox) = reopen(&dir, store);
        let listed = outbox.list();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[0].transaction_id, first.transaction_id);
        assert_eq!(listed[1].transaction_id, second.transaction_id);
        assert_eq!(outbox.rooms_waiting(), vec![ROOM.to_owned()]);

        let next = outbox.next_to_send(ROOM).expect("queue operation");
        assert_eq!(next.transaction_id, first.transaction_id);
        assert_eq!(
            serde_json::from_str::<Value>(&next.content_json).expect("queue operation")["body"],
            "1"
        );
        let update = outbox.sent(&store, next.sequence, "$sent".into()).expect("queue operation");
        assert_eq!(update.state, QueueState::Sent { event_id: "$sent".into() });

        let (_store, outbox) = reopen(&dir, store);
        let listed = outbox.list();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].transaction_id, second.transaction_id);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_room_sends_one_message_at_a_time_and_its_task_ends_when_none_waits() {
        let (dir, store) = scratch_store("order");
        let outbox = Outbox::load(&store).expect("load queue");
        outbox.add(&store, ROOM, "m.room.message", &json!({}), false).expect("queue operation");
        outbox.add(&store, ROOM, "m.room.message", &json!({}), false).expect("queue operation");
        assert!(outbox.claim_room(ROOM));
        assert!(!outbox.claim_room(ROOM), "one task per room");

        let first = outbox.next_to_send(ROOM).expect("queue operation");
        let second = outbox.next_to_send(ROOM).expect("queue operation");
        assert!(first.sequence < second.sequence);
        assert!(outbox.next_to_send(ROOM).is_none(), "both are being sent");
        assert!(outbox.claim_room(ROOM), "the task ended with nothing left to take");

        outbox.retry_later(&store, first.sequence);
        assert_eq!(outbox.next_to_send(ROOM).expect("queue operation").attempts, 2);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn a_waiting_caller_gets_the_failure_and_the_message_leaves_the_queue() {
        let (dir, store) = scratch_store("awaited");
        let outbox = Outbox::load(&store).expect("load queue");
        let queued =
            outbox.add(&store, ROOM, "m.room.message", &json!({}), true).expect("queue operation");
        let receiver = outbox.take_receiver(&queued.transaction_id).expect("queue operation");
        let record = outbox.next_to_send(ROOM).expect("queue operation");
        let forbidden = CoreError::Homeserver { status: 403, errcode: "M_FORBIDDEN".into() };

        let update = outbox.failed(&store, record.sequence, forbidden).expect("queue operation");
        assert!(matches!(update.state, QueueState::Failed { status: Some(403), .. }));
        assert!(matches!(receiver.await, Ok(Err(CoreError::Homeserver { status: 403, .. }))));
        assert!(outbox.list().is_empty());
        let (_store, outbox) = reopen(&dir, store);
        assert!(outbox.list().is_empty(), "its record is gone");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn an_unawaited_failure_stays_until_retried_or_discarded() {
        let (dir, store) = scratch_store("failed");
        let outbox = Outbox::load(&store).expect("load queue");
        let queued =
            outbox.add(&store, ROOM, "m.room.message", &json!({}), false).expect("queue operation");
        let record = outbox.next_to_send(ROOM).expect("queue operation");
        outbox
            .failed(&store, record.sequence, CoreError::WrongRoomState("left"))
            .expect("queue operation");

        let (store, outbox) = reopen(&dir, store);
        let listed = outbox.list();
        assert!(matches!(&listed[0].state, QueueState::Failed { error_code, .. }
            if error_code == "WRONG_ROOM_STATE"));
        assert!(outbox.rooms_waiting().is_empty(), "a failed message waits for a decision");

        outbox.retry(&store, &queued.transaction_id).expect("queue operation");
        assert_eq!(outbox.list()[0].state, QueueState::Waiting);
        let record = outbox.next_to_send(ROOM).expect("queue operation");
        assert!(matches!(
            outbox.discard(&store, &queued.transaction_id),
            Err(CoreError::QueuedMessageSending)
        ));
        outbox.interrupted(record.sequence, ROOM);
        assert_eq!(outbox.discard(&store, &queued.transaction_id).expect("queue operation"), ROOM);
        assert!(matches!(
            outbox.discard(&store, &queued.transaction_id),
            Err(CoreError::QueuedMessageNotFound)
        ));
        let (_store, outbox) = reopen(&dir, store);
        assert!(outbox.list().is_empty());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_full_queue_refuses_more_and_saves_nothing() {
        let (dir, store) = scratch_store("full");
        let outbox = Outbox::load(&store).expect("load queue");
        for _ in 0..MAX_QUEUED_MESSAGES {
            outbox.add(&store, ROOM, "m.room.message", &json!({}), false).expect("queue operation");
        }
        assert!(matches!(
            outbox.add(&store, ROOM, "m.room.message", &json!({}), false),
            Err(CoreError::QueueFull)
        ));
        assert_eq!(
            store.record_names(OUTBOX_DIR).expect("queue operation").len(),
            MAX_QUEUED_MESSAGES
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn only_network_server_and_rate_limit_failures_are_retried() {
        assert!(is_transient(&CoreError::Network));
        assert!(is_transient(&CoreError::Homeserver { status: 502, errcode: "unknown".into() }));
        assert!(is_transient(&CoreError::Homeserver {
            status: 429,
            errcode: "M_LIMIT_EXCEEDED".into()
        }));
        assert!(!is_transient(&CoreError::Homeserver {
            status: 403,
            errcode: "M_FORBIDDEN".into()
        }));
        assert!(!is_transient(&CoreError::WrongRoomState("left")));
        assert!(!is_transient(&CoreError::Internal("crypto")));
    }
}
