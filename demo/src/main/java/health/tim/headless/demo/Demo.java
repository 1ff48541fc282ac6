package health.tim.headless.demo;

import health.tim.headless.ClientListener;
import health.tim.headless.HeadlessClient;
import health.tim.headless.InviteEvent;
import health.tim.headless.MessageEvent;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Two clients on one homeserver: Alice creates an encrypted room with Bob, Bob accepts the
 * invitation, Alice sends a message, and Bob's listener prints it decrypted.
 *
 * <p>Arguments: homeserver URL, Alice's and Bob's localparts, a directory for the stores. Passwords
 * come from {@code DEMO_ALICE_PASSWORD} and {@code DEMO_BOB_PASSWORD}.
 */
public final class Demo {
  private static final String MESSAGE = "Hallo Bob, der Befund für Fall 4711 liegt vor.";

  private Demo() {}

  /**
   * Runs the demo; exits with 1 when the message does not arrive within 30 seconds.
   *
   * @param args homeserver URL, Alice's localpart, Bob's localpart, store directory, and optionally
   *     Bob's homeserver URL when he is on another (federating) homeserver
   * @throws Exception when a step fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 4 && args.length != 5) {
      System.err.println(
          "usage: Demo <homeserver-url> <alice> <bob> <store-directory> [<bob-homeserver-url>]");
      System.exit(2);
    }
    String homeserver = args[0];
    String bobsHomeserver = args.length == 5 ? args[4] : homeserver;
    Path stores = Path.of(args[3]);
    char[] storePassphrase = "demo store passphrase".toCharArray();

    try (HeadlessClient alice = open(homeserver, stores.resolve("alice"), storePassphrase);
        HeadlessClient bob = open(bobsHomeserver, stores.resolve("bob"), storePassphrase)) {
      String aliceId =
          alice.login(args[1], System.getenv("DEMO_ALICE_PASSWORD").toCharArray()).userId();
      String bobId = bob.login(args[2], System.getenv("DEMO_BOB_PASSWORD").toCharArray()).userId();
      say("alice logged in as " + aliceId + ", device " + alice.session().orElseThrow().deviceId());
      say("bob   logged in as " + bobId + ", device " + bob.session().orElseThrow().deviceId());

      CompletableFuture<Void> bobJoined = new CompletableFuture<>();
      CompletableFuture<MessageEvent> bobReceived = new CompletableFuture<>();
      bob.addListener(
          new ClientListener() {
            @Override
            public void onInvite(InviteEvent invite) {
              say("bob   was invited to " + invite.roomId() + " by " + invite.inviter());
              bob.joinRoom(invite.roomId()).thenRun(() -> bobJoined.complete(null));
            }

            @Override
            public void onMessage(MessageEvent message) {
              bobReceived.complete(message);
            }
          });
      alice.startSync();
      bob.startSync();

      String roomId = alice.createEncryptedRoom(bobId).join();
      say("alice created the encrypted room " + roomId + " and invited bob");
      bobJoined.get(30, TimeUnit.SECONDS);
      say("bob   joined " + roomId);

      String eventId = alice.sendText(roomId, MESSAGE).join();
      say("alice sent " + eventId + ": \"" + MESSAGE + "\"");

      MessageEvent received = bobReceived.get(30, TimeUnit.SECONDS);
      say(
          "bob   received "
              + received.eventId()
              + " from "
              + received.sender()
              + " (encrypted: "
              + received.encrypted()
              + "): \""
              + received.body()
              + "\"");
      if (!received.body().equals(MESSAGE) || !received.encrypted()) {
        say("FAILED: the message did not arrive as sent");
        System.exit(1);
      }
      say("done: the message arrived end-to-end encrypted and was decrypted by bob");
    } catch (TimeoutException e) {
      say("FAILED: nothing arrived within 30 seconds");
      System.exit(1);
    }
  }

  private static HeadlessClient open(String homeserver, Path store, char[] passphrase) {
    return HeadlessClient.builder()
        .homeserverUrl(homeserver)
        .storeDirectory(store)
        .storePassphrase(passphrase)
        .integratingSystem("tim-headless demo", "0.1")
        .build();
  }

  private static void say(String line) {
    System.out.println("[demo] " + line);
  }
}
