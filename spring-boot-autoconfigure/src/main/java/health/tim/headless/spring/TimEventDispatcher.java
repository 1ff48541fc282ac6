package health.tim.headless.spring;

import health.tim.headless.ClientEvent;
import health.tim.headless.ClientListener;
import health.tim.headless.HeadlessClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Hands each client's events to Spring (as {@link TimEvent}) and to every {@link TimEventListener}
 * bean. A listener that throws is logged, by the exception's type only (a message might quote an
 * event), and the delivery goes on. It counts the deliveries in flight, so that a graceful shutdown
 * can wait for them.
 */
public class TimEventDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(TimEventDispatcher.class);

  private final ApplicationEventPublisher publisher;
  private final List<TimEventListener> listeners;
  private final AtomicInteger inFlight = new AtomicInteger();

  /**
   * Creates the dispatcher.
   *
   * @param publisher where application events go
   * @param listeners the listener beans
   */
  public TimEventDispatcher(ApplicationEventPublisher publisher, List<TimEventListener> listeners) {
    this.publisher = publisher;
    this.listeners = List.copyOf(listeners);
  }

  /** The client listener that dispatches one account's events. */
  ClientListener listenerFor(String account, HeadlessClient client) {
    return new ClientListener() {
      @Override
      public void onEvent(ClientEvent event) {
        dispatch(account, client, event);
      }
    };
  }

  private void dispatch(String account, HeadlessClient client, ClientEvent event) {
    inFlight.incrementAndGet();
    try {
      try {
        publisher.publishEvent(new TimEvent(account, event));
      } catch (RuntimeException e) {
        LOG.warn("an application listener failed on a tim-headless event: {}", e.getClass());
      }
      for (TimEventListener listener : listeners) {
        try {
          listener.onEvent(account, client, event);
        } catch (RuntimeException e) {
          LOG.warn("a TimEventListener failed on an event of {}: {}", account, e.getClass());
        }
      }
    } finally {
      inFlight.decrementAndGet();
    }
  }

  /**
   * Waits until no delivery is in flight, at most {@code limit}.
   *
   * @return whether none is
   */
  boolean awaitIdle(Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (inFlight.get() > 0) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }
}
