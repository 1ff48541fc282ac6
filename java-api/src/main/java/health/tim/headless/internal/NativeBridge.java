package health.tim.headless.internal;

import health.tim.headless.Session;

/**
 * The native functions of the Rust bridge crate. Not part of the API: only {@code
 * health.tim.headless} calls these, after {@link NativeLoader#ensureLoaded()}.
 *
 * <p>Every function throws the typed exceptions of {@code health.tim.headless} on failure. The
 * blocking ones block the calling thread until the native operation completes.
 */
public final class NativeBridge {
  private NativeBridge() {}

  static native String nativeVersion();

  static native int nativeInit(int logLevel);

  static native NativeLogRecord[] nextLogRecords(int timeoutMillis, int max);

  static native long droppedLogRecords();

  /**
   * Opens a client on a store.
   *
   * @param homeserverUrl the homeserver's URL
   * @param storeDirectory the store directory
   * @param storePassphrase the store passphrase; the caller wipes it
   * @param recoveryPassphrase the recovery passphrase, or {@code null}; the caller wipes it
   * @param optionsJson the remaining settings as one JSON object (integrating system, rate limits,
   *     network), written by the builder
   * @return the client's handle
   */
  public static native long clientOpen(
      String homeserverUrl,
      String storeDirectory,
      char[] storePassphrase,
      char[] recoveryPassphrase,
      String optionsJson);

  /**
   * Logs in with a login token; blocking.
   *
   * @param handle the client's handle
   * @param loginToken the token; the caller wipes it
   * @param deviceDisplayName the new device's name, or {@code null}
   * @return the session
   */
  public static native Session clientLoginToken(
      long handle, char[] loginToken, String deviceDisplayName);

  /**
   * Signs the account's other devices out; blocking.
   *
   * @param handle the client's handle
   * @param password the account's password; the caller wipes it
   * @return how many devices were signed out
   */
  public static native int clientLogoutOtherDevices(long handle, char[] password);

  /**
   * The counts of the next client report.
   *
   * @param handle the client's handle
   * @return the report in the wire format
   */
  public static native byte[] clientReport(long handle);

  /**
   * Sends the client report; blocking.
   *
   * @param handle the client's handle
   * @return whether there was anything to send
   */
  public static native boolean clientSendReport(long handle);

  /** Directory kind: practitioners. */
  public static final int DIRECTORY_PRACTITIONER = 1;

  /** Directory kind: healthcare services. */
  public static final int DIRECTORY_HEALTHCARE_SERVICE = 2;

  /**
   * Searches the directory; blocking.
   *
   * @param handle the client's handle
   * @param kind a {@code DIRECTORY_} constant
   * @param name part of the name, or {@code null}
   * @param city the city, or {@code null}
   * @param postalCode the postal code, or {@code null}
   * @param matrixId a Matrix user ID, or {@code null}
   * @param limit the most results
   * @return the entries in the wire format
   */
  public static native byte[] clientSearchDirectory(
      long handle,
      int kind,
      String name,
      String city,
      String postalCode,
      String matrixId,
      int limit);

  /**
   * Sets up the key backup; blocking.
   *
   * @param handle the client's handle
   * @param recoveryPassphrase the recovery passphrase; the caller wipes it
   */
  public static native void clientEnableKeyBackup(long handle, char[] recoveryPassphrase);

  /**
   * The key backup's state.
   *
   * @param handle the client's handle
   * @return the state in the wire format
   */
  public static native byte[] clientKeyBackupState(long handle);

  /**
   * Links a room to a case reference.
   *
   * @param handle the client's handle
   * @param roomId the room ID
   * @param system the reference's system
   * @param value the reference's value
   * @param fhirReference the FHIR reference, or {@code null}
   */
  public static native void clientLinkCase(
      long handle, String roomId, String system, String value, String fhirReference);

