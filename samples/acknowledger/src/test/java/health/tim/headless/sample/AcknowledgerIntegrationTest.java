package health.tim.headless.sample;

import static org.assertj.core.api.Assertions.assertThat;

import health.tim.headless.ClientListener;
import health.tim.headless.HeadlessClient;
import health.tim.headless.MessageEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The sample service against a Synapse of its own, which the test stops and starts again on the
 * same port: the service answers a message from a second client, and its health turns down while
 * Synapse is away and up again once it is back.
 */
class AcknowledgerIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path temp;
  private Path synapse;
  private String baseUrl;

  @BeforeEach
  void startSynapse() throws Exception {
    synapse = temp.resolve("synapse");
    baseUrl = harness("start", "--workdir", synapse.toString()).trim();
  }

  @AfterEach
  void stopSynapse() throws Exception {
    harness("stop", "--workdir", synapse.toString());
  }

  @Test
  void theServiceAcknowledgesAMessageAndItsHealthFollowsTheHomeserver() throws Exception {
    String service = register("kis", "kis-password");
    String patient = register("praxis", "praxis-password");
    SpringApplication application = new SpringApplication(AcknowledgerApplication.class);
    application.setWebApplicationType(WebApplicationType.NONE);
    try (ConfigurableApplicationContext context =
            application.run(
                "--spring.main.keep-alive=false",
                "--tim.headless.homeserver-url=" + baseUrl,
                "--tim.headless.store-directory=" + temp.resolve("service-store"),
                "--tim.headless.user=" + service,
                "--tim.headless.password=kis-password",
                "--tim.headless.store-passphrase=sample test passphrase");
        HeadlessClient sender = openSender(temp.resolve("sender-store"), patient)) {
      List<MessageEvent> received = new CopyOnWriteArrayList<>();
      sender.addListener(
          new ClientListener() {
            @Override
            public void onMessage(MessageEvent message) {
              received.add(message);
            }
          });
      sender.startSync();

      // When a second client opens a chat with the service and writes
      String roomId = sender.createEncryptedRoom(service).join();
      HeadlessClient serviceClient = context.getBean(HeadlessClient.class);
      eventually("the service joined", () -> hasJoined(serviceClient, roomId));
      sender.sendText(roomId, "Bitte um Rückruf").join();

      // Then the service answers, naming the case it linked the chat to
      eventually(
          "the acknowledgement arrived",
          () ->
              received.stream()
                  .anyMatch(message -> message.body().equals("Eingang bestätigt (FALL-00001)")));
      assertThat(serviceClient.caseReferences(roomId))
          .singleElement()
          .satisfies(reference -> assertThat(reference.value()).isEqualTo("FALL-00001"));

      // And its health is up, turns down while Synapse is stopped, and up again after its restart
      HealthIndicator health =
          (HealthIndicator)
              context
                  .getBean("timHeadlessHealthContributor", CompositeHealthContributor.class)
                  .getContributor("default");
      eventually("health is up", () -> status(health).equals("UP"));
      String port = baseUrl.substring(baseUrl.lastIndexOf(':') + 1);
      harness("stop", "--workdir", synapse.toString());
      eventually("health is down", () -> status(health).equals("DOWN"));
      assertThat(health.health().getDetails().get("reason").toString()).startsWith("syncs fail");
      harness("start", "--workdir", synapse.toString(), "--port", port);
      eventually("health is up again", () -> status(health).equals("UP"));
    }
  }

  private static boolean hasJoined(HeadlessClient client, String roomId) {
    try {
      return client.roomMembers(roomId).join().size() == 2;
    } catch (java.util.concurrent.CompletionException notYetKnown) {
      return false;
    }
  }

  private static String status(HealthIndicator health) {
    return health.health().getStatus().getCode();
  }

  private HeadlessClient openSender(Path store, String user) {
    HeadlessClient client =
        HeadlessClient.builder()
            .homeserverUrl(baseUrl)
            .storeDirectory(store)
            .storePassphrase("sender passphrase".toCharArray())
            .integratingSystem("PVS Beispiel", "1.0")
            .build();
    client.login(user, "praxis-password".toCharArray());
    return client;
  }

  private String register(String localpart, String password) throws Exception {
    return harness(
            "register",
            "--workdir",
            synapse.toString(),
            "--user",
            localpart,
            "--password",
            password)
        .trim();
  }

  private static String harness(String... arguments) throws IOException, InterruptedException {
    String script = System.getenv("TIM_HARNESS");
    List<String> command = new java.util.ArrayList<>(List.of("python3", script));
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException("the harness failed: " + arguments[0] + "\n" + err);
    }
    return out;
  }

  private static void eventually(String what, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("timed out waiting: " + what);
  }
}
