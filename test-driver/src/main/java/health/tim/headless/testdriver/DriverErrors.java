package health.tim.headless.testdriver;

import health.tim.headless.AuthenticationException;
import health.tim.headless.ClientClosedException;
import health.tim.headless.ClientStateException;
import health.tim.headless.ErrorCode;
import health.tim.headless.HomeserverException;
import health.tim.headless.InvalidArgumentException;
import health.tim.headless.NetworkException;
import health.tim.headless.NotFoundException;
import health.tim.headless.NotPermittedException;
import health.tim.headless.TimException;
import health.tim.headless.testdriver.model.AuthFlow;
import health.tim.headless.testdriver.model.AuthFlows;
import health.tim.headless.testdriver.model.AuthStageName;
import health.tim.headless.testdriver.model.ErrorObject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * Turns failures into the interface's error object: the client API's exceptions with the status the
 * homeserver gave (a refused invitation stays 403), the driver's own refusals as they are, and "not
 * logged in" as 401 with the authentication flows that the interface names for it.
 */
@RestControllerAdvice
class DriverErrors {
  private static final Logger LOG = LoggerFactory.getLogger(DriverErrors.class);

  @ExceptionHandler(DriverException.class)
  ResponseEntity<Object> driver(DriverException e) {
    return error(e.status(), e.errorCode(), e.getMessage());
  }

  @ExceptionHandler(TimException.class)
  ResponseEntity<Object> client(TimException e) {
    if (e.code() == ErrorCode.NOT_LOGGED_IN) {
      return ResponseEntity.status(HttpStatus.UNAUTHORIZED).body(loginFlows());
    }
    return error(statusOf(e), codeOf(e), e.getMessage());
  }

  @ExceptionHandler({
    MethodArgumentNotValidException.class,
    HandlerMethodValidationException.class,
    HttpMessageNotReadableException.class,
    MethodArgumentTypeMismatchException.class
  })
  ResponseEntity<Object> badRequest(Exception e) {
    // Spring's messages may quote the request body; the exception type is enough to act on.
    return error(
        HttpStatus.BAD_REQUEST, "BAD_REQUEST", "invalid request: " + e.getClass().getName());
  }

  /** The status for an exception of the client API; the homeserver's own where it gave one. */
  static HttpStatus statusOf(TimException e) {
    if (e instanceof HomeserverException homeserver && homeserver.status() >= 400) {
      HttpStatus status = HttpStatus.resolve(homeserver.status());
      return status == null ? HttpStatus.BAD_GATEWAY : status;
    }
    if (e.code() == ErrorCode.RATE_LIMITED) {
      return HttpStatus.TOO_MANY_REQUESTS;
    }
    if (e instanceof InvalidArgumentException) {
      return HttpStatus.BAD_REQUEST;
    }
    if (e instanceof NotFoundException) {
      return HttpStatus.NOT_FOUND;
    }
    // Synapse answers a wrong password and an action outside the room's rules with 403.
    if (e instanceof NotPermittedException
        || e instanceof AuthenticationException
        || e instanceof ClientStateException) {
      return HttpStatus.FORBIDDEN;
    }
    if (e instanceof NetworkException) {
      return HttpStatus.BAD_GATEWAY;
    }
    if (e instanceof ClientClosedException) {
      return HttpStatus.SERVICE_UNAVAILABLE;
    }
    LOG.warn("client call failed: {}", e.code());
    return HttpStatus.INTERNAL_SERVER_ERROR;
  }

  private static String codeOf(TimException e) {
    if (e instanceof HomeserverException homeserver && homeserver.errcode() != null) {
      return homeserver.errcode();
    }
    return e.code().name();
  }

  private static AuthFlows loginFlows() {
    return new AuthFlows()
        .completedAuthStages(List.of())
        .flows(List.of(new AuthFlow().stages(List.of(AuthStageName.BASIC_AUTH))));
  }

  private static ResponseEntity<Object> error(HttpStatus status, String code, String message) {
    String text = message == null || message.isBlank() ? status.getReasonPhrase() : message;
    return ResponseEntity.status(status).body(new ErrorObject(code, text));
  }
}
