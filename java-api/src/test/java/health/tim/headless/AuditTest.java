package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import health.tim.headless.TestClients.Recorder;
import health.tim.headless.TestHomeserver.User;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit log through the Java API: what is written, how it reaches listeners, tampering. */
class AuditTest {
  @TempDir Path temp;

  @Test
  void securityEventsAreAuditedAndATamperedLogIsDetected() throws Exception {
    User user = TestHomeserver.register("audit");
    Path store = temp.resolve("store");

    // Given a session with a login and a refused call
    try (HeadlessClient client = TestClients.open(store)) {
      Recorder events = new Recorder();
      client.addListener(events);
      client.login(user.userId(), user.password());
      client.startSync();
      assertThatThrownBy(() -> client.sendText("not a room", "Befund"))
          .isInstanceOf(InvalidArgumentException.class);

      // Then each is an entry, handed to the listener as it is written
      AuditEntry login = events.await(AuditEntry.class, e -> e.event().equals("logged_in"));
      assertThat(login.fields()).containsEntry("user_id", user.userId());
      AuditEntry refusal = events.await(AuditEntry.class, e -> e.event().equals("rejected_call"));
      assertThat(refusal.fields())
          .containsEntry("operation", "sendText")
          .containsEntry("code", "INVALID_ARGUMENT");
      assertThat(refusal.sequence()).isGreaterThan(login.sequence());
      assertThat(client.verifyAuditLog().intact()).isTrue();
    }

    // And the log names no message content, and verifies offline with the passphrase
    Path log = store.resolve("audit.log");
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    assertThat(lines).hasSizeGreaterThanOrEqualTo(3).noneMatch(line -> line.contains("Befund"));
    assertThat(verifyOffline(store)).startsWith("0 intact: " + lines.size() + " entries verified");

    // When an entry is edited
    Files.write(
        log,
        List.of(String.join("\n", lines).replace("sendText", "sendTexx").split("\n")),
        StandardCharsets.UTF_8);

    // Then the verifier names it, and the reopened client reports the damage and keeps logging
    String report = verifyOffline(store);
    int broken =
        lines.indexOf(lines.stream().filter(l -> l.contains("sendText")).findFirst().get());
    assertThat(report)
        .startsWith("1 damaged: " + broken + " entries verified; entry " + (broken + 1));
    try (HeadlessClient reopened = TestClients.open(store)) {
      Recorder events = new Recorder();
      reopened.addListener(events);
      reopened.startSync();
      AuditEntry damage =
          events.await(AuditEntry.class, e -> e.event().equals("audit_log_damaged"));
      assertThat(damage.fields()).containsEntry("first_broken", String.valueOf(broken + 1));
      AuditVerification verification = reopened.verifyAuditLog();
      assertThat(verification.intact()).isFalse();
      assertThat(verification.firstBroken()).isEqualTo(broken + 1);

      // And it is restricted: it reads, but changes nothing, until an operator lifts it
      assertThat(reopened.restriction()).contains("AUDIT_LOG_DAMAGED");
      assertThat(reopened.rooms().join()).isEmpty();
      assertThatThrownBy(() -> reopened.createRoom(CreateRoomOptions.privateRoom()).join())
          .cause()
          .isInstanceOf(ClientStateException.class)
          .satisfies(
              e -> assertThat(((TimException) e).code()).isEqualTo(ErrorCode.CLIENT_RESTRICTED));
      reopened.liftRestriction("ops_team");
      assertThat(reopened.restriction()).isEmpty();
      AuditEntry lifted =
          events.await(AuditEntry.class, e -> e.event().equals("restricted_mode_lifted"));
      assertThat(lifted.fields()).containsEntry("operator", "ops_team");
      assertThat(store.resolve(lifted.fields().get("archived_log"))).exists();
      assertThat(reopened.verifyAuditLog().intact()).isTrue();
      assertThat(reopened.createRoom(CreateRoomOptions.privateRoom()).join()).startsWith("!");
      assertThatThrownBy(() -> reopened.liftRestriction("ops_team"))
          .isInstanceOf(ClientStateException.class);
    }
    assertThat(verifyOffline(store)).startsWith("0 intact");
  }

