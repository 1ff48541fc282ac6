package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import health.tim.headless.TestHomeserver.User;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Searches in the stand-in of the VZD-FHIR-Directory ({@code tests/directory/fhir_directory.py},
 * started by {@code ./run test}), which checks the client's OpenID token with the Fachdienst fd1
 * over federation, as the real directory checks it with the client's homeserver.
 */
class DirectoryTest {
  @TempDir Path temp;

  private HeadlessClient loggedIn(String store, boolean withDirectory) {
    String url = TestHomeserver.required("TIM_FD1_URL");
    User user = TestHomeserver.register("kis", url, TestHomeserver.required("TIM_FD1_SECRET"));
    HeadlessClient.Builder builder = TestClients.builder(temp.resolve(store)).homeserverUrl(url);
    if (withDirectory) {
      builder.directoryUrl(URI.create(directory()));
    }
    HeadlessClient client = builder.build();
    client.login(user.userId(), user.password());
    return client;
  }

  private static String directory() {
    return TestHomeserver.required("TIM_FHIR_DIRECTORY_URL");
  }

  @Test
  void practitionersAndServicesAreFoundWithTheirActiveMatrixIdsOnly() throws Exception {
    try (HeadlessClient client = loggedIn("kis", true)) {
      int authenticationsBefore = requests("tim-authenticate");

      // A practitioner by name: her inactive endpoint is not reported
      List<DirectoryEntry> weber =
          client.searchPractitioners(DirectoryQuery.byName("weber")).join();
      assertThat(weber)
          .singleElement()
          .satisfies(
              entry -> {
                assertThat(entry.kind()).isEqualTo(DirectoryEntry.Kind.PRACTITIONER);
                assertThat(entry.name()).isEqualTo("Anna Weber");
                assertThat(entry.organization()).isEqualTo("Praxis Dr. Weber");
                assertThat(entry.telematikId()).isEqualTo("1-1-111111");
                assertThat(entry.postalAddress())
                    .map(DirectoryEntry.Address::city)
                    .contains("München");
                assertThat(entry.matrixIds()).containsExactly("@dr.weber:127.0.0.1");
              });

      // An inactive practitioner is not found; a city finds only who is there
      assertThat(client.searchPractitioners(DirectoryQuery.byName("Altmann")).join()).isEmpty();
      assertThat(client.searchHealthcareServices(DirectoryQuery.byCity("Berlin")).join())
          .extracting(DirectoryEntry::name)
          .containsExactlyInAnyOrder("Kardiologie Station 3", "Versichertenservice");

      // A Matrix ID finds its service, with the organisation's Telematik-ID
      assertThat(
              client
                  .searchHealthcareServices(DirectoryQuery.byMatrixId("@station3:127.0.0.1"))
                  .join())
          .singleElement()
          .satisfies(
              entry -> {
                assertThat(entry.organization()).isEqualTo("Klinikum Musterstadt");
                assertThat(entry.telematikId()).isEqualTo("5-2-123456789");
              });

      // The search token was fetched once for all four searches
      assertThat(requests("tim-authenticate") - authenticationsBefore).isEqualTo(1);
    }
  }

  @Test
  void badQueriesAndAMissingDirectoryAreTypedErrors() throws Exception {
    try (HeadlessClient client = loggedIn("kis", true);
        HeadlessClient unconfigured = loggedIn("other", false)) {
      assertThatThrownBy(
              () -> client.searchPractitioners(new DirectoryQuery(null, null, null, null, 10)))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("query");
      assertThatThrownBy(() -> client.searchPractitioners(DirectoryQuery.byMatrixId("weber")))
          .isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(
              () -> client.searchPractitioners(DirectoryQuery.byName("Weber").withLimit(101)))
          .isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> client.searchPractitioners(DirectoryQuery.byCity("a\nb")).join())
          .cause()
          .isInstanceOf(InvalidArgumentException.class);
      // The last refusal came from the native checks behind the future; it is audited too
      TestClients.eventually(
          "the refusal behind the future is in the audit log",
          () -> {
            try {
              return Files.readAllLines(temp.resolve("kis").resolve("audit.log")).stream()
                      .filter(line -> line.contains("rejected_call"))
                      .filter(line -> line.contains("\"searchPractitioners\""))
                      .count()
                  == 4;
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });

      assertThatThrownBy(
              () -> unconfigured.searchPractitioners(DirectoryQuery.byName("Weber")).join())
          .cause()
          .isInstanceOf(ClientStateException.class)
          .satisfies(
              e -> assertThat(((TimException) e).code()).isEqualTo(ErrorCode.NOT_CONFIGURED));
    }
  }

  /** How many requests of a kind the stand-in has answered so far. */
  private static int requests(String kind) throws IOException, InterruptedException {
    String body =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(directory() + "/requests")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Matcher count = Pattern.compile("\"" + kind + "\"\\s*:\\s*(\\d+)").matcher(body);
    return count.find() ? Integer.parseInt(count.group(1)) : -1;
  }
}
