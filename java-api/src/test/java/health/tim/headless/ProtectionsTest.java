package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import health.tim.headless.TestClients.Recorder;
import health.tim.headless.TestHomeserver.User;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restricted mode's other triggers and the controlled stop: records and the audit log changed
 * outside the client, an audit log that cannot be written, repeated refused logins, misuse that
 * goes on despite the restriction, and calls after close.
 */
class ProtectionsTest {
  @TempDir Path temp;

  @Test
  void misuseThatGoesOnWhileRestrictedEndsTheClientInAControlledStop() throws Exception {
    Path store = temp.resolve("store");
    HeadlessClient client = TestClients.open(store);
    try {
      Recorder events = new Recorder();
      client.addListener(events);

      // The first hundred and one refusals restrict the client, as before
      refuseCalls(client, 101);
      assertThat(client.restriction()).contains("REPEATED_MISUSE");
      assertThat(client.stopReason()).isEmpty();

      // When the misuse goes on past the limit again
      refuseCalls(client, 101);

      // Then the client has stopped itself, with its reason, audited and seen by the listener
      assertThat(client.stopReason()).contains("PERSISTENT_MISUSE");
      AuditEntry stop = events.await(AuditEntry.class, e -> e.event().equals("controlled_stop"));
      assertThat(stop.fields()).containsEntry("reason", "PERSISTENT_MISUSE");
      assertThatThrownBy(() -> client.rooms().join())
          .cause()
          .isInstanceOf(ClientClosedException.class)
          .satisfies(
              e -> assertThat(((TimException) e).code()).isEqualTo(ErrorCode.CLIENT_STOPPED));

      // And the store is released: another client opens it while this one is not yet closed
      TestClients.eventually("the store is released", () -> opens(store));
    } finally {
      client.close();
    }
  }

  @Test
  void aStoreRecordChangedOutsideTheClientIsKeptAsideAndRestrictsIt() throws Exception {
    User user = TestHomeserver.register("tampered");
    Path store = temp.resolve("store");
    try (HeadlessClient client = TestClients.open(store)) {
      client.login(user.userId(), user.password());
    }

    // Given the saved session, changed by one bit outside the client
    Path session = store.resolve("session.bin");
    byte[] bytes = Files.readAllBytes(session);
    bytes[bytes.length / 2] ^= 1;
    Files.write(session, bytes);

    try (HeadlessClient reopened = TestClients.open(store)) {
      // Then the reopened client goes on without it, restricted, and audits where it went
      assertThat(reopened.restriction()).contains("STORE_DAMAGED");
      assertThat(reopened.session()).isEmpty();
      assertThat(Files.exists(session)).isFalse();
      String entry =
          auditLines(store)
              .filter(l -> l.contains("store_record_damaged"))
              .findFirst()
              .orElseThrow();
      assertThat(entry).contains("\"record\":\"session.bin\"");
      try (Stream<Path> kept = Files.list(store.resolve("damaged"))) {
        List<Path> evidence = kept.toList();
        Path record =
            evidence.stream()
                .filter(p -> p.toString().endsWith("session.bin"))
                .findFirst()
                .orElseThrow();
        assertThat(Files.readAllBytes(record)).isEqualTo(bytes);
        assertThat(entry).contains("damaged/" + record.getFileName());
        // The databases of the device whose session is lost are kept beside it
        assertThat(evidence).anyMatch(p -> p.getFileName().toString().endsWith("-engine"));
      }
      assertThatThrownBy(() -> reopened.createRoom(CreateRoomOptions.privateRoom()).join())
          .cause()
          .isInstanceOf(ClientStateException.class);

      // And after the operator lifts the restriction, the account logs in again
      reopened.liftRestriction("ops_team");
      reopened.login(user.userId(), user.password());
      assertThat(reopened.createRoom(CreateRoomOptions.privateRoom()).join()).startsWith("!");
      assertThat(reopened.verifyAuditLog().intact()).isTrue();
    }
  }

