package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;

import health.tim.headless.TestClients.Party;
import health.tim.headless.TestClients.Recorder;
import health.tim.headless.TestHomeserver.User;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client declines invitations its permission configuration blocks. Plain Synapse lets every
 * invitation through, so what is seen here is the client's own decision (against the Fachdienst,
 * its rule module refuses them first; see {@code FachdienstTest}).
 */
class InvitationScreeningTest {
  @TempDir Path temp;

  @Test
  void aBlockedInvitationIsDeclinedAndAuditedAndAnExceptedOneArrives() {
    try (Party alice = Party.start(temp, "alice");
        Party carol = Party.start(temp, "carol");
        Party bob = Party.start(temp, "bob")) {
      // Given Bob blocks everybody but Carol
      bob.client()
          .setPermissionConfig(PermissionConfig.blockAll().withUserException(carol.userId()))
          .join();

      // When Alice invites him, his client declines: Alice sees him leave, and his listeners
      // get the audit entry, not the invitation
      String fromAlice = alice.client().createEncryptedRoom(bob.userId()).join();
      AuditEntry declined =
          bob.events()
              .await(AuditEntry.class, entry -> entry.event().equals("invitation_declined"));
      assertThat(declined.fields())
          .containsEntry("room_id", fromAlice)
          .containsEntry("inviter", alice.userId());
      TestClients.eventually(
          "Alice sees Bob decline",
          () ->
              alice.client().roomMembers(fromAlice).join().stream()
                  .anyMatch(
                      m -> m.userId().equals(bob.userId()) && m.membership() == Membership.LEAVE));

      // Then Carol's invitation arrives as usual
      String fromCarol = carol.client().createEncryptedRoom(bob.userId()).join();
      bob.events().await(InviteEvent.class, invite -> invite.roomId().equals(fromCarol));
      assertThat(bob.events().all(InviteEvent.class))
          .extracting(InviteEvent::roomId)
          .containsExactly(fromCarol);
    }
  }

  @Test
  void withScreeningOffTheIntegratingSystemDecides() {
    User bobUser = TestHomeserver.register("bob");
    try (Party alice = Party.start(temp, "alice");
        HeadlessClient bob =
            TestClients.builder(temp.resolve("bob")).declineBlockedInvitations(false).build()) {
      Recorder events = new Recorder();
      bob.addListener(events);
      bob.login(bobUser.userId(), bobUser.password());
      bob.setPermissionConfig(PermissionConfig.blockAll()).join();
      bob.startSync();

      String roomId = alice.client().createEncryptedRoom(bobUser.userId()).join();

      events.await(InviteEvent.class, invite -> invite.roomId().equals(roomId));
      assertThat(events.all(AuditEntry.class))
          .extracting(AuditEntry::event)
          .doesNotContain("invitation_declined");
    }
  }
}
