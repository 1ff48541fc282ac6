package health.tim.headless;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Synapse that {@code ./run test} starts, and users registered on it through the shared-secret
 * admin API.
 */
final class TestHomeserver {
  private static final AtomicInteger USERS = new AtomicInteger();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** A registered user and the password to log in with. */
  record User(String userId, String localpart, char[] password) {}

  private TestHomeserver() {}

  static String url() {
    return required("TIM_TEST_HOMESERVER_URL");
  }

  static User register(String prefix) {
    return register(prefix, url(), required("TIM_TEST_REGISTRATION_SECRET"));
  }

  /**
   * Registers a user on the homeserver at {@code homeserverUrl} with its shared registration
   * secret, for tests that use more than the default homeserver (the Fachdienst set).
   */
  static User register(String prefix, String homeserverUrl, String registrationSecret) {
    String localpart =
        prefix
            + "-"
            + ProcessHandle.current().pid()
            + "-"
            + USERS.incrementAndGet()
            + "-"
            + System.nanoTime() % 100_000;
    String password = "pw-" + localpart;
    String endpoint = homeserverUrl + "/_synapse/admin/v1/register";
    try {
      String nonce = field(send(HttpRequest.newBuilder(URI.create(endpoint)).GET()), "nonce");
      String mac = mac(registrationSecret, nonce, localpart, password);
      String body =
          String.format(
              "{\"nonce\":\"%s\",\"username\":\"%s\",\"password\":\"%s\",\"admin\":false,"
                  + "\"mac\":\"%s\"}",
              nonce, localpart, password, mac);
      String answer =
          send(
              HttpRequest.newBuilder(URI.create(endpoint))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body)));
      return new User(field(answer, "user_id"), localpart, password.toCharArray());
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("registering a test user failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while registering a test user", e);
    }
  }

  /** Logs the user in with a plain HTTP request, as another device; returns its access token. */
  static String rawLogin(User user) throws IOException, InterruptedException {
    String login =
        String.format(
            "{\"type\":\"m.login.password\",\"identifier\":{\"type\":\"m.id.user\","
                + "\"user\":\"%s\"},\"password\":\"%s\"}",
            user.userId(), new String(user.password()));
    return field(
        send(
            HttpRequest.newBuilder(URI.create(url() + "/_matrix/client/v3/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(login))),
        "access_token");
  }

  /**
   * A fresh {@code m.login.token} for the session of {@code accessToken}, as an SSO flow hands one
   * to the integrating system (the harness enables {@code login_via_existing_session}).
   */
  static String mintLoginToken(String accessToken) throws IOException, InterruptedException {
    return field(
        send(
            HttpRequest.newBuilder(URI.create(url() + "/_matrix/client/v1/login/get_token"))
                .header("Authorization", "Bearer " + accessToken)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))),
        "login_token");
  }

  /** The HTTP status of {@code /account/whoami} with an access token: 200 while it is valid. */
  static int whoamiStatus(String accessToken) throws IOException, InterruptedException {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(url() + "/_matrix/client/v3/account/whoami"))
                .header("Authorization", "Bearer " + accessToken)
                .GET()
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /**
   * How many room keys the user's current server-side key backup holds, read with a short-lived
   * login of its own (logged out again).
   */
  static int backedUpRoomKeys(User user) {
    String base = url() + "/_matrix/client/v3";
    try {
      String token = rawLogin(user);
      try {
        String version =
            send(
                HttpRequest.newBuilder(URI.create(base + "/room_keys/version"))
                    .header("Authorization", "Bearer " + token)
                    .GET());
        Matcher count = Pattern.compile("\"count\"\\s*:\\s*(\\d+)").matcher(version);
        return count.find() ? Integer.parseInt(count.group(1)) : 0;
      } finally {
        send(
            HttpRequest.newBuilder(URI.create(base + "/logout"))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.noBody()));
      }
    } catch (IOException e) {
      throw new IllegalStateException("reading the key backup failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the key backup", e);
    }
  }

  /**
   * The access tokens the test homeserver holds for a user, read from its SQLite database (next to
   * its media store): the client never shows its own, so this is how a test learns what to look
   * for.
   */
  static List<String> accessTokens(String userId, String deviceId) {
    Path database = Path.of(required("TIM_TEST_MEDIA_STORE")).resolveSibling("homeserver.db");
    String query =
        "import sqlite3,sys\n"
            + "db=sqlite3.connect('file:'+sys.argv[1]+'?mode=ro',uri=True)\n"
            + "for (t,) in db.execute('select token from access_tokens where user_id=? and"
            + " device_id=?',(sys.argv[2],sys.argv[3])): print(t)\n";
    try {
      Process python =
          new ProcessBuilder("python3", "-c", query, database.toString(), userId, deviceId)
              .redirectErrorStream(true)
              .start();
      List<String> lines =
          new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
              .lines()
              .toList();
      if (python.waitFor() != 0) {
        throw new IllegalStateException("reading the homeserver's tokens failed: " + lines);
      }
      return lines;
    } catch (IOException e) {
      throw new IllegalStateException("reading the homeserver's tokens failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the homeserver's tokens", e);
    }
  }

  static String required(String variable) {
    String value = System.getenv(variable);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          "run the tests through `./run test`, which starts Synapse and sets " + variable);
    }
    return value;
  }

  private static String send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(
          "homeserver answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  private static String mac(String secret, String nonce, String user, String password)
      throws GeneralSecurityException {
    Mac hmac = Mac.getInstance("HmacSHA1");
    hmac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
    String message = nonce + "\0" + user + "\0" + password + "\0notadmin";
    return HexFormat.of().formatHex(hmac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
  }

  private static String field(String json, String name) throws IOException {
    Matcher matcher = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
    if (!matcher.find()) {
      throw new IOException("no " + name + " in the homeserver's answer");
    }
    return matcher.group(1);
  }
}
