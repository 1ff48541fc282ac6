//! The sync loop: one `/sync` after another, each response turned into events in timeline order.
//!
//! Events are taken from the sync response itself rather than from engine event handlers: the
//! response holds every room's timeline in order, including events the engine could not
//! decrypt, which handlers never see. Undecryptable events are kept and decrypted again when
//! new keys may have arrived; once that succeeds they are delivered a second time, decrypted.

use std::{
    collections::{HashMap, VecDeque},
    sync::{
        atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering},
        Arc, Mutex, PoisonError,
    },
    time::Duration,
};

use matrix_sdk::{
    config::{SyncSettings, SyncToken},
    deserialized_responses::{TimelineEvent, TimelineEventKind},
    room::MessagesOptions,
    ruma::{
        events::room::encrypted::OriginalSyncRoomEncryptedEvent, serde::Raw, OwnedEventId,
        OwnedRoomId, UInt,
    },
    sync::SyncResponse,
    Client,
};
use matrix_sdk_base::store::{StateStoreDataKey, StateStoreDataValue};
use serde_json::Value;
use tokio::sync::watch;

use super::delivery::Delivery;
use crate::{
    error::CoreError,
    events::{ClientEvent, EventSender},
    store::OpenedStore,
    timeline,
};

/// How long one sync request may wait on the homeserver for news.
const SYNC_POLL_TIMEOUT: Duration = Duration::from_secs(30);
/// Backoff after a failed sync: first and longest pause.
const SYNC_BACKOFF_FIRST: Duration = Duration::from_millis(500);
const SYNC_BACKOFF_MAX: Duration = Duration::from_secs(30);
/// Most undecryptable events kept for a second attempt; the oldest are given up first.
const MAX_PENDING_UNDECRYPTABLE: usize = 1000;
/// Most events fetched for one room whose sync timeline was limited, and the page size.
const MAX_BACKFILL_EVENTS: usize = 1000;
const BACKFILL_PAGE: u32 = 100;

/// Store record of the newest event time per room.
const ACTIVITY_RECORD: &str = "activity.bin";

/// What the sync loop records for the rest of the client.
#[derive(Default)]
pub(crate) struct SyncShared {
    /// Time of the newest timeline event per room, own ones included, kept across restarts.
    pub(crate) last_activity: Mutex<HashMap<OwnedRoomId, u64>>,
    activity_changed: AtomicBool,
    /// When the last sync succeeded, in milliseconds since the epoch; 0 for never.
    last_success_millis: AtomicU64,
    /// Syncs that failed since the last success.
    consecutive_failures: AtomicU32,
    /// The error code of the newest failure since the last success.
    last_failure: Mutex<Option<&'static str>>,
}

/// How the sync loop fares, for health checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncHealth {
    /// When the last sync succeeded, in milliseconds since the epoch.
    pub last_success_millis: Option<u64>,
    /// Syncs that failed since the last success (each is retried after a growing pause).
    pub consecutive_failures: u32,
    /// The error code of the newest of those failures.
    pub last_failure: Option<&'static str>,
}

impl SyncShared {
    /// Loads the room activity saved by an earlier run. A damaged record is only logged: the
    /// times are informative, and the next events of each room set them again.
    pub(crate) fn load(store: &OpenedStore) -> Self {
        let saved: HashMap<String, u64> = match store.load_record(ACTIVITY_RECORD) {
            Ok(saved) => saved.unwrap_or_default(),
            Err(error) => {
                tracing::warn!(error = %error, "the saved room activity could not be read");
                HashMap::new()
            }
        };
        let activity = saved
            .into_iter()
            .filter_map(|(room_id, millis)| Some((OwnedRoomId::try_from(room_id).ok()?, millis)))
            .collect();
        Self { last_activity: Mutex::new(activity), ..Self::default() }
    }

