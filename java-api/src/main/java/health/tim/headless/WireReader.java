package health.tim.headless;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Decodes the records native code returns as bytes. The layout is the native bridge's {@code wire}
 * module: big-endian integers, strings as a {@code u32} length and UTF-8 bytes, optional values
 * behind a {@code 0}/{@code 1} byte, lists behind a {@code u32} count, and a one-byte tag before
 * each event. Library and jar always have the same version (the loader checks), so a malformed
 * buffer is an internal error, never input to recover from.
 */
final class WireReader {
  private static final byte MESSAGE = 1;
  private static final byte EDIT = 2;
  private static final byte REDACTION = 3;
  private static final byte REACTION = 4;
  private static final byte CUSTOM = 5;
  private static final byte STATE = 6;
  private static final byte UNDECRYPTABLE = 7;
  private static final byte RECEIPT = 8;
  private static final byte INVITE = 9;
  private static final byte QUEUE_UPDATE = 10;
  private static final byte AUDIT = 11;
  private static final QueuedMessage.State[] QUEUE_STATES = {
    QueuedMessage.State.WAITING,
    QueuedMessage.State.SENDING,
    QueuedMessage.State.SENT,
    QueuedMessage.State.FAILED
  };

  private final ByteBuffer buffer;

  private WireReader(byte[] bytes) {
    this.buffer = ByteBuffer.wrap(bytes);
  }

  /** An event and the sequence number with which its delivery is acknowledged. */
  record Numbered(long sequence, ClientEvent event) {}

  static List<Numbered> events(byte[] bytes) {
    return decode(bytes, reader -> reader.list(r -> new Numbered(r.buffer.getLong(), r.event())));
  }

  static RoomEvent roomEvent(byte[] bytes) {
    return decode(bytes, reader -> asRoomEvent(reader.event()));
  }

  static HistoryPage historyPage(byte[] bytes) {
    return decode(
        bytes,
        reader -> {
          String nextToken = reader.optionalString();
          List<RoomEvent> events = reader.list(r -> asRoomEvent(r.event()));
          return new HistoryPage(events, nextToken);
        });
  }

  static List<RoomSummary> roomSummaries(byte[] bytes) {
    return decode(bytes, reader -> reader.list(WireReader::roomSummary));
  }

  static RoomSummary roomSummary(byte[] bytes) {
    return decode(bytes, WireReader::roomSummary);
  }

  static List<RoomMember> roomMembers(byte[] bytes) {
    return decode(
        bytes,
        reader ->
            reader.list(
                r ->
                    new RoomMember(
                        r.string(), r.optionalString(), Membership.fromMatrix(r.string()))));
  }

  static List<StateEvent> stateEvents(byte[] bytes) {
    return decode(bytes, reader -> reader.list(WireReader::stateEvent));
  }

  static RoomSettings roomSettings(byte[] bytes) {
    return decode(
        bytes,
        r ->
            new RoomSettings(
                r.string(),
                r.optionalString(),
                r.optionalString(),
                r.string(),
                r.string(),
                r.bool(),
                r.string(),
                r.bool(),
                r.string()));
  }

  static List<CaseReference> caseReferences(byte[] bytes) {
    return decode(bytes, reader -> reader.list(WireReader::caseReference));
  }

  static List<String> strings(byte[] bytes) {
    return decode(bytes, reader -> reader.list(WireReader::string));
  }

  static ClientReport clientReport(byte[] bytes) {
    Function<WireReader, ClientReport.Count> count =
        r -> new ClientReport.Count(r.string(), r.string(), r.buffer.getLong());
    return decode(
        bytes,
        r ->
            new ClientReport(
                Instant.ofEpochMilli(r.buffer.getLong()), r.list(count), r.list(count)));
  }

  static List<DirectoryEntry> directoryEntries(byte[] bytes) {
    return decode(
        bytes,
        reader ->
            reader.list(
                r ->
                    new DirectoryEntry(
                        switch (r.buffer.get()) {
                          case 1 -> DirectoryEntry.Kind.PRACTITIONER;
                          case 2 -> DirectoryEntry.Kind.HEALTHCARE_SERVICE;
                          default -> throw malformed();
                        },
                        r.string(),
                        r.string(),
                        r.optionalString(),
                        r.optionalString(),
                        r.bool()
                            ? new DirectoryEntry.Address(
                                r.list(WireReader::string), r.optionalString(), r.optionalString())
                            : null,
                        r.list(WireReader::string))));
  }

  static KeyBackupStatus keyBackupStatus(byte[] bytes) {
    return decode(
        bytes,
        r ->
            switch (r.buffer.get()) {
              case 1 -> new KeyBackupStatus(KeyBackupStatus.State.ENABLED, null);
              case 2 -> new KeyBackupStatus(KeyBackupStatus.State.DISABLED, null);
              case 3 ->
                  new KeyBackupStatus(KeyBackupStatus.State.FAILED, ErrorCode.valueOf(r.string()));
              default -> throw malformed();
            });
  }

