package health.tim.headless;

/**
 * Receives a client's events on the client's delivery thread, one at a time and in the order in
 * which the sync loop saw them.
 *
 * <p>Implementations should return quickly and hand longer work to a thread of their own: while a
 * listener runs, no further event is delivered. An exception thrown by a listener is logged and
 * does not stop delivery to other listeners or of later events.
 */
public interface ClientListener {
  /**
   * A room message arrived.
   *
   * @param message the message, decrypted
   */
  default void onMessage(MessageEvent message) {}

  /**
   * This account was invited into a room.
   *
   * @param invite the invitation
   */
  default void onInvite(InviteEvent invite) {}
}
