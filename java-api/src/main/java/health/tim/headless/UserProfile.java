package health.tim.headless;

/**
 * A user as the homeserver's user directory or profile shows them.
 *
 * @param userId the full Matrix user ID
 * @param displayName the display name, or {@code null}
 * @param avatarUrl the avatar as an {@code mxc://} URI, or {@code null}
 */
public record UserProfile(String userId, String displayName, String avatarUrl) {
  /**
   * Creates a profile.
   *
   * @param userId see the record component
   * @param displayName see the record component
   * @param avatarUrl see the record component
   * @throws InvalidArgumentException if {@code userId} is {@code null}
   */
  public UserProfile {
    Arguments.required(userId, "userId");
  }
}
