package health.tim.headless.testdriver;

import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The driver's configuration, under {@code tim.testdriver}.
 *
 * @param allowPlainHttp serve plain HTTP without TLS; for development only, logged as a warning
 * @param homeserver the homeserver name reported by {@code GET /}
 * @param fachdienstName the Fachdienst software's name reported by {@code GET /}
 * @param fachdienstVersion the Fachdienst software's version reported by {@code GET /}
 * @param contactName who answers questions about this driver, reported by {@code GET /}
 * @param devices the devices, each one client; the list index is the device ID
 */
@ConfigurationProperties("tim.testdriver")
public record TestDriverProperties(
    boolean allowPlainHttp,
    String homeserver,
    String fachdienstName,
    String fachdienstVersion,
    String contactName,
    List<DeviceProperties> devices) {

  /**
   * Fills in empty values.
   *
   * @param allowPlainHttp see the record component
   * @param homeserver see the record component
   * @param fachdienstName see the record component
   * @param fachdienstVersion see the record component
   * @param contactName see the record component
   * @param devices see the record component
   */
  public TestDriverProperties {
    devices = devices == null ? List.of() : List.copyOf(devices);
  }

  /**
   * One device: a client with a store of its own and the account it logs in with when the login
   * request names none.
   *
   * @param name the device name shown by {@code GET /devices}
   * @param homeserverUrl the homeserver's base URL
   * @param storeDirectory the client's store directory, emptied by {@code POST /}
   * @param storePassphrase the store passphrase
   * @param username the preconfigured account's user ID or localpart, or {@code null}
   * @param password the preconfigured account's password, or {@code null}
   */
  public record DeviceProperties(
      String name,
      String homeserverUrl,
      Path storeDirectory,
      String storePassphrase,
      String username,
      String password) {

    /** Keeps the passphrase and password out of logs. */
    @Override
    public String toString() {
      return "DeviceProperties[name=" + name + ", homeserverUrl=" + homeserverUrl + "]";
    }
  }
}
