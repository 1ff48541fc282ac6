package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import health.tim.headless.TestHomeserver.User;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Logins besides the password: a token from an SSO flow; and signing out other devices. */
class LoginTest {
  @TempDir Path temp;

  @Test
  void aLoginTokenLogsInOnceAndTheSessionIsRestoredWithoutIt() throws Exception {
    User user = TestHomeserver.register("sso");
    // Stands in for the SSO flow the integrating system ran with an operator at a browser
    String token = TestHomeserver.mintLoginToken(TestHomeserver.rawLogin(user));

    Session session;
    try (HeadlessClient client = TestClients.open(temp.resolve("first"))) {
      session = client.loginWithToken(token.toCharArray());
      assertThat(session.userId()).isEqualTo(user.userId());
    }

    // The saved session comes back without the token
    try (HeadlessClient restarted = TestClients.open(temp.resolve("first"))) {
      assertThat(restarted.session()).contains(session);
      assertThat(restarted.createRoom(CreateRoomOptions.privateRoom()).join()).startsWith("!");
    }

    // And the token does not work a second time
    try (HeadlessClient other = TestClients.open(temp.resolve("second"))) {
      assertThatThrownBy(() -> other.loginWithToken(token.toCharArray()))
          .isInstanceOf(AuthenticationException.class);
      assertThat(other.session()).isEmpty();
      assertThatThrownBy(() -> other.loginWithToken(new char[0]))
          .isInstanceOf(InvalidArgumentException.class);
    }
  }

  @Test
  void otherDevicesAreSignedOutWithThePassword() throws Exception {
    User user = TestHomeserver.register("station");
    String otherDevice = TestHomeserver.rawLogin(user);
    try (HeadlessClient second = TestClients.open(temp.resolve("second"));
        HeadlessClient client = TestClients.open(temp.resolve("main"))) {
      second.login(user.userId(), user.password());
      client.login(user.userId(), user.password());

      assertThatThrownBy(() -> client.logoutOtherDevices("falsch".toCharArray()))
          .isInstanceOf(AuthenticationException.class);
      assertThat(TestHomeserver.whoamiStatus(otherDevice)).isEqualTo(200);

      // The device the registration created, the plain login's and the second client's
      assertThat(client.logoutOtherDevices(user.password())).isEqualTo(3);

      assertThat(TestHomeserver.whoamiStatus(otherDevice)).isEqualTo(401);
      assertThat(client.createRoom(CreateRoomOptions.privateRoom()).join()).startsWith("!");
      assertThat(client.logoutOtherDevices(user.password())).isZero();
    }
  }
}
