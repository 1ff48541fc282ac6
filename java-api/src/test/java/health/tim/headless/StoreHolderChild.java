package health.tim.headless;

import java.nio.file.Path;

/**
 * The process {@link StoreOwnerTest} runs beside its own JVM: it opens a store and prints {@code
 * READY} and then waits to be killed, or, when the store is in use, prints {@code REFUSED <code>}
 * and exits.
 *
 * <p>Arguments: store directory, homeserver URL.
 */
public final class StoreHolderChild {
  private StoreHolderChild() {}

  /**
   * Runs the child.
   *
   * @param args store directory, homeserver URL
   * @throws InterruptedException never in practice: the parent kills the process
   */
  public static void main(String[] args) throws InterruptedException {
    HeadlessClient client;
    try {
      client = TestClients.open(Path.of(args[0]), args[1]);
    } catch (TimException e) {
      System.out.println("REFUSED " + e.code());
      System.out.flush();
      return;
    }
    System.out.println("READY " + client.isClosed());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
