package health.tim.headless.bench;

import health.tim.headless.HeadlessClient;
import health.tim.headless.Session;
import health.tim.headless.SyncStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What one call through JNI costs: DTO-returning calls that do no I/O, on a logged-in client whose
 * sync loop runs. {@code ./run bench} runs it with JMH and compares it with the same core calls
 * made directly in Rust ({@code tim-bench-peer calls}).
 *
 * <p>The room list would be the natural example, but it is a read under the client's rate limit (at
 * most 500 a second), which JMH would hit within a second; {@link HeadlessClient#syncStatus()} and
 * {@link HeadlessClient#session()} take the same path (argument check, JNI entry helper, core call,
 * encoded record, decoding into a record) without a limit.
 *
 * <p>The account comes from the environment: {@code BENCH_HOMESERVER}, {@code BENCH_USER} and
 * {@code BENCH_PASSWORD}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CallOverhead {
  private HeadlessClient client;
  private Path store;

  /** Creates the state; JMH calls {@link #open()} before measuring. */
  public CallOverhead() {}

  /**
   * Logs in with a fresh store and waits for the first sync.
   *
   * @throws Exception when the client cannot be opened or logged in
   */
  @Setup(Level.Trial)
  public void open() throws Exception {
    store = Files.createTempDirectory("tim-bench-calls");
    client =
        HeadlessClient.builder()
            .homeserverUrl(System.getenv("BENCH_HOMESERVER"))
            .storeDirectory(store.resolve("store"))
            .storePassphrase("benchmark store passphrase".toCharArray())
            .integratingSystem("tim-headless benchmark", "1")
            .build();
    client.login(System.getenv("BENCH_USER"), System.getenv("BENCH_PASSWORD").toCharArray());
    client.startSync();
    while (client.syncStatus().lastSuccess().isEmpty()) {
      Thread.sleep(20);
    }
  }

  /** Closes the client. */
  @TearDown(Level.Trial)
  public void close() {
    client.close();
  }

  /**
   * The sync loop's state as a record.
   *
   * @return the status, so that JMH keeps the call
   */
  @Benchmark
  public SyncStatus syncStatus() {
    return client.syncStatus();
  }

  /**
   * The session as a record.
   *
   * @return the session, so that JMH keeps the call
   */
  @Benchmark
  public Optional<Session> session() {
    return client.session();
  }
}
