//! Rooms: creating them with TI-M's defaults, membership, name and topic, and reading them.

use matrix_sdk::{
    ruma::{
        api::client::{
            room::{
                create_room::v3::{CreationContent, Request as CreateRoomRequest, RoomPreset},
                Visibility,
            },
            state::get_state_events,
        },
        events::{
            room::{
                encryption::RoomEncryptionEventContent,
                history_visibility::{HistoryVisibility, RoomHistoryVisibilityEventContent},
            },
            AnyInitialStateEvent, InitialStateEvent,
        },
        serde::Raw,
        RoomVersionId,
    },
    Room, RoomMemberships, RoomState,
};
use serde_json::{json, Value};

use super::{security::Operation, HeadlessClient};
use crate::{
    error::{CoreError, CoreResult},
    events::{ClientEvent, StateEvent},
    timeline, validate,
};

/// TI-M's room type of a default room, and the state event that marks one.
const TIM_DEFAULT_ROOM_TYPE: &str = "de.gematik.tim.roomtype.default.v1";
const TIM_DEFAULT_ROOM_STATE_EVENT: &str = "de.gematik.tim.room.default.v1";
/// TI-M's own name and topic events, kept equal to `m.room.name` and `m.room.topic`.
const TIM_ROOM_NAME_EVENT: &str = "de.gematik.tim.room.name";
const TIM_ROOM_TOPIC_EVENT: &str = "de.gematik.tim.room.topic";
/// Room version of new rooms: the one TI-M prescribes, whatever the server's default.
const ROOM_VERSION: RoomVersionId = RoomVersionId::V10;
/// Most users one directory search returns.
const MAX_SEARCH_RESULTS: u32 = 100;

/// The kinds of room TI-M knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomKind {
    /// A private room: join rule `invite`, history visibility `invited`; always encrypted.
    Private,
    /// A private room marked as a direct chat with its one invitee; always encrypted.
    Direct,
    /// A public room of this homeserver only (`m.federate: false`); never encrypted.
    PublicUnencrypted,
}

/// What a new room looks like.
#[derive(Debug, Clone)]
pub struct RoomOptions {
    /// Which kind of room.
    pub kind: RoomKind,
    /// Whether the room is end-to-end encrypted; must match the kind's rule.
    pub encrypted: bool,
    /// The room's name.
    pub name: Option<String>,
    /// The room's topic.
    pub topic: Option<String>,
    /// The one user invited at creation (TI-M allows at most one); required for a direct chat.
    pub invitee: Option<String>,
    /// The room version, `9` or `10`; `None` means TI-M's default, `10`.
    pub room_version: Option<String>,
}

/// A room as the room list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomSummary {
    /// The room ID.
    pub room_id: String,
    /// The room's name, if it has one.
    pub name: Option<String>,
    /// The room's topic, if it has one.
    pub topic: Option<String>,
    /// This account's membership: `join`, `invite`, `leave`, `knock` or `ban`.
    pub membership: &'static str,
    /// Whether the room is end-to-end encrypted.
    pub encrypted: bool,
    /// Whether this account marked the room as a direct chat.
    pub direct: bool,
    /// Number of joined members.
    pub joined_members: u64,
    /// Number of messages since this account's last read receipt, as the homeserver counts them.
    pub unread_count: u64,
    /// Time of the latest event this client saw since it started, in Unix milliseconds.
    pub last_activity_millis: Option<u64>,
}

/// A member of a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomMember {
    /// Full Matrix user ID.
    pub user_id: String,
    /// The display name in this room, if the member set one.
    pub display_name: Option<String>,
    /// `join`, `invite`, `leave`, `knock` or `ban`.
    pub membership: String,
}

