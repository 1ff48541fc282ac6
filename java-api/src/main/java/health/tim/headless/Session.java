package health.tim.headless;

import java.util.Objects;

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
   * @throws NullPointerException if a component is {@code null}
   */
  public Session {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(deviceId, "deviceId");
  }
}
