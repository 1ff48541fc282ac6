package health.tim.headless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import health.tim.headless.TestClients.Recorder;
import health.tim.headless.TestHomeserver.User;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our client and matrix-nio exchange encrypted messages in both directions, with each of two nio
 * releases: 0.25.2 encrypts with libolm, whose crypto shares no code with ours, and 0.26.0 with
 * vodozemac's Python binding. The peer is {@code tests/interop/nio_peer.py}; its line protocol
 * (what it prints, what it is told on stdin) is described there.
 */
class NioInteropTest {
  /** Per nio release: the system property, else the environment variable, naming its python. */
  private static final Map<String, List<String>> PYTHON_SETTINGS =
      Map.of(
          "0.25.2", List.of("tim.test.nio.python", "TIM_TEST_NIO_PYTHON"),
          "0.26.0", List.of("tim.test.nio26.python", "TIM_TEST_NIO26_PYTHON"));

  private static final int PEER_TIMEOUT_S = 60;
  // Room for twenty-odd round trips and four file transfers, each bounded by TestClients.WAIT.
  private static final int LONG_PEER_TIMEOUT_S = 120;
  private static final String HTML = "org.matrix.custom.html";

  @TempDir Path temp;

  @ParameterizedTest(name = "matrix-nio {0}")
  @ValueSource(strings = {"0.25.2", "0.26.0"})
  void nioDecryptsOurMessageAndWeDecryptItsEncryptedAnswer(String nioVersion) throws Exception {
    // Given our user and a nio user, the nio peer logged in with its keys uploaded
    User ourUser = TestHomeserver.register("java");
    User nioUser = TestHomeserver.register("nio");
    try (NioPeer peer = NioPeer.start(nioVersion, nioUser, temp, PEER_TIMEOUT_S);
        HeadlessClient client = TestClients.open(temp.resolve("java"))) {
      peer.awaitReady(nioVersion);
      client.login(ourUser.userId(), ourUser.password());
      Recorder events = new Recorder();
      client.addListener(events);
      client.startSync();

      // When we invite nio into an encrypted room, it joins, and we send a ping
      String roomId = client.createEncryptedRoom(nioUser.userId()).join();
      assertThat(peer.await("JOINED ")).isEqualTo("JOINED " + roomId);
      String body = "ping:hallo aus Java";
      String eventId = client.sendText(roomId, body).join();

      // Then nio decrypted it
      assertThat(peer.await("RECEIVED " + roomId + " " + eventId + " "))
          .isEqualTo("RECEIVED " + roomId + " " + eventId + " true \"" + body + "\"");

      // And its encrypted pong reaches us decrypted, marked as encrypted
      String pongId = peer.await("SENT ").substring("SENT ".length());
      MessageEvent pong = events.await(MessageEvent.class, m -> m.eventId().equals(pongId));
      assertThat(pong.body()).isEqualTo("pong:hallo aus Java");
      assertThat(pong.encrypted()).isTrue();
      assertThat(pong.sender()).isEqualTo(nioUser.userId());
      assertThat(pong.roomId()).isEqualTo(roomId);

      // And the peer ends cleanly once we close its stdin
      assertThat(peer.stop()).as("nio peer exit code; %s", peer.stderrTail()).isZero();
    }
  }

