//! A compact binary encoding of the core's result values, read by the Java class `WireReader`.
//!
//! Records with many fields cross as one `byte[]` instead of dozens of JNI calls that each
//! construct a Java object: one copy, no local-reference bookkeeping, and one decoder per type
//! on the Java side, next to the record it builds. The format is private to this library and
//! its jar, which are always the same version (the loader checks).
//!
//! Layout: integers are big-endian; a string is its UTF-8 length as `u32` and the bytes; an
//! optional value is a `0`/`1` byte and, if `1`, the value; a list is its length as `u32` and
//! the elements. Each event starts with a one-byte tag.

use tim_headless_core::product::SelfReport;
use tim_headless_core::{
    AttachmentInfo, AuditEntry, AuditVerification, CaseReference, ClientEvent, ClientReport,
    DefaultSetting, DirectoryEntry, DirectoryKind, DownloadInfo, EventMeta, HistoryPage,
    KeyBackupState, NumberedEvent, PermissionConfig, QueueState, QueuedMessage, RoomMember,
    RoomSettings, RoomSummary, StateEvent, SyncHealth, UserProfile,
};

/// Tags of the event kinds; the Java reader has the same table.
mod tag {
    pub(super) const MESSAGE: u8 = 1;
    pub(super) const EDIT: u8 = 2;
    pub(super) const REDACTION: u8 = 3;
    pub(super) const REACTION: u8 = 4;
    pub(super) const CUSTOM: u8 = 5;
    pub(super) const STATE: u8 = 6;
    pub(super) const UNDECRYPTABLE: u8 = 7;
    pub(super) const RECEIPT: u8 = 8;
    pub(super) const INVITE: u8 = 9;
    pub(super) const QUEUE_UPDATE: u8 = 10;
    pub(super) const AUDIT: u8 = 11;
}

/// Tags of the queue states; the Java reader has the same table.
mod queue_state {
    pub(super) const WAITING: u8 = 0;
    pub(super) const SENDING: u8 = 1;
    pub(super) const SENT: u8 = 2;
    pub(super) const FAILED: u8 = 3;
}

/// Collects the encoded bytes.
#[derive(Default)]
pub(crate) struct Writer {
    bytes: Vec<u8>,
}

impl Writer {
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    fn u8(&mut self, value: u8) {
        self.bytes.push(value);
    }

    fn bool(&mut self, value: bool) {
        self.u8(u8::from(value));
    }

    fn u32(&mut self, value: usize) {
        // Nothing the core returns comes near 4 GiB; saturating keeps the reader's bounds check
        // in charge should it ever.
        let value = u32::try_from(value).unwrap_or(u32::MAX);
        self.bytes.extend_from_slice(&value.to_be_bytes());
    }

    fn u64(&mut self, value: u64) {
        self.bytes.extend_from_slice(&value.to_be_bytes());
    }

    fn str(&mut self, value: &str) {
        self.u32(value.len());
        self.bytes.extend_from_slice(value.as_bytes());
    }

    fn opt_str(&mut self, value: Option<&str>) {
        self.bool(value.is_some());
        if let Some(value) = value {
            self.str(value);
        }
    }

    fn opt_u64(&mut self, value: Option<u64>) {
        self.bool(value.is_some());
        if let Some(value) = value {
            self.u64(value);
        }
    }

    fn list<T>(&mut self, items: &[T], mut each: impl FnMut(&mut Self, &T)) {
        self.u32(items.len());
        for item in items {
            each(self, item);
        }
    }
}

/// A batch of events as `next_events` returns it: each preceded by its sequence number.
pub(crate) fn events(events: &[NumberedEvent]) -> Vec<u8> {
    let mut writer = Writer::default();
    writer.list(events, |w, (sequence, numbered)| {
        w.u64(*sequence);
        event(w, numbered);
    });
    writer.into_bytes()
}

pub(crate) fn single_event(value: &ClientEvent) -> Vec<u8> {
    let mut writer = Writer::default();
    event(&mut writer, value);
    writer.into_bytes()
}

