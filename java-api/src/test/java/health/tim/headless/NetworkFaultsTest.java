package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;

import health.tim.headless.TestClients.Party;
import health.tim.headless.TestClients.Recorder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network faults between the client and Synapse, each for a while and then lifted: refused
 * connections, a stall, responses cut off, connections reset, 503 and 429 answers. The path is
 * client, Toxiproxy (refusals and TCP faults), {@link FaultProxy} (the HTTP answers), Synapse.
 * During each fault the client reports failing syncs through {@link HeadlessClient#syncStatus()}
 * and retries with growing pauses; once the fault is lifted, the message it was sending arrives
 * exactly once, it receives what it missed, and its sync status is healthy again.
 */
class NetworkFaultsTest {
  /** Long enough for the sync loop's pauses to grow several times (0.5 s, doubling). */
  private static final Duration REFUSED = Duration.ofSeconds(16);

  private static final Duration FAULT = Duration.ofSeconds(8);

  /** A stalled request ends only at the client's 60-second request timeout. */
  private static final Duration RECOVERY = Duration.ofSeconds(150);

  @TempDir Path temp;

  @Test
  void theClientReportsEachFaultRetriesAndRecoversWithNothingLostOrDoubled() throws Exception {
    Map<String, String> figures = new LinkedHashMap<>();
    try (FaultProxy answers = new FaultProxy(TestHomeserver.url());
        Toxiproxy toxiproxy = Toxiproxy.start(answers.url(), temp.resolve("toxiproxy.log"));
        Party bob = Party.start(temp, "bob");
        Party alice = Party.start(temp, TestHomeserver.register("alice"), toxiproxy.url())) {
      String roomId = TestClients.joinedRoom(alice, bob);
      alice.client().sendText(roomId, "vor den Fehlern").join();
      bob.events().await(MessageEvent.class, m -> m.body().equals("vor den Fehlern"));

      Fault refused =
          new Fault(
              "refused connections", () -> toxiproxy.enabled(false), () -> toxiproxy.enabled(true));
      SyncStatus duringRefusal = phase(refused, REFUSED, alice, bob, roomId, figures);
      // Growing pauses: without them a 16-second outage would fail some thirty syncs.
      assertThat(duringRefusal.consecutiveFailures()).isBetween(2, 10);
      assertThat(duringRefusal.lastFailure()).contains(ErrorCode.NETWORK_ERROR);

      phase(
          new Fault(
              "stall",
              () -> toxiproxy.addToxic("stall", "timeout", "{\"timeout\":0}"),
              () -> toxiproxy.removeToxic("stall")),
          FAULT,
          alice,
          bob,
          roomId,
          figures);
      phase(
          new Fault(
              "responses cut after 100 bytes",
              () -> toxiproxy.addToxic("cut", "limit_data", "{\"bytes\":100}"),
              () -> toxiproxy.removeToxic("cut")),
          FAULT,
          alice,
          bob,
          roomId,
          figures);
      phase(
          new Fault(
              "connections reset",
              () -> toxiproxy.addToxic("reset", "reset_peer", "{\"timeout\":0}"),
              () -> toxiproxy.removeToxic("reset")),
          FAULT,
          alice,
          bob,
          roomId,
          figures);
      SyncStatus during503 =
          phase(
              new Fault(
                  "503 answers",
                  () -> answers.mode(FaultProxy.Mode.ANSWER_503),
                  () -> answers.mode(FaultProxy.Mode.FORWARD)),
              FAULT,
              alice,
              bob,
              roomId,
              figures);
      assertThat(during503.lastFailure()).contains(ErrorCode.HOMESERVER_ERROR);
      phase(
          new Fault(
              "429 answers",
              () -> answers.mode(FaultProxy.Mode.ANSWER_429),
              () -> answers.mode(FaultProxy.Mode.FORWARD)),
          FAULT,
          alice,
          bob,
          roomId,
          figures);
      phase(
          new Fault(
              "latency 1.5 s",
              () -> toxiproxy.addToxic("slow", "latency", "{\"latency\":1500,\"jitter\":500}"),
              () -> toxiproxy.removeToxic("slow")),
          FAULT,
          alice,
          bob,
          roomId,
          figures);
    } finally {
      Reliability.Figures written = new Reliability.Figures("network-faults");
      figures.forEach(written::put);
      written.write();
    }
  }

  /** Something a test turns on and off. */
  private interface Step {
    void run() throws Exception;
  }

  private record Fault(String name, Step apply, Step lift) {}

  /**
   * Applies the fault, sends each way while it lasts, lifts it and waits for the recovery; returns
   * the sync status seen at the end of the fault.
   */
  private static SyncStatus phase(
      Fault fault,
      Duration length,
      Party alice,
      Party bob,
      String roomId,
      Map<String, String> figures)
      throws Exception {
    fault.apply().run();
    Instant started = Instant.now();
    String outgoing = "von Alice während: " + fault.name();
    String incoming = "an Alice während: " + fault.name();
    CompletableFuture<String> sending = alice.client().sendText(roomId, outgoing);
    bob.client().sendText(roomId, incoming).join();
    Thread.sleep(length.toMillis());
    SyncStatus during = alice.client().syncStatus();
    boolean sentDuringFault = sending.isDone();

    fault.lift().run();
    long lifted = System.nanoTime();
    String eventId = sending.get(RECOVERY.toSeconds(), TimeUnit.SECONDS);
    Recorder aliceEvents = alice.events();
    awaitWithin(
        RECOVERY,
        () ->
            aliceEvents.all(MessageEvent.class).stream()
                .anyMatch(message -> message.body().equals(incoming)));
    awaitWithin(
        RECOVERY,
        () -> {
          SyncStatus now = alice.client().syncStatus();
          return now.running()
              && now.consecutiveFailures() == 0
              && now.lastSuccess().filter(time -> time.isAfter(started)).isPresent();
        });
    double recoverySeconds = (System.nanoTime() - lifted) / 1e9;
    awaitWithin(
        RECOVERY,
        () ->
            bob.events().all(MessageEvent.class).stream()
                .anyMatch(message -> message.eventId().equals(eventId)));
    long copiesAtBob =
        bob.events().all(MessageEvent.class).stream()
            .filter(message -> message.body().equals(outgoing))
            .count();

    figures.put(
        fault.name() + ".failed_syncs_during", Integer.toString(during.consecutiveFailures()));
    figures.put(fault.name() + ".reported_code", String.valueOf(during.lastFailureCode()));
    figures.put(fault.name() + ".send_completed_during_fault", Boolean.toString(sentDuringFault));
    figures.put(fault.name() + ".recovered_after_s", String.format("%.1f", recoverySeconds));
    figures.put(fault.name() + ".copies_at_peer", Long.toString(copiesAtBob));
    assertThat(copiesAtBob).as("copies of the message sent during %s", fault.name()).isOne();
    assertThat(during.running()).isTrue();
    return during;
  }

  private static void awaitWithin(Duration limit, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no recovery within " + limit);
      }
      Thread.sleep(200);
    }
  }
}
