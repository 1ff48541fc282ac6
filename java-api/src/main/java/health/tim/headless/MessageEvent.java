package health.tim.headless;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A room message from another user or another device of this account, decrypted when it arrived
 * encrypted: text, notice, emote, location, or the description of an attachment.
 *
 * <p>{@link #toString()} leaves body, HTML body and location out.
 *
 * @param roomId the room the message was sent in
 * @param eventId the event ID the homeserver assigned
 * @param sender the full Matrix user ID of the sender
 * @param timestamp the sender's homeserver's timestamp
 * @param encrypted whether the message arrived end-to-end encrypted
 * @param messageType the Matrix message type, for example {@code m.text}; see {@link #kind()}
 * @param body the plain-text body (for an attachment, usually its file name); may be empty
 * @param formattedBody the HTML body ({@code org.matrix.custom.html}), or {@code null}
 * @param inReplyTo the event this message replies to, or {@code null}
 * @param geoUri the {@code geo:} URI of a location message, or {@code null}
 * @param attachment what an attachment message says about its file, or {@code null}
 * @param caseReferences the case references its room was filed under when the event was handed over
 *     (see {@link HeadlessClient#linkCase})
 */
public record MessageEvent(
    String roomId,
    String eventId,
    String sender,
    Instant timestamp,
    boolean encrypted,
    String messageType,
    String body,
    String formattedBody,
    String inReplyTo,
    String geoUri,
    AttachmentInfo attachment,
    List<CaseReference> caseReferences)
    implements RoomEvent {

  /**
   * Creates a message event.
   *
   * @param roomId see the record component
   * @param eventId see the record component
   * @param sender see the record component
   * @param timestamp see the record component
   * @param encrypted see the record component
   * @param messageType see the record component
   * @param body see the record component
   * @param formattedBody see the record component
   * @param inReplyTo see the record component
   * @param geoUri see the record component
   * @param attachment see the record component
   * @param caseReferences see the record component
   * @throws InvalidArgumentException if a component that must be present is {@code null}
   */
  public MessageEvent {
    caseReferences = Arguments.listOf(caseReferences, "caseReferences");
    Arguments.roomEvent(roomId, eventId, sender, timestamp);
    Arguments.required(messageType, "messageType");
    Arguments.required(body, "body");
  }

  /**
   * The kind of message.
   *
   * @return the kind; {@link MessageKind#OTHER} for a type TI-M does not define
   */
  public MessageKind kind() {
    return MessageKind.of(messageType);
  }

  /**
   * The HTML body.
   *
   * @return the HTML body, or empty
   */
  public Optional<String> optionalFormattedBody() {
    return Optional.ofNullable(formattedBody);
  }

  /**
   * The event this message replies to.
   *
   * @return the event ID, or empty
   */
  public Optional<String> optionalInReplyTo() {
    return Optional.ofNullable(inReplyTo);
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
