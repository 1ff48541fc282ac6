package health.tim.headless;

import java.time.Instant;
import java.util.List;

/**
 * A reaction ({@code m.annotation}) to an earlier event.
 *
 * @param roomId the room
 * @param eventId the event ID of the reaction itself
 * @param sender the full Matrix user ID of the sender
 * @param timestamp the sender's homeserver's timestamp
 * @param encrypted whether the reaction arrived end-to-end encrypted
 * @param targetEventId the event reacted to
 * @param key the reaction key, usually one emoji
 * @param caseReferences the case references its room was filed under when the event was handed over
 *     (see {@link HeadlessClient#linkCase})
 */
public record ReactionEvent(
    String roomId,
    String eventId,
    String sender,
    Instant timestamp,
    boolean encrypted,
    String targetEventId,
    String key,
    List<CaseReference> caseReferences)
    implements RoomEvent {

  /**
   * Creates a reaction event.
   *
   * @param roomId see the record component
   * @param eventId see the record component
   * @param sender see the record component
   * @param timestamp see the record component
   * @param encrypted see the record component
   * @param targetEventId see the record component
   * @param key see the record component
   * @param caseReferences see the record component
   * @throws InvalidArgumentException if a component is {@code null}
   */
  public ReactionEvent {
    caseReferences = Arguments.listOf(caseReferences, "caseReferences");
    Arguments.roomEvent(roomId, eventId, sender, timestamp);
    Arguments.required(targetEventId, "targetEventId");
    Arguments.required(key, "key");
  }
}
