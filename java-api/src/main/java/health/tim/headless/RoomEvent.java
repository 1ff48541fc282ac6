package health.tim.headless;

import java.time.Instant;

/**
 * An event of a room's timeline: it has an ID, a sender and a time, and it was encrypted or not.
 *
 * <p>Events that carry message content ({@link MessageEvent}, {@link EditEvent}, {@link
 * CustomEvent}, {@link StateEvent}) leave that content out of {@code toString()}, so that logging
 * an event does not log what a patient wrote.
 */
public sealed interface RoomEvent extends ClientEvent
    permits MessageEvent,
        EditEvent,
        RedactionEvent,
        ReactionEvent,
        CustomEvent,
        StateEvent,
        UndecryptableEvent {
  /**
   * The room the event belongs to.
   *
   * @return the room ID, for example {@code !abc:example.org}
   */
  String roomId();

  /**
   * The event ID the homeserver assigned.
   *
   * @return the event ID, for example {@code $abc}
   */
  String eventId();

  /**
   * The sender.
   *
   * @return the full Matrix user ID of the sender
   */
  String sender();

  /**
   * When the sender's homeserver received the event.
   *
   * @return the homeserver's timestamp
   */
  Instant timestamp();

  /**
   * Whether the event arrived end-to-end encrypted.
   *
   * @return {@code true} if it was encrypted
   */
  boolean encrypted();

  /**
   * The case references the event's room was filed under when the client handed the event over (or
   * read it, for history and room state); see {@link HeadlessClient#linkCase}.
   *
   * @return the references, in the order they were linked; empty when the room has none
   */
  java.util.List<CaseReference> caseReferences();
}
