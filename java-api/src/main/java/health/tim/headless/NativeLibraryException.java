package health.tim.headless;

/**
 * The native library could not be found for this platform, extracted, loaded, or it reported a
 * version other than this jar's. Code {@link ErrorCode#NATIVE_LIBRARY}.
 */
public class NativeLibraryException extends TimException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception; used by the library's loader.
   *
   * @param message what went wrong and what to do about it
   * @param cause the underlying failure, or {@code null}
   */
  public NativeLibraryException(String message, Throwable cause) {
    super(ErrorCode.NATIVE_LIBRARY, message, cause);
  }
}
