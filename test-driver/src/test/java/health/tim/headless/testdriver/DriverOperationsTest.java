package health.tim.headless.testdriver;

import static health.tim.headless.testdriver.InterfaceSchema.assertValid;
import static org.assertj.core.api.Assertions.assertThat;

import health.tim.headless.testdriver.DriverUnderTest.Answer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * Every implemented operation over HTTPS with a client certificate, against the test homeserver;
 * each answer is checked against the interface's schema for that operation and status. Device 0 and
 * 1 talk to each other, device 2 is for the authorization lists; the clean-up runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DriverOperationsTest {
  private static DriverUnderTest driver;

  @BeforeAll
  static void start() {
    driver = DriverUnderTest.get();
  }

  @Test
  @Order(1)
  void describesItselfAndItsDevices() {
    Answer info = driver.get("/");
    assertThat(info.status()).isEqualTo(200);
    assertValid("GET", "/", 200, info.body());
    assertThat(info.json().at("/testDriverVersion").asString()).isEqualTo("2.3.0");

    Answer devices = driver.get("/devices");
    assertThat(devices.status()).isEqualTo(200);
    assertValid("GET", "/devices", 200, devices.body());
    assertThat(devices.json().at("/devices")).hasSize(DriverUnderTest.DEVICES);
  }

  @Test
  @Order(2)
  void claimsLogsInReadsTheAccountAndLogsOut() {
    Answer unclaimed = driver.get("/devices/2/account");
    assertThat(unclaimed.status()).isEqualTo(403);
    assertValid("GET", "/devices/{deviceId}/account", 403, unclaimed.body());

    Answer claim = driver.post("/devices/2/claim", Map.of("claimerName", "tests", "claimFor", 120));
    assertThat(claim.status()).isEqualTo(200);
    assertValid("POST", "/devices/{deviceId}/claim", 200, claim.body());
    assertThat(claim.json().at("/deviceStatus").asString()).isEqualTo("claimed");
    assertThat(claim.json().at("/claimerCn").asString()).isEqualTo("Test Suite");

    TestHomeserver.User user = driver.users.get(2);
    Answer login =
        driver.post(
            "/devices/2/login",
            Map.of(
                "authStage", "basicAuth", "username", user.userId(), "password", user.password()));
    assertThat(login.status()).as(login.body()).isEqualTo(200);
    assertValid("POST", "/devices/{deviceId}/login", 200, login.body());
    assertThat(login.json().at("/mxid").asString()).isEqualTo(user.userId());

    Answer account = driver.get("/devices/2/account");
    assertThat(account.status()).isEqualTo(200);
    assertValid("GET", "/devices/{deviceId}/account", 200, account.body());

    Answer logout = driver.post("/devices/2/logout", null);
    assertThat(logout.status()).isEqualTo(200);
    Answer afterLogout = driver.get("/devices/2/account");
    assertThat(afterLogout.status()).isEqualTo(401);
    assertValid("GET", "/devices/{deviceId}/account", 401, afterLogout.body());

    Answer unclaim = driver.post("/devices/2/unclaim", null);
    assertThat(unclaim.status()).isEqualTo(200);
    assertValid("POST", "/devices/{deviceId}/unclaim", 200, unclaim.body());
    assertThat(unclaim.json().at("/deviceStatus").asString()).isEqualTo("free");
  }

  @Test
  @Order(3)
  void runsAConversationBetweenTwoDevices() {
    driver.claimAndLogin(0);
    driver.claimAndLogin(1);
    String bob = driver.users.get(1).userId();

    Answer created =
        driver.post(
            "/devices/0/rooms",
            Map.of(
                "name",
                "Fall 4711",
                "theme",
                "Befund",
                "invitedMembers",
                List.of(Map.of("mxid", bob))));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertValid("POST", "/devices/{deviceId}/rooms", 201, created.body());
    String roomId = created.json().at("/roomId").asString();
    String room = "/devices/0/rooms/" + roomId;

    Answer settings = driver.get(room);
    assertThat(settings.status()).isEqualTo(200);
    assertValid("GET", "/devices/{deviceId}/rooms/{roomId}", 200, settings.body());
    assertThat(settings.json().at("/isEncrypted").asBoolean()).isTrue();

    JsonNode renamed = settings.json().deepCopy();
    ((tools.jackson.databind.node.ObjectNode) renamed).put("name", "Fall 4712");
    Answer updated = driver.put(room, renamed.toString());
    assertThat(updated.status()).as(updated.body()).isEqualTo(200);
    assertValid("PUT", "/devices/{deviceId}/rooms/{roomId}", 200, updated.body());
    assertThat(updated.json().at("/name").asString()).isEqualTo("Fall 4712");

    Answer states = driver.get(room + "/state");
    assertThat(states.status()).isEqualTo(200);
    assertValid("GET", "/devices/{deviceId}/rooms/{roomId}/state", 200, states.body());
    assertThat(states.body()).contains("m.room.encryption");

    Answer bobsRooms = eventually("/devices/1/rooms", rooms -> rooms.body().contains(roomId));
    assertValid("GET", "/devices/{deviceId}/rooms", 200, bobsRooms.body());
    Answer joined = driver.post("/devices/1/rooms/" + roomId + "/join", null);
    assertThat(joined.status()).as(joined.body()).isEqualTo(200);
    assertValid("POST", "/devices/{deviceId}/rooms/{roomId}/join", 200, joined.body());

    Answer sent =
        driver.post(room + "/messages", Map.of("msgtype", "m.text", "body", "Befund liegt vor"));
    assertThat(sent.status()).as(sent.body()).isEqualTo(200);
    assertValid("POST", "/devices/{deviceId}/rooms/{roomId}/messages", 200, sent.body());
    String messageId = sent.json().at("/messageId").asString();

    Answer bobsMessages =
        eventually(
            "/devices/1/rooms/" + roomId + "/messages",
            messages -> messages.body().contains("Befund liegt vor"));
    assertValid("GET", "/devices/{deviceId}/rooms/{roomId}/messages", 200, bobsMessages.body());

    Answer one = driver.get(room + "/messages/" + messageId);
    assertThat(one.status()).isEqualTo(200);
    assertValid("GET", "/devices/{deviceId}/rooms/{roomId}/messages/{messageId}", 200, one.body());

    Answer edited =
        driver.put(
            room + "/messages/" + messageId, Map.of("msgtype", "m.text", "body", "korrigiert"));
    assertThat(edited.status()).as(edited.body()).isEqualTo(200);
    assertValid(
        "PUT", "/devices/{deviceId}/rooms/{roomId}/messages/{messageId}", 200, edited.body());

    Answer replaced = driver.delete(room + "/messages/" + messageId + "/replace");
    assertThat(replaced.status()).as(replaced.body()).isEqualTo(204);

    Answer second =
        driver.post(room + "/messages", Map.of("msgtype", "m.notice", "body", "zweite"));
    Answer redacted =
        driver.delete(room + "/messages/" + second.json().at("/messageId").asString());
    assertThat(redacted.status()).as(redacted.body()).isEqualTo(204);

    Answer left = driver.post("/devices/1/rooms/" + roomId + "/leave", null);
    assertThat(left.status()).as(left.body()).isEqualTo(200);
    assertValid("POST", "/devices/{deviceId}/rooms/{roomId}/leave", 200, left.body());
    Answer forgotten = driver.delete("/devices/1/rooms/" + roomId);
    assertThat(forgotten.status()).as(forgotten.body()).isEqualTo(204);
  }

  @Test
  @Order(4)
  void sendsADirectMessageAndFindsUsers() {
    driver.claimAndLogin(0);
    driver.claimAndLogin(1);
    String bob = driver.users.get(1).userId();

    Answer direct =
        driver.post(
            "/devices/0/sendMessage",
            Map.of("toAccount", bob, "msgtype", "m.text", "body", "direkt"));
    assertThat(direct.status()).as(direct.body()).isEqualTo(200);
    assertValid("POST", "/devices/{deviceId}/sendMessage", 200, direct.body());
    assertThat(direct.json().at("/author").asString()).isEqualTo(driver.users.get(0).userId());

    Answer search =
        driver.get(
            "/devices/0/homeserver/search?mxId=" + bob.replace("@", "%40").replace(":", "%3A"));
    assertThat(search.status()).as(search.body()).isEqualTo(200);
    assertValid("GET", "/devices/{deviceId}/homeserver/search", 200, search.body());
  }

  @Test
  @Order(5)
  void answersTheHomeserversRefusalWithItsStatus() {
    driver.claimAndLogin(0);
    driver.claimAndLogin(1);
    Answer created = driver.post("/devices/0/rooms", Map.of("name", "nur Alice"));
    String roomId = created.json().at("/roomId").asString();

    // Synapse refuses to let an uninvited user into a private room (403 M_FORBIDDEN).
    Answer join = driver.post("/devices/1/rooms/" + roomId + "/join", null);
    assertThat(join.status()).as(join.body()).isEqualTo(403);
    assertValid("POST", "/devices/{deviceId}/rooms/{roomId}/join", 403, join.body());

    // A room the device's client has never seen is the client's own refusal: 404.
    Answer invite =
        driver.post(
            "/devices/1/rooms/" + roomId + "/invite",
            List.of(Map.of("mxid", driver.users.get(2).userId())));
    assertThat(invite.status()).as(invite.body()).isEqualTo(404);
    assertValid("POST", "/devices/{deviceId}/rooms/{roomId}/invite", 404, invite.body());
  }

  @Test
  @Order(6)
  void keepsAllowedAndBlockedUsersInTheirModes() {
    driver.claimAndLogin(2);
    String path = "/devices/2/";
    Answer mode = driver.get(path + "authorizationMode");
    assertThat(mode.status()).isEqualTo(200);
    assertValid("GET", "/devices/{deviceId}/authorizationMode", 200, mode.body());

    Map<String, Object> bob =
        Map.of(
            "mxids",
            List.of(Map.of("mxid", driver.users.get(1).userId())),
            "serverNames",
            List.of(),
            "groupNames",
            List.of());
    Answer blocked = driver.post(path + "blockedUsers", bob);
    assertThat(blocked.status()).as(blocked.body()).isEqualTo(200);
    assertValid("POST", "/devices/{deviceId}/blockedUsers", 200, blocked.body());
    Answer blockedList = driver.get(path + "blockedUsers");
    assertValid("GET", "/devices/{deviceId}/blockedUsers", 200, blockedList.body());
    assertThat(blockedList.body()).contains(driver.users.get(1).userId());
    Answer allowedInAllowAll = driver.get(path + "allowedUsers");
    assertThat(allowedInAllowAll.status()).isEqualTo(403);
    assertValid("GET", "/devices/{deviceId}/allowedUsers", 403, allowedInAllowAll.body());

    Answer switched = driver.post(path + "authorizationMode", "\"BlockAll\"");
    assertThat(switched.status()).as(switched.body()).isEqualTo(200);
    assertValid("POST", "/devices/{deviceId}/authorizationMode", 200, switched.body());
    Answer allowed = driver.post(path + "allowedUsers", bob);
    assertThat(allowed.status()).as(allowed.body()).isEqualTo(200);
    assertValid("POST", "/devices/{deviceId}/allowedUsers", 200, allowed.body());
    Answer removed = driver.send("DELETE", path + "allowedUsers", bob);
    assertThat(removed.status()).as(removed.body()).isEqualTo(204);
    Answer allowedList = driver.get(path + "allowedUsers");
    assertValid("GET", "/devices/{deviceId}/allowedUsers", 200, allowedList.body());
    assertThat(allowedList.json().at("/mxids")).isEmpty();
  }

  @Test
  @Order(7)
  void answersOperationsWithoutACounterpartWith501() {
    driver.claimAndLogin(2);
    Answer export = driver.get("/devices/2/account/key");
    assertThat(export.status()).isEqualTo(501);
    assertValid("GET", "/devices/{deviceId}/account/key", 501, export.body());
    Answer fhir = driver.post("/devices/2/fhir/fhirAuthenticate", null);
    assertThat(fhir.status()).isEqualTo(501);
    assertValid("POST", "/devices/{deviceId}/fhir/fhirAuthenticate", 501, fhir.body());
    Answer contacts = driver.get("/devices/2/contacts");
    assertThat(contacts.status()).isEqualTo(501);
    assertValid("GET", "/devices/{deviceId}/contacts", 501, contacts.body());
  }

  @Test
  @Order(100)
  void cleanUpResetsEveryDevice() {
    driver.claimAndLogin(0);
    Answer cleaned = driver.post("/", null);
    assertThat(cleaned.status()).as(cleaned.body()).isEqualTo(200);

    Answer devices = driver.get("/devices");
    assertThat(devices.json().at("/devices").valueStream())
        .allSatisfy(device -> assertThat(device.at("/deviceStatus").asString()).isEqualTo("free"));
    driver.post("/devices/0/claim", Map.of("claimerName", "tests", "claimFor", 60));
    Answer account = driver.get("/devices/0/account");
    assertThat(account.status()).isEqualTo(401);
    Answer loginAgain = driver.post("/devices/0/login", Map.of());
    assertThat(loginAgain.status()).as(loginAgain.body()).isEqualTo(200);
    Answer rooms = driver.get("/devices/0/rooms");
    assertValid("GET", "/devices/{deviceId}/rooms", 200, rooms.body());
    assertThat(rooms.json()).isEmpty();
  }

  private static Answer eventually(String path, Predicate<Answer> condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      Answer answer = driver.get(path);
      if (answer.status() == 200 && condition.test(answer)) {
        return answer;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 30 s: " + path + " answered " + answer.status());
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
