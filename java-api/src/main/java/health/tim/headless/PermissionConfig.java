package health.tim.headless;

import java.util.Set;

/**
 * Who may invite this account: TI-M's permission configuration (account data {@code
 * de.gematik.tim.account.permissionconfig.pro.v1}), which the Fachdienst enforces. The default
 * applies to everybody except the users, servers and groups named as exceptions, for which it is
 * inverted.
 *
 * @param defaultSetting what applies to everybody not named in an exception
 * @param userExceptions full Matrix user IDs the default does not apply to
 * @param serverExceptions server names (for example {@code klinik.example.org}) the default does
 *     not apply to
 * @param insuredPersonsExcepted whether the group {@code isInsuredPerson} (insurers' customers) is
 *     an exception
 */
public record PermissionConfig(
    Default defaultSetting,
    Set<String> userExceptions,
    Set<String> serverExceptions,
    boolean insuredPersonsExcepted) {

  /** The default setting of a permission configuration. */
  public enum Default {
    /** Everybody may invite this account, except the exceptions. */
    ALLOW_ALL,
    /** Nobody may invite this account, except the exceptions. */
    BLOCK_ALL
  }

  /**
   * Creates a configuration; the sets are copied. Entries are checked against gematik's schema when
   * the configuration is written.
   *
   * @param defaultSetting see the record component
   * @param userExceptions see the record component
   * @param serverExceptions see the record component
   * @param insuredPersonsExcepted see the record component
   * @throws InvalidArgumentException if a component or an entry is {@code null}
   */
  public PermissionConfig {
    Arguments.required(defaultSetting, "defaultSetting");
    userExceptions = Arguments.setOf(userExceptions, "userExceptions");
    serverExceptions = Arguments.setOf(serverExceptions, "serverExceptions");
  }

  /**
   * A configuration that allows everybody.
   *
   * @return the configuration
   */
  public static PermissionConfig allowAll() {
    return new PermissionConfig(Default.ALLOW_ALL, Set.of(), Set.of(), false);
  }

  /**
   * A configuration that blocks everybody.
   *
   * @return the configuration
   */
  public static PermissionConfig blockAll() {
    return new PermissionConfig(Default.BLOCK_ALL, Set.of(), Set.of(), false);
  }

  /**
   * This configuration with one more user exception.
   *
   * @param userId the full Matrix user ID
   * @return a new configuration
   */
  public PermissionConfig withUserException(String userId) {
    return new PermissionConfig(
        defaultSetting,
        plus(userExceptions, userId, "userId"),
        serverExceptions,
        insuredPersonsExcepted);
  }

  /**
   * This configuration with one more server exception.
   *
   * @param serverName the server name
   * @return a new configuration
   */
  public PermissionConfig withServerException(String serverName) {
    return new PermissionConfig(
        defaultSetting,
        userExceptions,
        plus(serverExceptions, serverName, "serverName"),
        insuredPersonsExcepted);
  }

  private static Set<String> plus(Set<String> set, String element, String name) {
    java.util.HashSet<String> copy = new java.util.HashSet<>(set);
    copy.add(Arguments.required(element, name));
    return copy;
  }
}
