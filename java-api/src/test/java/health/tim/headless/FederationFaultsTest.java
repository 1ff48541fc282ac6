package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;

import health.tim.headless.TestClients.Party;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Federation faults with the two Fachdienste of the test set: the remote homeserver is killed in
 * the middle of a conversation and started again; what both sides sent meanwhile arrives once and
 * decrypted. Size: {@code tim.reliability.federation.messages} (see {@link Reliability}).
 */
class FederationFaultsTest {
  /** Synapse retries a waiting destination at the latest a minute after it is back. */
  private static final long RECOVERY_S = 180;

  @TempDir Path temp;

  @Test
  void messagesSentWhileTheRemoteFachdienstIsDownArriveOnceAndDecrypted() throws Exception {
    int messages = Reliability.size("federation.messages", 5);
    try (Party alice = Party.onFachdienst(temp, "fd1", "alice");
        Party bob = Party.onFachdienst(temp, "fd2", "bob")) {
      // Given an encrypted conversation of Alice on fd1 with Bob on fd2
      String roomId =
          alice
              .client()
              .createRoom(CreateRoomOptions.privateRoom().withInvitee(bob.userId()))
              .join();
      bob.events().await(InviteEvent.class, invite -> invite.roomId().equals(roomId));
      bob.client().joinRoom(roomId).join();
      TestClients.eventually(
          "Alice sees Bob joined",
          () ->
              alice.client().roomMembers(roomId).join().stream()
                  .anyMatch(
                      m -> m.userId().equals(bob.userId()) && m.membership() == Membership.JOIN));
      String hello = alice.client().sendText(roomId, "vor dem Ausfall").join();
      bob.events().await(MessageEvent.class, m -> m.eventId().equals(hello));

      // When Bob's Fachdienst is killed and both go on writing
      Harness.killFachdienstServer("fd2");
      List<String> fromAlice = new ArrayList<>();
      List<String> fromBob = new ArrayList<>();
      List<CompletableFuture<String>> bobsSends = new ArrayList<>();
      try {
        for (int n = 0; n < messages; n++) {
          String body = "von Alice im Ausfall " + n;
          alice.client().sendText(roomId, body).get(60, TimeUnit.SECONDS);
          fromAlice.add(body);
          String answer = "von Bob im Ausfall " + n;
          bobsSends.add(bob.client().sendText(roomId, answer));
          fromBob.add(answer);
        }
        Thread.sleep(3000);
        assertThat(bobsSends).noneMatch(CompletableFuture::isDone);
      } finally {
        Harness.restartFachdienstServer("fd2");
      }
      long restarted = System.nanoTime();

      // Then, once it is back, everything arrives on both sides, once and decrypted
      for (CompletableFuture<String> send : bobsSends) {
        send.get(RECOVERY_S, TimeUnit.SECONDS);
      }
      awaitAll(bob, fromAlice);
      awaitAll(alice, fromBob);
      double recoverySeconds = (System.nanoTime() - restarted) / 1e9;
      Thread.sleep(2000); // room for a duplicate to show up, if one were on its way
      long duplicates =
          count(bob, fromAlice::contains)
              - fromAlice.size()
              + count(alice, fromBob::contains)
              - fromBob.size();
      long undecryptable =
          bob.events().all(UndecryptableEvent.class).stream()
                  .filter(
                      event ->
                          bob.events().all(MessageEvent.class).stream()
                              .noneMatch(message -> message.eventId().equals(event.eventId())))
                  .count()
              + alice.events().all(UndecryptableEvent.class).stream()
                  .filter(
                      event ->
                          alice.events().all(MessageEvent.class).stream()
                              .noneMatch(message -> message.eventId().equals(event.eventId())))
                  .count();
      new Reliability.Figures("federation-faults")
          .put("remote_kills", 1)
          .put("messages_each_way_during_outage", messages)
          .put("all_arrived_after_restart_s", String.format("%.1f", recoverySeconds))
          .put("duplicates", duplicates)
          .put("undecryptable_left", undecryptable)
          .write();
      assertThat(duplicates).isZero();
      assertThat(undecryptable).isZero();
      assertThat(
              bob.events().all(MessageEvent.class).stream()
                  .filter(m -> fromAlice.contains(m.body())))
          .allMatch(MessageEvent::encrypted);
    }
  }

  private static void awaitAll(Party receiver, List<String> bodies) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RECOVERY_S);
    while (count(receiver, bodies::contains) < bodies.size()
        || !receiver.events().all(MessageEvent.class).stream()
            .map(MessageEvent::body)
            .toList()
            .containsAll(bodies)) {
      assertThat(System.nanoTime())
          .as("all %d messages arrived", bodies.size())
          .isLessThan(deadline);
      Thread.sleep(250);
    }
  }

  private static long count(Party receiver, Predicate<String> body) {
    return receiver.events().all(MessageEvent.class).stream()
        .filter(message -> body.test(message.body()))
        .count();
  }
}
