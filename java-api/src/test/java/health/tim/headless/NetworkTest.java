package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import health.tim.headless.TestHomeserver.User;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proxy, identification header and self-report, seen from a proxy between client and server. */
class NetworkTest {
  @TempDir Path temp;

  private HeadlessClient.Builder builder(String store) {
    return HeadlessClient.builder()
        .homeserverUrl(TestHomeserver.url())
        .storeDirectory(temp.resolve(store))
        .storePassphrase(TestClients.STORE_PASSPHRASE)
        .integratingSystem("KIS Köln", "4.2", "Müller GmbH");
  }

  @Test
  void everyRequestGoesThroughTheProxyAndIdentifiesProductAndIntegratingSystem() {
    User user = TestHomeserver.register("kis");
    Instant before = Instant.now();
    try (RecordingProxy proxy = new RecordingProxy();
        HeadlessClient client = builder("kis").proxy(proxy.uri()).build()) {
      // When the client logs in, syncs and creates a room, all through the proxy
      client.login(user.userId(), user.password());
      client.startSync();
      String roomId = client.createRoom(CreateRoomOptions.privateRoom()).join();
      assertThat(roomId).startsWith("!");

      // Then the proxy saw those requests, each with the identification header
      SelfReport report = client.selfReport();
      String expected =
          "tim-headless/"
              + report.productVersion()
              + " (TI-M Pro Headless Client "
              + report.productTypeVersion()
              + "; "
              + report.os()
              + " "
              + report.osVersion()
              + "; "
              + report.arch()
              + ") KIS K%C3%B6ln/4.2 (M%C3%BCller GmbH)";
      List<RecordingProxy.Request> requests = proxy.requests();
      assertThat(requests)
          .extracting(request -> request.target().getPath())
          .contains("/_matrix/client/v3/login", "/_matrix/client/v3/createRoom");
      assertThat(requests)
          .allSatisfy(request -> assertThat(request.header("X-TIM-User-Agent")).isEqualTo(expected))
          .allSatisfy(request -> assertThat(request.header("User-Agent")).isEqualTo(expected));

      // And the self-report says the same
      assertThat(report.product()).isEqualTo("tim-headless");
      assertThat(report.productType()).isEqualTo("TI-M Pro Headless Client");
      assertThat(report.integratingSystemName()).isEqualTo("KIS Köln");
      assertThat(report.vendor()).contains("Müller GmbH");
      assertThat(report.startedAt()).isBetween(before.minusSeconds(1), Instant.now());
    }
  }

  @Test
  void theHeaderCanBeRenamedAndWrittenAsJson() {
    User user = TestHomeserver.register("kis");
    try (RecordingProxy proxy = new RecordingProxy();
        HeadlessClient client =
            builder("kis")
                .proxy(proxy.uri())
                .identificationHeader("X-TIM-Client", IdentificationFormat.JSON)
                .build()) {
      client.login(user.userId(), user.password());

      String value = proxy.requests().get(0).header("X-TIM-Client");
      assertThat(value)
          .startsWith("{")
          .contains("\"productType\":\"TI-M Pro Headless Client\"")
          .contains("\"productVersion\":\"" + client.selfReport().productVersion() + "\"")
          .contains("\"name\":\"KIS K\\u00f6ln\"")
          .contains("\"vendor\":\"M\\u00fcller GmbH\"");
      assertThat(proxy.requests().get(0).header("X-TIM-User-Agent")).isNull();
    }
  }

  @Test
  void malformedNetworkSettingsAreRefusedBeforeAnythingIsOpened() {
    assertThatThrownBy(() -> builder("a").proxy(URI.create("socks5://proxy:1080")).build())
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("proxyUrl");
    assertThatThrownBy(() -> builder("b").proxy(URI.create("http://kis:geheim@proxy:3128")).build())
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("proxyUrl")
        .hasMessageNotContaining("geheim");
    assertThatThrownBy(
            () ->
                builder("c")
                    .identificationHeader("Authorization", IdentificationFormat.TEXT)
                    .build())
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("identificationHeader");
    assertThatThrownBy(() -> builder("d").trustedCertificates(List.of()))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("trustedCertificates");
    assertThatThrownBy(() -> builder("e").integratingSystem("KIS", "1", "\u0007").build())
        .isInstanceOf(InvalidArgumentException.class);
    assertThat(temp.resolve("a")).doesNotExist();
  }
}
