package health.tim.headless;

/**
 * Native code failed in a way the caller cannot fix. Code {@link ErrorCode#INTERNAL}, or {@link
 * ErrorCode#NATIVE_PANIC} when native code panicked; the panic was contained, but the client should
 * be closed and opened again.
 */
public class InternalException extends TimException {
  private static final long serialVersionUID = 1L;

  InternalException(ErrorCode code, String message) {
    super(code, message);
  }

  // Called by native code with the name of an ErrorCode.
  InternalException(String code, String message) {
    super(ErrorCode.fromName(code), message);
  }
}