pub(crate) fn history_page(page: &HistoryPage) -> Vec<u8> {
    let mut writer = Writer::default();
    writer.opt_str(page.next_token.as_deref());
    writer.list(&page.events, event);
    writer.into_bytes()
}

fn event(w: &mut Writer, event: &ClientEvent) {
    match event {
        ClientEvent::Message(message) => {
            w.u8(tag::MESSAGE);
            meta(w, &message.meta);
            w.str(&message.message_type);
            w.str(&message.body);
            w.opt_str(message.formatted_body.as_deref());
            w.opt_str(message.in_reply_to.as_deref());
            w.opt_str(message.geo_uri.as_deref());
            w.bool(message.attachment.is_some());
            if let Some(attachment) = &message.attachment {
                attachment_info(w, attachment);
            }
        }
        ClientEvent::Edit(edit) => {
            w.u8(tag::EDIT);
            meta(w, &edit.meta);
            w.str(&edit.target_event_id);
            w.str(&edit.body);
            w.opt_str(edit.formatted_body.as_deref());
        }
        ClientEvent::Redaction(redaction) => {
            w.u8(tag::REDACTION);
            meta(w, &redaction.meta);
            w.str(&redaction.target_event_id);
            w.opt_str(redaction.reason.as_deref());
        }
        ClientEvent::Reaction(reaction) => {
            w.u8(tag::REACTION);
            meta(w, &reaction.meta);
            w.str(&reaction.target_event_id);
            w.str(&reaction.key);
        }
        ClientEvent::Custom(custom) => {
            w.u8(tag::CUSTOM);
            meta(w, &custom.meta);
            w.str(&custom.event_type);
            w.str(&custom.content_json);
        }
        ClientEvent::State(state) => {
            w.u8(tag::STATE);
            state_event(w, state);
        }
        ClientEvent::Undecryptable(event_meta) => {
            w.u8(tag::UNDECRYPTABLE);
            meta(w, event_meta);
        }
        ClientEvent::Receipt(receipt) => {
            w.u8(tag::RECEIPT);
            w.str(&receipt.room_id);
            w.str(&receipt.event_id);
            w.str(&receipt.user_id);
            w.str(&receipt.receipt_type);
            w.opt_u64(receipt.timestamp_millis);
        }
        ClientEvent::Invite(invite) => {
            w.u8(tag::INVITE);
            w.str(&invite.room_id);
            w.str(&invite.inviter);
        }
        ClientEvent::QueueUpdate(update) => {
            w.u8(tag::QUEUE_UPDATE);
            queued_message(w, update);
        }
        ClientEvent::Audit(entry) => {
            w.u8(tag::AUDIT);
            audit_entry(w, entry);
        }
    }
}

/// Layout: sequence, time in millis, event name, and the fields as a list of name-value pairs.
fn audit_entry(w: &mut Writer, entry: &AuditEntry) {
    w.u64(entry.sequence);
    w.u64(entry.time_millis);
    w.str(&entry.event);
    let fields: Vec<(&String, &String)> = entry.fields.iter().collect();
    w.list(&fields, |w, (name, value)| {
        w.str(name);
        w.str(value);
    });
}

/// Layout: verified entries, the optional first broken sequence number, the optional reason.
pub(crate) fn audit_verification(verification: &AuditVerification) -> Vec<u8> {
    let mut writer = Writer::default();
    writer.u64(verification.verified_entries);
    writer.opt_u64(verification.first_broken);
    writer.opt_str(verification.reason);
    writer.into_bytes()
}

/// Layout: transaction ID, room, event type, queued-at millis, attempts, state tag, then the
/// event ID of a sent message, or the error code, optional status and optional errcode of a
/// failed one.
fn queued_message(w: &mut Writer, message: &QueuedMessage) {
    w.str(&message.transaction_id);
    w.str(&message.room_id);
    w.str(&message.event_type);
    w.u64(message.queued_at_millis);
    w.u64(u64::from(message.attempts));
    match &message.state {
        QueueState::Waiting => w.u8(queue_state::WAITING),
        QueueState::Sending => w.u8(queue_state::SENDING),
        QueueState::Sent { event_id } => {
            w.u8(queue_state::SENT);
            w.str(event_id);
        }
        QueueState::Failed { error_code, status, errcode } => {
            w.u8(queue_state::FAILED);
            w.str(error_code);
            w.opt_u64(status.map(u64::from));
            w.opt_str(errcode.as_deref());
        }
    }
}

