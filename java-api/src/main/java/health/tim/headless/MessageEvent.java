package health.tim.headless;

import java.time.Instant;
import java.util.Objects;

/**
 * A room message from another user, decrypted when it arrived encrypted.
 *
 * <p>{@link #toString()} leaves the body out, so that logging an event does not log message
 * content.
 *
 * @param roomId the room the message was sent in
 * @param eventId the event ID the homeserver assigned
 * @param sender the full Matrix user ID of the sender
 * @param timestamp the sender's homeserver's timestamp
 * @param messageType the message type, for example {@code m.text} or {@code m.notice}
 * @param body the plain-text body
 * @param encrypted whether the message arrived end-to-end encrypted
 */
public record MessageEvent(
    String roomId,
    String eventId,
    String sender,
    Instant timestamp,
    String messageType,
    String body,
    boolean encrypted)
    implements ClientEvent {

  /**
   * Creates a message event.
   *
   * @param roomId see the record component
   * @param eventId see the record component
   * @param sender see the record component
   * @param timestamp see the record component
   * @param messageType see the record component
   * @param body see the record component
   * @param encrypted see the record component
   * @throws NullPointerException if a component is {@code null}
   */
  public MessageEvent {
    Objects.requireNonNull(roomId, "roomId");
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(messageType, "messageType");
    Objects.requireNonNull(body, "body");
  }

  @Override
  public String toString() {
    return "MessageEvent[roomId="
        + roomId
        + ", eventId="
        + eventId
        + ", sender="
        + sender
        + ", timestamp="
        + timestamp
        + ", messageType="
        + messageType
        + ", encrypted="
        + encrypted
        + "]";
  }
}
