package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import health.tim.headless.TestClients.Party;
import health.tim.headless.TestClients.Recorder;
import health.tim.headless.TestHomeserver.User;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's own process is killed with SIGKILL at random points while it receives and sends
 * ({@link CrashChild}), and started again from its store each time. Across the runs every incoming
 * message reaches the listener, none twice except the one whose delivery was being recorded when
 * the process died, and every message a send call accepted reaches the peer exactly once. Size:
 * {@code tim.reliability.process.kills} (see {@link Reliability}).
 */
class ProcessCrashTest {
  private static final Duration STALL = Duration.ofSeconds(120);

  @TempDir Path temp;

  @Test
  void acrossKilledProcessesNothingIsLostOrDuplicatedInEitherDirection() throws Exception {
    try {
      killAndRestartTheClientProcess();
    } catch (AssertionError | Exception e) {
      keepEvidence();
      throw e;
    }
  }

  /** Copies the journal and the children's logs to target/reliability/, where they outlive temp. */
  private void keepEvidence() throws IOException {
    Path evidence = Path.of("target", "reliability", "process-crash-evidence");
    Files.createDirectories(evidence);
    try (var files = Files.list(temp)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Files.copy(
            file,
            evidence.resolve(file.getFileName()),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private void killAndRestartTheClientProcess() throws Exception {
    int kills = Reliability.size("process.kills", 10);
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    Reliability.Figures figures =
        new Reliability.Figures("process-crash").put("kills_planned", kills).put("seed", seed);

    try (Party bob = Party.start(temp, "bob")) {
      // Given a stored client in a room with Bob, each holding the other's room key
      User childUser = TestHomeserver.register("child");
      Path store = temp.resolve("child");
      String roomId;
      try (HeadlessClient first = TestClients.open(store)) {
        first.login(childUser.userId(), childUser.password());
        Recorder events = new Recorder();
        first.addListener(events);
        first.startSync();
        roomId = TestClients.joinedRoom(first, bob.client(), bob.userId(), bob.events());
        first.sendText(roomId, "warm-up from the child").join();
        bob.client().sendText(roomId, "warm-up from Bob").join();
        events.await(MessageEvent.class, message -> message.body().equals("warm-up from Bob"));
      }

      // When Bob writes all along while the child process is killed again and again
      Feeder feeder = new Feeder(bob.client(), roomId);
      Thread feeding = new Thread(feeder, "crash-test-feeder");
      feeding.start();
      Path journal = temp.resolve("journal.txt");
      Path stderr = temp.resolve("child-stderr.log");
      long started = System.nanoTime();
      for (int run = 1; run <= kills; run++) {
        Process child = startChild(store, roomId, journal, run, "send", stderr);
        Thread.sleep(300 + random.nextInt(3700));
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      feeder.stop();
      feeding.join();

      // Then a last run receives everything Bob wrote and sends everything it had accepted
      Process last = startChild(store, roomId, journal, kills + 1, "receive", stderr);
      Journal written;
      try {
        awaitProgress(
            () -> Journal.read(journal).receivedBodies().size() >= feeder.confirmed.get(),
            () -> Journal.read(journal).receivedBodies().size(),
            "every message Bob wrote in the child's journal");
        awaitProgress(
            () -> fromChild(bob.events()).keySet().containsAll(Journal.read(journal).handed()),
            () -> fromChild(bob.events()).size(),
            "every accepted message at Bob");
        Thread.sleep(2000); // room for a duplicate to show up, if one were on its way
      } finally {
        last.destroyForcibly();
        last.waitFor(30, TimeUnit.SECONDS);
      }
      written = Journal.read(journal);
      Map<String, Integer> atBob = fromChild(bob.events());

      Set<String> handed = written.handed();
      long sentUnconfirmed = atBob.keySet().stream().filter(body -> !handed.contains(body)).count();
      long duplicatedAtBob = atBob.values().stream().filter(count -> count > 1).count();
      List<String> redelivered = written.redelivered();
      figures
          .put("kills", kills)
          .put("incoming_messages", feeder.confirmed.get())
          .put("incoming_delivered_distinct", written.receivedBodies().size())
          .put("incoming_redelivered_after_kill", redelivered.size())
          .put("incoming_lost", feeder.confirmed.get() - written.receivedBodies().size())
          .put("incoming_undecryptable_left", written.undecryptableLeft().size())
          .put("outgoing_accepted", handed.size())
          .put("outgoing_accepted_lost", handed.stream().filter(b -> !atBob.containsKey(b)).count())
          .put("outgoing_sent_before_acceptance_was_journalled", sentUnconfirmed)
          .put("outgoing_duplicated", duplicatedAtBob)
          .put("outgoing_reported_failed", written.failed())
          .put("seconds", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started))
          .write();

      assertThat(written.receivedBodies()).hasSize(feeder.confirmed.get());
      assertThat(written.eventIdsPerBody()).allSatisfy((body, ids) -> assertThat(ids).hasSize(1));
      assertThat(written.redeliveriesOutsideTheCrashWindow())
          .as("events delivered again that were not the last one before a kill")
          .isEmpty();
      assertThat(atBob.keySet()).containsAll(handed);
      assertThat(duplicatedAtBob).as("messages Bob received more than once").isZero();
      assertThat(written.failed()).as("messages the queue reported failed").isZero();
    }
  }

  private Process startChild(
      Path store, String roomId, Path journal, int run, String mode, Path stderr) throws Exception {
    Process child =
        ChildJvm.start(
            CrashChild.class,
            stderr,
            store.toString(),
            TestHomeserver.url(),
            roomId,
            journal.toString(),
            Integer.toString(run),
            mode);
    BufferedReader output =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<Boolean> ready =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                // The child's log goes to its standard output too.
                for (String line = output.readLine(); line != null; line = output.readLine()) {
                  if (line.equals("READY")) {
                    return true;
                  }
                }
                return false;
              } catch (IOException e) {
                return false;
              }
            });
    assertThat(ready.get(60, TimeUnit.SECONDS))
        .as("run %d became ready; its stderr is in %s", run, stderr)
        .isTrue();
    // Keep draining its output (its log) into a file, so that a full pipe never stalls it.
    Path log = stderr.resolveSibling("child-" + run + ".log");
    CompletableFuture.runAsync(
        () -> {
          try (java.io.Writer file = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            output.transferTo(file);
          } catch (IOException e) {
            // the child was killed
          }
        });
    return child;
  }

