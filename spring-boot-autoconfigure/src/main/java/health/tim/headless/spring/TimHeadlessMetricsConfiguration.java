package health.tim.headless.spring;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The accounts' Micrometer meters, when Micrometer is on the class path. Spring Boot binds the
 * {@link TimHeadlessMetrics} to every meter registry it configures.
 */
@AutoConfiguration(after = TimHeadlessAutoConfiguration.class)
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(TimHeadlessClients.class)
public class TimHeadlessMetricsConfiguration {
  /** Created by Spring. */
  public TimHeadlessMetricsConfiguration() {}

  /**
   * The meters.
   *
   * @param clients the accounts
   * @return the binder, which also listens to the events it counts
   */
  @Bean
  @ConditionalOnMissingBean
  public TimHeadlessMetrics timHeadlessMetrics(TimHeadlessClients clients) {
    return new TimHeadlessMetrics(clients);
  }
}
