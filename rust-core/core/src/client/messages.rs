//! Messages: sending every kind, editing, redacting, reacting, custom events, history, receipts.

use std::{sync::Arc, time::Duration};

use matrix_sdk::{
    deserialized_responses::{TimelineEvent, TimelineEventKind},
    room::{IncludeRelations, MessagesOptions, RelationsOptions},
    ruma::{
        api::client::receipt::create_receipt::v3::ReceiptType,
        events::{receipt::ReceiptThread, relation::RelationType},
        OwnedEventId, UInt,
    },
    Room, RoomState,
};
use serde_json::Value;

use super::{security::Operation, HeadlessClient};
use crate::clock::now_millis;
use crate::{
    content::{self, OutgoingMessage},
    error::{CoreError, CoreResult},
    events::ClientEvent,
    timeline, validate,
};

/// How long after sending an own event may still be redacted (TI-M's rule).
const REDACTION_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);
/// Most events one history page returns.
const MAX_PAGE_SIZE: u32 = 100;

/// One page of a room's history, newest first.
#[derive(Debug, Clone)]
pub struct HistoryPage {
    /// The events, newest first, decrypted where the client has the keys.
    pub events: Vec<ClientEvent>,
    /// The token of the next (older) page; `None` at the room's beginning.
    pub next_token: Option<String>,
}

impl HeadlessClient {
    /// Sends a text, notice, emote or location message, encrypted when the room is; returns the
    /// event ID. The message goes through the send queue (see [`Self::queue_message`]): it is
    /// saved before it is sent, so a crash before the homeserver's answer does not lose it.
    pub async fn send_message(
        self: &Arc<Self>,
        room_id: &str,
        message: &OutgoingMessage,
    ) -> CoreResult<String> {
        let queued = self.queue_message(room_id, message, true).await?;
        self.await_queued(&queued.transaction_id).await
    }

    /// Replaces the text of an own message (`m.replace`); an empty `body` deletes its text.
    ///
    /// # Errors
    /// [`CoreError::NotOwnEvent`] when another user sent the target, [`CoreError::EventNotFound`].
    pub async fn edit_message(
        self: &Arc<Self>,
        room_id: &str,
        target: &str,
        body: &str,
        formatted_body: Option<&str>,
    ) -> CoreResult<String> {
        self.admit(Operation::Send, "edit_message")?;
        let content = content::edit(target, body, formatted_body)?;
        self.require_own_event(room_id, target).await?;
        self.send_queued_and_wait(room_id, "m.room.message", content).await
    }

    /// Reacts to an event with a one-character key.
    pub async fn react(
        self: &Arc<Self>,
        room_id: &str,
        target: &str,
        key: &str,
    ) -> CoreResult<String> {
        self.admit(Operation::Send, "react")?;
        let content = content::reaction(target, key)?;
        self.send_queued_and_wait(room_id, "m.reaction", content).await
    }

