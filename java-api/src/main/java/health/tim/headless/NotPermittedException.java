package health.tim.headless;

/**
 * TI-M's rules do not allow the call: editing or redacting another user's event ({@link
 * ErrorCode#NOT_OWN_EVENT}), or redacting an event older than 24 hours ({@link
 * ErrorCode#REDACTION_EXPIRED}). Nothing was sent.
 */
public class NotPermittedException extends TimException {
  private static final long serialVersionUID = 1L;

  NotPermittedException(ErrorCode code, String message) {
    super(code, message);
  }

  // Called by native code with the name of an ErrorCode.
  NotPermittedException(String code, String message) {
    super(ErrorCode.fromName(code), message);
  }
}