pub(crate) fn single_queued_message(message: &QueuedMessage) -> Vec<u8> {
    let mut writer = Writer::default();
    queued_message(&mut writer, message);
    writer.into_bytes()
}

pub(crate) fn queued_messages(messages: &[QueuedMessage]) -> Vec<u8> {
    let mut writer = Writer::default();
    writer.list(messages, queued_message);
    writer.into_bytes()
}

fn meta(w: &mut Writer, meta: &EventMeta) {
    w.str(&meta.room_id);
    w.str(&meta.event_id);
    w.str(&meta.sender);
    w.u64(meta.timestamp_millis);
    w.bool(meta.encrypted);
    w.list(&meta.case_references, case_reference);
}

fn case_reference(w: &mut Writer, reference: &CaseReference) {
    w.str(&reference.system);
    w.str(&reference.value);
    w.opt_str(reference.fhir_reference.as_deref());
}

pub(crate) fn case_references(references: &[CaseReference]) -> Vec<u8> {
    let mut w = Writer::default();
    w.list(references, case_reference);
    w.into_bytes()
}

pub(crate) fn strings(values: &[String]) -> Vec<u8> {
    let mut w = Writer::default();
    w.list(values, |w, value| w.str(value));
    w.into_bytes()
}

fn attachment_info(w: &mut Writer, info: &AttachmentInfo) {
    w.opt_str(info.file_name.as_deref());
    w.opt_str(info.mime_type.as_deref());
    w.opt_u64(info.size);
    w.bool(info.encrypted);
}

fn state_event(w: &mut Writer, state: &StateEvent) {
    meta(w, &state.meta);
    w.str(&state.event_type);
    w.str(&state.state_key);
    w.str(&state.content_json);
}

pub(crate) fn state_events(events: &[StateEvent]) -> Vec<u8> {
    let mut writer = Writer::default();
    writer.list(events, state_event);
    writer.into_bytes()
}

fn room_summary(w: &mut Writer, summary: &RoomSummary) {
    w.str(&summary.room_id);
    w.opt_str(summary.name.as_deref());
    w.opt_str(summary.topic.as_deref());
    w.str(summary.membership);
    w.bool(summary.encrypted);
    w.bool(summary.direct);
    w.u64(summary.joined_members);
    w.u64(summary.unread_count);
    w.opt_u64(summary.last_activity_millis);
}

pub(crate) fn room_summaries(summaries: &[RoomSummary]) -> Vec<u8> {
    let mut writer = Writer::default();
    writer.list(summaries, room_summary);
    writer.into_bytes()
}

pub(crate) fn single_room_summary(summary: &RoomSummary) -> Vec<u8> {
    let mut writer = Writer::default();
    room_summary(&mut writer, summary);
    writer.into_bytes()
}

pub(crate) fn room_members(members: &[RoomMember]) -> Vec<u8> {
    let mut writer = Writer::default();
    writer.list(members, |w, member| {
        w.str(&member.user_id);
        w.opt_str(member.display_name.as_deref());
        w.str(&member.membership);
    });
    writer.into_bytes()
}

pub(crate) fn room_settings(settings: &RoomSettings) -> Vec<u8> {
    let mut w = Writer::default();
    w.str(&settings.room_id);
    w.opt_str(settings.name.as_deref());
    w.opt_str(settings.topic.as_deref());
    w.str(settings.access);
    w.str(&settings.join_rule);
    w.bool(settings.federated);
    w.str(&settings.history_visibility);
    w.bool(settings.encrypted);
    w.str(&settings.room_version);
    w.into_bytes()
}

/// Key backup states as `WireReader` numbers them.
const BACKUP_ENABLED: u8 = 1;
const BACKUP_DISABLED: u8 = 2;
const BACKUP_FAILED: u8 = 3;

