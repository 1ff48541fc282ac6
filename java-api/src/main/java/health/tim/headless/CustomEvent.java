package health.tim.headless;

import java.time.Instant;
import java.util.List;

/**
 * A message-like event of a type the client does not interpret itself, for example {@code
 * de.gematik.fhir}, {@code de.gematik.request.status} or a vendor's structured data. A redacted
 * message, whose content the server removed, also arrives as a custom event (type {@code
 * m.room.message}, empty content).
 *
 * <p>{@link #toString()} leaves the content out.
 *
 * @param roomId the room
 * @param eventId the event ID
 * @param sender the full Matrix user ID of the sender
 * @param timestamp the sender's homeserver's timestamp
 * @param encrypted whether the event arrived end-to-end encrypted
 * @param eventType the event type
 * @param contentJson the event's content, a JSON object
 * @param caseReferences the case references its room was filed under when the event was handed over
 *     (see {@link HeadlessClient#linkCase})
 */
public record CustomEvent(
    String roomId,
    String eventId,
    String sender,
    Instant timestamp,
    boolean encrypted,
    String eventType,
    String contentJson,
    List<CaseReference> caseReferences)
    implements RoomEvent {

  /**
   * Creates a custom event.
   *
   * @param roomId see the record component
   * @param eventId see the record component
   * @param sender see the record component
   * @param timestamp see the record component
   * @param encrypted see the record component
   * @param eventType see the record component
   * @param contentJson see the record component
   * @param caseReferences see the record component
   * @throws InvalidArgumentException if a component is {@code null}
   */
  public CustomEvent {
    caseReferences = Arguments.listOf(caseReferences, "caseReferences");
    Arguments.roomEvent(roomId, eventId, sender, timestamp);
    Arguments.required(eventType, "eventType");
    Arguments.required(contentJson, "contentJson");
  }

  @Override
  public String toString() {
    return "CustomEvent[roomId="
        + roomId
        + ", eventId="
        + eventId
        + ", sender="
        + sender
        + ", eventType="
        + eventType
        + ", encrypted="
        + encrypted
        + "]";
  }
}