  @Test
  void repeatedRefusedCallsRestrictTheClient() {
    User user = TestHomeserver.register("misuse");
    try (HeadlessClient client = TestClients.open(temp.resolve("store"))) {
      client.login(user.userId(), user.password());

      // A hundred refusals within a minute are tolerated; the next one restricts the client
      for (int i = 0; i < 100; i++) {
        assertThatThrownBy(() -> client.sendText("kein Raum", "x"))
            .isInstanceOf(InvalidArgumentException.class);
      }
      assertThat(client.restriction()).isEmpty();
      assertThatThrownBy(() -> client.sendText("kein Raum", "x"))
          .isInstanceOf(InvalidArgumentException.class);
      assertThat(client.restriction()).contains("REPEATED_MISUSE");

      // The operator lifts it, and the log stays intact throughout
      client.liftRestriction("ops_team");
      assertThat(client.restriction()).isEmpty();
      assertThat(client.verifyAuditLog().intact()).isTrue();
      assertThatThrownBy(() -> client.liftRestriction("ops team!"))
          .isInstanceOf(InvalidArgumentException.class);
    }
  }

  @Test
  void theVerifierRefusesAWrongPassphraseWithoutTouchingTheStore() throws Exception {
    Path store = temp.resolve("store");
    try (HeadlessClient client = TestClients.open(store)) {
      assertThat(client.verifyAuditLog().verifiedEntries()).isEqualTo(1);
    }
    byte[] before = Files.readAllBytes(store.resolve("audit.log"));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        AuditLogVerifier.run(
            store,
            "falsch".toCharArray(),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(status).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("STORE_WRONG_PASSPHRASE");
    assertThat(Files.readAllBytes(store.resolve("audit.log"))).isEqualTo(before);
  }

  @Test
  void callsBeyondTheRateLimitAreRefusedAndAudited() {
    User user = TestHomeserver.register("limited");
    try (HeadlessClient client =
        HeadlessClient.builder()
            .homeserverUrl(TestHomeserver.url())
            .storeDirectory(temp.resolve("store"))
            .storePassphrase(TestClients.STORE_PASSPHRASE)
            .integratingSystem("tim-headless tests", "1")
            .rateLimits(new RateLimits(20, 5, 1))
            .build()) {
      Recorder events = new Recorder();
      client.addListener(events);
      client.login(user.userId(), user.password());
      client.startSync();

      // One read a second with a burst of two: the third read at once is refused
      client.rooms().join();
      client.rooms().join();
      assertThatThrownBy(() -> client.rooms().join())
          .cause()
          .isInstanceOf(ClientStateException.class)
          .satisfies(e -> assertThat(((TimException) e).code()).isEqualTo(ErrorCode.RATE_LIMITED));
      AuditEntry limited = events.await(AuditEntry.class, e -> e.event().equals("rate_limited"));
      assertThat(limited.fields())
          .containsEntry("operation", "rooms")
          .containsEntry("kind", "read");
      TestClients.eventually("the bucket refills", () -> succeeds(() -> client.rooms().join()));
    }
    assertThatThrownBy(() -> new RateLimits(0, 5, 50)).isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> new RateLimits(20, 51, 50))
        .isInstanceOf(InvalidArgumentException.class);
  }

  private static boolean succeeds(Runnable call) {
    try {
      call.run();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The verifier's exit status and output, as {@code "<status> <output>"}. */
  private static String verifyOffline(Path store) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    int status = AuditLogVerifier.run(store, TestClients.STORE_PASSPHRASE.clone(), print, print);
    return status + " " + out.toString(StandardCharsets.UTF_8);
  }
}
