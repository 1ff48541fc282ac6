package health.tim.headless.testdriver;

import health.tim.headless.HeadlessClient;
import health.tim.headless.testdriver.TestDriverProperties.DeviceProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One device of the driver: a {@link HeadlessClient} on a store of its own, the claim that reserves
 * it for one caller, and the credentials of its last login (the interface's {@code Account} carries
 * the password back to the test suite).
 */
final class Device {
  private final long id;
  private final DeviceProperties config;
  private HeadlessClient client;
  private String claimerName;
  private String claimerCn;
  private Duration claimFor;
  private Instant claimedUntil;
  private Instant freeSince = Instant.now();
  private String loginUsername;
  private char[] loginPassword;

  Device(long id, DeviceProperties config) {
    this.id = id;
    this.config = config;
    this.client = open();
  }

  long id() {
    return id;
  }

  String name() {
    return config.name() == null ? "device-" + id : config.name();
  }

  DeviceProperties config() {
    return config;
  }

  synchronized HeadlessClient client() {
    return client;
  }

  /** The claim as it stands now; an expired claim is no claim. */
  synchronized Optional<Claim> claim() {
    expireClaim();
    if (claimedUntil == null) {
      return Optional.empty();
    }
    return Optional.of(new Claim(claimerName, claimerCn, claimedUntil));
  }

  /** When the device became free, for the interface's required {@code claimedUntil}. */
  synchronized Instant freeSince() {
    expireClaim();
    return freeSince;
  }

  /**
   * Claims the device for {@code caller}, or renews the caller's claim.
   *
   * @return whether the claim was granted; another caller's running claim refuses it
   */
  synchronized boolean claim(String name, String caller, Duration duration) {
    expireClaim();
    if (claimedUntil != null && !claimerCn.equals(caller)) {
      return false;
    }
    claimerName = name;
    claimerCn = caller;
    claimFor = duration;
    claimedUntil = Instant.now().plus(duration);
    return true;
  }

  /** Whether {@code caller} holds the claim; renews it for the claimed duration if so. */
  synchronized boolean useBy(String caller) {
    expireClaim();
    if (claimedUntil == null || !claimerCn.equals(caller)) {
      return false;
    }
    claimedUntil = Instant.now().plus(claimFor);
    return true;
  }

  synchronized void unclaim() {
    if (claimedUntil != null) {
      freeSince = Instant.now();
    }
    claimedUntil = null;
    claimerName = null;
    claimerCn = null;
    claimFor = null;
  }

  synchronized void rememberLogin(String username, char[] password) {
    forgetLogin();
    loginUsername = username;
    loginPassword = password.clone();
  }

  synchronized Optional<String> loginUsername() {
    return Optional.ofNullable(loginUsername);
  }

  synchronized Optional<String> loginPassword() {
    return Optional.ofNullable(loginPassword).map(String::new);
  }

  synchronized void forgetLogin() {
    if (loginPassword != null) {
      Arrays.fill(loginPassword, '\0');
    }
    loginPassword = null;
    loginUsername = null;
  }

  /**
   * Closes the client, deletes its store and opens a new client on an empty one.
   *
   * @throws UncheckedIOException if the store cannot be deleted
   */
  synchronized void reset() {
    client.close();
    deleteStore();
    forgetLogin();
    unclaim();
    client = open();
  }

  synchronized void close() {
    client.close();
    forgetLogin();
  }

  private void expireClaim() {
    if (claimedUntil != null && Instant.now().isAfter(claimedUntil)) {
      unclaim();
    }
  }

  private HeadlessClient open() {
    char[] passphrase = config.storePassphrase().toCharArray();
    try {
      return HeadlessClient.builder()
          .homeserverUrl(config.homeserverUrl())
          .storeDirectory(config.storeDirectory())
          .storePassphrase(passphrase)
          .integratingSystem("tim-headless test driver", "2.3.0")
          .build();
    } finally {
      Arrays.fill(passphrase, '\0');
    }
  }

  private void deleteStore() {
    Path store = config.storeDirectory();
    if (!Files.exists(store)) {
      return;
    }
    try (Stream<Path> files = Files.walk(store)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("the store of device " + id + " could not be deleted", e);
    }
  }

  /** A running claim: the claimer's name, its certificate's common name, and until when. */
  record Claim(String claimerName, String claimerCn, Instant until) {}
}
