package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import health.tim.headless.TestClients.Party;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rooms through the Java API against Synapse: TI-M defaults, membership, reading rooms. */
class RoomsTest {
  @TempDir Path temp;

  @Test
  void aNamedPrivateRoomFollowsTimDefaultsAndMirrorsNameAndTopic() {
    try (Party alice = Party.start(temp, "alice")) {
      // When Alice creates a named private room
      String roomId =
          alice
              .client()
              .createRoom(
                  CreateRoomOptions.privateRoom().withName("Station 3").withTopic("Befunde"))
              .join();

      // Then its state follows TI-M's defaults, with name and topic in both event pairs
      List<StateEvent> state = alice.client().roomState(roomId).join();
      assertThat(content(state, "m.room.create")).contains("\"type\":\"" + TIM_DEFAULT_TYPE + "\"");
      assertThat(content(state, "m.room.create")).contains("\"room_version\":\"10\"");
      assertThat(content(state, "de.gematik.tim.room.default.v1")).isEqualTo("{}");
      assertThat(content(state, "m.room.join_rules")).contains("\"join_rule\":\"invite\"");
      assertThat(content(state, "m.room.history_visibility")).contains("\"invited\"");
      assertThat(content(state, "m.room.encryption")).contains("m.megolm.v1.aes-sha2");
      assertThat(content(state, "m.room.name")).isEqualTo("{\"name\":\"Station 3\"}");
      assertThat(content(state, "de.gematik.tim.room.name")).isEqualTo("{\"name\":\"Station 3\"}");
      assertThat(content(state, "m.room.topic")).contains("\"topic\":\"Befunde\"");
      assertThat(content(state, "de.gematik.tim.room.topic")).isEqualTo("{\"topic\":\"Befunde\"}");

      // And its settings are those of the test driver's Room object
      RoomSettings settings = alice.client().roomSettings(roomId).join();
      assertThat(settings)
          .isEqualTo(
              new RoomSettings(
                  roomId,
                  "Station 3",
                  "Befunde",
                  "private",
                  "invite",
                  true,
                  "invited",
                  true,
                  "10"));

      // And renaming changes both events of each pair alike
      alice.client().setRoomName(roomId, "Station 4").join();
      alice.client().setRoomTopic(roomId, "Neue Befunde").join();
      List<StateEvent> renamed = alice.client().roomState(roomId).join();
      assertThat(content(renamed, "m.room.name")).isEqualTo("{\"name\":\"Station 4\"}");
      assertThat(content(renamed, "de.gematik.tim.room.name"))
          .isEqualTo("{\"name\":\"Station 4\"}");
      assertThat(content(renamed, "m.room.topic")).contains("\"topic\":\"Neue Befunde\"");
      assertThat(content(renamed, "de.gematik.tim.room.topic"))
          .isEqualTo("{\"topic\":\"Neue Befunde\"}");
    }
  }

