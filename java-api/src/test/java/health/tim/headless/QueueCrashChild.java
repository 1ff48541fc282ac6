package health.tim.headless;

import java.nio.file.Path;

/**
 * The process {@link SendQueueTest} kills: opens a stored client, queues one message, reports the
 * queue's state on standard output and waits to be killed.
 *
 * <p>Arguments: store directory, homeserver URL, room ID, message body.
 */
public final class QueueCrashChild {
  private QueueCrashChild() {}

  /**
   * Runs the child.
   *
   * @param args store directory, homeserver URL, room ID, message body
   * @throws InterruptedException never in practice: the parent kills the process
   */
  public static void main(String[] args) throws InterruptedException {
    HeadlessClient client = TestClients.open(Path.of(args[0]), args[1]);
    QueuedMessage queued = client.enqueue(args[2], OutgoingMessage.text(args[3]));
    QueuedMessage listed =
        client.queuedMessages().stream()
            .filter(message -> message.transactionId().equals(queued.transactionId()))
            .findFirst()
            .orElseThrow();
    System.out.println("QUEUED " + queued.transactionId() + " " + listed.state());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
