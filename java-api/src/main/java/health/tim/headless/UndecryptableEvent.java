package health.tim.headless;

import java.time.Instant;
import java.util.List;

/**
 * An encrypted event whose key this device does not have (yet). When the key arrives while the
 * client runs, the event is delivered a second time, decrypted, with the same event ID.
 *
 * @param roomId the room
 * @param eventId the event ID
 * @param sender the full Matrix user ID of the sender
 * @param timestamp the sender's homeserver's timestamp
 * @param caseReferences the case references its room was filed under when the event was handed over
 *     (see {@link HeadlessClient#linkCase})
 */
public record UndecryptableEvent(
    String roomId,
    String eventId,
    String sender,
    Instant timestamp,
    List<CaseReference> caseReferences)
    implements RoomEvent {

  /**
   * Creates an undecryptable event.
   *
   * @param roomId see the record component
   * @param eventId see the record component
   * @param sender see the record component
   * @param timestamp see the record component
   * @param caseReferences see the record component
   * @throws InvalidArgumentException if a component is {@code null}
   */
  public UndecryptableEvent {
    caseReferences = Arguments.listOf(caseReferences, "caseReferences");
    Arguments.roomEvent(roomId, eventId, sender, timestamp);
  }

  /**
   * Always {@code true}: only encrypted events can fail to decrypt.
   *
   * @return {@code true}
   */
  @Override
  public boolean encrypted() {
    return true;
  }
}