  static SyncStatus syncStatus(byte[] bytes) {
    return decode(
        bytes,
        r -> {
          boolean running = r.bool();
          Long lastSuccess = r.optionalLong();
          int failures = r.buffer.getInt();
          String failure = r.optionalString();
          return new SyncStatus(
              running,
              lastSuccess == null ? null : Instant.ofEpochMilli(lastSuccess),
              failures,
              failure == null ? null : ErrorCode.fromName(failure));
        });
  }

  static SelfReport selfReport(byte[] bytes) {
    return decode(
        bytes,
        r ->
            new SelfReport(
                r.string(),
                r.string(),
                r.string(),
                r.string(),
                r.string(),
                r.string(),
                r.string(),
                r.string(),
                r.string(),
                r.optionalString(),
                Instant.ofEpochMilli(r.buffer.getLong())));
  }

  static QueuedMessage queuedMessage(byte[] bytes) {
    return decode(bytes, WireReader::queuedMessage);
  }

  static List<QueuedMessage> queuedMessages(byte[] bytes) {
    return decode(bytes, reader -> reader.list(WireReader::queuedMessage));
  }

  static List<UserProfile> userProfiles(byte[] bytes) {
    return decode(bytes, reader -> reader.list(WireReader::userProfile));
  }

  static UserProfile userProfile(byte[] bytes) {
    return decode(bytes, WireReader::userProfile);
  }

  /** A download in progress: its native ID and what the message says about the file. */
  record Download(long id, AttachmentInfo info) {}

  static Download download(byte[] bytes) {
    return decode(
        bytes,
        r -> {
          long id = r.buffer.getLong();
          String fileName = r.optionalString();
          String mimeType = r.optionalString();
          long size = r.buffer.getLong();
          return new Download(id, new AttachmentInfo(fileName, mimeType, size, true));
        });
  }

  static PermissionConfig permissionConfig(byte[] bytes) {
    return decode(
        bytes,
        r -> {
          PermissionConfig.Default defaultSetting =
              r.bool() ? PermissionConfig.Default.BLOCK_ALL : PermissionConfig.Default.ALLOW_ALL;
          List<String> users = r.list(reader -> reader.string());
          List<String> servers = r.list(reader -> reader.string());
          return new PermissionConfig(
              defaultSetting, java.util.Set.copyOf(users), java.util.Set.copyOf(servers), r.bool());
        });
  }

  private static <T> T decode(byte[] bytes, Function<WireReader, T> read) {
    WireReader reader = new WireReader(bytes);
    try {
      T value = read.apply(reader);
      if (reader.buffer.hasRemaining()) {
        throw malformed();
      }
      return value;
    } catch (BufferUnderflowException | IllegalArgumentException | ArithmeticException e) {
      throw malformed();
    }
  }

  private static InternalException malformed() {
    return new InternalException(ErrorCode.INTERNAL, "native code returned a malformed result");
  }

  private static RoomEvent asRoomEvent(ClientEvent event) {
    if (event instanceof RoomEvent roomEvent) {
      return roomEvent;
    }
    throw malformed();
  }

  private ClientEvent event() {
    byte tag = buffer.get();
    switch (tag) {
      case MESSAGE:
        {
          Meta meta = meta();
          return new MessageEvent(
              meta.roomId,
              meta.eventId,
              meta.sender,
              meta.timestamp,
              meta.encrypted,
              string(),
              string(),
              optionalString(),
              optionalString(),
              optionalString(),
              bool() ? attachmentInfo() : null,
              meta.cases);
        }
      case EDIT:
        {
          Meta meta = meta();
          return new EditEvent(
              meta.roomId,
              meta.eventId,
              meta.sender,
              meta.timestamp,
              meta.encrypted,
              string(),
              string(),
              optionalString(),
              meta.cases);
        }
      case REDACTION:
        {
          Meta meta = meta();
          return new RedactionEvent(
              meta.roomId,
              meta.eventId,
              meta.sender,
              meta.timestamp,
              meta.encrypted,
              string(),
              optionalString(),
              meta.cases);
        }
      case REACTION:
        {
          Meta meta = meta();
          return new ReactionEvent(
              meta.roomId,
              meta.eventId,
              meta.sender,
              meta.timestamp,
              meta.encrypted,
              string(),
              string(),
              meta.cases);
        }
      case CUSTOM:
        {
          Meta meta = meta();
          return new CustomEvent(
              meta.roomId,
              meta.eventId,
              meta.sender,
              meta.timestamp,
              meta.encrypted,
              string(),
              string(),
              meta.cases);
        }
      case STATE:
        return stateEvent(this);
      case UNDECRYPTABLE:
        {
          Meta meta = meta();
          return new UndecryptableEvent(
              meta.roomId, meta.eventId, meta.sender, meta.timestamp, meta.cases);
        }
      case RECEIPT:
        {
          String roomId = string();
          String eventId = string();
          String userId = string();
          String receiptType = string();
          Long millis = optionalLong();
          Instant timestamp = millis == null ? null : Instant.ofEpochMilli(millis);
          return new ReceiptEvent(roomId, eventId, userId, receiptType, timestamp);
        }
      case INVITE:
        return new InviteEvent(string(), string());
      case QUEUE_UPDATE:
        return queuedMessage(this);
      case AUDIT:
        return auditEntry(this);
      default:
        throw malformed();
    }
  }

