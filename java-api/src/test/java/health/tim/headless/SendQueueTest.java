package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import health.tim.headless.TestClients.Party;
import health.tim.headless.TestClients.Recorder;
import health.tim.headless.TestHomeserver.User;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The send queue against Synapse: messages survive a killed process and a lost connection, and a
 * refused message is reported and waits for a decision.
 */
class SendQueueTest {
  @TempDir Path temp;

  @Test
  void aMessageQueuedBeforeTheProcessIsKilledIsSentAfterTheRestartExactlyOnce() throws Exception {
    try (FaultProxy proxy = new FaultProxy(TestHomeserver.url());
        Party bob = Party.start(temp, "bob")) {
      User alice = TestHomeserver.register("alice");
      Path aliceStore = temp.resolve("alice");
      String roomId;
      try (HeadlessClient aliceClient = TestClients.open(aliceStore, proxy.url())) {
        aliceClient.login(alice.userId(), alice.password());
        aliceClient.startSync();
        roomId = TestClients.joinedRoom(aliceClient, bob.client(), bob.userId(), bob.events());
        aliceClient.sendText(roomId, "vorher").join();
        bob.events().await(MessageEvent.class, message -> message.body().equals("vorher"));
      }

      // Given a process that queued a message while no byte reached the homeserver
      proxy.mode(FaultProxy.Mode.SWALLOW);
      String body = "Befund " + UUID.randomUUID();
      Process child = startChild(aliceStore, proxy.url(), roomId, body);
      String report = firstLine(child);
      assertThat(report).matches("QUEUED \\S+ (WAITING|SENDING)");
      String transactionId = report.split(" ")[1];

      // When the process is killed before the homeserver has the message
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(newestMessageFrom(bob.client(), roomId, alice.userId()))
          .hasValueSatisfying(message -> assertThat(message.body()).isEqualTo("vorher"));

      // Then the restarted client sends it, reports it, and Bob receives it once
      proxy.mode(FaultProxy.Mode.FORWARD);
      try (HeadlessClient restarted = TestClients.open(aliceStore, proxy.url())) {
        Recorder events = new Recorder();
        restarted.addListener(events);
        restarted.startSync();
        QueuedMessage sent =
            events.await(
                QueuedMessage.class,
                update ->
                    update.transactionId().equals(transactionId)
                        && update.state() == QueuedMessage.State.SENT);
        MessageEvent received =
            bob.events().await(MessageEvent.class, message -> message.body().equals(body));
        assertThat(received.eventId()).isEqualTo(sent.eventId());
        assertThat(received.encrypted()).isTrue();
        assertThat(restarted.queuedMessages()).isEmpty();
      }
      List<RoomEvent> history = bob.client().history(roomId, null, 50).join().events();
      assertThat(history)
          .filteredOn(event -> event instanceof MessageEvent message && message.body().equals(body))
          .hasSize(1);
    }
  }

  @Test
  void queuedMessagesWaitOutALostConnectionAndGoOutInOrder() {
    try (FaultProxy proxy = new FaultProxy(TestHomeserver.url());
        Party bob = Party.start(temp, "bob");
        Party alice = Party.start(temp, TestHomeserver.register("alice"), proxy.url())) {
      String roomId = TestClients.joinedRoom(alice, bob);

      // Given a connection that is refused while Alice sends twice
      proxy.mode(FaultProxy.Mode.REFUSE);
      QueuedMessage first = alice.client().enqueue(roomId, OutgoingMessage.text("erste"));
      CompletableFuture<String> second =
          alice.client().send(roomId, OutgoingMessage.text("zweite"));
      TestClients.eventually(
          "the first message was tried twice",
          () -> attemptsOf(alice.client(), first.transactionId()) >= 2);
      assertThat(second).isNotDone();
      assertThat(alice.client().queuedMessages())
          .extracting(QueuedMessage::state)
          .doesNotContain(QueuedMessage.State.FAILED);

      // When the connection is back, both arrive, in the order they were queued
      proxy.mode(FaultProxy.Mode.FORWARD);
      QueuedMessage sent =
          alice
              .events()
              .await(
                  QueuedMessage.class,
                  update ->
                      update.transactionId().equals(first.transactionId())
                          && update.state() == QueuedMessage.State.SENT);
      String secondId = second.orTimeout(30, TimeUnit.SECONDS).join();
      MessageEvent firstReceived =
          bob.events().await(MessageEvent.class, message -> message.body().equals("erste"));
      MessageEvent secondReceived =
          bob.events().await(MessageEvent.class, message -> message.body().equals("zweite"));
      assertThat(firstReceived.eventId()).isEqualTo(sent.eventId());
      assertThat(secondReceived.eventId()).isEqualTo(secondId);
      assertThat(alice.client().queuedMessages()).isEmpty();
    }
  }

