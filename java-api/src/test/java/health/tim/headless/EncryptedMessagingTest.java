package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import health.tim.headless.TestClients.Recorder;
import health.tim.headless.TestHomeserver.User;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Two Java clients exchange encrypted messages through the native core and a real Synapse. */
class EncryptedMessagingTest {
  @TempDir Path temp;

  @Test
  void anEncryptedMessageArrivesDecryptedAtTheSecondClient() throws IOException {
    // Given Alice and Bob, logged in and syncing
    User aliceUser = TestHomeserver.register("alice");
    User bobUser = TestHomeserver.register("bob");
    String body = "Laborwert für Fall 0815: unauffällig";
    Instant before = Instant.now();
    try (HeadlessClient alice = TestClients.open(temp.resolve("alice"));
        HeadlessClient bob = TestClients.open(temp.resolve("bob"))) {
      assertThat(alice.login(aliceUser.userId(), aliceUser.password()).userId())
          .isEqualTo(aliceUser.userId());
      bob.login(bobUser.localpart(), bobUser.password());
      Recorder bobEvents = new Recorder();
      bob.addListener(bobEvents);
      alice.startSync();
      bob.startSync();

      // When Alice creates an encrypted room with Bob, he joins, and she sends a message
      String roomId = alice.createEncryptedRoom(bobUser.userId()).join();
      InviteEvent invite = bobEvents.await(InviteEvent.class, i -> i.roomId().equals(roomId));
      assertThat(invite.inviter()).isEqualTo(aliceUser.userId());
      bob.joinRoom(roomId).join();
      String eventId = alice.sendText(roomId, body).join();

      // Then Bob receives it decrypted, marked as encrypted
      MessageEvent message = bobEvents.await(MessageEvent.class, m -> m.eventId().equals(eventId));
      assertThat(message.body()).isEqualTo(body);
      assertThat(message.sender()).isEqualTo(aliceUser.userId());
      assertThat(message.roomId()).isEqualTo(roomId);
      assertThat(message.messageType()).isEqualTo("m.text");
      assertThat(message.encrypted()).isTrue();
      assertThat(message.timestamp()).isBetween(before.minusSeconds(60), Instant.now());
      assertThat(message.toString()).doesNotContain(body);
    }

    // And no store file holds the body in clear
    assertNoFileContains(temp, body);
  }

  @Test
  void aRestartedClientRestoresItsSessionFromTheStore() {
    User aliceUser = TestHomeserver.register("alice");
    User bobUser = TestHomeserver.register("bob");
    Path aliceStore = temp.resolve("alice");
    try (HeadlessClient bob = TestClients.open(temp.resolve("bob"))) {
      bob.login(bobUser.userId(), bobUser.password());
      Recorder bobEvents = new Recorder();
      bob.addListener(bobEvents);
      bob.startSync();

      String roomId;
      Session before;
      try (HeadlessClient alice = TestClients.open(aliceStore)) {
        before = alice.login(aliceUser.userId(), aliceUser.password());
        alice.startSync();
        roomId = alice.createEncryptedRoom(bobUser.userId()).join();
        bobEvents.await(InviteEvent.class, i -> i.roomId().equals(roomId));
        bob.joinRoom(roomId).join();
      }

      try (HeadlessClient restarted = TestClients.open(aliceStore)) {
        assertThat(restarted.session()).contains(before);
        restarted.startSync();
        String eventId = restarted.sendText(roomId, "nach dem Neustart").join();
        MessageEvent message =
            bobEvents.await(MessageEvent.class, m -> m.eventId().equals(eventId));
        assertThat(message.encrypted()).isTrue();
        assertThat(message.body()).isEqualTo("nach dem Neustart");
      }
    }
  }

  @Test
  void aThrowingListenerDoesNotStopDeliveryToOthers() {
    User aliceUser = TestHomeserver.register("alice");
    User bobUser = TestHomeserver.register("bob");
    try (HeadlessClient alice = TestClients.open(temp.resolve("alice"));
        HeadlessClient bob = TestClients.open(temp.resolve("bob"))) {
      alice.login(aliceUser.userId(), aliceUser.password());
      bob.login(bobUser.userId(), bobUser.password());
      bob.addListener(
          new ClientListener() {
            @Override
            public void onMessage(MessageEvent message) {
              throw new IllegalStateException("listener bug");
            }

            @Override
            public void onInvite(InviteEvent invite) {
              throw new IllegalStateException("listener bug");
            }
          });
      Recorder bobEvents = new Recorder();
      bob.addListener(bobEvents);
      alice.startSync();
      bob.startSync();

      String roomId = TestClients.joinedRoom(alice, bob, bobUser.userId(), bobEvents);
      String first = alice.sendText(roomId, "eins").join();
      String second = alice.sendText(roomId, "zwei").join();

      bobEvents.await(MessageEvent.class, m -> m.eventId().equals(first));
      bobEvents.await(MessageEvent.class, m -> m.eventId().equals(second));
    }
  }

