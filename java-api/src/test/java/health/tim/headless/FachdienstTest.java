package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import health.tim.headless.TestClients.Party;
import health.tim.headless.TestHomeserver.User;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our client against the loopback TI-M Fachdienst set of the test harness: two Synapses with
 * famedly's rule module that federate with each other (fd1, fd2) and a plain Synapse that is not on
 * the federation list. {@code ./run test} starts the set and exports {@code TIM_FD1_URL}, {@code
 * TIM_FD1_SECRET} and the like, which Surefire passes on.
 */
class FachdienstTest {
  @TempDir Path temp;

  @Test
  void anEncryptedConversationCrossesTheTwoFachdienste() {
    try (Party alice = party("fd1", "alice");
        Party bob = party("fd2", "bob")) {
      // Given a room of Alice's on fd1, created with TI-M's defaults, that Bob on fd2 joins
      String roomId =
          alice
              .client()
              .createRoom(CreateRoomOptions.privateRoom().withInvitee(bob.userId()))
              .join();
      bob.events().await(InviteEvent.class, invite -> invite.roomId().equals(roomId));
      bob.client().joinRoom(roomId).join();
      TestClients.eventually(
          "Alice sees Bob joined",
          () ->
              alice.client().roomMembers(roomId).join().stream()
                  .anyMatch(
                      m -> m.userId().equals(bob.userId()) && m.membership() == Membership.JOIN));

      // When each sends a message, and Bob reacts with an emoji and a skin tone modifier
      String fromAlice = alice.client().sendText(roomId, "Befund über zwei Fachdienste").join();
      MessageEvent atBob =
          bob.events().await(MessageEvent.class, m -> m.eventId().equals(fromAlice));
      String fromBob = bob.client().sendText(roomId, "Danke, angekommen").join();
      String reaction = bob.client().react(roomId, fromAlice, "👍🏽").join();

      // Then both arrive decrypted on the other side, and the rule module let the reaction pass
      assertThat(atBob.body()).isEqualTo("Befund über zwei Fachdienste");
      assertThat(atBob.encrypted()).isTrue();
      MessageEvent atAlice =
          alice.events().await(MessageEvent.class, m -> m.eventId().equals(fromBob));
      assertThat(atAlice.body()).isEqualTo("Danke, angekommen");
      assertThat(atAlice.encrypted()).isTrue();
      ReactionEvent reactionAtAlice =
          alice.events().await(ReactionEvent.class, r -> r.eventId().equals(reaction));
      assertThat(reactionAtAlice.key()).isEqualTo("👍🏽");

      // And the room has the version TI-M prescribes, whatever the server's default
      assertThat(alice.client().roomSettings(roomId).join().roomVersion()).isEqualTo("10");
    }
  }

  @Test
  void anInvitationFromTheUnlistedServerIsRefused() {
    try (Party paul = party("plain", "paul");
        Party alice = party("fd1", "alice")) {
      String roomId = paul.client().createRoom(CreateRoomOptions.privateRoom()).join();

      assertThatThrownBy(() -> paul.client().inviteUser(roomId, alice.userId()).join())
          .cause()
          .isInstanceOf(HomeserverException.class)
          .satisfies(e -> assertThat(((HomeserverException) e).status()).isEqualTo(403));

      // And nothing reached Alice
      List<RoomSummary> aliceRooms = alice.client().rooms().join();
      assertThat(aliceRooms).extracting(RoomSummary::roomId).doesNotContain(roomId);
    }
  }

