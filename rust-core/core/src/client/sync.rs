//! The sync loop: one `/sync` after another, each response turned into events in timeline order.
//!
//! Events are taken from the sync response itself rather than from engine event handlers: the
//! response holds every room's timeline in order, including events the engine could not
//! decrypt, which handlers never see. Undecryptable events are kept and decrypted again when
//! new keys may have arrived; once that succeeds they are delivered a second time, decrypted.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Mutex, PoisonError},
    time::Duration,
};

use matrix_sdk::{
    config::SyncSettings,
    deserialized_responses::{TimelineEvent, TimelineEventKind},
    ruma::{events::room::encrypted::OriginalSyncRoomEncryptedEvent, serde::Raw, OwnedRoomId},
    sync::SyncResponse,
    Client,
};
use serde_json::Value;
use tokio::sync::watch;

use crate::{
    error::CoreError,
    events::{ClientEvent, EventSender},
    timeline,
};

/// How long one sync request may wait on the homeserver for news.
const SYNC_POLL_TIMEOUT: Duration = Duration::from_secs(30);
/// Backoff after a failed sync: first and longest pause.
const SYNC_BACKOFF_FIRST: Duration = Duration::from_millis(500);
const SYNC_BACKOFF_MAX: Duration = Duration::from_secs(30);
/// Most undecryptable events kept for a second attempt; the oldest are given up first.
const MAX_PENDING_UNDECRYPTABLE: usize = 1000;

/// What the sync loop records for the rest of the client.
#[derive(Default)]
pub(crate) struct SyncShared {
    /// Time of the newest event seen per room since the client started.
    pub(crate) last_activity: Mutex<HashMap<OwnedRoomId, u64>>,
}

/// An event the engine could not decrypt, kept for another attempt.
struct PendingEvent {
    room_id: OwnedRoomId,
    raw: Raw<OriginalSyncRoomEncryptedEvent>,
}