/// A room's settings, with the fields of the TI-M test driver's `Room` object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomSettings {
    /// The room ID.
    pub room_id: String,
    /// The room's name, if it has one.
    pub name: Option<String>,
    /// The room's topic (the test driver's `theme`), if it has one.
    pub topic: Option<String>,
    /// `public` when anyone may join, `private` otherwise.
    pub access: &'static str,
    /// The join rule, such as `invite` or `public`.
    pub join_rule: String,
    /// Whether users of other homeservers may join.
    pub federated: bool,
    /// The history visibility, such as `invited`.
    pub history_visibility: String,
    /// Whether the room is end-to-end encrypted.
    pub encrypted: bool,
    /// The room version, such as `10`.
    pub room_version: String,
}

/// A user of the homeserver's user directory or a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserProfile {
    /// Full Matrix user ID.
    pub user_id: String,
    /// Display name, if set.
    pub display_name: Option<String>,
    /// Avatar as an `mxc://` URI, if set.
    pub avatar_url: Option<String>,
}

impl HeadlessClient {
    /// Creates a room with TI-M's defaults: room version 10, room type
    /// `de.gematik.tim.roomtype.default.v1` in the create event, the state event
    /// `de.gematik.tim.room.default.v1`, and name and topic both as `m.room.*` and as
    /// `de.gematik.tim.room.*` events. A private room or direct chat is encrypted with join rule
    /// `invite` and history visibility `invited`; a public room is unencrypted and stays on
    /// this homeserver (`m.federate: false`).
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] before any request for a private unencrypted room, an
    /// encrypted public room, a direct chat without invitee, or a bad name, topic or invitee;
    /// then homeserver and network errors.
    ///
    /// The invitee of a private or public room is invited after the room exists: when the
    /// invitation is refused ([`CoreError::InviteRefused`]), the room is left and forgotten, so
    /// that no empty room stays behind. A direct chat invites within the creation request, as
    /// only that marks the invitation as direct for the invitee.
    pub async fn create_room(&self, options: RoomOptions) -> CoreResult<String> {
        self.admit(Operation::Change, "create_room")?;
        self.guarded(async {
            let mut request = creation_request(&options)?;
            let invite_later = match options.kind {
                RoomKind::Direct => None,
                _ => request.invite.pop(),
            };
            let engine = self.logged_in_engine()?;
            let room = engine
                .create_room(request)
                .await
                .map_err(|error| CoreError::from_sdk("create room", error).as_invite_refusal())?;
            tracing::info!(room_id = %room.room_id(), kind = ?options.kind, "room created");

            if let Some(invitee) = invite_later {
                if let Err(error) = room.invite_user_by_id(&invitee).await {
                    let error = CoreError::from_sdk("invite", error).as_invite_refusal();
                    let cleaned = room.leave().await.is_ok() && room.forget().await.is_ok();
                    if !cleaned {
                        tracing::warn!(room_id = %room.room_id(), "a room without its invitee stayed");
                    }
                    return Err(error);
                }
            }
            Ok(room.room_id().to_string())
        })
        .await
    }

    /// Invites a user into a joined room.
    pub async fn invite(&self, room_id: &str, user_id: &str) -> CoreResult<()> {
        self.admit(Operation::Change, "invite")?;
        self.guarded(async {
            let user_id = validate::user_id("userId", user_id)?;
            let room = self.room_in_state(room_id, RoomState::Joined)?;
            room.invite_user_by_id(&user_id)
                .await
                .map_err(|error| CoreError::from_sdk("invite", error).as_invite_refusal())
        })
        .await
    }

    /// Joins a room this account was invited to (or a public room).
    pub async fn join_room(&self, room_id: &str) -> CoreResult<()> {
        self.admit(Operation::Change, "join_room")?;
        self.guarded(async {
            let room_id = validate::room_id("roomId", room_id)?;
            let engine = self.logged_in_engine()?;
            engine
                .join_room_by_id(&room_id)
                .await
                .map_err(|error| CoreError::from_sdk("join room", error))?;
            tracing::info!(room_id = %room_id, "room joined");
            Ok(())
        })
        .await
    }

    /// Declines an invitation.
    pub async fn decline_invite(&self, room_id: &str) -> CoreResult<()> {
        self.admit(Operation::Change, "decline_invite")?;
        self.guarded(async {
            let room = self.room_in_state(room_id, RoomState::Invited)?;
            room.leave().await.map_err(|error| CoreError::from_sdk("decline invite", error))
        })
        .await
    }

    /// Leaves a joined room.
    pub async fn leave_room(&self, room_id: &str) -> CoreResult<()> {
        self.admit(Operation::Change, "leave_room")?;
        self.guarded(async {
            let room = self.room_in_state(room_id, RoomState::Joined)?;
            room.leave().await.map_err(|error| CoreError::from_sdk("leave room", error))
        })
        .await
    }

    /// Forgets a room this account has left, so that it disappears from the room list.
    pub async fn forget_room(&self, room_id: &str) -> CoreResult<()> {
        self.admit(Operation::Change, "forget_room")?;
        self.guarded(async {
            let room = self.room_in_state(room_id, RoomState::Left)?;
            room.forget().await.map_err(|error| CoreError::from_sdk("forget room", error))
        })
        .await
    }

    /// Removes a member from a joined room.
    pub async fn kick(&self, room_id: &str, user_id: &str, reason: Option<&str>) -> CoreResult<()> {
        self.admit(Operation::Change, "kick")?;
        self.guarded(async {
            let user_id = validate::user_id("userId", user_id)?;
            if let Some(reason) = reason {
                validate::long_text("reason", reason)?;
            }
            let room = self.room_in_state(room_id, RoomState::Joined)?;
            room.kick_user(&user_id, reason)
                .await
                .map_err(|error| CoreError::from_sdk("kick", error))
        })
        .await
    }

    /// Sets the room's name as `m.room.name` and as `de.gematik.tim.room.name`.
    ///
    /// # Errors
    /// When the second event fails after the first was sent, the error is returned and the two
    /// differ until the call is repeated.
    pub async fn set_room_name(&self, room_id: &str, name: &str) -> CoreResult<()> {
        self.admit(Operation::Change, "set_room_name")?;
        validate::room_name("name", name)?;
        let content = json!({ "name": name });
        self.send_state_pair(room_id, "m.room.name", TIM_ROOM_NAME_EVENT, content).await
    }

    /// Sets the room's topic as `m.room.topic` and as `de.gematik.tim.room.topic`.
    ///
    /// # Errors
    /// As [`Self::set_room_name`].
    pub async fn set_room_topic(&self, room_id: &str, topic: &str) -> CoreResult<()> {
        self.admit(Operation::Change, "set_room_topic")?;
        validate::long_text("topic", topic)?;
        let content = json!({ "topic": topic });
        self.send_state_pair(room_id, "m.room.topic", TIM_ROOM_TOPIC_EVENT, content).await
    }

    /// The rooms this client knows (joined, invited, left but not forgotten), with summaries.
    pub async fn rooms(&self) -> CoreResult<Vec<RoomSummary>> {
        self.admit(Operation::Read, "rooms")?;
        self.guarded(async {
            let engine = self.logged_in_engine()?;
            let mut summaries = Vec::new();
            for room in engine.rooms() {
                summaries.push(self.summary(&room).await);
            }
            summaries.sort_by(|a, b| a.room_id.cmp(&b.room_id));
            Ok(summaries)
        })
        .await
    }

    /// The summary of one room.
    pub async fn room_summary(&self, room_id: &str) -> CoreResult<RoomSummary> {
        self.guarded(async {
            let room = self.known_room(room_id)?;
            Ok(self.summary(&room).await)
        })
        .await
    }

    /// The members of a room with their membership, fetched from the homeserver when the
    /// client has not loaded them yet.
    pub async fn room_members(&self, room_id: &str) -> CoreResult<Vec<RoomMember>> {
        self.guarded(async {
            let room = self.known_room(room_id)?;
            let members = room
                .members(RoomMemberships::all())
                .await
                .map_err(|error| CoreError::from_sdk("room members", error))?;
            let mut members: Vec<RoomMember> = members
                .iter()
                .map(|member| RoomMember {
                    user_id: member.user_id().to_string(),
                    display_name: member.display_name().map(str::to_owned),
                    membership: member.membership().as_str().to_owned(),
                })
                .collect();
            members.sort_by(|a, b| a.user_id.cmp(&b.user_id));
            Ok(members)
        })
        .await
    }

    /// Every state event of a joined room, as the homeserver has it now.
    pub async fn room_state(&self, room_id: &str) -> CoreResult<Vec<StateEvent>> {
        self.admit(Operation::Read, "room_state")?;
        self.guarded(async {
            let room = self.room_in_state(room_id, RoomState::Joined)?;
            let request = get_state_events::v3::Request::new(room.room_id().to_owned());
            let response = room
                .client()
                .send(request)
                .await
                .map_err(|error| CoreError::from_http("room state", error))?;

            let room_id = room.room_id().as_str();
            let case_references = self.cases_of_room(room_id);
            let mut events = Vec::new();
            for raw in response.room_state {
                let Ok(value) = serde_json::from_str::<Value>(raw.json().get()) else { continue };
                if let Some(ClientEvent::State(mut state)) =
                    timeline::convert(room_id, &value, false)
                {
                    state.meta.case_references = case_references.clone();
                    events.push(state);
                }
            }
            Ok(events)
        })
        .await
    }

    /// The settings of a joined room, read from the state the homeserver has now (the local
    /// copy may lag behind right after a change).
    pub async fn room_settings(&self, room_id: &str) -> CoreResult<RoomSettings> {
        let state = self.room_state(room_id).await?;
        Ok(settings_from_state(room_id, &state))
    }

    /// Searches the homeserver's user directory.
    pub async fn search_users(&self, term: &str, limit: u32) -> CoreResult<Vec<UserProfile>> {
        self.admit(Operation::Read, "search_users")?;
        self.guarded(async {
            validate::search_term("term", term)?;
            if limit == 0 || limit > MAX_SEARCH_RESULTS {
                return Err(CoreError::invalid("limit", "must be between 1 and 100"));
            }
            let engine = self.logged_in_engine()?;
            let response = engine
                .search_users(term, u64::from(limit))
                .await
                .map_err(|error| CoreError::from_http("search users", error))?;
            Ok(response
                .results
                .into_iter()
                .map(|user| UserProfile {
                    user_id: user.user_id.to_string(),
                    display_name: user.display_name,
                    avatar_url: user.avatar_url.map(|url| url.to_string()),
                })
                .collect())
        })
        .await
    }

    /// A user's profile.
    pub async fn profile(&self, user_id: &str) -> CoreResult<UserProfile> {
        self.guarded(async {
            let user_id = validate::user_id("userId", user_id)?;
            let engine = self.logged_in_engine()?;
            let response = engine
                .account()
                .fetch_user_profile_of(&user_id)
                .await
                .map_err(|error| CoreError::from_sdk("profile", error))?;
            let field = |name: &str| response.get(name).and_then(Value::as_str).map(str::to_owned);
            Ok(UserProfile {
                user_id: user_id.to_string(),
                display_name: field("displayname"),
                avatar_url: field("avatar_url"),
            })
        })
        .await
    }

    /// A room this client knows, in any state.
    pub(super) fn known_room(&self, room_id: &str) -> CoreResult<Room> {
        let room_id = validate::room_id("roomId", room_id)?;
        let engine = self.logged_in_engine()?;
        engine.get_room(&room_id).ok_or(CoreError::RoomNotFound)
    }

    /// A room this client knows and is in `state` in.
    pub(super) fn room_in_state(&self, room_id: &str, state: RoomState) -> CoreResult<Room> {
        let room = self.known_room(room_id)?;
        if room.state() != state {
            return Err(CoreError::WrongRoomState(match state {
                RoomState::Joined => "the client has not joined the room",
                RoomState::Invited => "the client is not invited to the room",
                RoomState::Left => "the client has not left the room",
                _ => "the room is not in the state the call needs",
            }));
        }
        Ok(room)
    }

    async fn send_state_pair(
        &self,
        room_id: &str,
        standard_type: &str,
        tim_type: &str,
        content: Value,
    ) -> CoreResult<()> {
        self.guarded(async {
            let room = self.room_in_state(room_id, RoomState::Joined)?;
            for event_type in [standard_type, tim_type] {
                room.send_state_event_raw(event_type, "", content.clone())
                    .await
                    .map_err(|error| CoreError::from_sdk("send state event", error))?;
            }
            Ok(())
        })
        .await
    }

    async fn summary(&self, room: &Room) -> RoomSummary {
        let encrypted = match room.state() {
            RoomState::Joined => room
                .latest_encryption_state()
                .await
                .map(|state| state.is_encrypted())
                .unwrap_or_else(|_| room.encryption_state().is_encrypted()),
            _ => room.encryption_state().is_encrypted(),
        };
        RoomSummary {
            room_id: room.room_id().to_string(),
            name: room.name(),
            topic: room.topic(),
            membership: membership_name(room.state()),
            encrypted,
            direct: room.is_direct().await.unwrap_or(false),
            // The server sends member counts only with lazy-loaded members; count the joined
            // members in the store instead.
            joined_members: room
                .members_no_sync(RoomMemberships::JOIN)
                .await
                .map(|members| members.len() as u64)
                .unwrap_or_else(|_| room.joined_members_count()),
            unread_count: room.unread_notification_counts().notification_count,
            last_activity_millis: self.last_activity(room.room_id()),
        }
    }

    fn last_activity(&self, room_id: &matrix_sdk::ruma::RoomId) -> Option<u64> {
        let activity = self.sync_state.last_activity.lock();
        activity.unwrap_or_else(std::sync::PoisonError::into_inner).get(room_id).copied()
    }
}