  @Test
  void aBlockedInvitationIsATypedErrorLeavesNoRoomAndExceptionsTakeEffect() {
    try (Party alice = party("fd1", "alice");
        Party bob = party("fd1", "bob");
        Party carol = party("fd2", "carol")) {
      // Given Bob blocks everybody
      bob.client().setPermissionConfig(PermissionConfig.blockAll()).join();
      assertThat(bob.client().permissionConfig().join()).contains(PermissionConfig.blockAll());

      // Then Alice's room with him is refused with a typed error, and no room stays behind
      assertThatThrownBy(
              () ->
                  alice
                      .client()
                      .createRoom(CreateRoomOptions.privateRoom().withInvitee(bob.userId()))
                      .join())
          .cause()
          .isInstanceOf(InviteRefusedException.class)
          .satisfies(e -> assertThat(((TimException) e).code()).isEqualTo(ErrorCode.INVITE_REFUSED))
          .satisfies(e -> assertThat(((HomeserverException) e).status()).isEqualTo(403));
      TestClients.eventually(
          "Alice's refused room is gone",
          () ->
              alice.client().rooms().join().stream()
                  .noneMatch(room -> room.membership() == Membership.JOIN));

      // And so is Carol's, from the other Fachdienst: Bob's server refuses the invitation it
      // receives over federation, and Carol's passes the 403 on
      String carolsRoom = carol.client().createRoom(CreateRoomOptions.privateRoom()).join();
      assertThatThrownBy(() -> carol.client().inviteUser(carolsRoom, bob.userId()).join())
          .cause()
          .isInstanceOf(InviteRefusedException.class)
          .satisfies(e -> assertThat(((HomeserverException) e).status()).isEqualTo(403));
      assertThat(carol.client().roomMembers(carolsRoom).join())
          .extracting(RoomMember::userId)
          .doesNotContain(bob.userId());

      // When Bob names Alice and Carol's server as exceptions, their next invitations pass,
      // also across the two Fachdienste
      String carolServer = carol.userId().substring(carol.userId().indexOf(':') + 1);
      PermissionConfig exceptions =
          PermissionConfig.blockAll()
              .withUserException(alice.userId())
              .withServerException(carolServer);
      bob.client().setPermissionConfig(exceptions).join();
      assertThat(bob.client().permissionConfig().join()).contains(exceptions);
      String fromAlice =
          alice
              .client()
              .createRoom(CreateRoomOptions.privateRoom().withInvitee(bob.userId()))
              .join();
      bob.events().await(InviteEvent.class, invite -> invite.roomId().equals(fromAlice));
      String fromCarol =
          carol
              .client()
              .createRoom(CreateRoomOptions.privateRoom().withInvitee(bob.userId()))
              .join();
      bob.events().await(InviteEvent.class, invite -> invite.roomId().equals(fromCarol));
    }
  }

  @Test
  void aConfigurationOutsideTheSchemaIsRefusedBeforeItIsWritten() {
    try (Party bob = party("fd1", "bob")) {
      HeadlessClient client = bob.client();
      PermissionConfig valid = PermissionConfig.allowAll().withUserException(bob.userId());
      client.setPermissionConfig(valid).join();

      assertThatThrownBy(
              () ->
                  client.setPermissionConfig(PermissionConfig.blockAll().withUserException("bob")))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("userExceptions");
      assertThatThrownBy(
              () ->
                  client.setPermissionConfig(
                      PermissionConfig.allowAll().withServerException("not a server")))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("serverExceptions");

      // Nothing reached the server: it still has the valid configuration
      assertThat(client.permissionConfig().join()).contains(valid);
    }
  }