pub(crate) async fn sync_loop(
    engine: Client,
    events: EventSender,
    shared: std::sync::Arc<SyncShared>,
    mut stopped: watch::Receiver<bool>,
) {
    let settings = SyncSettings::default().timeout(SYNC_POLL_TIMEOUT);
    let mut backoff = SYNC_BACKOFF_FIRST;
    let mut pending = VecDeque::new();

    loop {
        // `sync_once` returns as soon as the server has news, unlike `sync`, which pauses about a
        // second between fast iterations.
        let result = tokio::select! {
            _ = stopped.wait_for(|stop| *stop) => return,
            result = engine.sync_once(settings.clone()) => result,
        };

        match result {
            Ok(response) => {
                backoff = SYNC_BACKOFF_FIRST;
                let delivered = tokio::select! {
                    _ = stopped.wait_for(|stop| *stop) => return,
                    delivered = deliver(&engine, &events, &shared, &mut pending, response) => delivered,
                };
                if !delivered {
                    // The queue is closed: the client is closing.
                    return;
                }
            }
            Err(error) => {
                let reason = CoreError::from_sdk("sync", error);
                tracing::warn!(error = %reason, pause_ms = backoff.as_millis() as u64, "sync failed");
                tokio::select! {
                    _ = stopped.wait_for(|stop| *stop) => return,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(SYNC_BACKOFF_MAX);
            }
        }
    }
}

/// Enqueues the events of one sync response; `false` once the queue is closed.
async fn deliver(
    engine: &Client,
    events: &EventSender,
    shared: &SyncShared,
    pending: &mut VecDeque<PendingEvent>,
    response: SyncResponse,
) -> bool {
    let own_user = engine.user_id().map(ToString::to_string).unwrap_or_default();
    let mut batch = Vec::new();

    for (room_id, update) in &response.rooms.joined {
        for event in &update.timeline.events {
            if let Some(converted) = convert_live(room_id, event, pending) {
                record_activity(shared, room_id, &converted);
                batch.push(converted);
            }
        }
        for raw in &update.ephemeral {
            let Ok(value) = serde_json::from_str::<Value>(raw.json().get()) else { continue };
            batch.extend(
                timeline::receipts(room_id.as_str(), &value).into_iter().map(ClientEvent::Receipt),
            );
        }
    }
    for (room_id, update) in &response.rooms.invited {
        let invite = update.invite_state.events.iter().find_map(|raw| {
            let value = serde_json::from_str::<Value>(raw.json().get()).ok()?;
            timeline::invite(room_id.as_str(), &value, &own_user)
        });
        batch.extend(invite.map(ClientEvent::Invite));
    }

    // New to-device messages may carry the keys of events that could not be decrypted before.
    if !response.to_device.is_empty() && !pending.is_empty() {
        batch.extend(retry_undecryptable(engine, pending).await);
    }

    for event in batch {
        if events.send(event).await.is_err() {
            return false;
        }
    }
    true
}

/// Converts a live timeline event; an undecryptable one is also kept for another attempt. The
/// echo of this device's own sends is skipped: the caller knows what it sent.
fn convert_live(
    room_id: &OwnedRoomId,
    event: &TimelineEvent,
    pending: &mut VecDeque<PendingEvent>,
) -> Option<ClientEvent> {
    let value: Value = serde_json::from_str(event.raw().json().get()).ok()?;
    if timeline::is_own_echo(&value) {
        return None;
    }
    match &event.kind {
        TimelineEventKind::UnableToDecrypt { event: raw, .. } => {
            if pending.len() == MAX_PENDING_UNDECRYPTABLE {
                pending.pop_front();
            }
            pending.push_back(PendingEvent {
                room_id: room_id.clone(),
                raw: raw.clone().cast_unchecked(),
            });
            timeline::meta(room_id.as_str(), &value, true).map(ClientEvent::Undecryptable)
        }
        TimelineEventKind::Decrypted(_) => timeline::convert(room_id.as_str(), &value, true),
        TimelineEventKind::PlainText { .. } => timeline::convert(room_id.as_str(), &value, false),
    }
}

/// Tries every kept undecryptable event again; returns those that now decrypt.
async fn retry_undecryptable(
    engine: &Client,
    pending: &mut VecDeque<PendingEvent>,
) -> Vec<ClientEvent> {
    let mut decrypted = Vec::new();
    let mut still_pending = VecDeque::new();
    while let Some(event) = pending.pop_front() {
        let Some(room) = engine.get_room(&event.room_id) else { continue };
        match room.decrypt_event(&event.raw, None).await {
            Ok(retried) if matches!(retried.kind, TimelineEventKind::Decrypted(_)) => {
                let value = serde_json::from_str::<Value>(retried.raw().json().get()).ok();
                let converted =
                    value.and_then(|v| timeline::convert(event.room_id.as_str(), &v, true));
                decrypted.extend(converted);
            }
            _ => still_pending.push_back(event),
        }
    }
    *pending = still_pending;
    if !decrypted.is_empty() {
        tracing::debug!(count = decrypted.len(), "events decrypted on a second attempt");
    }
    decrypted
}

fn record_activity(shared: &SyncShared, room_id: &OwnedRoomId, event: &ClientEvent) {
    let timestamp = match event {
        ClientEvent::Message(e) => e.meta.timestamp_millis,
        ClientEvent::Edit(e) => e.meta.timestamp_millis,
        ClientEvent::Redaction(e) => e.meta.timestamp_millis,
        ClientEvent::Reaction(e) => e.meta.timestamp_millis,
        ClientEvent::Custom(e) => e.meta.timestamp_millis,
        ClientEvent::State(e) => e.meta.timestamp_millis,
        ClientEvent::Undecryptable(meta) => meta.timestamp_millis,
        ClientEvent::Receipt(_) | ClientEvent::Invite(_) => return,
    };
    let mut activity = shared.last_activity.lock().unwrap_or_else(PoisonError::into_inner);
    let newest = activity.entry(room_id.clone()).or_insert(timestamp);
    *newest = (*newest).max(timestamp);
}
