package health.tim.headless.testdriver;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.AbstractConfigurableWebServerFactory;
import org.springframework.boot.web.server.ConfigurableWebServerFactory;
import org.springframework.boot.web.server.Ssl;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;

/**
 * Mutual TLS unless plain HTTP is asked for explicitly: TLS 1.2 and 1.3 only, and a client
 * certificate signed by the configured trust store is required (gematik's test suite authenticates
 * with one). Runs after Boot has applied {@code server.ssl.*}, so that these settings win over the
 * configuration; the driver refuses to start without TLS otherwise.
 */
@Component
class TransportSecurity
    implements WebServerFactoryCustomizer<ConfigurableWebServerFactory>, Ordered {
  private static final Logger LOG = LoggerFactory.getLogger(TransportSecurity.class);
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private final TestDriverProperties properties;

  TransportSecurity(TestDriverProperties properties) {
    this.properties = properties;
  }

  @Override
  public void customize(ConfigurableWebServerFactory factory) {
    if (properties.allowPlainHttp()) {
      LOG.warn(
          "serving PLAIN HTTP without TLS or client certificates "
              + "(tim.testdriver.allow-plain-http); for development only");
      factory.setSsl(null);
      return;
    }
    Ssl ssl =
        factory instanceof AbstractConfigurableWebServerFactory configurable
            ? configurable.getSsl()
            : null;
    if (!Ssl.isEnabled(ssl)) {
      throw new IllegalStateException(
          "TLS is not configured (server.ssl.*); plain HTTP needs "
              + "tim.testdriver.allow-plain-http=true");
    }
    ssl.setClientAuth(Ssl.ClientAuth.NEED);
    ssl.setEnabledProtocols(PROTOCOLS.clone());
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
