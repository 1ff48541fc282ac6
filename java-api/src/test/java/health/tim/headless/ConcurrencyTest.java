package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;

import health.tim.headless.TestClients.Party;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 32 threads call every kind of operation on one client at once for a bounded time, then the client
 * is closed under them: nothing deadlocks or crashes, every future completes, every call ends in a
 * result or a typed exception, and the messages sent into one room from all threads arrive, each
 * once. Length: {@code tim.reliability.concurrency.seconds} (see {@link Reliability}).
 */
class ConcurrencyTest {
  private static final int THREADS = 32;

  /** The longest a single call or its future may take; more counts as a hang. */
  private static final Duration CALL_LIMIT = Duration.ofSeconds(90);

  @TempDir Path temp;

  @Test
  void thirtyTwoThreadsMixingEveryOperationNeitherDeadlockNorCrash() throws Exception {
    int seconds = Reliability.size("concurrency.seconds", 20);
    HeadlessClient alice =
        TestClients.builder(temp.resolve("alice")).rateLimits(new RateLimits(200, 50, 500)).build();
    // Not a try-with-resources: the test closes the client itself, under load.
    try (Party bob = Party.start(temp, "bob")) {
      TestHomeserver.User aliceUser = TestHomeserver.register("alice");
      alice.login(aliceUser.userId(), aliceUser.password());
      TestClients.Recorder aliceEvents = new TestClients.Recorder();
      alice.addListener(aliceEvents);
      alice.startSync();
      String shared = TestClients.joinedRoom(alice, bob.client(), bob.userId(), bob.events());
      String firstEvent = alice.sendText(shared, "erste Nachricht").join();
      Path attachment = Files.writeString(temp.resolve("befund.txt"), "Befund, zwei Zeilen\n");
      String fileEvent = alice.sendFile(shared, attachment, "text/plain").join();
      Files.createDirectories(temp.resolve("downloads"));

      Operations operations = new Operations(alice, bob.userId(), shared, firstEvent, fileEvent);
      Tally tally = new Tally();
      ExecutorService threads = Executors.newFixedThreadPool(THREADS);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        long seed = t;
        workers.add(threads.submit(() -> work(operations, tally, new Random(seed), end)));
      }

      // When the time is up, the client is closed while the threads still call it
      Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
      // The client still receives under the load
      String fromBob = bob.client().sendText(shared, "an Alice unter Last").join();
      aliceEvents.await(MessageEvent.class, message -> message.eventId().equals(fromBob));
      Set<String> sharedBodies = Set.copyOf(operations.sentIntoShared);
      Thread.sleep(2000);
      long closing = System.nanoTime();
      alice.close();
      long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closing);
      for (Future<?> worker : workers) {
        worker.get(CALL_LIMIT.toSeconds() * 2, TimeUnit.SECONDS);
      }
      threads.shutdown();
      assertThat(threads.awaitTermination(CALL_LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

      // Then each confirmed message into the shared room reached Bob, once
      Map<String, Integer> atBob = new ConcurrentHashMap<>();
      TestClients.eventually(
          "Bob has every message sent into the shared room before the close",
          () -> {
            atBob.clear();
            bob.events().all(MessageEvent.class).stream()
                .filter(message -> message.body().startsWith("parallel "))
                .forEach(message -> atBob.merge(message.body(), 1, Integer::sum));
            return atBob.keySet().containsAll(sharedBodies);
          });
      new Reliability.Figures("concurrency")
          .put("threads", THREADS)
          .put("seconds", seconds)
          .put("calls", tally.calls.get())
          .put("succeeded", tally.succeeded.get())
          .put("refused_as_closed_after_close", tally.closed.get())
          .put("other_typed_failures", tally.typedFailures)
          .put("untyped_failures", tally.untyped)
          .put("hung_calls", tally.hung.get())
          .put("shared_room_messages_confirmed", sharedBodies.size())
          .put("shared_room_duplicates", atBob.values().stream().filter(n -> n > 1).count())
          .put("close_ms_under_load", closeMillis)
          .write();

      assertThat(tally.hung.get()).as("calls or futures that did not complete").isZero();
      assertThat(tally.untyped).as("failures that were not a TimException").isEmpty();
      assertThat(tally.typedFailures).as("typed failures other than a closed client").isEmpty();
      assertThat(operations.succeededKinds()).containsAll(operations.kinds());
      assertThat(atBob.values()).allMatch(count -> count == 1);
    } finally {
      alice.close();
    }
  }

