//! The delivery record: which events the integrating system has been handed, kept in the store
//! so that a restart neither loses an event nor hands one over twice.
//!
//! The engine saves its sync token as soon as it has processed a response, before our listeners
//! have seen its events. We therefore keep our own checkpoint: the token after the newest sync
//! response whose events have all been acknowledged (the Java side acknowledges each event after
//! every listener has had it), and the IDs of the room events handed to the queue but not yet
//! acknowledged. A restart first fetches those events by ID and delivers them, then syncs from
//! the checkpoint; events acknowledged already are recognised by their keys and skipped.
//!
//! Fetching by ID is needed because a sync from the checkpoint does not reliably repeat them:
//! the engine drops a response whose `next_batch` it has processed already, and Synapse was seen
//! to answer the repeated request with exactly that token (probably from its sync cache).

use std::{
    collections::{BTreeSet, HashSet, VecDeque},
    sync::{Mutex, PoisonError},
};

use serde::{Deserialize, Serialize};

use crate::{error::CoreResult, events::ClientEvent, store::OpenedStore};

/// File of the record in the store directory (encrypted with the store cipher).
const RECORD_FILE: &str = "delivery.bin";

/// What is saved.
#[derive(Debug, Default, Serialize, Deserialize)]
struct DeliveryRecord {
    /// Sync token after the newest fully acknowledged response.
    checkpoint: Option<String>,
    /// Keys of the events acknowledged from responses after the checkpoint.
    delivered: Vec<String>,
    /// Events handed over as undecryptable and not yet handed over decrypted, as room and event
    /// ID. They lie before the checkpoint, so a restart would not sync them again; the sync loop
    /// fetches them instead.
    #[serde(default)]
    undecrypted: Vec<(String, String)>,
    /// Room events queued but not acknowledged, as room and event ID, oldest first.
    #[serde(default)]
    undelivered: Vec<(String, String)>,
}

/// What a restarted sync loop fetches by ID before it syncs.
pub(crate) struct Recovery {
    /// Events never handed over: delivered in this order, undecryptable or not.
    pub(crate) undelivered: Vec<(String, String)>,
    /// Events handed over as undecryptable: delivered once they decrypt.
    pub(crate) undecrypted: Vec<(String, String)>,
}

/// An event in flight, and what its acknowledgement means besides its key.
struct InFlight {
    sequence: u64,
    key: String,
    /// `(room, event)` of a room event, fetched again after a restart if not acknowledged.
    room_event: Option<(String, String)>,
    /// `(room, event)` of an undecryptable event: to be fetched again after a restart.
    undecryptable: Option<(String, String)>,
    /// Event ID of a decrypted event, which ends its undecryptable predecessor's wait.
    event_id: Option<String>,
}

/// One sync response whose events are not all acknowledged yet.
struct PendingResponse {
    next_batch: String,
    /// Its events not yet acknowledged, oldest first.
    unacknowledged: VecDeque<InFlight>,
    /// Keys of its events acknowledged so far.
    acknowledged: Vec<String>,
}

struct State {
    next_sequence: u64,
    checkpoint: Option<String>,
    /// Token after the newest response admitted in this process; a sync loop restarted in the
    /// same process continues from here, as the events before it are queued already.
    last_admitted: Option<String>,
    pending: VecDeque<PendingResponse>,
    /// Keys acknowledged before the last restart, skipped when the same events come again.
    delivered_before_restart: HashSet<String>,
    /// Undecryptable events handed over whose decrypted form has not been.
    undecrypted: BTreeSet<(String, String)>,
    /// Room events queued but not acknowledged before the last restart.
    undelivered_before_restart: Vec<(String, String)>,
    /// Keys queued in this process, so that a replayed sync does not queue them twice.
    queued: HashSet<String>,
}

/// The delivery record of one client, and the bookkeeping of what is in flight.
pub(crate) struct Delivery {
    state: Mutex<State>,
}

