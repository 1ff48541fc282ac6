package health.tim.headless;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The project's Synapse harness ({@code tests/harness/synapse_harness.py}) driven from a test: a
 * homeserver of the test's own that it may kill and restart, and faults in the Fachdienst set that
 * {@code ./run test} started.
 */
final class Harness {
  private static final Pattern EXPORT = Pattern.compile("export (\\w+)=(\\S+)");

  private Harness() {}

  /** A Synapse in a directory of the test's own, which it may crash and start again. */
  static final class OwnSynapse implements AutoCloseable {
    private final Path workdir;
    private final String url;
    private final String registrationSecret;

    private OwnSynapse(Path workdir) {
      this.workdir = workdir;
      this.url = run("start", "--workdir", workdir.toString()).trim();
      this.registrationSecret = exported(run("env", "--workdir", workdir.toString()));
    }

    static OwnSynapse start(Path workdir) {
      return new OwnSynapse(workdir);
    }

    String url() {
      return url;
    }

    TestHomeserver.User register(String prefix) {
      return TestHomeserver.register(prefix, url, registrationSecret);
    }

    /** Ends the server with SIGKILL: no request is finished, nothing is flushed. */
    void kill() {
      run("stop", "--kill", "--workdir", workdir.toString());
    }

    /** Starts the killed server again on its port, with its database and keys. */
    void restart() {
      String port = url.substring(url.lastIndexOf(':') + 1);
      String restarted = run("start", "--workdir", workdir.toString(), "--port", port).trim();
      if (!restarted.equals(url)) {
        throw new IllegalStateException("the server came back at " + restarted);
      }
    }

    @Override
    public void close() {
      run("stop", "--workdir", workdir.toString());
    }

    private static String exported(String exportLines) {
      Matcher line = EXPORT.matcher(exportLines);
      while (line.find()) {
        if (line.group(1).equals("TIM_TEST_REGISTRATION_SECRET")) {
          return line.group(2).replace("'", "");
        }
      }
      throw new IllegalStateException("the harness exported no registration secret");
    }
  }

  /**
   * SIGKILLs one server of the running Fachdienst set ({@code fd1}, {@code fd2}, {@code plain}).
   */
  static void killFachdienstServer(String key) {
    run("kill-server", "--workdir", fachdienstWorkdir(), "--server", key);
  }

  /** Starts a killed server of the Fachdienst set again where its clients expect it. */
  static void restartFachdienstServer(String key) {
    run("restart-server", "--workdir", fachdienstWorkdir(), "--server", key);
  }

  private static String fachdienstWorkdir() {
    return Optional.ofNullable(System.getenv("TIM_FD_WORKDIR"))
        .orElseThrow(
            () ->
                new IllegalStateException("TIM_FD_WORKDIR is unset: run the tests via ./run test"));
  }

  /** Runs one harness command and returns its standard output; fails on a non-zero exit. */
  static String run(String... arguments) {
    String script =
        Optional.ofNullable(System.getenv("TIM_HARNESS"))
            .orElseThrow(() -> new IllegalStateException("TIM_HARNESS is unset"));
    List<String> command = new ArrayList<>(List.of("python3", script));
    command.addAll(List.of(arguments));
    try {
      Process process =
          new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
      // Read stderr beside stdout, so that neither pipe fills up and stalls the harness.
      var errors = new java.util.concurrent.CompletableFuture<String>();
      Thread reader =
          new Thread(
              () -> {
                try {
                  errors.complete(
                      new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                  errors.complete("(stderr unreadable: " + e + ")");
                }
              });
      reader.start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int exit = process.waitFor();
      reader.join();
      if (exit != 0) {
        throw new IllegalStateException(
            "harness " + arguments[0] + " failed (" + exit + "): " + errors.join());
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("the harness could not be run", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the harness ran", e);
    }
  }
}
