package health.tim.headless.testdriver;

import health.tim.headless.TimException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpStatus;

/** Waiting for the client API's futures on the request thread. */
final class Calls {
  /** Longer than the client's own retries of a slow homeserver, shorter than a test's patience. */
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  private Calls() {}

  /**
   * The future's result.
   *
   * @throws TimException as the client API failed
   * @throws DriverException 504 when the call takes longer than {@link #TIMEOUT}
   */
  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      throw new IllegalStateException("client call failed", e.getCause());
    } catch (TimeoutException e) {
      throw new DriverException(
          HttpStatus.GATEWAY_TIMEOUT, "TIMEOUT", "the client did not answer within " + TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DriverException(HttpStatus.SERVICE_UNAVAILABLE, "INTERRUPTED", "interrupted");
    }
  }
}
