package health.tim.headless.testdriver;

import health.tim.headless.HeadlessClient;
import health.tim.headless.PermissionConfig;
import health.tim.headless.PermissionConfig.Default;
import health.tim.headless.testdriver.api.AuthorizationManagementApi;
import health.tim.headless.testdriver.model.AuthorizationList;
import health.tim.headless.testdriver.model.AuthorizationMode;
import health.tim.headless.testdriver.model.GroupName;
import health.tim.headless.testdriver.model.MxId;
import health.tim.headless.testdriver.model.ServerName;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

/**
 * The authorization mode and the allowed and blocked users, onto the account's permission
 * configuration. In mode AllowAll its exceptions are the blocked users, in BlockAll the allowed
 * ones; the list of the other kind does not exist in that mode (403, as the interface says).
 * Without a stored configuration the account is in mode AllowAll without exceptions.
 */
@RestController
class AuthorizationController implements AuthorizationManagementApi {
  private final DeviceRegistry devices;

  AuthorizationController(DeviceRegistry devices) {
    this.devices = devices;
  }

  @Override
  public ResponseEntity<AuthorizationMode> getAuthorizationMode(
      Long deviceId, String transactionId) {
    return ResponseEntity.ok(mode(current(devices.use(deviceId))));
  }

  @Override
  public ResponseEntity<AuthorizationMode> setAuthorizationMode(
      Long deviceId, String body, String transactionId) {
    HeadlessClient client = devices.use(deviceId);
    AuthorizationMode wanted = parseMode(body);
    PermissionConfig config = current(client);
    if (mode(config) != wanted) {
      // The exceptions of one mode mean the opposite in the other: a switch starts empty.
      config =
          wanted == AuthorizationMode.ALLOW_ALL
              ? PermissionConfig.allowAll()
              : PermissionConfig.blockAll();
      Calls.await(client.setPermissionConfig(config));
    }
    return ResponseEntity.ok(mode(config));
  }

  @Override
  public ResponseEntity<AuthorizationList> getAllowedUsersList(
      Long deviceId, String transactionId) {
    return ResponseEntity.ok(list(inMode(devices.use(deviceId), Default.BLOCK_ALL)));
  }

  @Override
  public ResponseEntity<AuthorizationList> addAllowedUsersList(
      Long deviceId, AuthorizationList entries, String transactionId) {
    return ResponseEntity.ok(list(change(deviceId, Default.BLOCK_ALL, entries, true)));
  }

  @Override
  public ResponseEntity<Void> deleteAllowedUsersList(
      Long deviceId, AuthorizationList entries, String transactionId) {
    change(deviceId, Default.BLOCK_ALL, entries, false);
    return ResponseEntity.noContent().build();
  }

  @Override
  public ResponseEntity<AuthorizationList> getBlockedUsersList(
      Long deviceId, String transactionId) {
    return ResponseEntity.ok(list(inMode(devices.use(deviceId), Default.ALLOW_ALL)));
  }

  @Override
  public ResponseEntity<AuthorizationList> addBlockedUsersList(
      Long deviceId, AuthorizationList entries, String transactionId) {
    return ResponseEntity.ok(list(change(deviceId, Default.ALLOW_ALL, entries, true)));
  }

  @Override
  public ResponseEntity<Void> deleteBlockedUsersList(
      Long deviceId, AuthorizationList entries, String transactionId) {
    change(deviceId, Default.ALLOW_ALL, entries, false);
    return ResponseEntity.noContent().build();
  }

  private PermissionConfig change(
      long deviceId, Default mode, AuthorizationList entries, boolean add) {
    HeadlessClient client = devices.use(deviceId);
    PermissionConfig config = inMode(client, mode);
    Set<String> users = new HashSet<>(config.userExceptions());
    Set<String> servers = new HashSet<>(config.serverExceptions());
    boolean insured = config.insuredPersonsExcepted();
    for (MxId user : orEmpty(entries.getMxids())) {
      changeSet(users, user.getMxid(), add);
    }
    for (ServerName server : orEmpty(entries.getServerNames())) {
      changeSet(servers, server.getServerName(), add);
    }
    if (orEmpty(entries.getGroupNames()).contains(GroupName.IS_INSURED_PERSON)) {
      insured = add;
    }
    PermissionConfig changed = new PermissionConfig(mode, users, servers, insured);
    Calls.await(client.setPermissionConfig(changed));
    return changed;
  }

  private static void changeSet(Set<String> set, String value, boolean add) {
    if (add) {
      set.add(value);
    } else {
      set.remove(value);
    }
  }

  /**
   * The configuration, which must be in {@code mode}.
   *
   * @throws DriverException 403 in the other mode
   */
  private static PermissionConfig inMode(HeadlessClient client, Default mode) {
    PermissionConfig config = current(client);
    if (config.defaultSetting() != mode) {
      throw new DriverException(
          HttpStatus.FORBIDDEN,
          "WRONG_MODE",
          "this list does not exist in mode " + mode(config).getValue());
    }
    return config;
  }

  private static PermissionConfig current(HeadlessClient client) {
    return Calls.await(client.permissionConfig()).orElseGet(PermissionConfig::allowAll);
  }

  private static AuthorizationMode mode(PermissionConfig config) {
    return config.defaultSetting() == Default.ALLOW_ALL
        ? AuthorizationMode.ALLOW_ALL
        : AuthorizationMode.BLOCK_ALL;
  }

  /** The body is a JSON string ({@code "AllowAll"}); the generated interface hands it over raw. */
  private static AuthorizationMode parseMode(String body) {
    String value = body == null ? "" : body.strip();
    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
      value = value.substring(1, value.length() - 1);
    }
    for (AuthorizationMode mode : AuthorizationMode.values()) {
      if (mode.getValue().equals(value)) {
        return mode;
      }
    }
    throw new DriverException(HttpStatus.BAD_REQUEST, "UNKNOWN_MODE", "AllowAll or BlockAll");
  }

  private static AuthorizationList list(PermissionConfig config) {
    List<GroupName> groups =
        config.insuredPersonsExcepted() ? List.of(GroupName.IS_INSURED_PERSON) : List.of();
    return new AuthorizationList(
        groups,
        config.userExceptions().stream().sorted().map(MxId::new).toList(),
        config.serverExceptions().stream().sorted().map(ServerName::new).toList());
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