  /**
   * Unlinks a room from a case reference.
   *
   * @param handle the client's handle
   * @param roomId the room ID
   * @param system the reference's system
   * @param value the reference's value
   * @return whether there was a link
   */
  public static native boolean clientUnlinkCase(
      long handle, String roomId, String system, String value);

  /**
   * A room's case references.
   *
   * @param handle the client's handle
   * @param roomId the room ID
   * @return the references in the wire format
   */
  public static native byte[] clientCaseReferences(long handle, String roomId);

  /**
   * The rooms linked to a case.
   *
   * @param handle the client's handle
   * @param system the reference's system
   * @param value the reference's value
   * @return the room IDs as a wire list of strings
   */
  public static native byte[] clientRoomsForCase(long handle, String system, String value);

  /**
   * The client's self-report.
   *
   * @param handle the client's handle
   * @return the report in the wire format
   */
  public static native byte[] clientSelfReport(long handle);

  /**
   * Closes and forgets a client; idempotent and blocking.
   *
   * @param handle the client's handle
   */
  public static native void clientClose(long handle);

  /**
   * The client's session.
   *
   * @param handle the client's handle
   * @return the session, or {@code null} when not logged in
   */
  public static native Session clientSession(long handle);

  /**
   * Logs in with a password; blocking.
   *
   * @param handle the client's handle
   * @param user a full user ID or a localpart
   * @param password the password; the caller wipes the array afterwards
   * @param deviceDisplayName the new device's display name, or {@code null}
   * @return the new session
   */
  public static native Session clientLoginPassword(
      long handle, String user, char[] password, String deviceDisplayName);

  /**
   * Logs out; blocking.
   *
   * @param handle the client's handle
   */
  public static native void clientLogout(long handle);

  /**
   * Starts the sync loop.
   *
   * @param handle the client's handle
   */
  public static native void clientStartSync(long handle);

  /**
   * Stops the sync loop and waits for it to end; blocking.
   *
   * @param handle the client's handle
   */
  public static native void clientStopSync(long handle);

  /**
   * Whether the sync loop runs.
   *
   * @param handle the client's handle
   * @return {@code true} while it runs
   */
  public static native boolean clientIsSyncing(long handle);

  /** Room kind numbers shared with the bridge. */
  public static final int ROOM_KIND_PRIVATE = 1;

  /** See {@link #ROOM_KIND_PRIVATE}. */
  public static final int ROOM_KIND_DIRECT = 2;

  /** See {@link #ROOM_KIND_PRIVATE}. */
  public static final int ROOM_KIND_PUBLIC_UNENCRYPTED = 3;

  /**
   * Applies the room creation rules without sending anything.
   *
   * @param kind a {@code ROOM_KIND_} constant
   * @param encrypted whether the room is to be encrypted
   * @param name the name, or {@code null}
   * @param topic the topic, or {@code null}
   * @param invitee the invitee, or {@code null}
   * @param roomVersion the room version, or {@code null} for the default
   */
  public static native void checkRoomOptions(
      int kind, boolean encrypted, String name, String topic, String invitee, String roomVersion);

  /**
   * Creates a room; blocking.
   *
   * @param handle the client's handle
   * @param kind a {@code ROOM_KIND_} constant
   * @param encrypted whether the room is to be encrypted
   * @param name the name, or {@code null}
   * @param topic the topic, or {@code null}
   * @param invitee the invitee, or {@code null}
   * @param roomVersion the room version, or {@code null} for the default
   * @return the room ID
   */
  public static native String clientCreateRoom(
      long handle,
      int kind,
      boolean encrypted,
      String name,
      String topic,
      String invitee,
      String roomVersion);

  /**
   * Joins a room; blocking.
   *
   * @param handle the client's handle
   * @param roomId the room ID
   */
  public static native void clientJoinRoom(long handle, String roomId);

  /**
   * Invites a user; blocking.
   *
   * @param handle the client's handle
   * @param roomId the room ID
   * @param userId the user to invite
   */
  public static native void clientInvite(long handle, String roomId, String userId);

