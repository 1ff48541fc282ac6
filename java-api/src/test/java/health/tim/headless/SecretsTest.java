package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.management.HotSpotDiagnosticMXBean;
import health.tim.headless.TestClients.Party;
import health.tim.headless.TestHomeserver.User;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * After a session with a login, a sent and a received message and some refused calls, neither the
 * Java heap, nor the log output, nor the messages of the exceptions thrown, nor the store files
 * hold the store passphrase, the recovery passphrase, the access token or the message's text.
 *
 * <p>The access token of the client's device is never shown by the client; the test reads it from
 * the homeserver's database after the heap dump.
 *
 * <p>The secrets are random and kept only masked (each byte XOR {@link #MASK}) while the heap is
 * dumped, so that the test's own copies cannot be what the scan finds.
 */
class SecretsTest {
  private static final byte MASK = 0x5a;

  @TempDir Path temp;

  @Test
  void neitherThePassphraseNorAMessageBodyLingersInHeapLogsOrStore() throws Exception {
    byte[] maskedPassphrase = maskedRandom("passphrase-");
    byte[] maskedRecovery = maskedRandom("recovery-");
    byte[] maskedBody = maskedRandom("Befund-");
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logs.start();
    root.addAppender(logs);
    Path heapDump = temp.resolve("heap.hprof");
    List<TimException> refusals = new java.util.ArrayList<>();
    User aliceUser = TestHomeserver.register("alice");
    Path aliceStore = temp.resolve("alice-store");
    User bobUser = TestHomeserver.register("bob");
    Path bobStore = temp.resolve(bobUser.localpart());

    // The tokens looked for are those of the client's own device. Registering a test user opens a
    // session of its own whose token reaches this test's HTTP client; that copy is the test's.
    String aliceDevice;
    try (Party bob = Party.start(temp, bobUser, TestHomeserver.url());
        HeadlessClient alice = openWithPassphrases(aliceStore, maskedPassphrase, maskedRecovery)) {
      // Given a session: Alice logs in and sends a message, Bob receives it
      aliceDevice = alice.login(aliceUser.userId(), aliceUser.password()).deviceId();
      alice.startSync();
      String roomId = TestClients.joinedRoom(alice, bob.client(), bob.userId(), bob.events());
      AtomicBoolean received = new AtomicBoolean();
      int bodyHash = new String(unmask(maskedBody), StandardCharsets.US_ASCII).hashCode();
      bob.client()
          .addListener(
              new ClientListener() {
                @Override
                public void onMessage(MessageEvent message) {
                  // Compared by hash, so that no reference to the text stays behind
                  if (message.body().hashCode() == bodyHash) {
                    received.set(true);
                  }
                }
              });
      sendUnmasked(alice, roomId, maskedBody);
      TestClients.eventually("Bob received the message", received::get);
      // And calls that fail, some of them with the body as an argument
      refusals.addAll(provokeRefusals(alice, roomId, maskedBody));
      // The test's recorder kept Bob's events; they are the test's, not the library's, copies.
      bob.client().removeListener(bob.events());
      bob.events().clear();

      // When the live heap is dumped while both clients run
      System.gc();
      ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
          .dumpHeap(heapDump.toString(), true);
    } finally {
      root.detachAppender(logs);
    }

    // Then neither secret is in the heap, in any log line, or in any file of either store
    byte[] heap = Files.readAllBytes(heapDump);
    Files.delete(heapDump);
    // The scan does find what is there: the masked copies are reachable from this test.
    assertThat(indexOf(heap, maskedBody)).as("the masked body in the heap").isNotEqualTo(-1);
    assertThat(filesUnder(aliceStore, bobStore)).as("the store files").hasSizeGreaterThan(4);
    List<String> tokens = TestHomeserver.accessTokens(aliceUser.userId(), aliceDevice);
    assertThat(tokens).as("the access token of Alice's client at the homeserver").isNotEmpty();
    assertThat(refusals).as("the refused calls").hasSize(5);
    List<byte[]> secrets = new java.util.ArrayList<>();
    secrets.addAll(List.of(unmask(maskedPassphrase), unmask(maskedRecovery), unmask(maskedBody)));
    tokens.forEach(token -> secrets.add(token.getBytes(StandardCharsets.US_ASCII)));
    for (byte[] ascii : secrets) {
      String label = new String(ascii, 0, 6, StandardCharsets.US_ASCII) + "...";
      String secret = new String(ascii, StandardCharsets.US_ASCII);
      assertThat(refusals)
          .as("%s in an exception message", label)
          .noneMatch(refusal -> String.valueOf(refusal.getMessage()).contains(secret))
          .noneMatch(refusal -> refusal.toString().contains(secret));
      assertThat(indexOf(heap, ascii)).as("%s as Latin-1 in the heap", label).isEqualTo(-1);
      assertThat(indexOf(heap, utf16(ascii))).as("%s as UTF-16 in the heap", label).isEqualTo(-1);
      String text = new String(ascii, StandardCharsets.US_ASCII);
      assertThat(logs.list)
          .as("%s in a log line", label)
          .noneMatch(event -> event.getFormattedMessage().contains(text));
      for (Path file : filesUnder(aliceStore, bobStore)) {
        assertThat(indexOf(Files.readAllBytes(file), ascii))
            .as("%s in %s", label, file.getFileName())
            .isEqualTo(-1);
      }
    }
    assertThat(logs.list).as("the log was captured").isNotEmpty();
  }

  /** Calls that fail, with the message body as an argument where one fits. */
  private static List<TimException> provokeRefusals(
      HeadlessClient client, String roomId, byte[] maskedBody) {
    List<TimException> refusals = new java.util.ArrayList<>();
    String body = new String(unmask(maskedBody), StandardCharsets.US_ASCII);
    List<Runnable> calls =
        List.of(
            () -> client.sendText("kein Raum", body),
            // A malformed room ID around the text: the identifier parser must not log it.
            () -> client.sendText("!x:" + body + "#", "x"),
            () -> client.sendText(roomId, body + "\u0000"),
            () -> client.sendText("!unbekannt:localhost", body).join(),
            () -> client.login("@someone:localhost", body.toCharArray()));
    for (Runnable call : calls) {
      try {
        call.run();
      } catch (TimException refusal) {
        refusals.add(refusal);
      } catch (java.util.concurrent.CompletionException failed) {
        refusals.add((TimException) failed.getCause());
      }
    }
    return refusals;
  }

  private static HeadlessClient openWithPassphrases(
      Path store, byte[] maskedPassphrase, byte[] maskedRecovery) {
    char[] passphrase = unmaskedChars(maskedPassphrase);
    char[] recovery = unmaskedChars(maskedRecovery);
    try {
      return HeadlessClient.builder()
          .homeserverUrl(TestHomeserver.url())
          .storeDirectory(store)
          .storePassphrase(passphrase)
          .recoveryPassphrase(recovery)
          .integratingSystem("tim-headless tests", "1")
          .build();
    } finally {
      java.util.Arrays.fill(passphrase, '\0');
      java.util.Arrays.fill(recovery, '\0');
    }
  }

  private static char[] unmaskedChars(byte[] masked) {
    byte[] ascii = unmask(masked);
    char[] chars = new char[ascii.length];
    for (int i = 0; i < ascii.length; i++) {
      chars[i] = (char) ascii[i];
    }
    java.util.Arrays.fill(ascii, (byte) 0);
    return chars;
  }

  private static void sendUnmasked(HeadlessClient client, String roomId, byte[] maskedBody) {
    client.sendText(roomId, new String(unmask(maskedBody), StandardCharsets.US_ASCII)).join();
  }

  private static byte[] maskedRandom(String prefix) {
    byte[] random = new byte[16];
    new SecureRandom().nextBytes(random);
    byte[] ascii = (prefix + HexFormat.of().formatHex(random)).getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < ascii.length; i++) {
      ascii[i] ^= MASK;
    }
    return ascii;
  }

  private static byte[] unmask(byte[] masked) {
    byte[] plain = masked.clone();
    for (int i = 0; i < plain.length; i++) {
      plain[i] ^= MASK;
    }
    return plain;
  }

  /** ASCII as UTF-16 in big-endian order, the way heap dumps write {@code char} arrays. */
  private static byte[] utf16(byte[] ascii) {
    byte[] wide = new byte[ascii.length * 2];
    for (int i = 0; i < ascii.length; i++) {
      wide[2 * i + 1] = ascii[i];
    }
    return wide;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static List<Path> filesUnder(Path... directories) throws Exception {
    List<Path> files = new ArrayList<>();
    for (Path directory : directories) {
      try (Stream<Path> walk = Files.walk(directory)) {
        walk.filter(Files::isRegularFile).forEach(files::add);
      }
    }
    return files;
  }
}
