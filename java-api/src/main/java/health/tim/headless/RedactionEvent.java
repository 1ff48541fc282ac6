package health.tim.headless;

import java.time.Instant;
import java.util.List;

/**
 * A redaction: the sender removed the content of an earlier event.
 *
 * @param roomId the room
 * @param eventId the event ID of the redaction itself
 * @param sender the full Matrix user ID of the sender
 * @param timestamp the sender's homeserver's timestamp
 * @param encrypted whether the redaction arrived encrypted (redactions never are)
 * @param targetEventId the redacted event
 * @param reason the reason the sender gave, or {@code null}
 * @param caseReferences the case references its room was filed under when the event was handed over
 *     (see {@link HeadlessClient#linkCase})
 */
public record RedactionEvent(
    String roomId,
    String eventId,
    String sender,
    Instant timestamp,
    boolean encrypted,
    String targetEventId,
    String reason,
    List<CaseReference> caseReferences)
    implements RoomEvent {

  /**
   * Creates a redaction event.
   *
   * @param roomId see the record component
   * @param eventId see the record component
   * @param sender see the record component
   * @param timestamp see the record component
   * @param encrypted see the record component
   * @param targetEventId see the record component
   * @param reason see the record component
   * @param caseReferences see the record component
   * @throws InvalidArgumentException if a component other than {@code reason} is {@code null}
   */
  public RedactionEvent {
    caseReferences = Arguments.listOf(caseReferences, "caseReferences");
    Arguments.roomEvent(roomId, eventId, sender, timestamp);
    Arguments.required(targetEventId, "targetEventId");
  }
}