impl Delivery {
    /// Loads the record from the store; a missing one starts empty.
    pub(crate) fn load(store: &OpenedStore) -> CoreResult<Self> {
        let record: DeliveryRecord = store.load_record(RECORD_FILE)?.unwrap_or_default();
        Ok(Self {
            state: Mutex::new(State {
                next_sequence: 1,
                checkpoint: record.checkpoint,
                last_admitted: None,
                pending: VecDeque::new(),
                delivered_before_restart: record.delivered.into_iter().collect(),
                undecrypted: record.undecrypted.into_iter().collect(),
                undelivered_before_restart: record.undelivered,
                queued: HashSet::new(),
            }),
        })
    }

    /// The token the next sync loop starts from: after the last response admitted in this
    /// process, or else the saved checkpoint, if there is one.
    pub(crate) fn resume_token(&self) -> Option<String> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.last_admitted.clone().or_else(|| state.checkpoint.clone())
    }

    /// What a restarted sync loop must fetch by ID; taken once, later calls get nothing new.
    pub(crate) fn take_recovery(&self) -> Recovery {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let undelivered = std::mem::take(&mut state.undelivered_before_restart);
        let undecrypted = state
            .undecrypted
            .iter()
            .filter(|waiting| !undelivered.contains(waiting))
            .cloned()
            .collect();
        Recovery { undelivered, undecrypted }
    }

    /// The undecryptable events handed over whose decrypted form has not been: `(room, event)`.
    #[cfg(test)]
    fn undecrypted(&self) -> Vec<(String, String)> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.undecrypted.iter().cloned().collect()
    }

    /// Registers the events of one sync response in timeline order: drops those delivered
    /// before a restart and numbers the others. A response without events moves the
    /// checkpoint at once when nothing older is pending.
    ///
    /// The events are returned for delivery even when the record cannot be saved: then a
    /// restart may repeat or miss them, which is logged as an error.
    pub(crate) fn admit(
        &self,
        store: &OpenedStore,
        next_batch: &str,
        events: Vec<ClientEvent>,
    ) -> Vec<(u64, ClientEvent)> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let mut numbered = Vec::with_capacity(events.len());
        let mut unacknowledged = VecDeque::with_capacity(events.len());
        for event in events {
            let key = delivery_key(&event);
            if state.delivered_before_restart.contains(&key) || state.queued.contains(&key) {
                continue;
            }
            let sequence = state.next_sequence;
            state.next_sequence += 1;
            let room_event = room_event(&event);
            let (undecryptable, event_id) = match &event {
                ClientEvent::Undecryptable(_) => (room_event.clone(), None),
                _ => (None, event_id(&event).map(str::to_owned)),
            };
            unacknowledged.push_back(InFlight {
                sequence,
                key: key.clone(),
                room_event,
                undecryptable,
                event_id,
            });
            state.queued.insert(key);
            numbered.push((sequence, event));
        }
        state.last_admitted = Some(next_batch.to_owned());
        let queued_room_events = unacknowledged.iter().any(|event| event.room_event.is_some());
        state.pending.push_back(PendingResponse {
            next_batch: next_batch.to_owned(),
            unacknowledged,
            acknowledged: Vec::new(),
        });
        if advance(&mut state) || queued_room_events {
            if let Err(error) = save(store, &state) {
                tracing::error!(error = %error, "the delivery record could not be saved");
            }
        }
        numbered
    }

    /// Records that every event up to `sequence` has been handed to the listeners.
    pub(crate) fn acknowledge(&self, store: &OpenedStore, sequence: u64) -> CoreResult<()> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let mut changed = false;
        let mut acknowledged = Vec::new();
        for response in &mut state.pending {
            while response.unacknowledged.front().is_some_and(|event| event.sequence <= sequence) {
                if let Some(event) = response.unacknowledged.pop_front() {
                    response.acknowledged.push(event.key.clone());
                    acknowledged.push(event);
                    changed = true;
                }
            }
        }
        for event in acknowledged {
            if let Some(reference) = event.undecryptable {
                state.undecrypted.insert(reference);
            }
            if let Some(event_id) = event.event_id {
                state.undecrypted.retain(|(_, waiting)| *waiting != event_id);
            }
        }
        advance(&mut state);
        if changed {
            save(store, &state)?;
        }
        Ok(())
    }

    /// Forgets everything, as after a logout: the next device starts afresh.
    pub(crate) fn reset(&self, store: &OpenedStore) -> CoreResult<()> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.checkpoint = None;
        state.last_admitted = None;
        state.pending.clear();
        state.delivered_before_restart.clear();
        state.undecrypted.clear();
        state.undelivered_before_restart.clear();
        state.queued.clear();
        store.delete_record(RECORD_FILE)
    }
}

