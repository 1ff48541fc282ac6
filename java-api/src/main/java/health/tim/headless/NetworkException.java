package health.tim.headless;

/**
 * The homeserver could not be reached or the connection broke. Code {@link
 * ErrorCode#NETWORK_ERROR}.
 */
public class NetworkException extends TimException {
  private static final long serialVersionUID = 1L;

  NetworkException(ErrorCode code, String message) {
    super(code, message);
  }

  // Called by native code with the name of an ErrorCode.
  NetworkException(String code, String message) {
    super(ErrorCode.fromName(code), message);
  }
}
