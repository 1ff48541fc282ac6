package health.tim.headless.spring;

import health.tim.headless.HeadlessClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the tim-headless clients under {@code tim.headless}. The top-level settings describe
 * one account (the simple case) and are the defaults of every entry in {@link #getAccounts()}, the
 * list for systems that run several accounts, such as contact centers.
 *
 * <p>Secrets are not among these settings' values: the store passphrase, the recovery passphrase
 * and the login password come from a {@link TimSecrets} bean, or from the properties {@code
 * tim.headless.store-passphrase}, {@code tim.headless.recovery-passphrase} and {@code
 * tim.headless.password} (and the same under {@code tim.headless.accounts[n]}), which are taken out
 * of the environment before anything can read or show them.
 */
@ConfigurationProperties(prefix = TimHeadlessProperties.PREFIX)
public class TimHeadlessProperties extends AccountSettings {
  /** The prefix of every property. */
  public static final String PREFIX = "tim.headless";

  /** Creates the settings; Spring does, when binding. */
  public TimHeadlessProperties() {}

  /** Base URL of the VZD-FHIR-Directory, for the directory searches. */
  private URI directoryUrl;

  /** Where the structured-data client report goes, if anywhere. */
  private URI clientReportUrl;

  /** HTTP proxy for every request of the clients, for example http://proxy.example.org:3128. */
  private URI proxy;

  /** PEM files with extra CA certificates to trust (a TLS-inspecting proxy, a test CA). */
  private List<Path> trustedCertificates = new ArrayList<>();

  /** Directory the native library is extracted to; a private temporary directory if unset. */
  private Path nativeDirectory;

  /** The integrating system: the usage context every client reports. */
  private final IntegratingSystem integratingSystem = new IntegratingSystem();

  /** The sync loop. */
  private final Sync sync = new Sync();

  /** Several accounts, each with its own store; the top-level settings are their defaults. */
  private List<Account> accounts = new ArrayList<>();

  /** The integrating system's identity. */
  public static class IntegratingSystem {
    /** Name of the integrating system, for example "KIS Beispiel". Required. */
    private String name;

    /** Version of the integrating system. Required. */
    private String version;

    /** Vendor of the integrating system. */
    private String vendor;

    /**
     * The name.
     *
     * @return the name
     */
    public String getName() {
      return name;
    }

    /**
     * Sets the name.
     *
     * @param name the name
     */
    public void setName(String name) {
      this.name = name;
    }

    /**
     * The version.
     *
     * @return the version
     */
    public String getVersion() {
      return version;
    }

    /**
     * Sets the version.
     *
     * @param version the version
     */
    public void setVersion(String version) {
      this.version = version;
    }

    /**
     * The vendor.
     *
     * @return the vendor
     */
    public String getVendor() {
      return vendor;
    }

    /**
     * Sets the vendor.
     *
     * @param vendor the vendor
     */
    public void setVendor(String vendor) {
      this.vendor = vendor;
    }
  }

  /** Settings of the sync loop. */
  public static class Sync {
    /** Whether each client logs in (if needed) and starts syncing with the application. */
    private boolean autoStart = true;

    /**
     * Pause after each sync so that events arriving meanwhile share one response: longer saves CPU
     * per message and adds up to its length to each message's latency (0 to 1s).
     */
    private Duration batchWindow = HeadlessClient.DEFAULT_SYNC_BATCH_WINDOW;

    /**
     * The pause between syncs.
     *
     * @return the pause
     */
    public Duration getBatchWindow() {
      return batchWindow;
    }

    /**
     * Sets the pause between syncs.
     *
     * @param batchWindow the pause
     */
    public void setBatchWindow(Duration batchWindow) {
      this.batchWindow = batchWindow;
    }

    /**
     * Whether the clients start with the application.
     *
     * @return whether they do
     */
    public boolean isAutoStart() {
      return autoStart;
    }

    /**
     * Sets whether the clients start with the application.
     *
     * @param autoStart whether they do
     */
    public void setAutoStart(boolean autoStart) {
      this.autoStart = autoStart;
    }
  }

  /** One account of several. Unset settings are taken from the top level. */
  public static class Account extends AccountSettings {
    /** Name of the account in bean names, events, health and metrics: letters, digits, '-'. */
    private String name;

    /** Creates an account's settings; Spring does, when binding. */
    public Account() {}

    /**
     * The name.
     *
     * @return the name
     */
    public String getName() {
      return name;
    }

    /**
     * Sets the name.
     *
     * @param name the name
     */
    public void setName(String name) {
      this.name = name;
    }
  }

  /**
   * The directory URL.
   *
   * @return the URL
   */
  public URI getDirectoryUrl() {
    return directoryUrl;
  }

  /**
   * Sets the directory URL.
   *
   * @param directoryUrl the URL
   */
  public void setDirectoryUrl(URI directoryUrl) {
    this.directoryUrl = directoryUrl;
  }

  /**
   * The client report URL.
   *
   * @return the URL
   */
  public URI getClientReportUrl() {
    return clientReportUrl;
  }

  /**
   * Sets the client report URL.
   *
   * @param clientReportUrl the URL
   */
  public void setClientReportUrl(URI clientReportUrl) {
    this.clientReportUrl = clientReportUrl;
  }

  /**
   * The proxy.
   *
   * @return the proxy URL
   */
  public URI getProxy() {
    return proxy;
  }

  /**
   * Sets the proxy.
   *
   * @param proxy the proxy URL
   */
  public void setProxy(URI proxy) {
    this.proxy = proxy;
  }

  /**
   * The extra CA certificate files.
   *
   * @return the files
   */
  public List<Path> getTrustedCertificates() {
    return trustedCertificates;
  }

  /**
   * Sets the extra CA certificate files.
   *
   * @param trustedCertificates the files
   */
  public void setTrustedCertificates(List<Path> trustedCertificates) {
    this.trustedCertificates = trustedCertificates;
  }

  /**
   * The native extraction directory.
   *
   * @return the directory
   */
  public Path getNativeDirectory() {
    return nativeDirectory;
  }

  /**
   * Sets the native extraction directory.
   *
   * @param nativeDirectory the directory
   */
  public void setNativeDirectory(Path nativeDirectory) {
    this.nativeDirectory = nativeDirectory;
  }

  /**
   * The integrating system.
   *
   * @return its settings
   */
  public IntegratingSystem getIntegratingSystem() {
    return integratingSystem;
  }

  /**
   * The sync settings.
   *
   * @return the settings
   */
  public Sync getSync() {
    return sync;
  }

  /**
   * The accounts.
   *
   * @return the accounts
   */
  public List<Account> getAccounts() {
    return accounts;
  }

  /**
   * Sets the accounts.
   *
   * @param accounts the accounts
   */
  public void setAccounts(List<Account> accounts) {
    this.accounts = accounts;
  }
}