/// Moves the checkpoint past every fully acknowledged response at the front; `true` if it moved.
fn advance(state: &mut State) -> bool {
    let mut moved = false;
    while state.pending.front().is_some_and(|response| response.unacknowledged.is_empty()) {
        if let Some(done) = state.pending.pop_front() {
            moved |= state.checkpoint.as_deref() != Some(done.next_batch.as_str());
            state.checkpoint = Some(done.next_batch);
        }
    }
    if moved && state.pending.is_empty() {
        // The remembered keys belong to responses at or before the new checkpoint, which no
        // sync repeats any more.
        state.delivered_before_restart.clear();
        state.queued.clear();
    }
    moved
}

fn save(store: &OpenedStore, state: &State) -> CoreResult<()> {
    let delivered = state
        .pending
        .iter()
        .flat_map(|response| response.acknowledged.iter().cloned())
        .chain(state.delivered_before_restart.iter().cloned())
        .collect();
    let undecrypted = state.undecrypted.iter().cloned().collect();
    let undelivered = state
        .undelivered_before_restart
        .iter()
        .cloned()
        .chain(
            state
                .pending
                .iter()
                .flat_map(|response| response.unacknowledged.iter())
                .filter_map(|event| event.room_event.clone()),
        )
        .collect();
    let record = DeliveryRecord {
        checkpoint: state.checkpoint.clone(),
        delivered,
        undecrypted,
        undelivered,
    };
    store.save_record(RECORD_FILE, &record)
}

fn room_event(event: &ClientEvent) -> Option<(String, String)> {
    event.meta().map(|meta| (meta.room_id.clone(), meta.event_id.clone()))
}

/// The event ID of an event that is no undecryptable placeholder.
fn event_id(event: &ClientEvent) -> Option<&str> {
    match event {
        ClientEvent::Undecryptable(_) => None,
        _ => event.meta().map(|meta| meta.event_id.as_str()),
    }
}