  @ParameterizedTest(name = "matrix-nio {0}")
  @ValueSource(strings = {"0.25.2", "0.26.0"})
  void everyMessageKindAndAnAttachmentCrossInBothDirections(String nioVersion) throws Exception {
    // Given our user and the nio peer in an encrypted room
    User ourUser = TestHomeserver.register("java");
    User nioUser = TestHomeserver.register("nio");
    try (NioPeer peer = NioPeer.start(nioVersion, nioUser, temp, LONG_PEER_TIMEOUT_S);
        HeadlessClient client = TestClients.open(temp.resolve("java"))) {
      peer.awaitReady(nioVersion);
      client.login(ourUser.userId(), ourUser.password());
      Inbox inbox = new Inbox();
      client.addListener(inbox);
      client.startSync();
      String roomId = client.createEncryptedRoom(nioUser.userId()).join();
      assertThat(peer.await("JOINED ")).isEqualTo("JOINED " + roomId);

      // When we send every kind of message, an edit, a reaction, a FHIR event and a file
      String text =
          client
              .send(roomId, OutgoingMessage.html("Befund liegt vor", "<b>Befund</b> liegt vor"))
              .join();
      String notice = client.send(roomId, OutgoingMessage.notice("Termin bestätigt")).join();
      String emote = client.send(roomId, OutgoingMessage.emote("winkt")).join();
      String location =
          client.send(roomId, OutgoingMessage.location("Notaufnahme", "geo:52.52,13.40")).join();
      String reply = client.send(roomId, OutgoingMessage.text("Danke!").inReplyTo(text)).join();
      String edit =
          client
              .editMessage(roomId, text, "Befund liegt jetzt vor", "<b>Befund</b> liegt jetzt vor")
              .join();
      String reaction = client.react(roomId, text, "👍").join();
      String observation = "{\"resourceType\":\"Observation\",\"status\":\"final\"}";
      String fhir = client.sendCustomEvent(roomId, "de.gematik.fhir", observation).join();
      Path ours = Files.createDirectory(temp.resolve("ours"));
      Path pdf = randomFile(ours.resolve("Befund.pdf"), 300 * 1024 + 7);
      String file = client.sendFile(roomId, pdf, "application/pdf").join();

      // Then nio decrypted each and read it as what it is
      assertThat(nioSaw(peer, roomId, text, true))
          .contains(
              field("type", "m.room.message"),
              field("msgtype", "m.text"),
              field("body", "Befund liegt vor"),
              field("format", HTML),
              field("formatted_body", "<b>Befund</b> liegt vor"));
      assertThat(nioSaw(peer, roomId, notice, true))
          .contains(field("msgtype", "m.notice"), field("body", "Termin bestätigt"));
      assertThat(nioSaw(peer, roomId, emote, true))
          .contains(field("msgtype", "m.emote"), field("body", "winkt"));
      assertThat(nioSaw(peer, roomId, location, true))
          .contains(
              field("msgtype", "m.location"),
              field("body", "Notaufnahme"),
              field("geo_uri", "geo:52.52,13.40"));
      assertThat(nioSaw(peer, roomId, reply, true))
          .contains(field("body", "Danke!"), json("'m.in_reply_to':{'event_id':'" + text + "'}"));
      assertThat(nioSaw(peer, roomId, edit, true))
          .contains(
              json("'m.relates_to':{'event_id':'" + text + "','rel_type':'m.replace'}"),
              json("'m.new_content':{'body':'Befund liegt jetzt vor'"),
              field("formatted_body", "<b>Befund</b> liegt jetzt vor"));
      // matrix-sdk 0.18 sends reactions in the clear, as the Javadoc of react() says
      assertThat(nioSaw(peer, roomId, reaction, false))
          .contains(
              field("type", "m.reaction"),
              json(
                  "'m.relates_to':{'event_id':'"
                      + text
                      + "','key':'👍','rel_type':'m.annotation'}"));
      assertThat(nioSaw(peer, roomId, fhir, true))
          .contains(
              field("type", "de.gematik.fhir"),
              field("resourceType", "Observation"),
              field("status", "final"));
      // nio downloaded the file and decrypted it with the key our message carried
      long pdfSize = Files.size(pdf);
      assertThat(nioSaw(peer, roomId, file, true))
          .contains(
              field("msgtype", "m.file"),
              field("body", "Befund.pdf"),
              field("filename", "Befund.pdf"),
              json("'info':{'mimetype':'application/pdf','size':" + pdfSize + "}"),
              field("v", "v2"),
              json("'download':{'sha256':'" + sha256(pdf) + "','size':" + pdfSize + "}"));

      // And a redaction reaches nio too; redactions are never encrypted
      client.redact(roomId, emote, "versehentlich").join();
      PeerEvent redaction =
          peer.awaitEvent(
              roomId,
              event -> event.json().contains(field("type", "m.room.redaction")),
              "nio's view of our redaction");
      assertThat(redaction.encrypted()).isFalse();
      assertThat(redaction.json())
          .contains(field("redacts", emote), field("reason", "versehentlich"));

      // When nio sends every kind of message, an edit, a reaction, a FHIR event and two files
      String nioText =
          nioSends(
              peer,
              roomId,
              "m.room.message",
              json(
                  "{'msgtype':'m.text','body':'Hallo aus nio','format':'"
                      + HTML
                      + "','formatted_body':'<i>Hallo</i> aus nio'}"));
      String nioNotice =
          nioSends(
              peer,
              roomId,
              "m.room.message",
              json("{'msgtype':'m.notice','body':'Automatische Antwort'}"));
      String nioEmote =
          nioSends(peer, roomId, "m.room.message", json("{'msgtype':'m.emote','body':'nickt'}"));
      String nioLocation =
          nioSends(
              peer,
              roomId,
              "m.room.message",
              json("{'msgtype':'m.location','body':'Praxis','geo_uri':'geo:48.14,11.58'}"));
      String nioReply =
          nioSends(
              peer,
              roomId,
              "m.room.message",
              json(
                  "{'msgtype':'m.text','body':'Gern geschehen',"
                      + "'m.relates_to':{'m.in_reply_to':{'event_id':'"
                      + reply
                      + "'}}}"));
      String nioEdit =
          nioSends(
              peer,
              roomId,
              "m.room.message",
              json(
                  "{'msgtype':'m.text','body':'* Hallo nochmal aus nio',"
                      + "'m.new_content':{'msgtype':'m.text','body':'Hallo nochmal aus nio'},"
                      + "'m.relates_to':{'rel_type':'m.replace','event_id':'"
                      + nioText
                      + "'}}"));
      String nioReaction =
          nioSends(
              peer,
              roomId,
              "m.reaction",
              json(
                  "{'m.relates_to':{'rel_type':'m.annotation','event_id':'"
                      + notice
                      + "','key':'🙂'}}"));
      String nioFhir =
          nioSends(
              peer, roomId, "de.gematik.fhir", json("{'resourceType':'Patient','id':'nio-1'}"));
      Path nioFiles = Files.createDirectory(temp.resolve("nio-files"));
      Path scan = randomFile(nioFiles.resolve("scan.png"), 20_000);
      String nioImage = peer.command("SENDFILE " + roomId + " m.image image/png " + scan);
      // A name with a space, which the file name and the command line both have to carry
      Path letter = randomFile(nioFiles.resolve("Arztbrief 0815.pdf"), 120_000);
      String nioFile = peer.command("SENDFILE " + roomId + " m.file application/pdf " + letter);
      String nioRedaction = peer.command("REDACT " + roomId + " " + nioEmote + " erledigt");

      // Then we decrypted each and read it as what it is
      MessageEvent textFromNio = fromNio(inbox, nioText, MessageKind.TEXT, nioUser);
      assertThat(textFromNio.body()).isEqualTo("Hallo aus nio");
      assertThat(textFromNio.formattedBody()).isEqualTo("<i>Hallo</i> aus nio");
      assertThat(fromNio(inbox, nioNotice, MessageKind.NOTICE, nioUser).body())
          .isEqualTo("Automatische Antwort");
      assertThat(fromNio(inbox, nioEmote, MessageKind.EMOTE, nioUser).body()).isEqualTo("nickt");
      MessageEvent locationFromNio = fromNio(inbox, nioLocation, MessageKind.LOCATION, nioUser);
      assertThat(locationFromNio.body()).isEqualTo("Praxis");
      assertThat(locationFromNio.geoUri()).isEqualTo("geo:48.14,11.58");
      MessageEvent replyFromNio = fromNio(inbox, nioReply, MessageKind.TEXT, nioUser);
      assertThat(replyFromNio.body()).isEqualTo("Gern geschehen");
      assertThat(replyFromNio.inReplyTo()).isEqualTo(reply);

      EditEvent editFromNio = inbox.await(EditEvent.class, nioEdit);
      assertThat(editFromNio.targetEventId()).isEqualTo(nioText);
      assertThat(editFromNio.body()).isEqualTo("Hallo nochmal aus nio");
      assertThat(editFromNio.encrypted()).isTrue();
      // The peer encrypts its reaction itself (nio alone would not), as Element does
      ReactionEvent reactionFromNio = inbox.await(ReactionEvent.class, nioReaction);
      assertThat(reactionFromNio.targetEventId()).isEqualTo(notice);
      assertThat(reactionFromNio.key()).isEqualTo("🙂");
      assertThat(reactionFromNio.encrypted()).isTrue();
      CustomEvent fhirFromNio = inbox.await(CustomEvent.class, nioFhir);
      assertThat(fhirFromNio.eventType()).isEqualTo("de.gematik.fhir");
      assertThat(fhirFromNio.contentJson())
          .contains(field("resourceType", "Patient"), field("id", "nio-1"));
      assertThat(fhirFromNio.encrypted()).isTrue();
      RedactionEvent redactionFromNio = inbox.await(RedactionEvent.class, nioRedaction);
      assertThat(redactionFromNio.targetEventId()).isEqualTo(nioEmote);
      assertThat(redactionFromNio.reason()).isEqualTo("erledigt");
      assertThat(redactionFromNio.encrypted()).isFalse();

      // And nio's files download through our client byte for byte
      AttachmentInfo scanInfo = new AttachmentInfo("scan.png", "image/png", 20_000, true);
      assertThat(fromNio(inbox, nioImage, MessageKind.IMAGE, nioUser).attachment())
          .isEqualTo(scanInfo);
      Path scanCopy = temp.resolve("scan from nio.png");
      assertThat(client.downloadAttachment(roomId, nioImage, scanCopy).join()).isEqualTo(scanInfo);
      assertThat(Files.readAllBytes(scanCopy)).isEqualTo(Files.readAllBytes(scan));
      AttachmentInfo letterInfo =
          new AttachmentInfo("Arztbrief 0815.pdf", "application/pdf", 120_000, true);
      assertThat(fromNio(inbox, nioFile, MessageKind.FILE, nioUser).attachment())
          .isEqualTo(letterInfo);
      Path letterCopy = temp.resolve("letter from nio.pdf");
      assertThat(client.downloadAttachment(roomId, nioFile, letterCopy).join())
          .isEqualTo(letterInfo);
      assertThat(Files.readAllBytes(letterCopy)).isEqualTo(Files.readAllBytes(letter));

      // And the peer ends cleanly once we close its stdin
      assertThat(peer.stop()).as("nio peer exit code; %s", peer.stderrTail()).isZero();
    }
  }

