package health.tim.headless;

/** The homeserver refused the credentials. Code {@link ErrorCode#AUTHENTICATION_FAILED}. */
public class AuthenticationException extends TimException {
  private static final long serialVersionUID = 1L;

  AuthenticationException(ErrorCode code, String message) {
    super(code, message);
  }

  // Called by native code with the name of an ErrorCode.
  AuthenticationException(String code, String message) {
    super(ErrorCode.fromName(code), message);
  }
}