/// Reads a room's settings from its state events, with the specification's defaults for
/// missing ones.
fn settings_from_state(room_id: &str, state: &[StateEvent]) -> RoomSettings {
    let content = |event_type: &str| -> Value {
        state
            .iter()
            .find(|event| event.event_type == event_type && event.state_key.is_empty())
            .and_then(|event| serde_json::from_str(&event.content_json).ok())
            .unwrap_or(Value::Null)
    };
    let text = |event_type: &str, key: &str| {
        content(event_type).get(key).and_then(Value::as_str).map(str::to_owned)
    };
    let join_rule = text("m.room.join_rules", "join_rule").unwrap_or_else(|| "invite".to_owned());
    let create = content("m.room.create");
    RoomSettings {
        room_id: room_id.to_owned(),
        name: text("m.room.name", "name").filter(|name| !name.is_empty()),
        topic: text("m.room.topic", "topic").filter(|topic| !topic.is_empty()),
        access: if join_rule == "public" { "public" } else { "private" },
        join_rule,
        federated: create.get("m.federate").and_then(Value::as_bool).unwrap_or(true),
        history_visibility: text("m.room.history_visibility", "history_visibility")
            .unwrap_or_else(|| "shared".to_owned()),
        encrypted: !content("m.room.encryption").is_null(),
        room_version: create.get("room_version").and_then(Value::as_str).unwrap_or("1").to_owned(),
    }
}

