package health.tim.headless.testdriver;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Starts the test driver: gematik's TI-Messenger test driver interface over HTTPS with mutual TLS,
 * in front of the configured devices (see {@link TestDriverProperties}).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class TestDriverApplication {

  /** Not instantiated by hand; Spring creates the configuration. */
  public TestDriverApplication() {}

  /**
   * Runs the driver until the process is stopped.
   *
   * @param args Spring Boot's command-line arguments, for example {@code --tim.testdriver...}
   */
  public static void main(String[] args) {
    SpringApplication.run(TestDriverApplication.class, args);
  }
}
