package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;

import health.tim.headless.TestClients.Party;
import health.tim.headless.TestHomeserver.User;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What was handed to the listeners is recorded: restarts neither lose nor repeat events. */
class DeliveryTest {
  @TempDir Path temp;

  @Test
  void messagesSentWhileStoppedArriveAfterTheRestartInOrderAndOnlyOnce() {
    try (Party alice = Party.start(temp, "alice")) {
      User bobUser = TestHomeserver.register("bob");
      Path bobStore = temp.resolve("bob");
      String roomId;
      List<String> before = new ArrayList<>();

      // Given Bob received two messages and stopped
      try (HeadlessClient bob = TestClients.open(bobStore)) {
        bob.login(bobUser.userId(), bobUser.password());
        MessageLog log = new MessageLog();
        TestClients.Recorder events = new TestClients.Recorder();
        bob.addListener(log);
        bob.addListener(events);
        bob.startSync();
        roomId = TestClients.joinedRoom(alice.client(), bob, bobUser.userId(), events);
        for (int i = 1; i <= 2; i++) {
          before.add(alice.client().sendText(roomId, "vorher " + i).join());
        }
        TestClients.eventually("Bob has both messages", () -> log.eventIds().size() == 2);
        assertThat(log.eventIds()).containsExactlyElementsOf(before);
      }

      // When Alice sends more messages than one sync returns per room while Bob is stopped
      List<String> during = new ArrayList<>();
      for (int i = 1; i <= 15; i++) {
        during.add(alice.client().sendText(roomId, "währenddessen " + i).join());
      }

      // Then the restarted Bob gets exactly those, in order, and none of the earlier two again
      try (HeadlessClient bob = TestClients.open(bobStore)) {
        MessageLog log = new MessageLog();
        bob.addListener(log);
        bob.startSync();
        TestClients.eventually(
            "Bob has the messages sent while he was stopped",
            () -> log.eventIds().contains(during.get(during.size() - 1)));
        String last = alice.client().sendText(roomId, "danach").join();
        TestClients.eventually("Bob has the next message", () -> log.eventIds().contains(last));
        List<String> expected = new ArrayList<>(during);
        expected.add(last);
        assertThat(log.eventIds()).containsExactlyElementsOf(expected);
      }
    }
  }

  @Test
  void eventsSyncedWhileNoListenerIsRegisteredWaitForTheFirstOne() {
    try (Party alice = Party.start(temp, "alice");
        Party bob = Party.start(temp, "bob")) {
      String roomId = TestClients.joinedRoom(alice, bob);

      // Given Bob's client without listeners, syncing a message of Alice's
      bob.client().removeListener(bob.events());
      String eventId = alice.client().sendText(roomId, "ohne Zuhörer").join();
      Instant sent = alice.client().event(roomId, eventId).join().timestamp();
      TestClients.eventually(
          "Bob's client has synced the message",
          () -> sent.equals(bob.client().roomSummary(roomId).join().lastActivity()));

      // When a listener registers, it gets the message that waited for it
      MessageLog log = new MessageLog();
      bob.client().addListener(log);
      TestClients.eventually("the late listener has the message", () -> !log.eventIds().isEmpty());
      assertThat(log.eventIds()).containsExactly(eventId);
    }
  }

  @Test
  void anEventWhoseListenerDidNotReturnBeforeTheEndIsDeliveredAgain() {
    try (Party alice = Party.start(temp, "alice")) {
      User bobUser = TestHomeserver.register("bob");
      Path bobStore = temp.resolve("bob");
      String roomId;
      List<String> sent = new ArrayList<>();
      List<String> firstRun = new ArrayList<>();

      // Given Bob's listener ends his client while it handles the second of four messages
      try (HeadlessClient bob = TestClients.open(bobStore)) {
        bob.login(bobUser.userId(), bobUser.password());
        TestClients.Recorder events = new TestClients.Recorder();
        bob.addListener(events);
        MessageLog log = new MessageLog();
        // Closed from inside the listener, as a process that ends would stop it
        AtomicReference<HeadlessClient> ending = new AtomicReference<>(bob);
        bob.addListener(
            new ClientListener() {
              @Override
              public void onMessage(MessageEvent message) {
                log.onMessage(message);
                if (log.eventIds().size() == 2) {
                  ending.get().close();
                }
              }
            });
        bob.startSync();
        roomId = TestClients.joinedRoom(alice.client(), bob, bobUser.userId(), events);
        for (int i = 1; i <= 4; i++) {
          sent.add(alice.client().sendText(roomId, "Nachricht " + i).join());
        }
        TestClients.eventually("Bob's client ended", bob::isClosed);
        assertThat(log.eventIds()).containsExactlyElementsOf(sent.subList(0, 2));
        firstRun.addAll(events.seen());
      }

      // Then after a restart the first is not repeated, the second comes again, and the rest
      // follow
      try (HeadlessClient bob = TestClients.open(bobStore)) {
        MessageLog log = new MessageLog();
        List<String> everything = new CopyOnWriteArrayList<>();
        bob.addListener(log);
        bob.addListener(
            new ClientListener() {
              @Override
              public void onEvent(ClientEvent event) {
                everything.add(event.toString());
              }
            });
        bob.startSync();
        TestClients.eventually(
            "Bob has the last message", () -> log.eventIds().contains(sent.get(3)));
        assertThat(log.eventIds())
            .as("sent %s; before %s; after the restart %s", sent, firstRun, everything)
            .containsExactlyElementsOf(sent.subList(1, 4));
      }
    }
  }

  /** The event IDs of the room messages a client delivered, in delivery order. */
  private static final class MessageLog implements ClientListener {
    private final List<String> eventIds = new CopyOnWriteArrayList<>();

    @Override
    public void onMessage(MessageEvent message) {
      eventIds.add(message.eventId());
    }

    List<String> eventIds() {
      return List.copyOf(eventIds);
    }
  }
}