fn membership_name(state: RoomState) -> &'static str {
    match state {
        RoomState::Joined => "join",
        RoomState::Invited => "invite",
        RoomState::Left => "leave",
        RoomState::Knocked => "knock",
        RoomState::Banned => "ban",
    }
}

/// Checks room options against TI-M's rules without sending anything.
///
/// # Errors
/// [`CoreError::InvalidArgument`] as [`HeadlessClient::create_room`] would return it.
pub fn check_room_options(options: &RoomOptions) -> CoreResult<()> {
    creation_request(options).map(|_| ())
}

/// The version a new room gets. TI-M clients understand versions 9 to 11 but create only 9 and
/// 10; the Fachdienst refuses anything newer, so a request for it never leaves the client.
fn room_version(requested: Option<&str>) -> CoreResult<RoomVersionId> {
    match requested {
        None => Ok(ROOM_VERSION),
        Some("9") => Ok(RoomVersionId::V9),
        Some("10") => Ok(RoomVersionId::V10),
        Some("11") => Err(CoreError::invalid("roomVersion", "TI-M never creates version 11 rooms")),
        Some(_) => Err(CoreError::invalid("roomVersion", "must be 9 or 10")),
    }
}

/// Checks the options against TI-M's rules and builds the creation request.
fn creation_request(options: &RoomOptions) -> CoreResult<CreateRoomRequest> {
    let invitee =
        options.invitee.as_deref().map(|u| validate::user_id("invitee", u)).transpose()?;
    if let Some(name) = &options.name {
        validate::room_name("name", name)?;
    }
    if let Some(topic) = &options.topic {
        validate::long_text("topic", topic)?;
    }
    match (options.kind, options.encrypted) {
        (RoomKind::Private | RoomKind::Direct, false) => {
            return Err(CoreError::invalid("encrypted", "a private room must be encrypted"))
        }
        (RoomKind::PublicUnencrypted, true) => {
            return Err(CoreError::invalid("encrypted", "a public room is never encrypted"))
        }
        _ => {}
    }
    if options.kind == RoomKind::Direct && invitee.is_none() {
        return Err(CoreError::invalid("invitee", "is required for a direct chat"));
    }

    let public = options.kind == RoomKind::PublicUnencrypted;
    let mut request = CreateRoomRequest::new();
    request.room_version = Some(room_version(options.room_version.as_deref())?);
    request.creation_content = Some(creation_content(public)?);
    request.is_direct = options.kind == RoomKind::Direct;
    request.invite = invitee.into_iter().collect();
    request.name = options.name.clone();
    request.topic = options.topic.clone();
    if public {
        request.visibility = Visibility::Public;
        request.preset = Some(RoomPreset::PublicChat);
    } else {
        request.visibility = Visibility::Private;
        request.preset = Some(RoomPreset::PrivateChat);
    }

    let mut initial_state = vec![raw_state(TIM_DEFAULT_ROOM_STATE_EVENT, json!({}))?];
    if let Some(name) = &options.name {
        initial_state.push(raw_state(TIM_ROOM_NAME_EVENT, json!({ "name": name }))?);
    }
    if let Some(topic) = &options.topic {
        initial_state.push(raw_state(TIM_ROOM_TOPIC_EVENT, json!({ "topic": topic }))?);
    }
    if options.encrypted {
        initial_state.push(
            InitialStateEvent::with_empty_state_key(
                RoomEncryptionEventContent::with_recommended_defaults(),
            )
            .to_raw_any(),
        );
    }
    // Public rooms show their history to whoever joins; private ones only from the invitation.
    let visibility = if public { HistoryVisibility::Shared } else { HistoryVisibility::Invited };
    initial_state.push(
        InitialStateEvent::with_empty_state_key(RoomHistoryVisibilityEventContent::new(visibility))
            .to_raw_any(),
    );
    request.initial_state = initial_state;
    Ok(request)
}

