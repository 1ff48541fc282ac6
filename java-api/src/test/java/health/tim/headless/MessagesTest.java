package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import health.tim.headless.TestClients.Party;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every message kind, edits, redactions, reactions, custom events and history, end to end. */
class MessagesTest {
  @TempDir Path temp;

  @Test
  void everyTextLikeKindArrivesAsItWasSent() {
    try (Party alice = Party.start(temp, "alice");
        Party bob = Party.start(temp, "bob")) {
      String roomId = TestClients.joinedRoom(alice, bob);
      HeadlessClient client = alice.client();

      String html = client.send(roomId, OutgoingMessage.html("wichtig", "<b>wichtig</b>")).join();
      String notice = client.send(roomId, OutgoingMessage.notice("Systemhinweis")).join();
      String emote = client.send(roomId, OutgoingMessage.emote("winkt")).join();
      String location =
          client.send(roomId, OutgoingMessage.location("Notaufnahme", "geo:52.52,13.40")).join();
      String reply = client.send(roomId, OutgoingMessage.text("Antwort").inReplyTo(html)).join();

      MessageEvent htmlMessage = awaitMessage(bob, html);
      assertThat(htmlMessage.kind()).isEqualTo(MessageKind.TEXT);
      assertThat(htmlMessage.body()).isEqualTo("wichtig");
      assertThat(htmlMessage.formattedBody()).isEqualTo("<b>wichtig</b>");
      assertThat(htmlMessage.encrypted()).isTrue();
      assertThat(awaitMessage(bob, notice).kind()).isEqualTo(MessageKind.NOTICE);
      assertThat(awaitMessage(bob, emote).kind()).isEqualTo(MessageKind.EMOTE);
      MessageEvent locationMessage = awaitMessage(bob, location);
      assertThat(locationMessage.kind()).isEqualTo(MessageKind.LOCATION);
      assertThat(locationMessage.geoUri()).isEqualTo("geo:52.52,13.40");
      assertThat(locationMessage.toString()).doesNotContain("geo:", "Notaufnahme");
      assertThat(awaitMessage(bob, reply).inReplyTo()).isEqualTo(html);
    }
  }