  @Test
  void timInformationAnswersWhichServerIsAnInsurersAndWhichServesAnIk() {
    try (Party alice = party("fd1", "alice")) {
      String fd1 = TestHomeserver.required("TIM_FD1_SERVER_NAME");
      String fd2 = TestHomeserver.required("TIM_FD2_SERVER_NAME");
      String ik = TestHomeserver.required("TIM_FD_INSURANCE_IK");

      // The test set flags fd2 as the insurer, with the IK number it exports
      assertThat(alice.client().isInsurance(fd2).join()).isTrue();
      assertThat(alice.client().isInsurance(fd1).join()).isFalse();
      assertThat(alice.client().findServerByIk(ik).join()).contains(fd2);
      assertThat(alice.client().findServerByIk("000000000").join()).isEmpty();

      assertThatThrownBy(() -> alice.client().findServerByIk("12345"))
          .isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> alice.client().isInsurance("not a server"))
          .isInstanceOf(InvalidArgumentException.class);
    }
  }

  @Test
  void roomsAreCreatedInVersion9Or10AndARequestFor11NeverLeavesTheClient() {
    try (Party alice = party("fd1", "alice")) {
      String nine =
          alice.client().createRoom(CreateRoomOptions.privateRoom().withRoomVersion("9")).join();
      assertThat(alice.client().roomSettings(nine).join().roomVersion()).isEqualTo("9");

      // The Fachdienst would answer 400; our validation refuses first, with a typed error
      int roomsBefore = alice.client().rooms().join().size();
      for (String refused : List.of("11", "12", "")) {
        assertThatThrownBy(
                () ->
                    alice
                        .client()
                        .createRoom(CreateRoomOptions.privateRoom().withRoomVersion(refused)))
            .isInstanceOf(InvalidArgumentException.class)
            .hasMessageContaining("roomVersion");
      }
      assertThat(alice.client().rooms().join()).hasSize(roomsBefore);
    }
  }

  @Test
  void timInformationAnswersComeFromTheCacheWhileTheFachdienstIsUnreachable() {
    String url = TestHomeserver.required("TIM_FD1_URL");
    User user = TestHomeserver.register("alice", url, TestHomeserver.required("TIM_FD1_SECRET"));
    String fd2 = TestHomeserver.required("TIM_FD2_SERVER_NAME");
    String ik = TestHomeserver.required("TIM_FD_INSURANCE_IK");
    try (FaultProxy proxy = new FaultProxy(url);
        Party alice = Party.start(temp, user, proxy.url())) {
      // Given one answer the client has asked for
      assertThat(alice.client().isInsurance(fd2).join()).isTrue();

      // When the Fachdienst can no longer be reached
      proxy.mode(FaultProxy.Mode.REFUSE);

      // Then that answer still comes, from the cache, and one never asked for fails
      assertThat(alice.client().isInsurance(fd2).join()).isTrue();
      assertThatThrownBy(() -> alice.client().findServerByIk(ik).join())
          .cause()
          .isInstanceOf(NetworkException.class);

      // And once the Fachdienst is back, the new question is answered
      proxy.mode(FaultProxy.Mode.FORWARD);
      assertThat(alice.client().findServerByIk(ik).join()).contains(fd2);
    }
  }

  @Test
  void theTlsPortIsReachedOnlyWithTheLocalCaTrusted() throws Exception {
    String plainUrl = TestHomeserver.required("TIM_FD1_URL");
    String tlsUrl = TestHomeserver.required("TIM_FD1_TLS_URL");
    User user = TestHomeserver.register("kis", plainUrl, TestHomeserver.required("TIM_FD1_SECRET"));
    List<X509Certificate> localCa = localCa();

    // Without the CA the certificate does not verify, and there is no switch to skip that
    try (HeadlessClient untrusting = tlsClient(tlsUrl, "untrusting").build()) {
      assertThatThrownBy(() -> untrusting.login(user.userId(), user.password()))
          .isInstanceOf(NetworkException.class);
      assertThat(untrusting.session()).isEmpty();
    }

    // With it, the client logs in and works
    try (HeadlessClient trusting =
        tlsClient(tlsUrl, "trusting").trustedCertificates(localCa).build()) {
      trusting.login(user.userId(), user.password());
      assertThat(trusting.createRoom(CreateRoomOptions.privateRoom()).join()).startsWith("!");
    }
  }

  @Test
  void theHomeserverIsFoundThroughTheServerNamesWellKnownOverVerifiedTls() throws Exception {
    String plainUrl = TestHomeserver.required("TIM_FD1_URL");
    User user = TestHomeserver.register("kis", plainUrl, TestHomeserver.required("TIM_FD1_SECRET"));
    // The TLS port publishes the client API's .well-known, naming the plain client port
    String serverName = URI.create(TestHomeserver.required("TIM_FD1_TLS_URL")).getAuthority();

    try (HeadlessClient discovered =
        TestClients.builder(temp.resolve("discovered"))
            .serverName(serverName)
            .trustedCertificates(localCa())
            .build()) {
      discovered.login(user.userId(), user.password());
      assertThat(discovered.createRoom(CreateRoomOptions.privateRoom()).join()).startsWith("!");
    }

    // Without the CA the lookup itself fails: the .well-known is verified like any request
    assertThatThrownBy(
            () -> TestClients.builder(temp.resolve("unverified")).serverName(serverName).build())
        .isInstanceOf(NetworkException.class);
  }

  private static List<X509Certificate> localCa() throws Exception {
    try (InputStream pem =
        Files.newInputStream(Path.of(TestHomeserver.required("TIM_FD_TLS_CA")))) {
      return CertificateFactory.getInstance("X.509").generateCertificates(pem).stream()
          .map(X509Certificate.class::cast)
          .toList();
    }
  }

  private HeadlessClient.Builder tlsClient(String url, String store) {
    return TestClients.builder(temp.resolve(store)).homeserverUrl(url);
  }

  /**
   * A logged-in, syncing user of one server of the set ({@code fd1}, {@code fd2}, {@code plain}).
   */
  private Party party(String server, String prefix) {
    return Party.onFachdienst(temp, server, prefix);
  }
}
