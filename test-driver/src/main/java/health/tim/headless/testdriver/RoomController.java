package health.tim.headless.testdriver;

import health.tim.headless.CreateRoomOptions;
import health.tim.headless.HeadlessClient;
import health.tim.headless.Membership;
import health.tim.headless.NotFoundException;
import health.tim.headless.RoomMember;
import health.tim.headless.RoomSettings;
import health.tim.headless.RoomSummary;
import health.tim.headless.Session;
import health.tim.headless.StateEvent;
import health.tim.headless.testdriver.api.RoomApi;
import health.tim.headless.testdriver.model.CreateRoomRequest;
import health.tim.headless.testdriver.model.MxId;
import health.tim.headless.testdriver.model.Room;
import health.tim.headless.testdriver.model.RoomState;
import java.util.List;
import java.util.Objects;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

/** The room operations, each onto the matching call of {@link HeadlessClient}. */
@RestController
class RoomController implements RoomApi {
  private final DeviceRegistry devices;

  RoomController(DeviceRegistry devices) {
    this.devices = devices;
  }

  @Override
  public ResponseEntity<List<Room>> getRooms(Long deviceId, String transactionId) {
    HeadlessClient client = devices.use(deviceId);
    String userId = ownUserId(client);
    List<Room> rooms =
        Calls.await(client.rooms()).stream()
            .map(summary -> Translations.room(client, summary, userId))
            .toList();
    return ResponseEntity.ok(rooms);
  }

  @Override
  public ResponseEntity<Room> createRoom(
      Long deviceId, String transactionId, CreateRoomRequest request) {
    HeadlessClient client = devices.use(deviceId);
    CreateRoomRequest wanted = request == null ? new CreateRoomRequest() : request;
    boolean isPublic = wanted.getRoomAccess() == CreateRoomRequest.RoomAccessEnum.PUBLIC;
    CreateRoomOptions options =
        isPublic ? CreateRoomOptions.publicRoom() : CreateRoomOptions.privateRoom();
    if (wanted.getIsEncrypted() != null) {
      // The client API refuses what TI-M forbids (an unencrypted private room): 400.
      options = options.withEncrypted(wanted.getIsEncrypted());
    }
    if (wanted.getName() != null) {
      options = options.withName(wanted.getName());
    }
    if (wanted.getTheme() != null) {
      options = options.withTopic(wanted.getTheme());
    }
    if (wanted.getRoomVersion() != null) {
      options = options.withRoomVersion(wanted.getRoomVersion());
    }
    List<String> invitees =
        wanted.getInvitedMembers() == null
            ? List.of()
            : wanted.getInvitedMembers().stream().map(MxId::getMxid).toList();
    // The client invites at most one user at creation, as TI-M asks; the others follow.
    if (!invitees.isEmpty()) {
      options = options.withInvitee(invitees.get(0));
    }
    String roomId = Calls.await(client.createRoom(options));
    for (String invitee : invitees.subList(Math.min(1, invitees.size()), invitees.size())) {
      Calls.await(client.inviteUser(roomId, invitee));
    }
    return ResponseEntity.status(HttpStatus.CREATED).body(Translations.joinedRoom(client, roomId));
  }

  @Override
  public ResponseEntity<Room> getRoomSettings(Long deviceId, String roomId, String transactionId) {
    HeadlessClient client = devices.use(deviceId);
    return ResponseEntity.ok(Translations.joinedRoom(client, roomId));
  }

  @Override
  public ResponseEntity<Room> updateRoom(
      Long deviceId, String roomId, String transactionId, Room room) {
    HeadlessClient client = devices.use(deviceId);
    if (room == null) {
      throw new DriverException(HttpStatus.BAD_REQUEST, "NO_BODY", "the room is missing");
    }
    RoomSettings current = Calls.await(client.roomSettings(roomId));
    refuseUnsupportedChanges(current, room);
    if (room.getName() != null && !room.getName().equals(current.name())) {
      Calls.await(client.setRoomName(roomId, room.getName()));
    }
    if (room.getTheme() != null && !room.getTheme().equals(current.topic())) {
      Calls.await(client.setRoomTopic(roomId, room.getTheme()));
    }
    return ResponseEntity.ok(Translations.joinedRoom(client, roomId));
  }

