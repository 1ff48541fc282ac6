package health.tim.headless.spring;

import health.tim.headless.HeadlessClient;
import health.tim.headless.SyncStatus;
import health.tim.headless.TimException;
import java.util.Optional;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The health of one account: up when it is logged in, its sync loop runs and its last sync
 * succeeded; down, with the reason, when it is not logged in, has stopped itself, or its syncs fail
 * (the homeserver or the network); out of service while it is restricted.
 */
public class TimHeadlessHealthIndicator implements HealthIndicator {
  private final HeadlessClient client;

  /**
   * Creates the indicator.
   *
   * @param client the account's client
   */
  public TimHeadlessHealthIndicator(HeadlessClient client) {
    this.client = client;
  }

  @Override
  public Health health() {
    if (client.isClosed()) {
      return Health.down().withDetail("reason", "closed").build();
    }
    try {
      Optional<String> stop = client.stopReason();
      if (stop.isPresent()) {
        return Health.down().withDetail("reason", "stopped: " + stop.get()).build();
      }
      boolean loggedIn = client.session().isPresent();
      SyncStatus sync = client.syncStatus();
      Health.Builder health;
      Optional<String> restriction = client.restriction();
      if (!loggedIn) {
        health = Health.down().withDetail("reason", "not logged in");
      } else if (restriction.isPresent()) {
        health = Health.outOfService().withDetail("reason", "restricted: " + restriction.get());
      } else if (!sync.running()) {
        health = Health.down().withDetail("reason", "the sync loop is not running");
      } else if (sync.consecutiveFailures() > 0) {
        health =
            Health.down()
                .withDetail(
                    "reason", "syncs fail: " + sync.lastFailure().map(Enum::name).orElse("unknown"))
                .withDetail("consecutiveFailures", sync.consecutiveFailures());
      } else {
        health = Health.up();
      }
      health.withDetail("loggedIn", loggedIn).withDetail("syncing", sync.running());
      sync.lastSuccess().ifPresent(at -> health.withDetail("lastSuccessfulSync", at.toString()));
      restriction.ifPresent(reason -> health.withDetail("restriction", reason));
      return health.build();
    } catch (TimException e) {
      return Health.down().withDetail("reason", e.code().name()).build();
    }
  }
}
