package health.tim.headless.spring;

import health.tim.headless.AuditEntry;
import health.tim.headless.ClientEvent;
import health.tim.headless.HeadlessClient;
import health.tim.headless.MessageEvent;
import health.tim.headless.QueuedMessage;
import health.tim.headless.TimException;
import health.tim.headless.UndecryptableEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Micrometer meters of the accounts, each tagged with {@code account}:
 *
 * <ul>
 *   <li>{@code tim.headless.messages.received}: messages of other users delivered;
 *   <li>{@code tim.headless.messages.sent}: the account's own messages, as the sync returns them;
 *   <li>{@code tim.headless.decryption.failures}: events delivered undecryptable;
 *   <li>{@code tim.headless.calls.rejected}: calls the client refused (its audit entries of refused
 *       and rate-limited calls);
 *   <li>{@code tim.headless.sync.latency}: from a received message's server time to its delivery;
 *   <li>{@code tim.headless.send.latency}: from a queued message's enqueueing to its acceptance by
 *       the homeserver (messages sent directly are timed by their callers' futures).
 * </ul>
 */
public class TimHeadlessMetrics implements MeterBinder, TimEventListener {
  private final TimHeadlessClients clients;
  private final Map<String, Meters> meters = new ConcurrentHashMap<>();
  private volatile MeterRegistry registry;

  /**
   * Creates the meters' binder.
   *
   * @param clients the accounts
   */
  public TimHeadlessMetrics(TimHeadlessClients clients) {
    this.clients = clients;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    this.registry = registry;
    clients.all().keySet().forEach(account -> meters.put(account, new Meters(registry, account)));
  }

  @Override
  public void onEvent(String account, HeadlessClient client, ClientEvent event) {
    Meters of = meters.get(account);
    if (of == null || registry == null) {
      return;
    }
    if (event instanceof MessageEvent message) {
      if (ownUser(client).filter(message.sender()::equals).isPresent()) {
        of.sent.increment();
      } else {
        of.received.increment();
        Duration latency = Duration.between(message.timestamp(), Instant.now());
        if (!latency.isNegative()) {
          of.syncLatency.record(latency);
        }
      }
    } else if (event instanceof UndecryptableEvent) {
      of.decryptionFailures.increment();
    } else if (event instanceof AuditEntry entry) {
      if (entry.event().equals("rejected_call") || entry.event().equals("rate_limited")) {
        of.rejectedCalls.increment();
      }
    } else if (event instanceof QueuedMessage queued
        && queued.state() == QueuedMessage.State.SENT) {
      of.sendLatency.record(Duration.between(queued.queuedAt(), Instant.now()));
    }
  }

  private static Optional<String> ownUser(HeadlessClient client) {
    try {
      return client.session().map(session -> session.userId());
    } catch (TimException e) {
      return Optional.empty();
    }
  }

  /** The meters of one account. */
  private static final class Meters {
    final Counter received;
    final Counter sent;
    final Counter decryptionFailures;
    final Counter rejectedCalls;
    final Timer syncLatency;
    final Timer sendLatency;

    Meters(MeterRegistry registry, String account) {
      received = counter(registry, "tim.headless.messages.received", account, "messages received");
      sent = counter(registry, "tim.headless.messages.sent", account, "messages sent");
      decryptionFailures =
          counter(registry, "tim.headless.decryption.failures", account, "undecryptable events");
      rejectedCalls = counter(registry, "tim.headless.calls.rejected", account, "refused calls");
      syncLatency =
          Timer.builder("tim.headless.sync.latency")
              .description("from a message's server time to its delivery")
              .tag("account", account)
              .register(registry);
      sendLatency =
          Timer.builder("tim.headless.send.latency")
              .description("from enqueueing a message to the homeserver accepting it")
              .tag("account", account)
              .register(registry);
    }

    private static Counter counter(
        MeterRegistry registry, String name, String account, String description) {
      return Counter.builder(name)
          .description(description)
          .tag("account", account)
          .register(registry);
    }
  }
}
