package health.tim.headless;

import java.time.Instant;
import java.util.List;

/**
 * A state event: a membership change, a new name or topic, the room's settings, or a TI-M state
 * event such as {@code de.gematik.tim.room.default.v1}. It arrives as a timeline event when the
 * state changes, and {@link HeadlessClient#roomState} lists the current ones.
 *
 * <p>{@link #toString()} leaves the content out.
 *
 * @param roomId the room
 * @param eventId the event ID
 * @param sender the full Matrix user ID of the sender
 * @param timestamp the sender's homeserver's timestamp
 * @param encrypted always {@code false}: Matrix does not encrypt state events
 * @param eventType the event type, for example {@code m.room.member}
 * @param stateKey the state key; often empty, a user ID for memberships
 * @param contentJson the event's content, a JSON object
 * @param caseReferences the case references its room was filed under when the event was handed over
 *     (see {@link HeadlessClient#linkCase})
 */
public record StateEvent(
    String roomId,
    String eventId,
    String sender,
    Instant timestamp,
    boolean encrypted,
    String eventType,
    String stateKey,
    String contentJson,
    List<CaseReference> caseReferences)
    implements RoomEvent {

  /**
   * Creates a state event.
   *
   * @param roomId see the record component
   * @param eventId see the record component
   * @param sender see the record component
   * @param timestamp see the record component
   * @param encrypted see the record component
   * @param eventType see the record component
   * @param stateKey see the record component
   * @param contentJson see the record component
   * @param caseReferences see the record component
   * @throws InvalidArgumentException if a component is {@code null}
   */
  public StateEvent {
    caseReferences = Arguments.listOf(caseReferences, "caseReferences");
    Arguments.roomEvent(roomId, eventId, sender, timestamp);
    Arguments.required(eventType, "eventType");
    Arguments.required(stateKey, "stateKey");
    Arguments.required(contentJson, "contentJson");
  }

  @Override
  public String toString() {
    return "StateEvent[roomId="
        + roomId
        + ", eventId="
        + eventId
        + ", sender="
        + sender
        + ", eventType="
        + eventType
        + ", stateKey="
        + stateKey
        + "]";
  }
}