  @ParameterizedTest(name = "matrix-nio {0}")
  @ValueSource(strings = {"0.25.2", "0.26.0"})
  void aMessageWhoseKeyComesLateArrivesUndecryptableAndAgainDecrypted(String nioVersion)
      throws Exception {
    // Given our user and the nio peer in an encrypted room
    User ourUser = TestHomeserver.register("java");
    User nioUser = TestHomeserver.register("nio");
    try (NioPeer peer = NioPeer.start(nioVersion, nioUser, temp, PEER_TIMEOUT_S);
        HeadlessClient client = TestClients.open(temp.resolve("java"))) {
      peer.awaitReady(nioVersion);
      client.login(ourUser.userId(), ourUser.password());
      Inbox inbox = new Inbox();
      client.addListener(inbox);
      client.startSync();
      String roomId = client.createEncryptedRoom(nioUser.userId()).join();
      assertThat(peer.await("JOINED ")).isEqualTo("JOINED " + roomId);

      // When nio sends a message whose room key it keeps to itself
      String content = json("{'body':'Befund folgt','msgtype':'m.text'}");
      String eventId = peer.command("SENDLATEKEY " + roomId + " " + content);

      // Then it arrives as undecryptable, with its sender and room
      UndecryptableEvent undecryptable = inbox.await(UndecryptableEvent.class, eventId);
      assertThat(undecryptable.sender()).isEqualTo(nioUser.userId());
      assertThat(undecryptable.roomId()).isEqualTo(roomId);

      // And once nio shares the key, the same event arrives again, decrypted
      peer.send("SHAREKEY " + roomId);
      assertThat(peer.await("SHARED ")).isEqualTo("SHARED " + roomId);
      MessageEvent decrypted = fromNio(inbox, eventId, MessageKind.TEXT, nioUser);
      assertThat(decrypted.body()).isEqualTo("Befund folgt");

      assertThat(peer.stop()).as("nio peer exit code; %s", peer.stderrTail()).isZero();
    }
  }

