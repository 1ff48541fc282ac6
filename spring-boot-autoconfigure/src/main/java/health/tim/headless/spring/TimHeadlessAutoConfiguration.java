package health.tim.headless.spring;

import health.tim.headless.HeadlessClient;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * tim-headless clients as beans: {@link TimHeadlessClients} with one client per configured account,
 * the {@link HeadlessClient} itself when there is one account, the event dispatch to Spring and to
 * {@link TimEventListener} beans, and the lifecycle that logs in and syncs. Every bean backs off
 * when the application defines its own.
 *
 * <p>Active when tim-headless is on the class path and {@code tim.headless.enabled} is not {@code
 * false}.
 */
@AutoConfiguration
@ConditionalOnClass(HeadlessClient.class)
@ConditionalOnProperty(
    prefix = TimHeadlessProperties.PREFIX,
    name = "enabled",
    havingValue = "true",
    matchIfMissing = true)
@EnableConfigurationProperties(TimHeadlessProperties.class)
public class TimHeadlessAutoConfiguration {
  /** Created by Spring. */
  public TimHeadlessAutoConfiguration() {}

  /**
   * The secrets from the secret properties, as the environment post-processor captured them.
   *
   * @param environment the environment
   * @param properties the settings, to know the accounts' order
   * @return the secrets
   */
  @Bean
  @ConditionalOnMissingBean
  public TimSecrets timHeadlessSecrets(
      ConfigurableEnvironment environment, TimHeadlessProperties properties) {
    return new PropertyTimSecrets(environment, properties);
  }

  /**
   * The clients of the configured accounts.
   *
   * @param properties the settings
   * @param secrets the secrets
   * @return the clients
   */
  @Bean
  @ConditionalOnMissingBean
  public TimHeadlessClients timHeadlessClients(
      TimHeadlessProperties properties, TimSecrets secrets) {
    TimHeadlessClients clients = new TimHeadlessClients(properties, secrets);
    if (secrets instanceof PropertyTimSecrets fromProperties) {
      // The store and recovery passphrases were handed over; only passwords may still be needed.
      fromProperties.forgetAllButPasswords();
    }
    return clients;
  }

  /**
   * The client, when exactly one account is configured. Closed by {@link TimHeadlessClients}.
   *
   * @param clients the clients
   * @return the only client
   */
  @Bean(destroyMethod = "")
  @ConditionalOnMissingBean
  @Conditional(OnSingleAccountCondition.class)
  public HeadlessClient timHeadlessClient(TimHeadlessClients clients) {
    return clients.all().values().iterator().next();
  }

  /**
   * Hands the events to Spring and to the listener beans.
   *
   * @param publisher the application's event publisher
   * @param listeners the listener beans
   * @return the dispatcher
   */
  @Bean
  @ConditionalOnMissingBean
  public TimEventDispatcher timHeadlessEventDispatcher(
      ApplicationEventPublisher publisher, ObjectProvider<TimEventListener> listeners) {
    List<TimEventListener> all = listeners.orderedStream().toList();
    return new TimEventDispatcher(publisher, all);
  }

  /**
   * Logs in, syncs and closes the clients with the application.
   *
   * @param clients the clients
   * @param dispatcher the dispatcher
   * @param secrets the passwords
   * @param properties the settings
   * @return the lifecycle
   */
  @Bean
  @ConditionalOnMissingBean
  public TimHeadlessLifecycle timHeadlessLifecycle(
      TimHeadlessClients clients,
      TimEventDispatcher dispatcher,
      TimSecrets secrets,
      TimHeadlessProperties properties) {
    return new TimHeadlessLifecycle(
        clients, dispatcher, secrets, properties.getSync().isAutoStart());
  }
}
