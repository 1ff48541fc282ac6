package health.tim.headless;

/**
 * A parameter was missing, empty, too long or malformed; the call did nothing. Code {@link
 * ErrorCode#INVALID_ARGUMENT}.
 */
public class InvalidArgumentException extends TimException {
  private static final long serialVersionUID = 1L;

  InvalidArgumentException(ErrorCode code, String message) {
    super(code, message);
  }

  // Called by native code with the name of an ErrorCode.
  InvalidArgumentException(String code, String message) {
    super(ErrorCode.fromName(code), message);
  }
}
