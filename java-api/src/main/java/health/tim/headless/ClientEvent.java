package health.tim.headless;

/**
 * Something that happened in the account, delivered to {@link ClientListener}s.
 *
 * <p>Every event names the room it belongs to. Timeline events are {@link RoomEvent}s; read
 * receipts, invitations and the send queue's reports ({@link QueuedMessage}) are not part of a
 * room's timeline.
 */
public sealed interface ClientEvent permits RoomEvent, ReceiptEvent, InviteEvent, QueuedMessage {
  /**
   * The room the event belongs to.
   *
   * @return the room ID, for example {@code !abc:example.org}
   */
  String roomId();
}