pub(crate) fn key_backup_state(state: KeyBackupState) -> Vec<u8> {
    let mut w = Writer::default();
    match state {
        KeyBackupState::Enabled => w.u8(BACKUP_ENABLED),
        KeyBackupState::Disabled => w.u8(BACKUP_DISABLED),
        KeyBackupState::Failed(code) => {
            w.u8(BACKUP_FAILED);
            w.str(code);
        }
    }
    w.into_bytes()
}

/// Whether the loop runs, then the sync health: last success, failures since, newest failure.
pub(crate) fn sync_status(running: bool, health: SyncHealth) -> Vec<u8> {
    let mut w = Writer::default();
    w.bool(running);
    w.opt_u64(health.last_success_millis);
    w.u32(health.consecutive_failures as usize);
    w.opt_str(health.last_failure);
    w.into_bytes()
}

pub(crate) fn client_report(report: &ClientReport) -> Vec<u8> {
    let mut w = Writer::default();
    w.u64(report.start_millis);
    for side in [&report.sent, &report.received] {
        w.list(side, |w, count| {
            w.str(&count.procedure);
            w.str(&count.version);
            w.u64(count.count);
        });
    }
    w.into_bytes()
}

pub(crate) fn directory_entries(entries: &[DirectoryEntry]) -> Vec<u8> {
    let mut w = Writer::default();
    w.list(entries, |w, entry| {
        w.u8(match entry.kind {
            DirectoryKind::Practitioner => 1,
            DirectoryKind::HealthcareService => 2,
        });
        w.str(&entry.resource_id);
        w.str(&entry.name);
        w.opt_str(entry.organization.as_deref());
        w.opt_str(entry.telematik_id.as_deref());
        w.bool(entry.address.is_some());
        if let Some(address) = &entry.address {
            w.list(&address.lines, |w, line| w.str(line));
            w.opt_str(address.postal_code.as_deref());
            w.opt_str(address.city.as_deref());
        }
        w.list(&entry.matrix_ids, |w, id| w.str(id));
    });
    w.into_bytes()
}

pub(crate) fn self_report(report: &SelfReport) -> Vec<u8> {
    let mut w = Writer::default();
    w.str(report.product);
    w.str(report.product_type);
    w.str(report.product_type_version);
    w.str(report.product_version);
    w.str(report.platform.os);
    w.str(&report.platform.os_version);
    w.str(report.platform.arch);
    w.str(&report.integrating_system.name);
    w.str(&report.integrating_system.version);
    w.opt_str(report.integrating_system.vendor.as_deref());
    w.u64(report.started_at_millis);
    w.into_bytes()
}

fn user_profile(w: &mut Writer, profile: &UserProfile) {
    w.str(&profile.user_id);
    w.opt_str(profile.display_name.as_deref());
    w.opt_str(profile.avatar_url.as_deref());
}

pub(crate) fn user_profiles(profiles: &[UserProfile]) -> Vec<u8> {
    let mut writer = Writer::default();
    writer.list(profiles, user_profile);
    writer.into_bytes()
}

pub(crate) fn single_user_profile(profile: &UserProfile) -> Vec<u8> {
    let mut writer = Writer::default();
    user_profile(&mut writer, profile);
    writer.into_bytes()
}

pub(crate) fn download(id: u64, info: &DownloadInfo) -> Vec<u8> {
    let mut writer = Writer::default();
    writer.u64(id);
    writer.opt_str(info.file_name.as_deref());
    writer.opt_str(info.mime_type.as_deref());
    writer.u64(info.size);
    writer.into_bytes()
}

pub(crate) fn permission_config(config: &PermissionConfig) -> Vec<u8> {
    let mut writer = Writer::default();
    writer.bool(config.default_setting == DefaultSetting::BlockAll);
    let users: Vec<&str> = config.user_exceptions.iter().map(String::as_str).collect();
    writer.list(&users, |w, user| w.str(user));
    let servers: Vec<&str> = config.server_exceptions.iter().map(String::as_str).collect();
    writer.list(&servers, |w, server| w.str(server));
    writer.bool(!config.group_exceptions.is_empty());
    writer.into_bytes()
}
