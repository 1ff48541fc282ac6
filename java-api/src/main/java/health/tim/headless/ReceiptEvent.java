package health.tim.headless;

import java.time.Instant;
import java.util.Optional;

/**
 * A read receipt: a user has read a room up to an event.
 *
 * @param roomId the room
 * @param eventId the event the user has read up to
 * @param userId the full Matrix user ID of the reader
 * @param receiptType {@code m.read}, or {@code m.read.private} for this account's private ones
 * @param timestamp when the user read it, or {@code null} if the server does not say
 */
public record ReceiptEvent(
    String roomId, String eventId, String userId, String receiptType, Instant timestamp)
    implements ClientEvent {

  /**
   * Creates a receipt event.
   *
   * @param roomId see the record component
   * @param eventId see the record component
   * @param userId see the record component
   * @param receiptType see the record component
   * @param timestamp see the record component
   * @throws InvalidArgumentException if a component other than {@code timestamp} is {@code null}
   */
  public ReceiptEvent {
    Arguments.required(roomId, "roomId");
    Arguments.required(eventId, "eventId");
    Arguments.required(userId, "userId");
    Arguments.required(receiptType, "receiptType");
  }

  /**
   * When the user read the room.
   *
   * @return the time, or empty
   */
  public Optional<Instant> optionalTimestamp() {
    return Optional.ofNullable(timestamp);
  }
}