  private static void work(Operations operations, Tally tally, Random random, long end) {
    // Past the end, a thread goes on calling (into the close) for a few more seconds.
    long stop = end + TimeUnit.SECONDS.toNanos(4);
    while (System.nanoTime() < stop) {
      String kind = operations.kinds().get(random.nextInt(operations.kinds().size()));
      tally.calls.incrementAndGet();
      try {
        Object result = operations.call(kind, random);
        if (result instanceof CompletableFuture<?> future) {
          future.get(CALL_LIMIT.toSeconds(), TimeUnit.SECONDS);
        }
        tally.succeeded.incrementAndGet();
        operations.succeeded(kind);
      } catch (TimeoutException e) {
        tally.hung.incrementAndGet();
      } catch (ExecutionException | CompletionException e) {
        tally.failed(kind, e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        tally.failed(kind, e);
      }
      try {
        // About 300 calls a second from all threads: within the client's rate limits.
        Thread.sleep(50 + random.nextInt(150));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** What the threads counted. */
  private static final class Tally {
    final AtomicLong calls = new AtomicLong();
    final AtomicLong succeeded = new AtomicLong();
    final AtomicInteger hung = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();
    final Map<String, Integer> typedFailures = new ConcurrentHashMap<>();
    final Map<String, Integer> untyped = new ConcurrentHashMap<>();

    void failed(String kind, Throwable failure) {
      if (failure instanceof TimException typed && typed.code() == ErrorCode.CLIENT_CLOSED) {
        closed.incrementAndGet();
      } else if (failure instanceof TimException typed) {
        typedFailures.merge(kind + ": " + typed.code(), 1, Integer::sum);
      } else {
        untyped.merge(kind + ": " + failure, 1, Integer::sum);
      }
    }
  }

  /** Every operation the threads pick from, by name. */
  private final class Operations {
    private final HeadlessClient client;
    private final String peer;
    private final String shared;
    private final String firstEvent;
    private final String fileEvent;
    private final AtomicInteger counter = new AtomicInteger();
    final Set<String> sentIntoShared = ConcurrentHashMap.newKeySet();
    private final Set<String> succeeded = ConcurrentHashMap.newKeySet();
    private final Map<String, Function<Random, Object>> calls = new ConcurrentHashMap<>();
    private final List<String> kinds;

    Operations(
        HeadlessClient client, String peer, String shared, String firstEvent, String fileEvent) {
      this.client = client;
      this.peer = peer;
      this.shared = shared;
      this.firstEvent = firstEvent;
      this.fileEvent = fileEvent;
      CaseReference caseReference = CaseReference.of("urn:kis:fall", "4711");
      calls.put("sendText shared", random -> sendShared());
      calls.put("send notice", random -> client.send(shared, OutgoingMessage.notice("Hinweis")));
      calls.put("enqueue", random -> client.enqueue(shared, OutgoingMessage.text("in der Queue")));
      // Synapse refuses a second identical reaction to one event, so each goes to a new one.
      calls.put(
          "react",
          random ->
              client
                  .sendText(shared, "zum Reagieren")
                  .thenCompose(id -> client.react(shared, id, "👍")));
      calls.put(
          "edit",
          random ->
              client
                  .sendText(shared, "zu ändern")
                  .thenCompose(id -> client.editMessage(shared, id, "geändert", null)));
      calls.put(
          "redact",
          random ->
              client
                  .sendText(shared, "zu löschen")
                  .thenCompose(id -> client.redact(shared, id, null)));
      calls.put(
          "custom event",
          random ->
              client.sendCustomEvent(shared, "de.gematik.fhir", "{\"resourceType\":\"Basic\"}"));
      calls.put("read receipt", random -> client.sendReadReceipt(shared, firstEvent));
      calls.put("history", random -> client.history(shared, null, 20));
      calls.put("event", random -> client.event(shared, firstEvent));
      calls.put("rooms", random -> client.rooms());
      calls.put("room summary", random -> client.roomSummary(shared));
      calls.put("room members", random -> client.roomMembers(shared));
      calls.put("room state", random -> client.roomState(shared));
      calls.put("room settings", random -> client.roomSettings(shared));
      calls.put("set topic", random -> client.setRoomTopic(shared, "Thema " + counter.get()));
      calls.put("profile", random -> client.profile(peer));
      calls.put("search users", random -> client.searchUsers("bob", 5));
      calls.put(
          "create room and leave",
          random ->
              client
                  .createRoom(CreateRoomOptions.privateRoom().withName("Fall"))
                  .thenCompose(client::leaveRoom));
      calls.put(
          "download",
          random ->
              client.downloadAttachment(
                  shared,
                  fileEvent,
                  temp.resolve("downloads")
                      .resolve("befund-" + counter.incrementAndGet() + ".txt")));
      calls.put(
          "link case",
          random -> {
            client.linkCase(shared, caseReference);
            return client.roomsForCase(caseReference);
          });
      calls.put("case references", random -> client.caseReferences(shared));
      calls.put("queued messages", random -> client.queuedMessages());
      calls.put("sync status", random -> client.syncStatus());
      calls.put("session", random -> client.session());
      calls.put("restriction", random -> client.restriction());
      calls.put("verify audit log", random -> client.verifyAuditLog());
      calls.put("key backup status", random -> client.keyBackupStatus());
      calls.put("self report", random -> client.selfReport());
      calls.put(
          "listeners",
          random -> {
            ClientListener listener = new ClientListener() {};
            client.addListener(listener);
            client.removeListener(listener);
            return null;
          });
      calls.put(
          "stop and start sync",
          random -> {
            client.stopSync();
            client.startSync();
            return null;
          });
      this.kinds = List.copyOf(new java.util.TreeSet<>(calls.keySet()));
    }

    private CompletableFuture<String> sendShared() {
      String body = "parallel " + counter.incrementAndGet();
      return client
          .sendText(shared, body)
          .thenApply(
              id -> {
                sentIntoShared.add(body);
                return id;
              });
    }

    List<String> kinds() {
      return kinds;
    }

    Object call(String kind, Random random) {
      return calls.get(kind).apply(random);
    }

    void succeeded(String kind) {
      succeeded.add(kind);
    }

    Set<String> succeededKinds() {
      return succeeded;
    }
  }
}
