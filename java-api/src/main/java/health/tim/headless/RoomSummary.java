package health.tim.headless;

import java.time.Instant;
import java.util.Optional;

/**
 * A room as a room list shows it.
 *
 * @param roomId the room ID
 * @param name the room's name, or {@code null}
 * @param topic the room's topic, or {@code null}
 * @param membership this account's membership
 * @param encrypted whether the room is end-to-end encrypted
 * @param direct whether this account marked the room as a direct chat
 * @param joinedMembers the number of joined members
 * @param unreadCount the number of messages since this account's last read receipt, as the
 *     homeserver counts them
 * @param lastActivity the time of the newest timeline event this client has synced in the room, its
 *     own included, also before a restart; {@code null} if it has synced none (events read only
 *     through the history do not count)
 */
public record RoomSummary(
    String roomId,
    String name,
    String topic,
    Membership membership,
    boolean encrypted,
    boolean direct,
    long joinedMembers,
    long unreadCount,
    Instant lastActivity) {

  /**
   * Creates a room summary.
   *
   * @param roomId see the record component
   * @param name see the record component
   * @param topic see the record component
   * @param membership see the record component
   * @param encrypted see the record component
   * @param direct see the record component
   * @param joinedMembers see the record component
   * @param unreadCount see the record component
   * @param lastActivity see the record component
   * @throws InvalidArgumentException if {@code roomId} or {@code membership} is {@code null}
   */
  public RoomSummary {
    Arguments.required(roomId, "roomId");
    Arguments.required(membership, "membership");
  }

  /**
   * The room's name.
   *
   * @return the name, or empty
   */
  public Optional<String> optionalName() {
    return Optional.ofNullable(name);
  }
}
