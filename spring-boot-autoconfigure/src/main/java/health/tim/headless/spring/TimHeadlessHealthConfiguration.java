package health.tim.headless.spring;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * A health indicator per account under the contributor {@code timHeadless}, when Spring Boot's
 * health support is on the class path.
 */
@AutoConfiguration(after = TimHeadlessAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(TimHeadlessClients.class)
public class TimHeadlessHealthConfiguration {
  /** Created by Spring. */
  public TimHeadlessHealthConfiguration() {}

  /**
   * The accounts' health, one indicator each.
   *
   * @param clients the clients
   * @return the composite contributor
   */
  @Bean
  @ConditionalOnMissingBean(name = "timHeadlessHealthContributor")
  public CompositeHealthContributor timHeadlessHealthContributor(TimHeadlessClients clients) {
    Map<String, HealthContributor> indicators = new LinkedHashMap<>();
    clients
        .all()
        .forEach(
            (account, client) -> indicators.put(account, new TimHeadlessHealthIndicator(client)));
    return CompositeHealthContributor.fromMap(indicators);
  }
}
