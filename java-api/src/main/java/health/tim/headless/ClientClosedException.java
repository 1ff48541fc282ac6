package health.tim.headless;

/**
 * The client was closed before or during the call: code {@link ErrorCode#CLIENT_CLOSED}, or {@link
 * ErrorCode#CLIENT_STOPPED} when the client ended itself in a controlled stop.
 */
public class ClientClosedException extends TimException {
  private static final long serialVersionUID = 1L;

  ClientClosedException(ErrorCode code, String message) {
    super(code, message);
  }

  // Called by native code with the name of an ErrorCode.
  ClientClosedException(String code, String message) {
    super(ErrorCode.fromName(code), message);
  }
}
