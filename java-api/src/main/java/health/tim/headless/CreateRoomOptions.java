package health.tim.headless;

/**
 * What a new room looks like. Start from {@link #privateRoom()}, {@link #directChat(String)} or
 * {@link #publicRoom()} and refine with the {@code with...} methods; every instance is immutable.
 *
 * <p>Every room gets TI-M's defaults: room version 10 (9 on request), room type {@code
 * de.gematik.tim.roomtype.default.v1}, the state event {@code de.gematik.tim.room.default.v1}, and
 * name and topic both as {@code m.room.name}/{@code m.room.topic} and as {@code
 * de.gematik.tim.room.name}/{@code de.gematik.tim.room.topic}. TI-M allows at most one invitee at
 * creation; invite further users with {@link HeadlessClient#inviteUser}.
 *
 * @param kind the kind of room
 * @param encrypted whether the room is end-to-end encrypted; {@link HeadlessClient#createRoom}
 *     refuses a private room or direct chat without encryption and a public room with it
 * @param name the room's name, or {@code null}
 * @param topic the room's topic, or {@code null}
 * @param invitee the one user invited at creation, or {@code null}; required for a direct chat
 * @param roomVersion the room version, {@code "9"} or {@code "10"}, or {@code null} for TI-M's
 *     default {@code "10"}; {@link HeadlessClient#createRoom} refuses any other, including {@code
 *     "11"}, which TI-M clients understand but never create
 */
public record CreateRoomOptions(
    RoomKind kind,
    boolean encrypted,
    String name,
    String topic,
    String invitee,
    String roomVersion) {

  /**
   * Creates options; prefer the factory methods.
   *
   * @param kind see the record component
   * @param encrypted see the record component
   * @param name see the record component
   * @param topic see the record component
   * @param invitee see the record component
   * @param roomVersion see the record component
   * @throws InvalidArgumentException if {@code kind} is {@code null}
   */
  public CreateRoomOptions {
    Arguments.required(kind, "kind");
  }

  /**
   * A private, encrypted room without name, topic or invitee.
   *
   * @return the options
   */
  public static CreateRoomOptions privateRoom() {
    return new CreateRoomOptions(RoomKind.PRIVATE, true, null, null, null, null);
  }

  /**
   * An encrypted direct chat with one user.
   *
   * @param invitee the full Matrix user ID of the other user
   * @return the options
   */
  public static CreateRoomOptions directChat(String invitee) {
    return new CreateRoomOptions(RoomKind.DIRECT, true, null, null, invitee, null);
  }

  /**
   * A public, unencrypted room of this homeserver only.
   *
   * @return the options
   */
  public static CreateRoomOptions publicRoom() {
    return new CreateRoomOptions(RoomKind.PUBLIC, false, null, null, null, null);
  }

  /**
   * These options with a name.
   *
   * @param newName the room's name
   * @return new options
   */
  public CreateRoomOptions withName(String newName) {
    return new CreateRoomOptions(kind, encrypted, newName, topic, invitee, roomVersion);
  }

  /**
   * These options with a topic.
   *
   * @param newTopic the room's topic
   * @return new options
   */
  public CreateRoomOptions withTopic(String newTopic) {
    return new CreateRoomOptions(kind, encrypted, name, newTopic, invitee, roomVersion);
  }

  /**
   * These options with the one user invited at creation.
   *
   * @param userId the full Matrix user ID
   * @return new options
   */
  public CreateRoomOptions withInvitee(String userId) {
    return new CreateRoomOptions(kind, encrypted, name, topic, userId, roomVersion);
  }

  /**
   * These options with encryption switched on or off. Only the combinations TI-M allows are
   * accepted by {@link HeadlessClient#createRoom}; the method exists so that a caller's wrong
   * choice is refused with a clear error instead of being silently corrected.
   *
   * @param newEncrypted whether the room is encrypted
   * @return new options
   */
  public CreateRoomOptions withEncrypted(boolean newEncrypted) {
    return new CreateRoomOptions(kind, newEncrypted, name, topic, invitee, roomVersion);
  }

  /**
   * These options with a room version other than the default. Only {@code "9"} and {@code "10"} are
   * accepted by {@link HeadlessClient#createRoom}; like {@link #withEncrypted}, the method exists
   * so that a wrong choice is refused with a clear error.
   *
   * @param newRoomVersion the room version, or {@code null} for the default
   * @return new options
   */
  public CreateRoomOptions withRoomVersion(String newRoomVersion) {
    return new CreateRoomOptions(kind, encrypted, name, topic, invitee, newRoomVersion);
  }
}
