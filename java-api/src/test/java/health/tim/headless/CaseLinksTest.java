package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import health.tim.headless.TestClients.Party;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rooms filed under the integrating system's case references, kept only in the local store. */
class CaseLinksTest {
  private static final CaseReference ENCOUNTER =
      new CaseReference("fall", "F-4711-2026", "Encounter/4711");
  private static final CaseReference PATIENT = CaseReference.of("patient", "P-0815-Mueller");

  @TempDir Path temp;

  @Test
  void eventsCarryTheirRoomsCaseReferencesAndTheLinksStayLocal() throws Exception {
    try (Party alice = Party.start(temp, "alice");
        Party bob = Party.start(temp, "bob")) {
      String roomId = TestClients.joinedRoom(alice, bob);

      // Given Bob's client files the room under an encounter and a patient
      bob.client().linkCase(roomId, ENCOUNTER);
      bob.client().linkCase(roomId, PATIENT);

      // Then a message arrives with both, and the room is found by either
      String first = alice.client().sendText(roomId, "Laborwerte sind da").join();
      MessageEvent atBob = bob.events().await(MessageEvent.class, m -> m.eventId().equals(first));
      assertThat(atBob.caseReferences()).containsExactly(ENCOUNTER, PATIENT);
      assertThat(bob.client().roomsForCase(CaseReference.of("fall", "F-4711-2026")))
          .containsExactly(roomId);
      assertThat(bob.client().roomsForCase(PATIENT)).containsExactly(roomId);
      assertThat(bob.client().roomsForCase(CaseReference.of("fall", "F-0000"))).isEmpty();

      // And history read later carries them too; Alice's client knows nothing of them
      assertThat(bob.client().history(roomId, null, 10).join().events())
          .filteredOn(event -> event.eventId().equals(first))
          .singleElement()
          .satisfies(event -> assertThat(event.caseReferences()).hasSize(2));
      assertThat(alice.client().caseReferences(roomId)).isEmpty();

      // When the encounter gets another FHIR pointer and the patient link is removed
      CaseReference moved = new CaseReference("fall", "F-4711-2026", "Encounter/4712");
      bob.client().linkCase(roomId, moved);
      assertThat(bob.client().unlinkCase(roomId, PATIENT)).isTrue();
      assertThat(bob.client().unlinkCase(roomId, PATIENT)).isFalse();

      // Then the next event carries only the encounter, with its new pointer
      String second = alice.client().sendText(roomId, "Nachtrag").join();
      MessageEvent later = bob.events().await(MessageEvent.class, m -> m.eventId().equals(second));
      assertThat(later.caseReferences())
          .singleElement()
          .satisfies(reference -> assertThat(reference.fhir()).contains("Encounter/4712"));

      // And nothing of the references reached the homeserver: not the room state, not the
      // events, not the audit log's entries, which name a digest instead
      for (StateEvent state : bob.client().roomState(roomId).join()) {
        assertThat(state.contentJson()).doesNotContain("4711");
      }
      List<AuditEntry> links =
          bob.events().all(AuditEntry.class).stream()
              .filter(entry -> entry.event().startsWith("case_"))
              .toList();
      assertThat(links)
          .extracting(AuditEntry::event)
          .containsExactly("case_linked", "case_linked", "case_linked", "case_unlinked");
      assertThat(links.get(0).fields()).containsEntry("room_id", roomId);
      assertThat(links.get(0).fields().get("reference_digest")).hasSize(16);
      assertThat(links.get(0).fields().get("reference_digest"))
          .isEqualTo(links.get(2).fields().get("reference_digest"));
      assertThat(links.toString()).doesNotContain("4711").doesNotContain("Mueller");
      assertThat(bob.client().verifyAuditLog().intact()).isTrue();
    }
  }

  @Test
  void linksSurviveARestartAndAreEncryptedInTheStore() throws Exception {
    Path store = temp.resolve("kis");
    String roomId = "!akte:example.org";
    try (HeadlessClient client = TestClients.open(store)) {
      client.linkCase(roomId, ENCOUNTER);
      client.linkCase(roomId, PATIENT);
    }

    try (HeadlessClient reopened = TestClients.open(store)) {
      assertThat(reopened.caseReferences(roomId)).containsExactly(ENCOUNTER, PATIENT);
      assertThat(reopened.roomsForCase(PATIENT)).containsExactly(roomId);
    }
    for (Map.Entry<Path, byte[]> file : StoreFiles.snapshot(store).entrySet()) {
      String content = new String(file.getValue(), StandardCharsets.ISO_8859_1);
      assertThat(content)
          .as(file.getKey().toString())
          .doesNotContain("F-4711")
          .doesNotContain("P-0815");
    }
  }

  @Test
  void malformedReferencesAreRefusedAndChangeNothing() throws Exception {
    // Room for the 32 links below within one second
    RateLimits fastChanges = new RateLimits(20, 50, 50);
    try (HeadlessClient client =
        TestClients.builder(temp.resolve("kis")).rateLimits(fastChanges).build()) {
      String roomId = "!akte:example.org";
      client.linkCase(roomId, PATIENT);

      assertThatThrownBy(
              () -> client.linkCase(roomId, new CaseReference("fall", "F-1", "encounter/1")))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("fhirReference");
      assertThatThrownBy(() -> client.linkCase(roomId, CaseReference.of("fall", " ")))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("value");
      assertThatThrownBy(() -> client.linkCase(roomId, CaseReference.of("fall\n", "1")))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("system");
      assertThatThrownBy(() -> client.linkCase("akte", PATIENT))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("roomId");
      assertThatThrownBy(() -> client.linkCase(roomId, null))
          .isInstanceOf(InvalidArgumentException.class);
      for (int i = 1; i < 32; i++) {
        client.linkCase(roomId, CaseReference.of("fall", "F-" + i));
      }
      assertThatThrownBy(() -> client.linkCase(roomId, CaseReference.of("fall", "F-32")))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("32");

      assertThat(client.caseReferences(roomId)).hasSize(32).startsWith(PATIENT);
      // Each refusal is in the audit log (the listener sees entries only once sync runs)
      String log = Files.readString(temp.resolve("kis").resolve("audit.log"));
      assertThat(log.split("\n"))
          .filteredOn(line -> line.contains("rejected_call") && line.contains("\"linkCase\""))
          .hasSize(6);
    }
  }
}
