package health.tim.headless;

/**
 * An invitation of this account into a room. Accept it with {@link HeadlessClient#joinRoom}.
 *
 * @param roomId the room this account is invited to
 * @param inviter the full Matrix user ID of the inviting user
 */
public record InviteEvent(String roomId, String inviter) implements ClientEvent {
  /**
   * Creates an invitation event.
   *
   * @param roomId see the record component
   * @param inviter see the record component
   * @throws InvalidArgumentException if a component is {@code null}
   */
  public InviteEvent {
    Arguments.required(roomId, "roomId");
    Arguments.required(inviter, "inviter");
  }
}