    /// Sends a message-like event of a custom type with the given JSON object as content,
    /// through the send queue like [`Self::send_message`].
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] for a bad type, content that is not a JSON object, or an
    /// event that would exceed 64 KiB.
    pub async fn send_custom(
        self: &Arc<Self>,
        room_id: &str,
        event_type: &str,
        content_json: &str,
    ) -> CoreResult<String> {
        let queued = self.queue_custom(room_id, event_type, content_json, true).await?;
        self.await_queued(&queued.transaction_id).await
    }

    /// Redacts an own event sent less than 24 hours ago, and the own edits of it.
    ///
    /// # Errors
    /// [`CoreError::NotOwnEvent`], [`CoreError::RedactionExpired`], [`CoreError::EventNotFound`],
    /// and homeserver or network errors (an edit may then stay unredacted; repeat the call).
    pub async fn redact(
        &self,
        room_id: &str,
        target: &str,
        reason: Option<&str>,
    ) -> CoreResult<()> {
        self.admit(Operation::Send, "redact")?;
        let target_id = validate::event_id("targetEventId", target)?;
        if let Some(reason) = reason {
            validate::long_text("reason", reason)?;
        }
        self.guarded(async {
            let room = self.room_in_state(room_id, RoomState::Joined)?;
            let event = fetch_event(&room, &target_id).await?;
            let own_user = self.logged_in_engine()?.user_id().map(ToString::to_string);
            check_redactable(&event, own_user.as_deref(), now_millis())?;

            // Edits first: a redacted original must not leave its text readable in an edit.
            for edit in own_edits(&room, &target_id, own_user.as_deref()).await? {
                room.redact(&edit, reason, None)
                    .await
                    .map_err(|error| CoreError::from_http("redact edit", error))?;
            }
            room.redact(&target_id, reason, None)
                .await
                .map_err(|error| CoreError::from_http("redact", error))?;
            Ok(())
        })
        .await
    }

    /// One page of a room's history, newest first, starting at `from` (a page's
    /// [`HistoryPage::next_token`]) or at the newest event.
    pub async fn history(
        &self,
        room_id: &str,
        from: Option<&str>,
        limit: u32,
    ) -> CoreResult<HistoryPage> {
        self.admit(Operation::Read, "history")?;
        if limit == 0 || limit > MAX_PAGE_SIZE {
            return Err(CoreError::invalid("limit", "must be between 1 and 100"));
        }
        if let Some(token) = from {
            validate::short_text("from", token, 1024)?;
        }
        self.guarded(async {
            let room = self.room_in_state(room_id, RoomState::Joined)?;
            let mut options = MessagesOptions::backward();
            options.from = from.map(str::to_owned);
            options.limit = UInt::from(limit);
            let page = room
                .messages(options)
                .await
                .map_err(|error| CoreError::from_sdk("history", error))?;

            let room_id = room.room_id().as_str();
            let mut events: Vec<ClientEvent> =
                page.chunk.iter().filter_map(|e| convert_event(room_id, e)).collect();
            events.iter_mut().for_each(|event| self.stamp_case_references(event));
            // The server repeats the start token at the room's beginning.
            let next_token = page.end.filter(|end| Some(end.as_str()) != from);
            Ok(HistoryPage { events, next_token })
        })
        .await
    }

    /// One event of a room by its ID, decrypted where the client has the key.
    pub async fn event(&self, room_id: &str, event_id: &str) -> CoreResult<ClientEvent> {
        self.admit(Operation::Read, "event")?;
        let event_id = validate::event_id("eventId", event_id)?;
        self.guarded(async {
            let room = self.room_in_state(room_id, RoomState::Joined)?;
            let event = room.event(&event_id, None).await.map_err(not_found_or_sdk)?;
            let mut event =
                convert_event(room.room_id().as_str(), &event).ok_or(CoreError::EventNotFound)?;
            self.stamp_case_references(&mut event);
            Ok(event)
        })
        .await
    }

    /// Sends a public read receipt (`m.read`) for an event.
    pub async fn send_read_receipt(&self, room_id: &str, event_id: &str) -> CoreResult<()> {
        let event_id = validate::event_id("eventId", event_id)?;
        self.guarded(async {
            let room = self.room_in_state(room_id, RoomState::Joined)?;
            room.send_single_receipt(ReceiptType::Read, ReceiptThread::Unthreaded, event_id)
                .await
                .map_err(|error| CoreError::from_sdk("read receipt", error))
        })
        .await
    }

    /// Sends message-like content, one send per room at a time.
    pub(super) async fn send_content(
        &self,
        room_id: &str,
        event_type: &str,
        content: Value,
    ) -> CoreResult<String> {
        self.guarded(async {
            let room = self.room_in_state(room_id, RoomState::Joined)?;
            let encrypted = room_encrypts(&room).await?;
            content::check_event_size("content", event_type, &content, encrypted)?;

            let lock = self.room_send_lock(room.room_id());
            let _one_at_a_time = lock.lock().await;
            let result = room
                .send_raw(event_type, content)
                .await
                .map_err(|error| CoreError::from_sdk("send event", error))?;
            let event_id = result.response.event_id;
            tracing::debug!(room_id = %room.room_id(), event_id = %event_id, "event sent");
            Ok(event_id.to_string())
        })
        .await
    }

    async fn require_own_event(&self, room_id: &str, target: &str) -> CoreResult<()> {
        let target = validate::event_id("targetEventId", target)?;
        self.guarded(async {
            let room = self.room_in_state(room_id, RoomState::Joined)?;
            let event = fetch_event(&room, &target).await?;
            let own_user = self.logged_in_engine()?.user_id().map(ToString::to_string);
            check_own(&event, own_user.as_deref())
        })
        .await
    }
}