  @Test
  void forbiddenRoomKindsAreRefusedBeforeAnyRequest() {
    try (Party alice = Party.start(temp, "alice")) {
      HeadlessClient client = alice.client();
      assertThatThrownBy(
              () -> client.createRoom(CreateRoomOptions.privateRoom().withEncrypted(false)))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("encrypted");
      assertThatThrownBy(
              () -> client.createRoom(CreateRoomOptions.publicRoom().withEncrypted(true)))
          .isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> client.createRoom(CreateRoomOptions.directChat(null)))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("invitee");
      assertThatThrownBy(
              () -> client.createRoom(CreateRoomOptions.privateRoom().withInvitee("not-a-user")))
          .isInstanceOf(InvalidArgumentException.class);

      // And nothing was created
      assertThat(client.rooms().join()).isEmpty();
    }
  }

  @Test
  void aPublicRoomIsUnencryptedAndStaysOnItsHomeserver() {
    try (Party alice = Party.start(temp, "alice");
        Party bob = Party.start(temp, "bob")) {
      String roomId =
          alice.client().createRoom(CreateRoomOptions.publicRoom().withName("Aushang")).join();

      RoomSettings settings = alice.client().roomSettings(roomId).join();
      assertThat(settings.access()).isEqualTo("public");
      assertThat(settings.joinRule()).isEqualTo("public");
      assertThat(settings.federated()).isFalse();
      assertThat(settings.encrypted()).isFalse();

      // Anyone on the server may join without an invitation; messages are not encrypted
      bob.client().joinRoom(roomId).join();
      String eventId = alice.client().sendText(roomId, "Sprechstunde entfällt").join();
      MessageEvent message =
          bob.events().await(MessageEvent.class, m -> m.eventId().equals(eventId));
      assertThat(message.encrypted()).isFalse();
    }
  }

  @Test
  void lastActivityCountsOwnMessagesAndSurvivesARestart() {
    Instant lastActivity;
    Party alice = Party.start(temp, "alice");
    try (alice) {
      // Given a room where only Alice wrote
      String roomId = alice.client().createRoom(CreateRoomOptions.privateRoom()).join();
      String eventId = alice.client().sendText(roomId, "Notiz").join();
      Instant sent = alice.client().event(roomId, eventId).join().timestamp();

      // Then her own message is the room's last activity
      TestClients.eventually(
          "Alice's own message counts as activity",
          () -> sent.equals(summaryOf(alice, roomId).lastActivity()));
      lastActivity = summaryOf(alice, roomId).lastActivity();
    }

    // And after a restart, before any sync, the summary still says so
    try (HeadlessClient restarted = TestClients.open(temp.resolve(alice.user().localpart()))) {
      assertThat(restarted.rooms().join())
          .filteredOn(summary -> summary.lastActivity() != null)
          .extracting(RoomSummary::lastActivity)
          .containsExactly(lastActivity);
    }
  }

  @Test
  void aDirectChatIsMarkedDirectAndListedWithItsSummary() {
    try (Party alice = Party.start(temp, "alice");
        Party bob = Party.start(temp, "bob")) {
      String roomId = alice.client().createRoom(CreateRoomOptions.directChat(bob.userId())).join();
      bob.events().await(InviteEvent.class, invite -> invite.roomId().equals(roomId));
      bob.client().joinRoom(roomId).join();
      String eventId = bob.client().sendText(roomId, "Guten Tag").join();
      alice.events().await(MessageEvent.class, m -> m.eventId().equals(eventId));

      TestClients.eventually(
          "Alice's summary shows Bob joined",
          () -> alice.client().roomSummary(roomId).join().joinedMembers() == 2);
      RoomSummary summary = alice.client().roomSummary(roomId).join();
      assertThat(summary.direct()).isTrue();
      assertThat(summary.encrypted()).isTrue();
      assertThat(summary.membership()).isEqualTo(Membership.JOIN);
      assertThat(summary.lastActivity()).isNotNull();
      assertThat(alice.client().rooms().join()).extracting(RoomSummary::roomId).contains(roomId);

      // Bob's message counts as unread for Alice until she sends a read receipt
      TestClients.eventually(
          "Alice's unread count rises", () -> summaryOf(alice, roomId).unreadCount() >= 1);
      alice.client().sendReadReceipt(roomId, eventId).join();
      TestClients.eventually(
          "Alice's unread count drops", () -> summaryOf(alice, roomId).unreadCount() == 0);

      // And Bob hears of Alice's receipt
      ReceiptEvent receipt =
          bob.events()
              .await(
                  ReceiptEvent.class,
                  r -> r.userId().equals(alice.userId()) && r.eventId().equals(eventId));
      assertThat(receipt.roomId()).isEqualTo(roomId);
      assertThat(receipt.receiptType()).isEqualTo("m.read");
    }
  }

  @Test
  void membershipChangesFromInvitationToForgetting() {
    try (Party alice = Party.start(temp, "alice");
        Party bob = Party.start(temp, "bob")) {
      HeadlessClient aliceClient = alice.client();
      String roomId = aliceClient.createRoom(CreateRoomOptions.privateRoom()).join();

      // Bob declines a first invitation
      aliceClient.inviteUser(roomId, bob.userId()).join();
      bob.events().await(InviteEvent.class, invite -> invite.roomId().equals(roomId));
      assertThat(bob.client().roomSummary(roomId).join().membership()).isEqualTo(Membership.INVITE);
      bob.client().declineInvite(roomId).join();
      awaitMembership(alice, roomId, bob.userId(), "leave");

      // He accepts a second one; the member list shows both
      aliceClient.inviteUser(roomId, bob.userId()).join();
      bob.events().await(InviteEvent.class, invite -> invite.roomId().equals(roomId));
      bob.client().joinRoom(roomId).join();
      awaitMembership(alice, roomId, bob.userId(), "join");
      assertThat(aliceClient.roomMembers(roomId).join())
          .extracting(RoomMember::userId, RoomMember::membership)
          .contains(
              org.assertj.core.groups.Tuple.tuple(alice.userId(), Membership.JOIN),
              org.assertj.core.groups.Tuple.tuple(bob.userId(), Membership.JOIN));

      // Alice removes him; he can no longer send, and forgets the room
      aliceClient.kick(roomId, bob.userId(), "Fall abgeschlossen").join();
      TestClients.eventually(
          "Bob sees that he was removed",
          () -> summaryOf(bob, roomId).membership() == Membership.LEAVE);
      assertThatThrownBy(() -> bob.client().sendText(roomId, "noch da?").join())
          .isInstanceOf(CompletionException.class)
          .cause()
          .isInstanceOf(ClientStateException.class)
          .satisfies(
              e -> assertThat(((TimException) e).code()).isEqualTo(ErrorCode.WRONG_ROOM_STATE));
      bob.client().forgetRoom(roomId).join();
      assertThat(bob.client().rooms().join())
          .extracting(RoomSummary::roomId)
          .doesNotContain(roomId);

      // Alice leaves; declining or leaving again is refused with a typed error
      aliceClient.leaveRoom(roomId).join();
      assertThatThrownBy(() -> aliceClient.leaveRoom(roomId).join())
          .cause()
          .isInstanceOf(ClientStateException.class);
      assertThatThrownBy(() -> aliceClient.declineInvite("!unknown:localhost").join())
          .cause()
          .isInstanceOf(NotFoundException.class);
    }
  }

  @Test
  void usersAreFoundInTheDirectoryAndHaveProfiles() {
    try (Party alice = Party.start(temp, "alice");
        Party bob = Party.start(temp, "bob")) {
      // Synapse's directory shows users who share a room
      TestClients.joinedRoom(alice, bob);

      TestClients.eventually(
          "the directory lists Bob",
          () ->
              alice.client().searchUsers(bob.user().localpart(), 10).join().stream()
                  .anyMatch(user -> user.userId().equals(bob.userId())));
      UserProfile profile = alice.client().profile(bob.userId()).join();
      assertThat(profile.userId()).isEqualTo(bob.userId());
      assertThat(profile.displayName()).isEqualTo(bob.user().localpart());

      assertThatThrownBy(() -> alice.client().searchUsers(" ", 10))
          .isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> alice.client().searchUsers("bob", 0))
          .isInstanceOf(InvalidArgumentException.class);
    }
  }

  private static final String TIM_DEFAULT_TYPE = "de.gematik.tim.roomtype.default.v1";

  private static String content(List<StateEvent> state, String type) {
    return state.stream()
        .filter(event -> event.eventType().equals(type))
        .map(StateEvent::contentJson)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + type + " state event"));
  }

  private static RoomSummary summaryOf(Party party, String roomId) {
    return party.client().roomSummary(roomId).join();
  }

  private static void awaitMembership(Party observer, String roomId, String userId, String state) {
    observer
        .events()
        .await(
            StateEvent.class,
            event ->
                event.roomId().equals(roomId)
                    && event.eventType().equals("m.room.member")
                    && event.stateKey().equals(userId)
                    && event.contentJson().contains("\"membership\":\"" + state + "\""));
  }
}
