package health.tim.headless;

/**
 * Something that happened in the account, delivered to {@link ClientListener}s.
 *
 * <p>Every event names the room it belongs to.
 */
public sealed interface ClientEvent permits MessageEvent, InviteEvent {
  /**
   * The room the event belongs to.
   *
   * @return the room ID, for example {@code !abc:example.org}
   */
  String roomId();
}
