package health.tim.headless;

/**
 * The room is not known to this client, or the client is not joined to it. Code {@link
 * ErrorCode#ROOM_NOT_FOUND}.
 */
public class NotFoundException extends TimException {
  private static final long serialVersionUID = 1L;

  NotFoundException(ErrorCode code, String message) {
    super(code, message);
  }

  // Called by native code with the name of an ErrorCode.
  NotFoundException(String code, String message) {
    super(ErrorCode.fromName(code), message);
  }
}