  /** The content nio printed for one of our events, after checking how it arrived. */
  private static String nioSaw(NioPeer peer, String roomId, String eventId, boolean encrypted)
      throws InterruptedException {
    PeerEvent event = peer.awaitEvent(roomId, eventId);
    assertThat(event.encrypted()).as("nio saw %s encrypted", event.json()).isEqualTo(encrypted);
    return event.json();
  }

  private static String nioSends(NioPeer peer, String roomId, String eventType, String content)
      throws IOException, InterruptedException {
    return peer.command("SEND " + roomId + " " + eventType + " " + content);
  }

  /** A message of nio's as we received it, after checking what and how it arrived. */
  private static MessageEvent fromNio(Inbox inbox, String eventId, MessageKind kind, User nio)
      throws InterruptedException {
    MessageEvent message = inbox.await(MessageEvent.class, eventId);
    assertThat(message.kind()).isEqualTo(kind);
    assertThat(message.encrypted()).isTrue();
    assertThat(message.sender()).isEqualTo(nio.userId());
    return message;
  }

  /**
   * A string member as the peer prints it: JSON without spaces and with sorted keys, which is what
   * makes substring checks enough here (no JSON library is on the test classpath).
   */
  private static String field(String name, String value) {
    return json("'" + name + "':'" + value + "'");
  }

