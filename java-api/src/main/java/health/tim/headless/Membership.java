package health.tim.headless;

/** A user's membership in a room, as Matrix names it. */
public enum Membership {
  /** Joined: reads and writes the room. */
  JOIN,
  /** Invited and not yet answered. */
  INVITE,
  /** Left, declined, or removed. */
  LEAVE,
  /** Asked to join. */
  KNOCK,
  /** Banned. */
  BAN;

  /** Resolves the Matrix name ({@code join}, ...); an unknown name counts as {@link #LEAVE}. */
  static Membership fromMatrix(String name) {
    for (Membership membership : values()) {
      if (membership.name().equalsIgnoreCase(name)) {
        return membership;
      }
    }
    return LEAVE;
  }
}
