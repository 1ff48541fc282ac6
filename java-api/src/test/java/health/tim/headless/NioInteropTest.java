package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import health.tim.headless.TestClients.Recorder;
import health.tim.headless.TestHomeserver.User;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our client and matrix-nio with libolm, whose crypto shares no code with ours, exchange encrypted
 * messages in both directions. The peer is {@code tests/interop/nio_peer.py}; its stdout protocol
 * is described there.
 */
class NioInteropTest {
  private static final String PYTHON_PROPERTY = "tim.test.nio.python";
  private static final String PYTHON_VARIABLE = "TIM_TEST_NIO_PYTHON";
  private static final int PEER_TIMEOUT_S = 60;

  @TempDir Path temp;

  @Test
  void nioDecryptsOurMessageAndWeDecryptItsEncryptedAnswer() throws Exception {
    // Given our user and a nio user, the nio peer logged in with its keys uploaded
    User ourUser = TestHomeserver.register("java");
    User nioUser = TestHomeserver.register("nio");
    try (NioPeer peer = NioPeer.start(nioUser, temp);
        HeadlessClient client = TestClients.open(temp.resolve("java"))) {
      peer.await("READY ");
      client.login(ourUser.userId(), ourUser.password());
      Recorder events = new Recorder();
      client.addListener(events);
      client.startSync();

      // When we invite nio into an encrypted room, it joins, and we send a ping
      String roomId = client.createEncryptedRoom(nioUser.userId()).join();
      assertThat(peer.await("JOINED ")).isEqualTo("JOINED " + roomId);
      String body = "ping:hallo aus Java";
      String eventId = client.sendText(roomId, body).join();

      // Then nio decrypted it
      assertThat(peer.await("RECEIVED " + roomId + " " + eventId + " "))
          .isEqualTo("RECEIVED " + roomId + " " + eventId + " true \"" + body + "\"");

      // And its encrypted pong reaches us decrypted, marked as encrypted
      String pongId = peer.await("SENT ").substring("SENT ".length());
      MessageEvent pong = events.await(MessageEvent.class, m -> m.eventId().equals(pongId));
      assertThat(pong.body()).isEqualTo("pong:hallo aus Java");
      assertThat(pong.encrypted()).isTrue();
      assertThat(pong.sender()).isEqualTo(nioUser.userId());
      assertThat(pong.roomId()).isEqualTo(roomId);

      // And the peer ends cleanly once we close its stdin
      assertThat(peer.stop()).as("nio peer exit code; %s", peer.stderrTail()).isZero();
    }
  }

  /** The nio peer process, its stdout lines queued by a reader thread. */
  private static final class NioPeer implements AutoCloseable {
    private static final String END_OF_OUTPUT = "\0end of output";

    private final Process process;
    private final Path stderr;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private NioPeer(Process process, Path stderr) {
      this.process = process;
      this.stderr = stderr;
      Thread reader = new Thread(this::readLines, "nio-peer-stdout");
      reader.setDaemon(true);
      reader.start();
    }

    static NioPeer start(User user, Path temp) throws IOException {
      Path stderr = temp.resolve("nio-peer.stderr");
      Process process =
          new ProcessBuilder(
                  python(),
                  peerScript().toString(),
                  "--homeserver",
                  TestHomeserver.url(),
                  "--user",
                  user.userId(),
                  "--password",
                  new String(user.password()),
                  "--store",
                  temp.resolve("nio-store").toString(),
                  "--timeout",
                  String.valueOf(PEER_TIMEOUT_S))
              .redirectError(stderr.toFile())
              .start();
      return new NioPeer(process, stderr);
    }

    /** The first line starting with {@code prefix}; fails on ERROR, exit or after the wait. */
    String await(String prefix) throws InterruptedException {
      long deadline = System.nanoTime() + TestClients.WAIT.toNanos();
      while (System.nanoTime() < deadline) {
        String line = lines.poll(200, TimeUnit.MILLISECONDS);
        if (line == null) {
          continue;
        }
        if (line.startsWith("ERROR ") || line.equals(END_OF_OUTPUT)) {
          return fail("nio peer ended while awaiting '%s': %s; %s", prefix, line, stderrTail());
        }
        if (line.startsWith(prefix)) {
          return line;
        }
      }
      return fail("nio peer printed no '%s' within %s; %s", prefix, TestClients.WAIT, stderrTail());
    }

    /** Closes stdin, which asks the peer to end, and returns its exit code. */
    int stop() throws IOException, InterruptedException {
      process.getOutputStream().close();
      if (!process.waitFor(TestClients.WAIT.toSeconds(), TimeUnit.SECONDS)) {
        return fail("nio peer did not end within %s of closing its stdin", TestClients.WAIT);
      }
      return process.exitValue();
    }

    String stderrTail() {
      try {
        List<String> all = Files.readAllLines(stderr, StandardCharsets.UTF_8);
        return "its stderr ends with: "
            + String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
      } catch (IOException e) {
        return "its stderr could not be read";
      }
    }

    @Override
    public void close() {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }

    private void readLines() {
      try (BufferedReader reader =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          lines.add(line);
        }
      } catch (IOException e) {
        // The stream closes when the process is destroyed; awaiting lines then fails on time.
      } finally {
        lines.add(END_OF_OUTPUT);
      }
    }

    private static String python() {
      String python =
          Optional.ofNullable(System.getProperty(PYTHON_PROPERTY))
              .filter(value -> !value.isBlank())
              .orElse(System.getenv(PYTHON_VARIABLE));
      if (python == null || python.isBlank()) {
        throw new IllegalStateException(
            "set -D"
                + PYTHON_PROPERTY
                + " or "
                + PYTHON_VARIABLE
                + " to the python of `synapse_harness.py ensure-nio-venv`; `./run test` does");
      }
      return python;
    }

    /** The peer script, found from the module's directory (Surefire's working directory). */
    private static Path peerScript() {
      for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
        Path script = dir.resolve("tests/interop/nio_peer.py");
        if (Files.isRegularFile(script)) {
          return script;
        }
      }
      throw new UncheckedIOException(
          new IOException("tests/interop/nio_peer.py not found above the working directory"));
    }
  }
}