  /** The messages from the child that Bob received, with how often each came. */
  private static Map<String, Integer> fromChild(Recorder bobEvents) {
    Map<String, Integer> counts = new HashMap<>();
    for (MessageEvent message : bobEvents.all(MessageEvent.class)) {
      if (message.body().startsWith("from-child ")) {
        counts.merge(message.body(), 1, Integer::sum);
      }
    }
    return counts;
  }

  private static void awaitProgress(
      BooleanSupplier done, java.util.function.IntSupplier progress, String what)
      throws InterruptedException {
    int last = progress.getAsInt();
    long lastChange = System.nanoTime();
    while (!done.getAsBoolean()) {
      Thread.sleep(250);
      int now = progress.getAsInt();
      if (now != last) {
        last = now;
        lastChange = System.nanoTime();
      } else if (System.nanoTime() - lastChange > STALL.toNanos()) {
        fail("no progress towards %s for %s (at %d)", what, STALL, now);
      }
    }
  }

  /** Bob's side: "to-child <n>" about fifteen times a second, each confirmed before the next. */
  private static final class Feeder implements Runnable {
    private final HeadlessClient bob;
    private final String roomId;
    private final AtomicBoolean stopped = new AtomicBoolean();
    final AtomicInteger confirmed = new AtomicInteger();

    Feeder(HeadlessClient bob, String roomId) {
      this.bob = bob;
      this.roomId = roomId;
    }

    void stop() {
      stopped.set(true);
    }

    @Override
    public void run() {
      while (!stopped.get()) {
        bob.sendText(roomId, "to-child " + confirmed.get()).join();
        confirmed.incrementAndGet();
        try {
          Thread.sleep(60);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** The child's journal, as {@link CrashChild} writes it. */
  private record Journal(List<List<String[]>> runs) {
    static Journal read(Path file) {
      List<List<String[]>> runs = new ArrayList<>();
      try {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          String[] fields = line.split(" ", 3);
          if (fields[0].equals("S")) {
            runs.add(new ArrayList<>());
          } else if (!runs.isEmpty() && fields.length >= 2) {
            runs.get(runs.size() - 1).add(fields);
          }
        }
      } catch (IOException e) {
        return new Journal(List.of());
      }
      return new Journal(runs);
    }

    private List<String[]> lines(String kind) {
      return runs.stream().flatMap(List::stream).filter(f -> f[0].equals(kind)).toList();
    }

    Set<String> receivedBodies() {
      Set<String> bodies = new HashSet<>();
      lines("R").forEach(fields -> bodies.add(fields[2]));
      return bodies;
    }

    Map<String, Set<String>> eventIdsPerBody() {
      Map<String, Set<String>> ids = new HashMap<>();
      lines("R").forEach(f -> ids.computeIfAbsent(f[2], b -> new HashSet<>()).add(f[1]));
      return ids;
    }

    /** Events that arrived undecryptable and never decrypted. */
    Set<String> undecryptableLeft() {
      Set<String> left = new HashSet<>();
      lines("U").forEach(fields -> left.add(fields[1]));
      lines("R").forEach(fields -> left.remove(fields[1]));
      return left;
    }

    Set<String> handed() {
      Set<String> bodies = new HashSet<>();
      lines("H").forEach(fields -> bodies.add(fields[2]));
      return bodies;
    }

    long failed() {
      return lines("F").size();
    }

    /** Event IDs delivered a second time, in a later run. */
    List<String> redelivered() {
      Set<String> seen = new HashSet<>();
      return lines("R").stream().map(f -> f[1]).filter(id -> !seen.add(id)).toList();
    }

    /**
     * Redelivered events whose earlier delivery was not the last one of its run. A kill after the
     * listener returned and before the delivery was recorded repeats that one event; anything else
     * would be a fault.
     */
    List<String> redeliveriesOutsideTheCrashWindow() {
      Set<String> redelivered = new HashSet<>(redelivered());
      List<String> outside = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      for (List<String[]> run : runs) {
        List<String> received = run.stream().filter(f -> f[0].equals("R")).map(f -> f[1]).toList();
        for (int i = 0; i < received.size(); i++) {
          String id = received.get(i);
          boolean first = seen.add(id);
          if (first && redelivered.contains(id) && i != received.size() - 1) {
            outside.add(id);
          }
        }
      }
      return outside;
    }
  }
}
