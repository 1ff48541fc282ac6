package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import health.tim.headless.Harness.OwnSynapse;
import health.tim.headless.TestClients.Recorder;
import health.tim.headless.TestHomeserver.User;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream of encrypted messages while the homeserver is killed with SIGKILL and started again,
 * over and over: the receiving client's listener gets each message exactly once, and none stays
 * undecryptable. Sizes: {@code tim.reliability.homeserver.messages} and {@code .homeserver.kills}
 * (see {@link Reliability}).
 */
class HomeserverCrashTest {
  /** How long the stream may make no progress before the test gives up. */
  private static final Duration STALL = Duration.ofSeconds(120);

  /** Sends in flight at most: below the send queue's 1,000, so it never refuses one. */
  private static final int IN_FLIGHT = 200;

  @TempDir Path temp;

  @Test
  void everyMessageArrivesOnceAndDecryptedThoughTheHomeserverIsKilledAgainAndAgain()
      throws Exception {
    int messages = Reliability.size("homeserver.messages", 1000);
    int kills = Reliability.size("homeserver.kills", 20);
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    Reliability.Figures figures =
        new Reliability.Figures("homeserver-crash")
            .put("messages", messages)
            .put("kills_planned", kills)
            .put("seed", seed);

    try (OwnSynapse synapse = OwnSynapse.start(temp.resolve("synapse"))) {
      User aliceUser = synapse.register("alice");
      User bobUser = synapse.register("bob");
      Inbox inbox = new Inbox();
      Recorder bobEvents = new Recorder();
      try (HeadlessClient alice = client(synapse, "alice");
          HeadlessClient bob = client(synapse, "bob")) {
        alice.login(aliceUser.userId(), aliceUser.password());
        bob.login(bobUser.userId(), bobUser.password());
        bob.addListener(bobEvents);
        bob.addListener(inbox);
        // As an integrating system would: events wait in the client until a listener takes them.
        alice.addListener(new ClientListener() {});
        alice.startSync();
        bob.startSync();
        String roomId = TestClients.joinedRoom(alice, bob, bobUser.userId(), bobEvents);

        // Given a sender that streams numbered messages, at most IN_FLIGHT unconfirmed
        Sender sender = new Sender(alice, roomId, messages);
        Thread sending = new Thread(sender, "crash-test-sender");
        long started = System.nanoTime();
        sending.start();

        // When the homeserver is killed spread over the stream and started again each time
        int killed = 0;
        long downMillis = 0;
        for (int kill = 1; kill <= kills; kill++) {
          int due = (int) ((long) messages * kill / (kills + 1));
          awaitProgress(inbox::distinct, due, "message " + due + " before kill " + kill);
          Thread.sleep(random.nextInt(300));
          long down = System.nanoTime();
          synapse.kill();
          killed++;
          Thread.sleep(200 + random.nextInt(1300));
          synapse.restart();
          downMillis += TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - down);
        }

        // Then every message arrives, each once, and nothing stays undecryptable
        awaitProgress(inbox::distinct, messages, "all " + messages + " messages");
        sending.join(STALL.toMillis());
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        figures
            .put("kills", killed)
            .put("homeserver_down_ms_total", downMillis)
            .put("sent_confirmed", sender.confirmed.get())
            .put("send_failures", sender.failures.size())
            .put("received_distinct", inbox.distinct())
            .put("received_duplicates", inbox.duplicates())
            .put("lost", messages - inbox.distinct())
            .put("undecryptable_seen", inbox.undecryptable.size())
            .put("undecryptable_left", inbox.undecryptableLeft())
            .put("seconds", seconds)
            .write();

        assertThat(sender.failures).as("failed sends").isEmpty();
        assertThat(sender.confirmed.get()).isEqualTo(messages);
        assertThat(inbox.duplicates()).as("messages delivered more than once").isZero();
        assertThat(inbox.distinct()).isEqualTo(messages);
        assertThat(inbox.undecryptableLeft()).as("messages never decrypted").isZero();
      }
    }
  }

  private HeadlessClient client(OwnSynapse synapse, String name) {
    return TestClients.builder(temp.resolve(name))
        .homeserverUrl(synapse.url())
        .rateLimits(new RateLimits(200, 5, 50))
        .build();
  }

  /** Waits until {@code count} reaches {@code target}; fails if it stands still for too long. */
  private static void awaitProgress(IntSupplier count, int target, String what)
      throws InterruptedException {
    int last = count.getAsInt();
    long lastChange = System.nanoTime();
    while (count.getAsInt() < target) {
      Thread.sleep(100);
      int now = count.getAsInt();
      if (now != last) {
        last = now;
        lastChange = System.nanoTime();
      } else if (System.nanoTime() - lastChange > STALL.toNanos()) {
        fail("no progress towards %s for %s (at %d)", what, STALL, now);
      }
    }
  }

  /** Sends "stream <n>" for n from 0, keeping at most IN_FLIGHT sends unconfirmed. */
  private static final class Sender implements Runnable {
    private final HeadlessClient client;
    private final String roomId;
    private final int messages;
    private final Semaphore inFlight = new Semaphore(IN_FLIGHT);
    final AtomicInteger confirmed = new AtomicInteger();
    final Queue<String> failures = new ConcurrentLinkedQueue<>();

    Sender(HeadlessClient client, String roomId, int messages) {
      this.client = client;
      this.roomId = roomId;
      this.messages = messages;
    }

    @Override
    public void run() {
      // Well below the client's send limit of 200 a second, so that no call is refused.
      long pauseNanos = TimeUnit.SECONDS.toNanos(1) / 150;
      long next = System.nanoTime();
      try {
        for (int n = 0; n < messages; n++) {
          inFlight.acquire();
          long wait = next - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
          next = Math.max(next + pauseNanos, System.nanoTime());
          client
              .sendText(roomId, "stream " + n)
              .whenComplete(
                  (eventId, error) -> {
                    inFlight.release();
                    if (error == null) {
                      confirmed.incrementAndGet();
                    } else {
                      failures.add(error.getClass().getSimpleName());
                    }
                  });
        }
        inFlight.acquire(IN_FLIGHT);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        failures.add("send threw " + e.getClass().getSimpleName());
      }
    }
  }

  /** Counts what the receiving listener got: bodies, and events that arrived undecryptable. */
  private static final class Inbox implements ClientListener {
    private final Map<String, AtomicInteger> bodies = new ConcurrentHashMap<>();
    private final AtomicInteger deliveries = new AtomicInteger();
    final Set<String> undecryptable = ConcurrentHashMap.newKeySet();
    private final Set<String> decrypted = ConcurrentHashMap.newKeySet();

    @Override
    public void onMessage(MessageEvent message) {
      if (message.body().startsWith("stream ")) {
        deliveries.incrementAndGet();
        bodies.computeIfAbsent(message.body(), body -> new AtomicInteger()).incrementAndGet();
        decrypted.add(message.eventId());
      }
    }

    @Override
    public void onUndecryptable(UndecryptableEvent event) {
      undecryptable.add(event.eventId());
    }

    int distinct() {
      return bodies.size();
    }

    int duplicates() {
      return deliveries.get() - bodies.size();
    }

    long undecryptableLeft() {
      return undecryptable.stream().filter(eventId -> !decrypted.contains(eventId)).count();
    }
  }
}