  private static StateEvent stateEvent(WireReader r) {
    Meta meta = r.meta();
    return new StateEvent(
        meta.roomId,
        meta.eventId,
        meta.sender,
        meta.timestamp,
        meta.encrypted,
        r.string(),
        r.string(),
        r.string(),
        meta.cases);
  }

  private static RoomSummary roomSummary(WireReader r) {
    String roomId = r.string();
    String name = r.optionalString();
    String topic = r.optionalString();
    Membership membership = Membership.fromMatrix(r.string());
    boolean encrypted = r.bool();
    boolean direct = r.bool();
    long joinedMembers = r.buffer.getLong();
    long unreadCount = r.buffer.getLong();
    Long lastActivity = r.optionalLong();
    return new RoomSummary(
        roomId,
        name,
        topic,
        membership,
        encrypted,
        direct,
        joinedMembers,
        unreadCount,
        lastActivity == null ? null : Instant.ofEpochMilli(lastActivity));
  }

  static AuditVerification auditVerification(byte[] bytes) {
    return decode(
        bytes,
        r -> {
          long verified = r.buffer.getLong();
          Long firstBroken = r.optionalLong();
          String reason = r.optionalString();
          return new AuditVerification(verified, firstBroken == null ? 0 : firstBroken, reason);
        });
  }

  private static AuditEntry auditEntry(WireReader r) {
    long sequence = r.buffer.getLong();
    Instant time = Instant.ofEpochMilli(r.buffer.getLong());
    String event = r.string();
    java.util.Map<String, String> fields = new java.util.TreeMap<>();
    r.list(
        reader -> {
          fields.put(reader.string(), reader.string());
          return Boolean.TRUE;
        });
    return new AuditEntry(sequence, time, event, fields);
  }

  private static QueuedMessage queuedMessage(WireReader r) {
    String transactionId = r.string();
    String roomId = r.string();
    String eventType = r.string();
    Instant queuedAt = Instant.ofEpochMilli(r.buffer.getLong());
    long attempts = r.buffer.getLong();
    byte stateTag = r.buffer.get();
    if (stateTag < 0 || stateTag >= QUEUE_STATES.length || attempts > Integer.MAX_VALUE) {
      throw malformed();
    }
    QueuedMessage.State state = QUEUE_STATES[stateTag];
    String eventId = state == QueuedMessage.State.SENT ? r.string() : null;
    ErrorCode failure = null;
    Integer httpStatus = null;
    String matrixErrcode = null;
    if (state == QueuedMessage.State.FAILED) {
      failure = ErrorCode.fromName(r.string());
      Long status = r.optionalLong();
      httpStatus = status == null ? null : Math.toIntExact(status);
      matrixErrcode = r.optionalString();
    }
    return new QueuedMessage(
        transactionId,
        roomId,
        eventType,
        queuedAt,
        (int) attempts,
        state,
        eventId,
        failure,
        httpStatus,
        matrixErrcode);
  }

  private static UserProfile userProfile(WireReader r) {
    return new UserProfile(r.string(), r.optionalString(), r.optionalString());
  }

  private AttachmentInfo attachmentInfo() {
    String fileName = optionalString();
    String mimeType = optionalString();
    Long size = optionalLong();
    return new AttachmentInfo(fileName, mimeType, size == null ? -1 : size, bool());
  }

  private Meta meta() {
    return new Meta(
        string(),
        string(),
        string(),
        Instant.ofEpochMilli(buffer.getLong()),
        bool(),
        list(WireReader::caseReference));
  }

  private <T> List<T> list(Function<WireReader, T> element) {
    int count = buffer.getInt();
    if (count < 0 || count > buffer.remaining()) {
      throw malformed();
    }
    List<T> items = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      items.add(element.apply(this));
    }
    return List.copyOf(items);
  }

  private String string() {
    int length = buffer.getInt();
    if (length < 0 || length > buffer.remaining()) {
      throw malformed();
    }
    String value = new String(buffer.array(), buffer.position(), length, StandardCharsets.UTF_8);
    buffer.position(buffer.position() + length);
    return value;
  }

  private String optionalString() {
    return bool() ? string() : null;
  }

  private Long optionalLong() {
    return bool() ? buffer.getLong() : null;
  }

  private boolean bool() {
    byte value = buffer.get();
    if (value != 0 && value != 1) {
      throw malformed();
    }
    return value == 1;
  }

  /** The fields every timeline event starts with. */
  private record Meta(
      String roomId,
      String eventId,
      String sender,
      Instant timestamp,
      boolean encrypted,
      List<CaseReference> cases) {}

  private CaseReference caseReference() {
    return new CaseReference(string(), string(), optionalString());
  }
}
