package health.tim.headless;

import static org.assertj.core.api.Assertions.fail;

import health.tim.headless.TestHomeserver.User;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
    return open(store, TestHomeserver.url());
  }

  static HeadlessClient open(Path store, String homeserverUrl) {
    return builder(store).homeserverUrl(homeserverUrl).build();
  }

  /** A builder for a client on the test homeserver with the tests' store passphrase. */
  static HeadlessClient.Builder builder(Path store) {
    return HeadlessClient.builder()
        .homeserverUrl(TestHomeserver.url())
        .storeDirectory(store)
        .storePassphrase(STORE_PASSPHRASE)
        .integratingSystem("tim-headless tests", "1");
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

  /**
   * A registered user with a logged-in, syncing client and a recorder on it; closing it closes the
   * client.
   */
  record Party(User user, HeadlessClient client, Recorder events) implements AutoCloseable {
    static Party start(Path temp, String prefix) {
      return start(temp, TestHomeserver.register(prefix), TestHomeserver.url());
    }

    /** A party of a user registered on the homeserver at {@code homeserverUrl}. */
    static Party start(Path temp, User user, String homeserverUrl) {
      HeadlessClient client = open(temp.resolve(user.localpart()), homeserverUrl);
      client.login(user.userId(), user.password());
      Recorder events = new Recorder();
      client.addListener(events);
      client.startSync();
      return new Party(user, client, events);
    }

    /**
     * A party of a new user on one server of the Fachdienst set ({@code fd1}, {@code fd2}, {@code
     * plain}) that {@code ./run test} started.
     */
    static Party onFachdienst(Path temp, String server, String prefix) {
      String variable = "TIM_" + server.toUpperCase(java.util.Locale.ROOT);
      String url = TestHomeserver.required(variable + "_URL");
      User user =
          TestHomeserver.register(prefix, url, TestHomeserver.required(variable + "_SECRET"));
      return start(temp, user, url);
    }

    String userId() {
      return user.userId();
    }

    @Override
    public void close() {
      client.close();
    }
  }

  /** Has {@code alice} create an encrypted room with {@code bob}, who joins it. */
  static String joinedRoom(Party alice, Party bob) {
    return joinedRoom(alice.client(), bob.client(), bob.userId(), bob.events());
  }

  /** Polls {@code condition} until it holds or {@link #WAIT} has passed. */
  static void eventually(String what, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("%s did not happen within %s", what, WAIT);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted while waiting until %s", what);
      }
    }
  }

  /** Collects every event a client delivers, for tests to wait on. */
  static final class Recorder implements ClientListener {
    private final BlockingQueue<ClientEvent> events = new LinkedBlockingQueue<>();

    private final List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final List<ClientEvent> recorded = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void onEvent(ClientEvent event) {
      // The queue last: await returns as soon as an event is in it
      recorded.add(event);
      seen.add(event.toString());
      events.add(event);
    }

    /** Forgets every event recorded so far. */
    void clear() {
      events.clear();
      seen.clear();
      recorded.clear();
    }

    /** Every event of a type recorded so far, whether or not {@link #await} took it. */
    <T extends ClientEvent> List<T> all(Class<T> type) {
      return recorded.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Every event recorded so far, as {@code toString()} shows it (without content). */
    List<String> seen() {
      return List.copyOf(seen);
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