  /** {@link #clientChangeMembership} change: decline an invitation. */
  public static final int MEMBERSHIP_DECLINE = 1;

  /** {@link #clientChangeMembership} change: leave a joined room. */
  public static final int MEMBERSHIP_LEAVE = 2;

  /** {@link #clientChangeMembership} change: forget a left room. */
  public static final int MEMBERSHIP_FORGET = 3;

  /**
   * Declines, leaves or forgets; blocking.
   *
   * @param handle the client's handle
   * @param roomId the room ID
   * @param change a {@code MEMBERSHIP_} constant
   */
  public static native void clientChangeMembership(long handle, String roomId, int change);

  /**
   * Removes a member; blocking.
   *
   * @param handle the client's handle
   * @param roomId the room ID
   * @param userId the member
   * @param reason the reason, or {@code null}
   */
  public static native void clientKick(long handle, String roomId, String userId, String reason);

  /**
   * Sets the room's name or topic as the Matrix and the TI-M state event; blocking.
   *
   * @param handle the client's handle
   * @param roomId the room ID
   * @param topic {@code true} for the topic, {@code false} for the name
   * @param value the new name or topic
   */
  public static native void clientSetRoomText(
      long handle, String roomId, boolean topic, String value);

  /**
   * The room summaries, encoded; blocking.
   *
   * @param handle the client's handle
   * @return the encoded summaries
   */
  public static native byte[] clientRooms(long handle);

  /** {@link #clientRoomInfo} selector: the summary. */
  public static final int ROOM_INFO_SUMMARY = 1;

  /** {@link #clientRoomInfo} selector: the members. */
  public static final int ROOM_INFO_MEMBERS = 2;

  /** {@link #clientRoomInfo} selector: the current state events. */
  public static final int ROOM_INFO_STATE = 3;

  /** {@link #clientRoomInfo} selector: the settings. */
  public static final int ROOM_INFO_SETTINGS = 4;

  /**
   * One kind of information about a room, encoded; blocking.
   *
   * @param handle the client's handle
   * @param roomId the room ID
   * @param what a {@code ROOM_INFO_} constant
   * @return the encoded information
   */
  public static native byte[] clientRoomInfo(long handle, String roomId, int what);

  /**
   * Searches the user directory; blocking.
   *
   * @param handle the client's handle
   * @param term the search term
   * @param limit the most results
   * @return the encoded profiles
   */
  public static native byte[] clientSearchUsers(long handle, String term, int limit);

  /**
   * Reads a profile; blocking.
   *
   * @param handle the client's handle
   * @param userId the user
   * @return the encoded profile
   */
  public static native byte[] clientProfile(long handle, String userId);

  /** Message kind numbers shared with the bridge. */
  public static final int MESSAGE_TEXT = 1;

  /** See {@link #MESSAGE_TEXT}. */
  public static final int MESSAGE_NOTICE = 2;

  /** See {@link #MESSAGE_TEXT}. */
  public static final int MESSAGE_EMOTE = 3;

  /** See {@link #MESSAGE_TEXT}. */
  public static final int MESSAGE_LOCATION = 4;

  /**
   * Applies the message rules without sending anything.
   *
   * @param kind a {@code MESSAGE_} constant
   * @param body the body
   * @param formattedBody the HTML body, or {@code null}
   * @param geoUri the location, or {@code null}
   * @param replyTo the event replied to, or {@code null}
   */
  public static native void checkMessage(
      int kind, String body, String formattedBody, String geoUri, String replyTo);

  /**
   * Saves a text-like message in the send queue and starts sending it; blocking, but only until it
   * is saved.
   *
   * @param handle the client's handle
   * @param roomId the room ID
   * @param kind one of the {@code MESSAGE_} constants
   * @param body the plain body
   * @param formattedBody the HTML body, or {@code null}
   * @param geoUri the {@code geo:} URI of a location, or {@code null}
   * @param replyTo the event replied to, or {@code null}
   * @param awaited whether {@link #clientAwaitQueued} will wait for it
   * @return the queued message, encoded for {@code WireReader.queuedMessage}
   */
  public static native byte[] clientQueueMessage(
      long handle,
      String roomId,
      int kind,
      String body,
      String formattedBody,
      String geoUri,
      String replyTo,
      boolean awaited);

