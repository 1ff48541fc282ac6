package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;

import health.tim.headless.TestClients.Party;
import health.tim.headless.TestClients.Recorder;
import health.tim.headless.TestHomeserver.User;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server-side key backup: a new device of the account reads what an earlier one received. */
class KeyBackupTest {
  private static final char[] RECOVERY = "Wiederherstellung für Station 3".toCharArray();

  @TempDir Path temp;

  private HeadlessClient open(Path store, char[] recovery) {
    HeadlessClient.Builder builder = TestClients.builder(store);
    if (recovery != null) {
      builder.recoveryPassphrase(recovery);
    }
    return builder.build();
  }

  @Test
  void aNewDeviceRestoresTheKeysWithThePassphraseAndReadsEarlierMessages() throws Exception {
    User station = TestHomeserver.register("station");
    Path firstStore = temp.resolve("first");
    String roomId;
    String eventId;
    try (Party bob = Party.start(temp, "bob");
        HeadlessClient first = open(firstStore, RECOVERY)) {
      // Given the account's first device, which creates the backup at login
      Recorder firstEvents = new Recorder();
      first.addListener(firstEvents);
      first.login(station.userId(), station.password());
      assertThat(first.keyBackupStatus().state()).isEqualTo(KeyBackupStatus.State.ENABLED);
      first.startSync();
      firstEvents.await(
          AuditEntry.class,
          entry ->
              entry.event().equals("key_backup_enabled")
                  && entry.fields().get("recovered").equals("false"));

      // And a message it received encrypted
      roomId = bob.client().createEncryptedRoom(station.userId()).join();
      firstEvents.await(InviteEvent.class, invite -> invite.roomId().equals(roomId));
      first.joinRoom(roomId).join();
      TestClients.eventually(
          "Bob sees the station joined",
          () ->
              bob.client().roomMembers(roomId).join().stream()
                  .anyMatch(m -> m.userId().equals(station.userId())));
      eventId = bob.client().sendText(roomId, "Befund vor dem Speicherverlust").join();
      MessageEvent received =
          firstEvents.await(MessageEvent.class, m -> m.eventId().equals(eventId));
      assertThat(received.encrypted()).isTrue();
      // The engine uploads new keys to the backup in the background
      TestClients.eventually(
          "the room key is in the backup", () -> TestHomeserver.backedUpRoomKeys(station) >= 1);
    }

    // When the store is lost and a new device logs in with the same passphrase
    deleteTree(firstStore);
    try (HeadlessClient second = open(temp.resolve("second"), RECOVERY)) {
      Recorder secondEvents = new Recorder();
      second.addListener(secondEvents);
      second.login(station.userId(), station.password());
      second.startSync();

      // Then it recovered the backup and reads the earlier message decrypted
      secondEvents.await(
          AuditEntry.class,
          entry ->
              entry.event().equals("key_backup_enabled")
                  && entry.fields().get("recovered").equals("true"));
      assertThat(second.keyBackupStatus().state()).isEqualTo(KeyBackupStatus.State.ENABLED);
      TestClients.eventually(
          "the new device has synced the room",
          () -> second.rooms().join().stream().anyMatch(room -> room.roomId().equals(roomId)));
      TestClients.eventually(
          "the earlier message decrypts on the new device",
          () ->
              second.history(roomId, null, 20).join().events().stream()
                  .anyMatch(
                      event ->
                          event instanceof MessageEvent message
                              && message.eventId().equals(eventId)
                              && message.body().equals("Befund vor dem Speicherverlust")));
    }
  }

  @Test
  void anotherDeviceOfTheAccountReadsWhatThisOneSends() {
    User station = TestHomeserver.register("station");
    try (Party bob = Party.start(temp, "bob");
        Party desk = Party.start(temp.resolve("desk"), station, TestHomeserver.url());
        Party ward = Party.start(temp.resolve("ward"), station, TestHomeserver.url())) {
      String roomId = bob.client().createEncryptedRoom(station.userId()).join();
      desk.events().await(InviteEvent.class, invite -> invite.roomId().equals(roomId));
      desk.client().joinRoom(roomId).join();
      TestClients.eventually(
          "the ward device knows the room",
          () -> ward.client().rooms().join().stream().anyMatch(r -> r.roomId().equals(roomId)));

      // When the desk device sends, the room key also goes to the account's ward device
      String eventId = desk.client().sendText(roomId, "Übergabe an die Station").join();

      MessageEvent atWard =
          ward.events().await(MessageEvent.class, m -> m.eventId().equals(eventId));
      assertThat(atWard.encrypted()).isTrue();
      assertThat(atWard.sender()).isEqualTo(station.userId());
      assertThat(atWard.body()).isEqualTo("Übergabe an die Station");
    }
  }

  @Test
  void aWrongPassphraseLeavesTheLoginInPlaceAndReportsTheFailure() {
    User station = TestHomeserver.register("station");
    try (HeadlessClient first = open(temp.resolve("first"), RECOVERY)) {
      first.login(station.userId(), station.password());
    }

    try (HeadlessClient second = open(temp.resolve("second"), "falsch".toCharArray())) {
      second.login(station.userId(), station.password());

      assertThat(second.session()).isPresent();
      assertThat(second.keyBackupStatus())
          .isEqualTo(
              new KeyBackupStatus(
                  KeyBackupStatus.State.FAILED, ErrorCode.RECOVERY_PASSPHRASE_REFUSED));

      // And the right passphrase, given afterwards, sets it up
      second.enableKeyBackup(RECOVERY).join();
      assertThat(second.keyBackupStatus().state()).isEqualTo(KeyBackupStatus.State.ENABLED);
    }
  }

  @Test
  void withoutARecoveryPassphraseThereIsNoBackup() {
    User station = TestHomeserver.register("station");
    try (HeadlessClient client = open(temp.resolve("store"), null)) {
      client.login(station.userId(), station.password());

      assertThat(client.keyBackupStatus())
          .isEqualTo(new KeyBackupStatus(KeyBackupStatus.State.DISABLED, null));
    }
  }

  private static void deleteTree(Path root) throws Exception {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
