package health.tim.headless.internal;

import health.tim.headless.ClientEvent;
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
   * Opens a client's store and restores its saved session; blocking.
   *
   * @param homeserverUrl the homeserver's base URL
   * @param storeDirectory the store directory
   * @param storePassphrase the passphrase; the caller wipes the array afterwards
   * @param integratingSystemName the integrating system's name
   * @param integratingSystemVersion the integrating system's version
   * @return the client's handle
   */
  public static native long clientOpen(
      String homeserverUrl,
      String storeDirectory,
      char[] storePassphrase,
      String integratingSystemName,
      String integratingSystemVersion);

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

  /**
   * Creates an encrypted room; blocking.
   *
   * @param handle the client's handle
   * @param invitee the user to invite, or {@code null}
   * @return the room ID
   */
  public static native String clientCreateEncryptedRoom(long handle, String invitee);

  /**
   * Joins a room; blocking.
   *
   * @param handle the client's handle
   * @param roomId the room ID
   */
  public static native void clientJoinRoom(long handle, String roomId);

  /**
   * Sends a text message; blocking.
   *
   * @param handle the client's handle
   * @param roomId the room ID
   * @param body the plain-text body
   * @return the event ID
   */
  public static native String clientSendText(long handle, String roomId, String body);

  /**
   * Waits for events; blocking for at most {@code timeoutMillis}.
   *
   * @param handle the client's handle
   * @param timeoutMillis how long to wait for the first event
   * @param max the largest batch to return
   * @return the events, possibly none
   */
  public static native ClientEvent[] clientNextEvents(long handle, int timeoutMillis, int max);

  /** {@link #validate} kind: a full Matrix user ID. */
  public static final int VALIDATE_USER_ID = 1;

  /** {@link #validate} kind: a room ID. */
  public static final int VALIDATE_ROOM_ID = 2;

  /** {@link #validate} kind: a text message body. */
  public static final int VALIDATE_MESSAGE_BODY = 3;

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