  /**
   * Waits until a message queued with {@code awaited} has been sent; blocking.
   *
   * @param handle the client's handle
   * @param transactionId the queued message's transaction ID
   * @return the event ID
   */
  public static native String clientAwaitQueued(long handle, String transactionId);

  /**
   * The messages in the send queue.
   *
   * @param handle the client's handle
   * @return the messages, encoded for {@code WireReader.queuedMessages}
   */
  public static native byte[] clientQueuedMessages(long handle);

  /**
   * Verifies the audit log of a store that no client needs to hold; nothing is locked or written.
   *
   * @param storeDirectory the store directory
   * @param storePassphrase the store passphrase; the caller wipes it
   * @return the verification, encoded for {@code WireReader.auditVerification}
   */
  public static native byte[] verifyAuditLog(String storeDirectory, char[] storePassphrase);

  /**
   * Verifies a client's audit log.
   *
   * @param handle the client's handle
   * @return the verification, encoded for {@code WireReader.auditVerification}
   */
  public static native byte[] clientVerifyAuditLog(long handle);

  /**
   * Audits a call the Java side refused.
   *
   * @param handle the client's handle
   * @param operation the refused API operation: ASCII letters, digits and {@code _}
   * @param code the refusal's error code
   */
  public static native void clientAuditRejected(long handle, String operation, String code);

  /**
   * The sync loop's state.
   *
   * @param handle the client's handle
   * @return whether it runs, its last success and its failures since, in the wire format
   */
  public static native byte[] clientSyncStatus(long handle);

  /**
   * The reason of the client's controlled stop.
   *
   * @param handle the client's handle
   * @return the reason code, or {@code null} while the client runs
   */
  public static native String clientStopReason(long handle);

  /**
   * Audits the calls that the previous client of the same store refused after its close.
   *
   * @param handle the client's handle
   * @param count how many, at least 1
   */
  public static native void clientAuditCallsAfterClose(long handle, long count);

  /**
   * The reason the client is restricted.
   *
   * @param handle the client's handle
   * @return the reason code, or {@code null} when the client is not restricted
   */
  public static native String clientRestriction(long handle);

  /**
   * Ends the restricted mode.
   *
   * @param handle the client's handle
   * @param operator who decided it, for the audit log
   */
  public static native void clientLiftRestriction(long handle, String operator);

  /**
   * Makes a failed queued message wait for sending again.
   *
   * @param handle the client's handle
   * @param transactionId the queued message's transaction ID
   */
  public static native void clientRetryQueued(long handle, String transactionId);

  /**
   * Removes a queued message that is not being sent.
   *
   * @param handle the client's handle
   * @param transactionId the queued message's transaction ID
   */
  public static native void clientDiscardQueued(long handle, String transactionId);

  /**
   * Applies the edit rules without sending anything.
   *
   * @param target the edited event
   * @param body the new body; may be empty
   * @param formattedBody the new HTML body, or {@code null}
   */
  public static native void checkEdit(String target, String body, String formattedBody);

  /**
   * Edits an own message; blocking.
   *
   * @param handle the client's handle
   * @param roomId the room ID
   * @param target the edited event
   * @param body the new body; may be empty
   * @param formattedBody the new HTML body, or {@code null}
   * @return the event ID of the edit
   */
  public static native String clientEditMessage(
      long handle, String roomId, String target, String body, String formattedBody);

  /**
   * Reacts to an event; blocking.
   *
   * @param handle the client's handle
   * @param roomId the room ID
   * @param target the event reacted to
   * @param key the reaction key
   * @return the event ID of the reaction
   */
  public static native String clientReact(long handle, String roomId, String target, String key);

