package health.tim.headless.testdriver;

import health.tim.headless.EditEvent;
import health.tim.headless.HeadlessClient;
import health.tim.headless.Membership;
import health.tim.headless.MessageEvent;
import health.tim.headless.RoomEvent;
import health.tim.headless.RoomMember;
import health.tim.headless.RoomSettings;
import health.tim.headless.RoomSummary;
import health.tim.headless.testdriver.model.Message;
import health.tim.headless.testdriver.model.Room;
import health.tim.headless.testdriver.model.RoomMembershipState;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import org.springframework.http.HttpStatus;

/** Records of the client API as the interface's models; no logic beyond renaming fields. */
final class Translations {
  private Translations() {}

  /** A joined room: its settings and members, read from the homeserver. */
  static Room joinedRoom(HeadlessClient client, String roomId) {
    RoomSettings settings = Calls.await(client.roomSettings(roomId));
    List<RoomMember> members = Calls.await(client.roomMembers(roomId));
    return new Room()
        // The interface requires a name; a room without one has the empty name.
        .name(settings.name() == null ? "" : settings.name())
        .theme(settings.topic())
        .roomAccess(Room.RoomAccessEnum.fromValue(settings.access()))
        .joinRule(Room.JoinRuleEnum.fromValue(settings.joinRule()))
        .isFederated(settings.federated())
        .historyVisibility(Room.HistoryVisibilityEnum.fromValue(settings.historyVisibility()))
        .isEncrypted(settings.encrypted())
        .roomId(settings.roomId())
        .roomVersion(settings.roomVersion())
        .members(members.stream().map(Translations::member).toList());
  }

  /**
   * A room as far as this account sees it: settings and members when joined, the summary and its
   * own membership otherwise (an invited or departed account cannot read the room's state).
   */
  static Room room(HeadlessClient client, RoomSummary summary, String ownUserId) {
    if (summary.membership() == Membership.JOIN) {
      return joinedRoom(client, summary.roomId());
    }
    return new Room()
        .name(summary.name() == null ? "" : summary.name())
        .theme(summary.topic())
        .isEncrypted(summary.encrypted())
        .roomId(summary.roomId())
        .members(List.of(member(new RoomMember(ownUserId, null, summary.membership()))));
  }

  static health.tim.headless.testdriver.model.RoomMember member(RoomMember member) {
    return new health.tim.headless.testdriver.model.RoomMember(
        member.userId(),
        RoomMembershipState.fromValue(member.membership().name().toLowerCase(Locale.ROOT)));
  }

  /**
   * A message event as the interface's message; its event ID is also its message ID.
   *
   * @throws DriverException 404 when the event is no message
   */
  static Message message(RoomEvent event) {
    if (event instanceof MessageEvent message) {
      Message result =
          new Message()
              .body(message.body())
              .msgtype(message.messageType())
              .geoUri(message.geoUri())
              .author(message.sender());
      if (message.formattedBody() != null) {
        result.format("org.matrix.custom.html").formattedBody(message.formattedBody());
      }
      if (message.attachment() != null) {
        result.filename(message.attachment().fileName());
      }
      return withEvent(result, event);
    }
    if (event instanceof EditEvent edit) {
      Message result = new Message().body(edit.body()).msgtype("m.text").author(edit.sender());
      if (edit.formattedBody() != null) {
        result.format("org.matrix.custom.html").formattedBody(edit.formattedBody());
      }
      return withEvent(result, event).messageId(edit.targetEventId()).lastUpdated(time(edit));
    }
    throw new DriverException(
        HttpStatus.NOT_FOUND, "NOT_A_MESSAGE", "event " + event.eventId() + " is no message");
  }

  private static Message withEvent(Message message, RoomEvent event) {
    return message
        .eventId(event.eventId())
        .messageId(event.eventId())
        .type("m.room.message")
        .roomId(event.roomId())
        .timestamp(time(event))
        .originServerTs(event.timestamp().toEpochMilli());
  }

  private static OffsetDateTime time(RoomEvent event) {
    Instant timestamp = event.timestamp();
    return OffsetDateTime.ofInstant(timestamp, ZoneOffset.UTC);
  }
}
