package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import health.tim.headless.TestClients.Party;
import health.tim.headless.TestHomeserver.User;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The structured-data client report, posted to an endpoint this test serves. */
class ClientReportTest {
  private static final String FORM = "de.example.formular.v2";
  private static final String FHIR_CONTENT =
      "{\"de.gematik.fhir.structure_definition\":"
          + "{\"url\":\"https://gematik.de/fhir/Befund\",\"version\":\"1.2\"},"
          + "\"de.gematik.text\":[{\"body\":\"Befund\"}]}";

  @TempDir Path temp;

  @Test
  void sentAndReceivedStructuredDataAreCountedReportedAndResetOnlyWhenAccepted() throws Exception {
    List<String> bodies = new CopyOnWriteArrayList<>();
    AtomicInteger status = new AtomicInteger(503);
    HttpServer endpoint =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
    endpoint.createContext(
        "/report",
        exchange -> {
          try (exchange;
              InputStream in = exchange.getRequestBody()) {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            bodies.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(
                auth != null && auth.startsWith("Bearer ") ? status.get() : 401, -1);
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
    endpoint.start();
    URI reportUrl = URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort() + "/report");

    User aliceUser = TestHomeserver.register("alice");
    try (Party bob = Party.start(temp, "bob");
        HeadlessClient alice =
            TestClients.builder(temp.resolve("alice")).clientReportUrl(reportUrl).build()) {
      TestClients.Recorder aliceEvents = new TestClients.Recorder();
      alice.addListener(aliceEvents);
      alice.login(aliceUser.userId(), aliceUser.password());
      alice.startSync();
      String roomId = TestClients.joinedRoom(alice, bob.client(), bob.userId(), bob.events());

      // Given two forms and a FHIR finding sent, and a text message, which is no structured data
      alice.sendCustomEvent(roomId, FORM, "{\"de.gematik.text\":[{\"body\":\"1\"}]}").join();
      alice.sendCustomEvent(roomId, FORM, "{\"de.gematik.text\":[{\"body\":\"2\"}]}").join();
      String last = alice.sendCustomEvent(roomId, "de.gematik.fhir", FHIR_CONTENT).join();
      alice.sendText(roomId, "kein Fachverfahren").join();
      bob.events().await(CustomEvent.class, event -> event.eventId().equals(last));

      // Then each side counts them per procedure and version
      assertThat(alice.clientReport().sent())
          .containsExactlyInAnyOrder(
              new ClientReport.Count("de.example.formular", "v2", 2),
              new ClientReport.Count("https://gematik.de/fhir/Befund", "1.2", 1));
      assertThat(alice.clientReport().received()).isEmpty();
      assertThat(bob.client().clientReport().received()).hasSize(2);

      // A refused report keeps the counts
      assertThatThrownBy(() -> alice.sendClientReport().join())
          .cause()
          .isInstanceOf(HomeserverException.class)
          .satisfies(e -> assertThat(((HomeserverException) e).status()).isEqualTo(503));
      assertThat(alice.clientReport().sent()).hasSize(2);

      // An accepted one carries them in the schema and starts counting anew
      status.set(200);
      assertThat(alice.sendClientReport().join()).isTrue();
      String body = bodies.get(bodies.size() - 1);
      assertThat(body)
          .contains("\"start\":\"20")
          .contains("{\"Anzahl\":2,\"Fachverfahren\":\"de.example.formular\",\"Version\":\"v2\"}")
          .doesNotContain("received");
      assertThat(alice.clientReport().sent()).isEmpty();
      assertThat(alice.sendClientReport().join()).isFalse();
      assertThat(bodies).hasSize(2);

      // Without an endpoint, sending is a typed error; counting goes on
      assertThatThrownBy(() -> bob.client().sendClientReport().join())
          .cause()
          .isInstanceOf(ClientStateException.class)
          .satisfies(
              e -> assertThat(((TimException) e).code()).isEqualTo(ErrorCode.NOT_CONFIGURED));
    } finally {
      endpoint.stop(0);
    }
  }
}
