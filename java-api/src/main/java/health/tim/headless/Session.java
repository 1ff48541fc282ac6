package health.tim.headless;

/**
 * The logged-in identity of a client. It holds no token: tokens stay in the native store.
 *
 * @param userId the full Matrix user ID, for example {@code @alice:example.org}
 * @param deviceId this client's device ID
 */
public record Session(String userId, String deviceId) {
  /**
   * Creates a session record.
   *
   * @param userId see the record component
   * @param deviceId see the record component
   * @throws InvalidArgumentException if a component is {@code null}
   */
  public Session {
    Arguments.required(userId, "userId");
    Arguments.required(deviceId, "deviceId");
  }
}
