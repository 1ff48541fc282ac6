package health.tim.headless;

import java.time.Instant;
import java.util.Optional;

/**
 * A message in the client's send queue, and how far it got. It names the message, never its
 * content.
 *
 * <p>{@link HeadlessClient#queuedMessages()} lists the messages still in the queue ({@link
 * State#WAITING}, {@link State#SENDING} or {@link State#FAILED}); listeners receive one as an event
 * when a message was sent ({@link State#SENT}) or failed for good ({@link State#FAILED}).
 *
 * @param transactionId the transaction ID the message is sent with, unique to this device; it
 *     identifies the message in the queue and in {@link HeadlessClient#retryQueued} and {@link
 *     HeadlessClient#discardQueued}
 * @param roomId the room the message goes to
 * @param eventType the event type, such as {@code m.room.message} or {@code de.gematik.fhir}
 * @param queuedAt when the message was queued
 * @param attempts attempts to send it so far, counting one in progress
 * @param state where it stands
 * @param eventId the event ID the homeserver assigned, for {@link State#SENT}; otherwise {@code
 *     null}
 * @param failure why it failed, for {@link State#FAILED}; otherwise {@code null}
 * @param httpStatus the HTTP status of the homeserver's refusal, if a refusal failed it; otherwise
 *     {@code null}
 * @param matrixErrcode the Matrix error code of the homeserver's refusal, such as {@code
 *     M_FORBIDDEN}, if a refusal failed it; otherwise {@code null}
 */
public record QueuedMessage(
    String transactionId,
    String roomId,
    String eventType,
    Instant queuedAt,
    int attempts,
    State state,
    String eventId,
    ErrorCode failure,
    Integer httpStatus,
    String matrixErrcode)
    implements ClientEvent {

  /** Where a queued message stands. */
  public enum State {
    /** Waiting for its turn, or for the next attempt after a failure that may pass. */
    WAITING,
    /** An attempt to send it runs. */
    SENDING,
    /** The homeserver accepted it; it has left the queue. */
    SENT,
    /** It could not be sent; it stays queued until it is retried or discarded. */
    FAILED
  }

  /**
   * Creates a queued message's snapshot.
   *
   * @param transactionId see the record component
   * @param roomId see the record component
   * @param eventType see the record component
   * @param queuedAt see the record component
   * @param attempts see the record component
   * @param state see the record component
   * @param eventId see the record component
   * @param failure see the record component
   * @param httpStatus see the record component
   * @param matrixErrcode see the record component
   * @throws InvalidArgumentException if a component that the state needs is {@code null}
   * @throws InvalidArgumentException if {@code attempts} is negative
   */
  public QueuedMessage {
    Arguments.required(transactionId, "transactionId");
    Arguments.required(roomId, "roomId");
    Arguments.required(eventType, "eventType");
    Arguments.required(queuedAt, "queuedAt");
    Arguments.required(state, "state");
    Arguments.check(attempts >= 0, "attempts", "must not be negative");
    if (state == State.SENT) {
      Arguments.required(eventId, "eventId");
    }
    if (state == State.FAILED) {
      Arguments.required(failure, "failure");
    }
  }

  /**
   * The event ID of a sent message.
   *
   * @return the event ID, or empty unless the state is {@link State#SENT}
   */
  public Optional<String> optionalEventId() {
    return Optional.ofNullable(eventId);
  }

  /**
   * Why the message failed.
   *
   * @return the failure's code, or empty unless the state is {@link State#FAILED}
   */
  public Optional<ErrorCode> optionalFailure() {
    return Optional.ofNullable(failure);
  }
}