  @Override
  public ResponseEntity<Void> forgetRoom(Long deviceId, String roomId, String transactionId) {
    HeadlessClient client = devices.use(deviceId);
    Calls.await(client.forgetRoom(roomId));
    return ResponseEntity.noContent().build();
  }

  @Override
  public ResponseEntity<Room> inviteIntoRoom(
      Long deviceId, String roomId, String transactionId, List<MxId> invitees) {
    HeadlessClient client = devices.use(deviceId);
    if (invitees == null || invitees.isEmpty()) {
      throw new DriverException(HttpStatus.BAD_REQUEST, "NO_INVITEE", "nobody to invite");
    }
    for (MxId invitee : invitees) {
      Calls.await(client.inviteUser(roomId, invitee.getMxid()));
    }
    return ResponseEntity.ok(Translations.joinedRoom(client, roomId));
  }

  @Override
  public ResponseEntity<Room> joinRoom(Long deviceId, String roomId, String transactionId) {
    HeadlessClient client = devices.use(deviceId);
    Calls.await(client.joinRoom(roomId));
    return ResponseEntity.ok(Translations.joinedRoom(client, roomId));
  }

  @Override
  public ResponseEntity<Room> leaveRoom(Long deviceId, String roomId, String transactionId) {
    HeadlessClient client = devices.use(deviceId);
    Calls.await(client.leaveRoom(roomId));
    String userId = ownUserId(client);
    try {
      RoomSummary summary = Calls.await(client.roomSummary(roomId));
      return ResponseEntity.ok(Translations.room(client, summary, userId));
    } catch (NotFoundException e) {
      // The client may drop a left room at once; the answer is then the membership alone.
      RoomMember left = new RoomMember(userId, null, Membership.LEAVE);
      return ResponseEntity.ok(
          new Room().name("").roomId(roomId).members(List.of(Translations.member(left))));
    }
  }

  @Override
  public ResponseEntity<List<RoomState>> getStateEvents(
      Long deviceId, String roomId, String transactionId) {
    HeadlessClient client = devices.use(deviceId);
    List<RoomState> states =
        Calls.await(client.roomState(roomId)).stream().map(RoomController::state).toList();
    return ResponseEntity.ok(states);
  }

  private static RoomState state(StateEvent event) {
    return new RoomState(event.eventId(), event.roomId(), event.eventType())
        .content(event.contentJson())
        .sender(event.sender())
        .stateKey(event.stateKey());
  }

  /**
   * The client API changes a room's name and topic only; any other setting that differs from the
   * room's is refused before anything changes.
   */
  private static void refuseUnsupportedChanges(RoomSettings current, Room wanted) {
    boolean otherChange =
        differs(wanted.getRoomAccess(), current.access())
            || differs(wanted.getJoinRule(), current.joinRule())
            || differs(wanted.getHistoryVisibility(), current.historyVisibility())
            || (wanted.getIsFederated() != null && wanted.getIsFederated() != current.federated())
            || (wanted.getIsEncrypted() != null && wanted.getIsEncrypted() != current.encrypted())
            || (wanted.getRoomVersion() != null
                && !wanted.getRoomVersion().equals(current.roomVersion()));
    if (otherChange) {
      throw DriverException.notImplemented(
          "updateRoom", "the client API changes only the name and the theme (topic) of a room");
    }
  }

  private static boolean differs(Object wanted, String current) {
    return wanted != null && !Objects.equals(wanted.toString(), current);
  }

  private static String ownUserId(HeadlessClient client) {
    return client.session().map(Session::userId).orElse("");
  }
}