  @Test
  void logoutForgetsTheSessionAndTheClientCanLogInAgain() {
    User user = TestHomeserver.register("heidi");
    Path store = temp.resolve("heidi");
    Session first;
    try (HeadlessClient client = TestClients.open(store)) {
      first = client.login(user.userId(), user.password());
      client.startSync();
      assertThat(client.isSyncing()).isTrue();
      client.stopSync();
      assertThat(client.isSyncing()).isFalse();
      client.startSync();
      client.logout();
      assertThat(client.session()).isEmpty();
      assertThat(client.isSyncing()).isFalse();
      assertThatThrownBy(client::logout).isInstanceOf(ClientStateException.class);

      Session second = client.login(user.userId(), user.password());
      assertThat(second.userId()).isEqualTo(first.userId());
      assertThat(second.deviceId()).isNotEqualTo(first.deviceId());

      // The event delivery that ran across the logout still delivers to the new session.
      Recorder events = new Recorder();
      client.addListener(events);
      client.startSync();
      User inviter = TestHomeserver.register("ivan");
      try (HeadlessClient ivan = TestClients.open(temp.resolve("ivan"))) {
        ivan.login(inviter.userId(), inviter.password());
        String roomId = ivan.createEncryptedRoom(user.userId()).join();
        events.await(InviteEvent.class, invite -> invite.roomId().equals(roomId));
      }
    }
    try (HeadlessClient restarted = TestClients.open(store)) {
      assertThat(restarted.session()).isPresent();
      assertThat(restarted.session().orElseThrow().deviceId()).isNotEqualTo(first.deviceId());
    }
  }

  @Test
  void aWrongPasswordIsAnAuthenticationFailure() {
    User user = TestHomeserver.register("erin");
    try (HeadlessClient client = TestClients.open(temp.resolve("erin"))) {
      assertThatThrownBy(() -> client.login(user.userId(), "wrong".toCharArray()))
          .isInstanceOf(AuthenticationException.class)
          .hasMessageNotContaining("wrong");
      assertThat(client.login(user.userId(), user.password()).userId()).isEqualTo(user.userId());
      assertThatThrownBy(() -> client.login(user.userId(), user.password()))
          .isInstanceOf(ClientStateException.class);
    }
  }

  @Test
  void sendingIntoARoomNotJoinedIsNotFound() {
    User user = TestHomeserver.register("frank");
    try (HeadlessClient client = TestClients.open(temp.resolve("frank"))) {
      client.login(user.userId(), user.password());
      assertThatThrownBy(() -> client.sendText("!unknown:localhost", "hallo").join())
          .hasCauseInstanceOf(NotFoundException.class);
    }
  }

  @Test
  void nativeLogRecordsArriveInSlf4jWithLevelAndTarget() throws InterruptedException {
    Logger coreLogger = (Logger) LoggerFactory.getLogger("tim_headless_core.client");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    coreLogger.addAppender(appender);
    try {
      User user = TestHomeserver.register("grace");
      try (HeadlessClient client = TestClients.open(temp.resolve("grace"))) {
        client.login(user.userId(), user.password());
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline && loggedIn(appender.list).isEmpty()) {
        Thread.sleep(50);
      }
      List<ILoggingEvent> records = loggedIn(appender.list);
      assertThat(records).isNotEmpty();
      assertThat(records.get(0).getLevel()).isEqualTo(Level.INFO);
      assertThat(records.get(0).getFormattedMessage()).doesNotContain("pw-");
    } finally {
      coreLogger.detachAppender(appender);
    }
  }

  private static List<ILoggingEvent> loggedIn(List<ILoggingEvent> events) {
    synchronized (events) {
      return events.stream().filter(e -> e.getFormattedMessage().startsWith("logged in")).toList();
    }
  }

  private static void assertNoFileContains(Path dir, String text) throws IOException {
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    Map<Path, byte[]> files = StoreFiles.settledSnapshot(dir);
    assertThat(files).hasSizeGreaterThan(4);
    files.forEach(
        (file, bytes) ->
            assertThat(indexOf(bytes, needle))
                .as("%s holds the body in clear", file)
                .isEqualTo(-1));
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