/// What identifies an event across a restart. An undecryptable event and the same event
/// decrypted later are different deliveries.
fn delivery_key(event: &ClientEvent) -> String {
    if let Some(event_id) = event_id(event) {
        return event_id.to_owned();
    }
    match event {
        ClientEvent::Undecryptable(meta) => format!("undecryptable {}", meta.event_id),
        ClientEvent::Receipt(r) => {
            format!("receipt {} {} {} {}", r.room_id, r.user_id, r.receipt_type, r.event_id)
        }
        ClientEvent::Invite(i) => format!("invite {} {}", i.room_id, i.inviter),
        // Every other kind has an event ID and returned above.
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::{
        events::{EventMeta, InviteEvent, MessageEvent},
        store::testing,
    };

    fn scratch_store(name: &str) -> (PathBuf, OpenedStore) {
        testing::scratch_store("delivery", name)
    }

    fn invite(room: &str) -> ClientEvent {
        ClientEvent::Invite(InviteEvent { room_id: room.into(), inviter: "@a:x".into() })
    }

    #[test]
    fn a_restart_resumes_after_the_last_fully_acknowledged_response_without_repeats() {
        let (dir, store) = scratch_store("resume");
        let delivery = Delivery::load(&store).expect("load");
        assert_eq!(delivery.resume_token(), None);

        // The first response is handed over completely, the second only halfway
        let first = delivery.admit(&store, "t1", vec![invite("!a:x")]);
        delivery.acknowledge(&store, first[0].0).expect("ack");
        let second = delivery.admit(&store, "t2", vec![invite("!b:x"), invite("!c:x")]);
        delivery.acknowledge(&store, second[0].0).expect("ack");
        // A sync loop restarted in this process continues after what is queued already
        assert_eq!(delivery.resume_token().as_deref(), Some("t2"));

        // After a restart the sync starts from t1, and of the repeated response only the
        // event that was not handed over comes again
        drop(delivery);
        let restarted = Delivery::load(&store).expect("reload");
        assert_eq!(restarted.resume_token().as_deref(), Some("t1"));
        let again = restarted.admit(&store, "t2", vec![invite("!b:x"), invite("!c:x")]);
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].1, invite("!c:x"));
        restarted.acknowledge(&store, again[0].0).expect("ack");
        assert_eq!(restarted.resume_token().as_deref(), Some("t2"));

        // Empty responses move the checkpoint at once; a reset forgets everything
        restarted.admit(&store, "t3", Vec::new());
        assert_eq!(restarted.resume_token().as_deref(), Some("t3"));
        restarted.reset(&store).expect("reset");
        assert_eq!(Delivery::load(&store).expect("reload").resume_token(), None);
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }

    fn meta(event_id: &str) -> EventMeta {
        EventMeta {
            room_id: "!r:x".into(),
            event_id: event_id.into(),
            sender: "@a:x".into(),
            timestamp_millis: 1,
            encrypted: true,
            case_references: Vec::new(),
        }
    }

    fn message(event_id: &str) -> ClientEvent {
        ClientEvent::Message(MessageEvent {
            meta: meta(event_id),
            message_type: "m.text".into(),
            body: "x".into(),
            formatted_body: None,
            in_reply_to: None,
            geo_uri: None,
            attachment: None,
        })
    }

    #[test]
    fn room_events_queued_but_not_acknowledged_are_fetched_again_after_a_restart() {
        let (dir, store) = scratch_store("undelivered");
        let delivery = Delivery::load(&store).expect("load");
        let queued = delivery.admit(&store, "t1", vec![message("$one"), message("$two")]);
        delivery.acknowledge(&store, queued[0].0).expect("ack");

        let restarted = Delivery::load(&store).expect("reload");
        let recovery = restarted.take_recovery();
        assert_eq!(recovery.undelivered, vec![("!r:x".to_owned(), "$two".to_owned())]);
        assert!(restarted.take_recovery().undelivered.is_empty(), "taken once");

        // Delivered again from the fetch, the replayed sync does not queue it a second time
        let fetched = restarted.admit(&store, "t0", vec![message("$two")]);
        assert_eq!(fetched.len(), 1);
        let replayed = restarted.admit(&store, "t1", vec![message("$one"), message("$two")]);
        assert!(replayed.is_empty(), "{replayed:?}");
        restarted.acknowledge(&store, fetched[0].0).expect("ack");
        assert!(Delivery::load(&store).expect("reload").take_recovery().undelivered.is_empty());
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn an_undecryptable_event_waits_across_restarts_until_it_was_handed_over_decrypted() {
        let (dir, store) = scratch_store("undecrypted");
        let meta = meta("$m");
        let delivery = Delivery::load(&store).expect("load");
        let utd = delivery.admit(&store, "t1", vec![ClientEvent::Undecryptable(meta.clone())]);
        delivery.acknowledge(&store, utd[0].0).expect("ack");
        let restarted = Delivery::load(&store).expect("reload");
        assert_eq!(restarted.undecrypted(), vec![("!r:x".to_owned(), "$m".to_owned())]);

        let decrypted = message("$m");
        let numbered = restarted.admit(&store, "t1", vec![decrypted]);
        restarted.acknowledge(&store, numbered[0].0).expect("ack");
        assert!(Delivery::load(&store).expect("reload").undecrypted().is_empty());
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }
}
