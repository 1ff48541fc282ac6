package health.tim.headless;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The client process {@link ProcessCrashTest} kills: it opens a stored client, records in a journal
 * every message its listener receives and every message a send call accepted, and sends until it is
 * killed.
 *
 * <p>Journal lines, each forced to disk before the next step: {@code S <run>} at the start, {@code
 * R <eventId> <body>} when the listener has a message, {@code U <eventId>} when it has one that
 * could not be decrypted, {@code H <transactionId> <body>} when {@code enqueue} returned, {@code F
 * <transactionId>} when the queue reports a message failed.
 *
 * <p>Arguments: store directory, homeserver URL, room ID, journal file, run number, and {@code
 * send} or {@code receive} (the last run only receives).
 */
public final class CrashChild {
  private CrashChild() {}

  /**
   * Runs the child until it is killed.
   *
   * @param args store directory, homeserver URL, room ID, journal file, run number, mode
   * @throws Exception when the journal cannot be written; the parent then sees the exit
   */
  public static void main(String[] args) throws Exception {
    String roomId = args[2];
    String run = args[4];
    boolean sends = args[5].equals("send");
    try (FileChannel journal =
        FileChannel.open(
            Path.of(args[3]),
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.APPEND)) {
      write(journal, "S " + run);
      HeadlessClient client = TestClients.open(Path.of(args[0]), args[1]);
      client.addListener(
          new ClientListener() {
            @Override
            public void onMessage(MessageEvent message) {
              if (message.body().startsWith("to-child ")) {
                write(journal, "R " + message.eventId() + " " + message.body());
              }
            }

            @Override
            public void onUndecryptable(UndecryptableEvent event) {
              write(journal, "U " + event.eventId());
            }

            @Override
            public void onQueueUpdate(QueuedMessage update) {
              if (update.state() == QueuedMessage.State.FAILED) {
                write(journal, "F " + update.transactionId());
              }
            }
          });
      client.startSync();
      System.out.println("READY");
      System.out.flush();

      for (int n = 0; sends; n++) {
        String body = "from-child " + run + "-" + n;
        QueuedMessage queued = client.enqueue(roomId, OutgoingMessage.text(body));
        write(journal, "H " + queued.transactionId() + " " + body);
        Thread.sleep(80); // within the client's default limit of 20 sends a second
      }
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  private static void write(FileChannel journal, String line) {
    synchronized (journal) {
      try {
        journal.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
        journal.force(false);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
