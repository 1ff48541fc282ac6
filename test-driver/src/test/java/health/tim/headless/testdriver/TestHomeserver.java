package health.tim.headless.testdriver;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.databind.json.JsonMapper;

/** The test Synapse that {@code ./run test} starts: its URL and new users on it. */
final class TestHomeserver {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private TestHomeserver() {}

  record User(String userId, String localpart, String password) {}

  static String url() {
    return required("TIM_TEST_HOMESERVER_URL");
  }

  /** Registers a new user through Synapse's shared-secret registration. */
  static User register(String prefix) {
    String localpart = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    String password = UUID.randomUUID().toString();
    String endpoint = url() + "/_synapse/admin/v1/register";
    try {
      String nonce =
          JSON.readTree(send(HttpRequest.newBuilder(URI.create(endpoint)).GET()))
              .get("nonce")
              .asString();
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(
          new SecretKeySpec(
              required("TIM_TEST_REGISTRATION_SECRET").getBytes(StandardCharsets.UTF_8),
              "HmacSHA1"));
      String signed = nonce + "\0" + localpart + "\0" + password + "\0notadmin";
      String digest =
          HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
      String body =
          JSON.writeValueAsString(
              java.util.Map.of(
                  "nonce", nonce,
                  "username", localpart,
                  "password", password,
                  "admin", false,
                  "mac", digest));
      String answer =
          send(
              HttpRequest.newBuilder(URI.create(endpoint))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body)));
      return new User(JSON.readTree(answer).get("user_id").asString(), localpart, password);
    } catch (Exception e) {
      throw new IllegalStateException("registration on the test homeserver failed", e);
    }
  }

  private static String send(HttpRequest.Builder request) throws Exception {
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("homeserver answered " + response.statusCode());
    }
    return response.body();
  }

  static String required(String variable) {
    String value = System.getenv(variable);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          variable
              + " is not set: run through ./run test, or start tests/harness/synapse_harness.py");
    }
    return value;
  }
}
