package health.tim.headless.testdriver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One driver for all tests of the run, over mutual TLS with certificates made for the run, with
 * three devices whose preconfigured accounts are new users of the test homeserver. Started on first
 * use and stopped with the JVM.
 */
final class DriverUnderTest {
  static final int DEVICES = 3;
  static final JsonMapper JSON = JsonMapper.builder().build();
  private static DriverUnderTest instance;

  final TestCertificates certificates;
  final List<TestHomeserver.User> users = new ArrayList<>();
  final URI base;
  private final HttpClient http;

  record Answer(int status, String body) {
    JsonNode json() {
      return JSON.readTree(body);
    }
  }

  private DriverUnderTest() throws IOException {
    Path directory = Files.createTempDirectory("tim-test-driver");
    certificates = TestCertificates.create(directory);
    List<String> properties = new ArrayList<>();
    String password = new String(TestCertificates.PASSWORD);
    properties.add("server.port=0");
    properties.add("server.ssl.key-store=" + certificates.serverKeyStore);
    properties.add("server.ssl.key-store-password=" + password);
    properties.add("server.ssl.key-store-type=PKCS12");
    properties.add("server.ssl.trust-store=" + certificates.trustStore);
    properties.add("server.ssl.trust-store-password=" + password);
    properties.add("server.ssl.trust-store-type=PKCS12");
    properties.add("tim.testdriver.homeserver=" + URI.create(TestHomeserver.url()).getHost());
    properties.add("tim.testdriver.fachdienst-name=Synapse (test)");
    properties.add("tim.testdriver.fachdienst-version=test");
    for (int device = 0; device < DEVICES; device++) {
      TestHomeserver.User user = TestHomeserver.register("driver" + device);
      users.add(user);
      String prefix = "tim.testdriver.devices[" + device + "].";
      properties.add(prefix + "name=device-" + device);
      properties.add(prefix + "homeserver-url=" + TestHomeserver.url());
      properties.add(prefix + "store-directory=" + directory.resolve("store-" + device));
      properties.add(prefix + "store-passphrase=store passphrase of device " + device);
      properties.add(prefix + "username=" + user.userId());
      properties.add(prefix + "password=" + user.password());
    }
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(TestDriverApplication.class)
            .properties(properties.toArray(String[]::new))
            .run();
    Runtime.getRuntime().addShutdownHook(new Thread(context::close));
    base =
        URI.create(
            "https://localhost:" + context.getEnvironment().getProperty("local.server.port"));
    http = client(certificates.trustedClient);
  }

  static synchronized DriverUnderTest get() {
    if (instance == null) {
      try {
        instance = new DriverUnderTest();
      } catch (IOException e) {
        throw new IllegalStateException("the driver could not be started", e);
      }
    }
    return instance;
  }

  static HttpClient client(SSLContext context) {
    return HttpClient.newBuilder()
        .sslContext(context)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  Answer get(String path) {
    return send(HttpRequest.newBuilder(base.resolve(path)).GET());
  }

  Answer post(String path, Object body) {
    return send(
        HttpRequest.newBuilder(base.resolve(path))
            .POST(json(body))
            .header("Content-Type", "application/json"));
  }

  Answer put(String path, Object body) {
    return send(
        HttpRequest.newBuilder(base.resolve(path))
            .PUT(json(body))
            .header("Content-Type", "application/json"));
  }

  /** A request with a JSON body and any method (DELETE with a body, for the lists). */
  Answer send(String method, String path, Object body) {
    return send(
        HttpRequest.newBuilder(base.resolve(path))
            .method(method, json(body))
            .header("Content-Type", "application/json"));
  }

  Answer delete(String path) {
    return send(HttpRequest.newBuilder(base.resolve(path)).DELETE());
  }

  /** Claims a device for this test client and logs in its preconfigured account. */
  void claimAndLogin(int device) {
    Answer claim =
        post(
            "/devices/" + device + "/claim",
            java.util.Map.of("claimerName", "tests", "claimFor", 600));
    assertThat(claim.status()).as(claim.body()).isEqualTo(200);
    Answer account = get("/devices/" + device + "/account");
    if (account.status() == 401) {
      Answer login = post("/devices/" + device + "/login", java.util.Map.of());
      assertThat(login.status()).as(login.body()).isEqualTo(200);
    }
  }

  private static HttpRequest.BodyPublisher json(Object body) {
    if (body == null) {
      return HttpRequest.BodyPublishers.noBody();
    }
    String text = body instanceof String raw ? raw : JSON.writeValueAsString(body);
    return HttpRequest.BodyPublishers.ofString(text);
  }

  private Answer send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response =
          http.send(
              request.timeout(Duration.ofSeconds(90)).build(),
              HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new IllegalStateException("request to the driver failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
