package health.tim.headless.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The resident set of this process, read from {@code /proc/self/status} (Linux only). */
final class Rss {
  static final double MIB = 1024.0 * 1024.0;

  private Rss() {}

  /** The current resident set after a garbage collection has settled, in bytes. */
  static long settled() throws IOException, InterruptedException {
    System.gc();
    Thread.sleep(500);
    return status("VmRSS:");
  }

  /** Resets the peak resident set (VmHWM) to the current one and returns the current one. */
  static long resetPeak() throws IOException, InterruptedException {
    long current = settled();
    Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    return current;
  }

  /** The peak resident set since the last {@link #resetPeak()}, in bytes. */
  static long peak() throws IOException {
    return status("VmHWM:");
  }

  private static long status(String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(field)) {
        String[] parts = line.trim().split("\\s+");
        return Long.parseLong(parts[1]) * 1024;
      }
    }
    throw new IllegalStateException(field + " is missing from /proc/self/status");
  }
}
