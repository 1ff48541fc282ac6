package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import health.tim.headless.TestClients.Party;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One owner per store, across processes: a second process is refused a store in use before it
 * touches anything, and a killed owner's lock goes with its process.
 */
class StoreOwnerTest {
  @TempDir Path temp;

  @Test
  void anotherProcessIsRefusedAStoreInUseAndAKilledOwnerReleasesIt() throws Exception {
    try (Party alice = Party.start(temp, "alice")) {
      Path store = temp.resolve(alice.user().localpart());
      alice.client().stopSync();
      Thread.sleep(1000); // let the last sync's writes settle
      String before = snapshot(store);

      // Given our client owns the store, another process is refused it and changes no file
      assertThat(childLine(store)).isEqualTo("REFUSED STORE_LOCKED");
      assertThat(snapshot(store)).isEqualTo(before);
      assertThat(alice.client().isClosed()).isFalse();

      // When our client closes, the other process gets it; while that one holds it we do not
      alice.client().close();
      Process owner = startChild(store);
      assertThat(firstLine(owner)).isEqualTo("READY false");
      assertThatThrownBy(() -> TestClients.open(store))
          .isInstanceOf(StoreException.class)
          .satisfies(e -> assertThat(((TimException) e).code()).isEqualTo(ErrorCode.STORE_LOCKED));

      // Then once that process is killed, its lock is gone with it
      owner.destroyForcibly();
      assertThat(owner.waitFor(30, TimeUnit.SECONDS)).isTrue();
      try (HeadlessClient reopened = TestClients.open(store)) {
        assertThat(reopened.session()).isPresent();
      }
    }
  }

  private String childLine(Path store) throws Exception {
    Process child = startChild(store);
    String line = firstLine(child);
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return line;
  }

  private Process startChild(Path store) throws IOException {
    return ChildJvm.start(
        StoreHolderChild.class,
        temp.resolve("child-stderr.log"),
        store.toString(),
        TestHomeserver.url());
  }

  private String firstLine(Process child) throws Exception {
    BufferedReader output =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> line =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                // The child's log goes to its standard output too.
                for (String next = output.readLine(); next != null; next = output.readLine()) {
                  if (next.startsWith("READY") || next.startsWith("REFUSED")) {
                    return next;
                  }
                }
                return null;
              } catch (IOException e) {
                return null;
              }
            });
    return line.get(60, TimeUnit.SECONDS);
  }

  /** The store's files with their sizes and modification times, one per line. */
  private static String snapshot(Path store) throws IOException {
    try (Stream<Path> files = Files.walk(store)) {
      List<String> lines = new ArrayList<>();
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        lines.add(
            store.relativize(file)
                + " "
                + Files.size(file)
                + " "
                + Files.getLastModifiedTime(file).toMillis());
      }
      return String.join("\n", lines);
    }
  }
}
