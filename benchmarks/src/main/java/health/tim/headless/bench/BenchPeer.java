package health.tim.headless.bench;

import health.tim.headless.ClientListener;
import health.tim.headless.HeadlessClient;
import health.tim.headless.MessageEvent;
import health.tim.headless.OutgoingMessage;
import health.tim.headless.RateLimits;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * tim-headless as a peer of {@code ./run bench}: one process that sends or receives the benchmark's
 * encrypted messages through the public Java API, speaking the line protocol of {@code
 * tests/bench/bench_protocol.py} on stdout.
 *
 * <p>Arguments: {@code sender|receiver <homeserver-url> <user-id> <room-id> <count> <in-flight>
 * <store-directory> <sync-batch-window-ms>}; the password comes from the environment variable
 * {@code BENCH_PASSWORD}. The client runs with the highest rate limits the API allows, so that the
 * homeserver, not our own misuse protection, sets the pace.
 */
public final class BenchPeer {
  private static final String PREFIX = "bench ";
  private static final RateLimits HIGHEST_LIMITS = new RateLimits(200, 50, 500);
  private static final long RECEIVE_TIMEOUT_MINUTES = 10;

  private BenchPeer() {}

  /**
   * Runs one peer and exits with 0 after its {@code RESULT} line, 1 after an {@code ERROR} line.
   *
   * @param args role, homeserver URL, user ID, room ID, message count, sends in flight, store, sync
   *     batch window in milliseconds
   */
  public static void main(String[] args) {
    if (args.length != 8) {
      System.err.println(
          "usage: BenchPeer sender|receiver <homeserver> <user> <room> <count> <inflight> <store>"
              + " <window-ms>");
      System.exit(2);
    }
    String role = args[0];
    String roomId = args[3];
    int count = Integer.parseInt(args[4]);
    int inFlight = Integer.parseInt(args[5]);
    String password = System.getenv("BENCH_PASSWORD");
    if (password == null || password.isEmpty()) {
      fail("BENCH_PASSWORD is not set");
    }

    char[] storePassphrase = "benchmark store passphrase".toCharArray();
    try (HeadlessClient client =
        HeadlessClient.builder()
            .homeserverUrl(args[1])
            .storeDirectory(Path.of(args[6]))
            .storePassphrase(storePassphrase)
            .integratingSystem("tim-headless benchmark", "1")
            .rateLimits(HIGHEST_LIMITS)
            .syncBatchWindow(Duration.ofMillis(Long.parseLong(args[7])))
            .build()) {
      client.login(args[2], password.toCharArray());
      if (role.equals("sender")) {
        send(client, roomId, count, inFlight);
      } else {
        receive(client, count);
      }
    } catch (RuntimeException | InterruptedException e) {
      fail(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    System.exit(0);
  }

  private static void send(HeadlessClient client, String roomId, int count, int inFlight)
      throws InterruptedException {
    client.startSync();
    awaitFirstSync(client);
    say("READY");
    waitForGo();

    Semaphore slots = new Semaphore(inFlight);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long started = System.currentTimeMillis();
    for (int index = 0; index < count && failure.get() == null; index++) {
      slots.acquire();
      String body = PREFIX + index + " " + System.currentTimeMillis();
      client
          .send(roomId, OutgoingMessage.text(body))
          .whenComplete(
              (eventId, error) -> {
                if (error != null) {
                  failure.compareAndSet(null, error);
                }
                slots.release();
              });
    }
    slots.acquire(inFlight);
    if (failure.get() != null) {
      fail("a send failed: " + failure.get().getClass().getSimpleName());
    }
    long finished = System.currentTimeMillis();
    say("RESULT {\"started_ms\":" + started + ",\"finished_ms\":" + finished + "}");
  }

  private static void receive(HeadlessClient client, int count) throws InterruptedException {
    Map<Integer, Long> latencies = new TreeMap<>();
    CountDownLatch allArrived = new CountDownLatch(count);
    long[] lastReceived = new long[1];
    client.addListener(
        new ClientListener() {
          @Override
          public void onMessage(MessageEvent message) {
            long received = System.currentTimeMillis();
            long[] parsed = parse(message.body());
            if (parsed == null) {
              return;
            }
            synchronized (latencies) {
              if (latencies.putIfAbsent((int) parsed[0], received - parsed[1]) == null) {
                lastReceived[0] = received;
                allArrived.countDown();
              }
            }
          }
        });
    client.startSync();
    awaitFirstSync(client);
    long cpuAtReady = processCpuNanos();
    say("READY");

    if (!allArrived.await(RECEIVE_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      fail("only " + (count - allArrived.getCount()) + " of " + count + " messages arrived");
    }
    double cpuSeconds = (processCpuNanos() - cpuAtReady) / 1e9;
    StringJoiner values = new StringJoiner(",", "[", "]");
    synchronized (latencies) {
      latencies.values().forEach(latency -> values.add(Long.toString(latency)));
      say(
          "RESULT {\"received\":"
              + latencies.size()
              + ",\"cpu_seconds\":"
              + String.format(java.util.Locale.ROOT, "%.4f", cpuSeconds)
              + ",\"latencies_ms\":"
              + values
              + ",\"last_received_ms\":"
              + lastReceived[0]
              + "}");
    }
  }

  /** Index and send time of a benchmark body, or null for any other text. */
  private static long[] parse(String body) {
    if (body == null || !body.startsWith(PREFIX)) {
      return null;
    }
    String[] parts = body.split(" ");
    if (parts.length != 3) {
      return null;
    }
    try {
      return new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2])};
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static void awaitFirstSync(HeadlessClient client) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (client.syncStatus().lastSuccess().isEmpty()) {
      if (System.nanoTime() > deadline) {
        fail("the first sync did not succeed within two minutes");
      }
      Thread.sleep(20);
    }
  }

  /** User plus system CPU time of this process, every thread, native ones included. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static void waitForGo() {
    try {
      BufferedReader stdin =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line = stdin.readLine();
      if (line == null || !line.strip().equals("GO")) {
        fail("expected GO on stdin");
      }
    } catch (java.io.IOException e) {
      fail("reading stdin failed");
    }
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  private static void fail(String text) {
    say("ERROR " + text.replace('\n', ' '));
    System.exit(1);
  }
}
