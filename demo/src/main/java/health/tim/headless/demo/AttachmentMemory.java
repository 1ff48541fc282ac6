package health.tim.headless.demo;

import health.tim.headless.ClientListener;
import health.tim.headless.HeadlessClient;
import health.tim.headless.InviteEvent;
import health.tim.headless.MessageEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Measures how much the resident set of the process grows while one client sends a large attachment
 * and another downloads it: the figure behind the claim that attachments are streamed.
 *
 * <p>Before each direction the process's peak RSS is reset ({@code /proc/self/clear_refs}, Linux
 * only) and the current RSS noted; afterwards the new peak minus that baseline is the growth. Both
 * clients live in this one process, so the upload figure includes the receiver's sync of the
 * message and the download figure the sender's idle sync.
 *
 * <p>Arguments: homeserver URL, Alice's and Bob's localparts, a work directory, the size in MiB.
 * Passwords come from {@code DEMO_ALICE_PASSWORD} and {@code DEMO_BOB_PASSWORD}.
 */
public final class AttachmentMemory {
  private static final int MIB = 1024 * 1024;

  private AttachmentMemory() {}

  /**
   * Runs the measurement; exits with 1 if the downloaded file differs from the sent one.
   *
   * @param args homeserver URL, Alice's localpart, Bob's localpart, work directory, MiB
   * @throws Exception when a step fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: AttachmentMemory <homeserver-url> <alice> <bob> <dir> <mib>");
      System.exit(2);
    }
    String homeserver = args[0];
    Path work = Path.of(args[3]);
    int mebibytes = Integer.parseInt(args[4]);
    char[] storePassphrase = "measurement store passphrase".toCharArray();

    try (HeadlessClient alice = open(homeserver, work.resolve("alice"), storePassphrase);
        HeadlessClient bob = open(homeserver, work.resolve("bob"), storePassphrase)) {
      alice.login(args[1], System.getenv("DEMO_ALICE_PASSWORD").toCharArray());
      String bobId = bob.login(args[2], System.getenv("DEMO_BOB_PASSWORD").toCharArray()).userId();
      BlockingQueue<Object> bobEvents = new LinkedBlockingQueue<>();
      bob.addListener(
          new ClientListener() {
            @Override
            public void onInvite(InviteEvent invite) {
              bobEvents.add(invite);
            }

            @Override
            public void onMessage(MessageEvent message) {
              bobEvents.add(message);
            }
          });
      alice.startSync();
      bob.startSync();
      String roomId = alice.createEncryptedRoom(bobId).join();
      await(bobEvents, InviteEvent.class, roomId);
      bob.joinRoom(roomId).join();

      Path original = work.resolve("attachment.bin");
      byte[] sentDigest = writeRandomFile(original, mebibytes);
      say("file of " + mebibytes + " MiB written");

      long uploadBaseline = Rss.resetPeak();
      long started = System.nanoTime();
      String eventId = alice.sendFile(roomId, original, "application/octet-stream").join();
      long uploadPeak = Rss.peak();
      say(
          String.format(
              "upload:   %.1f s, peak RSS growth %.1f MiB (baseline %.1f MiB)",
              seconds(started), mib(uploadPeak - uploadBaseline), mib(uploadBaseline)));

      MessageEvent message = await(bobEvents, MessageEvent.class, eventId);
      Path received = work.resolve("received.bin");
      long downloadBaseline = Rss.resetPeak();
      started = System.nanoTime();
      bob.downloadAttachment(message.roomId(), message.eventId(), received).join();
      long downloadPeak = Rss.peak();
      say(
          String.format(
              "download: %.1f s, peak RSS growth %.1f MiB (baseline %.1f MiB)",
              seconds(started), mib(downloadPeak - downloadBaseline), mib(downloadBaseline)));

      boolean identical = Arrays.equals(sentDigest, digest(received));
      say(identical ? "downloaded file is identical" : "DOWNLOADED FILE DIFFERS");
      if (!identical) {
        System.exit(1);
      }
    }
  }

  private static HeadlessClient open(String homeserver, Path store, char[] passphrase) {
    return HeadlessClient.builder()
        .homeserverUrl(homeserver)
        .storeDirectory(store)
        .storePassphrase(passphrase.clone())
        .integratingSystem("tim-headless attachment measurement", "1")
        .build();
  }

  private static byte[] writeRandomFile(Path file, int mebibytes) throws IOException {
    MessageDigest sha = sha256();
    SplittableRandom random = new SplittableRandom(4711);
    byte[] block = new byte[MIB];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (int i = 0; i < mebibytes; i++) {
        for (int j = 0; j < block.length; j += 8) {
          long value = random.nextLong();
          for (int k = 0; k < 8; k++) {
            block[j + k] = (byte) (value >>> (8 * k));
          }
        }
        sha.update(block);
        out.write(block);
      }
    }
    return sha.digest();
  }

  private static byte[] digest(Path file) throws IOException {
    MessageDigest sha = sha256();
    try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return sha.digest();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> T await(BlockingQueue<Object> events, Class<T> type, String id)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      Object event = events.poll(200, TimeUnit.MILLISECONDS);
      if (event instanceof InviteEvent invite && type == InviteEvent.class) {
        if (invite.roomId().equals(id)) {
          return type.cast(event);
        }
      } else if (event instanceof MessageEvent message && type == MessageEvent.class) {
        if (message.eventId().equals(id)) {
          return type.cast(event);
        }
      }
    }
    throw new IllegalStateException("no " + type.getSimpleName() + " arrived in time");
  }

  private static double mib(long bytes) {
    return bytes / (double) MIB;
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  private static void say(String line) {
    System.out.println("[measure] " + line);
  }
}
