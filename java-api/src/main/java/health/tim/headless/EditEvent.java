package health.tim.headless;

import java.time.Instant;
import java.util.List;

/**
 * A replacement ({@code m.replace}) of an earlier message's text. An empty body means that the
 * sender deleted the message's text by replacing it (see {@link #isDeletion()}).
 *
 * <p>{@link #toString()} leaves the bodies out.
 *
 * @param roomId the room
 * @param eventId the event ID of the edit itself
 * @param sender the full Matrix user ID of the sender
 * @param timestamp the sender's homeserver's timestamp
 * @param encrypted whether the edit arrived end-to-end encrypted
 * @param targetEventId the event whose text is replaced
 * @param body the new plain-text body; empty for a deletion
 * @param formattedBody the new HTML body, or {@code null}
 * @param caseReferences the case references its room was filed under when the event was handed over
 *     (see {@link HeadlessClient#linkCase})
 */
public record EditEvent(
    String roomId,
    String eventId,
    String sender,
    Instant timestamp,
    boolean encrypted,
    String targetEventId,
    String body,
    String formattedBody,
    List<CaseReference> caseReferences)
    implements RoomEvent {

  /**
   * Creates an edit event.
   *
   * @param roomId see the record component
   * @param eventId see the record component
   * @param sender see the record component
   * @param timestamp see the record component
   * @param encrypted see the record component
   * @param targetEventId see the record component
   * @param body see the record component
   * @param formattedBody see the record component
   * @param caseReferences see the record component
   * @throws InvalidArgumentException if a component other than {@code formattedBody} is {@code
   *     null}
   */
  public EditEvent {
    caseReferences = Arguments.listOf(caseReferences, "caseReferences");
    Arguments.roomEvent(roomId, eventId, sender, timestamp);
    Arguments.required(targetEventId, "targetEventId");
    Arguments.required(body, "body");
  }

  /**
   * Whether this edit deletes the message's text ("delete by replace").
   *
   * @return {@code true} if the new body is empty
   */
  public boolean isDeletion() {
    return body.isEmpty();
  }

  @Override
  public String toString() {
    return "EditEvent[roomId="
        + roomId
        + ", eventId="
        + eventId
        + ", sender="
        + sender
        + ", targetEventId="
        + targetEventId
        + ", deletion="
        + isDeletion()
        + "]";
  }
}
