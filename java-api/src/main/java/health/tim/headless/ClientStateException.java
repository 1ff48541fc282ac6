package health.tim.headless;

/**
 * The client or the room is in the wrong state for the call: not logged in ({@link
 * ErrorCode#NOT_LOGGED_IN}), already logged in ({@link ErrorCode#ALREADY_LOGGED_IN}), or not a
 * member of the room in the way the call needs ({@link ErrorCode#WRONG_ROOM_STATE}).
 */
public class ClientStateException extends TimException {
  private static final long serialVersionUID = 1L;

  ClientStateException(ErrorCode code, String message) {
    super(code, message);
  }

  // Called by native code with the name of an ErrorCode.
  ClientStateException(String code, String message) {
    super(ErrorCode.fromName(code), message);
  }
}
