package health.tim.headless.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small service on the tim-headless starter: it logs in with the account its properties name,
 * joins every chat it is invited to and links it to a new case reference, and acknowledges every
 * message it receives. Run it with {@code ./run sample}, which starts a local Synapse for it.
 */
@SpringBootApplication
public class AcknowledgerApplication {
  /** Created by Spring. */
  public AcknowledgerApplication() {}

  /**
   * Starts the service.
   *
   * @param args Spring Boot arguments, such as {@code --tim.headless.user=@kis:localhost}
   */
  public static void main(String[] args) {
    SpringApplication.run(AcknowledgerApplication.class, args);
  }
}
