package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;

import health.tim.headless.TestClients.Recorder;
import health.tim.headless.TestHomeserver.User;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client is driven by local calls only: a whole session (login, sync, room, messages, logout)
 * leaves this JVM with no TCP socket listening that it did not have before.
 */
class LocalCallsOnlyTest {
  private static final String LISTEN = "0A";

  @TempDir Path temp;

  @Test
  void theProbeSeesAListeningSocketOfThisProcess() throws IOException {
    Set<String> before = listeningSocketsOfThisProcess();
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThat(server.isBound()).isTrue();
      assertThat(listeningSocketsOfThisProcess()).hasSize(before.size() + 1);
    }
    assertThat(listeningSocketsOfThisProcess()).isEqualTo(before);
  }

  @Test
  void aFullSessionOpensNoListeningSocket() throws IOException {
    Set<String> before = listeningSocketsOfThisProcess();

    User aliceUser = TestHomeserver.register("alice");
    User bobUser = TestHomeserver.register("bob");
    try (HeadlessClient alice = TestClients.open(temp.resolve("alice"));
        HeadlessClient bob = TestClients.open(temp.resolve("bob"))) {
      alice.login(aliceUser.userId(), aliceUser.password());
      bob.login(bobUser.userId(), bobUser.password());
      Recorder bobEvents = new Recorder();
      bob.addListener(bobEvents);
      alice.startSync();
      bob.startSync();
      String roomId = TestClients.joinedRoom(alice, bob, bobUser.userId(), bobEvents);
      String eventId = alice.sendText(roomId, "lokal").join();
      bobEvents.await(MessageEvent.class, m -> m.eventId().equals(eventId));

      // While the clients are live and syncing, and again after everything is closed.
      assertThat(listeningSocketsOfThisProcess()).isEqualTo(before);
      alice.logout();
    }
    assertThat(listeningSocketsOfThisProcess()).isEqualTo(before);
  }

  /** Inodes of the TCP sockets in LISTEN state that this process holds a descriptor of. */
  private static Set<String> listeningSocketsOfThisProcess() throws IOException {
    Set<String> listening = new HashSet<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path path = Path.of(table);
      if (!Files.exists(path)) {
        continue;
      }
      List<String> lines = Files.readAllLines(path);
      for (String line : lines.subList(1, lines.size())) {
        String[] columns = line.trim().split("\\s+");
        if (columns.length > 9 && columns[3].equals(LISTEN)) {
          listening.add(columns[9]);
        }
      }
    }

    Set<String> held = new HashSet<>();
    try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
      for (Path descriptor : descriptors.toList()) {
        try {
          String target = Files.readSymbolicLink(descriptor).toString();
          if (target.startsWith("socket:[")) {
            held.add(target.substring("socket:[".length(), target.length() - 1));
          }
        } catch (IOException closedMeanwhile) {
          // The descriptor was closed between listing and reading.
        }
      }
    }
    held.retainAll(listening);
    return held;
  }
}
