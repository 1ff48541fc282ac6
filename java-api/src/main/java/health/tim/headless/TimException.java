package health.tim.headless;

/**
 * Base class of every exception the client throws. Each carries a stable {@link ErrorCode} and a
 * message that is safe to log: it never contains a secret, a message body or native internals.
 */
public class TimException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The stable code of this failure. */
  private final ErrorCode code;

  TimException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  TimException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /**
   * The stable code of this failure.
   *
   * @return the code, never {@code null}
   */
  public ErrorCode code() {
    return code;
  }

  @Override
  public String toString() {
    return getClass().getName() + " [" + code + "]: " + getMessage();
  }
}
