package health.tim.headless.spring;

import health.tim.headless.ClientEvent;
import java.util.Objects;

/**
 * An event of one of the application's accounts, as Spring application events carry it: listen with
 * {@code @EventListener void on(TimEvent event)}.
 *
 * @param account the account's name
 * @param event what happened
 */
public record TimEvent(String account, ClientEvent event) {
  /**
   * Creates the event.
   *
   * @param account see the record component
   * @param event see the record component
   * @throws NullPointerException if a component is {@code null}
   */
  public TimEvent {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(event, "event");
  }
}