  /** JSON written with single quotes, for legibility; none of the values here has one. */
  private static String json(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }

  private static Path randomFile(Path path, int size) throws IOException {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return Files.write(path, bytes);
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  /**
   * Every event our client delivers, kept until the test asks for it: unlike {@link
   * Recorder#await}, awaiting one event here drops none of the others, since they need not arrive
   * in the order they were sent.
   */
  private static final class Inbox implements ClientListener {
    private final BlockingQueue<ClientEvent> arrived = new LinkedBlockingQueue<>();
    private final List<ClientEvent> passedOver = new ArrayList<>();

    @Override
    public void onEvent(ClientEvent event) {
      arrived.add(event);
    }

    <T extends RoomEvent> T await(Class<T> type, String eventId) throws InterruptedException {
      Predicate<ClientEvent> wanted =
          event -> type.isInstance(event) && type.cast(event).eventId().equals(eventId);
      for (Iterator<ClientEvent> kept = passedOver.iterator(); kept.hasNext(); ) {
        ClientEvent event = kept.next();
        if (wanted.test(event)) {
          kept.remove();
          return type.cast(event);
        }
      }
      long deadline = System.nanoTime() + TestClients.WAIT.toNanos();
      while (System.nanoTime() < deadline) {
        ClientEvent event = arrived.poll(200, TimeUnit.MILLISECONDS);
        if (wanted.test(event)) {
          return type.cast(event);
        }
        if (event != null) {
          passedOver.add(event);
        }
      }
      // Event records leave content out of toString(), so listing them shows no message text.
      return fail(
          "no %s %s arrived within %s; there came: %s",
          type.getSimpleName(), eventId, TestClients.WAIT, passedOver);
    }
  }

  /** An EVENT line of the peer: how an event of ours arrived and its content as nio read it. */
  private record PeerEvent(String eventId, boolean encrypted, String json) {
    /** Parses {@code EVENT <room_id> <event_id> <encrypted> <JSON object>}. */
    static PeerEvent parse(String line) {
      String[] fields = line.split(" ", 5);
      return new PeerEvent(fields[2], Boolean.parseBoolean(fields[3]), fields[4]);
    }
  }

  /**
   * The nio peer process, its stdout lines queued by a reader thread, its stdin taking commands.
   */
  private static final class NioPeer implements AutoCloseable {
    private static final String END_OF_OUTPUT = "\0end of output";

    private final Process process;
    private final Path stderr;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    // Lines an await read but did not want, for later awaits: the peer prints an event whose
    // room key came late after the events sent behind it.
    private final List<String> passedOver = new ArrayList<>();

    private NioPeer(Process process, Path stderr) {
      this.process = process;
      this.stderr = stderr;
      this.stdin =
          new BufferedWriter(
              new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
      Thread reader = new Thread(this::readLines, "nio-peer-stdout");
      reader.setDaemon(true);
      reader.start();
    }

    static NioPeer start(String nioVersion, User user, Path temp, int timeoutSeconds)
        throws IOException {
      Path stderr = temp.resolve("nio-peer.stderr");
      Process process =
          new ProcessBuilder(
                  python(nioVersion),
                  peerScript().toString(),
                  "--homeserver",
                  TestHomeserver.url(),
                  "--user",
                  user.userId(),
                  "--password",
                  new String(user.password()),
                  "--store",
                  temp.resolve("nio-store").toString(),
                  "--timeout",
                  String.valueOf(timeoutSeconds))
              .redirectError(stderr.toFile())
              .start();
      return new NioPeer(process, stderr);
    }

    /** The first line starting with {@code prefix}; fails on ERROR, exit or after the wait. */
    String await(String prefix) throws InterruptedException {
      return await(line -> line.startsWith(prefix), "'" + prefix + "'");
    }

    /**
     * The first line {@code wanted} accepts, among the lines earlier awaits passed over too; fails
     * on ERROR, exit or after the wait.
     */
    String await(Predicate<String> wanted, String what) throws InterruptedException {
      for (Iterator<String> kept = passedOver.iterator(); kept.hasNext(); ) {
        String line = kept.next();
        if (wanted.test(line)) {
          kept.remove();
          return line;
        }
      }
      long deadline = System.nanoTime() + TestClients.WAIT.toNanos();
      while (System.nanoTime() < deadline) {
        String line = lines.poll(200, TimeUnit.MILLISECONDS);
        if (line == null) {
          continue;
        }
        if (line.startsWith("ERROR ") || line.equals(END_OF_OUTPUT)) {
          return fail("nio peer ended while awaiting %s: %s; %s", what, line, stderrTail());
        }
        if (wanted.test(line)) {
          return line;
        }
        passedOver.add(line);
      }
      return fail("nio peer printed no %s within %s; %s", what, TestClients.WAIT, stderrTail());
    }

    /**
     * Waits for the peer's login; fails unless it is the nio release asked for, with its crypto.
     */
    void awaitReady(String nioVersion) throws InterruptedException {
      String[] ready = await("READY ").split(" ");
      assertThat(ready).hasSize(4);
      assertThat(ready[2]).isEqualTo(nioVersion);
      assertThat(ready[3]).isEqualTo(nioVersion.equals("0.25.2") ? "olm" : "vodozemac");
    }

    /** The EVENT line of one event. */
    PeerEvent awaitEvent(String roomId, String eventId) throws InterruptedException {
      String prefix = "EVENT " + roomId + " " + eventId + " ";
      return PeerEvent.parse(await(prefix));
    }

    /** The first EVENT line in the room that {@code wanted} accepts. */
    PeerEvent awaitEvent(String roomId, Predicate<PeerEvent> wanted, String what)
        throws InterruptedException {
      String prefix = "EVENT " + roomId + " ";
      return PeerEvent.parse(
          await(line -> line.startsWith(prefix) && wanted.test(PeerEvent.parse(line)), what));
    }

    /** Writes one command line to the peer's stdin. */
    void send(String commandLine) throws IOException {
      if (commandLine.contains("\n") || commandLine.contains("\r")) {
        throw new IllegalArgumentException("a command is one line");
      }
      stdin.write(commandLine);
      stdin.write('\n');
      stdin.flush();
    }

    /**
     * Sends a command and returns the ID of the event it sent. The peer carries out commands one
     * after another and answers each with one SENT line, so the next SENT is this command's.
     */
    String command(String commandLine) throws IOException, InterruptedException {
      send(commandLine);
      return await("SENT ").substring("SENT ".length());
    }

    /** Closes stdin, which asks the peer to end, and returns its exit code. */
    int stop() throws IOException, InterruptedException {
      stdin.close();
      if (!process.waitFor(TestClients.WAIT.toSeconds(), TimeUnit.SECONDS)) {
        return fail("nio peer did not end within %s of closing its stdin", TestClients.WAIT);
      }
      return process.exitValue();
    }

    String stderrTail() {
      try {
        List<String> all = Files.readAllLines(stderr, StandardCharsets.UTF_8);
        return "its stderr ends with: "
            + String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
      } catch (IOException e) {
        return "its stderr could not be read";
      }
    }

    @Override
    public void close() {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }

    private void readLines() {
      try (BufferedReader reader =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          lines.add(line);
        }
      } catch (IOException e) {
        // The stream closes when the process is destroyed; awaiting lines then fails on time.
      } finally {
        lines.add(END_OF_OUTPUT);
      }
    }

    private static String python(String nioVersion) {
      List<String> settings = PYTHON_SETTINGS.get(nioVersion);
      String python =
          Optional.ofNullable(System.getProperty(settings.get(0)))
              .filter(value -> !value.isBlank())
              .orElse(System.getenv(settings.get(1)));
      if (python == null || python.isBlank()) {
        throw new IllegalStateException(
            "set -D"
                + settings.get(0)
                + " or "
                + settings.get(1)
                + " to the python of `synapse_harness.py ensure-nio-venv --version "
                + nioVersion
                + "`; `./run test` does");
      }
      return python;
    }

    /** The peer script, found from the module's directory (Surefire's working directory). */
    private static Path peerScript() {
      for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
        Path script = dir.resolve("tests/interop/nio_peer.py");
        if (Files.isRegularFile(script)) {
          return script;
        }
      }
      throw new UncheckedIOException(
          new IOException("tests/interop/nio_peer.py not found above the working directory"));
    }
  }
}