/// Converts an event of the history or of a fetch; an undecryptable one keeps its identity.
pub(crate) fn convert_event(room_id: &str, event: &TimelineEvent) -> Option<ClientEvent> {
    let encrypted = !matches!(event.kind, TimelineEventKind::PlainText { .. });
    let value: Value = serde_json::from_str(event.raw().json().get()).ok()?;
    if let TimelineEventKind::UnableToDecrypt { .. } = event.kind {
        return timeline::meta(room_id, &value, true).map(ClientEvent::Undecryptable);
    }
    timeline::convert(room_id, &value, encrypted)
}

pub(super) async fn room_encrypts(room: &Room) -> CoreResult<bool> {
    Ok(room
        .latest_encryption_state()
        .await
        .map_err(|error| CoreError::from_sdk("room encryption", error))?
        .is_encrypted())
}

/// The event's JSON as the server has it (the envelope is never encrypted, so sender and
/// timestamp are readable without the key).
pub(super) async fn fetch_event(room: &Room, event_id: &OwnedEventId) -> CoreResult<Value> {
    let event = room.event(event_id, None).await.map_err(not_found_or_sdk)?;
    serde_json::from_str(event.raw().json().get())
        .map_err(|_| CoreError::Internal("read a fetched event"))
}

/// The own edits (`m.replace` relations) of an event, following every page.
async fn own_edits(
    room: &Room,
    target: &OwnedEventId,
    own_user: Option<&str>,
) -> CoreResult<Vec<OwnedEventId>> {
    let mut edits = Vec::new();
    let mut from = None;
    loop {
        let options = RelationsOptions {
            from: from.take(),
            include_relations: IncludeRelations::RelationsOfType(RelationType::Replacement),
            ..Default::default()
        };
        let page = room
            .relations(target.clone(), options)
            .await
            .map_err(|error| CoreError::from_sdk("relations", error))?;
        for event in &page.chunk {
            let Ok(value) = serde_json::from_str::<Value>(event.raw().json().get()) else {
                continue;
            };
            let by_us = value.get("sender").and_then(Value::as_str) == own_user;
            let id = value.get("event_id").and_then(Value::as_str);
            if let (true, Some(id)) = (by_us, id) {
                if let Ok(id) = OwnedEventId::try_from(id) {
                    edits.push(id);
                }
            }
        }
        match page.next_batch_token {
            Some(token) => from = Some(token),
            None => return Ok(edits),
        }
    }
}

/// Edits and redactions act on own events only.
fn check_own(event: &Value, own_user: Option<&str>) -> CoreResult<()> {
    if own_user.is_none() || event.get("sender").and_then(Value::as_str) != own_user {
        return Err(CoreError::NotOwnEvent);
    }
    Ok(())
}

/// TI-M's rule: only own events, and only within 24 hours of sending.
fn check_redactable(event: &Value, own_user: Option<&str>, now_millis: u64) -> CoreResult<()> {
    check_own(event, own_user)?;
    let sent = event.get("origin_server_ts").and_then(Value::as_u64).unwrap_or(0);
    let window = u64::try_from(REDACTION_WINDOW.as_millis()).unwrap_or(u64::MAX);
    if now_millis.saturating_sub(sent) > window {
        return Err(CoreError::RedactionExpired);
    }
    Ok(())
}

fn not_found_or_sdk(error: matrix_sdk::Error) -> CoreError {
    match CoreError::from_sdk("fetch event", error) {
        CoreError::Homeserver { status: 404, .. } => CoreError::EventNotFound,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_own_events_younger_than_a_day_may_be_redacted() {
        let day = 24 * 60 * 60 * 1000;
        let now = 10 * day;
        let event = |sender: &str, sent: u64| json!({ "sender": sender, "origin_server_ts": sent });
        let me = Some("@me:example.org");

        assert!(check_redactable(&event("@me:example.org", now - 1000), me, now).is_ok());
        assert!(check_redactable(&event("@me:example.org", now - day), me, now).is_ok());
        assert!(matches!(
            check_redactable(&event("@me:example.org", now - day - 1), me, now),
            Err(CoreError::RedactionExpired)
        ));
        assert!(matches!(
            check_redactable(&event("@other:example.org", now), me, now),
            Err(CoreError::NotOwnEvent)
        ));
        assert!(matches!(
            check_redactable(&event("@me:example.org", now), None, now),
            Err(CoreError::NotOwnEvent)
        ));
    }
}
