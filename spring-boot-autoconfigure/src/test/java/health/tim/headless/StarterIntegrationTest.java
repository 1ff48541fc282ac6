package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;

import health.tim.headless.TestClients.Party;
import health.tim.headless.TestHomeserver.User;
import health.tim.headless.spring.TimEvent;
import health.tim.headless.spring.TimEventListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;

/**
 * The starter against Synapse: an application gets a logged-in, syncing client from properties
 * alone; events arrive as application events and at listener beans, also past a listener that
 * throws; health and meters follow.
 */
class StarterIntegrationTest {
  @TempDir Path temp;

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class Application {
    final List<ClientEvent> applicationEvents = new CopyOnWriteArrayList<>();
    final List<ClientEvent> listenerEvents = new CopyOnWriteArrayList<>();

    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }

    @Bean
    TimEventListener failingListener() {
      return (account, client, event) -> {
        throw new IllegalStateException("a listener of the application fails");
      };
    }

    @Bean
    TimEventListener recordingListener() {
      return (account, client, event) -> listenerEvents.add(event);
    }

    @EventListener
    void on(TimEvent event) {
      applicationEvents.add(event.event());
    }
  }

  @Test
  void anInjectedClientLogsInSyncsAndDeliversToSpring() throws Exception {
    User alice = TestHomeserver.register("starter");
    SpringApplication application = new SpringApplication(Application.class);
    application.setWebApplicationType(WebApplicationType.NONE);
    try (Party bob = Party.start(temp, "bob");
        ConfigurableApplicationContext context =
            application.run(
                "--tim.headless.homeserver-url=" + TestHomeserver.url(),
                "--tim.headless.store-directory=" + temp.resolve("alice-store"),
                "--tim.headless.user=" + alice.userId(),
                "--tim.headless.password=" + new String(alice.password()),
                "--tim.headless.store-passphrase=starter test passphrase",
                "--tim.headless.integrating-system.name=KIS Beispiel",
                "--tim.headless.integrating-system.version=4.2")) {
      // Given the injected client, logged in and syncing from the properties alone
      HeadlessClient client = context.getBean(HeadlessClient.class);
      assertThat(client.session()).map(Session::userId).contains(alice.userId());
      assertThat(client.isSyncing()).isTrue();
      Application app = context.getBean(Application.class);

      // When Bob invites it and sends a message
      String roomId = bob.client().createEncryptedRoom(alice.userId()).join();
      TestClients.eventually(
          "the invitation reached the listener",
          () -> app.listenerEvents.stream().anyMatch(InviteEvent.class::isInstance));
      client.joinRoom(roomId).join();
      TestClients.eventually(
          "Bob sees the join", () -> client.roomMembers(roomId).join().size() == 2);
      bob.client().sendText(roomId, "Befund liegt vor").join();

      // Then it reaches both kinds of listener, past the one that throws
      TestClients.eventually(
          "the message reached the listener bean",
          () -> hasMessage(app.listenerEvents, "Befund liegt vor"));
      TestClients.eventually(
          "the message reached the application event listener",
          () -> hasMessage(app.applicationEvents, "Befund liegt vor"));

      // And health is up, and the meters counted it
      CompositeHealthContributor health =
          context.getBean("timHeadlessHealthContributor", CompositeHealthContributor.class);
      HealthIndicator indicator = (HealthIndicator) health.getContributor("default");
      TestClients.eventually(
          "health is up", () -> indicator.health().getStatus().getCode().equals("UP"));
      assertThat(indicator.health().getDetails()).containsKey("lastSuccessfulSync");
      MeterRegistry meters = context.getBean(MeterRegistry.class);
      assertThat(
              meters
                  .get("tim.headless.messages.received")
                  .tag("account", "default")
                  .counter()
                  .count())
          .isGreaterThanOrEqualTo(1);
      assertThat(meters.get("tim.headless.sync.latency").timer().count()).isGreaterThanOrEqualTo(1);
    }
  }

  private static boolean hasMessage(List<ClientEvent> events, String body) {
    return events.stream()
        .anyMatch(event -> event instanceof MessageEvent message && message.body().equals(body));
  }
}
