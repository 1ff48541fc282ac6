package health.tim.headless;

/**
 * Downloaded data does not match what its message promised: the attachment's hash differs, so the
 * file was altered or damaged on its way. Code {@link ErrorCode#ATTACHMENT_TAMPERED}. No decrypted
 * byte was handed out and nothing partial was left behind.
 */
public class IntegrityException extends TimException {
  private static final long serialVersionUID = 1L;

  IntegrityException(ErrorCode code, String message) {
    super(code, message);
  }

  // Called by native code with the name of an ErrorCode.
  IntegrityException(String code, String message) {
    super(ErrorCode.fromName(code), message);
  }
}
