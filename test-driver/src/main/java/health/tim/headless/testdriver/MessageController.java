package health.tim.headless.testdriver;

import health.tim.headless.CreateRoomOptions;
import health.tim.headless.HeadlessClient;
import health.tim.headless.HistoryPage;
import health.tim.headless.Membership;
import health.tim.headless.MessageEvent;
import health.tim.headless.OutgoingMessage;
import health.tim.headless.RoomEvent;
import health.tim.headless.RoomMember;
import health.tim.headless.RoomSummary;
import health.tim.headless.testdriver.api.MessageApi;
import health.tim.headless.testdriver.model.DirectMessage;
import health.tim.headless.testdriver.model.Message;
import health.tim.headless.testdriver.model.MessageContent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

/**
 * The message operations. A sent or edited message is read back by its event ID, so that the answer
 * carries what the homeserver stored (sender, time) rather than what was asked for.
 */
@RestController
class MessageController implements MessageApi {
  /** How many history events {@code getMessages} reads at most, newest first. */
  static final int HISTORY_LIMIT = 500;

  private static final int PAGE_SIZE = 100;

  private final DeviceRegistry devices;

  MessageController(DeviceRegistry devices) {
    this.devices = devices;
  }

  @Override
  public ResponseEntity<Message> sendMessage(
      Long deviceId, String roomId, String transactionId, MessageContent content) {
    HeadlessClient client = devices.use(deviceId);
    OutgoingMessage outgoing = outgoing("sendMessage", content);
    return ResponseEntity.ok(sent(client, roomId, Calls.await(client.send(roomId, outgoing))));
  }

  @Override
  public ResponseEntity<Message> sendDirectMessage(
      Long deviceId, String transactionId, DirectMessage message) {
    HeadlessClient client = devices.use(deviceId);
    if (message == null || message.getToAccount() == null) {
      throw new DriverException(HttpStatus.BAD_REQUEST, "NO_RECIPIENT", "toAccount is missing");
    }
    OutgoingMessage outgoing =
        outgoing(
            "sendDirectMessage",
            new MessageContent(message.getBody(), message.getMsgtype())
                .format(message.getFormat())
                .formattedBody(message.getFormattedBody())
                .geoUri(message.getGeoUri())
                .fileId(message.getFileId()));
    String recipient = message.getToAccount();
    String roomId =
        directChatWith(client, recipient)
            .orElseGet(
                () -> Calls.await(client.createRoom(CreateRoomOptions.directChat(recipient))));
    return ResponseEntity.ok(sent(client, roomId, Calls.await(client.send(roomId, outgoing))));
  }

  @Override
  public ResponseEntity<List<Message>> getMessages(
      Long deviceId, String roomId, String transactionId) {
    HeadlessClient client = devices.use(deviceId);
    List<Message> newestFirst = new ArrayList<>();
    String from = null;
    int read = 0;
    do {
      HistoryPage page = Calls.await(client.history(roomId, from, PAGE_SIZE));
      for (RoomEvent event : page.events()) {
        if (event instanceof MessageEvent) {
          newestFirst.add(Translations.message(event));
        }
      }
      read += page.events().size();
      from = page.nextToken();
    } while (from != null && read < HISTORY_LIMIT);
    Collections.reverse(newestFirst);
    return ResponseEntity.ok(newestFirst);
  }

  @Override
  public ResponseEntity<Message> getMessage(
      Long deviceId, String roomId, String messageId, String transactionId) {
    HeadlessClient client = devices.use(deviceId);
    return ResponseEntity.ok(Translations.message(Calls.await(client.event(roomId, messageId))));
  }

  @Override
  public ResponseEntity<Message> editMessage(
      Long deviceId,
      String roomId,
      String messageId,
      String transactionId,
      MessageContent content) {
    HeadlessClient client = devices.use(deviceId);
    if (content == null || content.getBody() == null) {
      throw new DriverException(HttpStatus.BAD_REQUEST, "NO_BODY", "the new body is missing");
    }
    String editId =
        Calls.await(
            client.editMessage(roomId, messageId, content.getBody(), content.getFormattedBody()));
    return ResponseEntity.ok(sent(client, roomId, editId));
  }

  @Override
  public ResponseEntity<Void> deleteMessage(
      Long deviceId, String roomId, String messageId, String transactionId) {
    HeadlessClient client = devices.use(deviceId);
    Calls.await(client.redact(roomId, messageId, null));
    return ResponseEntity.noContent().build();
  }

  @Override
  public ResponseEntity<Void> deleteMessageViaReplace(
      Long deviceId, String roomId, String messageId, String transactionId) {
    HeadlessClient client = devices.use(deviceId);
    Calls.await(client.deleteByReplace(roomId, messageId));
    return ResponseEntity.noContent().build();
  }

  private static Message sent(HeadlessClient client, String roomId, String eventId) {
    return Translations.message(Calls.await(client.event(roomId, eventId)));
  }

  /**
   * The message kinds the client API sends. Attachments need a file that the driver's media upload
   * would have kept, and that upload has no counterpart in the API: 501.
   */
  private static OutgoingMessage outgoing(String operation, MessageContent content) {
    if (content == null || content.getMsgtype() == null || content.getBody() == null) {
      throw new DriverException(HttpStatus.BAD_REQUEST, "NO_CONTENT", "body and msgtype needed");
    }
    return switch (content.getMsgtype()) {
      case "m.text" ->
          content.getFormattedBody() == null
              ? OutgoingMessage.text(content.getBody())
              : OutgoingMessage.html(content.getBody(), content.getFormattedBody());
      case "m.notice" -> OutgoingMessage.notice(content.getBody());
      case "m.emote" -> OutgoingMessage.emote(content.getBody());
      case "m.location" -> OutgoingMessage.location(content.getBody(), content.getGeoUri());
      case "m.file", "m.image", "m.audio", "m.video" ->
          throw DriverException.notImplemented(
              operation, "attachments need a room-less media upload, which the client API lacks");
      default ->
          throw new DriverException(
              HttpStatus.BAD_REQUEST, "UNKNOWN_MSGTYPE", "unsupported msgtype");
    };
  }

  /** A joined direct chat whose other member is {@code userId}, to send into it again. */
  private static Optional<String> directChatWith(HeadlessClient client, String userId) {
    for (RoomSummary room : Calls.await(client.rooms())) {
      if (!room.direct() || room.membership() != Membership.JOIN) {
        continue;
      }
      List<RoomMember> members = Calls.await(client.roomMembers(room.roomId()));
      boolean withUser =
          members.stream()
              .anyMatch(
                  member ->
                      member.userId().equals(userId)
                          && (member.membership() == Membership.JOIN
                              || member.membership() == Membership.INVITE));
      if (withUser) {
        return Optional.of(room.roomId());
      }
    }
    return Optional.empty();
  }
}
