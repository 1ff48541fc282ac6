package health.tim.headless.spring;

import health.tim.headless.HeadlessClient;
import health.tim.headless.InvalidArgumentException;
import health.tim.headless.TimException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;

/**
 * The clients of the application, one per configured account, by name. The clients are opened
 * (their stores locked) when this bean is created and closed when it is destroyed; logging in and
 * syncing are the business of {@link TimHeadlessLifecycle}.
 */
public class TimHeadlessClients implements DisposableBean {
  /** The name of the account the top-level properties describe. */
  public static final String DEFAULT_ACCOUNT = "default";

  private static final Logger LOG = LoggerFactory.getLogger(TimHeadlessClients.class);
  private static final Pattern ACCOUNT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,63}");

  private final Map<String, HeadlessClient> clients;
  private final Map<String, Settings> settings;

  /** What the lifecycle needs of an account besides its client. */
  record Settings(String user, String deviceDisplayName, int index) {}

  /**
   * Opens a client for each configured account.
   *
   * @param properties the settings
   * @param secrets where the secrets come from
   * @throws TimHeadlessPropertyException for a setting that does not allow a client to open
   */
  public TimHeadlessClients(TimHeadlessProperties properties, TimSecrets secrets) {
    List<Resolved> accounts = resolve(properties);
    Map<String, HeadlessClient> opened = new LinkedHashMap<>();
    Map<String, Settings> kept = new LinkedHashMap<>();
    try {
      for (Resolved account : accounts) {
        opened.put(account.name, open(properties, account, secrets));
        kept.put(account.name, new Settings(account.user, account.deviceName, account.index));
      }
    } catch (RuntimeException e) {
      opened.values().forEach(HeadlessClient::close);
      throw e;
    }
    this.clients = Collections.unmodifiableMap(opened);
    this.settings = Collections.unmodifiableMap(kept);
  }

  /**
   * The client of an account.
   *
   * @param account the account's name
   * @return its client
   * @throws IllegalArgumentException if there is no such account
   */
  public HeadlessClient get(String account) {
    HeadlessClient client = clients.get(account);
    if (client == null) {
      throw new IllegalArgumentException("no tim-headless account is named " + account);
    }
    return client;
  }

  /**
   * Every client, by account name, in the order of the configuration.
   *
   * @return the clients
   */
  public Map<String, HeadlessClient> all() {
    return clients;
  }

  Settings settings(String account) {
    return settings.get(account);
  }

  /** Closes every client: their stores are released. Idempotent. */
  @Override
  public void destroy() {
    clients.values().forEach(HeadlessClient::close);
  }

  /** An account with the top-level defaults filled in. */
  private record Resolved(
      String name,
      int index,
      String prefix,
      URI homeserverUrl,
      String serverName,
      Path storeDirectory,
      String user,
      String deviceName) {}

  private static List<Resolved> resolve(TimHeadlessProperties properties) {
    String prefix = TimHeadlessProperties.PREFIX;
    require(
        properties.getIntegratingSystem().getName(),
        prefix + ".integrating-system.name",
        "set the name of the integrating system (the usage context every client reports)");
    require(
        properties.getIntegratingSystem().getVersion(),
        prefix + ".integrating-system.version",
        "set the version of the integrating system");

    List<Resolved> resolved = new ArrayList<>();
    // An empty property ("tim.headless.store-directory=") counts as unset.
    properties.setHomeserverUrl(unlessEmpty(properties.getHomeserverUrl()));
    properties.setStoreDirectory(unlessEmpty(properties.getStoreDirectory()));
    for (TimHeadlessProperties.Account account : properties.getAccounts()) {
      account.setHomeserverUrl(unlessEmpty(account.getHomeserverUrl()));
      account.setStoreDirectory(unlessEmpty(account.getStoreDirectory()));
    }
    if (properties.getAccounts().isEmpty()) {
      resolved.add(
          new Resolved(
              DEFAULT_ACCOUNT,
              -1,
              prefix,
              properties.getHomeserverUrl(),
              properties.getServerName(),
              properties.getStoreDirectory(),
              properties.getUser(),
              properties.getDeviceDisplayName()));
    }
    for (int index = 0; index < properties.getAccounts().size(); index++) {
      TimHeadlessProperties.Account account = properties.getAccounts().get(index);
      String accountPrefix = prefix + ".accounts[" + index + "]";
      String name = account.getName() == null ? "account-" + index : account.getName();
      if (!ACCOUNT_NAME.matcher(name).matches()) {
        throw new TimHeadlessPropertyException(
            accountPrefix + ".name",
            "is not a name of 1 to 64 letters, digits and '-'",
            "name the account like contact-center-1");
      }
      resolved.add(
          new Resolved(
              name,
              index,
              accountPrefix,
              or(account.getHomeserverUrl(), properties.getHomeserverUrl()),
              or(account.getServerName(), properties.getServerName()),
              account.getStoreDirectory(),
              or(account.getUser(), properties.getUser()),
              or(account.getDeviceDisplayName(), properties.getDeviceDisplayName())));
    }

    Set<String> names = new HashSet<>();
    Set<Path> stores = new HashSet<>();
    for (Resolved account : resolved) {
      if (!names.add(account.name)) {
        throw new TimHeadlessPropertyException(
            account.prefix + ".name", "is used by two accounts", "give every account its own name");
      }
      if (account.homeserverUrl == null && account.serverName == null) {
        throw new TimHeadlessPropertyException(
            account.prefix + ".homeserver-url",
            "is not set, nor is server-name",
            "set the homeserver's base URL, or the server name whose .well-known names it");
      }
      if (account.homeserverUrl != null && account.serverName != null) {
        throw new TimHeadlessPropertyException(
            account.prefix + ".server-name",
            "is set together with homeserver-url",
            "set only one of homeserver-url and server-name");
      }
      if (account.storeDirectory == null) {
        throw new TimHeadlessPropertyException(
            account.prefix + ".store-directory",
            "is not set",
            "set a directory for the account's encrypted store, one per account");
      }
      if (!stores.add(account.storeDirectory.toAbsolutePath().normalize())) {
        throw new TimHeadlessPropertyException(
            account.prefix + ".store-directory",
            "is the store of another account too",
            "give every account a store directory of its own: two owners would fork its keys");
      }
    }
    return resolved;
  }

  private static HeadlessClient open(
      TimHeadlessProperties properties, Resolved account, TimSecrets secrets) {
    HeadlessClient.Builder builder = HeadlessClient.builder();
    String prefix = TimHeadlessProperties.PREFIX;
    char[] storePassphrase = secrets.secret(account.name, TimSecrets.Kind.STORE_PASSPHRASE);
    char[] recoveryPassphrase = secrets.secret(account.name, TimSecrets.Kind.RECOVERY_PASSPHRASE);
    try {
      if (storePassphrase == null || storePassphrase.length == 0) {
        throw new TimHeadlessPropertyException(
            account.prefix + ".store-passphrase",
            "is not set",
            "give the store passphrase through a TimSecrets bean or the store-passphrase property"
                + " (taken out of the environment at start-up)");
      }
      applying(
          account.prefix + ".homeserver-url",
          () -> {
            if (account.homeserverUrl != null) {
              builder.homeserverUrl(account.homeserverUrl.toString());
            } else {
              builder.serverName(account.serverName);
            }
          });
      applying(
          account.prefix + ".store-directory",
          () -> builder.storeDirectory(account.storeDirectory));
      builder.storePassphrase(storePassphrase);
      if (recoveryPassphrase != null) {
        applying(
            account.prefix + ".recovery-passphrase",
            () -> builder.recoveryPassphrase(recoveryPassphrase));
      }
      TimHeadlessProperties.IntegratingSystem system = properties.getIntegratingSystem();
      applying(
          prefix + ".integrating-system.name",
          () -> {
            if (system.getVendor() == null) {
              builder.integratingSystem(system.getName(), system.getVersion());
            } else {
              builder.integratingSystem(system.getName(), system.getVersion(), system.getVendor());
            }
          });
      applying(
          prefix + ".sync.batch-window",
          () -> builder.syncBatchWindow(properties.getSync().getBatchWindow()));
      if (properties.getDirectoryUrl() != null) {
        applying(
            prefix + ".directory-url", () -> builder.directoryUrl(properties.getDirectoryUrl()));
      }
      if (properties.getClientReportUrl() != null) {
        applying(
            prefix + ".client-report-url",
            () -> builder.clientReportUrl(properties.getClientReportUrl()));
      }
      if (properties.getProxy() != null) {
        applying(prefix + ".proxy", () -> builder.proxy(properties.getProxy()));
      }
      if (!properties.getTrustedCertificates().isEmpty()) {
        List<X509Certificate> certificates = certificates(properties.getTrustedCertificates());
        applying(prefix + ".trusted-certificates", () -> builder.trustedCertificates(certificates));
      }
      if (properties.getNativeDirectory() != null) {
        System.setProperty("tim.headless.native.dir", properties.getNativeDirectory().toString());
      }
      try {
        HeadlessClient client = builder.build();
        LOG.info("tim-headless account {} opened its store", account.name);
        return client;
      } catch (InvalidArgumentException e) {
        throw new TimHeadlessPropertyException(
            account.prefix + "." + propertyOf(e.getMessage()),
            e.getMessage(),
            "correct the setting; the message names what the client refused");
      } catch (TimException e) {
        throw new TimHeadlessPropertyException(
            account.prefix + ".store-directory",
            "the store cannot be opened (" + e.code() + ")",
            switch (e.code()) {
              case STORE_LOCKED -> "another client holds this store: give each one its own";
              case STORE_WRONG_PASSPHRASE -> "give the passphrase this store was created with";
              default -> "check that the directory is a usable tim-headless store";
            });
      }
    } finally {
      wipe(storePassphrase);
      wipe(recoveryPassphrase);
    }
  }

  /** Runs a builder step; its refusal names the property. */
  private static void applying(String property, Runnable step) {
    try {
      step.run();
    } catch (InvalidArgumentException e) {
      throw new TimHeadlessPropertyException(property, e.getMessage(), "correct the setting");
    }
  }

  /** The property a refusal of the builder names: "invalid homeserverUrl: ..." → homeserver-url. */
  private static String propertyOf(String message) {
    String parameter = message.replaceFirst("^invalid (\\w+).*$", "$1");
    return switch (parameter) {
      case "homeserverUrl" -> "homeserver-url";
      case "serverName" -> "server-name";
      case "directoryUrl" -> "directory-url";
      case "clientReportUrl" -> "client-report-url";
      case "proxyUrl", "proxy" -> "proxy";
      case "integratingSystemName" -> "integrating-system.name";
      case "integratingSystemVersion" -> "integrating-system.version";
      case "integratingSystemVendor" -> "integrating-system.vendor";
      case "syncBatchWindow" -> "sync.batch-window";
      default -> "store-directory";
    };
  }

  private static List<X509Certificate> certificates(List<Path> files) {
    String property = TimHeadlessProperties.PREFIX + ".trusted-certificates";
    List<X509Certificate> certificates = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (Path file : files) {
        try (InputStream in = Files.newInputStream(file)) {
          for (var certificate : factory.generateCertificates(in)) {
            certificates.add((X509Certificate) certificate);
          }
        }
      }
    } catch (IOException | CertificateException e) {
      throw new TimHeadlessPropertyException(
          property, "a file cannot be read as PEM certificates", "list readable PEM files");
    }
    return certificates;
  }

  private static void require(String value, String property, String fix) {
    if (value == null || value.isBlank()) {
      throw new TimHeadlessPropertyException(property, "is not set", fix);
    }
  }

  private static <T> T unlessEmpty(T value) {
    return value == null || value.toString().isEmpty() ? null : value;
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }

  static void wipe(char[] secret) {
    if (secret != null) {
      Arrays.fill(secret, '\0');
    }
  }
}
