package health.tim.headless;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Reading a store directory's files in tests. */
final class StoreFiles {
  private StoreFiles() {}

  /**
   * The engine closes its SQLite connections on background threads shortly after a client is
   * closed, removing write-ahead logs; wait until the directory stops changing.
   */
  static Map<Path, byte[]> settledSnapshot(Path dir) throws IOException {
    Map<Path, byte[]> previous = snapshot(dir);
    for (int attempt = 0; attempt < 50; attempt++) {
      sleep(100);
      Map<Path, byte[]> current = snapshot(dir);
      if (sameContent(previous, current)) {
        return current;
      }
      previous = current;
    }
    throw new AssertionError("the store directory did not settle after close()");
  }

  static boolean sameContent(Map<Path, byte[]> a, Map<Path, byte[]> b) {
    return a.keySet().equals(b.keySet())
        && a.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), b.get(e.getKey())));
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static Map<Path, byte[]> snapshot(Path dir) throws IOException {
    Map<Path, byte[]> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path path : walk.filter(Files::isRegularFile).toList()) {
        try {
          files.put(dir.relativize(path), Files.readAllBytes(path));
        } catch (NoSuchFileException vanished) {
          // Removed between listing and reading: a write-ahead log being closed.
        }
      }
    }
    return files;
  }
}
