package health.tim.headless.demo;

import health.tim.headless.ClientListener;
import health.tim.headless.CreateRoomOptions;
import health.tim.headless.HeadlessClient;
import health.tim.headless.InviteEvent;
import health.tim.headless.MessageEvent;
import health.tim.headless.RateLimits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Measures the resident set each account adds when many accounts run in one JVM, as in an insurer's
 * contact center: N clients log in, sync, join one encrypted room and decrypt a message in it. The
 * figure is the settled RSS with all N running minus the RSS with one account running (which
 * carries the JVM, the native library and its runtime), divided by N - 1.
 *
 * <p>Arguments: homeserver URL, work directory, the sender's localpart, the agents' localpart
 * prefix and their number; agents are {@code <prefix>0} to {@code <prefix>N-1}. Every account's
 * password comes from {@code DEMO_ACCOUNTS_PASSWORD}.
 */
public final class ManyAccounts {
  private ManyAccounts() {}

  /**
   * Runs the measurement.
   *
   * @param args homeserver URL, work directory, sender, agent prefix, agent count
   * @throws Exception when a step fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: ManyAccounts <homeserver-url> <dir> <sender> <prefix> <count>");
      System.exit(2);
    }
    String homeserver = args[0];
    Path work = Path.of(args[1]);
    int count = Integer.parseInt(args[4]);
    char[] password = System.getenv("DEMO_ACCOUNTS_PASSWORD").toCharArray();
    char[] storePassphrase = "measurement store passphrase".toCharArray();

    List<HeadlessClient> agents = new ArrayList<>();
    try (HeadlessClient sender = open(homeserver, work.resolve("sender"), storePassphrase)) {
      sender.login(args[2], password);
      sender.startSync();
      String roomId = sender.createRoom(CreateRoomOptions.privateRoom()).join();
      CountDownLatch invited = new CountDownLatch(count);
      CountDownLatch received = new CountDownLatch(count);

      long started = System.nanoTime();
      long oneAccount = 0;
      for (int i = 0; i < count; i++) {
        HeadlessClient agent = open(homeserver, work.resolve("agent" + i), storePassphrase);
        agents.add(agent);
        agent.addListener(
            new ClientListener() {
              @Override
              public void onInvite(InviteEvent invite) {
                agent.joinRoom(invite.roomId()).thenRun(invited::countDown);
              }

              @Override
              public void onMessage(MessageEvent message) {
                received.countDown();
              }
            });
        String userId = agent.login(args[3] + i, password).userId();
        agent.startSync();
        sender.inviteUser(roomId, userId).join();
        if (i == 0) {
          await(invited, count - 1, count);
          oneAccount = Rss.settled();
        }
      }
      await(invited, 0, count);
      sender.sendText(roomId, "Rundruf an alle Plätze").join();
      await(received, 0, count);
      long allAccounts = Rss.settled();

      double perAccount = (allAccounts - oneAccount) / Rss.MIB / (count - 1);
      System.out.printf(
          "%d accounts syncing, each in the room, message decrypted by all: %.1f s%n",
          count, (System.nanoTime() - started) / 1e9);
      System.out.printf(
          "RSS with one agent %.1f MiB (sender included), with %d: %.1f MiB -> %.1f MiB per"
              + " account%n",
          oneAccount / Rss.MIB, count, allAccounts / Rss.MIB, perAccount);
    } finally {
      agents.forEach(HeadlessClient::close);
    }
  }

  private static void await(CountDownLatch latch, long until, int count)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60 + count);
    while (latch.getCount() > until) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the accounts did not get there in time");
      }
      Thread.sleep(50);
    }
  }

  private static HeadlessClient open(String homeserver, Path store, char[] passphrase) {
    return HeadlessClient.builder()
        .homeserverUrl(homeserver)
        .storeDirectory(store)
        .storePassphrase(passphrase)
        .integratingSystem("tim-headless many-accounts measurement", "1")
        .rateLimits(new RateLimits(20, 50, 50))
        .build();
  }
}