  /**
   * Applies the custom event rules that do not depend on the room.
   *
   * @param eventType the event type
   * @param contentJson the content
   */
  public static native void checkCustom(String eventType, String contentJson);

  /**
   * Saves a custom message-like event in the send queue and starts sending it; blocking, but only
   * until it is saved.
   *
   * @param handle the client's handle
   * @param roomId the room ID
   * @param eventType the event type
   * @param contentJson the content
   * @param awaited whether {@link #clientAwaitQueued} will wait for it
   * @return the queued message, encoded for {@code WireReader.queuedMessage}
   */
  public static native byte[] clientQueueCustom(
      long handle, String roomId, String eventType, String contentJson, boolean awaited);

  /**
   * Redacts an own event and its edits; blocking.
   *
   * @param handle the client's handle
   * @param roomId the room ID
   * @param target the redacted event
   * @param reason the reason, or {@code null}
   */
  public static native void clientRedact(long handle, String roomId, String target, String reason);

  /**
   * Reads a page of history; blocking.
   *
   * @param handle the client's handle
   * @param roomId the room ID
   * @param from the token of the page, or {@code null} for the newest
   * @param limit the most events
   * @return the encoded page
   */
  public static native byte[] clientHistory(long handle, String roomId, String from, int limit);

  /**
   * Fetches one event; blocking.
   *
   * @param handle the client's handle
   * @param roomId the room ID
   * @param eventId the event ID
   * @return the encoded event
   */
  public static native byte[] clientEvent(long handle, String roomId, String eventId);

  /**
   * Sends a read receipt; blocking.
   *
   * @param handle the client's handle
   * @param roomId the room ID
   * @param eventId the event read up to
   */
  public static native void clientSendReadReceipt(long handle, String roomId, String eventId);

  /**
   * Starts an attachment upload; blocking.
   *
   * @param handle the client's handle
   * @param roomId the room ID
   * @param fileName the file name
   * @param mimeType the MIME type
   * @param size the exact size in bytes
   * @return the upload's ID
   */
  public static native long clientBeginUpload(
      long handle, String roomId, String fileName, String mimeType, long size);

  /**
   * Hands bytes to an upload; blocks while the upload is behind.
   *
   * @param handle the client's handle
   * @param uploadId the upload's ID
   * @param chunk the bytes
   * @param length how many bytes of {@code chunk} to take
   */
  public static native void clientWriteUpload(long handle, long uploadId, byte[] chunk, int length);

  /**
   * Completes an upload and sends its message; blocking.
   *
   * @param handle the client's handle
   * @param uploadId the upload's ID
   * @return the event ID
   */
  public static native String clientFinishUpload(long handle, long uploadId);

  /**
   * Gives up an upload.
   *
   * @param handle the client's handle
   * @param uploadId the upload's ID
   */
  public static native void clientAbortUpload(long handle, long uploadId);

  /**
   * Downloads and checks an attachment; blocking.
   *
   * @param handle the client's handle
   * @param roomId the room ID
   * @param eventId the attachment message's event ID
   * @return the download's ID and description, encoded
   */
  public static native byte[] clientBeginDownload(long handle, String roomId, String eventId);

  /**
   * The next decrypted chunk of a download.
   *
   * @param handle the client's handle
   * @param downloadId the download's ID
   * @return the chunk, or {@code null} at the end
   */
  public static native byte[] clientReadDownload(long handle, long downloadId);

  /**
   * Ends a download and deletes its temporary file.
   *
   * @param handle the client's handle
   * @param downloadId the download's ID
   */
  public static native void clientCloseDownload(long handle, long downloadId);

  /** Permission default numbers shared with the bridge. */
  public static final int PERMISSION_ALLOW_ALL = 1;

  /** See {@link #PERMISSION_ALLOW_ALL}. */
  public static final int PERMISSION_BLOCK_ALL = 2;

