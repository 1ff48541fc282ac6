package health.tim.headless;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shopify's Toxiproxy (built by {@code synapse_harness.py ensure-toxiproxy}), run by a test as a
 * process of its own on loopback, with one proxy in front of the homeserver. Its "toxics" add the
 * faults: stalls, connections cut after some bytes, resets, latency; disabling the proxy refuses
 * connections.
 */
final class Toxiproxy implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern LISTEN = Pattern.compile("\"listen\"\\s*:\\s*\"[^\"]*:(\\d+)\"");
  private static final String PROXY = "homeserver";

  private final Process server;
  private final String api;
  private final int listenPort;

  private Toxiproxy(Process server, String api, int listenPort) {
    this.server = server;
    this.api = api;
    this.listenPort = listenPort;
  }

  /** Starts the server and a proxy to {@code upstreamUrl} ({@code http://host:port}). */
  static Toxiproxy start(String upstreamUrl, Path log) throws IOException, InterruptedException {
    String binary =
        Optional.ofNullable(System.getenv("TIM_TEST_TOXIPROXY"))
            .orElseThrow(
                () -> new IllegalStateException("TIM_TEST_TOXIPROXY is unset: run ./run test"));
    int apiPort;
    try (ServerSocket probe = new ServerSocket(0)) {
      apiPort = probe.getLocalPort();
    }
    Process server =
        new ProcessBuilder(binary, "-host", "127.0.0.1", "-port", Integer.toString(apiPort))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    String api = "http://127.0.0.1:" + apiPort;
    try {
      awaitApi(api);
      URI upstream = URI.create(upstreamUrl);
      String created =
          call(
              "POST",
              api + "/proxies",
              "{\"name\":\""
                  + PROXY
                  + "\",\"listen\":\"127.0.0.1:0\",\"upstream\":\""
                  + upstream.getHost()
                  + ":"
                  + upstream.getPort()
                  + "\",\"enabled\":true}");
      Matcher port = LISTEN.matcher(created);
      if (!port.find()) {
        throw new IllegalStateException("Toxiproxy named no listening port: " + created);
      }
      return new Toxiproxy(server, api, Integer.parseInt(port.group(1)));
    } catch (RuntimeException | IOException | InterruptedException e) {
      server.destroyForcibly();
      throw e;
    }
  }

  /** The URL a client uses instead of the homeserver's. */
  String url() {
    return "http://127.0.0.1:" + listenPort;
  }

  /** Enables or disables the proxy: disabled, it closes its listener and refuses connections. */
  void enabled(boolean enabled) throws IOException, InterruptedException {
    call("POST", api + "/proxies/" + PROXY, "{\"enabled\":" + enabled + "}");
  }

  /**
   * Adds a toxic to the answers (downstream): {@code type} is Toxiproxy's name, {@code attributes}
   * its attributes as a JSON object.
   */
  void addToxic(String name, String type, String attributes)
      throws IOException, InterruptedException {
    call(
        "POST",
        api + "/proxies/" + PROXY + "/toxics",
        "{\"name\":\""
            + name
            + "\",\"type\":\""
            + type
            + "\",\"stream\":\"downstream\","
            + "\"toxicity\":1.0,\"attributes\":"
            + attributes
            + "}");
  }

  void removeToxic(String name) throws IOException, InterruptedException {
    call("DELETE", api + "/proxies/" + PROXY + "/toxics/" + name, null);
  }

  @Override
  public void close() {
    server.destroy();
    try {
      if (!server.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.destroyForcibly();
    }
  }

  private static void awaitApi(String api) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      try {
        call("GET", api + "/version", null);
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  private static String call(String method, String url, String body)
      throws IOException, InterruptedException {
    HttpRequest.BodyPublisher publisher =
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body);
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url))
                .method(method, publisher)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException(
          "Toxiproxy refused "
              + method
              + " "
              + url
              + ": "
              + response.statusCode()
              + " "
              + response.body());
    }
    return response.body();
  }
}
