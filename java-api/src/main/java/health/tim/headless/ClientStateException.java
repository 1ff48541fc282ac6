package health.tim.headless;

/**
 * The client is in the wrong state for the call: not logged in, or already logged in. Codes {@link
 * ErrorCode#NOT_LOGGED_IN} and {@link ErrorCode#ALREADY_LOGGED_IN}.
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
