package health.tim.headless;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Sizes and figures of the fault tests. {@code ./run test} runs them at the sizes given here as
 * defaults; {@code ./run reliability} passes the full sizes as system properties ({@code
 * -Dtim.reliability.messages=10000} and the like). Each test writes what it counted to {@code
 * target/reliability/<test>.txt}, which {@code ./run reliability} prints for docs/RELIABILITY.md.
 */
final class Reliability {
  private static final Path FIGURES = Path.of("target", "reliability");

  private Reliability() {}

  /** The size {@code name} of this run: {@code tim.reliability.<name>}, else {@code ciDefault}. */
  static int size(String name, int ciDefault) {
    return Integer.getInteger("tim.reliability." + name, ciDefault);
  }

  /** Figures being collected for one test, written in the order they were put. */
  static final class Figures {
    private final String test;
    private final Map<String, Object> values = new LinkedHashMap<>();

    Figures(String test) {
      this.test = test;
    }

    Figures put(String name, Object value) {
      values.put(name, value);
      return this;
    }

    /** Writes the figures; called whether or not the test's assertions then pass. */
    void write() {
      String lines =
          values.entrySet().stream()
              .map(entry -> entry.getKey() + "=" + entry.getValue())
              .collect(
                  Collectors.joining("\n", "test=" + test + "\nat=" + Instant.now() + "\n", "\n"));
      try {
        Files.createDirectories(FIGURES);
        Files.writeString(FIGURES.resolve(test + ".txt"), lines, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
