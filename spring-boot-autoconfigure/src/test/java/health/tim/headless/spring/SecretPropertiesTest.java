package health.tim.headless.spring;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import health.tim.headless.HeadlessClient;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.actuate.context.properties.ConfigurationPropertiesReportEndpoint;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.actuate.env.EnvironmentEndpoint;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The secret properties, given on the command line as an operator might, are taken out of the
 * environment: the client opens its store with them, and neither the environment endpoint nor the
 * configuration properties endpoint (both showing values unsanitised) nor any log line nor a
 * placeholder yields them.
 */
class SecretPropertiesTest {
  @TempDir Path temp;

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class Application {}

  @Test
  void secretPropertiesReachTheClientAndNothingElse() {
    String passphrase = "store-" + UUID.randomUUID();
    String recovery = "recovery-" + UUID.randomUUID();
    String password = "password-" + UUID.randomUUID();
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logs.start();
    root.addAppender(logs);

    SpringApplication application = new SpringApplication(Application.class);
    application.setWebApplicationType(WebApplicationType.NONE);
    try (ConfigurableApplicationContext context =
        application.run(
            "--tim.headless.homeserver-url=http://127.0.0.1:9",
            "--tim.headless.store-directory=" + temp.resolve("store"),
            "--tim.headless.integrating-system.name=KIS Beispiel",
            "--tim.headless.integrating-system.version=4.2",
            "--tim.headless.sync.auto-start=false",
            "--tim.headless.store-passphrase=" + passphrase,
            "--tim.headless.recovery-passphrase=" + recovery,
            "--tim.headless.password=" + password,
            "--probe.passphrase=${tim.headless.store-passphrase:unresolved}")) {
      // The client opened its store with the passphrase
      assertThat(context.getBean(HeadlessClient.class).isClosed()).isFalse();

      // And no part of the environment gives the secrets away
      assertThat(context.getEnvironment().getProperty("tim.headless.store-passphrase")).isNull();
      assertThat(context.getEnvironment().getProperty("probe.passphrase")).isEqualTo("unresolved");
      StringBuilder shown = new StringBuilder();
      new EnvironmentEndpoint(context.getEnvironment(), List.of(), Show.ALWAYS)
          .environment(null)
          .getPropertySources()
          .forEach(
              source ->
                  source
                      .getProperties()
                      .forEach(
                          (name, value) ->
                              shown
                                  .append(name)
                                  .append('=')
                                  .append(value.getValue())
                                  .append('\n')));
      ConfigurationPropertiesReportEndpoint configprops =
          new ConfigurationPropertiesReportEndpoint(List.of(), Show.ALWAYS);
      configprops.setApplicationContext(context);
      configprops
          .configurationProperties()
          .getContexts()
          .values()
          .forEach(
              described ->
                  described
                      .getBeans()
                      .values()
                      .forEach(
                          bean -> shown.append(bean.getProperties()).append(bean.getInputs())));
      assertThat(shown).as("what the endpoints show").contains("tim.headless.store-directory");
      for (String secret : List.of(passphrase, recovery, password)) {
        assertThat(shown.toString()).doesNotContain(secret);
        assertThat(logs.list).noneMatch(event -> event.getFormattedMessage().contains(secret));
      }
      assertThat(shown.toString()).doesNotContain("tim.headless.store-passphrase");
    } finally {
      root.detachAppender(logs);
    }
  }
}