    /// Saves the room activity if a sync response changed it.
    fn save_activity(&self, store: &OpenedStore) {
        if !self.activity_changed.swap(false, Ordering::AcqRel) {
            return;
        }
        let saved: HashMap<String, u64> = self
            .last_activity
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(room_id, millis)| (room_id.to_string(), *millis))
            .collect();
        if let Err(error) = store.save_record(ACTIVITY_RECORD, &saved) {
            tracing::warn!(error = %error, "the room activity could not be saved");
        }
    }

    /// Forgets the room activity, as after a logout.
    fn sync_succeeded(&self) {
        self.last_success_millis.store(crate::clock::now_millis(), Ordering::Relaxed);
        self.consecutive_failures.store(0, Ordering::Relaxed);
        *self.last_failure.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    fn sync_failed(&self, code: &'static str) {
        self.consecutive_failures.fetch_add(1, Ordering::Relaxed);
        *self.last_failure.lock().unwrap_or_else(PoisonError::into_inner) = Some(code);
    }

    /// How the sync loop fares.
    pub(crate) fn health(&self) -> SyncHealth {
        let millis = self.last_success_millis.load(Ordering::Relaxed);
        SyncHealth {
            last_success_millis: (millis != 0).then_some(millis),
            consecutive_failures: self.consecutive_failures.load(Ordering::Relaxed),
            last_failure: *self.last_failure.lock().unwrap_or_else(PoisonError::into_inner),
        }
    }

    pub(crate) fn clear(&self, store: &OpenedStore) -> crate::error::CoreResult<()> {
        self.last_activity.lock().unwrap_or_else(PoisonError::into_inner).clear();
        store.delete_record(ACTIVITY_RECORD)
    }
}

/// An event the engine could not decrypt, kept for another attempt.
struct PendingEvent {
    room_id: OwnedRoomId,
    raw: Raw<OriginalSyncRoomEncryptedEvent>,
}

/// What the sync loop works with besides the engine.
pub(crate) struct SyncContext {
    pub(crate) events: EventSender,
    pub(crate) shared: Arc<SyncShared>,
    pub(crate) delivery: Arc<Delivery>,
    pub(crate) store: Arc<OpenedStore>,
    /// The client, to screen invitations; weak, as the client owns the loop.
    pub(crate) client: std::sync::Weak<super::HeadlessClient>,
    /// The pause after each sync that lets events gather for the next response.
    pub(crate) batch_window: Duration,
}

