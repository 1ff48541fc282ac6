package health.tim.headless.spring;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Takes the secret properties of tim-headless out of the environment as soon as the configuration
 * files are loaded, before any bean, endpoint or log line can see them.
 */
public class SecretPropertiesPostProcessor implements EnvironmentPostProcessor, Ordered {
  /** Creates the post-processor; Spring Boot does, through {@code spring.factories}. */
  public SecretPropertiesPostProcessor() {}

  @Override
  public void postProcessEnvironment(
      ConfigurableEnvironment environment, SpringApplication application) {
    SecretProperties.capture(environment);
  }

  @Override
  public int getOrder() {
    // After the config data (application.properties and the like) has been loaded.
    return Ordered.LOWEST_PRECEDENCE;
  }
}
