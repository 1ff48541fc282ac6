package health.tim.headless;

/**
 * The homeserver answered a request with an error. Code {@link ErrorCode#HOMESERVER_ERROR}; the
 * HTTP status and the Matrix error code say what the server objected to.
 */
public class HomeserverException extends TimException {
  private static final long serialVersionUID = 1L;

  /** The HTTP status of the answer. */
  private final int status;

  /** The Matrix error code of the answer. */
  private final String errcode;

  // Called by native code.
  HomeserverException(String code, String message, int status, String errcode) {
    super(ErrorCode.fromName(code), message);
    this.status = status;
    this.errcode = errcode;
  }

  /**
   * The HTTP status of the homeserver's answer.
   *
   * @return the status, for example 403
   */
  public int status() {
    return status;
  }

  /**
   * The Matrix error code of the answer.
   *
   * @return the code, for example {@code M_FORBIDDEN}, or {@code unknown}
   */
  public String errcode() {
    return errcode;
  }
}