  /**
   * Applies gematik's schema to a permission configuration without writing it.
   *
   * @param defaultSetting a {@code PERMISSION_} constant
   * @param users the user exceptions
   * @param servers the server exceptions
   * @param insuredPersons whether insured persons are an exception
   */
  public static native void checkPermissionConfig(
      int defaultSetting, String[] users, String[] servers, boolean insuredPersons);

  /**
   * Replaces the permission configuration; blocking.
   *
   * @param handle the client's handle
   * @param defaultSetting a {@code PERMISSION_} constant
   * @param users the user exceptions
   * @param servers the server exceptions
   * @param insuredPersons whether insured persons are an exception
   */
  public static native void clientSetPermissionConfig(
      long handle, int defaultSetting, String[] users, String[] servers, boolean insuredPersons);

  /**
   * Reads the permission configuration; blocking.
   *
   * @param handle the client's handle
   * @return the encoded configuration, or {@code null} if none is set
   */
  public static native byte[] clientPermissionConfig(long handle);

  /**
   * Asks the Fachdienst whether a server is an insurer's; blocking.
   *
   * @param handle the client's handle
   * @param serverName the server name
   * @return whether it is an insurer's
   */
  public static native boolean clientIsInsurance(long handle, String serverName);

  /**
   * Asks the Fachdienst which server serves an IK number; blocking.
   *
   * @param handle the client's handle
   * @param ikNumber the IK number
   * @return the server name, or {@code null}
   */
  public static native String clientFindByIk(long handle, String ikNumber);

  /**
   * Records that every event up to a sequence number has been handed to the listeners.
   *
   * @param handle the client's handle
   * @param sequence the sequence number of the last event handed over
   */
  public static native void clientAcknowledgeEvents(long handle, long sequence);

  /**
   * Waits for the next events; blocking.
   *
   * @param handle the client's handle
   * @param timeoutMillis how long to wait for the first event
   * @param max the largest batch to return
   * @return the encoded events, each with its sequence number, possibly none
   */
  public static native byte[] clientNextEvents(long handle, int timeoutMillis, int max);

  /** {@link #validate} kind: a full Matrix user ID. */
  public static final int VALIDATE_USER_ID = 1;

  /** {@link #validate} kind: a room ID. */
  public static final int VALIDATE_ROOM_ID = 2;

  /** {@link #validate} kind: a text message body. */
  public static final int VALIDATE_MESSAGE_BODY = 3;

  /** {@link #validate} kind: an event ID. */
  public static final int VALIDATE_EVENT_ID = 4;

  /** {@link #validate} kind: a room name. */
  public static final int VALIDATE_ROOM_NAME = 5;

  /** {@link #validate} kind: a room topic. */
  public static final int VALIDATE_ROOM_TOPIC = 6;

  /** {@link #validate} kind: a reason (kick, redaction). */
  public static final int VALIDATE_REASON = 7;

  /** {@link #validate} kind: a user directory search term. */
  public static final int VALIDATE_SEARCH_TERM = 8;

  /** {@link #validate} kind: a reaction key. */
  public static final int VALIDATE_REACTION_KEY = 9;

  /** {@link #validate} kind: an attachment's file name. */
  public static final int VALIDATE_FILE_NAME = 10;

  /** {@link #validate} kind: a MIME type. */
  public static final int VALIDATE_MIME_TYPE = 11;

  /** {@link #validate} kind: a Matrix server name. */
  public static final int VALIDATE_SERVER_NAME = 12;

  /** {@link #validate} kind: an IK number. */
  public static final int VALIDATE_IK_NUMBER = 13;

  /**
   * Checks a value with the native rules, throwing {@code InvalidArgumentException} when it is
   * refused.
   *
   * @param kind one of the {@code VALIDATE_} constants
   * @param value the value to check
   */
  public static native void validate(int kind, String value);

  /**
   * Throws the exception that native code throws for an error code. Touches no client state.
   *
   * @param code the name of an error code
   */
  public static native void selfTestError(String code);

  /** Panics inside native code, which must arrive as an exception. Touches no client state. */
  public static native void selfTestPanic();
}
