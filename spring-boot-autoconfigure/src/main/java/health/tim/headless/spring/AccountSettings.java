package health.tim.headless.spring;

import java.net.URI;
import java.nio.file.Path;

/**
 * The settings of one account: at the top level of {@code tim.headless} for the simple case (and as
 * the defaults of the listed accounts), and under {@code tim.headless.accounts[n]}.
 */
public class AccountSettings {
  /** Base URL of the homeserver (the TI-M Fachdienst), for example https://tim.example.org. */
  private URI homeserverUrl;

  /**
   * Server name whose .well-known/matrix/client names the homeserver; instead of homeserver-url.
   */
  private String serverName;

  /** Directory of the account's encrypted store; one directory per account, never shared. */
  private Path storeDirectory;

  /** Matrix user to log in as when the store holds no session: a localpart or full user ID. */
  private String user;

  /** Display name of the device that a login creates. */
  private String deviceDisplayName;

  /** Creates empty settings; Spring does, when binding. */
  public AccountSettings() {}

  /**
   * The homeserver URL.
   *
   * @return the URL
   */
  public URI getHomeserverUrl() {
    return homeserverUrl;
  }

  /**
   * Sets the homeserver URL.
   *
   * @param homeserverUrl the URL
   */
  public void setHomeserverUrl(URI homeserverUrl) {
    this.homeserverUrl = homeserverUrl;
  }

  /**
   * The server name.
   *
   * @return the server name
   */
  public String getServerName() {
    return serverName;
  }

  /**
   * Sets the server name.
   *
   * @param serverName the server name
   */
  public void setServerName(String serverName) {
    this.serverName = serverName;
  }

  /**
   * The store directory.
   *
   * @return the directory
   */
  public Path getStoreDirectory() {
    return storeDirectory;
  }

  /**
   * Sets the store directory.
   *
   * @param storeDirectory the directory
   */
  public void setStoreDirectory(Path storeDirectory) {
    this.storeDirectory = storeDirectory;
  }

  /**
   * The user.
   *
   * @return the user
   */
  public String getUser() {
    return user;
  }

  /**
   * Sets the user.
   *
   * @param user the user
   */
  public void setUser(String user) {
    this.user = user;
  }

  /**
   * The device display name.
   *
   * @return the name
   */
  public String getDeviceDisplayName() {
    return deviceDisplayName;
  }

  /**
   * Sets the device display name.
   *
   * @param deviceDisplayName the name
   */
  public void setDeviceDisplayName(String deviceDisplayName) {
    this.deviceDisplayName = deviceDisplayName;
  }
}
