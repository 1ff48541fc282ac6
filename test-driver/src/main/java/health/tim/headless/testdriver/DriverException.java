package health.tim.headless.testdriver;

import org.springframework.http.HttpStatus;

/**
 * A request the driver answers with an error object of the interface (or, for {@code 401}, with its
 * authentication flows). Messages name the problem, never a secret or message content.
 */
public class DriverException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final HttpStatus status;
  private final String errorCode;

  /**
   * Creates the exception.
   *
   * @param status the HTTP status of the answer
   * @param errorCode the error object's code
   * @param message the error object's message
   */
  public DriverException(HttpStatus status, String errorCode, String message) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }

  /**
   * An operation this driver does not offer.
   *
   * @param operation the interface's operation ID
   * @param reason why the public client API cannot serve it
   * @return the exception, answered with 501
   */
  public static DriverException notImplemented(String operation, String reason) {
    return new DriverException(
        HttpStatus.NOT_IMPLEMENTED, "NOT_IMPLEMENTED", operation + " is not offered: " + reason);
  }

  /**
   * The HTTP status of the answer.
   *
   * @return the status
   */
  public HttpStatus status() {
    return status;
  }

  /**
   * The error object's code.
   *
   * @return the code
   */
  public String errorCode() {
    return errorCode;
  }
}
