package health.tim.headless;

/**
 * A room's settings, with the fields of the {@code Room} object of gematik's TI-M test driver.
 *
 * @param roomId the room ID
 * @param name the room's name, or {@code null}
 * @param topic the room's topic (the test driver's {@code theme}), or {@code null}
 * @param access {@code public} when anyone may join, {@code private} otherwise
 * @param joinRule the join rule, for example {@code invite} or {@code public}
 * @param federated whether users of other homeservers may join
 * @param historyVisibility the history visibility, for example {@code invited}
 * @param encrypted whether the room is end-to-end encrypted
 * @param roomVersion the room version, for example {@code 10}
 */
public record RoomSettings(
    String roomId,
    String name,
    String topic,
    String access,
    String joinRule,
    boolean federated,
    String historyVisibility,
    boolean encrypted,
    String roomVersion) {

  /**
   * Creates room settings.
   *
   * @param roomId see the record component
   * @param name see the record component
   * @param topic see the record component
   * @param access see the record component
   * @param joinRule see the record component
   * @param federated see the record component
   * @param historyVisibility see the record component
   * @param encrypted see the record component
   * @param roomVersion see the record component
   * @throws InvalidArgumentException if a component other than {@code name} or {@code topic} is
   *     {@code null}
   */
  public RoomSettings {
    Arguments.required(roomId, "roomId");
    Arguments.required(access, "access");
    Arguments.required(joinRule, "joinRule");
    Arguments.required(historyVisibility, "historyVisibility");
    Arguments.required(roomVersion, "roomVersion");
  }
}
