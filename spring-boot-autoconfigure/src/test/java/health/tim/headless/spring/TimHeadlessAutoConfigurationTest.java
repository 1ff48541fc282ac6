package health.tim.headless.spring;

import static org.assertj.core.api.Assertions.assertThat;

import health.tim.headless.HeadlessClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Every condition and property of the auto-configuration, with contexts that start no sync. */
class TimHeadlessAutoConfigurationTest {
  static final String PASSPHRASE = "store passphrase of the starter tests";

  /** A self-signed CA certificate, for the trusted-certificates property. */
  static final String TEST_CA = TestCertificates.CA_PEM;

  @TempDir Path temp;

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  TimHeadlessAutoConfiguration.class,
                  TimHeadlessHealthConfiguration.class,
                  TimHeadlessMetricsConfiguration.class))
          .withUserConfiguration(FixedSecrets.class);

  private ApplicationContextRunner valid() {
    return runner.withPropertyValues(
        "tim.headless.homeserver-url=http://127.0.0.1:9",
        "tim.headless.store-directory=" + temp.resolve("store"),
        "tim.headless.integrating-system.name=KIS Beispiel",
        "tim.headless.integrating-system.version=4.2",
        "tim.headless.sync.auto-start=false");
  }

  @Configuration(proxyBeanMethods = false)
  static class FixedSecrets {
    @Bean
    TimSecrets testSecrets() {
      return (account, kind) ->
          kind == TimSecrets.Kind.STORE_PASSPHRASE ? PASSPHRASE.toCharArray() : null;
    }
  }

  @Test
  void oneAccountGivesTheClientAndItsCompanions() {
    valid()
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).hasSingleBean(HeadlessClient.class);
              assertThat(context).hasSingleBean(TimHeadlessClients.class);
              assertThat(context).hasSingleBean(TimEventDispatcher.class);
              assertThat(context).hasSingleBean(TimHeadlessLifecycle.class);
              assertThat(context).hasSingleBean(TimHeadlessMetrics.class);
              assertThat(context).hasBean("timHeadlessHealthContributor");
              HeadlessClient client = context.getBean(HeadlessClient.class);
              assertThat(context.getBean(TimHeadlessClients.class).get("default")).isSameAs(client);
              assertThat(client.selfReport().toString()).doesNotContain(PASSPHRASE);
              CompositeHealthContributor health =
                  context.getBean("timHeadlessHealthContributor", CompositeHealthContributor.class);
              HealthIndicator indicator = (HealthIndicator) health.getContributor("default");
              assertThat(indicator.health().getStatus().getCode()).isEqualTo("DOWN");
              assertThat(indicator.health().getDetails()).containsEntry("reason", "not logged in");
            });
  }

  @Test
  void severalAccountsGiveOneClientEachAndNoSingleClientBean() {
    valid()
        .withPropertyValues(
            "tim.headless.accounts[0].name=desk-1",
            "tim.headless.accounts[0].store-directory=" + temp.resolve("desk-1"),
            "tim.headless.accounts[1].name=desk-2",
            "tim.headless.accounts[1].store-directory=" + temp.resolve("desk-2"))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean(HeadlessClient.class);
              assertThat(context.getBean(TimHeadlessClients.class).all())
                  .containsOnlyKeys("desk-1", "desk-2");
            });
  }

  @Test
  void beansOfTheApplicationWin() {
    valid()
        .withUserConfiguration(OwnClients.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean(TimHeadlessClients.class))
                  .isSameAs(context.getBean(OwnClients.class).clients);
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnClients {
    TimHeadlessClients clients;

    @Bean
    TimHeadlessClients ownClients(TimHeadlessProperties properties, TimSecrets secrets) {
      clients = new TimHeadlessClients(properties, secrets);
      return clients;
    }
  }

  @Test
  void everyPropertyBindsAndTheClientOpensWithThem() throws Exception {
    Path ca = Files.writeString(temp.resolve("ca.pem"), TEST_CA);
    valid()
        .withPropertyValues(
            "tim.headless.user=@kis:example.org",
            "tim.headless.device-display-name=KIS Station 3",
            "tim.headless.directory-url=https://fhir.example.org",
            "tim.headless.client-report-url=https://report.example.org/report",
            "tim.headless.proxy=http://127.0.0.1:3128",
            "tim.headless.trusted-certificates=" + ca,
            "tim.headless.native-directory=" + temp.resolve("native"),
            "tim.headless.integrating-system.vendor=Beispiel GmbH",
            "tim.headless.sync.batch-window=250ms")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              TimHeadlessProperties properties = context.getBean(TimHeadlessProperties.class);
              assertThat(properties.getUser()).isEqualTo("@kis:example.org");
              assertThat(properties.getDeviceDisplayName()).isEqualTo("KIS Station 3");
              assertThat(properties.getProxy()).hasPort(3128);
              assertThat(properties.getTrustedCertificates()).containsExactly(ca);
              assertThat(properties.getSync().isAutoStart()).isFalse();
              assertThat(properties.getSync().getBatchWindow()).hasMillis(250);
              HeadlessClient client = context.getBean(HeadlessClient.class);
              assertThat(client.selfReport().integratingSystemVendor()).isEqualTo("Beispiel GmbH");
              assertThat(context.getBean(TimSecrets.class))
                  .isSameAs(context.getBean("testSecrets"));
            });
  }

  @Test
  void theIdeMetadataDescribesEveryProperty() throws Exception {
    String metadata;
    try (var in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("the metadata the configuration processor wrote").isNotNull();
      metadata = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    for (String property :
        List.of(
            "homeserver-url",
            "server-name",
            "store-directory",
            "user",
            "device-display-name",
            "directory-url",
            "client-report-url",
            "proxy",
            "trusted-certificates",
            "native-directory",
            "integrating-system.name",
            "integrating-system.version",
            "integrating-system.vendor",
            "sync.auto-start",
            "sync.batch-window",
            "accounts",
            "enabled",
            "store-passphrase",
            "recovery-passphrase",
            "password")) {
      assertThat(metadata).contains("\"name\": \"tim.headless." + property + "\"");
    }
    assertThat(metadata).doesNotContain("\"description\": \"\"");
  }

  @Test
  void withoutTheClientLibraryItDefinesNothing() {
    valid()
        .withClassLoader(new FilteredClassLoader(HeadlessClient.class))
        .run(context -> assertThat(context).doesNotHaveBean(TimHeadlessClients.class));
  }

  @Test
  void switchedOffItDefinesNothing() {
    valid()
        .withPropertyValues("tim.headless.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(TimHeadlessClients.class));
  }

  @Test
  void healthAndMetricsOnlyWithTheirLibraries() {
    valid()
        .withClassLoader(new FilteredClassLoader(HealthIndicator.class, MeterRegistry.class))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean("timHeadlessHealthContributor");
              assertThat(context).doesNotHaveBean(TimHeadlessMetrics.class);
              assertThat(context).hasSingleBean(HeadlessClient.class);
            });
  }

  @Test
  void aClosedContextLeavesNoLockAndNoDeliveryThread() throws InterruptedException {
    valid().run(context -> assertThat(context).hasNotFailed());
    // The same store opens again at once: the first context released it.
    valid()
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean(TimHeadlessLifecycle.class).isRunning()).isTrue();
            });
    // The delivery thread ends within its poll interval once the client is closed.
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (deliveryThreadAlive() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(deliveryThreadAlive()).isFalse();
  }

  @Test
  void eachInvalidPropertyIsNamedWithItsFix() throws Exception {
    Path notPem = Files.writeString(temp.resolve("not.pem"), "no certificate");
    String store = "tim.headless.store-directory=" + temp.resolve("s");
    expectFailure(
        runner.withPropertyValues(store, "tim.headless.homeserver-url=http://127.0.0.1:9"),
        "tim.headless.integrating-system.name",
        "set the name of the integrating system");
    expectFailure(
        runner.withPropertyValues(
            store,
            "tim.headless.homeserver-url=http://127.0.0.1:9",
            "tim.headless.integrating-system.name=KIS"),
        "tim.headless.integrating-system.version",
        "set the version");
    expectFailure(
        valid().withPropertyValues("tim.headless.homeserver-url="),
        "tim.headless.homeserver-url",
        "set the homeserver's base URL");
    expectFailure(
        valid().withPropertyValues("tim.headless.server-name=example.org"),
        "tim.headless.server-name",
        "set only one of");
    expectFailure(
        valid().withPropertyValues("tim.headless.homeserver-url=ftp://example.org"),
        "tim.headless.homeserver-url",
        "correct the setting");
    expectFailure(
        valid().withPropertyValues("tim.headless.sync.batch-window=2s"),
        "tim.headless.sync.batch-window",
        "correct the setting");
    expectFailure(
        valid().withPropertyValues("tim.headless.proxy=ftp://proxy.example.org"),
        "tim.headless.proxy",
        "correct the setting");
    expectFailure(
        valid().withPropertyValues("tim.headless.directory-url=ftp://fhir.example.org"),
        "tim.headless.directory-url",
        "correct the setting");
    expectFailure(
        valid().withPropertyValues("tim.headless.client-report-url=file:///tmp/report"),
        "tim.headless.client-report-url",
        "correct the setting");
    expectFailure(
        valid().withPropertyValues("tim.headless.integrating-system.name=" + "n".repeat(200)),
        "tim.headless.integrating-system.name",
        "correct the setting");
    expectFailure(
        valid().withPropertyValues("tim.headless.store-directory="),
        "tim.headless.store-directory",
        "set a directory");
    expectFailure(
        valid().withPropertyValues("tim.headless.trusted-certificates=" + notPem),
        "tim.headless.trusted-certificates",
        "list readable PEM files");
    expectFailure(
        valid()
            .withPropertyValues(
                "tim.headless.accounts[0].name=a",
                "tim.headless.accounts[0].store-directory=" + temp.resolve("same"),
                "tim.headless.accounts[1].name=b",
                "tim.headless.accounts[1].store-directory=" + temp.resolve("same")),
        "tim.headless.accounts[1].store-directory",
        "a store directory of its own");
    expectFailure(
        valid()
            .withPropertyValues(
                "tim.headless.accounts[0].name=a",
                "tim.headless.accounts[0].store-directory=" + temp.resolve("a"),
                "tim.headless.accounts[1].name=a",
                "tim.headless.accounts[1].store-directory=" + temp.resolve("b")),
        "tim.headless.accounts[1].name",
        "its own name");
    expectFailure(
        valid()
            .withPropertyValues(
                "tim.headless.accounts[0].name=no spaces",
                "tim.headless.accounts[0].store-directory=" + temp.resolve("c")),
        "tim.headless.accounts[0].name",
        "name the account like");
    expectFailure(
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TimHeadlessAutoConfiguration.class))
            .withPropertyValues(
                "tim.headless.homeserver-url=http://127.0.0.1:9",
                "tim.headless.store-directory=" + temp.resolve("d"),
                "tim.headless.integrating-system.name=KIS",
                "tim.headless.integrating-system.version=1"),
        "tim.headless.store-passphrase",
        "TimSecrets bean");
  }

  @Test
  void aStoreInUseIsNamedWithItsFix() {
    valid()
        .run(
            first ->
                expectFailure(
                    valid(), "tim.headless.store-directory", "another client holds this store"));
  }

  private static void expectFailure(
      ApplicationContextRunner runner, String property, String fixStart) {
    runner.run(
        context -> {
          assertThat(context).hasFailed();
          Throwable failure = context.getStartupFailure();
          TimHeadlessPropertyException cause = find(failure);
          assertThat(cause).as("the failure of %s", property).isNotNull();
          assertThat(cause.property()).isEqualTo(property);
          FailureAnalysis analysis = new TimHeadlessFailureAnalyzer().analyze(failure);
          assertThat(analysis.getDescription()).contains("'" + property + "'");
          assertThat(analysis.getAction()).contains(fixStart);
          assertThat(analysis.getDescription()).doesNotContain(PASSPHRASE);
        });
  }

  private static boolean deliveryThreadAlive() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(
            thread -> thread.getName().startsWith("tim-headless-events-") && thread.isAlive());
  }

  private static TimHeadlessPropertyException find(Throwable failure) {
    for (Throwable at = failure; at != null; at = at.getCause()) {
      if (at instanceof TimHeadlessPropertyException property) {
        return property;
      }
    }
    return null;
  }
}
