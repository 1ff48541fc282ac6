package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;

import health.tim.headless.TestClients.Party;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Twenty accounts in one JVM, as an insurer's contact center runs them: each client has its own
 * store and they share one native runtime; one losing its connection and others closing leaves the
 * rest receiving.
 */
class ManyAccountsTest {
  private static final int ACCOUNTS = 20;

  @TempDir Path temp;

  @Test
  void twentyAccountsSyncAtOnceAndClosingSomeLeavesTheOthersRunning() {
    List<Party> agents = new ArrayList<>();
    try (Party sender = fastSender();
        FaultProxy cut = new FaultProxy(TestHomeserver.url())) {
      // The last agent reaches the homeserver through a proxy that the test can cut
      for (int i = 0; i < ACCOUNTS - 1; i++) {
        agents.add(Party.start(temp, "agent" + i));
      }
      Party isolated =
          Party.start(temp, TestHomeserver.register("agent" + (ACCOUNTS - 1)), cut.url());
      agents.add(isolated);

      // Given one encrypted room with every agent in it
      String roomId = sender.client().createRoom(CreateRoomOptions.privateRoom()).join();
      for (Party agent : agents) {
        sender.client().inviteUser(roomId, agent.userId()).join();
      }
      for (Party agent : agents) {
        agent.events().await(InviteEvent.class, invite -> invite.roomId().equals(roomId));
        agent.client().joinRoom(roomId).join();
      }
      TestClients.eventually(
          "every agent joined",
          () ->
              sender.client().roomMembers(roomId).join().stream()
                      .filter(member -> member.membership() == Membership.JOIN)
                      .count()
                  == ACCOUNTS + 1);

      // When a message goes to the room, all twenty decrypt it
      String first = sender.client().sendText(roomId, "Rundruf an alle Plätze").join();
      for (Party agent : agents) {
        MessageEvent message =
            agent.events().await(MessageEvent.class, m -> m.eventId().equals(first));
        assertThat(message.body()).isEqualTo("Rundruf an alle Plätze");
      }

      // And after one lost its connection and a quarter closed, the rest still receive and send
      cut.mode(FaultProxy.Mode.REFUSE);
      List<Party> closed = agents.subList(0, ACCOUNTS / 4);
      closed.forEach(Party::close);
      List<Party> running = agents.subList(ACCOUNTS / 4, ACCOUNTS - 1);
      String second = sender.client().sendText(roomId, "Nachtrag").join();
      for (Party agent : running) {
        agent.events().await(MessageEvent.class, m -> m.eventId().equals(second));
        assertThat(agent.client().isSyncing()).isTrue();
      }

      // And the cut-off one catches up once its connection is back
      cut.mode(FaultProxy.Mode.FORWARD);
      isolated.events().await(MessageEvent.class, m -> m.eventId().equals(second));
      String reply = running.get(0).client().sendText(roomId, "Verstanden").join();
      sender.events().await(MessageEvent.class, m -> m.eventId().equals(reply));
      assertThat(closed.get(0).client().isClosed()).isTrue();
    } finally {
      agents.forEach(Party::close);
    }
  }

  /** A sender whose change limit lets it invite twenty agents at once. */
  private Party fastSender() {
    TestHomeserver.User user = TestHomeserver.register("sender");
    HeadlessClient client =
        TestClients.builder(temp.resolve("sender")).rateLimits(new RateLimits(20, 50, 50)).build();
    client.login(user.userId(), user.password());
    TestClients.Recorder events = new TestClients.Recorder();
    client.addListener(events);
    client.startSync();
    return new Party(user, client, events);
  }
}
