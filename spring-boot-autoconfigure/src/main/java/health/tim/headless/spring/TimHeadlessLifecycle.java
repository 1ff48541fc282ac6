package health.tim.headless.spring;

import health.tim.headless.ClientListener;
import health.tim.headless.HeadlessClient;
import health.tim.headless.TimException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts and stops the clients with the application: at start each client gets its listener, logs
 * in if its store holds no session and a password is given, and starts syncing; at stop the sync
 * loops end, deliveries in flight finish (up to ten seconds), and the clients close, which releases
 * their stores. It stops after the web server and other consumers (a low phase).
 */
public class TimHeadlessLifecycle implements SmartLifecycle {
  /** Runs before most beans' lifecycles start and stops after they have stopped. */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(TimHeadlessLifecycle.class);
  private static final Duration DRAIN_LIMIT = Duration.ofSeconds(10);

  private final TimHeadlessClients clients;
  private final TimEventDispatcher dispatcher;
  private final TimSecrets secrets;
  private final boolean autoStart;
  private final Map<String, ClientListener> registered = new HashMap<>();
  private volatile boolean running;

  /**
   * Creates the lifecycle.
   *
   * @param clients the clients
   * @param dispatcher where their events go
   * @param secrets the login passwords
   * @param autoStart whether to log in and sync at start
   */
  public TimHeadlessLifecycle(
      TimHeadlessClients clients,
      TimEventDispatcher dispatcher,
      TimSecrets secrets,
      boolean autoStart) {
    this.clients = clients;
    this.dispatcher = dispatcher;
    this.secrets = secrets;
    this.autoStart = autoStart;
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    clients
        .all()
        .forEach(
            (account, client) -> {
              ClientListener listener = dispatcher.listenerFor(account, client);
              client.addListener(listener);
              registered.put(account, listener);
              if (autoStart) {
                logInIfNeeded(account, client);
                if (client.session().isPresent()) {
                  client.startSync();
                }
              }
            });
    running = true;
  }

  private void logInIfNeeded(String account, HeadlessClient client) {
    if (client.session().isPresent()) {
      return;
    }
    TimHeadlessClients.Settings settings = clients.settings(account);
    char[] password = secrets.secret(account, TimSecrets.Kind.PASSWORD);
    if (settings.user() == null || password == null) {
      TimHeadlessClients.wipe(password);
      LOG.warn(
          "tim-headless account {} has no session and no user and password to log in", account);
      return;
    }
    try {
      client.login(settings.user(), password);
      LOG.info("tim-headless account {} logged in", account);
    } catch (TimException e) {
      // The code only: the exception's message is safe, but the code is what an operator needs.
      LOG.error("tim-headless account {} could not log in: {}", account, e.code());
    } finally {
      TimHeadlessClients.wipe(password);
    }
  }

  @Override
  public synchronized void stop() {
    if (!running) {
      return;
    }
    clients.all().values().forEach(TimHeadlessLifecycle::stopSyncQuietly);
    if (!dispatcher.awaitIdle(DRAIN_LIMIT)) {
      LOG.warn("tim-headless deliveries were still in flight after {}", DRAIN_LIMIT);
    }
    registered.forEach((account, listener) -> clients.get(account).removeListener(listener));
    registered.clear();
    clients.destroy();
    running = false;
  }

  private static void stopSyncQuietly(HeadlessClient client) {
    try {
      client.stopSync();
    } catch (TimException e) {
      LOG.debug("a sync loop was not running: {}", e.code());
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
