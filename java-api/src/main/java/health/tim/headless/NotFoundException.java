package health.tim.headless;

/**
 * The room is not known to this client ({@link ErrorCode#ROOM_NOT_FOUND}), or the event is not
 * known to the homeserver or not visible to this account ({@link ErrorCode#EVENT_NOT_FOUND}).
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