  @Test
  void badMessagesAreRefusedBeforeTheyAreSent() {
    try (Party alice = Party.start(temp, "alice")) {
      HeadlessClient client = alice.client();
      String roomId = client.createRoom(CreateRoomOptions.privateRoom()).join();

      assertThatThrownBy(() -> client.send(roomId, OutgoingMessage.location("hier", "52,13")))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("geoUri");
      assertThatThrownBy(
              () ->
                  client.send(
                      roomId, new OutgoingMessage(MessageKind.TEXT, "x", null, "geo:1,2", null)))
          .isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(
              () ->
                  client.send(roomId, new OutgoingMessage(MessageKind.FILE, "x", null, null, null)))
          .isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> client.send(roomId, OutgoingMessage.text("x").inReplyTo("nope")))
          .isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> client.react(roomId, "$event", "ab"))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("one character");
      assertThatThrownBy(() -> client.sendCustomEvent(roomId, "m.room.message", "{}"))
          .isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> client.sendCustomEvent(roomId, "de.gematik.fhir", "[]"))
          .isInstanceOf(InvalidArgumentException.class);
      String tooLarge = "{\"data\":\"" + "x".repeat(64 * 1024) + "\"}";
      assertThatThrownBy(() -> client.sendCustomEvent(roomId, "de.gematik.fhir", tooLarge))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("64 KiB");

      // Encryption grows an event by a third: 50 KiB fit in the clear, not encrypted
      String fifty = "{\"data\":\"" + "x".repeat(50 * 1024) + "\"}";
      assertThatThrownBy(() -> client.sendCustomEvent(roomId, "de.gematik.fhir", fifty).join())
          .isInstanceOf(CompletionException.class)
          .cause()
          .isInstanceOf(InvalidArgumentException.class);
      assertThat(client.history(roomId, null, 100).join().events())
          .noneMatch(event -> event instanceof CustomEvent);
    }
  }

  @Test
  void editsDeletionsAndRedactionsReachTheOtherSide() {
    try (Party alice = Party.start(temp, "alice");
        Party bob = Party.start(temp, "bob")) {
      String roomId = TestClients.joinedRoom(alice, bob);
      HeadlessClient client = alice.client();
      String original = client.sendText(roomId, "Termin um 9").join();
      awaitMessage(bob, original);

      // An edit arrives pointing at its target
      String editId = client.editMessage(roomId, original, "Termin um 10", null).join();
      EditEvent edit = bob.events().await(EditEvent.class, e -> e.eventId().equals(editId));
      assertThat(edit.targetEventId()).isEqualTo(original);
      assertThat(edit.body()).isEqualTo("Termin um 10");
      assertThat(edit.isDeletion()).isFalse();
      assertThat(edit.toString()).doesNotContain("Termin");

      // Deleting by replacement is an edit with an empty body
      String deleted = client.sendText(roomId, "versehentlich").join();
      String deletion = client.deleteByReplace(roomId, deleted).join();
      EditEvent deletionEvent =
          bob.events().await(EditEvent.class, e -> e.eventId().equals(deletion));
      assertThat(deletionEvent.isDeletion()).isTrue();

      // Bob may neither edit nor redact Alice's message
      assertThatThrownBy(() -> bob.client().editMessage(roomId, original, "x", null).join())
          .cause()
          .isInstanceOf(NotPermittedException.class)
          .satisfies(e -> assertThat(((TimException) e).code()).isEqualTo(ErrorCode.NOT_OWN_EVENT));
      assertThatThrownBy(() -> bob.client().redact(roomId, original, null).join())
          .cause()
          .isInstanceOf(NotPermittedException.class);

      // Alice redacts her message: its edit is redacted too
      client.redact(roomId, original, "falscher Patient").join();
      List<String> redacted = new ArrayList<>();
      redacted.add(
          bob.events().await(RedactionEvent.class, r -> r.roomId().equals(roomId)).targetEventId());
      redacted.add(
          bob.events().await(RedactionEvent.class, r -> r.roomId().equals(roomId)).targetEventId());
      assertThat(redacted).containsExactlyInAnyOrder(editId, original);

      // Fetching an unknown event is a typed error
      assertThatThrownBy(() -> client.event(roomId, "$doesnotexist").join())
          .cause()
          .isInstanceOf(NotFoundException.class)
          .satisfies(
              e -> assertThat(((TimException) e).code()).isEqualTo(ErrorCode.EVENT_NOT_FOUND));
    }
  }

  @Test
  void reactionsAndCustomEventsArriveAsTheirOwnKinds() {
    try (Party alice = Party.start(temp, "alice");
        Party bob = Party.start(temp, "bob")) {
      String roomId = TestClients.joinedRoom(alice, bob);
      String message = alice.client().sendText(roomId, "Befund anbei").join();
      awaitMessage(bob, message);

      String reactionId = bob.client().react(roomId, message, "👍🏽").join();
      ReactionEvent reaction =
          alice.events().await(ReactionEvent.class, r -> r.eventId().equals(reactionId));
      assertThat(reaction.targetEventId()).isEqualTo(message);
      assertThat(reaction.key()).isEqualTo("👍🏽");
      // matrix-sdk 0.18 sends reactions in the clear, as the Javadoc of react() says
      assertThat(reaction.encrypted()).isFalse();

      String fhir = "{\"resourceType\":\"Observation\",\"status\":\"final\"}";
      String customId = alice.client().sendCustomEvent(roomId, "de.gematik.fhir", fhir).join();
      CustomEvent custom = bob.events().await(CustomEvent.class, c -> c.eventId().equals(customId));
      assertThat(custom.eventType()).isEqualTo("de.gematik.fhir");
      assertThat(custom.contentJson()).isEqualTo(fhir);
      assertThat(custom.encrypted()).isTrue();
      assertThat(custom.toString()).doesNotContain("Observation");
    }
  }

  @Test
  void historyPagesBackwardsDecryptedAndSingleEventsAreFetched() {
    try (Party alice = Party.start(temp, "alice");
        Party bob = Party.start(temp, "bob")) {
      String roomId = TestClients.joinedRoom(alice, bob);
      List<String> sent = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        sent.add(alice.client().sendText(roomId, "Eintrag " + i).join());
      }
      awaitMessage(bob, sent.get(4));

      // Bob pages back two events at a time until the room's beginning
      List<MessageEvent> messages = new ArrayList<>();
      String token = null;
      int pages = 0;
      do {
        HistoryPage page = bob.client().history(roomId, token, 2).join();
        assertThat(page.events()).hasSizeLessThanOrEqualTo(2);
        page.events().stream()
            .filter(MessageEvent.class::isInstance)
            .map(MessageEvent.class::cast)
            .forEach(messages::add);
        token = page.nextToken();
        pages++;
      } while (token != null && pages < 50);

      assertThat(token).isNull();
      assertThat(messages)
          .extracting(MessageEvent::body)
          .containsExactly("Eintrag 5", "Eintrag 4", "Eintrag 3", "Eintrag 2", "Eintrag 1");
      assertThat(messages).allMatch(MessageEvent::encrypted);

      RoomEvent fetched = bob.client().event(roomId, sent.get(2)).join();
      assertThat(fetched).isInstanceOf(MessageEvent.class);
      assertThat(((MessageEvent) fetched).body()).isEqualTo("Eintrag 3");
    }
  }

  private static MessageEvent awaitMessage(Party party, String eventId) {
    return party.events().await(MessageEvent.class, m -> m.eventId().equals(eventId));
  }
}