  @Test
  void anAuditLogChangedWhileTheClientRunsRestrictsIt() throws Exception {
    Path store = temp.resolve("store");
    try (HeadlessClient client = TestClients.open(store)) {
      Recorder events = new Recorder();
      client.addListener(events);

      // When someone appends a line to the open log, and the client writes its next entry
      Files.writeString(
          store.resolve("audit.log"),
          "{\"seq\":99,\"event\":\"forged\"}\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.APPEND);
      refuseCalls(client, 1);

      // Then the change is audited, the client restricts itself, and the log no longer verifies
      AuditEntry damage =
          events.await(AuditEntry.class, e -> e.event().equals("audit_log_damaged"));
      assertThat(damage.fields().get("reason")).contains("changed on disk");
      assertThat(client.restriction()).contains("AUDIT_LOG_DAMAGED");
      assertThat(client.verifyAuditLog().intact()).isFalse();
    }
  }

  @Test
  void anAuditLogThatCannotBeWrittenStopsTheClient() throws Exception {
    Path store = temp.resolve("store");
    HeadlessClient client = TestClients.open(store);
    try {
      // Given a log whose head record can no longer be replaced (a directory is in its place)
      Path head = store.resolve("audit-head.bin");
      Files.delete(head);
      Files.createDirectories(head.resolve("blocked"));

      // When the client has something to audit
      refuseCalls(client, 1);

      // Then it stops rather than act unaudited
      assertThat(client.stopReason()).contains("AUDIT_LOG_UNWRITABLE");
      assertThatThrownBy(() -> client.rooms().join())
          .cause()
          .isInstanceOf(ClientClosedException.class)
          .satisfies(
              e -> assertThat(((TimException) e).code()).isEqualTo(ErrorCode.CLIENT_STOPPED));

      // And once the store is repaired, the next client finds the log damaged and restricts
      Files.delete(head.resolve("blocked"));
      Files.delete(head);
      try (HeadlessClient next = openOnceReleased(store)) {
        assertThat(next.restriction()).contains("AUDIT_LOG_DAMAGED");
      }
    } finally {
      client.close();
    }
  }

  @Test
  void repeatedRefusedLoginsRestrictTheClientAndBlockLogins() {
    User user = TestHomeserver.register("guessed");
    try (HeadlessClient client = TestClients.open(temp.resolve("store"))) {
      // When eleven logins are refused within ten minutes
      for (int attempt = 0; attempt < 11; attempt++) {
        assertThatThrownBy(() -> client.login(user.userId(), "falsch".toCharArray()))
            .isInstanceOf(AuthenticationException.class);
      }

      // Then the client is restricted and refuses even the right password
      assertThat(client.restriction()).contains("REPEATED_LOGIN_FAILURES");
      assertThatThrownBy(() -> client.login(user.userId(), user.password()))
          .isInstanceOf(ClientStateException.class)
          .satisfies(
              e -> assertThat(((TimException) e).code()).isEqualTo(ErrorCode.CLIENT_RESTRICTED));

      // Until an operator lifts the restriction
      client.liftRestriction("ops_team");
      assertThat(client.login(user.userId(), user.password()).userId()).isEqualTo(user.userId());
    }
  }

  @Test
  void callsAfterCloseAreCountedAndAuditedByTheNextClientOfTheStore() throws Exception {
    Path store = temp.resolve("store");
    HeadlessClient closed = TestClients.open(store);
    closed.close();

    // When the integrating system goes on calling the closed client
    for (int call = 0; call < 3; call++) {
      assertThatThrownBy(closed::rooms)
          .isInstanceOf(ClientClosedException.class)
          .satisfies(e -> assertThat(((TimException) e).code()).isEqualTo(ErrorCode.CLIENT_CLOSED));
    }

    // Then the next client of the store writes the count into the audit log
    try (HeadlessClient next = TestClients.open(store)) {
      assertThat(next.verifyAuditLog().intact()).isTrue();
    }
    List<String> entries =
        auditLines(store).filter(l -> l.contains("\"event\":\"calls_after_close\"")).toList();
    assertThat(entries).singleElement().asString().contains("\"count\":\"3\"");
  }

  /** Makes {@code count} calls that the argument checks refuse. */
  private static void refuseCalls(HeadlessClient client, int count) {
    for (int call = 0; call < count; call++) {
      assertThatThrownBy(() -> client.sendText("kein Raum", "x"))
          .isInstanceOf(InvalidArgumentException.class);
    }
  }

  private static boolean opens(Path store) {
    try {
      TestClients.open(store).close();
      return true;
    } catch (StoreException e) {
      return false;
    }
  }

  /** Opens the store as soon as the stopping client has released it. */
  private static HeadlessClient openOnceReleased(Path store) throws InterruptedException {
    long deadline = System.nanoTime() + TestClients.WAIT.toNanos();
    while (true) {
      try {
        return TestClients.open(store);
      } catch (StoreException e) {
        if (e.code() != ErrorCode.STORE_LOCKED || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  private static Stream<String> auditLines(Path store) throws Exception {
    return Files.readAllLines(store.resolve("audit.log"), StandardCharsets.UTF_8).stream();
  }
}