pub(crate) async fn sync_loop(
    engine: Client,
    context: SyncContext,
    mut stopped: watch::Receiver<bool>,
) {
    let mut backoff = SYNC_BACKOFF_FIRST;
    let mut pending = VecDeque::new();
    // Our own token, not the engine's: after a restart the loop must start where the
    // integrating system's acknowledgements end, which may be before the engine's token.
    let mut since = context.delivery.resume_token();
    if let Some(token) = &since {
        if !recover(&engine, &context, &mut pending, token).await {
            return;
        }
    }

    loop {
        let mut settings = SyncSettings::default().timeout(SYNC_POLL_TIMEOUT);
        if let Some(token) = &since {
            settings = settings.token(SyncToken::Specific(token.clone()));
        }
        // `sync_once` returns as soon as the server has news, unlike `sync`, which pauses about a
        // second between fast iterations.
        let result = tokio::select! {
            _ = stopped.wait_for(|stop| *stop) => return,
            result = engine.sync_once(settings) => result,
        };

        match result {
            Ok(response) => {
                backoff = SYNC_BACKOFF_FIRST;
                context.shared.sync_succeeded();
                let next_batch = response.next_batch.clone();
                let delivered = tokio::select! {
                    _ = stopped.wait_for(|stop| *stop) => return,
                    delivered = deliver(&engine, &context, &mut pending, since.as_deref(), response)
                        => delivered,
                };
                if !delivered {
                    // The queue is closed: the client is closing.
                    return;
                }
                since = Some(next_batch);
                // A sync returns as soon as one event is there; a pause lets the events of the
                // next moment share a response, which costs far less CPU per event.
                if !context.batch_window.is_zero() {
                    tokio::select! {
                        _ = stopped.wait_for(|stop| *stop) => return,
                        _ = tokio::time::sleep(context.batch_window) => {}
                    }
                }
            }
            Err(error) => {
                let reason = CoreError::from_sdk("sync", error);
                context.shared.sync_failed(reason.code());
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
    context: &SyncContext,
    pending: &mut VecDeque<PendingEvent>,
    since: Option<&str>,
    response: SyncResponse,
) -> bool {
    let own_user = engine.user_id().map(ToString::to_string).unwrap_or_default();
    let mut batch = Vec::new();

    for (room_id, update) in &response.rooms.joined {
        // A limited timeline left events out (the client was away for long); fetch them, so
        // that nothing between the last sync and this one is missing.
        if let (true, Some(since), Some(prev_batch)) =
            (update.timeline.limited, since, update.timeline.prev_batch.as_deref())
        {
            for event in backfill(engine, room_id, prev_batch, since).await {
                let Some(value) = parse(&event) else { continue };
                if let Some(converted) = convert_live(room_id, &event, &value, pending) {
                    batch.push(converted);
                }
            }
        }
        for event in &update.timeline.events {
            let Some(value) = parse(event) else { continue };
            record_activity(&context.shared, room_id, &value);
            if let Some(converted) = convert_live(room_id, event, &value, pending) {
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
        let Some(invite) = invite else { continue };
        let admitted = match context.client.upgrade() {
            Some(client) => client.admit_invite(engine, &invite).await,
            None => true,
        };
        if admitted {
            batch.push(ClientEvent::Invite(invite));
        }
    }

    // New to-device messages may carry the keys of events that could not be decrypted before.
    if !response.to_device.is_empty() && !pending.is_empty() {
        batch.extend(retry_undecryptable(engine, pending).await);
    }

    let numbered = context.delivery.admit(&context.store, &response.next_batch, batch);
    context.shared.save_activity(&context.store);
    for event in numbered {
        if context.events.send(event).await.is_err() {
            return false;
        }
    }
    true
}

/// Delivers what a restart must not lose, fetched by ID: the events queued but not
/// acknowledged before it, in their order, and the undecryptable ones handed over whose keys
/// have arrived since. `false` once the queue is closed.
async fn recover(
    engine: &Client,
    context: &SyncContext,
    pending: &mut VecDeque<PendingEvent>,
    since: &str,
) -> bool {
    let recovery = context.delivery.take_recovery();
    let mut batch = Vec::new();
    for (room_id, event_id) in &recovery.undelivered {
        if let Some((room_id, event, converted)) = fetch(engine, room_id, event_id).await {
            if let TimelineEventKind::UnableToDecrypt { event: raw, .. } = &event.kind {
                pending.push_back(PendingEvent { room_id, raw: raw.clone().cast_unchecked() });
            }
            batch.extend(converted);
        }
    }
    for (room_id, event_id) in &recovery.undecrypted {
        if let Some((room_id, event, converted)) = fetch(engine, room_id, event_id).await {
            match &event.kind {
                TimelineEventKind::UnableToDecrypt { event: raw, .. } => {
                    pending.push_back(PendingEvent { room_id, raw: raw.clone().cast_unchecked() })
                }
                _ => batch.extend(converted),
            }
        }
    }
    batch.extend(processed_but_not_admitted(engine, pending, since).await);
    if batch.is_empty() {
        return true;
    }
    tracing::info!(count = batch.len(), "events from before the restart delivered again");
    for event in context.delivery.admit(&context.store, since, batch) {
        if context.events.send(event).await.is_err() {
            return false;
        }
    }
    true
}

/// The events of responses the engine processed after our checkpoint whose admission the end of
/// the last process prevented, read from each joined room's history between the two tokens.
///
/// The engine saves its token before we admit a response's events. Had the process ended in
/// between, a sync from our checkpoint would bring those events again, unless nothing new had
/// happened since: then the server answers with the engine's own token, and the engine drops
/// the response as one it has seen (it returns it empty), so the events would be lost. Events
/// that come twice, here and in the next sync, are recognised by their keys when admitted.
async fn processed_but_not_admitted(
    engine: &Client,
    pending: &mut VecDeque<PendingEvent>,
    since: &str,
) -> Vec<ClientEvent> {
    let engine_token = match engine.state_store().get_kv_data(StateStoreDataKey::SyncToken).await {
        Ok(Some(StateStoreDataValue::SyncToken(token))) => token,
        Ok(_) => return Vec::new(),
        Err(error) => {
            tracing::warn!(error = %error, "the engine's sync token could not be read");
            return Vec::new();
        }
    };
    if engine_token == since {
        return Vec::new();
    }

    let mut batch = Vec::new();
    for room in engine.joined_rooms() {
        let room_id = room.room_id().to_owned();
        for event in backfill(engine, &room_id, &engine_token, since).await {
            let Some(value) = parse(&event) else { continue };
            if let Some(converted) = convert_live(&room_id, &event, &value, pending) {
                batch.push(converted);
            }
        }
    }
    if !batch.is_empty() {
        tracing::info!(count = batch.len(), "events the engine had seen before the restart read");
    }
    batch
}

/// One event by ID, its room, and what it converts to.
async fn fetch(
    engine: &Client,
    room_id: &str,
    event_id: &str,
) -> Option<(OwnedRoomId, TimelineEvent, Option<ClientEvent>)> {
    let room_id = OwnedRoomId::try_from(room_id).ok()?;
    let event_id = OwnedEventId::try_from(event_id).ok()?;
    let room = engine.get_room(&room_id)?;
    match room.event(&event_id, None).await {
        Ok(event) => {
            let converted = super::messages::convert_event(room_id.as_str(), &event);
            Some((room_id, event, converted))
        }
        Err(_) => {
            tracing::warn!(room_id = %room_id, "an event from before the restart could not be fetched");
            None
        }
    }
}

/// The events a limited timeline left out, oldest first: paged backwards from the timeline's
/// start to the previous sync's token, at most [`MAX_BACKFILL_EVENTS`] of them.
async fn backfill(
    engine: &Client,
    room_id: &OwnedRoomId,
    prev_batch: &str,
    since: &str,
) -> Vec<TimelineEvent> {
    let Some(room) = engine.get_room(room_id) else { return Vec::new() };
    let mut events = Vec::new();
    let mut from = prev_batch.to_owned();
    while events.len() < MAX_BACKFILL_EVENTS {
        let mut options = MessagesOptions::backward().from(from.as_str());
        options.to = Some(since.to_owned());
        options.limit = UInt::from(BACKFILL_PAGE);
        let page = match room.messages(options).await {
            Ok(page) => page,
            Err(error) => {
                tracing::warn!(error = %CoreError::from_sdk("backfill", error), "backfill failed");
                break;
            }
        };
        let done = page.chunk.is_empty() || page.end.is_none();
        events.extend(page.chunk);
        match page.end {
            Some(end) if !done => from = end,
            _ => break,
        }
    }
    if events.len() >= MAX_BACKFILL_EVENTS {
        tracing::warn!(room_id = %room_id, "backfill stopped at its limit; older events are skipped");
    }
    events.reverse();
    events
}

/// The event's JSON, read once for both the activity record and the conversion.
fn parse(event: &TimelineEvent) -> Option<Value> {
    serde_json::from_str(event.raw().json().get()).ok()
}

/// Converts a live timeline event; an undecryptable one is also kept for another attempt. The
/// echo of this device's own sends is skipped: the caller knows what it sent.
fn convert_live(
    room_id: &OwnedRoomId,
    event: &TimelineEvent,
    value: &Value,
    pending: &mut VecDeque<PendingEvent>,
) -> Option<ClientEvent> {
    if timeline::is_own_echo(value) {
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
            timeline::meta(room_id.as_str(), value, true).map(ClientEvent::Undecryptable)
        }
        TimelineEventKind::Decrypted(_) => timeline::convert(room_id.as_str(), value, true),
        TimelineEventKind::PlainText { .. } => timeline::convert(room_id.as_str(), value, false),
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

/// Notes the time of a timeline event, also of an own one, which is not delivered.
fn record_activity(shared: &SyncShared, room_id: &OwnedRoomId, event: &Value) {
    let Some(timestamp) = event.get("origin_server_ts").and_then(Value::as_u64) else { return };
    let mut activity = shared.last_activity.lock().unwrap_or_else(PoisonError::into_inner);
    let newest = activity.entry(room_id.clone()).or_insert(0);
    if timestamp > *newest {
        *newest = timestamp;
        shared.activity_changed.store(true, Ordering::Release);
    }
}