  @Test
  void aRefusedMessageFailsItsSendOrWaitsInTheQueueUntilDiscarded() {
    try (Party alice = Party.start(temp, "alice");
        Party bob = Party.start(temp, "bob")) {
      String roomId = TestClients.joinedRoom(alice, bob);
      // Bob no longer syncs, so his client still believes he is in the room after the kick
      bob.client().stopSync();
      alice.client().kick(roomId, bob.userId(), "Fall abgeschlossen").join();

      // A send the homeserver refuses fails, and leaves nothing queued
      assertThatThrownBy(() -> bob.client().sendText(roomId, "noch da?").join())
          .isInstanceOf(CompletionException.class)
          .cause()
          .isInstanceOf(HomeserverException.class)
          .satisfies(e -> assertThat(((HomeserverException) e).status()).isEqualTo(403));
      assertThat(bob.client().queuedMessages()).isEmpty();

      // A queued message the homeserver refuses is reported and stays, failed
      QueuedMessage queued = bob.client().enqueue(roomId, OutgoingMessage.text("immer noch da?"));
      QueuedMessage failed = awaitFailure(bob, queued.transactionId());
      assertThat(failed.failure()).isEqualTo(ErrorCode.HOMESERVER_ERROR);
      assertThat(failed.httpStatus()).isEqualTo(403);
      assertThat(failed.roomId()).isEqualTo(roomId);
      assertThat(bob.client().queuedMessages())
          .singleElement()
          .satisfies(message -> assertThat(message.state()).isEqualTo(QueuedMessage.State.FAILED));

      // Retrying tries once more; discarding removes it for good
      bob.client().retryQueued(queued.transactionId());
      awaitFailure(bob, queued.transactionId());
      bob.client().discardQueued(queued.transactionId());
      assertThat(bob.client().queuedMessages()).isEmpty();
      assertThatThrownBy(() -> bob.client().discardQueued(queued.transactionId()))
          .isInstanceOf(NotFoundException.class)
          .satisfies(
              e ->
                  assertThat(((TimException) e).code())
                      .isEqualTo(ErrorCode.QUEUED_MESSAGE_NOT_FOUND));
      assertThatThrownBy(() -> bob.client().retryQueued(null))
          .isInstanceOf(InvalidArgumentException.class);
    }
  }

  private static QueuedMessage awaitFailure(Party party, String transactionId) {
    return party
        .events()
        .await(
            QueuedMessage.class,
            update ->
                update.transactionId().equals(transactionId)
                    && update.state() == QueuedMessage.State.FAILED);
  }

  private static int attemptsOf(HeadlessClient client, String transactionId) {
    return client.queuedMessages().stream()
        .filter(message -> message.transactionId().equals(transactionId))
        .mapToInt(QueuedMessage::attempts)
        .findFirst()
        .orElse(0);
  }

  private static Optional<MessageEvent> newestMessageFrom(
      HeadlessClient client, String roomId, String sender) {
    return client.history(roomId, null, 50).join().events().stream()
        .filter(event -> event.sender().equals(sender) && !(event instanceof StateEvent))
        .findFirst()
        .map(event -> event instanceof MessageEvent message ? message : null);
  }

  /** Starts {@link QueueCrashChild} in a JVM of its own, on the test's class path. */
  private Process startChild(Path store, String homeserverUrl, String roomId, String body)
      throws IOException {
    return ChildJvm.start(
        QueueCrashChild.class,
        temp.resolve("child-stderr.log"),
        store.toString(),
        homeserverUrl,
        roomId,
        body);
  }

  private String firstLine(Process child) throws Exception {
    BufferedReader output =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> line =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return output.readLine();
              } catch (IOException e) {
                return null;
              }
            });
    String report = line.get(TestClients.WAIT.toSeconds() * 2, TimeUnit.SECONDS);
    while (report != null && !report.startsWith("QUEUED ")) {
      // The child's log goes to its standard output too.
      report = output.readLine();
    }
    assertThat(report)
        .as("the child's report; its stderr is in %s", temp.resolve("child-stderr.log"))
        .isNotNull();
    return report;
  }
}
