package health.tim.headless;

/**
 * Stable codes of every failure the client reports. The names never change once released, so
 * integrating systems may switch on them, log them and count them.
 */
public enum ErrorCode {
  /** A parameter was missing, empty, too long or malformed; nothing was done. */
  INVALID_ARGUMENT,
  /** The client was closed. */
  CLIENT_CLOSED,
  /**
   * The client stopped itself in a controlled stop (see {@link HeadlessClient#stopReason()}); no
   * further calls are possible. Thrown as {@link ClientClosedException}.
   */
  CLIENT_STOPPED,
  /** The call needs a logged-in session and there is none. */
  NOT_LOGGED_IN,
  /** The call needs a client without a session, and one is logged in. */
  ALREADY_LOGGED_IN,
  /** The store passphrase does not open the store. */
  STORE_WRONG_PASSPHRASE,
  /** Another client, in this or another process, holds the store. */
  STORE_LOCKED,
  /** The store directory cannot be used (not a directory, not writable, damaged). */
  STORE_UNUSABLE,
  /** The homeserver refused the credentials. */
  AUTHENTICATION_FAILED,
  /** A setting the operation needs was not given to the builder (the message names it). */
  NOT_CONFIGURED,
  /** The recovery passphrase does not open the account's key backup (its secret storage). */
  RECOVERY_PASSPHRASE_REFUSED,
  /**
   * The key backup cannot be set up for the account as it is, for example because another client
   * created a backup that no secret storage protects.
   */
  KEY_BACKUP_UNAVAILABLE,
  /** The homeserver answered a request with an error. */
  HOMESERVER_ERROR,
  /**
   * The homeserver refused an invitation; with TI-M, as a rule, the invitee's permission settings.
   */
  INVITE_REFUSED,
  /** The homeserver could not be reached. */
  NETWORK_ERROR,
  /** The room is not known to this client. */
  ROOM_NOT_FOUND,
  /**
   * The room is known, but this account's membership does not allow the call (for example leaving a
   * room it has not joined, or declining an invitation it does not have).
   */
  WRONG_ROOM_STATE,
  /** The event is unknown to the homeserver or not visible to this account. */
  EVENT_NOT_FOUND,
  /** The call edits or redacts an event another user sent. */
  NOT_OWN_EVENT,
  /** The event is older than the 24 hours within which TI-M allows a redaction. */
  REDACTION_EXPIRED,
  /** A downloaded attachment does not match its message's hash; nothing was kept. */
  ATTACHMENT_TAMPERED,
  /** The send queue holds as many messages as it may; nothing was queued. */
  QUEUE_FULL,
  /** No queued message has the transaction ID: it was sent or discarded, or never queued. */
  QUEUED_MESSAGE_NOT_FOUND,
  /** The queued message is being sent right now and cannot be discarded. */
  QUEUED_MESSAGE_SENDING,
  /** The queued message was discarded before it was sent. */
  SEND_DISCARDED,
  /**
   * The client is in the restricted mode: it receives, but sends and changes nothing until an
   * operator lifts the restriction (see {@link HeadlessClient#restriction()}).
   */
  CLIENT_RESTRICTED,
  /** A restriction was to be lifted, but the client is not restricted. */
  NOT_RESTRICTED,
  /** The call exceeds the rate limit of its kind (see {@link RateLimits}); nothing was done. */
  RATE_LIMITED,
  /** The native library could not be found, extracted, verified or loaded. */
  NATIVE_LIBRARY,
  /** Native code failed unexpectedly (a contained panic); the client may be unusable. */
  NATIVE_PANIC,
  /** An internal failure the caller cannot fix; details are in the native log. */
  INTERNAL;

  /** Resolves a code name sent by native code; unknown names count as {@link #INTERNAL}. */
  static ErrorCode fromName(String name) {
    for (ErrorCode code : values()) {
      if (code.name().equals(name)) {
        return code;
      }
    }
    return INTERNAL;
  }
}
