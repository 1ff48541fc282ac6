package health.tim.headless;

import java.time.Instant;
import java.util.Optional;

/**
 * How a client's sync loop fares, for health checks: whether it runs, when a sync last succeeded,
 * and how many have failed since (each failure is retried after a pause that grows to 30 seconds).
 *
 * @param running whether the sync loop runs
 * @param lastSuccessTime when a sync last succeeded, or {@code null} if none has in this process
 * @param consecutiveFailures syncs that failed since the last success
 * @param lastFailureCode the newest of those failures, or {@code null} when there is none
 */
public record SyncStatus(
    boolean running, Instant lastSuccessTime, int consecutiveFailures, ErrorCode lastFailureCode) {
  /**
   * Creates a sync status.
   *
   * @param running see the record component
   * @param lastSuccessTime see the record component
   * @param consecutiveFailures see the record component
   * @param lastFailureCode see the record component
   * @throws InvalidArgumentException if {@code consecutiveFailures} is negative, or a failure code
   *     is given without failures or failures without a code
   */
  public SyncStatus {
    Arguments.check(consecutiveFailures >= 0, "consecutiveFailures", "must not be negative");
    Arguments.check(
        (consecutiveFailures == 0) == (lastFailureCode == null),
        "lastFailureCode",
        "goes with failures only, and failures need one");
  }

  /**
   * When a sync last succeeded.
   *
   * @return the time, if one has in this process
   */
  public Optional<Instant> lastSuccess() {
    return Optional.ofNullable(lastSuccessTime);
  }

  /**
   * The newest failure since the last success.
   *
   * @return its code, if syncs are failing
   */
  public Optional<ErrorCode> lastFailure() {
    return Optional.ofNullable(lastFailureCode);
  }
}
