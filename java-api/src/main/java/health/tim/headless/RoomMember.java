package health.tim.headless;

/**
 * A member of a room.
 *
 * @param userId the full Matrix user ID
 * @param displayName the display name in this room, or {@code null}
 * @param membership the membership
 */
public record RoomMember(String userId, String displayName, Membership membership) {
  /**
   * Creates a room member.
   *
   * @param userId see the record component
   * @param displayName see the record component
   * @param membership see the record component
   * @throws InvalidArgumentException if {@code userId} or {@code membership} is {@code null}
   */
  public RoomMember {
    Arguments.required(userId, "userId");
    Arguments.required(membership, "membership");
  }
}
