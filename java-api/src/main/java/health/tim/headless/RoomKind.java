package health.tim.headless;

/** The kinds of room a TI-M Pro client creates. */
public enum RoomKind {
  /** A private room: join rule {@code invite}, history visibility {@code invited}; encrypted. */
  PRIVATE,
  /** A private room marked as a direct chat with its one invitee; encrypted. */
  DIRECT,
  /**
   * A public room of this homeserver only ({@code m.federate: false}); the only kind that is not
   * encrypted.
   */
  PUBLIC
}
