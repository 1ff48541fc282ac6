package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import health.tim.headless.TestClients.Party;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Encrypted attachments through the Java API against Synapse. */
class AttachmentsTest {
  @TempDir Path temp;

  @Test
  void aFileArrivesEncryptedAndDownloadsIdentical() throws IOException {
    try (Party alice = Party.start(temp, "alice");
        Party bob = Party.start(temp, "bob")) {
      String roomId = TestClients.joinedRoom(alice, bob);
      Path original = randomFile(temp.resolve("Befund 4711.pdf"), 3 * 1024 * 1024 + 17);

      String eventId = alice.client().sendFile(roomId, original, "application/pdf").join();

      MessageEvent message =
          bob.events().await(MessageEvent.class, m -> m.eventId().equals(eventId));
      assertThat(message.kind()).isEqualTo(MessageKind.FILE);
      assertThat(message.encrypted()).isTrue();
      assertThat(message.attachment())
          .isEqualTo(
              new AttachmentInfo("Befund 4711.pdf", "application/pdf", Files.size(original), true));

      Path received = temp.resolve("received.pdf");
      AttachmentInfo info = bob.client().downloadAttachment(roomId, eventId, received).join();
      assertThat(info.optionalSize()).hasValue(Files.size(original));
      assertThat(digest(received)).isEqualTo(digest(original));

      ByteArrayOutputStream streamed = new ByteArrayOutputStream();
      bob.client().downloadAttachment(roomId, eventId, streamed).join();
      assertThat(streamed.toByteArray()).isEqualTo(Files.readAllBytes(original));
    }
  }

  @Test
  void aStreamIsSentAsTheKindItsMimeTypeNames() {
    try (Party alice = Party.start(temp, "alice");
        Party bob = Party.start(temp, "bob")) {
      String roomId = TestClients.joinedRoom(alice, bob);
      byte[] image = new byte[40_000];
      new Random(7).nextBytes(image);

      String eventId =
          alice
              .client()
              .sendAttachment(
                  roomId, new ByteArrayInputStream(image), image.length, "scan.png", "image/png")
              .join();

      MessageEvent message =
          bob.events().await(MessageEvent.class, m -> m.eventId().equals(eventId));
      assertThat(message.kind()).isEqualTo(MessageKind.IMAGE);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      bob.client().downloadAttachment(roomId, eventId, out).join();
      assertThat(out.toByteArray()).isEqualTo(image);
    }
  }

  @Test
  void aTamperedFileIsATypedErrorAndLeavesNothingBehind() throws IOException {
    Path mediaStore = Path.of(System.getenv("TIM_TEST_MEDIA_STORE"));
    try (Party alice = Party.start(temp, "alice");
        Party bob = Party.start(temp, "bob")) {
      String roomId = TestClients.joinedRoom(alice, bob);
      Path original = randomFile(temp.resolve("labor.pdf"), 200_000);
      String eventId = alice.client().sendFile(roomId, original, "application/pdf").join();
      bob.events().await(MessageEvent.class, m -> m.eventId().equals(eventId));

      // A compromised server flips one byte of the stored ciphertext
      flipByteInNewestFile(mediaStore.resolve("local_content"));

      Path downloads = Files.createDirectory(temp.resolve("downloads"));
      Path target = downloads.resolve("labor.pdf");
      assertThatThrownBy(() -> bob.client().downloadAttachment(roomId, eventId, target).join())
          .cause()
          .isInstanceOf(IntegrityException.class)
          .satisfies(
              e -> assertThat(((TimException) e).code()).isEqualTo(ErrorCode.ATTACHMENT_TAMPERED));
      try (Stream<Path> left = Files.list(downloads)) {
        assertThat(left).isEmpty();
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThatThrownBy(() -> bob.client().downloadAttachment(roomId, eventId, out).join())
          .cause()
          .isInstanceOf(IntegrityException.class);
      assertThat(out.size()).isZero();
    }
  }

  @Test
  void badAttachmentsAreRefused() throws IOException {
    try (Party alice = Party.start(temp, "alice");
        Party bob = Party.start(temp, "bob")) {
      String roomId = TestClients.joinedRoom(alice, bob);
      HeadlessClient client = alice.client();
      Path file = randomFile(temp.resolve("a.pdf"), 1000);

      assertThatThrownBy(() -> client.sendFile(roomId, file, "pdf"))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("mimeType");
      assertThatThrownBy(() -> client.sendFile(roomId, temp.resolve("missing.pdf"), "text/plain"))
          .isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(
              () ->
                  client.sendAttachment(
                      roomId, new ByteArrayInputStream(new byte[0]), 0, "x", "text/plain"))
          .isInstanceOf(InvalidArgumentException.class);

      // A stream that ends before the announced size sends nothing
      assertThatThrownBy(
              () ->
                  client
                      .sendAttachment(
                          roomId, new ByteArrayInputStream(new byte[10]), 20, "x", "text/plain")
                      .join())
          .cause()
          .isInstanceOf(InvalidArgumentException.class);

      // Above the homeserver's upload limit (200 MB in the test server) nothing is uploaded
      assertThatThrownBy(
              () ->
                  client
                      .sendAttachment(
                          roomId,
                          new ByteArrayInputStream(new byte[1]),
                          1L << 40,
                          "huge.bin",
                          "application/octet-stream")
                      .join())
          .cause()
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("upload limit");

      // A text message has no attachment to download
      String text = client.sendText(roomId, "kein Anhang").join();
      assertThatThrownBy(
              () ->
                  bob.client().downloadAttachment(roomId, text, new ByteArrayOutputStream()).join())
          .cause()
          .isInstanceOf(InvalidArgumentException.class);

      // Attachments go to encrypted rooms only
      String publicRoom = client.createRoom(CreateRoomOptions.publicRoom()).join();
      assertThatThrownBy(() -> client.sendFile(publicRoom, file, "application/pdf").join())
          .cause()
          .isInstanceOf(ClientStateException.class);
    }
  }

  private static Path randomFile(Path path, int size) throws IOException {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return Files.write(path, bytes);
  }

  private static byte[] digest(Path file) throws IOException {
    try {
      return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void flipByteInNewestFile(Path directory) throws IOException {
    Path newest;
    try (Stream<Path> files = Files.walk(directory)) {
      newest =
          files
              .filter(Files::isRegularFile)
              .max(Comparator.comparing(AttachmentsTest::modified))
              .orElseThrow(() -> new AssertionError("no stored media"));
    }
    try (RandomAccessFile file = new RandomAccessFile(newest.toFile(), "rw")) {
      long middle = file.length() / 2;
      file.seek(middle);
      int value = file.read();
      file.seek(middle);
      file.write(value ^ 0xFF);
    }
  }

  private static java.nio.file.attribute.FileTime modified(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
