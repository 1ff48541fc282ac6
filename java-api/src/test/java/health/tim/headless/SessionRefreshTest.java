package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;

import health.tim.headless.TestHomeserver.User;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a Synapse whose access tokens expire three seconds after they were issued ({@code ./run
 * test} starts it): an expired token is a soft logout, which the client answers with its refresh
 * token, unattended; the refreshed session is saved for the next start.
 */
class SessionRefreshTest {
  @TempDir Path temp;

  @Test
  void anExpiredAccessTokenIsRefreshedAndTheNewSessionSurvivesARestart() throws Exception {
    String url = TestHomeserver.required("TIM_SHORT_TOKENS_URL");
    User user =
        TestHomeserver.register("station", url, TestHomeserver.required("TIM_SHORT_TOKENS_SECRET"));
    Path store = temp.resolve("station");

    Session session;
    try (HeadlessClient client = TestClients.builder(store).homeserverUrl(url).build()) {
      session = client.login(user.userId(), user.password());

      // When the access token has expired (and the homeserver answers with a soft logout)
      Thread.sleep(4000);

      // Then the next calls work: the client refreshed its token
      assertThat(client.createRoom(CreateRoomOptions.privateRoom()).join()).startsWith("!");
      Thread.sleep(4000);
      assertThat(client.rooms().join()).hasSize(1);
    }

    // And a restart, long after the first token expired, uses the saved refreshed session
    Thread.sleep(4000);
    try (HeadlessClient restarted = TestClients.builder(store).homeserverUrl(url).build()) {
      assertThat(restarted.session()).contains(session);
      assertThat(restarted.createRoom(CreateRoomOptions.privateRoom()).join()).startsWith("!");
    }
  }
}
