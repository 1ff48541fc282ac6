package health.tim.headless.spring;

import health.tim.headless.ClientEvent;
import health.tim.headless.HeadlessClient;

/**
 * A bean that receives the events of the application's accounts, beside the Spring application
 * events. An exception it throws is logged and does not stop the delivery to other listeners or of
 * later events.
 */
@FunctionalInterface
public interface TimEventListener {
  /**
   * Called for each event, on the account's delivery thread, in order.
   *
   * @param account the account's name
   * @param client the account's client, to answer with
   * @param event what happened
   */
  void onEvent(String account, HeadlessClient client, ClientEvent event);
}
