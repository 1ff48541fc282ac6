package health.tim.headless;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Building, logging in and listening, for the tests that talk to Synapse. */
final class TestClients {
  static final char[] STORE_PASSPHRASE = "store passphrase for tests".toCharArray();
  static final Duration WAIT = Duration.ofSeconds(30);

  private TestClients() {}

  static HeadlessClient open(Path store) {
    return HeadlessClient.builder()
        .homeserverUrl(TestHomeserver.url())
        .storeDirectory(store)
        .storePassphrase(STORE_PASSPHRASE)
        .integratingSystem("tim-headless tests", "1")
        .build();
  }

  /**
   * Has {@code alice} create an encrypted room with {@code bob}, waits for Bob's invitation and
   * lets him join; both must be syncing, and {@code bobEvents} must listen on Bob.
   */
  static String joinedRoom(
      HeadlessClient alice, HeadlessClient bob, String bobUserId, Recorder bobEvents) {
    String roomId = alice.createEncryptedRoom(bobUserId).join();
    bobEvents.await(InviteEvent.class, invite -> invite.roomId().equals(roomId));
    bob.joinRoom(roomId).join();
    return roomId;
  }

  /** Collects every event a client delivers, for tests to wait on. */
  static final class Recorder implements ClientListener {
    private final BlockingQueue<ClientEvent> events = new LinkedBlockingQueue<>();

    @Override
    public void onMessage(MessageEvent message) {
      events.add(message);
    }

    @Override
    public void onInvite(InviteEvent invite) {
      events.add(invite);
    }

    <T extends ClientEvent> T await(Class<T> type, Predicate<T> matches) {
      long deadline = System.nanoTime() + WAIT.toNanos();
      try {
        while (System.nanoTime() < deadline) {
          ClientEvent event = events.poll(200, TimeUnit.MILLISECONDS);
          if (type.isInstance(event) && matches.test(type.cast(event))) {
            return type.cast(event);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return fail("no matching %s arrived within %s", type.getSimpleName(), WAIT);
    }
  }
}