/// The create event's content: the room type names the TI-M room kind.
fn creation_content(public: bool) -> CoreResult<Raw<CreationContent>> {
    let mut content = json!({ "type": TIM_DEFAULT_ROOM_TYPE });
    if public {
        content["m.federate"] = false.into();
    }
    Raw::from_json_string(content.to_string())
        .map_err(|_| CoreError::Internal("encode the room's creation content"))
}

fn raw_state(event_type: &str, content: Value) -> CoreResult<Raw<AnyInitialStateEvent>> {
    let event = json!({ "type": event_type, "state_key": "", "content": content });
    Raw::from_json_string(event.to_string())
        .map_err(|_| CoreError::Internal("encode an initial state event"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(kind: RoomKind, encrypted: bool) -> RoomOptions {
        RoomOptions { kind, encrypted, name: None, topic: None, invitee: None, room_version: None }
    }

    #[test]
    fn rooms_are_created_in_version_9_or_10_only() {
        let versioned = |version: Option<&str>| {
            let mut request = options(RoomKind::Private, true);
            request.room_version = version.map(str::to_owned);
            creation_request(&request).map(|r| r.room_version)
        };

        assert_eq!(versioned(None).expect("default"), Some(RoomVersionId::V10));
        assert_eq!(versioned(Some("9")).expect("nine"), Some(RoomVersionId::V9));
        assert_eq!(versioned(Some("10")).expect("ten"), Some(RoomVersionId::V10));
        for refused in ["11", "12", "1", "", "10 "] {
            assert!(versioned(Some(refused)).is_err(), "{refused:?}");
        }
    }

    #[test]
    fn private_rooms_must_be_encrypted_and_public_ones_must_not() {
        assert!(creation_request(&options(RoomKind::Private, true)).is_ok());
        assert!(creation_request(&options(RoomKind::Private, false)).is_err());
        assert!(creation_request(&options(RoomKind::PublicUnencrypted, false)).is_ok());
        assert!(creation_request(&options(RoomKind::PublicUnencrypted, true)).is_err());
        assert!(creation_request(&options(RoomKind::Direct, true)).is_err(), "needs an invitee");
        let mut direct = options(RoomKind::Direct, true);
        direct.invitee = Some("@bob:example.org".into());
        assert!(creation_request(&direct).expect("direct").is_direct);
    }

    #[test]
    fn settings_are_read_from_state_with_defaults() {
        let event = |event_type: &str, content: Value| StateEvent {
            meta: crate::events::EventMeta {
                room_id: "!r:x".into(),
                event_id: "$e".into(),
                sender: "@a:x".into(),
                timestamp_millis: 0,
                encrypted: false,
                case_references: Vec::new(),
            },
            event_type: event_type.into(),
            state_key: String::new(),
            content_json: content.to_string(),
        };
        let public = settings_from_state(
            "!r:x",
            &[
                event("m.room.create", json!({ "room_version": "10", "m.federate": false })),
                event("m.room.join_rules", json!({ "join_rule": "public" })),
                event("m.room.name", json!({ "name": "Aushang" })),
            ],
        );
        assert_eq!(public.access, "public");
        assert!(!public.federated);
        assert!(!public.encrypted);
        assert_eq!(public.room_version, "10");
        assert_eq!(public.name.as_deref(), Some("Aushang"));
        assert_eq!(public.history_visibility, "shared");

        let private = settings_from_state(
            "!r:x",
            &[event("m.room.encryption", json!({ "algorithm": "m.megolm.v1.aes-sha2" }))],
        );
        assert_eq!((private.access, private.join_rule.as_str()), ("private", "invite"));
        assert!(private.encrypted && private.federated);
    }

    #[test]
    fn names_and_topics_are_mirrored_into_tim_events() {
        let mut private = options(RoomKind::Private, true);
        private.name = Some("Station 3".into());
        private.topic = Some("Befunde".into());
        let request = creation_request(&private).expect("request");
        assert_eq!(request.name.as_deref(), Some("Station 3"));
        let state: Vec<Value> = request
            .initial_state
            .iter()
            .map(|raw| serde_json::from_str(raw.json().get()).expect("json"))
            .collect();
        let of_type = |t: &str| state.iter().find(|e| e["type"] == t).cloned();
        assert_eq!(of_type(TIM_ROOM_NAME_EVENT).expect("name")["content"]["name"], "Station 3");
        assert_eq!(of_type(TIM_ROOM_TOPIC_EVENT).expect("topic")["content"]["topic"], "Befunde");
        assert!(of_type(TIM_DEFAULT_ROOM_STATE_EVENT).is_some());
        assert!(of_type("m.room.encryption").is_some());
        assert_eq!(
            of_type("m.room.history_visibility").expect("hv")["content"]["history_visibility"],
            "invited"
        );

        let public =
            creation_request(&options(RoomKind::PublicUnencrypted, false)).expect("public");
        let create: Value =
            serde_json::from_str(public.creation_content.expect("content").json().get())
                .expect("json");
        assert_eq!(create["m.federate"], false);
        assert_eq!(create["type"], TIM_DEFAULT_ROOM_TYPE);
    }
}
